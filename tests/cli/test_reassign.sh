#!/bin/sh
# kanal reassign: when a rep leaves, a manager moves the rep's partners and
# open opportunities to another rep, and the work goes on.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
ok kanal user add kasia --name "Kasia Kanał" --role channel_rep --as admin
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency          # 1
ok kanal partner add "Dystrybucja Beta" --type distributor # 2
ok kanal partner add "Sklep Gamma" --type shop             # 3
ok kanal partner add "Agencja Piotra" --type agency --as piotr  # 4
ok kanal opp new --partner 1 --workflow tiny --at 2026-11-10T08:00:00Z          # 1
ok kanal opp new --partner 2 --workflow distributors --at 2026-11-10T08:00:00Z  # 2
ok kanal opp new --partner 2 --workflow tiny --at 2026-11-10T08:00:00Z          # 3
ok kanal opp new --partner 3 --workflow wholesale --at 2026-11-10T08:00:00Z     # 4
ok kanal lose 3 --reason no_interest --at 2026-11-11T08:00:00Z
ok kanal opp new --partner 4 --workflow tiny --as piotr                         # 5
# opportunity 1's latest event is in the past; the move is recorded as of now
ok kanal log 1 call --at 2026-11-12T08:00:00Z

# ---- refusals -----------------------------------------------------------------------------------
refuse 1 "only a manager may reassign work (you are 'marcin')" kanal reassign --from marcin --to piotr
refuse 1 "only a manager may reassign work (you are 'admin')" kanal reassign --from marcin --to piotr --as admin
export KANAL_USER=manny
refuse_usage "missing --to USER" kanal reassign --from marcin
refuse_usage "missing --from USER" kanal reassign --to piotr
refuse 2 "--from and --to name the same user 'marcin'" kanal reassign --from marcin --to marcin
refuse 3 "unknown user 'ghost'" kanal reassign --from ghost --to piotr
refuse 3 "unknown user 'ghost'" kanal reassign --from marcin --to ghost
refuse 3 "no partner 'Nieznany' (name a partner by its id or its exact name)" \
    kanal reassign --from marcin --to piotr --partner Nieznany
refuse 1 "partner 'Agencja Piotra' is owned by piotr, not by 'marcin'" \
    kanal reassign --from marcin --to kasia --partner "Agencja Piotra"
# the new owner must fit every moved opportunity: nothing moves if one does not
# (the wholesale one would fit dario, the distributors one does not)
refuse 1 "cannot move opportunity 1 to 'dario': 'dario' may not own opportunities of workflow 'tiny': it needs the role channel_rep ('dario' has direct_sales)" \
    kanal reassign --from marcin --to dario
ok kanal user add temp --name "Temp Rep" --role channel_rep --as admin
ok kanal user deactivate temp --as admin
refuse 1 "user 'temp' is deactivated" kanal reassign --from marcin --to temp

# ---- one partner -------------------------------------------------------------------------------------
ok kanal reassign --from marcin --to kasia --partner "Sklep Gamma"
expect_out "moved 1 partner and 1 open opportunity from marcin to kasia"
expect_sql "SELECT owner FROM partners WHERE id = 3" kasia
expect_sql "SELECT owner FROM opportunities WHERE id = 4" kasia
expect_sql "SELECT owner FROM partners WHERE id = 1" marcin

# ---- a rep leaves: deactivate, then move everything ---------------------------------------------------
ok kanal user deactivate marcin --as admin
ok kanal reassign --from marcin --to piotr
expect_out "moved 2 partners and 2 open opportunities from marcin to piotr"
expect_err ""
ok kanal partner list --owner piotr --json
expect_json '$.partners[0].id' 1
expect_json '$.partners[1].id' 2
expect_json '$.partners[2].id' 4
ok kanal opp list --owner piotr --json
expect_json '$.opportunities[0].id' 1
expect_json '$.opportunities[1].id' 2
expect_json '$.opportunities[2].id' 5
expect_json '$.opportunities[3].id' ""
# a closed opportunity keeps the owner who closed it
expect_sql "SELECT owner FROM opportunities WHERE id = 3" marcin
# each moved opportunity records the move, as of now
ok kanal history 1 --json
expect_json '$.events[#-1]' '{"seq":5,"at":"2026-11-28T12:00:00Z","actor":"manny","type":"reassigned","version":1,"login":"'"$LOGIN"'","data":{"from":"marcin","to":"piotr"}}'
ok kanal history 3 --json
expect_json '$.events[#-1].type' lost
expect_sql "SELECT count(*) FROM events WHERE type = 'partner_reassigned'" 3

# the work goes on: the new owner acts, with everything needed in the record
ok kanal next 1 --as piotr --json
expect_json '$.next_goal' mailed
ok kanal log 1 email --as piotr
expect_out "opportunity 1: logged email
mailed completed"
ok kanal next --as piotr --json
expect_json '$.opportunities[0].id' 1
# and the partner is piotr's now: nobody else may open work on it
refuse 1 "partner 'Agencja Alfa' is owned by piotr (Piotr Wiśniewski): two reps never work the same partner (a manager can reassign it)" \
    kanal opp new --partner 1 --workflow referral_partners --as kasia

# a rep with nothing to move
ok kanal reassign --from dario --to piotr
expect_out "moved 0 partners and 0 open opportunities from dario to piotr"

ok kanal reassign --help
expect_out_has "usage: kanal reassign"

finish
