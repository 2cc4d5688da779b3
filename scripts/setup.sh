#!/bin/sh
# Installs what Kanal needs from Debian (only what is missing), then configures
# and builds it.
#
#   scripts/setup.sh                  build/ (release with debug info)
#   scripts/setup.sh --sanitize DIR   DIR with AddressSanitizer and UBSan
#   scripts/setup.sh --fuzz-deps      clang, for scripts/fuzz.sh; builds nothing
#
# Idempotent and quick when everything is present.
set -eu
cd "$(dirname "$0")/.."

sanitize=OFF
builddir=build
fuzzdeps=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON ;;
    --fuzz-deps) fuzzdeps=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "setup.sh: unknown option '$1'" >&2; exit 2 ;;
    *) builddir=$1 ;;
  esac
  shift
done

packages="build-essential cmake pkg-config libyaml-dev liblua5.4-dev libsqlite3-dev libcsv-dev libjansson-dev libicu-dev sqlite3 valgrind time postgresql libpq-dev librsvg2-bin libxml2-utils python3"
# clang only for the fuzz targets (scripts/fuzz.sh): a normal build needs no clang
[ "$fuzzdeps" -eq 0 ] || packages="$packages clang"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ "$fuzzdeps" -eq 0 ] || exit 0
cmake -S . -B "$builddir" -DKANAL_SANITIZE="$sanitize" >/dev/null
cmake --build "$builddir" -j "$(nproc 2>/dev/null || echo 2)"
