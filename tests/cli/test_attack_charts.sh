#!/bin/sh
# Charts and the dashboard under attack (kanal report NAME --format svg,
# kanal report dashboard --format html, the html format of any list): what a
# hostile or an unlucky user found, each asserted as it should be.
#   1. names are shown, not obeyed: a bidirectional override in a partner's or
#      a workflow's name must not reverse the text drawn after it (the stage
#      of a stale opportunity, the as-of date of a title); a line separator in
#      a name must not break a label over rows the layout did not make;
#   2. every bar has a label: a lost reason whose name shows nothing (spaces,
#      zero-width characters) is named by its id, as an empty name is;
#   3. the funnel chart reads the report's figures: a workflow whose latest
#      version dropped a stage still shows each stage's conversion as the
#      report (its JSON, its table on the same page) has it;
#   4. the dates of a chart's title and of the dashboard's "Covers:" are those
#      the user asked for (--since 2026-01-01 in Warsaw is not 2025-12-31);
#   5. an html page of a list says what it covers (a lost-opportunity list, a
#      partner list, one opportunity's history are not "every opportunity");
#   6. a chart with nothing to draw says why in words that mean it (goals of
#      a workflow without goals);
#   7. size: a workflow with many activity types draws a chart a renderer can
#      draw (no bar for every type a rep never logged); the stale chart of
#      many owners is drawn about as fast as the report is read;
#   8. the text alternative (<desc>) says every figure, however many types.
# Beside them, as guards, what held: every chart and page of hostile names
# (markup, ]]>, comments, quotes, controls, emoji, a 3,990-byte name) is valid
# XML, renders, and holds no element or attribute that runs or fetches.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
# the test's main database (a file on SQLite, a URI on PostgreSQL), come back to after others
MAIN_DB=$KANAL_DB
export TZ=UTC
export KANAL_NOW=2026-11-28T12:00:00Z

# fail MESSAGE: as lib.sh's, but the outputs shown visibly (cat -v) and cut short.
fail() {
    failures=$((failures + 1))
    printf 'FAIL: %s\n  step: %s\n' "$(printf '%s' "$1" | cut -c1-400 | cat -v)" "$(printf '%s' "$step" | cut -c1-300 | cat -v)" >&2
    printf '  stdout: %s\n  stderr: %s\n' "$(printf '%s\n' "$out" | head -n 6 | cut -c1-300 | cat -v)" \
        "$(printf '%s\n' "$err" | head -n 6 | cut -c1-300 | cat -v)" >&2
}

RLO=$(printf '\342\200\256')  # U+202E RIGHT-TO-LEFT OVERRIDE
LS=$(printf '\342\200\250')   # U+2028 LINE SEPARATOR
PS=$(printf '\342\200\251')   # U+2029 PARAGRAPH SEPARATOR
ZW=$(printf '\342\200\213\342\200\215\357\273\277') # ZWSP, ZWJ, BOM: nothing to see
ESC=$(printf '\033')

# ---- the checker -------------------------------------------------------------------------------
cat >"$T/ck.py" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
def drawn(el):
    # the text a <text> draws: its own and its <tspan>s', not its <title> (a tooltip)
    parts = [el.text or ""]
    for c in el:
        if c.tag == NS + "tspan":
            parts.append("".join(c.itertext()))
        parts.append(c.tail or "")
    return "".join(parts)
def open_at_end(s):
    # embeddings and overrides (LRE RLE LRO RLO, closed by PDF) and isolates
    # (LRI RLI FSI, closed by PDI, which closes what was opened inside too)
    stack = []
    for ch in s:
        o = ord(ch)
        if o in (0x202A, 0x202B, 0x202D, 0x202E):
            stack.append("e")
        elif o == 0x202C:
            if stack and stack[-1] == "e":
                stack.pop()
        elif o in (0x2066, 0x2067, 0x2068):
            stack.append("i")
        elif o == 0x2069:
            while stack and stack[-1] != "i":
                stack.pop()
            if stack:
                stack.pop()
    return bool(stack)
cmd, f = sys.argv[1], sys.argv[2]
root = ET.parse(f).getroot()
if cmd == "texts":          # every drawn text, a line each
    for t in root.iter(NS + "text"):
        print(drawn(t).replace("\n", " "))
elif cmd == "bidi":         # each text or title that ends with an override still open
    for t in root.iter(NS + "text"):
        if open_at_end(drawn(t)):
            print("text: " + ascii(drawn(t))[:200])
    for t in root.iter(NS + "title"):
        if open_at_end(t.text or ""):
            print("title: " + ascii(t.text or "")[:200])
elif cmd == "breaks":       # each drawn text holding a line or paragraph separator
    for t in root.iter(NS + "text"):
        if "\u2028" in drawn(t) or "\u2029" in drawn(t):
            print(ascii(drawn(t))[:200])
elif cmd == "active":       # elements that run or fetch, handlers, references
    for e in root.iter():
        tag = e.tag.split("}")[-1]
        if tag in ("script", "foreignObject", "image", "use", "a", "iframe", "animate", "set"):
            print("element " + tag)
        for k in e.attrib:
            if k.split("}")[-1].startswith("on") or k.split("}")[-1] == "href":
                print("attribute %s on %s" % (k, tag))
elif cmd == "height":
    print(int(float(root.get("height"))))
elif cmd == "desc":
    d = root.find(NS + "desc")
    print((d.text or "") if d is not None else "")
elif cmd == "title":
    t = root.find(NS + "title")
    print((t.text or "") if t is not None else "")
EOF
ck() { python3 "$T/ck.py" "$@"; }

# svg_ok FILE: valid XML, rendered by rsvg-convert without a word, nothing that runs or fetches
svg_ok() {
    checks=$((checks + 1))
    xmllint --noout "$1" 2>"$T/.x" || fail "$1 is not well-formed XML: $(head -2 "$T/.x")"
    checks=$((checks + 1))
    rsvg-convert "$1" -o "$T/.png" 2>"$T/.r" && [ ! -s "$T/.r" ] ||
        fail "rsvg-convert cannot draw $1: $(head -2 "$T/.r")"
    checks=$((checks + 1))
    run ck active "$1"
    [ -z "$out" ] || fail "$1 holds markup that runs or fetches: $out"
}
# html_ok FILE: parsed as XML and as HTML, no script, no element that fetches, no handler
html_ok() {
    checks=$((checks + 1))
    xmllint --noout "$1" 2>"$T/.x" || fail "$1 is not well-formed XML: $(head -2 "$T/.x")"
    checks=$((checks + 1))
    python3 - "$1" >"$T/.h" 2>&1 <<'EOF' || fail "$1: $(head -3 "$T/.h")"
import html.parser, sys
bad = []
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "link", "image", "use", "foreignobject", "base", "meta") and not (tag == "meta" and dict(attrs).get("charset") or tag == "meta" and dict(attrs).get("name") == "viewport"):
            bad.append(tag)
        for k, v in attrs:
            if k.startswith("on") or (k in ("href", "src", "xlink:href") and not (v or "").startswith("#")):
                bad.append("%s %s=%s" % (tag, k, v))
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
if bad:
    print("runs or fetches: %s" % bad[:5])
    sys.exit(1)
EOF
}

# ==== 1. hostile names: shown, not obeyed ======================================================
cat >evil.yaml <<'EOF'
workflow: evil
name: "]]></title><script>alert(1)</script><!-- & \"q\" 'a' </svg> \u202Eevil"
partner_types: [distributor]
activity_types:
  - id: call
    name: "<b>Call</b>"
  - id: email
    name: E-mail
lost_reasons:
  - id: r_script
    name: "<script>alert('x')</script>"
  - id: r_cdata
    name: "]]> & <!-- --> </svg></text>"
  - id: r_ctrl
    name: "ctl\x01\x1b[2J\x7f\u0085 end"
  - id: r_emoji
    name: "👨‍👩‍👧‍👦 family 🇵🇱"
  - id: r_ent
    name: "&amp; &lt; &#x3C;script&#x3E; &nbsp;"
stages:
  - id: s1
    name: "<i>Stage</i> one"
    max_days: 1
    goals:
      - id: g1
        name: "<u>goal</u>"
        completed_by: call
  - id: s2
    name: two
EOF
ok kanal init --admin admin --name "Ada"
export KANAL_USER=admin
ok kanal user add manny --name "Manny <script>" --role manager
ok kanal user add rep1 --name "Rep ]]>" --role channel_rep
ok kanal user add rep2 --name "Rep <!--" --role channel_rep
ok kanal workflow apply evil.yaml

X3990=$(printf '%3990s' '' | tr ' ' x)
# the partners: markup, a CDATA end, a comment, controls, an override that runs on,
# line separators, a 3990-byte name; each gets an opportunity, opened on 2026-03-01 + i
i=0
for name in "<script>alert(1)</script>" "]]></desc></svg><svg onload=alert(1)>" \
    "<!-- c --> & &amp; \"dq\" 'sq'" "Evil${ESC}[2J${ESC}[31mRED" "Hurtownia ${RLO}Nowak" \
    "Linia${LS}druga${PS}trzecia" "$ZW" "$X3990" "<?xml-stylesheet href='http://evil/x.xsl'?>" \
    "<img src=http://evil/x.png>"; do
    i=$((i + 1))
    ok kanal partner add "$name" --type distributor --as manny
    ok kanal opp new --partner "$name" --workflow evil --as "rep$((i % 2 + 1))" --at "$(printf '2026-03-%02dT09:00' $i)"
done
# some activity, and five lost opportunities (one for each of the odd reasons)
ok kanal log 1 call --as rep2 --at 2026-03-01T10:00
ok kanal log 2 email --as rep1 --at 2026-03-02T10:00
ok kanal lose 1 --reason r_script --as rep2 --at 2026-03-01T11:00
ok kanal lose 2 --reason r_cdata --as rep1 --at 2026-03-02T11:00
ok kanal lose 3 --reason r_ctrl --as rep2 --at 2026-03-03T11:00
ok kanal lose 4 --reason r_emoji --as rep1 --at 2026-03-04T11:00
ok kanal lose 7 --reason r_ent --as rep2 --at 2026-03-07T11:00
export KANAL_USER=manny

for r in lost-reasons activities funnel stale goals; do
    ok kanal report "$r" --format svg -o "all-$r.svg"
    svg_ok "all-$r.svg"
    ok kanal report "$r" --workflow evil --format svg -o "evil-$r.svg"
    svg_ok "evil-$r.svg"
    ok kanal report "$r" --workflow evil --format html -o "evil-$r.html"
    html_ok "evil-$r.html"
done
ok kanal report lost-reasons --by owner --format svg -o by-owner.svg
svg_ok by-owner.svg
ok kanal report lost-reasons --by stage --format svg -o by-stage.svg
svg_ok by-stage.svg
ok kanal report dashboard --format html -o dash.html
html_ok dash.html
ok kanal opp list --format html
printf '%s\n' "$out" >opps.html
html_ok opps.html

# an override in a partner's name must not reverse the stage drawn after it, nor
# one in the workflow's name the as-of date of the title ("82-11-6202 fo sa")
for f in all-stale.svg evil-lost-reasons.svg evil-activities.svg evil-funnel.svg evil-stale.svg evil-goals.svg; do
    run ck bidi "$f"
    checks=$((checks + 1))
    [ -z "$out" ] || fail "$f: a bidirectional override in a name runs on over the text after it: $out"
done
# a line separator in a name must not break a label into lines drawn over the next row
run ck breaks all-stale.svg
checks=$((checks + 1))
[ -z "$out" ] || fail "all-stale.svg draws a raw U+2028/U+2029 (librsvg breaks the label over the next row): $out"

# ==== 2. every bar has a label ==================================================================
# lost reasons named "     " and by zero-width characters: today drawn as bars without
# a label. A definition that refuses such names (exit 4) is as good.
cat >blank.yaml <<'EOF'
workflow: blank
name: Blank names
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: r_spaces
    name: "     "
  - id: r_zw
    name: "\u200B\u200D\uFEFF"
stages:
  - id: only
    name: Only
EOF
run kanal workflow apply blank.yaml --as admin
if [ "$rc" != 4 ]; then
    expect_rc 0
    ok kanal partner add "Blank 1" --type distributor
    ok kanal opp new --partner "Blank 1" --workflow blank --owner rep1 --at 2026-03-20T09:00
    ok kanal lose "$out" --reason r_spaces --at 2026-03-20T10:00
    ok kanal partner add "Blank 2" --type distributor
    ok kanal opp new --partner "Blank 2" --workflow blank --owner rep2 --at 2026-03-20T09:00
    ok kanal lose "$out" --reason r_zw --at 2026-03-20T10:00
    ok kanal report lost-reasons --workflow blank --format svg -o blank.svg
    svg_ok blank.svg
    run ck texts blank.svg
    for id in r_spaces r_zw; do
        checks=$((checks + 1))
        printf '%s\n' "$out" | grep -q "$id" ||
            fail "the lost reason $id, whose name shows nothing, has a bar but no label (its id is not drawn)"
    done
fi

# ==== 3. the funnel reads the report's figures across versions ==================================
cat >v1.yaml <<'EOF'
workflow: vv
name: Versioned
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: no
    name: No
stages:
  - id: a
    name: A
  - id: b
    name: B
  - id: c
    name: C
EOF
sed -e '/id: b$/,/name: B$/d' v1.yaml >v2.yaml
export KANAL_DB=$(new_db versions)
export KANAL_USER=admin
ok kanal init --admin admin
ok kanal user add boss --name Boss --role admin,manager
export KANAL_USER=boss
ok kanal user add rep --name Rep --role rep
ok kanal workflow apply v1.yaml
for p in P1 P2 P3; do ok kanal partner add $p --type distributor; done
ok kanal opp new --partner P1 --workflow vv --owner rep --at 2026-01-01T00:00
ok kanal advance 1 --at 2026-01-02T00:00                     # stays in b
ok kanal opp new --partner P2 --workflow vv --owner rep --at 2026-01-01T00:00
ok kanal advance 2 --at 2026-01-02T00:00
ok kanal advance 2 --at 2026-01-03T00:00
ok kanal win 2 --at 2026-01-04T00:00                         # won in c, the last stage
ok kanal workflow apply v2.yaml                              # b is gone from version 2
ok kanal opp new --partner P3 --workflow vv --owner rep --at 2026-02-01T00:00
export KANAL_USER=boss
ok kanal report funnel --json
printf '%s\n' "$out" >funnel.json
# the report: a 2 of 3 advanced, b 1 of 2 advanced, c 1 of 1 won
rates=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rows"]:
    print("%s %s" % (r["stage"], r["conversion"]))' funnel.json)
checks=$((checks + 1))
[ "$rates" = "a 0.6667
c 1
b 0.5" ] || fail "the funnel report itself changed: $rates"
ok kanal report funnel --format svg -o funnel.svg
svg_ok funnel.svg
run ck texts funnel.svg
for want in "2 advanced: 67% (2 of 3)" "1 won: 100% (1 of 1)" "1 advanced: 50% (1 of 2)"; do
    checks=$((checks + 1))
    printf '%s\n' "$out" | grep -qF "$want" ||
        fail "the funnel chart does not say '$want' as the report does (it takes the last row for the last stage): $(printf '%s\n' "$out" | grep -E 'entered' | tr '\n' '|')"
done
# the same page must not say two figures for one stage: the chart as the table
ok kanal report dashboard --format html -o versions.html
html_ok versions.html
checks=$((checks + 1))
grep -qF '0% (0 of 1)' versions.html &&
    fail "the dashboard's funnel chart says c converted 0% (0 of 1) where its table says 100% (1 of 1)"

# ==== 4. the dates of a title are the dates asked for ===========================================
export KANAL_DB=$MAIN_DB
export KANAL_USER=manny
run env TZ=Europe/Warsaw "$KANAL_BIN" report lost-reasons --since 2026-01-01 --until 2026-03-31 --as-of 2026-04-01 --format svg
expect_rc 0
printf '%s\n' "$out" >warsaw.svg
run ck title warsaw.svg
expect_out_has "2026-01-01 to 2026-03-31"
expect_out_lacks "2025-12-31"
run env TZ=Europe/Warsaw "$KANAL_BIN" report dashboard --since 2026-01-01 --until 2026-03-31 --as-of 2026-04-01 --format html
expect_rc 0
expect_out_has "Covers: created from 2026-01-01 until 2026-03-31"
expect_out_lacks "2025-12-31"
# west of Greenwich the end of the period must not slip to the next day either
run env TZ=America/New_York "$KANAL_BIN" report lost-reasons --since 2026-01-01 --until 2026-03-31 --as-of 2026-04-30 --format svg
expect_rc 0
printf '%s\n' "$out" >newyork.svg
run ck title newyork.svg
expect_out_has "2026-01-01 to 2026-03-31"
expect_out_lacks "2026-04-01"
expect_out_lacks "as of 2026-05-01"

# ==== 5. an html page of a list says what it covers =============================================
# header PAGE-TEXT: the page's <header>, where it says what it covers
header() { printf '%s\n' "$out" | sed -n '/<header>/,/<\/header>/p'; }
ok kanal opp list --status lost --stage s1 --format html
expect_out_lacks "Covers: every opportunity"
checks=$((checks + 1))
header | grep -q 'lost' || fail "the page of the lost opportunities in s1 does not say it holds only those: $(header | grep -i covers)"
ok kanal partner list --type distributor --format html
expect_out_lacks "every opportunity"
ok kanal history 4 --format html
expect_out_lacks "every opportunity"
checks=$((checks + 1))
header | grep -qi 'opportunity 4\|#4' ||
    fail "the history page never says which opportunity it is the history of"

# ==== 6. nothing to draw, in words that mean it =================================================
cat >nogoals.yaml <<'EOF'
workflow: nogoals
name: No goals
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: no
    name: No
stages:
  - id: only
    name: Only
EOF
ok kanal workflow apply nogoals.yaml --as admin
ok kanal report goals --workflow nogoals --format svg -o nogoals.svg
svg_ok nogoals.svg
run ck texts nogoals.svg
expect_out_has "No data to draw"
expect_out_lacks "No data to draw: a mandatory goal is done"

# ==== 7. size: many activity types, many owners =================================================
# 200 activity types (a workflow may define them), 20 reps, each logging 10 of them:
# today every rep gets a bar for each of the 200 types, 10 px each: 40,000 px, which
# no renderer of the tests can draw (librsvg stops at 32,767 px)
export KANAL_DB=$(new_db types)
python3 - <<'EOF'
y = ["workflow: many", "name: Many types", "partner_types: [distributor]", "activity_types:"]
for i in range(200):
    y += ["  - id: t%03d" % i, "    name: Type %d" % i]
y += ["lost_reasons:", "  - id: no", "    name: No", "stages:", "  - id: only", "    name: Only"]
open("many.yaml", "w").write("\n".join(y) + "\n")
b = []
for r in range(20):
    b.append("user add rep%02d --name 'Rep %d' --role rep" % (r, r))
    b.append("partner add P%02d --type distributor" % r)
    b.append("opp new --partner P%02d --workflow many --owner rep%02d --at 2026-01-01T00:00" % (r, r))
    for k in range(10):
        b.append("log %d t%03d --at 2026-01-01T01:%02d" % (r + 1, r * 10 + k, k))
open("many.kanal", "w").write("\n".join(b) + "\n")
EOF
export KANAL_USER=admin
ok kanal init --admin admin
ok kanal user add boss --name Boss --role admin,manager
export KANAL_USER=boss
ok kanal workflow apply many.yaml
ok kanal batch --atomic many.kanal
export KANAL_USER=boss
ok kanal report activities --format svg -o many.svg
run ck height many.svg
checks=$((checks + 1))
[ "$out" -le 32767 ] 2>/dev/null ||
    fail "the activities chart of 20 reps is $out px tall: a bar for each of 200 types on every rep, drawn or not (librsvg cannot draw it)"
checks=$((checks + 1))
rsvg-convert many.svg -o many.png 2>"$T/.r" || fail "rsvg-convert cannot draw the activities chart of 20 reps: $(head -1 "$T/.r")"
checks=$((checks + 1))
[ "$(grep -c 'width="0.0"' many.svg)" -le 100 ] ||
    fail "the activities chart draws $(grep -c 'width="0.0"' many.svg) bars of width 0"

# 4,000 owners, each with a stale opportunity: the chart groups the rows by owner by
# reading every row once for every owner (4,000 x 4,000): seconds where the report
# takes a tenth of one
export KANAL_DB=$(new_db owners)
cat >one.yaml <<'EOF'
workflow: one
name: One stage
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: no
    name: No
stages:
  - id: only
    name: Only
    max_days: 1
EOF
awk 'BEGIN { for (r = 0; r < 4000; r++) {
    printf "user add r%04d --name R --role rep\n", r
    printf "partner add Q%04d --type distributor\n", r
    printf "opp new --partner Q%04d --workflow one --owner r%04d --at 2026-01-01T00:00\n", r, r } }' >owners.kanal
export KANAL_USER=admin
ok kanal init --admin admin
ok kanal user add boss --name Boss --role admin,manager
export KANAL_USER=boss
ok kanal workflow apply one.yaml
ok kanal batch --atomic owners.kanal
export KANAL_USER=boss
now() { date +%s.%N; }
t0=$(now)
ok kanal report stale --json
t1=$(now)
ok kanal report stale --format svg -o owners.svg
t2=$(now)
checks=$((checks + 1))
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { j = b - a; s = c - b; lim = 10 * j; if (lim < 1.5) lim = 1.5; exit !(s <= lim) }' ||
    fail "the stale chart of 4,000 owners took $(awk -v b="$t1" -v c="$t2" 'BEGIN { printf "%.2f", c - b }') s, the report's JSON $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (quadratic in owners x rows)"

# ==== 8. the text alternative says every figure =================================================
# 100 activity types of 63-character ids, all logged by one rep: the <desc> is cut at
# 4,600 bytes and loses the rep's win rate
export KANAL_DB=$(new_db longids)
python3 - <<'EOF'
ids = ["t%02d_" % i + "x" * 59 for i in range(100)]
y = ["workflow: lt", "name: Long ids", "partner_types: [distributor]", "activity_types:"]
for i in ids:
    y += ["  - id: " + i, "    name: T"]
y += ["lost_reasons:", "  - id: no", "    name: No", "stages:", "  - id: only", "    name: Only"]
open("lt.yaml", "w").write("\n".join(y) + "\n")
b = ["user add r --name R --role rep", "partner add P1 --type distributor",
     "opp new --partner P1 --workflow lt --owner r --at 2026-01-01T00:00"]
b += ["log 1 %s --at 2026-01-01T01:00" % i for i in ids]
b.append("lose 1 --reason no --at 2026-01-01T02:00")
open("lt.kanal", "w").write("\n".join(b) + "\n")
EOF
export KANAL_USER=admin
ok kanal init --admin admin
ok kanal user add boss --name Boss --role admin,manager
export KANAL_USER=boss
ok kanal workflow apply lt.yaml
ok kanal batch --atomic lt.kanal
ok kanal report activities --format svg -o lt.svg --as boss
svg_ok lt.svg
run ck desc lt.svg
expect_out_has "t99_xxx"
expect_out_has "win rate 0% (0 of 1)"

finish
