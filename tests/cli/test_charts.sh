#!/bin/sh
# kanal report NAME --format svg and kanal report dashboard (issue 12): every
# report drawn as one standalone SVG chart, and the dashboard as one
# self-contained HTML page (and as JSON and text), checked from outside:
#   - each SVG is valid XML (xmllint), renders with rsvg-convert without a
#     word on stderr, points at nothing outside itself, has a <title> first
#     that says what and when (the report, the filters, the as-of date);
#   - the figures in its <text> are those of `kanal report NAME --json` with
#     the same filters: every rate "P% (K of N)" with P = 100*K/N rounded, the
#     counts, the days; a report without rows says "no data";
#   - nothing runs off the canvas: the chart set in a larger canvas, its own
#     area clipped away, rendered by rsvg-convert: every pixel left must be
#     fully transparent (tests/cli/charts_check.py, checked on hand-made SVGs
#     first);
#   - the dashboard page parses (html.parser, xmllint --html), holds no
#     http(s):// and loads nothing, is headed by the filters and the as-of
#     moment, and has every report (funnel and goals once per workflow) as an
#     inline chart with a text alternative and a <table> under it, and the
#     activities report's notes; its JSON holds each report's own --json.
# On the demo month, and on databases made to stress a chart: no
# opportunities at all, one rep, 40 reps, names of 120 characters with Polish
# letters (and &, <, quotes), and only open opportunities (every rate 0 of 0).
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
export TZ=UTC
export KANAL_NOW=2026-03-31T17:00:00Z
PY=$SRC/tests/cli/charts_check.py
WF=$SRC/workflows
DATA=$SRC/tests/data/charts

# ---- helpers ------------------------------------------------------------------------------------

# pycheck ARGS...: runs charts_check.py ARGS; each line it prints is a check
# ("ok: ..." or "FAIL: ..."), counted here; a crash is one failed check.
pycheck() {
    step="charts_check.py $*"
    python3 "$PY" "$@" >"$T/.py" 2>"$T/.pyerr"
    _rc=$?
    _n=$(grep -c '^ok: \|^FAIL: ' "$T/.py")
    _f=$(grep -c '^FAIL: ' "$T/.py")
    checks=$((checks + _n))
    failures=$((failures + _f))
    grep '^FAIL: ' "$T/.py" | while IFS= read -r _l; do
        printf '%s\n  step: %s\n' "$_l" "$step" >&2
    done
    if { [ "$_rc" != 0 ] && [ "$_f" = 0 ]; } || grep -q '^Traceback' "$T/.pyerr"; then
        checks=$((checks + 1))
        failures=$((failures + 1))
        printf 'FAIL: charts_check.py failed (exit %s)\n  step: %s\n  %s\n' "$_rc" "$step" "$(tail -5 "$T/.pyerr")" >&2
    fi
}

# aliases: the names a title may use for a workflow or an owner, of the current database
aliases() {
    kanal workflow list --json >"$T/.wf.json"
    kanal user list --json >"$T/.users.json"
    python3 "$PY" aliases "$T/.wf.json" "$T/.users.json" >"$T/aliases"
}

# workflows: the ids of the current database's workflows, one a line
workflows() {
    kanal workflow list --json | python3 -c 'import json,sys; [print(w["workflow"]) for w in json.load(sys.stdin)["workflows"]]'
}

# chart BASE NAME [FILTER...]: `kanal report NAME FILTER... --json` into
# $T/BASE.json, then `kanal report NAME FILTER... --format svg -o $T/BASE.svg`
# (exit 0, silent), and every check of the chart against the JSON.
chart() {
    _b=$1
    _n=$2
    shift 2
    run kanal report "$_n" "$@" --json
    expect_rc 0
    printf '%s\n' "$out" >"$T/$_b.json"
    rm -f "$T/$_b.svg"
    run kanal report "$_n" "$@" --format svg -o "$T/$_b.svg"
    expect_rc 0
    expect_out ""
    expect_err ""
    checks=$((checks + 1))
    if [ -s "$T/$_b.svg" ]; then
        pycheck svg "$T/$_b.svg" --report "$_n" --json "$T/$_b.json" --aliases "$T/aliases"
    else
        fail "no SVG written to $_b.svg"
    fi
}

# every_chart PREFIX [FILTER...]: chart of every report (funnel and goals per
# workflow, or for the --workflow given), then the dashboard with the same
# filters: HTML, JSON and table, against the reports' own JSON and text.
every_chart() {
    _p=$1
    shift
    aliases
    _wfs=$(workflows)
    case " $* " in *" --workflow "*)
        _wfs=$(printf '%s\n' "$@" | sed -n '/^--workflow$/{n;p;}') ;;
    esac
    chart "$_p-lost-reasons" lost-reasons "$@"
    chart "$_p-activities" activities "$@"
    _list="$T/$_p-lost-reasons.json $T/$_p-activities.json"
    for _w in $_wfs; do
        case " $* " in
        *" --workflow "*) chart "$_p-funnel-$_w" funnel "$@" ;;
        *) chart "$_p-funnel-$_w" funnel --workflow "$_w" "$@" ;;
        esac
        _list="$_list $T/$_p-funnel-$_w.json"
    done
    chart "$_p-stale" stale "$@"
    _list="$_list $T/$_p-stale.json"
    for _w in $_wfs; do
        case " $* " in
        *" --workflow "*) chart "$_p-goals-$_w" goals "$@" ;;
        *) chart "$_p-goals-$_w" goals --workflow "$_w" "$@" ;;
        esac
        _list="$_list $T/$_p-goals-$_w.json"
    done
    dashboard "$_p" "$_list" "$@"
}

# dashboard PREFIX "REPORT_JSON..." [FILTER...]: the dashboard with FILTER in
# every format, against the reports' JSON files listed (lost-reasons first).
dashboard() {
    _p=$1
    _list=$2
    shift 2
    # html
    rm -f "$T/$_p-dashboard.html"
    run kanal report dashboard "$@" --format html -o "$T/$_p-dashboard.html"
    expect_rc 0
    expect_out ""
    expect_err ""
    run kanal report activities "$@"
    printf '%s\n' "$out" >"$T/$_p-activities.txt"
    checks=$((checks + 1))
    if [ -s "$T/$_p-dashboard.html" ]; then
        # shellcheck disable=SC2086 # the list is of paths without blanks
        pycheck html "$T/$_p-dashboard.html" --aliases "$T/aliases" --notes "$T/$_p-activities.txt" $_list
    else
        fail "no HTML written to $_p-dashboard.html"
    fi
    # json
    run kanal report dashboard "$@" --format json
    expect_rc 0
    expect_err ""
    printf '%s\n' "$out" >"$T/$_p-dashboard.json"
    # shellcheck disable=SC2086
    pycheck dashjson "$T/$_p-dashboard.json" $_list
    # table: the text of every report, as `kanal report NAME` prints it
    run kanal report dashboard "$@" --format table
    expect_rc 0
    expect_err ""
    printf '%s\n' "$out" >"$T/$_p-dashboard.txt"
    _txts=
    for _j in $_list; do
        _b=$(basename "$_j" .json)
        _name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["report"])' "$_j")
        _wf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["filters"]["workflow"] or "")' "$_j")
        case "$_name" in
        funnel | goals)
            case " $* " in
            *" --workflow "*) run kanal report "$_name" "$@" ;;
            *) run kanal report "$_name" --workflow "$_wf" "$@" ;;
            esac ;;
        *) run kanal report "$_name" "$@" ;;
        esac
        printf '%s\n' "$out" >"$T/$_b.txt"
        _txts="$_txts $T/$_b.txt"
    done
    # shellcheck disable=SC2086
    pycheck table "$T/$_p-dashboard.txt" $_txts
}

# ==== 0. the run-off detector itself, with the real renderer ===================================
mkdir "$T/selftest"
pycheck selftest "$T/selftest"

# ==== 1. the demo month =========================================================================
KANAL_DB=$(new_db demo)
export KANAL_DB
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" --as admin
ok kanal batch "$SRC/scripts/demo.kanal" --as admin
export KANAL_USER=anna

# the plugins that draw
run kanal plugin list --json
expect_rc 0
checks=$((checks + 1))
printf '%s\n' "$out" | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)["plugins"]}
ok = all(n in p and p[n]["loaded"] and ("format " + n) in p[n]["provides"] for n in ("svg", "html"))
sys.exit(0 if ok else 1)' || fail "plugin list --json: svg and html loaded, providing format svg and format html"
run kanal plugin list
expect_rc 0
expect_out_has "format svg"
expect_out_has "format html"

# every report, each workflow's funnel and goals, the dashboard
every_chart demo

# the filters apply, and the title says them
chart demo-lost-by-stage lost-reasons --workflow distributors --by stage
chart demo-lost-by-owner lost-reasons --by owner
chart demo-activities-scoped activities --workflow distributors --owner marcin --since 2026-03-01 --until 2026-03-10
chart demo-activities-dario activities --owner dario # owns nothing: no rows
chart demo-funnel-past funnel --workflow distributors --as-of 2026-03-15
chart demo-funnel-krzysztof funnel --workflow distributors --owner krzysztof --until 2026-03-10
chart demo-goals-v1 goals --workflow referral_partners --version 1
chart demo-stale-past stale --as-of 2026-03-20 --since 2026-03-01
chart demo-stale-marcin stale --owner marcin # nothing past its limit: no rows
chart demo-lost-wholesale lost-reasons --workflow wholesale --since 2026-03-11 --until 2026-03-11

# a dashboard with filters: funnel and goals once, of that workflow
for r in lost-reasons activities funnel stale goals; do
    run kanal report $r --workflow distributors --owner marcin --since 2026-03-01 --until 2026-03-31 --as-of 2026-03-25 --json
    printf '%s\n' "$out" >"$T/demo-scoped-$r.json"
done
dashboard demo-scoped "$T/demo-scoped-lost-reasons.json $T/demo-scoped-activities.json $T/demo-scoped-funnel.json $T/demo-scoped-stale.json $T/demo-scoped-goals.json" \
    --workflow distributors --owner marcin --since 2026-03-01 --until 2026-03-31 --as-of 2026-03-25

# the SVG on stdout is the file -o writes
run kanal report funnel --workflow distributors --format svg
expect_rc 0
expect_err ""
checks=$((checks + 1))
[ "$out" = "$(cat "$T/demo-funnel-distributors.svg")" ] || fail "the SVG on stdout differs from the one -o wrote"

# --json and --format json give the same dashboard
run kanal report dashboard --json
expect_rc 0
checks=$((checks + 1))
[ "$out" = "$(cat "$T/demo-dashboard.json")" ] || fail "dashboard --json differs from --format json"

# the dashboard is not one SVG: refused, pointing to html, nothing written
rm -f "$T/dash.svg"
run kanal report dashboard --format svg -o "$T/dash.svg"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "dashboard --format svg: exit 0, want a refusal"
expect_err_has "html"
expect_out ""
checks=$((checks + 1))
[ ! -e "$T/dash.svg" ] || fail "dashboard --format svg -o left a file"
run kanal report dashboard --format svg
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "dashboard --format svg (stdout): exit 0, want a refusal"
expect_err_has "html"
expect_out ""

# another plugin's table format (the example plugin's markdown): every report,
# or a refusal that says so, never an empty table
run kanal report dashboard --format markdown
checks=$((checks + 1))
if [ "$rc" = 0 ]; then
    case "$out" in
    *"Terms unclear to the partner"*"Centrum Dystrybucji"*) ;;
    *) fail "dashboard --format markdown: exit 0 but not every report (want the lost reasons and the stale opportunity)" ;;
    esac
else
    [ -n "$err" ] || fail "dashboard --format markdown: refused without a word"
fi

# funnel and goals need --workflow in SVG as in JSON: the same refusal
for r in funnel goals; do
    run kanal report $r --json
    _jrc=$rc
    _jerr=$err
    run kanal report $r --format svg
    checks=$((checks + 1))
    [ "$_jrc" != 0 ] && [ "$rc" = "$_jrc" ] && [ "$err" = "$_jerr" ] ||
        fail "report $r --format svg without --workflow: exit $rc '$err', want as --json: exit $_jrc '$_jerr'"
    expect_out ""
done

# a rep may not run reports, in any format
rm -f "$T/rep.svg" "$T/rep.html"
run kanal report lost-reasons --format svg -o "$T/rep.svg" --as marcin
expect_rc 1
checks=$((checks + 1))
[ ! -e "$T/rep.svg" ] || fail "a rep's refused report left a file"
run kanal report dashboard --format html -o "$T/rep.html" --as marcin
expect_rc 1
checks=$((checks + 1))
[ ! -e "$T/rep.html" ] || fail "a rep's refused dashboard left a file"

# ==== 2. no opportunities at all ================================================================
KANAL_DB=$(new_db empty)
export KANAL_DB
unset KANAL_USER
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" --as admin
ok kanal user add anna --name "Anna Wiśniewska" --role manager --as admin
ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep --as admin
ok kanal partner add "Dystrybucja Polna" --type distributor --as admin
export KANAL_USER=anna
every_chart empty

# ==== 3. one rep, one workflow (funnel and goals without --workflow) ===========================
KANAL_DB=$(new_db onerep)
export KANAL_DB
unset KANAL_USER
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$WF/wholesale.yaml" --as admin
cat >onerep.kanal <<'EOF'
user add kasia --name "Katarzyna Dąbrowska" --role manager
user add jan --name "Jan Kowalski" --role channel_rep
partner add "Sieć Sklepów Lokalnych" --type store_chain --as kasia
partner add "Sklep u Zosi" --type shop --as kasia
partner add "Hurtownia Bałtyk" --type wholesaler --as kasia
opp new --partner "Sieć Sklepów Lokalnych" --workflow wholesale --as jan --at 2026-03-02T11:00
log 1 call --as jan --at 2026-03-02T11:10
set 1 price_list_version=2026-Q1 --as jan --at 2026-03-02T11:20
log 1 email --as jan --at 2026-03-02T11:30
advance 1 --as jan --at 2026-03-04T09:00
done 1 terms_agreed --set payment_days=30 --as jan --at 2026-03-10T10:00
done 1 products_listed --set skus_listed=12 --as jan --at 2026-03-12T10:00
advance 1 --as jan --at 2026-03-12T11:00
done 1 first_order_placed --set first_order_value=8300 --as jan --at 2026-03-18T10:00
win 1 --as jan --at 2026-03-18T12:00
opp new --partner "Sklep u Zosi" --workflow wholesale --as jan --at 2026-03-11T10:00
log 2 visit --as jan --at 2026-03-11T12:00
lose 2 --reason no_shelf_space --as jan --at 2026-03-11T12:30
opp new --partner "Hurtownia Bałtyk" --workflow wholesale --as jan --at 2026-03-12T10:00
log 3 call --as jan --at 2026-03-12T10:30
EOF
ok kanal batch onerep.kanal --as admin
export KANAL_USER=kasia
every_chart onerep
chart onerep-funnel-bare funnel # the only workflow: no --workflow needed
chart onerep-goals-bare goals

# ==== 4. forty reps =============================================================================
KANAL_DB=$(new_db forty)
export KANAL_DB
unset KANAL_USER
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$WF/wholesale.yaml" --as admin
{
    echo 'user add kierownik --name "Kierownik Sprzedaży" --role manager'
    i=0
    for s in nowak kowalski wisniewski wojcik kowalczyk kaminski lewandowski zielinski szymanski \
        wozniak dabrowski kozlowski jankowski mazur wojciechowski kwiatkowski krawczyk kaczmarek \
        piotrowski grabowski zajac pawlowski michalski krol wieczorek jablonski wrobel nowakowski \
        majewski olszewski stepien malinowski jaworski adamczyk dudek nowicki pawlak gorski witkowski \
        walczak; do
        i=$((i + 1))
        u=$(printf 'handlowiec_%02d_%s' $i $s)
        echo "user add $u --name 'Przedstawiciel Handlowy $i Łódź-Śródmieście' --role channel_rep"
        d=$(printf '2026-03-%02d' $((i % 20 + 2)))
        r1=$(echo "margin_too_low no_shelf_space listing_fee competitor" | cut -d' ' -f$((i % 4 + 1)))
        r2=$(echo "margin_too_low no_shelf_space listing_fee competitor" | cut -d' ' -f$(((i + 1) % 4 + 1)))
        n=$(((i - 1) * 3))
        echo "partner add 'Hurtownia $s $i' --type wholesaler --as kierownik"
        echo "partner add 'Sklep $s $i' --type shop --as kierownik"
        echo "partner add 'Sieć sklepów $s $i' --type store_chain --as kierownik"
        echo "opp new --partner 'Hurtownia $s $i' --workflow wholesale --as $u --at ${d}T08:00"
        echo "log $((n + 1)) call --as $u --at ${d}T08:10"
        echo "set $((n + 1)) price_list_version=2026-Q1 --as $u --at ${d}T08:20"
        echo "log $((n + 1)) email --as $u --at ${d}T08:30"
        if [ $((i % 3)) = 0 ]; then
            echo "advance $((n + 1)) --as $u --at ${d}T09:00"
            echo "done $((n + 1)) terms_agreed --set payment_days=30 --as $u --at ${d}T09:10"
            echo "done $((n + 1)) products_listed --set skus_listed=$i --as $u --at ${d}T09:20"
            echo "advance $((n + 1)) --as $u --at ${d}T09:30"
            echo "done $((n + 1)) first_order_placed --set first_order_value=1000 --as $u --at ${d}T09:40"
            echo "win $((n + 1)) --as $u --at ${d}T10:00"
        else
            echo "lose $((n + 1)) --reason $r1 --as $u --at ${d}T10:00"
        fi
        echo "opp new --partner 'Sklep $s $i' --workflow wholesale --as $u --at ${d}T11:00"
        j=0
        while [ $j -lt $((i % 5 + 1)) ]; do
            echo "log $((n + 2)) visit --as $u --at ${d}T11:$((10 + j))"
            j=$((j + 1))
        done
        echo "lose $((n + 2)) --reason $r2 --as $u --at ${d}T12:00"
        echo "opp new --partner 'Sieć sklepów $s $i' --workflow wholesale --as $u --at ${d}T13:00"
        [ $((i % 2)) = 0 ] && echo "log $((n + 3)) call --as $u --at ${d}T13:10"
    done
} >forty.kanal
ok kanal batch forty.kanal --as admin
export KANAL_USER=kierownik
every_chart forty
chart forty-lost-by-owner lost-reasons --by owner
chart forty-lost-by-stage lost-reasons --by stage

# ==== 5. names of 120 characters, Polish letters, &, < and quotes ==============================
KANAL_DB=$(new_db long)
export KANAL_DB
unset KANAL_USER
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$DATA/long_names.yaml" --as admin
P1='Przedsiębiorstwo Handlowo-Usługowe „Źdźbło & Łąka” <Hurt> spółka z ograniczoną odpowiedzialnością, Gdańsk, Żółwia 5ńabcd'
P2='Hurtownia Spożywczo-Przemysłowa „Gęś i Żuraw” Bożęcki, Świątek & Wspólnicy spółka komandytowa, Łódź-Bałuty, Źródlana 7ńa'
checks=$((checks + 1))
[ "$(printf '%s' "$P1" | python3 -c 'import sys; print(len(sys.stdin.read()))')" = 120 ] || fail "P1 is not 120 characters"
A=przedstawiciel_regionalny_wojewodztwa_lodzkiego_zbigniew_01
B=przedstawicielka_regionalna_wojewodztwa_slaskiego_grazyna_02
C=przedstawiciel_regionalny_wojewodztwa_lodzkiego_zbigniew_03 # A but for its end
R=warunki_niejasne_dla_wlasciciela_hurtowni_marza_dostawy
R2=warunki_niejasne_dla_wlasciciela_hurtowni_marza_powiat # R but for its end
G2=umowa_ramowa_podpisana_przez_obie_strony_i_przeslana_skanem
cat >long.kanal <<EOF
user add kierowniczka --name "Kierowniczka Działu Sprzedaży Hurtowej" --role manager
user add $A --name "Zbigniew Brzęczyszczykiewicz-Świętochowski" --role channel_rep
user add $B --name "Grażyna Żółtowska-Łękawa" --role channel_rep
user add $C --name "Zbigniew Brzęczyszczykiewicz-Świętochowski junior" --role channel_rep
partner add '$P1' --type hurtownia --as kierowniczka
partner add '$P2' --type hurtownia --as kierowniczka
partner add 'Hurtownia "Żółw" & Syn <sp. j.>' --type hurtownia --as kierowniczka
partner add 'Hurtownia Mała' --type hurtownia --as kierowniczka
partner add 'Hurtownia Ząbkowice' --type hurtownia --as kierowniczka
partner add 'Hurtownia Świętokrzyska' --type hurtownia --as kierowniczka
partner add 'Hurtownia Podkarpacka' --type hurtownia --as kierowniczka
opp new --partner '$P1' --workflow hurtownie_regionalne --as $A --at 2026-03-02T09:00
log 1 rozmowa_telefoniczna_z_wlascicielem --as $A --at 2026-03-02T09:30
opp new --partner '$P2' --workflow hurtownie_regionalne --as $B --at 2026-03-03T09:00
log 2 rozmowa_telefoniczna_z_wlascicielem --as $B --at 2026-03-03T09:30
advance 2 --as $B --at 2026-03-04T09:00
lose 2 --reason $R --as $B --at 2026-03-06T09:00
opp new --partner 'Hurtownia "Żółw" & Syn <sp. j.>' --workflow hurtownie_regionalne --as $A --at 2026-03-04T09:00
log 3 rozmowa_telefoniczna_z_wlascicielem --as $A --at 2026-03-04T09:30
advance 3 --as $A --at 2026-03-05T09:00
log 3 spotkanie --as $A --at 2026-03-05T10:00
done 3 $G2 --as $A --at 2026-03-06T09:00
win 3 --as $A --at 2026-03-06T10:00
opp new --partner 'Hurtownia Mała' --workflow hurtownie_regionalne --as $B --at 2026-03-05T09:00
log 4 spotkanie --as $B --at 2026-03-05T09:30
lose 4 --reason $R --as $B --at 2026-03-07T09:00
opp new --partner 'Hurtownia Ząbkowice' --workflow hurtownie_regionalne --as $A --at 2026-03-06T09:00
lose 5 --reason konkurencja --as $A --at 2026-03-08T09:00
opp new --partner 'Hurtownia Świętokrzyska' --workflow hurtownie_regionalne --as $B --at 2026-03-19T09:00
log 6 rozmowa_telefoniczna_z_wlascicielem --as $B --at 2026-03-19T09:30
advance 6 --as $B --at 2026-03-20T09:00
opp new --partner 'Hurtownia Podkarpacka' --workflow hurtownie_regionalne --as $C --at 2026-03-09T09:00
log 7 spotkanie --as $C --at 2026-03-09T09:30
lose 7 --reason $R2 --as $C --at 2026-03-10T09:00
EOF
ok kanal batch long.kanal --as admin
export KANAL_USER=kierowniczka
every_chart long
chart long-lost-by-stage lost-reasons --by stage
chart long-lost-by-owner lost-reasons --by owner
chart long-activities-owner activities --owner $A --since 2026-03-01 --until 2026-03-31
for r in lost-reasons activities funnel stale goals; do
    run kanal report $r --workflow hurtownie_regionalne --json
    printf '%s\n' "$out" >"$T/long-scoped-$r.json"
done
dashboard long-scoped "$T/long-scoped-lost-reasons.json $T/long-scoped-activities.json $T/long-scoped-funnel.json $T/long-scoped-stale.json $T/long-scoped-goals.json" \
    --workflow hurtownie_regionalne

# ==== 6. only open opportunities: every win rate is 0 of 0 =====================================
KANAL_DB=$(new_db open)
export KANAL_DB
unset KANAL_USER
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" --as admin
cat >open.kanal <<'EOF'
user add anna --name "Anna Wiśniewska" --role manager
user add marcin --name "Marcin Zieliński" --role channel_rep
user add piotr --name "Piotr Kamiński" --role channel_rep
partner add "Dystrybucja Polna" --type distributor --as anna
partner add "Agro-Dystrybutor" --type distributor --as anna
partner add "Biuro Rachunkowe Nowak" --type consultant --as anna
opp new --partner "Dystrybucja Polna" --workflow distributors --as marcin --at 2026-03-02T09:00
log 1 email --as marcin --at 2026-03-02T09:10
log 1 call --as marcin --at 2026-03-02T09:30
done 1 classify --set cooperation_form=resale --as marcin --at 2026-03-02T10:00
advance 1 --as marcin --at 2026-03-03T08:00
opp new --partner "Agro-Dystrybutor" --workflow distributors --as piotr --at 2026-03-04T10:00
log 2 call --as piotr --at 2026-03-04T10:10
opp new --partner "Biuro Rachunkowe Nowak" --workflow referral_partners --as marcin --at 2026-03-20T12:00
log 3 call --as marcin --at 2026-03-20T12:30
EOF
ok kanal batch open.kanal --as admin
export KANAL_USER=anna
every_chart open

# KANAL_CHARTS_KEEP=DIR keeps every chart, page and JSON of the run there
[ -n "${KANAL_CHARTS_KEEP:-}" ] && mkdir -p "$KANAL_CHARTS_KEEP" && cp -r "$T"/. "$KANAL_CHARTS_KEEP"/
finish
