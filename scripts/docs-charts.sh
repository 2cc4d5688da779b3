#!/bin/sh
# Draws the pictures README.md shows, from the demo month (scripts/demo.kanal
# replayed on a fresh database, "now" fixed at its end, as scripts/demo.sh
# does): docs/activities-demo.svg, the activities chart of the distributors.
#
#   scripts/docs-charts.sh           writes them into docs/
#   scripts/docs-charts.sh --check   draws them anew and compares them with
#                                    docs/, byte for byte (exit 1 when they
#                                    differ: run the script and commit)
#
# Uses the kanal binary $KANAL_BIN, or build/kanal.
set -eu
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
kanal=${KANAL_BIN:-$PWD/build/kanal}
[ -x "$kanal" ] || { echo "docs-charts: no kanal binary at $kanal (build first: scripts/setup.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KANAL_DB="$tmp/demo.db" KANAL_NOW="2026-03-31T17:00:00Z" KANAL_USER=admin TZ=UTC
unset KANAL_PLUGIN_PATH
"$kanal" init --admin admin --name "Ada Admin" >/dev/null
"$kanal" workflow apply workflows/*.yaml >/dev/null
"$kanal" batch scripts/demo.kanal >/dev/null 2>"$tmp/batch.err" || { cat "$tmp/batch.err" >&2; exit 1; }
"$kanal" report activities --workflow distributors --format svg -o "$tmp/activities-demo.svg" --as anna
status=0
for f in activities-demo.svg; do
  if [ $check = 1 ]; then
    if ! cmp -s "$tmp/$f" "docs/$f"; then
      echo "docs-charts: docs/$f is not what scripts/docs-charts.sh draws now: run it and commit" >&2
      status=1
    fi
  else
    cp "$tmp/$f" "docs/$f"
    echo "docs/$f"
  fi
done
exit $status
