#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and UndefinedBehaviorSanitizer
# in build-asan/, and runs the whole suite with ctest. Extra arguments go to ctest
# (for instance: scripts/test.sh -R workflow).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh --sanitize build-asan
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-asan
exec ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
