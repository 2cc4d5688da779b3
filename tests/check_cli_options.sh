#!/bin/sh
# check_cli_options.sh — every option a command reads (cli_get, cli_flag,
# cli_all) is one its file declares, so that a typo in a name fails here and
# not as an option silently "not given". (At run time, asking for an
# undeclared option aborts with "internal error"; this finds it without
# having to run every path.) The options of every list (CLI_LIST_OPTS in
# cli.h) count as declared by a file that uses that macro, and so does --next
# (CLI_NEXT_OPT).
#
# Usage: tests/check_cli_options.sh [SOURCE_DIR]
set -u
top=${1:-$(dirname "$0")/..}
cd "$top/core/cli" || exit 2
list_opts=$(sed -n '/#define CLI_LIST_OPTS/,/^$/p' cli.h | grep -o '{ "[a-z-]*"' | sed 's/{ "//; s/"//')
next_opt=$(grep '#define CLI_NEXT_OPT' cli.h | grep -o '{ "[a-z-]*"' | sed 's/{ "//; s/"//')
bad=0
n=0
for f in cmd_*.c; do
    declared=$(grep -o '{ "[a-z-]*", ' "$f" | sed 's/{ "//; s/", //')
    grep -q CLI_LIST_OPTS "$f" && declared="$declared $list_opts"
    grep -q CLI_NEXT_OPT "$f" && declared="$declared $next_opt"
    for used in $(grep -oE 'cli_(get|flag|all)\(a, "[a-z-]+"' "$f" | sed 's/.*"\([a-z-]*\)"/\1/' | sort -u); do
        n=$((n + 1))
        case " $(echo $declared) " in
        *" $used "*) ;;
        *)
            echo "$f: reads option '--$used', which the file does not declare" >&2
            bad=$((bad + 1))
            ;;
        esac
    done
done
if [ "$n" -lt 20 ]; then
    echo "check_cli_options: only $n option reads found: has the code changed shape?" >&2
    exit 1
fi
[ "$bad" -eq 0 ] || exit 1
echo "check_cli_options: $n option reads, each declared"
