#!/bin/sh
# The README's walkthroughs work when pasted: the admin's, the rep's and the
# manager's shell blocks run, in order, on a fresh database, each line exiting 0.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"

export KANAL_NOW=2026-11-28T12:00:00Z
export HOME="$T"            # the admin's block puts the database in $HOME
unset KANAL_DB
# the shell blocks of the three sections, without the prompts' comments
sed -n '/^## For the admin/,/^## Plugins/p' "$SRC/README.md" |
    awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' >"$T/walk.sh"
checks=$((checks + 1))
[ "$(grep -c '^kanal ' "$T/walk.sh")" -ge 30 ] || fail "found too few commands in the walkthroughs"
# run each line in a folder of its own that sees the source tree's workflows
# (the blocks name workflows/*.yaml) and keeps what they write (-o FILE)
mkdir "$T/work"
ln -s "$SRC/workflows" "$T/work/workflows"
cd "$T/work"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    case "$line" in ''|'#'*) continue ;; esac
    step="README line: $line"
    eval "$(printf '%s' "$line" | sed 's/^kanal /"$KANAL_BIN" /')" >"$T/.out" 2>"$T/.err"
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
    expect_rc 0
done <"$T/walk.sh"
cd "$T"
# and they did what they say
export KANAL_DB="$T/kanal.db"
ok kanal opp show 1 --json --as anna
expect_out_has '"stage":"launch"'
expect_out_has '"owner":"piotr"'
expect_out_has '"launch_date":"2026-11-28"'
ok kanal opp show 2 --json --as anna
expect_out_has '"status":"lost"'
# the charts and the dashboard were written where the manager ran them
for f in activities.svg lost.svg dashboard.html q1.html; do
    checks=$((checks + 1))
    [ -s "$T/work/$f" ] || fail "the README's chart commands wrote no $f"
done
checks=$((checks + 1))
head -c 15 "$T/work/dashboard.html" | grep -q '<!DOCTYPE html>' || fail "dashboard.html is not HTML"
finish
