#!/bin/sh
# gen_history.sh N DIR: writes DIR/partners.csv, DIR/history.csv (about N rows,
# opportunities of the wholesale workflow stepped from first contact to won or
# lost) and DIR/users.kanal (the reps, for `kanal batch`). The opportunities
# are spread over January to March; one in five begins with an e-mail rather
# than a call, and the lost ones give one of four reasons, so that the
# reports have something to count.
set -eu
n=${1:-100000}
dir=${2:-.}
awk -v n="$n" -v dir="$dir" 'BEGIN {
  reps = 20
  users = dir "/users.kanal"; partners = dir "/partners.csv"; history = dir "/history.csv"
  for (r = 1; r <= reps; r++) printf "user add rep%d --name \"Rep %d\" --role channel_rep\n", r, r > users
  print "name,type,owner,email,phone,city,tax_id" > partners
  print "partner,workflow,owner,at,event,arg,note" > history
  rows = 0; p = 0
  reason[0] = "margin_too_low"; reason[1] = "no_shelf_space"; reason[2] = "listing_fee"
  reason[3] = "competitor"
  while (rows < n) {
    p++; rep = "rep" (p % reps + 1); name = sprintf("Sklep %06d", p)
    print name ",shop," rep ",,,Miasto " (p % 50) "," > partners
    day = 1 + p % 28; t = sprintf("2026-%02d-%02dT", 1 + int(p / 7) % 3, day)
    printf "%s,wholesale,%s,%s08:00,created,,\n", name, rep, t > history
    if (p % 5 == 0) { printf "%s,wholesale,%s,%s08:05,log,email,\n", name, rep, t > history; rows++ }
    printf "%s,wholesale,%s,%s08:10,log,call,\"First call, all good\"\n", name, rep, t > history
    printf "%s,wholesale,%s,%s08:20,set,price_list_version=2026-Q1,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s08:30,log,email,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s09:00,advance,,\n", name, rep, t > history
    rows += 5
    if (p % 4 == 0) {
      printf "%s,wholesale,%s,%s10:00,lose,%s,\n", name, rep, t, reason[p % 7 % 4] > history
      rows += 1; continue
    }
    printf "%s,wholesale,%s,%s10:00,set,payment_days=30,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s10:05,done,terms_agreed,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s10:10,set,skus_listed=%d,\n", name, rep, t, 1 + p % 30 > history
    printf "%s,wholesale,%s,%s10:15,done,products_listed,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s11:00,advance,,\n", name, rep, t > history
    printf "%s,wholesale,%s,%s12:00,set,first_order_value=%d,\n", name, rep, t, 1000 + p > history
    printf "%s,wholesale,%s,%s12:00,done,first_order_placed,\n", name, rep, t > history
    rows += 7
    if (p % 3) { printf "%s,wholesale,%s,%s13:00,win,,\n", name, rep, t > history; rows++ }
  }
}'
