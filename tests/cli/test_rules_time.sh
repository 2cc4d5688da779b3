#!/bin/sh
# The rules' time limit is for one step: a command, a line of a batch (with
# --atomic too) or a row of an import — not for a whole batch or import, which
# refused every import of more than a few hundred opportunities of a workflow
# with rules. Each can_create here spins for a while, well under the limit;
# forty of them together are well over it. One step over the limit is still
# refused (test_attack_rules: spin_timed).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

cat >"$T/slow.lua" <<'LUA'
return {
  can_create = function(opp)
    if opp.partner.name:find("^Zły") then error("no bad names") end
    local x = 0
    for i = 1, 3000000 do x = x + i end
    return x > 0
  end,
}
LUA
# the limit of one step (longer when kanal runs slower: under valgrind)
LIMIT_MS=$((400 * SLOW))
cat >"$T/slow.yaml" <<YAML
workflow: slow
name: Rules that take their time
partner_types: [agency]
owner_roles: [channel_rep]
rules: slow.lua
limits: {instructions: 1000000000, time_ms: $LIMIT_MS}
activity_types:
  - id: call
    name: Phone call
lost_reasons:
  - id: no_interest
    name: No interest
stages:
  - id: contact
    name: Contact
    goals:
      - id: called
        name: Called
        completed_by: call
YAML
ok kanal init --admin admin
export KANAL_USER=admin
ok kanal workflow apply "$T/slow.yaml"
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
ok kanal user add manny --name "Manny Manager" --role manager
export KANAL_USER=marcin

# how long one step's rules take here: the test means something only when forty are over the limit
start=$(date +%s%N)
ok kanal partner add "Miara" --type agency
ok kanal opp new --partner "Miara" --workflow slow
one_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $((one_ms * 40)) -gt $LIMIT_MS ] ||
    echo "note: one step took ${one_ms} ms: forty are not over the limit on this machine" >&2

i=1
: >batch.kanal
printf 'partner,workflow,owner,at,event,arg,note\n' >history.csv
while [ $i -le 40 ]; do
    echo "partner add 'Agencja $i' --type agency" >>batch.kanal
    echo "opp new --partner 'Agencja $i' --workflow slow" >>batch.kanal
    echo "Hurt $i,slow,marcin,2026-11-20T09:00:00Z,created,," >>history.csv
    i=$((i + 1))
done
ok kanal batch --atomic batch.kanal
expect_sql "SELECT count(*) FROM opportunities WHERE workflow = 'slow'" 41

# an import: forty opportunities created, each through the rules
export KANAL_USER=manny
i=1
printf 'name,type,owner\n' >partners.csv
while [ $i -le 40 ]; do
    echo "Hurt $i,agency,marcin" >>partners.csv
    i=$((i + 1))
done
ok kanal import csv partners partners.csv
ok kanal import csv history history.csv
expect_out "imported 40 of 40 rows"
expect_sql "SELECT count(*) FROM opportunities WHERE workflow = 'slow'" 81

# the second step's state loads the compiled rules: its error names the same line
export KANAL_USER=marcin
printf "partner add 'Zły 1' --type agency\nopp new --partner 'Zły 1' --workflow slow\npartner add 'Zły 2' --type agency\nopp new --partner 'Zły 2' --workflow slow\n" >bad.kanal
run kanal batch --keep-going bad.kanal
expect_rc 4
expect_err "kanal: line 2: error: rules error in hook 'can_create' (slow.lua:3): no bad names
kanal: line 4: error: rules error in hook 'can_create' (slow.lua:3): no bad names
kanal: batch: 2 of 4 commands failed (the first at line 2)"
finish
