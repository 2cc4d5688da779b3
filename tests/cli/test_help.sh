#!/bin/sh
# Every command has --help (exit 0, usage on stdout, no database needed);
# unknown commands and options are usage errors (exit 2).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# No database here: help must not need one.
while IFS='|' read -r cmd args; do
    # shellcheck disable=SC2086
    ok kanal $cmd --help
    expect_err ""
    case "$out" in
    "usage: kanal $cmd$args"*) checks=$((checks + 1)) ;;
    *) checks=$((checks + 1)); fail "'kanal $cmd --help' does not start with 'usage: kanal $cmd$args'" ;;
    esac
    expect_out_has "global options:"
    # shellcheck disable=SC2086
    ok kanal $cmd -h
    expect_out_has "usage: kanal $cmd"
done <<'EOF'
init|
user add| ID
user list|
user deactivate| ID
workflow apply| FILE...
workflow list|
workflow show| ID
workflow check|
partner add| NAME
partner list|
partner show| PARTNER
reassign|
opp new|
opp list|
opp show| OPP
next| [OPP]
done| OPP GOAL
set| OPP FIELD=VALUE...
log| OPP ACTIVITY
advance| OPP
win| OPP
lose| OPP
history| OPP
batch| [FILE|-]
EOF
checks=$((checks + 1))
! db_exists || fail "--help created a database"

# the options each command documents
ok kanal opp new --help
expect_out_has "--partner P"
expect_out_has "--workflow W"
expect_out_has "--owner USER"
expect_out_has "--at TIME"
ok kanal done --help
expect_out_has "--set FIELD=VALUE"
expect_out_has "(repeatable)"
expect_out_has "--note TEXT"
ok kanal lose --help
expect_out_has "--reason R"
ok kanal batch --help
expect_out_has "--atomic"
expect_out_has "--keep-going"
ok kanal reassign --help
expect_out_has "--from USER"
expect_out_has "--to USER"
expect_out_has "--partner PARTNER"
for c in "user list" "workflow list" "workflow show" "partner list" "partner show" "opp list" "opp show" "next" "history" "log"; do
    # shellcheck disable=SC2086
    ok kanal $c --help
    expect_out_has "--json"
done

# the list of all commands
ok kanal --help
for c in advance batch done history init log lose next "opp list" "opp new" "opp show" \
    "partner add" "partner list" "partner show" reassign set "user add" "user deactivate" \
    "user list" win "workflow apply" "workflow check" "workflow list" "workflow show"; do
    expect_out_has "  $c "
done
ok kanal user --help
expect_out_has "usage: kanal user COMMAND"
expect_out_has "user deactivate"
run kanal
expect_rc 2
expect_err_has "usage: kanal"
run kanal opp
expect_rc 2
expect_err_has "usage: kanal opp COMMAND"
ok kanal --version
expect_out_has "kanal "

# usage errors
run kanal nxt
expect_rc 2
expect_err "kanal: error: unknown command 'nxt' (did you mean 'next'?)
run 'kanal --help' for the list of commands"
run kanal opp shw 1
expect_rc 2
expect_err "kanal: error: unknown command 'opp shw' (did you mean 'opp show'?)
run 'kanal opp --help' for the list of commands"
run kanal next --jsn
expect_rc 2
expect_err "kanal: error: unknown option '--jsn' (did you mean '--json'?)
usage: kanal next [OPP] (see 'kanal next --help')"
run kanal opp new --partner
expect_rc 2
expect_err "kanal: error: option '--partner' needs a value (P)
usage: kanal opp new (see 'kanal opp new --help')"
run kanal opp list --mine=yes
expect_rc 2
expect_err_has "kanal: error: option '--mine' takes no value"
run kanal opp new --partner a --partner b --workflow tiny
expect_rc 2
expect_err_has "kanal: error: option '--partner' is given twice"
run kanal opp show 1 2
expect_rc 2
expect_err_has "kanal: error: unexpected argument '2'"

finish
