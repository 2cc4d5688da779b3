#!/bin/sh
# Installs what is missing, builds Kanal, and runs its main job on a fresh
# database: an admin applies the sample workflows, three channel reps step a
# month of partner acquisition (scripts/demo.kanal), then a rep reads what to
# do next and the manager reads the record.
#
# The database is build/demo.db (made anew each run), or the PostgreSQL
# database $KANAL_DB names (postgresql://...: an empty one, made with
# createdb, as its owner); "now" is fixed at the end of the demo month so
# that day counts read the same every time.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
kanal="$PWD/build/kanal"
case "${KANAL_DB:-}" in
postgresql://* | postgres://*) ;;
*)
  export KANAL_DB="$PWD/build/demo.db"
  rm -f "$KANAL_DB" "$KANAL_DB-wal" "$KANAL_DB-shm"
  ;;
esac
export KANAL_NOW="2026-03-31T17:00:00Z"
export KANAL_USER=admin

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(printf '\033[1m'); off=$(printf '\033[0m'); else bold=; off=; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
# show ARGS...: prints the command as it would be typed, then runs it.
show() {
  printf '$ kanal'
  for a in "$@"; do
    case "$a" in *[!A-Za-z0-9_.,=/:@+-]*|'') printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
  done
  printf '\n'
  "$kanal" "$@"
}

step "The admin checks the sample workflows and creates the database"
show workflow check workflows/*.yaml
show init --admin admin --name "Ada Admin"
show workflow apply workflows/*.yaml

step "A month of work, replayed from scripts/demo.kanal (users, partners, 12 opportunities)"
"$kanal" batch scripts/demo.kanal >/dev/null
show user list
show partner list

step "Channel conflict: a direct-sales rep may not acquire distributors"
show partner add "Hurtownia Nowa" --type wholesaler --as anna
show opp new --partner "Hurtownia Nowa" --workflow distributors --as dario || true

step "Two reps never work the same partner"
show opp new --partner "Dystrybucja Polna" --workflow referral_partners --as piotr || true

step "Marcin's agenda: what to do now"
show next --as marcin

step "Opportunity 2: materials were sent, the call comes next"
show next 2 --as marcin

step "The order of goals is enforced: Piotr cannot accept an offer not yet discussed"
show opp new --partner "Hurtownia Nowa" --workflow distributors --as piotr
show log 13 call --as piotr
show done 13 classify --set cooperation_form=resale --as piotr
show advance 13 --as piotr
show log 13 call --note "Called before sending anything" --as piotr
show done 13 offer_accepted --set margin_pct=20 --as piotr || true

step "The manager's view: every opportunity"
show opp list --as anna

step "One opportunity's record: every step is an event"
show history 1 --as anna
echo "(one login ran this whole replay, acting as each rep with --as: every event"
echo " records the operating-system login beside the Kanal user, and shows it when they differ)"

step "Plugins: any list in another format, and the history out as CSV"
show plugin list
show opp list --status lost --format csv --as anna
"$kanal" export csv events -o build/demo-history.csv --as anna
echo "(build/demo-history.csv: $(($(wc -l <build/demo-history.csv) - 1)) steps, ready for 'kanal import csv history')"

step "The manager's reports: why do opportunities fail, and what works?"
show report lost-reasons --as anna
show report activities --workflow distributors --as anna
echo "(read them with the counts: a month of one team is a small sample, and the reports"
echo " say so; 'kanal report' lists the others: funnel, stale, goals)"

step "For the board: every report as a chart with its table, in one file"
show report dashboard --format html -o build/dashboard.html --as anna
echo "(the dashboard of the demo month is $PWD/build/dashboard.html: one self-contained"
echo " page, no network needed, printable on A4; 'kanal report NAME --format svg' draws one chart)"
