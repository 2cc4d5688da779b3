#!/bin/sh
# Runs one libFuzzer target (tests/fuzz/fuzz_TARGET.c) for SECONDS, from its
# seed corpus tests/fuzz/TARGET/corpus/; the inputs it finds go to a scratch
# folder, never into the repository. Builds with clang in build-fuzz/
# (-DKANAL_FUZZ=ON), installing clang first if it is missing.
#
#   scripts/fuzz.sh TARGET SECONDS     TARGET: yaml, csv, batch or time
#
# Prints the executions and executions per second. On a crash, copies the
# input into tests/fuzz/TARGET/crashes/ (ctest replays every file there:
# fuzz/replay_TARGET) and exits 1.
set -eu
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  sed -n '7,11p' "$0" >&2
  exit 2
fi
target=$1
seconds=$2
case "$target" in
  yaml|csv|batch|time) ;;
  *) echo "fuzz.sh: unknown target '$target' (yaml, csv, batch or time)" >&2; exit 2 ;;
esac
case "$seconds" in
  ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number" >&2; exit 2 ;;
esac

scripts/setup.sh --fuzz-deps
builddir=${KANAL_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$builddir/CMakeCache.txt" ]; then
  CC=clang cmake -S . -B "$builddir" -DKANAL_FUZZ=ON >/dev/null
fi
cmake --build "$builddir" -j "$(nproc 2>/dev/null || echo 2)" --target "fuzz_$target"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/kanal-fuzz-$target.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/corpus" "$scratch/artifacts"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
# the scratch corpus first: new inputs go there; the seeds are only read
"$builddir/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$scratch/artifacts/" "$scratch/corpus" "tests/fuzz/$target/corpus" \
  >"$scratch/log" 2>&1 || status=$?
grep -E '^(==|SUMMARY|stat::number_of_executed_units|stat::average_exec_per_sec)|ERROR|Test unit written' \
  "$scratch/log" | head -40 || true
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/log")
echo "fuzz_$target: ${execs:-?} executions in ${seconds}s (${rate:-?} exec/s), $(ls "$scratch/corpus" | wc -l) new inputs"
found=0
mkdir -p "tests/fuzz/$target/crashes"
for f in "$scratch"/artifacts/*; do
  [ -f "$f" ] || continue
  cp "$f" "tests/fuzz/$target/crashes/"
  echo "fuzz.sh: kept $(basename "$f") in tests/fuzz/$target/crashes/" >&2
  found=1
done
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
  tail -60 "$scratch/log" >&2
  exit 1
fi
