#!/bin/sh
# kanal batch: one command a line, shell-style quoting, '#' comments; each
# line in its own transaction (or all in one with --atomic); stops at the
# first failure with its line number unless --keep-going.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db

# ---- a script of steps ------------------------------------------------------------------------------
cat >day.kanal <<'EOF'
# Marcin's morning
  # an indented comment, and a blank line:

partner add 'Agencja "Alfa"' --type agency --as marcin   # a comment after a command
kanal partner add "Hurtownia \"Beta\" i S-ka" --type distributor --as marcin
partner add Sklep\ Gamma --type shop --as marcin
opp new --partner 'Agencja "Alfa"' --workflow tiny --as marcin --at 2026-11-27T09:00:00Z
log 1 call --note "it's a call \
over two lines" --as marcin --at 2026-11-27T10:00:00Z
set 1 'notes=a # is not a comment inside quotes' --as marcin --at 2026-11-27T10:05:00Z
log 1 email --note x#y --as marcin --at 2026-11-27T10:10:00Z
EOF
ok kanal batch day.kanal
expect_out "1
2
3
1
opportunity 1: logged call
called completed
introduced completed
followed_up not completed: needs mailed first; and fields notes set
opportunity 1: notes = a # is not a comment inside quotes
opportunity 1: logged email
mailed completed"
expect_err ""
ok kanal partner list --json --as marcin
expect_json '$.partners[0].name' 'Agencja "Alfa"'
expect_json '$.partners[1].name' 'Hurtownia "Beta" i S-ka'
expect_json '$.partners[2].name' 'Sklep Gamma'
ok kanal history 1 --json --as marcin
expect_json '$.events[1].data' "{\"activity\":\"call\",\"note\":\"it's a call over two lines\"}"
expect_json '$.events[#-2].data' '{"activity":"email","note":"x#y"}'
ok kanal opp show 1 --json --as marcin
expect_json '$.fields.notes' 'a # is not a comment inside quotes'

# the acting user: --as on a line, else the batch's own
ok kanal batch - --as marcin <<'EOF'
log 1 meeting --at 2026-11-27T11:00:00Z
log 1 meeting --as manny --at 2026-11-27T11:30:00Z
log 1 meeting --at 2026-11-27T12:00:00Z
EOF
expect_sql "SELECT actor FROM activities WHERE type = 'meeting' ORDER BY id" "marcin
manny
marcin"
# stdin without '-'
ok sh -c "echo 'opp list --as marcin --json' | \"\$KANAL_BIN\" batch"
expect_json '$.opportunities[0].id' 1

# ---- stop at the first failure, with its line number --------------------------------------------------
cat >stop.kanal <<'EOF'
# first a good line
log 1 meeting --as marcin
log 1 fax --as marcin
log 1 meeting --as marcin
EOF
db_snapshot
run kanal batch stop.kanal
expect_rc 3
expect_out "opportunity 1: logged meeting"
expect_err "kanal: line 3: error: unknown activity type 'fax' in workflow 'tiny' (known: call, email, meeting)
kanal: batch: stopped at line 3 (1 command ran before it)"
# the line before it is kept (its own transaction), the line after it never ran
expect_sql "SELECT count(*) FROM activities WHERE type = 'meeting'" 4
# the exit code is the failing line's
printf 'log 1 call --as piotr\n' >perm.kanal
run kanal batch perm.kanal
expect_rc 1
expect_err "kanal: line 1: error: opportunity 1 belongs to 'marcin': only its owner or a manager may change it
kanal: batch: stopped at line 1 (0 commands ran before it)"
printf '\n# nothing yet\nopp new --partner 1\n' >usage.kanal
run kanal batch usage.kanal --as marcin
expect_rc 2
expect_err "kanal: line 3: error: missing --workflow W
usage: kanal opp new (see 'kanal opp new --help')
kanal: batch: stopped at line 3 (0 commands ran before it)"

# a line that does not split (an open quote) is a failure of that line
printf 'log 1 meeting --as marcin\nlog 1 call --note "open --as marcin\nlog 1 meeting --as marcin\n' >quote.kanal
db_snapshot
run kanal batch quote.kanal
expect_rc 2
expect_err_has "kanal: line 2: error: a quote (\") is not closed"
expect_err_has "kanal: batch: stopped at line 2 (1 command ran before it)"
expect_sql "SELECT count(*) FROM activities WHERE type = 'meeting'" 5

# ---- --keep-going ---------------------------------------------------------------------------------
cat >keep.kanal <<'EOF'
log 1 meeting --as marcin
log 1 fax --as marcin
advance 1 --as marcin
log 1 meeting --as marcin
EOF
run kanal batch keep.kanal --keep-going
expect_rc 3
expect_out "opportunity 1: logged meeting
opportunity 1: logged meeting"
expect_err "kanal: line 2: error: unknown activity type 'fax' in workflow 'tiny' (known: call, email, meeting)
kanal: line 3: error: cannot advance opportunity 1: mandatory goals of stage 'contact' not done: followed_up, classified
kanal: batch: 2 of 4 commands failed (the first at line 2)"
expect_sql "SELECT count(*) FROM activities WHERE type = 'meeting'" 7

# ---- --atomic: all or nothing -------------------------------------------------------------------------
cat >atomic_bad.kanal <<'EOF'
partner add "Agencja Delta" --type agency --as marcin
opp new --partner "Agencja Delta" --workflow tiny --as marcin
log 2 call --as marcin
log 2 fax --as marcin
log 2 email --as marcin
EOF
db_snapshot
run kanal batch atomic_bad.kanal --atomic --as marcin
expect_rc 3
expect_err "kanal: line 4: error: unknown activity type 'fax' in workflow 'tiny' (known: call, email, meeting)
kanal: batch: line 4 failed; nothing was applied (what the lines before it did was undone, and is not shown)"
# and nothing of the lines before it is shown as done
expect_out ""
expect_db_unchanged
# a refusal inside a later line undoes the earlier ones too
printf 'partner add "Agencja Delta" --type agency --as marcin\nuser add x --name X --role channel_rep --as marcin\n' >atomic_perm.kanal
db_snapshot
run kanal batch atomic_perm.kanal --atomic --as marcin
expect_rc 1
expect_db_unchanged

sed 's/^log 2 fax/log 2 meeting/' atomic_bad.kanal >atomic_good.kanal
ok kanal batch atomic_good.kanal --atomic --as marcin
expect_err ""
ok kanal opp show 2 --json --as marcin
expect_json '$.partner.name' "Agencja Delta"
expect_json '$.goals[2].done' 1
expect_sql "SELECT count(*) FROM activities WHERE opp_id = 2" 3

# ---- refused -----------------------------------------------------------------------------------
refuse_usage "--atomic and --keep-going exclude each other" kanal batch atomic_good.kanal --atomic --keep-going --as marcin
refuse 3 "cannot read 'missing.kanal'" kanal batch missing.kanal --as marcin
printf 'batch day.kanal\n' >nested.kanal
run kanal batch nested.kanal --as admin
expect_rc 2
expect_err_has "kanal: line 1: error: a batch cannot run another batch"
printf 'init --admin x\n' >init.kanal
run kanal batch init.kanal --as admin
expect_rc 2
expect_err_has "kanal: line 1: error: 'init' cannot run inside a batch"
printf 'opp list --db %s/other.db --as admin\n' "$T" >db.kanal
run kanal batch db.kanal
expect_rc 2
expect_err_has "kanal: line 1: error: --db cannot change inside a batch"
checks=$((checks + 1))
[ ! -e "$T/other.db" ] || fail "a batch line made another database"

ok kanal batch --help
expect_out_has "usage: kanal batch [FILE|-]"

finish
