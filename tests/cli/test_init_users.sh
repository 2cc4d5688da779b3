#!/bin/sh
# kanal init, the acting user, and kanal user add|list|deactivate.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# ---- before init: every command says how to start --------------------------------
# (on PostgreSQL the database is there, empty: no *Kanal* database, named host:port/db)
WHERE=$(db_where)
for cmd in "user list" "partner list" "opp list" "workflow list" "next"; do
    # shellcheck disable=SC2086
    run kanal $cmd --as admin
    expect_rc 3
    expect_err "kanal: error: $(no_db) (run 'kanal init')"
done
run kanal opp list --as admin --db "$T/other.db"
expect_rc 3
expect_err "kanal: error: no database at '$T/other.db' (run 'kanal init')"
checks=$((checks + 1))
! db_exists && [ ! -e "$T/other.db" ] || fail "a failed command created a database"

# ---- init -----------------------------------------------------------------------
run kanal init --admin Bad
expect_rc 4
expect_err "kanal: error: invalid user id 'Bad': use lowercase letters, digits, '.', '_' and '-' (at most 63 characters)"
checks=$((checks + 1))
! db_exists || fail "a refused init left a database"

ok kanal init --admin admin --name "Ada Admin"
expect_out "created $WHERE with admin 'admin'"
expect_err ""
checks=$((checks + 1))
db_exists || fail "init made no database"

# The first admin is created at "now" like everything else ($KANAL_NOW).
ok kanal user list --json --as admin
expect_out '{"users":[{"id":"admin","name":"Ada Admin","roles":["admin"],"active":true,"created_at":"2026-11-28T12:00:00Z"}]}'

# A second init is refused, and the database it found is left alone.
ok kanal user add keep --name "Kept User" --role channel_rep --as admin
db_snapshot
run kanal init --admin admin
expect_rc 1
expect_err "kanal: error: a database already exists at '$WHERE'"
checks=$((checks + 1))
db_exists || fail "a refused 'kanal init' deleted the existing database"
if db_exists; then
    expect_db_unchanged
    ok kanal user list --as keep
fi
db_remove
ok kanal init --admin admin --name "Ada Admin"

# The first admin defaults to the acting user: --as, else $KANAL_USER.
ok env KANAL_USER=boss "$KANAL_BIN" init --db "$T/b.db"
expect_out "created $T/b.db with admin 'boss'"
ok env KANAL_USER=boss "$KANAL_BIN" init --db "$T/c.db" --as chief
expect_out "created $T/c.db with admin 'chief'"
ok kanal user list --db "$T/c.db" --as chief
expect_out_has "chief"
expect_out_lacks "boss"

# ---- the acting user -------------------------------------------------------------
run kanal user list --as ghost
expect_rc 3
expect_err "kanal: error: unknown user 'ghost' (an admin adds users with 'kanal user add'; choose who acts with --as or \$KANAL_USER)"
run env KANAL_USER=ghost "$KANAL_BIN" user list
expect_rc 3
expect_err_has "unknown user 'ghost'"
# --as wins over $KANAL_USER
ok env KANAL_USER=ghost "$KANAL_BIN" user list --as admin
# without either: the login name
login=$(id -un 2>/dev/null || echo "")
case "$login" in
admin | "") ;;
*)
    run kanal user list
    expect_rc 3
    expect_err_has "unknown user '$login'"
    ;;
esac

# ---- user add ---------------------------------------------------------------------
export KANAL_USER=admin
ok kanal user add manny --name "Manny Manager" --role manager
expect_out "added user 'manny'"
expect_err ""
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
ok kanal user add lead --name "Lena Lead" --role "manager,channel_rep"
ok kanal user add dario --name "Dario Direct" --role direct_sales

refuse 1 "only an admin may add users (you are 'manny')" \
    kanal user add x --name X --role channel_rep --as manny
refuse 1 "only an admin may add users (you are 'marcin')" \
    kanal user add x --name X --role channel_rep --as marcin
refuse 1 "user 'marcin' already exists (Marcin Nowak)" \
    kanal user add marcin --name "Other Marcin" --role channel_rep
refuse 4 "invalid user id 'Marcin': use lowercase letters, digits, '.', '_' and '-' (at most 63 characters)" \
    kanal user add Marcin --name X --role channel_rep
refuse 4 "invalid role 'Channel-Rep': use lowercase letters, digits and '_', starting with a letter" \
    kanal user add x --name X --role Channel-Rep
refuse 4 "a user needs a name (--name NAME)" kanal user add x --name "" --role channel_rep
refuse_usage "missing --name NAME" kanal user add x --role channel_rep
refuse_usage "missing --role ROLE[,ROLE...]" kanal user add x --name X
refuse_usage "missing ID" kanal user add --name X --role channel_rep

# ---- user list --------------------------------------------------------------------
ok kanal user list --as marcin
expect_out_has "ID      NAME           ROLES                 ACTIVE  CREATED"
expect_out_has "lead    Lena Lead      channel_rep, manager  true    2026-11-28 12:00"
ok kanal user list --json
expect_json_valid
expect_json '$.users[1]' '{"id":"dario","name":"Dario Direct","roles":["direct_sales"],"active":true,"created_at":"2026-11-28T12:00:00Z"}'
expect_json '$.users[2]' '{"id":"lead","name":"Lena Lead","roles":["channel_rep","manager"],"active":true,"created_at":"2026-11-28T12:00:00Z"}'
expect_json '$.users[0].id' admin
expect_json '$.users[#-1].id' marcin

# ---- user deactivate ----------------------------------------------------------------
refuse 1 "only an admin may deactivate users (you are 'manny')" kanal user deactivate marcin --as manny
refuse 3 "unknown user 'ghost'" kanal user deactivate ghost
refuse 1 "'admin' is the last active admin: add another admin first" kanal user deactivate admin
refuse_usage "missing ID" kanal user deactivate

ok kanal user deactivate marcin
expect_out "deactivated user 'marcin' (reassign their work with 'kanal reassign')"
refuse 1 "user 'marcin' is already deactivated" kanal user deactivate marcin
# a deactivated user may no longer act, not even read
refuse 1 "user 'marcin' is deactivated and cannot act (an admin can add a new user; a manager moves their work with 'kanal reassign')" kanal opp list --as marcin
refuse 1 "user 'marcin' is deactivated and cannot act (an admin can add a new user; a manager moves their work with 'kanal reassign')" kanal partner add "Nowy" --type distributor --as marcin
# the record stays
ok kanal user list --json
expect_json '$.users[#-1]' '{"id":"marcin","name":"Marcin Nowak","roles":["channel_rep"],"active":false,"created_at":"2026-11-28T12:00:00Z"}'

# with a second admin, the first may go
ok kanal user add root2 --name "Second Admin" --role admin
ok kanal user deactivate admin --as root2
refuse 1 "user 'admin' is deactivated and cannot act (an admin can add a new user; a manager moves their work with 'kanal reassign')" kanal user list --as admin

# every change is an event
expect_sql "SELECT count(*) FROM events WHERE type = 'user_added'" 6
expect_sql "SELECT count(*) FROM events WHERE type = 'user_deactivated'" 2
expect_sql "SELECT actor FROM events WHERE type = 'user_deactivated' ORDER BY id DESC LIMIT 1" root2

# ---- PostgreSQL: one person added in several databases of one server at once ----------
# A user is a login role, and roles are the server's: the commands of four databases
# make (then deactivate) the same new role at the same moment, and each succeeds as
# if alone. (Before, the server refused all but one: a duplicate role name, "tuple
# concurrently updated", exit 5.)
case "$KANAL_DB" in
postgresql://*)
    : >"$T/race.dbs"
    for d in 1 2 3 4; do
        _db=$(new_db "race$d")
        ok kanal init --admin admin --db "$_db"
        echo "$_db" >>"$T/race.dbs"
    done
    # at_once WHAT...: kanal WHAT... --db D --as admin on the four at once; one check
    at_once() {
        _i=0
        while read -r _db; do
            _i=$((_i + 1))
            ("$KANAL_BIN" "$@" --db "$_db" --as admin >/dev/null 2>"$T/race.err.$_i"
                echo $? >"$T/race.rc.$_i") &
        done <"$T/race.dbs"
        wait
        step="kanal $* (in four databases at once)"
        out=""
        err=$(cat "$T"/race.err.*)
        checks=$((checks + 1))
        [ "$(cat "$T"/race.rc.* | tr -d '\n')" = 0000 ] ||
            fail "exit codes $(cat "$T"/race.rc.* | tr '\n' ' ')"
    }
    for r in 1 2 3 4 5 6; do
        who=$(test_role "race$r")
        at_once user add "$who" --name "Racer $r" --role channel_rep
        at_once user deactivate "$who"
    done
    while read -r _db; do
        ok kanal user list --json --db "$_db" --as admin
        expect_json '$.users[#-1].id' "$(test_role race6)"
        expect_json '$.users[#-1].active' 0
    done <"$T/race.dbs"

    # eight inits of one database at once (as test_attack_files races them on one
    # file): one makes it, the seven others are refused, and its admin is the only one
    for r in 1 2 3 4; do
        _db=$(new_db "init$r")
        rm -rf "$T/ini"
        mkdir "$T/ini"
        for i in 1 2 3 4 5 6 7 8; do
            (timeout 60 "$KANAL_BIN" --db "$_db" init --admin "ada$i" >"$T/ini/out.$i" 2>"$T/ini/err.$i"
                echo $? >"$T/ini/rc.$i") &
        done
        wait
        step="8 x kanal init on $(db_where "$_db")"
        out=$(cat "$T"/ini/out.*)
        err=$(cat "$T"/ini/err.*)
        checks=$((checks + 1))
        [ "$(cat "$T"/ini/rc.* | sort | tr '\n' ' ')" = "0 1 1 1 1 1 1 1 " ] ||
            fail "exit codes: $(cat "$T"/ini/rc.* | sort | tr '\n' ' ')(want one 0 and seven 1)"
        _winner="" _bad=""
        for i in 1 2 3 4 5 6 7 8; do
            case $(cat "$T/ini/rc.$i") in
            0) _winner=ada$i ;;
            *) [ "$(cat "$T/ini/err.$i")" = "kanal: error: a database already exists at '$(db_where "$_db")'" ] ||
                _bad="$_bad [$(cat "$T/ini/err.$i")]" ;;
            esac
        done
        checks=$((checks + 1))
        [ -z "$_bad" ] || fail "a loser's stderr is not 'a database already exists':$_bad"
        checks=$((checks + 1))
        _users=$(sql_at "$_db" "SELECT id FROM users")
        [ -n "$_winner" ] && [ "$_users" = "$_winner" ] || fail "users: '$_users' (want only the winner's admin '$_winner')"
    done
    ;;
esac

finish
