#!/bin/sh
# Concurrent reps (issue 15): 8 processes at once on one database, each running
# its own seeded random list of commands (log, done, set, note, remind, advance,
# partner add + opp new) as marcin, piotr or the manager, on 12 shared
# opportunities (so several hit the same ones at the same moment). What must hold:
#   - no "database is locked", "busy", deadlock or storage error reaches a user;
#   - every command ends 0 or as a clean refusal (1-4, with "kanal: error: ..."),
#     never 5, never a crash;
#   - each command happened entirely or not at all: the activities equal the
#     successful logs, the note, next-contact, field and stage events equal the
#     successful note, remind, set and advance commands, the partners and
#     opportunities the successful adds; every log numbered 1..n without a gap;
#   - two simultaneous `advance` of one opportunity from the same stage: one
#     moves it (one stage, one event), the other is refused (repeated).
# Quick by default (8 x 40 commands, 5 races); KANAL_RELIABILITY_LONG=1: 8 x 300,
# 30 races. Seeds fixed ($KANAL_TEST_SEED, default 15) and printed; no timing is
# asserted. The figures go to stderr as a line "figures: ..." (scripts/reliability.sh).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

seed=${KANAL_TEST_SEED:-15}
if [ "${KANAL_RELIABILITY_LONG:-0}" = 1 ]; then
    per=300 races=30
else
    per=40 races=5
fi
procs=8
echo "note: test_concurrent on $BACKEND: seed $seed, $procs processes x $per commands, $races advance races" >&2

setup_db
# 12 opportunities of the tiny workflow: the odd ones marcin's, the even ones piotr's
{
    i=1
    while [ $i -le 12 ]; do
        who=marcin
        [ $((i % 2)) = 0 ] && who=piotr
        echo "partner add 'Shared $i' --type distributor --as $who"
        echo "opp new --partner 'Shared $i' --workflow tiny --as $who"
        i=$((i + 1))
    done
} >setup.kanal
ok kanal batch setup.kanal

# commands N WHO: process N's seeded list of commands, one a line (no quoting needed)
commands() {
    awk -v n="$1" -v who="$2" -v per="$per" -v s=$((seed * 100 + $1)) 'BEGIN {
        srand(s)
        for (i = 1; i <= per; i++) {
            o = 1 + int(rand() * 12); r = int(rand() * 100)
            if (r < 25) { split("call email meeting", a, " "); c = "log " o " " a[1 + int(rand() * 3)] " --note w" n "-" i }
            else if (r < 35) c = "done " o " classified --set form=resale"
            else if (r < 50) c = "set " o " notes=n" n "-" i
            else if (r < 60) c = "note " o " note" n "-" i
            else if (r < 70) c = "remind " o " 2026-12-" sprintf("%02d", 1 + int(rand() * 28))
            else if (r < 85) c = "advance " o
            else if (who == "manny") c = "set " o " margin=" int(rand() * 40)
            else c = "newopp CP" n "-" i
            print c " --as " who
        }
    }'
}
# worker N WHO: runs them; each command's exit code, first line of output and
# stderr (one line) go to w-N.log as "RC<TAB>COMMAND<TAB>STDERR"
worker() {
    commands "$1" "$2" >"$T/w-$1.cmds"
    while IFS= read -r _c; do
        case "$_c" in
        newopp*)
            _p=$(echo "$_c" | cut -d' ' -f2)
            "$KANAL_BIN" partner add "$_p" --type distributor --as "$2" >/dev/null 2>"$T/w-$1.err"
            printf '%s\tpartner add %s\t%s\n' $? "$_p" "$(tr '\n' ' ' <"$T/w-$1.err")" >>"$T/w-$1.log"
            _c="opp new --partner $_p --workflow tiny --as $2"
            ;;
        esac
        # shellcheck disable=SC2086
        "$KANAL_BIN" $_c >/dev/null 2>"$T/w-$1.err" </dev/null
        printf '%s\t%s\t%s\n' $? "$_c" "$(tr '\n' ' ' <"$T/w-$1.err")" >>"$T/w-$1.log"
    done <"$T/w-$1.cmds"
}
n=1
for who in marcin marcin marcin piotr piotr piotr manny manny; do
    worker $n $who &
    n=$((n + 1))
done
wait
cat "$T"/w-*.log >"$T/all.log"
step="$procs processes x $per commands"
out="" err=""
total=$(wc -l <"$T/all.log")
succeeded=$(grep -c '^0	' "$T/all.log")

# no user sees what only concurrency causes
checks=$((checks + 1))
if grep -i 'locked\|busy\|deadlock\|serializ\|storage\|connection' "$T/all.log" >"$T/bad" 2>&1; then
    fail "a user saw what only concurrency causes: $(head -3 "$T/bad")"
fi
# 0, or a clean refusal with its message; never 5, never a crash
checks=$((checks + 1))
if grep -v '^[0-4]	' "$T/all.log" >"$T/bad"; then
    fail "commands failed beyond refusal: $(head -3 "$T/bad")"
fi
checks=$((checks + 1))
if grep '^[1-4]	' "$T/all.log" | grep -v '	kanal: error: [^	]*$' >"$T/bad"; then
    fail "refusals without their message: $(head -3 "$T/bad")"
fi
checks=$((checks + 1))
[ "$succeeded" -ge $((total / 5)) ] || fail "only $succeeded of $total commands succeeded"

# count SED-PATTERN: the successful commands whose text matches it
count() {
    grep '^0	' "$T/all.log" | cut -f2 | grep -c "$1"
}
logs=$(count '^log ')
notes=$(count '^note ')
reminds=$(count '^remind ')
sets=$(count '^set [0-9]* notes=')
advances=$(count '^advance ')
partners=$(count '^partner add ')
opps=$(count '^opp new ')
# all or nothing: what the database holds is what the commands said they did
expect_sql "SELECT count(*) FROM activities" "$logs"
expect_sql "SELECT count(*) FROM events WHERE type = 'activity'" "$logs"
expect_sql "SELECT count(*) FROM events WHERE type = 'note'" "$notes"
expect_sql "SELECT count(*) FROM events WHERE type = 'next_contact'" "$reminds"
expect_sql "SELECT count(*) FROM events WHERE type = 'field_set' AND json_extract(CAST(data AS TEXT), '\$.field') = 'notes'" "$sets"
expect_sql "SELECT count(*) FROM events WHERE type = 'advanced'" "$advances"
expect_sql "SELECT count(*) FROM opportunities WHERE stage = 'deal'" "$advances"
expect_sql "SELECT count(*) FROM partners" $((12 + partners))
expect_sql "SELECT count(*) FROM events WHERE type = 'partner_added'" $((12 + partners))
expect_sql "SELECT count(*) FROM opportunities" $((12 + opps))
# nothing lost or doubled: each log 1..n, and its row says n
expect_sql "SELECT count(*) FROM (SELECT opp_id FROM events WHERE opp_id IS NOT NULL
    GROUP BY opp_id HAVING max(seq) <> count(*) OR min(seq) <> 1) g" 0
expect_sql "SELECT count(*) FROM opportunities o WHERE o.last_seq <>
    (SELECT max(seq) FROM events e WHERE e.opp_id = o.id)" 0
# the goals a log completed are there with it: every goal done has its event
expect_sql "SELECT count(*) FROM goals_done" "$(sql "SELECT count(*) FROM events WHERE type = 'goal_done'")"
if "$KANAL_BIN" doctor --help >/dev/null 2>&1; then
    run kanal doctor --as admin
    expect_rc 0
elif [ "$BACKEND" = sqlite ]; then
    expect_sql "PRAGMA integrity_check" ok
fi
echo "note: $total commands by $procs processes, $succeeded succeeded: $logs logs, $notes notes, $reminds reminders, $advances advances, $opps new opportunities" >&2

# lost: what a successful command did that the database does not hold
lost=0
for q in "activities|$logs" "events WHERE type = 'note'|$notes" "events WHERE type = 'next_contact'|$reminds" \
    "events WHERE type = 'advanced'|$advances" "partners|$((12 + partners))" "opportunities|$((12 + opps))"; do
    have=$(sql "SELECT count(*) FROM ${q%|*}")
    [ "$have" -lt "${q#*|}" ] && lost=$((lost + ${q#*|} - have))
done

# ---- two advances at once, from the same stage ---------------------------------------------
# each race: a new opportunity of marcin's ready to leave Contact, two `advance`
# started together; exactly one moves it, one stage, with one event
won=0 r=1
while [ $r -le "$races" ]; do
    cat >race.kanal <<EOF
partner add 'Race $r' --type distributor --as marcin
opp new --partner 'Race $r' --workflow tiny --as marcin
EOF
    ok kanal batch race.kanal
    id=$(echo "$out" | sed -n '2p')
    cat >ready.kanal <<EOF
log $id call --as marcin
log $id email --as marcin
set $id notes=ready --as marcin
log $id call --as marcin
done $id classified --set form=resale --as marcin
EOF
    ok kanal batch ready.kanal
    "$KANAL_BIN" advance "$id" --as marcin >"$T/a1.out" 2>"$T/a1.err" &
    p1=$!
    "$KANAL_BIN" advance "$id" --as marcin >"$T/a2.out" 2>"$T/a2.err" &
    p2=$!
    wait $p1
    rc1=$?
    wait $p2
    rc2=$?
    step="race $r: two advances of opportunity $id"
    out="$(cat "$T/a1.out") / $(cat "$T/a2.out")" err="$(cat "$T/a1.err") / $(cat "$T/a2.err")"
    checks=$((checks + 1))
    case "$rc1 $rc2" in
    "0 1" | "1 0") won=$((won + 1)) ;;
    *) fail "exit codes $rc1 and $rc2, want one 0 and one 1" ;;
    esac
    checks=$((checks + 1))
    case "$err" in
    *"kanal: error: "*) ;;
    *) fail "the refused advance says nothing" ;;
    esac
    expect_sql "SELECT count(*) FROM events WHERE opp_id = $id AND type = 'advanced'" 1
    expect_sql "SELECT stage FROM opportunities WHERE id = $id" deal
    r=$((r + 1))
done
echo "note: $races advance races: $won moved the opportunity once and refused the other" >&2
echo "figures: backend=$BACKEND seed=$seed concurrent_commands=$total succeeded=$succeeded races=$races races_once=$won lost=$lost" >&2
finish
