#!/bin/sh
# The README documents every command, and every command answers --help: the
# command table is the one source, so help, docs and tests cannot drift apart.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"

ok kanal --help
n=0
printf '%s\n' "$out" | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\( [a-z][a-z]*\)\{0,1\}\) .*/\1/p' >"$T/commands"
while IFS= read -r cmd; do
    n=$((n + 1))
    checks=$((checks + 1))
    grep -q "kanal $cmd" "$SRC/README.md" || fail "README.md does not document 'kanal $cmd'"
    # shellcheck disable=SC2086
    run kanal $cmd --help
    expect_rc 0
    expect_out_has "usage: kanal $cmd"
done <"$T/commands"
checks=$((checks + 1))
[ "$n" -ge 20 ] || fail "found only $n commands in 'kanal --help'"
finish
