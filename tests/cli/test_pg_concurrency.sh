#!/bin/sh
# Sixteen clients at once on one PostgreSQL database, each logged in as its
# own rep (two per rep, on the same opportunities) or as the manager, running
# random commands for a while ($KANAL_CONCURRENCY_SECONDS, default 20; the
# issue's minute: 60). What must hold:
#   - no error reaches a user that the same command alone would not get: no
#     storage error, no "busy", no deadlock, no lost connection, no crash;
#   - nothing lost or doubled: every opportunity's events are numbered 1..n
#     without a gap, and its row's last sequence number is n;
#   - the replay of the log equals the state: the history exported and
#     imported into a fresh SQLite database gives every opportunity the same
#     `opp show`.
# Needs $KANAL_TEST_PG (scripts/test.sh starts a server); without it, passes.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
export TZ=UTC
WF=$SRC/workflows
if [ -z "${KANAL_TEST_PG:-}" ]; then
    echo "note: \$KANAL_TEST_PG is not set: the concurrency on PostgreSQL is not tested here" >&2
    finish
    exit 0
fi
seconds=${KANAL_CONCURRENCY_SECONDS:-20}
server=$KANAL_TEST_PG
db=kanal_conc_$$
psql -q -X -v ON_ERROR_STOP=1 "$server" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >&2
PG=$(echo "$server" | sed "s|/postgres?|/$db?|")
owner=$(echo "$server" | sed -n 's/.*user=\([^&]*\).*/\1/p')
as_role() {
    echo "$PG" | sed "s/user=$owner/user=$1/"
}

ok kanal init --admin admin --name "Ada Admin" --db "$PG"
ok kanal workflow apply "$WF/distributors.yaml" --db "$PG" --as admin
{
    echo "user add boss --name Boss --role manager"
    r=1
    while [ $r -le 8 ]; do
        echo "user add crep$r --name 'Rep $r' --role channel_rep"
        r=$((r + 1))
    done
    p=1
    while [ $p -le 40 ]; do
        echo "partner add 'Dystrybutor $p' --type distributor --as boss"
        echo "opp new --partner 'Dystrybutor $p' --workflow distributors --owner crep$((p % 8 + 1)) --as boss"
        p=$((p + 1))
    done
} >setup.kanal
ok kanal batch setup.kanal --db "$PG" --as admin

# client N ROLE IDS...: random commands on the opportunities IDS until the time is up;
# each command's exit code and stderr go to client-N.log
client() {
    _n=$1 _who=$2
    shift 2
    _uri=$(as_role "$_who")
    _end=$(($(date +%s) + seconds))
    _i=0
    while [ "$(date +%s)" -lt "$_end" ]; do
        _i=$((_i + 1))
        # a pseudo-random choice from the client's number and its step
        _r=$(((_n * 7919 + _i * 104729) % 997))
        if [ $# -eq 0 ]; then
            case $((_r % 4)) in
            0) set -- report lost-reasons --json ;;
            1) set -- report funnel --workflow distributors --json ;;
            2) set -- opp list --json ;;
            *) set -- report activities --json ;;
            esac
            "$KANAL_BIN" "$@" --db "$_uri" >/dev/null 2>"$T/client-$_n.err"
            echo "rc=$? $* :: $(tr '\n' ' ' <"$T/client-$_n.err")" >>"$T/client-$_n.log"
            set --
            continue
        fi
        _ids="$*"
        _count=$#
        _k=$((_r % _count + 1))
        _id=$(echo "$_ids" | cut -d' ' -f"$_k")
        case $((_r % 7)) in
        0) _cmd="log $_id call --note step-$_n-$_i" ;;
        1) _cmd="log $_id email --note materials-$_n-$_i" ;;
        2) _cmd="done $_id classify --set cooperation_form=resale" ;;
        3) _cmd="advance $_id" ;;
        4) _cmd="set $_id margin_pct=$((10 + _r % 15))" ;;
        5) _cmd="next $_id" ;;
        *) _cmd="done $_id offer_accepted" ;;
        esac
        # shellcheck disable=SC2086
        "$KANAL_BIN" $_cmd --db "$_uri" >/dev/null 2>"$T/client-$_n.err"
        echo "rc=$? $_cmd :: $(tr '\n' ' ' <"$T/client-$_n.err")" >>"$T/client-$_n.log"
    done
}

# the opportunities of rep R: those of partners p with p % 8 + 1 = R
ids_of() {
    _p=1 _out=
    while [ $_p -le 40 ]; do
        [ $((_p % 8 + 1)) = "$1" ] && _out="$_out $_p"
        _p=$((_p + 1))
    done
    echo $_out
}
n=1
while [ $n -le 14 ]; do
    rep=$(((n - 1) % 7 + 1))
    # shellcheck disable=SC2046
    client $n crep$rep $(ids_of $rep) &
    n=$((n + 1))
done
client 15 boss &
client 16 boss &
wait

# every command ended as the same command alone could: 0, refused (1), usage (2),
# not found (3) or invalid (4), with a domain message, never a storage failure
cat "$T"/client-*.log >"$T/all.log"
total=$(wc -l <"$T/all.log")
succeeded=$(grep -c '^rc=0 ' "$T/all.log" || true)
checks=$((checks + 1))
[ "$total" -ge 200 ] || fail "only $total commands ran in $seconds seconds"
checks=$((checks + 1))
[ "$succeeded" -ge 50 ] || fail "only $succeeded of $total commands succeeded"
checks=$((checks + 1))
if grep -v '^rc=[0-4] ' "$T/all.log" | head -5 | grep -q .; then
    fail "commands failed beyond refusal: $(grep -v '^rc=[0-4] ' "$T/all.log" | head -5)"
fi
checks=$((checks + 1))
if grep -i 'storage error\|busy\|deadlock\|connection\|serializ' "$T/all.log" | head -3 | grep -q .; then
    fail "a user saw what only concurrency causes: $(grep -i 'storage error\|busy\|deadlock\|connection\|serializ' "$T/all.log" | head -3)"
fi
echo "note: $total commands by 16 clients in $seconds s, $succeeded succeeded" >&2

# nothing lost or doubled: each opportunity's events are 1..n, and its row says n
gaps=$(psql -X -At "$PG" -c "SELECT count(*) FROM (SELECT opp_id FROM kanal.events WHERE opp_id IS NOT NULL
    GROUP BY opp_id HAVING max(seq) <> count(*) OR min(seq) <> 1) g")
checks=$((checks + 1))
[ "$gaps" = 0 ] || fail "$gaps opportunities have gaps or doubles in their events"
behind=$(psql -X -At "$PG" -c "SELECT count(*) FROM kanal.opportunities o WHERE o.last_seq <>
    (SELECT max(seq) FROM kanal.events e WHERE e.opp_id = o.id)")
checks=$((checks + 1))
[ "$behind" = 0 ] || fail "$behind opportunities' rows disagree with their logs"

# the replay of the log equals the state
ok kanal export csv partners -o partners.csv --db "$PG" --as boss
ok kanal export csv events -o history.csv --db "$PG" --as boss
LITE=$T/replay.db
ok kanal init --admin admin --name "Ada Admin" --db "$LITE"
ok kanal workflow apply "$WF/distributors.yaml" --db "$LITE" --as admin
grep '^user add' setup.kanal >users.kanal
ok kanal batch users.kanal --db "$LITE" --as admin
ok kanal import csv partners partners.csv --db "$LITE" --as boss
ok kanal import csv history history.csv --db "$LITE" --as boss
i=1
while [ $i -le 40 ]; do
    a=$("$KANAL_BIN" opp show $i --json --db "$PG" --as boss)
    b=$("$KANAL_BIN" opp show $i --json --db "$LITE" --as boss)
    checks=$((checks + 1))
    [ "$a" = "$b" ] || fail "opportunity $i: its state and the replay of its log differ"
    i=$((i + 1))
done
psql -q -X "$server" -c "DROP DATABASE $db" >/dev/null 2>&1
finish
