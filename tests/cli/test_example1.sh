#!/bin/sh
# DOMAIN.md, Example 1, replayed across two versions of one referral process:
# version 1 (tests/fixtures/example1/referral_v1.*) has no terms infographic and
# pays 5% of every client's deal; version 2 adds the infographic as a mandatory
# goal of Awareness and pays 15% (20% from five retained clients) only for
# clients retained six months. Opportunities open in Awareness and in Proposal
# are migrated to version 2, each with the right goals to do; report compare
# shows both versions; a partner won under version 1 is paid by version 1's
# rule, one won under version 2 by version 2's.
#
# The figures, by hand:
#   compare as of 2026-02-20: v1 holds A (won) and D (lost): 1 of 2 won; v2
#     holds E (won) and the migrated B and C (open): 1 of 1 won, 2 open.
#   commission as of 2026-09-15:
#     deal 1, Biuro Kowalski (won under v1), 10000.00, left after 4 months:
#       v1 pays 5% of every deal: 500.00
#     deal 2, Sklep Zacisze (won under v2), 10000.00, left after 4 months:
#       v2 pays nothing before six months: 0.00
#     deal 3, Sklep Zacisze, 20000.00, signed 2026-02-12, staying on 2026-09-15
#       (7 months): retained; the partner has 1 retained client (< 5): 15% = 3000.00
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
FX=$SRC/tests/fixtures/example1

# py EXPR...: each Python expression over the last command's JSON (`j`) is true.
py() {
    for _e in "$@"; do
        checks=$((checks + 1))
        python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($_e) else 1)" \
            "$T/.out" 2>/dev/null || fail "JSON check failed: $_e"
    done
}
at() { KANAL_NOW=$1; export KANAL_NOW; }

at 2026-01-01T09:00:00Z
export KANAL_USER=admin
ok kanal init --admin admin --name "Ada Admin"
ok kanal user add anna --name "Anna Wiśniewska" --role manager
ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep
ok kanal user add piotr --name "Piotr Kamiński" --role channel_rep
cp "$FX"/referral_v1.yaml "$FX"/referral_v1.lua "$FX"/referral_v2.yaml "$FX"/referral_v2.lua "$T/"
ok kanal workflow apply "$T/referral_v1.yaml"
expect_out "referral v1"

# ---- version 1 at work ------------------------------------------------------------------------
at 2026-01-25T09:00:00Z
for p in "Biuro Kowalski:marcin" "Kancelaria Nowak:piotr" "Agencja Fala:marcin" "Doradca Lis:piotr"; do
    ok kanal partner add "${p%%:*}" --type referrer --as "${p#*:}"
done
# A: won under version 1
ok kanal opp new --partner "Biuro Kowalski" --workflow referral --as marcin --at 2026-01-02T09:00:00Z
ok kanal log 1 call --as marcin --at 2026-01-02T10:00:00Z
ok kanal advance 1 --as marcin --at 2026-01-03T09:00:00Z
ok kanal log 1 email --as marcin --at 2026-01-04T09:00:00Z
ok kanal advance 1 --as marcin --at 2026-01-05T09:00:00Z
ok kanal log 1 meeting --as marcin --at 2026-01-08T09:00:00Z
ok kanal win 1 --as marcin --at 2026-01-10T09:00:00Z
# D: lost under version 1
ok kanal opp new --partner "Kancelaria Nowak" --workflow referral --as piotr --at 2026-01-03T09:00:00Z
ok kanal lose 2 --reason fee_too_low --as piotr --at 2026-01-05T09:00:00Z
# B: open in Awareness; C: open in Proposal
ok kanal opp new --partner "Agencja Fala" --workflow referral --as marcin --at 2026-01-20T09:00:00Z
ok kanal log 3 call --as marcin --at 2026-01-21T09:00:00Z
ok kanal opp new --partner "Doradca Lis" --workflow referral --as piotr --at 2026-01-20T09:00:00Z
ok kanal log 4 call --as piotr --at 2026-01-21T09:00:00Z
ok kanal advance 4 --as piotr --at 2026-01-22T09:00:00Z

# ---- the change: version 2 -------------------------------------------------------------------
at 2026-02-01T09:00:00Z
ok kanal workflow diff referral "$T/referral_v2.yaml"
expect_out_has "  + goal terms_infographic added: in awareness, mandatory, completed by email"
expect_out_has "  ~ rules changed"
ok kanal workflow apply "$T/referral_v2.yaml"
expect_out "referral v2"
expect_err "hint: 2 open opportunities of referral are on older versions: kanal workflow migrate referral --to 2"
# E: won under version 2, the infographic sent first
at 2026-02-12T09:00:00Z
ok kanal partner add "Sklep Zacisze" --type referrer --as marcin
ok kanal opp new --partner "Sklep Zacisze" --workflow referral --as marcin --at 2026-02-02T09:00:00Z
ok kanal log 5 call --as marcin --at 2026-02-02T10:00:00Z
run kanal advance 5 --as marcin --at 2026-02-02T11:00:00Z
expect_rc 1
expect_err_has "terms_infographic"
ok kanal log 5 email --as marcin --at 2026-02-03T09:00:00Z
ok kanal advance 5 --as marcin --at 2026-02-04T09:00:00Z
ok kanal log 5 email --as marcin --at 2026-02-05T09:00:00Z
ok kanal advance 5 --as marcin --at 2026-02-06T09:00:00Z
ok kanal log 5 meeting --as marcin --at 2026-02-09T09:00:00Z
ok kanal win 5 --as marcin --at 2026-02-10T09:00:00Z

# ---- the running opportunities move over, on purpose ------------------------------------------
at 2026-02-15T09:00:00Z
ok kanal workflow migrate referral --to 2 --dry-run --json
py 'j["moved"] is False and j["dry_run"] is True' \
   '[o["id"] for o in j["opportunities"]] == [3, 4]' \
   'j["opportunities"][0]["stage"] == "awareness" and j["opportunities"][0]["outstanding"] == ["terms_infographic"]' \
   'j["opportunities"][1]["stage"] == "proposal" and j["opportunities"][1]["not_required"] == ["terms_infographic"]' \
   'j["opportunities"][1]["outstanding"] == ["offer_sent"]'
ok kanal opp show 3 --json
expect_json '$.version' 1
ok kanal workflow migrate referral --to 2
expect_out "3 Agencja Fala (marcin): version 1 -> 2, stays in awareness
  to do in its stage: terms_infographic
4 Doradca Lis (piotr): version 1 -> 2, stays in proposal
  to do in its stage: offer_sent
  not required of it (their stages are behind it): terms_infographic
2 opportunities moved to version 2 of referral"
ok kanal opp show 3 --json
expect_json '$.version' 2
# B in Awareness must now send the infographic before it advances
at 2026-02-18T09:00:00Z
run kanal advance 3 --as marcin --at 2026-02-16T09:00:00Z
expect_rc 1
expect_err_has "terms_infographic"
ok kanal log 3 email --as marcin --at 2026-02-16T10:00:00Z
ok kanal advance 3 --as marcin --at 2026-02-17T09:00:00Z
# C in Proposal was never asked for it
ok kanal opp show 4 --json
py '[g["not_required"] for g in j["goals"] if g["id"] == "terms_infographic"] == [True]' \
   '[g["done"] for g in j["goals"] if g["id"] == "terms_infographic"] == [False]'
ok kanal log 4 email --as piotr --at 2026-02-16T09:00:00Z
ok kanal advance 4 --as piotr --at 2026-02-17T09:00:00Z
ok kanal history 4 --json
py '[e["type"] for e in j["events"]].count("migrated") == 1'

# ---- did the change help? ----------------------------------------------------------------------
ok kanal report compare --workflow referral --as-of 2026-02-20 --json --as anna
py '[r["version"] for r in j["rows"]] == [1, 2]' \
   'j["rows"][0]["won"] == 1 and j["rows"][0]["lost"] == 1 and j["rows"][0]["open"] == 0' \
   'j["rows"][1]["won"] == 1 and j["rows"][1]["lost"] == 0 and j["rows"][1]["open"] == 2'

# ---- commission, each partner by the rule it was won under -------------------------------------
at 2026-09-15T09:00:00Z
ok kanal deal add --partner "Biuro Kowalski" --client "Hotel Mewa" --value 10000 --signed 2026-01-15 --as marcin
ok kanal deal end 1 --at 2026-05-15 --as marcin
ok kanal deal add --partner "Sklep Zacisze" --client "Pensjonat Lipa" --value 10000 --signed 2026-02-12 --as marcin
ok kanal deal end 2 --at 2026-06-12 --as marcin
ok kanal deal add --partner "Sklep Zacisze" --client "Hotel Bryza" --value 20000 --signed 2026-02-12 --as marcin
ok kanal report commission --as-of 2026-09-15 --json --as anna
py '{r["deal"]: float(r["commission"]) for r in j["rows"]} == {1: 500.0, 2: 0.0, 3: 3000.0}'
finish
