#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and UndefinedBehaviorSanitizer
# in build-asan/, starts a throwaway PostgreSQL server (scripts/pg-server.sh) and
# runs the whole suite with ctest, on SQLite and on PostgreSQL where a test
# takes both; then, on the plain build in build/, the valgrind checks and the
# allocation faults of test_faults (AddressSanitizer's allocator cannot be
# made to fail). Extra arguments go to the first ctest (for instance:
# scripts/test.sh -R workflow).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
scripts/setup.sh --sanitize build-asan
# a throwaway PostgreSQL server, so that what runs on both backends runs on both
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-pg.XXXXXX")
trap 'scripts/pg-server.sh stop "$pgdir"' EXIT
KANAL_TEST_PG=$(scripts/pg-server.sh start "$pgdir")
export KANAL_TEST_PG
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-asan --output-on-failure -j "$jobs" "$@"
if [ $# -eq 0 ]; then
  scripts/setup.sh build
  ctest --test-dir build --output-on-failure -j "$jobs" -L 'valgrind|plain'
fi
