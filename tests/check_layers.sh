#!/bin/sh
# check_layers.sh — the arrows of libkanal point down. Each folder of
# core/lib is a layer, and a file may include only headers of its own layer
# or of a layer below it:
#
#   base  <-  def  <-  store  <-  rules, plugins  <-  engine  <-  reports  <-  cli
#
# rules and plugins sit side by side and never include each other (the
# engine calls each through an interface of its own). The public headers
# (core/include/kanal) belong to the layer of what they declare; the CLI
# includes only public headers. The libraries Kanal is built on belong to
# one layer each: yaml.h to def, sqlite3.h to store/sqlite (and to the SQLite
# backend's own tests), lua.h to rules, dlfcn.h to plugins (and to the two
# files that load a library only when it is needed: libpq in
# store/postgres/pg_libpq.c, ICU in base/fold.c), jansson.h (reading the
# events' JSON) to the engine.
#
# Usage: tests/check_layers.sh [SOURCE_DIR]; exits 1 listing every wrong arrow.
set -u
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 2

rank() {
    case "$1" in
    base) echo 0 ;;
    def) echo 1 ;;
    store) echo 2 ;;
    rules | plugins) echo 3 ;;
    engine) echo 4 ;;
    reports) echo 5 ;;
    cli) echo 6 ;;
    *) echo 99 ;;
    esac
}

# the layer of a public header
public_layer() {
    case "$1" in
    buf.h | error.h | json.h | datetime.h | diag.h | table.h | text.h) echo base ;;
    workflow.h | records.h | events.h) echo def ;;
    plugin.h | plugins.h) echo plugins ;;
    kanal.h) echo engine ;;
    reports.h) echo reports ;;
    *) echo unknown ;;
    esac
}

bad=0
complain() {
    echo "check_layers: $1" >&2
    bad=1
}

for f in $(find core/lib core/cli -name '*.[ch]' | sort); do
    case "$f" in
    core/cli/*) layer=cli ;;
    *) layer=$(echo "$f" | cut -d/ -f3) ;;
    esac
    mine=$(rank "$layer")
    [ "$mine" = 99 ] && complain "$f is in no layer (put it in one of the folders of core/lib)"
    grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
        n=${line%%:*}
        target=$(echo "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*[<"]\([^">]*\)[">].*/\1/p')
        case "$line" in *'<'*/*'>'*) continue ;; esac # <sys/stat.h>: the system
        case "$target" in
        kanal/*)
            tl=$(public_layer "${target#kanal/}")
            ;;
        */*)
            tl=${target%%/*}
            ;;
        sqlite3.h)
            case "$f" in core/lib/store/sqlite/*) continue ;; esac
            echo "$f:$n: includes <sqlite3.h>: only the SQLite backend (core/lib/store/sqlite) may"
            continue
            ;;
        libpq-fe.h)
            case "$f" in core/lib/store/postgres/*) continue ;; esac
            echo "$f:$n: includes <libpq-fe.h>: only the PostgreSQL backend (core/lib/store/postgres) may"
            continue
            ;;
        yaml.h | lua.h | lauxlib.h | lualib.h | dlfcn.h | jansson.h)
            case "$target:$f" in
            dlfcn.h:core/lib/store/postgres/pg_libpq.c | dlfcn.h:core/lib/base/fold.c) continue ;;
            esac
            case "$target" in
            yaml.h) own=def ;;
            dlfcn.h) own=plugins ;;
            jansson.h) own=engine ;;
            *) own=rules ;;
            esac
            [ "$layer" = "$own" ] || echo "$f:$n: includes <$target>: only the $own layer may"
            continue
            ;;
        *) continue ;; # the C library and the system
        esac
        if [ "$layer" = cli ] && [ "${target%%/*}" != kanal ]; then
            echo "$f:$n: the CLI includes \"$target\": it sees only the public headers (kanal/*.h)"
            continue
        fi
        tr=$(rank "$tl")
        if [ "$tr" -gt "$mine" ] || { [ "$tr" = "$mine" ] && [ "$tl" != "$layer" ]; }; then
            echo "$f:$n: the $layer layer includes \"$target\" of the $tl layer, above or beside it"
        fi
    done
done >"${TMPDIR:-/tmp}/check_layers.$$"

# the tests reach the database through the store, except the backend's own, and the
# benchmarks' floors, which measure SQLite itself with no Kanal in the way
# (bench_steps holds its floor, and sets the benchmark's synchronous on the store's handle)
for f in $(find tests -name '*.c' | sort); do
    case "$f" in tests/unit/test_sqlite* | tests/bench/bench_floor* | tests/bench/bench_steps.c) continue ;; esac
    grep -n '#[[:space:]]*include[[:space:]]*<sqlite3.h>' "$f" |
        sed "s|^\([0-9]*\):.*|$f:\1: includes <sqlite3.h>: tests go through the store's interface|"
done >>"${TMPDIR:-/tmp}/check_layers.$$"

if [ -s "${TMPDIR:-/tmp}/check_layers.$$" ]; then
    cat "${TMPDIR:-/tmp}/check_layers.$$" >&2
    bad=1
fi
rm -f "${TMPDIR:-/tmp}/check_layers.$$"
[ "$bad" = 0 ] && echo "check_layers: every include points down"
exit "$bad"
