#!/bin/sh
# check_symbols.sh — every global symbol of libkanal and of the kanal binary
# carries its module's prefix, so that nothing of Kanal's can collide with a
# plugin's, a library's or an embedding program's names:
#
#   kanal_    the public API, and the base layer (buffers, JSON, time, text)
#   def_      the definition layer (YAML tree, loader, checker, field values)
#   store_    the store interface and its backends (store_sqlite_...)
#   rules_    the Lua host
#   plugins_  the plugin loader
#   engine_   the engine's internal functions
#   cli_      the command-line front end (its commands are cli_cmd_...)
#
# and each plugin exports kanal_plugin_entry and nothing else.
#
# Usage: tests/check_symbols.sh LIBKANAL.a KANAL_BINARY [PLUGIN.so...]
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 LIBKANAL.a KANAL_BINARY [PLUGIN.so...]" >&2
    exit 2
fi
lib=$1
bin=$2
shift 2
command -v nm >/dev/null || { echo "check_symbols: nm is not installed" >&2; exit 2; }
bad=0
checked=0

# defined global symbols: "FILE: NAME" (the object file of an archive, or the binary)
globals() {
    nm -A -g --defined-only "$1" 2>/dev/null | awk 'NF >= 3 { print $1, $NF }'
}

# libkanal: every symbol of every object file (names that begin with '_' are
# the compiler's and the sanitizers', such as ASan's __odr_asan.NAME)
for line in $(globals "$lib" | awk '{ print $2 }'); do
    checked=$((checked + 1))
    case "$line" in
    kanal_* | def_* | store_* | rules_* | plugins_* | engine_* | _*) ;;
    *)
        echo "libkanal: global symbol without a module prefix: $line" >&2
        bad=$((bad + 1))
        ;;
    esac
done

# the binary: its own symbols, which are libkanal's and the CLI's, plus what the
# C runtime and the linker put there (main, _start, data_start, __-names, and
# symbols versioned @GLIBC)
for line in $(globals "$bin" | awk '{ print $2 }'); do
    checked=$((checked + 1))
    case "$line" in
    kanal_* | def_* | store_* | rules_* | plugins_* | engine_* | cli_*) ;;
    main | _* | data_start | *@*) ;;
    *)
        echo "kanal: global symbol without a module prefix: $line" >&2
        bad=$((bad + 1))
        ;;
    esac
done

# plugins: the entry point only
for so in "$@"; do
    for sym in $(nm -D --defined-only "$so" 2>/dev/null | awk 'NF >= 3 { print $NF }'); do
        checked=$((checked + 1))
        case "$sym" in
        kanal_plugin_entry | _*) ;;
        *)
            echo "$(basename "$so"): exports '$sym' (a plugin exports kanal_plugin_entry only)" >&2
            bad=$((bad + 1))
            ;;
        esac
    done
done

if [ "$checked" -lt 100 ]; then
    echo "check_symbols: only $checked symbols found: is '$lib' the library?" >&2
    exit 1
fi
if [ "$bad" -gt 0 ]; then
    echo "check_symbols: $bad of $checked symbols lack a module prefix" >&2
    exit 1
fi
echo "check_symbols: $checked global symbols, each with its module's prefix"
