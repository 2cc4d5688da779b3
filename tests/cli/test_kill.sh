#!/bin/sh
# Killed mid-work (issue 15): `kanal batch` steps many opportunities through the
# tiny workflow (partner add, opp new, log, set, done, advance, done, win; or
# log and lose) and is killed with SIGKILL at seeded random moments. After each
# kill:
#   (a) the database is sound: `kanal doctor` where it exists, else SQLite's
#       integrity and foreign-key checks (plain queries on PostgreSQL), and the
#       `history --json` of every opportunity the batch touched is valid JSON;
#   (b) every command the batch printed as done is in the database (its output
#       is written as it commits; at most the one command after them may be
#       there unprinted, killed between its commit and its output);
#   (c) nothing is half-applied: the database holds exactly a prefix of the
#       batch's commands, each opportunity's row, goals, fields, activities and
#       stage visits agree with its events as they stood after one whole
#       command (compared with a reference run, command by command), every
#       partner has its event, and each log is numbered 1..n without a gap.
# The next run goes on from where the database says the last one stopped; a
# last run without a kill finishes the plan. Then the same with --atomic:
# after a kill, either the whole batch is there or nothing of it.
# Quick by default (100 opportunities, 8 kills; 100 for --atomic, 4 kills);
# KANAL_RELIABILITY_LONG=1: 5,000 opportunities and 60 kills, 2,000 and 12.
# The kill moments vary with the machine's speed, the assertions do not; the
# seed ($KANAL_TEST_SEED, default 15) is printed. No timing is asserted.
# The figures go to stderr as a line "figures: ..." (scripts/reliability.sh).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

seed=${KANAL_TEST_SEED:-15}
if [ "${KANAL_RELIABILITY_LONG:-0}" = 1 ]; then
    nopp=5000 kills=60 anopp=2000 akills=12
else
    nopp=100 kills=8 anopp=100 akills=4
fi
# sizes of one's own: KANAL_KILL_SIZES="OPPS KILLS ATOMIC-OPPS ATOMIC-KILLS"
if [ -n "${KANAL_KILL_SIZES:-}" ]; then
    set -- $KANAL_KILL_SIZES
    nopp=$1 kills=$2 anopp=$3 akills=$4
fi
echo "note: test_kill on $BACKEND: seed $seed, $nopp opportunities, $kills kills; --atomic: $anopp, $akills kills" >&2

# delays N MAX SEED: N seeded random delays in seconds, from 0.01 to MAX
delays() {
    awk -v n="$1" -v max="$2" -v s="$3" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", 0.01 + rand() * (max - 0.01) }'
}
# ms: a clock in milliseconds (to scale the kills' moments to this machine's pace)
ms() {
    echo $(($(date +%s%N) / 1000000))
}

# plan_of I: the commands that step opportunity I (partner "K I"): those with
# I % 3 = 0 are lost in the first stage (plan L), the others are won (plan W).
plan_kind() {
    [ $(($1 % 3)) = 0 ] && echo L || echo W
}
# plan_of I [KIND]: opportunity I's commands, of its plan or of KIND
plan_of() {
    _i=$1
    _kind=${2:-$(plan_kind "$1")}
    echo "partner add 'K $_i' --type distributor --as marcin"
    echo "opp new --partner 'K $_i' --workflow tiny --as marcin"
    echo "log $_i call --note 'call $_i' --as marcin"
    echo "log $_i email --as marcin"
    if [ "$_kind" = L ]; then
        echo "lose $_i --reason other --note 'lost $_i' --as marcin"
        return
    fi
    echo "set $_i 'notes=about $_i' --as marcin"
    echo "log $_i call --as marcin"
    echo "done $_i classified --set form=resale --as marcin"
    echo "advance $_i --as marcin"
    echo "done $_i signed --set margin=12.5 --set signed_on=2026-11-01 --as marcin"
    echo "done $_i listed --as marcin"
    echo "win $_i --as marcin"
}
LEN_W=11
LEN_L=5
# plan N: every command for opportunities 1..N, one a line: "I<TAB>COMMAND"
plan() {
    _j=1
    while [ $_j -le "$1" ]; do
        plan_of $_j | sed "s/^/$_j	/"
        _j=$((_j + 1))
    done
}

# signatures [LOC]: one line per opportunity: id, then what must agree with its
# log: status, stage, last_seq, the number of events, their highest seq, the
# activities, goals done, fields and stage visits, and the last event's type
signatures() {
    sql_at "${1:-$KANAL_DB}" "SELECT o.id, o.status, o.stage, o.last_seq,
        (SELECT count(*) FROM events e WHERE e.opp_id = o.id),
        (SELECT max(seq) FROM events e WHERE e.opp_id = o.id),
        (SELECT count(*) FROM activities a WHERE a.opp_id = o.id),
        (SELECT count(*) FROM goals_done g WHERE g.opp_id = o.id),
        (SELECT count(*) FROM field_values f WHERE f.opp_id = o.id),
        (SELECT count(*) FROM stage_visits s WHERE s.opp_id = o.id),
        (SELECT e.type FROM events e WHERE e.opp_id = o.id ORDER BY e.seq DESC LIMIT 1)
        FROM opportunities o ORDER BY o.id"
}
# partners_of [LOC]: the numbers I of the partners "K I", and a line "orphans N":
# partners without their partner_added event
partners_of() {
    sql_at "${1:-$KANAL_DB}" "SELECT substr(name, 3) FROM partners WHERE name LIKE 'K %' ORDER BY id"
    echo "orphans $(sql_at "${1:-$KANAL_DB}" "SELECT count(*) FROM partners p WHERE NOT EXISTS
        (SELECT 1 FROM events e WHERE e.type = 'partner_added'
          AND json_extract(CAST(e.data AS TEXT), '\$.partner_id') = CAST(p.id AS TEXT))")"
}

# ---- the reference: one W and one L plan, command by command ---------------------------
# ref.sig: "KIND K SIGNATURE" after K commands of a plan (K >= 2; the opportunity exists)
setup_db
BASE=$KANAL_DB
REF=$(new_db ref)
KANAL_DB=$REF
setup_db
: >"$T/ref.sig"
for i in 1 2; do
    kind=W
    [ $i = 2 ] && kind=L
    plan_of $i $kind >"$T/ref.plan"
    len=$(wc -l <"$T/ref.plan")
    k=1
    while [ $k -le "$len" ]; do
        sed -n "${k}p" "$T/ref.plan" >"$T/one.kanal"
        ok kanal batch "$T/one.kanal"
        [ $k -ge 2 ] && signatures | sed -n '$p' | cut -d'|' -f2- | sed "s/^/$kind $k /" >>"$T/ref.sig"
        k=$((k + 1))
    done
done
KANAL_DB=$BASE
checks=$((checks + 1))
[ "$(wc -l <"$T/ref.sig")" = $((LEN_W - 1 + LEN_L - 1)) ] || fail "the reference has $(wc -l <"$T/ref.sig") signatures"
# two states of a plan never look alike, or (c) could not tell them apart
checks=$((checks + 1))
[ "$(cut -d' ' -f1,3 "$T/ref.sig" | sort | uniq -d)" = "" ] || fail "the reference's signatures repeat"

# ---- the check after each kill -----------------------------------------------------------
have_doctor=no
"$KANAL_BIN" doctor --help >/dev/null 2>&1 && have_doctor=yes
echo "note: soundness checked by $([ $have_doctor = yes ] && echo 'kanal doctor' || echo 'integrity checks and history --json (no kanal doctor here)')" >&2

# sound FROM TO: (a) for the database, and every opportunity FROM..TO's history
sound() {
    if [ $have_doctor = yes ]; then
        run kanal doctor --as admin
        expect_rc 0
    fi
    if [ "$BACKEND" = sqlite ]; then
        checks=$((checks + 1))
        _ic=$(sqlite3 "$KANAL_DB" 'PRAGMA integrity_check' 2>&1)
        [ "$_ic" = ok ] || fail "integrity_check after a kill: $_ic"
        checks=$((checks + 1))
        _fk=$(sqlite3 "$KANAL_DB" 'PRAGMA foreign_key_check' 2>&1)
        [ -z "$_fk" ] || fail "foreign_key_check after a kill: $_fk"
    else
        checks=$((checks + 1))
        sql "SELECT count(*) FROM events" >/dev/null 2>"$T/.sqlerr" || fail "the log cannot be read: $(cat "$T/.sqlerr")"
    fi
    run kanal opp list --json --as admin
    expect_rc 0
    expect_json_valid
    for _o in $(sql "SELECT id FROM opportunities WHERE id BETWEEN $1 AND $2 ORDER BY id"); do
        run kanal history "$_o" --json --as admin
        expect_rc 0
        expect_json_valid
    done
}

# progress N: (c) for a plan of N opportunities: prints G, the number of the
# plan's commands the database holds (a prefix of them), or "bad WHY"
progress() {
    signatures >"$T/state.sig"
    partners_of >"$T/state.partners"
    awk -v n="$1" -v lw=$LEN_W -v ll=$LEN_L '
        FILENAME ~ /ref.sig$/ { k = $1; st = $2; $1 = ""; $2 = ""; ref[k, substr($0, 3)] = st; next }
        FILENAME ~ /state.partners$/ { if ($1 == "orphans") orphans = $2; else partner[$1] = 1; next }
        { split($0, f, "|"); id = f[1]; sub(/^[^|]*\|/, ""); sig[id] = $0; opp[id] = 1 }
        END {
            if (orphans != 0) { print "bad " orphans " partners without their event"; exit }
            g = 0; open = 0
            for (i = 1; i <= n; i++) {
                kind = (i % 3 == 0) ? "L" : "W"; len = (kind == "L") ? ll : lw
                if (i in opp) {
                    if (!((kind, sig[i]) in ref)) { print "bad opportunity " i " is half-applied: " sig[i]; exit }
                    k = ref[kind, sig[i]]
                } else k = (i in partner) ? 1 : 0
                if (open && k > 0) { print "bad opportunity " i " stepped after an unfinished one"; exit }
                if (k < len) open = 1
                g += k
            }
            for (id in opp) if (id + 0 > n) { print "bad opportunity " id " is not in the plan"; exit }
            print g
        }' "$T/ref.sig" "$T/state.partners" "$T/state.sig"
}

# heads FILE: the commands a batch's output says are done: each begins with a
# line that is an id (partner add, opp new) or "opportunity N: ..."
heads() {
    grep -c '^[0-9][0-9]*$\|^opportunity [0-9][0-9]*: ' "$1"
}

# ---- kills, each run going on from where the last one stopped -----------------------------
plan "$nopp" >"$T/plan.all"
total=$(wc -l <"$T/plan.all")
# the moments: each run is killed once its output says a seeded number of
# commands are done (on average the rest of the plan shared among the kills
# left), and then a seeded 0-50 ms more, to fall anywhere in a command: in its
# transaction, its commit, or between its commit and its output
delays "$kills" 1 "$seed" >"$T/fractions"
delays "$kills" 0.05 $((seed + 7)) >"$T/jitters"
# kill_at PID FILE N JITTER: SIGKILL the batch PID once FILE shows N commands done
kill_at() {
    while [ "$(heads "$2")" -lt "$3" ]; do
        case $(ps -o stat= -p "$1" 2>/dev/null) in
        "" | Z*) return ;;
        esac
        sleep 0.02
    done
    sleep "$4"
    kill -KILL "$1" 2>/dev/null
}
killed=0 runs=0 confirmed=0 lost=0 extra=0 g=0
while :; do
    runs=$((runs + 1))
    d=
    left=$((total - g))
    if [ $runs -le "$kills" ] && [ $left -gt 3 ]; then
        f=$(sed -n "${runs}p" "$T/fractions")
        d=$(awk -v f="$f" -v left=$left -v k=$((kills - runs + 1)) \
            'BEGIN { t = 1 + int(f * 2 * left / k); if (t > left - 2) t = left - 2; print t }')
        j=$(sed -n "${runs}p" "$T/jitters")
    fi
    tail -n +$((g + 1)) "$T/plan.all" | cut -f2- >"$T/run.kanal"
    from=$(tail -n +$((g + 1)) "$T/plan.all" | sed -n '1s/	.*//p')
    step="batch run $runs from command $((g + 1)) of $total (killed after ${d:-no} commands and ${j:-0} s)"
    "$KANAL_BIN" batch "$T/run.kanal" >"$T/run.out" 2>"$T/run.err" &
    pid=$!
    [ -n "$d" ] && kill_at $pid "$T/run.out" "$d" "$j"
    wait $pid 2>/dev/null
    rc=$?
    out=$(tail -3 "$T/run.out") err=$(cat "$T/run.err")
    c=$(heads "$T/run.out")
    if [ -n "$d" ] && [ $rc = 137 ]; then
        killed=$((killed + 1))
    else
        expect_rc 0
    fi
    checks=$((checks + 1))
    [ -z "$err" ] || fail "the batch said something on stderr"
    new=$(progress "$nopp")
    case "$new" in
    bad*) checks=$((checks + 1)); fail "after run $runs: $new"; break ;;
    esac
    to=1
    [ "$new" -gt 0 ] && to=$(sed -n "${new}p" "$T/plan.all" | cut -f1)
    sound "${from:-1}" "${to:-1}"
    # (b): what was printed is there; at most one more command, unprinted
    checks=$((checks + 1))
    if [ $((new - g)) -lt "$c" ]; then
        lost=$((lost + c - (new - g)))
        fail "run $runs printed $c commands done but the database holds $((new - g)) of them"
    elif [ $((new - g)) -gt $((c + 1)) ]; then
        fail "run $runs printed $c commands done but the database holds $((new - g))"
    fi
    [ $((new - g)) -gt "$c" ] && extra=$((extra + 1))
    confirmed=$((confirmed + c))
    g=$new
    [ "$g" -ge "$total" ] && break
    [ -n "$d" ] || break
done
# the plan is finished, whole: every opportunity won or lost as planned
checks=$((checks + 1))
[ "$g" = "$total" ] || fail "the runs ended at command $g of $total"
expect_sql "SELECT count(*) FROM opportunities WHERE status = 'won'" $((nopp - nopp / 3))
expect_sql "SELECT count(*) FROM opportunities WHERE status = 'lost'" $((nopp / 3))
echo "note: $killed kills survived in $runs runs of $total commands; $confirmed confirmed, lost $lost; $extra kills came between a commit and its output" >&2

# ---- --atomic: everything or nothing ---------------------------------------------------------
# one whole run first, on a database of its own, to learn how long the batch
# takes here: the kills fall between its start and a little after its end
plan "$anopp" | cut -f2- >"$T/atomic.kanal"
atotal=$(wc -l <"$T/atomic.kanal")
KANAL_DB=$(new_db calibrate)
setup_db
t0=$(ms)
ok kanal batch "$T/atomic.kanal" --atomic
amaxdelay=$(awk -v t=$(($(ms) - t0)) 'BEGIN { printf "%.3f", t * 1.2 / 1000 }')
ADB=$(new_db atomic)
KANAL_DB=$ADB
setup_db
db_snapshot
delays "$akills" "$amaxdelay" $((seed + 1)) >"$T/adelays"
akilled=0 aruns=0 alost=0 whole=no
while [ $whole = no ]; do
    aruns=$((aruns + 1))
    d=$(sed -n "${aruns}p" "$T/adelays")
    step="atomic run $aruns of $atotal commands (kill after ${d:-never} s)"
    "$KANAL_BIN" batch "$T/atomic.kanal" --atomic >"$T/run.out" 2>"$T/run.err" &
    pid=$!
    if [ -n "$d" ]; then
        sleep "$d"
        kill -KILL $pid 2>/dev/null
    fi
    wait $pid 2>/dev/null
    rc=$?
    out=$(tail -3 "$T/run.out") err=$(cat "$T/run.err")
    c=$(heads "$T/run.out")
    if [ -n "$d" ] && [ $rc = 137 ]; then
        akilled=$((akilled + 1))
    else
        expect_rc 0
    fi
    new=$(progress "$anopp")
    case "$new" in
    bad*) checks=$((checks + 1)); fail "after atomic run $aruns: $new"; break ;;
    esac
    sound 1 "$anopp"
    checks=$((checks + 1))
    if [ "$new" = "$atotal" ]; then
        whole=yes
    elif [ "$new" = 0 ]; then
        # nothing of it, to the byte; and nothing printed as if it stood
        expect_db_unchanged
        checks=$((checks + 1))
        [ "$c" = 0 ] || { alost=$((alost + c)); fail "atomic run $aruns printed $c results of a batch that is not there"; }
    else
        fail "atomic run $aruns left $new of its $atotal commands"
        break
    fi
    [ -n "$d" ] || break
done
checks=$((checks + 1))
[ $whole = yes ] || fail "the atomic batch never committed"
expect_sql "SELECT count(*) FROM opportunities WHERE status = 'won'" $((anopp - anopp / 3))
echo "note: --atomic: $akilled kills survived in $aruns runs of $atotal commands, each leaving all or nothing; lost $alost" >&2
echo "figures: backend=$BACKEND seed=$seed kills=$killed runs=$runs commands=$total confirmed=$confirmed lost=$lost atomic_kills=$akilled atomic_runs=$aruns atomic_commands=$atotal atomic_lost=$alost" >&2
finish
