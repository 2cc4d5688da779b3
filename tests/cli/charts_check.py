#!/usr/bin/env python3
"""charts_check.py — the checks of tests/cli/test_charts.sh on the charts
(SVG) and the dashboard (HTML, JSON, table) that `kanal report` writes.
Standard library only. Every check prints one line, "ok: WHAT" or
"FAIL: WHAT: WHY"; the shell counts them. Exit 0 when no check failed.

  charts_check.py selftest DIR
      the run-off detector against hand-made SVGs (one clean, four running
      off), and the PNG decoder against rows of every filter type
  charts_check.py aliases WORKFLOWS_JSON USERS_JSON > ALIASES
      id=name lines: a workflow or an owner may be named either way in a title
  charts_check.py svg FILE --report NAME --json JSON [--aliases ALIASES]
      one chart: XML, rendering, no external references, the <title>, the
      numbers against the report's JSON, "no data", nothing off the canvas
  charts_check.py html FILE [--aliases ALIASES] [--notes FILE] REPORT_JSON...
      the dashboard page, against each report's own --json (lost-reasons first)
  charts_check.py dashjson DJSON EXPECTED_JSON...
      the dashboard's JSON against each report's own `--json`
  charts_check.py table DASHBOARD_TXT REPORT_TXT...
      the dashboard's table holds every report's text

The expected figures come from the report's JSON (`kanal report NAME --json`,
same filters) and from the specification of the charts (issue 12):
  every rate is written "P% (K of N)", P = 100*K/N rounded to the nearest
  integer (at an exact half either neighbour is accepted); a rate over N = 0
  is never written as a percentage;
  lost-reasons: each row's reason name, in full, "P% (count of lost)";
  activities: per owner row the owner, in full, and "P% (won of won+lost)", each
    non-zero activity count as a plain number; per first-touch comparison row
    "P% (won of won+lost)";
  funnel: per stage entered and advanced as plain numbers, "P% (advanced of
    entered)" (last stage: won of entered), median_days as the JSON writes it;
  stale: per row the days over the limit (days_in_stage - max_days) as a plain
    number, and the partner's name or the opportunity's #id;
  goals: "P% (done_won of done_closed)", "P% (not_done_won of
    not_done_closed)" when the denominator is not 0;
  compare: per version "version N", its opportunities as a plain number,
    "P% (won of won+lost)", median_days_to_win as the JSON writes it, and per
    lost reason of top_lost_reasons its name and "P% (count of lost)".
  No rows: the chart's text says "no data".
"In the text" is the text a <text> element draws: a <title> inside it is a
tooltip, not drawn. On the dashboard page, a rate K of N must read the same P
in every chart, table and note.
"""
import collections
import copy
import html.parser
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
MARGIN = 300  # px added on every side to look for what runs off
TOLERANCE = 1  # px band just outside the canvas that is not counted (a stroke's half)

failed = 0


def ok(what):
    print("ok: " + what)


def fail(what, why):
    global failed
    failed += 1
    # one line per check: newlines in the reason would be miscounted
    why = " ".join(str(why).split())
    if len(why) > 1500:
        why = why[:1500] + "..."
    print("FAIL: %s: %s" % (what, why))


def check(cond, what, why=""):
    if cond:
        ok(what)
    else:
        fail(what, why or "no")
    return cond


def norm(s):
    """whitespace collapsed (no-break and thin spaces are spaces)."""
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return " ".join(s.split())


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# ---- expected figures from a report's JSON -----------------------------------------------------


def rate_alts(k, n):
    """the acceptable writings of the rate K of N (None when N is 0)."""
    if n == 0:
        return None
    q, r = divmod(100 * k, n)
    if 2 * r > n:
        ps = [q + 1]
    elif 2 * r == n:
        ps = [q, q + 1]
    else:
        ps = [q]
    return ["%d%% (%d of %d)" % (p, k, n) for p in ps]


class Expect:
    """what a chart's text must hold for one report."""

    def __init__(self):
        self.rates = collections.Counter()  # (k, n) -> how many times
        self.numbers = collections.Counter()  # "12" / "9.33" -> how many times
        self.names = []  # (what, text) that must be readable
        self.no_data = False
        self.zero_rates = 0  # rates over 0 in the report (never a percentage)


def raw_json(path):
    """the JSON with every number kept as written."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=lambda x: x, parse_int=lambda x: x)


def expect_of(rep, raw):
    """Expect for the report REP (parsed JSON) and RAW (numbers as text)."""
    e = Expect()
    name = rep.get("report")
    rows = rep.get("rows") or []
    rrows = raw.get("rows") or []

    def rate(k, n):
        if n:
            e.rates[(k, n)] += 1
        else:
            e.zero_rates += 1

    if name == "lost-reasons":
        for r in rows:
            e.names.append(("the reason name of row %s" % r.get("reason"), [r["name"]]))
            rate(r["count"], r["lost"])
            if r.get("owner") is not None:
                e.names.append(("the owner of a row", [r["owner"]]))
        e.no_data = not rows
    elif name == "activities":
        for r in rows:
            e.names.append(("the owner", [r["owner"]]))
            rate(r["won"], r["won"] + r["lost"])
            for v in r["activities"].values():
                if v:
                    e.numbers[str(v)] += 1
        for c in rep.get("first_touch_comparison") or []:
            rate(c["won"], c["won"] + c["lost"])
        e.no_data = not rows and not rep.get("first_touch_comparison")
    elif name == "funnel":
        for i, (r, rr) in enumerate(zip(rows, rrows)):
            e.numbers[str(r["entered"])] += 1
            e.numbers[str(r["advanced"])] += 1
            if i == len(rows) - 1:
                rate(r["won"], r["entered"])
            else:
                rate(r["advanced"], r["entered"])
            if rr.get("median_days") is not None:
                e.numbers[rr["median_days"]] += 1
        e.no_data = not rows
    elif name == "stale":
        for r in rows:
            e.numbers[str(r["days_in_stage"] - r["max_days"])] += 1
            # (the specification asks only for the days; the row must say which
            # opportunity it is: its partner's name or its number)
            e.names.append(("opportunity %s, by its partner or number" % r["id"], [r["partner"], "#%s" % r["id"]]))
        e.no_data = not rows
    elif name == "goals":
        for r in rows:
            rate(r["done_won"], r["done_closed"])
            rate(r["not_done_won"], r["not_done_closed"])
        e.no_data = not rows
    elif name == "compare":
        for r, rr in zip(rows, rrows):
            e.names.append(("version %s" % r["version"], ["version %s" % r["version"]]))
            e.numbers[str(r["opportunities"])] += 1
            rate(r["won"], r["won"] + r["lost"])
            if rr.get("median_days_to_win") is not None:
                e.numbers[rr["median_days_to_win"]] += 1
            for lr in r.get("top_lost_reasons") or []:
                e.names.append(("the lost reason %s of version %s" % (lr["reason"], r["version"]),
                                [lr["name"] or lr["reason"]]))
                rate(lr["count"], r["lost"])
        e.no_data = not rows
    return e


# ---- the text of a chart -----------------------------------------------------------------------

RATE_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*%\s*\(\s*(\d+)\s+of\s+(\d+)\s*\)")
NUM_RE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?|\b\d{1,2}:\d{2}(?::\d{2})?\b")
BAD_WORDS = re.compile(r"(?i)\b(nan|inf|infinity|undefined|null)\b|%[sdfg]\b")


class ChartText:
    """the texts of one chart: one string per <text> element."""

    def __init__(self, texts):
        # texts: list of (glued, spaced): the element's text pieces joined
        # without and with a space (a name wrapped over <tspan>s reads with spaces)
        self.texts = [(norm(a), norm(b)) for a, b in texts]

    def all_spaced(self):
        return " ".join(b for _, b in self.texts)

    def all_glued(self):
        return " ".join(a for a, _ in self.texts)


def check_figures(what, ct, e):
    """the checks of the figures E against the chart text CT."""
    # every rate written in the chart is computed right, and none over 0
    bad, zero = [], []
    for glued, _ in ct.texts:
        for m in RATE_RE.finditer(glued):
            p, k, n = m.group(1), int(m.group(2)), int(m.group(3))
            if n == 0:
                zero.append(m.group(0))
                continue
            if p not in [a.split("%")[0] for a in rate_alts(k, n)]:
                bad.append(m.group(0))
    check(not bad, what + ": every 'P% (K of N)' has P = 100*K/N rounded",
          "written: %s" % bad[:10])
    check(not zero, what + ": no rate over 0 is written as a percentage", "written: %s" % zero[:10])
    weird = [g for g, _ in ct.texts if BAD_WORDS.search(g)]
    check(not weird, what + ": no NaN, inf, null, undefined or printf leftovers in the text",
          "texts: %s" % weird[:5])

    # the rates of the report, each as many times as the report has it
    found = collections.Counter()
    for glued, spaced in ct.texts:
        ms = list(RATE_RE.finditer(glued)) or list(RATE_RE.finditer(spaced))
        for m in ms:
            found[(int(m.group(2)), int(m.group(3)), m.group(1))] += 1
    missing = []
    for (k, n), times in sorted(e.rates.items()):
        alts = rate_alts(k, n)
        got = sum(found[(k, n, a.split("%")[0])] for a in alts)
        if got < times:
            missing.append("%s written %d times, want %d" % (" or ".join(alts), got, times))
    if e.rates:
        check(not missing, what + ": the report's rates written 'P%% (K of N)' (%d of them)"
              % sum(e.rates.values()), "; ".join(missing[:12]))

    # the plain numbers
    if e.numbers:
        toks = collections.Counter()
        for glued, _ in ct.texts:
            t = RATE_RE.sub(" ", glued)
            t = DATE_RE.sub(" ", t)
            # "none entered" writes the count 0 in words
            t = re.sub(r"(?i)\b(none|no)\b", " 0 ", t)
            for m in NUM_RE.finditer(t):
                toks[m.group(1)] += 1
        short = ["%s: %d of %d" % (v, toks[v], n) for v, n in sorted(e.numbers.items()) if toks[v] < n]
        check(not short, what + ": the report's counts and days written as numbers (%d of them)"
              % sum(e.numbers.values()),
              "found fewer than wanted (value: found of wanted): %s; numbers in the chart: %s"
              % ("; ".join(short[:12]), dict(toks)))

    # the names
    if e.names:
        spaced, glued = ct.all_spaced(), ct.all_glued()
        gone = [(w, alts) for w, alts in e.names
                if not any(norm(n) in spaced or norm(n) in glued for n in alts)]
        check(not gone, what + ": every row's name is written in full, in the drawn text (%d)" % len(e.names),
              "; ".join("%s: '%s'" % (w, "' or '".join(a)) for w, a in gone[:6]) +
              " (a <title> tooltip is not drawn text)")

    if e.no_data:
        check("no data" in ct.all_spaced().lower(), what + ": a report without rows says 'no data'",
              "texts: %s" % [g for g, _ in ct.texts][:10])


# ---- SVG ---------------------------------------------------------------------------------------


def length_px(v):
    """an SVG length in px, or None (percentages, unknown units)."""
    if v is None:
        return None
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in)?\s*", v)
    if not m:
        return None
    f = float(m.group(1))
    return f * {None: 1, "px": 1, "pt": 96 / 72, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54,
                "in": 96}[m.group(2)]


def external_refs(root, raw):
    """what in the SVG points outside it."""
    found = []
    for el in root.iter():
        n = local(el.tag)
        if n in ("script", "image", "foreignObject", "iframe", "object", "embed", "audio", "video"):
            found.append("<%s>" % n)
        for k, v in el.attrib.items():
            kn = local(k)
            if kn == "href" and not v.strip().startswith("#"):
                found.append("%s=%r on <%s>" % (kn, v[:80], n))
            if kn.lower().startswith("on"):
                found.append("event handler %s on <%s>" % (kn, n))
            if re.search(r"(?i)url\(\s*(?!['\"]?#)", v):
                found.append("url() to outside in %s=%r" % (kn, v[:80]))
            if re.search(r"(?i)(https?:|file:|javascript:)", v):
                found.append("%s=%r" % (kn, v[:80]))
        if n == "style" and el.text:
            if "@import" in el.text:
                found.append("@import in <style>")
            if re.search(r"(?i)url\(\s*(?!['\"]?#)", el.text):
                found.append("url() to outside in <style>")
    if "<?xml-stylesheet" in raw:
        found.append("<?xml-stylesheet?>")
    if re.search(r"<!DOCTYPE[^>]*(SYSTEM|PUBLIC)", raw):
        found.append("a DOCTYPE naming an external DTD")
    if re.search(r"<!ENTITY", raw):
        found.append("an entity declaration")
    # every http(s) in the file is the namespace of SVG or XLink
    rest = raw.replace(SVG, "").replace(XLINK, "")
    for m in re.finditer(r"(?i)https?://[^\s\"'<>)]*", rest):
        found.append(m.group(0)[:80])
    return found


def visible_pieces(el):
    """the text an element draws: without its <title> or <desc> (a tooltip)."""
    out = [el.text or ""]
    for c in el:
        if local(c.tag) not in ("title", "desc"):
            out += visible_pieces(c)
        out.append(c.tail or "")
    return [p for p in out if p]


def svg_texts(root):
    out = []
    for el in root.iter("{%s}text" % SVG):
        pieces = visible_pieces(el)
        out.append(("".join(pieces), " ".join(pieces)))
    return out


def png_rows(path):
    """(width, height, bytes per pixel, raw rows with their filter byte) of a PNG."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(d):
        n, t = struct.unpack(">I4s", d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        if t == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif t == b"IDAT":
            idat.append(body)
        elif t == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("PNG of depth %d, colour type %d, interlace %d: not decoded here"
                         % (depth, ctype, interlace))
    bpp = 4 if ctype == 6 else 3
    return w, h, bpp, zlib.decompress(b"".join(idat))


def png_unfilter(w, h, bpp, raw):
    """the pixels, row by row, the five PNG filter types undone."""
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        base = y * (stride + 1)
        ft = raw[base]
        cur = bytearray(raw[base + 1:base + 1 + stride])
        if ft == 0:
            pass
        elif ft == 1:
            for i in range(bpp, stride):
                cur[i] = (cur[i] + cur[i - bpp]) & 255
        elif ft == 2:
            for i in range(stride):
                cur[i] = (cur[i] + prev[i]) & 255
        elif ft == 3:
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (cur[i] + pr) & 255
        else:
            raise ValueError("PNG filter type %d" % ft)
        rows.append(cur)
        prev = cur
    return rows


def ink_outside(path, workdir):
    """None when nothing of the SVG at PATH is drawn outside its canvas (as
    rsvg-convert draws it), else what is. The canvas is set, with its own
    viewBox, inside a larger one (MARGIN on every side, overflow visible), the
    canvas itself (and a TOLERANCE band around it) is clipped away, so every
    pixel left that is not fully transparent is ink off the canvas."""
    tree = ET.parse(path)
    root = tree.getroot()
    w, h = length_px(root.get("width")), length_px(root.get("height"))
    if not w or not h:
        return "cannot tell: width/height %r/%r are not lengths" % (root.get("width"), root.get("height"))
    vb = root.get("viewBox") or "0 0 %s %s" % (w, h)
    inner = copy.deepcopy(root)
    inner.set("x", str(MARGIN))
    inner.set("y", str(MARGIN))
    inner.set("width", str(w))
    inner.set("height", str(h))
    inner.set("viewBox", vb)
    inner.set("overflow", "visible")
    if inner.get("style"):
        inner.set("style", inner.get("style") + ";overflow:visible")
    W, H = w + 2 * MARGIN, h + 2 * MARGIN
    outer = ET.Element("{%s}svg" % SVG, {"width": str(W), "height": str(H), "viewBox": "0 0 %s %s" % (W, H)})
    defs = ET.SubElement(outer, "{%s}defs" % SVG)
    cp = ET.SubElement(defs, "{%s}clipPath" % SVG, {"id": "zz-kanal-test-outside"})
    t = TOLERANCE
    ET.SubElement(cp, "{%s}path" % SVG, {
        "clip-rule": "evenodd",
        "d": "M0 0H%s V%s H0Z M%s %sh%s v%s h%s Z" % (W, H, MARGIN - t, MARGIN - t, w + 2 * t, h + 2 * t,
                                                   -(w + 2 * t))})
    g = ET.SubElement(outer, "{%s}g" % SVG, {"clip-path": "url(#zz-kanal-test-outside)"})
    g.append(inner)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    big = os.path.join(workdir, os.path.basename(path) + ".enlarged.svg")
    ET.ElementTree(outer).write(big, encoding="utf-8", xml_declaration=True)
    png = big + ".png"
    p = subprocess.run(["rsvg-convert", "-o", png, big], capture_output=True, text=True, errors="replace")
    if p.returncode != 0:
        return "cannot tell: rsvg-convert of the enlarged copy failed: %s" % p.stderr.strip()
    pw, ph, bpp, raw = png_rows(png)
    stride = pw * bpp
    clean = True
    for y in range(ph):
        row = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        if row.count(0) != stride:
            clean = False
            break
    if clean:
        return None
    # something is there: say where (the slow, full decoding)
    pix = png_unfilter(pw, ph, bpp, raw)
    x0, y0, x1, y1, n = pw, ph, -1, -1, 0
    for y, row in enumerate(pix):
        for x in range(pw):
            a = row[x * bpp + 3] if bpp == 4 else 255
            if a:
                n += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    if n == 0:
        return None
    sides = []
    if x0 < MARGIN:
        sides.append("%d px left of it" % (MARGIN - x0))
    if x1 >= MARGIN + w:
        sides.append("%d px right of it" % (x1 - (MARGIN + w) + 1))
    if y0 < MARGIN:
        sides.append("%d px above it" % (MARGIN - y0))
    if y1 >= MARGIN + h:
        sides.append("%d px below it" % (y1 - (MARGIN + h) + 1))
    return ("%d pixels drawn outside the %gx%g canvas, reaching %s (canvas coordinates x %d..%d, y %d..%d)"
            " — see %s" % (n, w, h, ", ".join(sides), x0 - MARGIN, x1 - MARGIN, y0 - MARGIN, y1 - MARGIN, png))


# words of each report's question, one of which its title must use
KEYWORDS = {
    "lost-reasons": ["lost", "say no", "said no", "says no", "why partners"],
    "activities": ["activit", "what works", "each rep", "per rep", "what it wins"],
    "funnel": ["funnel", "stuck"],
    "stale": ["stale", "too long", "waits", "waiting"],
    "goals": ["goal"],
    "compare": ["change help", "versions compared"],
}


def title_expectations(rep, aliases):
    """(what, [alternatives]) the chart's title must hold, from the report's JSON."""
    kw = KEYWORDS
    out = [("what the report is about", kw.get(rep.get("report"), [rep.get("report", "?")]))]
    out.append(("the as-of date", [rep["as_of"][:10]]))
    f = rep.get("filters") or {}
    for key in ("workflow", "owner"):
        if f.get(key):
            out.append(("the %s filter" % key, [f[key]] + ([aliases[f[key]]] if f[key] in aliases else [])))
    if f.get("since") and f.get("until"):
        out.append(("the dates", ["%s to %s" % (f["since"][:10], f["until"][:10])]))
    elif f.get("since"):
        out.append(("the since date", [f["since"][:10]]))
    elif f.get("until"):
        out.append(("the until date", [f["until"][:10]]))
    return out


def cmd_svg(args):
    path = args.pop(0)
    report, jpath, aliases = None, None, {}
    while args:
        a = args.pop(0)
        if a == "--report":
            report = args.pop(0)
        elif a == "--json":
            jpath = args.pop(0)
        elif a == "--aliases":
            aliases.update(read_aliases(args.pop(0)))
        else:
            raise SystemExit("unknown argument " + a)
    what = os.path.basename(path)
    with open(jpath, encoding="utf-8") as f:
        rep = json.load(f)
    check(rep.get("report") == report, what + ": the JSON beside it is of the report " + report,
          "it is %r" % rep.get("report"))

    p = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True, errors="replace")
    check(p.returncode == 0 and not p.stderr, what + ": xmllint --noout accepts it",
          "exit %d: %s" % (p.returncode, p.stderr))
    png = path + ".png"
    p = subprocess.run(["rsvg-convert", "-o", png, path], capture_output=True, text=True, errors="replace")
    check(p.returncode == 0 and not p.stderr and os.path.exists(png) and os.path.getsize(png) > 0,
          what + ": rsvg-convert renders it, silently", "exit %d: %s" % (p.returncode, p.stderr))

    with open(path, "rb") as f:
        data = f.read()
    try:
        raw = data.decode("utf-8")
        check(True, what + ": is UTF-8")
    except UnicodeDecodeError as ex:
        fail(what + ": is UTF-8", ex)
        raw = data.decode("utf-8", "replace")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as ex:
        fail(what + ": parses as XML", ex)
        return
    check(root.tag == "{%s}svg" % SVG, what + ": the root is <svg> in the SVG namespace", "root %s" % root.tag)
    w, h = length_px(root.get("width")), length_px(root.get("height"))
    check(bool(w) and bool(h) and w > 0 and h > 0, what + ": the root has a width and a height",
          "width=%r height=%r" % (root.get("width"), root.get("height")))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    check(len(ids) == len(set(ids)), what + ": every id is used once",
          "repeated: %s" % sorted(i for i in set(ids) if ids.count(i) > 1))
    ext = external_refs(root, raw)
    check(not ext, what + ": no external reference, script or image", "; ".join(ext[:8]))

    kids = list(root)
    first = kids[0] if kids else None
    if check(first is not None and first.tag == "{%s}title" % SVG, what + ": <title> is the first child of <svg>",
             "first child %s" % (first.tag if first is not None else None)):
        title = norm("".join(first.itertext()))
        for w_, alts in title_expectations(rep, aliases):
            check(any(a.lower() in title.lower() for a in alts),
                  what + ": the title says %s (%s)" % (w_, " or ".join(alts)), "title: %r" % title)

    ct = ChartText(svg_texts(root))
    check(len(ct.texts) >= 2, what + ": the chart writes text (<text> elements)", "%d" % len(ct.texts))
    e = expect_of(rep, raw_json(jpath))
    check_figures(what, ct, e)

    why = ink_outside(path, os.path.dirname(os.path.abspath(path)))
    check(why is None, what + ": nothing drawn off the canvas (rsvg-convert, %d px margin)" % MARGIN, why)


def cmd_selftest(args):
    """the run-off detector itself, with the real renderer."""
    tmp = args[0] if args else tempfile.mkdtemp()
    cases = {
        "clean": ('<svg xmlns="%s" width="200" height="50"><title>t</title>'
                  '<rect width="100%%" height="100%%" fill="white" stroke="black"/>'
                  '<rect x="150" y="10" width="50" height="40" fill="blue"/>'
                  '<text x="10" y="30" font-size="12">inside</text></svg>' % SVG, False),
        "text-right": ('<svg xmlns="%s" width="200" height="50"><title>t</title>'
                       '<text x="150" y="30" font-size="12">a label running off the right</text></svg>' % SVG, True),
        "viewbox-top": ('<svg xmlns="%s" width="400" height="100" viewBox="0 0 200 50"><title>t</title>'
                        '<text x="10" y="2" font-size="12">above the top</text></svg>' % SVG, True),
        "bar-bottom": ('<svg xmlns="%s" width="200" height="50"><title>t</title>'
                       '<rect x="10" y="40" width="20" height="30" fill="red"/></svg>' % SVG, True),
        "text-left": ('<svg xmlns="%s" width="200" height="50"><title>t</title>'
                      '<text x="5" y="30" text-anchor="end" font-size="12">ąęłńóśźż left</text></svg>' % SVG, True),
    }
    for name, (src, runs_off) in cases.items():
        p = os.path.join(tmp, "selftest-%s.svg" % name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(src)
        why = ink_outside(p, tmp)
        if runs_off:
            check(why is not None and not why.startswith("cannot"),
                  "the run-off detector sees %s" % name, why or "it saw nothing")
        else:
            check(why is None, "the run-off detector passes %s" % name, why)
    # the PNG decoder against a PNG whose rows use every filter type (made here)
    w, h = 5, 6
    pix = [bytearray((x * 37 + y * 11 + c * 5) & 255 for x in range(w) for c in range(4)) for y in range(h)]
    rawrows, prev = [], bytearray(w * 4)
    for y, row in enumerate(pix):
        ft = y % 5
        out = bytearray()
        for i in range(len(row)):
            a = row[i - 4] if i >= 4 else 0
            b = prev[i]
            c = prev[i - 4] if i >= 4 else 0
            if ft == 0:
                pr = 0
            elif ft == 1:
                pr = a
            elif ft == 2:
                pr = b
            elif ft == 3:
                pr = (a + b) >> 1
            else:
                p_ = a + b - c
                pa, pb, pc = abs(p_ - a), abs(p_ - b), abs(p_ - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out.append((row[i] - pr) & 255)
        rawrows.append(bytes([ft]) + bytes(out))
        prev = row
    got = png_unfilter(w, h, 4, b"".join(rawrows))
    check(got == pix, "the PNG decoder undoes the five filter types")


# ---- HTML --------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPTIONAL_END = {"html", "head", "body", "p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot",
                "option", "colgroup", "caption"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []  # ("svg", index) / ("table", index) / ("h", text) in document order
        self.svgs = []  # dicts: attrs, texts [(glued, spaced)], alt (title/desc), html_before (heading)
        self.tables = []  # dicts: th count
        self.stack = []
        self.problems = []
        self.text = []  # all text, in order
        self.head_text = []  # text before the first svg
        self.ids = set()
        self.meta_charset = False
        self.style = []
        self.cur_svg = None
        self.svg_depth = 0
        self.cur_text = None
        self.cur_alt = None  # collecting a title/desc child of svg
        self.cur_table = None
        self.cur_h = None
        self.headings = []
        self.in_style = False
        self.tooltip = 0  # inside a <title> or <desc> of a <text>
        self.dup_ids = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        top = self.cur_svg is None
        if a.get("id"):
            if a["id"] in self.ids:
                self.dup_ids.append(a["id"])
            self.ids.add(a["id"])
        if tag == "meta" and (a.get("charset", "").lower() == "utf-8" or "utf-8" in (a.get("content") or "").lower()):
            self.meta_charset = True
        if tag == "svg":
            if top:
                self.cur_svg = {"attrs": a, "texts": [], "alt": [], "heading": self.headings[-1] if self.headings else ""}
                self.svgs.append(self.cur_svg)
                self.events.append(("svg", len(self.svgs) - 1))
                self.svg_depth = 0
                self.stack.append("svg")
            self.svg_depth += 1
            return
        if not top:
            if tag in ("title", "desc") and self.cur_text is not None:
                self.tooltip += 1
            if tag == "text" and self.cur_text is None:
                self.cur_text = []
            if tag in ("title", "desc") and self.svg_depth == 1 and self.cur_text is None:
                self.cur_alt = []
            return
        if tag == "table":
            self.cur_table = {"th": 0}
            self.tables.append(self.cur_table)
            self.events.append(("table", len(self.tables) - 1))
        if tag == "th" and self.cur_table is not None:
            self.cur_table["th"] += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.cur_h = []
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        # <x/>: in HTML only meaningful inside svg (foreign content) or for void elements
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.cur_svg is not None:
            if tag in ("title", "desc") and self.tooltip:
                self.tooltip -= 1
                return
            if tag == "text" and self.cur_text is not None:
                self.cur_svg["texts"].append(("".join(self.cur_text), " ".join(self.cur_text)))
                self.cur_text = None
            if tag in ("title", "desc") and self.cur_alt is not None:
                self.cur_svg["alt"].append(norm(" ".join(self.cur_alt)))
                self.cur_alt = None
            if tag == "svg":
                self.svg_depth -= 1
                if self.svg_depth == 0:
                    self.cur_svg = None
                    self._close("svg")
            return
        if tag == "table":
            self.cur_table = None
        if re.fullmatch(r"h[1-6]", tag) and self.cur_h is not None:
            self.headings.append(norm(" ".join(self.cur_h)))
            self.events.append(("h", self.headings[-1]))
            self.cur_h = None
        if tag == "style":
            self.in_style = False
        if tag in VOID:
            return
        self._close(tag)

    def _close(self, tag):
        if tag not in self.stack:
            self.problems.append("</%s> closes nothing open" % tag)
            return
        while self.stack:
            t = self.stack.pop()
            if t == tag:
                break
            if t not in OPTIONAL_END:
                self.problems.append("<%s> is never closed (closed by </%s>)" % (t, tag))

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
            return
        self.text.append(data)
        if not self.svgs:
            self.head_text.append(data)
        if self.cur_text is not None and not self.tooltip:
            self.cur_text.append(data)
        if self.cur_alt is not None:
            self.cur_alt.append(data)
        if self.cur_h is not None:
            self.cur_h.append(data)

    def close(self):
        super().close()
        left = [t for t in self.stack if t not in OPTIONAL_END]
        if left:
            self.problems.append("never closed: %s" % left)


def svg_alt(svg):
    a = svg["attrs"]
    alts = [x for x in svg["alt"] if x]
    if a.get("aria-label", "").strip():
        alts.append(norm(a["aria-label"]))
    return alts


def cmd_html(args):
    path = args.pop(0)
    notes, aliases, exp_paths = None, {}, []
    while args:
        a = args.pop(0)
        if a == "--notes":
            notes = args.pop(0)
        elif a == "--aliases":
            aliases.update(read_aliases(args.pop(0)))
        else:
            exp_paths.append(a)
    what = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        raw = data.decode("utf-8")
        ok(what + ": is UTF-8")
    except UnicodeDecodeError as ex:
        fail(what + ": is UTF-8", ex)
        raw = data.decode("utf-8", "replace")
    # the reports the page must hold: each as `report NAME --json` gives it; the
    # first is lost-reasons, whose filters are the command's
    reports, rawreports = [], []
    for p_ in exp_paths:
        with open(p_, encoding="utf-8") as f:
            reports.append(json.load(f))
        rawreports.append(raw_json(p_))

    # xmllint's HTML parser (libxml2 2.9) knows HTML 4 only: it calls every
    # HTML5 and SVG element "Tag X invalid", which an inline <svg> cannot avoid;
    # any other error counts.
    p = subprocess.run(["xmllint", "--html", "--noout", path], capture_output=True, text=True, errors="replace")
    errs = [l for l in p.stderr.splitlines() if re.search(r"(?i)(error|warning)\s*:", l)
            and not re.search(r"HTML parser error : Tag [\w:-]+ invalid$", l)]
    check(p.returncode == 0 and not errs, what + ": xmllint --html --noout finds no error (beyond 'Tag X invalid')",
          "exit %d: %s" % (p.returncode, " | ".join(errs[:8])))

    pg = Page()
    try:
        pg.feed(raw)
        pg.close()
        ok(what + ": html.parser reads it")
    except Exception as ex:  # noqa
        fail(what + ": html.parser reads it", ex)
        return
    check(not pg.problems, what + ": its elements are closed in order", "; ".join(pg.problems[:8]))
    check(not pg.dup_ids, what + ": every id is used once in the page (the charts' ids included)",
          "repeated: %s" % sorted(set(pg.dup_ids))[:10])
    check(pg.meta_charset, what + ": declares its encoding (<meta charset=\"utf-8\">)",
          "no meta charset: a browser opening the file may not read the Polish letters as UTF-8")

    low = raw.lower()
    check("http://" not in low and "https://" not in low, what + ": no 'http://' or 'https://' anywhere",
          "at: %s" % [raw[max(0, m.start() - 40):m.start() + 60] for m in re.finditer(r"(?i)https?://", raw)][:3])
    bad = []
    for pat, why in ((r"<script\b", "<script>"), (r"<link\b", "<link>"), (r"<iframe\b", "<iframe>"),
                     (r"<object\b", "<object>"), (r"<embed\b", "<embed>"), (r"<base\b", "<base>"),
                     (r"@import", "@import"), (r"javascript:", "javascript:"),
                     (r"\ssrc\s*=\s*(?!['\"]?data:)", "src= to a file"),
                     (r"\s(?:xlink:)?href\s*=\s*(?!['\"]?#)", "href to outside the page"),
                     (r"url\(\s*(?!['\"]?#)", "url() to outside"),
                     (r"\son[a-z]+\s*=", "an event handler attribute"),
                     (r"<img\b", "<img> (a chart that is not inline)")):
        if re.search(pat, raw, re.I):
            bad.append(why)
    check(not bad, what + ": self-contained: no script, link, external source", "; ".join(bad))

    # headed by the filters and the as-of moment
    head = norm(" ".join(pg.head_text))
    first = reports[0]
    asof = first.get("as_of") or ""
    want = [("the as-of date", [asof[:10]])]
    if asof[11:16] and asof[11:16] != "23:59":
        want.append(("the as-of time", [asof[11:16]]))
    f = first.get("filters") or {}
    # the heading may word the dates its own way ("from A until B"): each date is there
    want += [w for w in title_expectations(first, aliases)[1:] if w[0] not in ("the as-of date", "the dates")]
    if f.get("since") and f.get("until"):
        want += [("the since date", [f["since"][:10]]), ("the until date", [f["until"][:10]])]
    for w_, alts in want:
        check(any(a.lower() in head.lower() for a in alts),
              what + ": the heading (before the first chart) says %s (%s)" % (w_, " or ".join(alts)),
              "heading text: %r" % head[:400])

    # one chart per report (funnel and goals once per workflow), each with a text
    # alternative and a real table under it
    nsvg = len(pg.svgs)
    check(nsvg >= len(reports) and len(reports) > 0,
          what + ": an inline <svg> chart for each of the %d reports" % len(reports), "%d <svg>" % nsvg)
    noalt = [i for i, s in enumerate(pg.svgs) if not svg_alt(s) and not s["attrs"].get("aria-labelledby")]
    check(not noalt, what + ": every chart has a text alternative (<title>, <desc> or aria-label)",
          "charts without one: %s" % noalt)
    lb = [s["attrs"]["aria-labelledby"] for s in pg.svgs if s["attrs"].get("aria-labelledby")]
    miss = [x for x in lb if any(i not in pg.ids for i in x.split())]
    check(not miss, what + ": every aria-labelledby names an element of the page", "%s" % miss)
    # document order: every chart is followed by a table with <th> before the next chart
    seq = [e for e in pg.events if e[0] in ("svg", "table")]
    untabled = []
    for i, (k, idx) in enumerate(seq):
        if k != "svg":
            continue
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if nxt is None or nxt[0] != "table" or pg.tables[nxt[1]]["th"] == 0:
            untabled.append(idx)
    check(not untabled and pg.tables, what + ": a <table> with <th> under every chart",
          "charts not followed by one: %s" % untabled)

    # each report's section: a chart whose title (or heading) names it, and its workflow
    used = set()
    for rep in reports:
        name = rep.get("report")
        wf = (rep.get("filters") or {}).get("workflow")
        alts_wf = [wf] + ([aliases[wf]] if wf in aliases else []) if wf and name in ("funnel", "goals", "compare") else None
        hit = None
        for i, s in enumerate(pg.svgs):
            if i in used:
                continue
            label = (" ".join(svg_alt(s)) + " " + s["heading"]).lower()
            if any(k in label for k in KEYWORDS.get(name, [name])) and (
                    alts_wf is None or any(a.lower() in label for a in alts_wf)):
                hit = i
                break
        if hit is not None:
            used.add(hit)
        check(hit is not None, what + ": the %s section%s is there" % (name, " of " + wf if alts_wf else ""),
              "no chart whose title or heading names it; titles: %s" % [svg_alt(s)[:1] for s in pg.svgs])

    # the figures of all reports in the charts' text (numbers as the JSON writes them)
    allt = ChartText([t for s in pg.svgs for t in s["texts"]])
    total = Expect()
    nodata = 0
    for rep, rrep in zip(reports, rawreports):
        e = expect_of(rep, rrep)
        total.rates.update(e.rates)
        total.numbers.update(e.numbers)
        total.names += e.names
        total.zero_rates += e.zero_rates
        nodata += e.no_data
    check_figures(what + " (all charts)", allt, total)
    # one page, one figure: the same K of N has the same P in the charts, the tables and the notes
    seen = collections.defaultdict(set)
    for m in re.finditer(r"(\d+)\s*%\s*\(\s*(\d+) of (\d+)\s*[;),]", norm(" ".join(pg.text))):
        seen[(int(m.group(2)), int(m.group(3)))].add(int(m.group(1)))
    for s_ in pg.svgs:
        for g, _ in s_["texts"]:
            for m in RATE_RE.finditer(g):
                seen[(int(m.group(2)), int(m.group(3)))].add(int(float(m.group(1).replace(",", "."))))
    clash = ["%d of %d written as %s" % (k, n, " and ".join("%d%%" % p for p in sorted(ps)))
             for (k, n), ps in sorted(seen.items()) if len(ps) > 1]
    check(not clash, what + ": a rate reads the same everywhere on the page (charts, tables, notes)",
          "; ".join(clash[:6]))
    said = sum(1 for s in pg.svgs if "no data" in ChartText(s["texts"]).all_spaced().lower())
    check(said >= nodata, what + ": each of the %d reports without rows has a chart saying 'no data'" % nodata,
          "%d charts say it" % said)

    if notes:
        with open(notes, encoding="utf-8") as f:
            lines = [norm(l) for l in f if re.search(r"^\s*\S+ first: .* won vs ", l)]
        txt = norm(" ".join(pg.text))
        txt2 = norm("".join(pg.text))
        gone = [l for l in lines if l not in txt and l not in txt2]
        check(not gone, what + ": the activities report's notes in plain words (%d)" % len(lines),
              "missing: %s" % gone[:4])


# ---- dashboard JSON and table ------------------------------------------------------------------


def read_aliases(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for l in f:
            if "=" in l:
                k, v = l.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def cmd_aliases(args):
    """id=name lines from `workflow list --json` and `user list --json`."""
    for p in args:
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        for w in d.get("workflows", []):
            print("%s=%s" % (w["workflow"], w["name"]))
        for u in d.get("users", []):
            print("%s=%s" % (u["id"], u["name"]))


def cmd_dashjson(args):
    djson = args.pop(0)
    with open(djson, encoding="utf-8") as f:
        try:
            dash = json.load(f)
            ok("the dashboard JSON parses")
        except ValueError as ex:
            fail("the dashboard JSON parses", ex)
            return
    check(dash.get("report") == "dashboard", "the dashboard JSON: report is 'dashboard'", "%r" % dash.get("report"))
    check(set(dash) >= {"report", "filters", "as_of", "reports"}, "the dashboard JSON has filters, as_of, reports",
          "keys %s" % sorted(dash))
    exps = []
    for p in args:
        with open(p, encoding="utf-8") as f:
            exps.append(json.load(f))
    if exps:
        check(dash.get("as_of") == exps[0].get("as_of"), "the dashboard's as_of is the reports'",
              "%r vs %r" % (dash.get("as_of"), exps[0].get("as_of")))
        base = dict(exps[0]["filters"])
        got = dash.get("filters") or {}
        # the dashboard's filters are the command's: the reports' without by (and
        # without the workflow a funnel of one workflow adds)
        check(set(got) == set(base), "the dashboard's filters have the reports' keys",
              "%s vs %s" % (sorted(got), sorted(base)))
        for k in ("version", "owner", "since", "until"):
            check(got.get(k) == base.get(k), "the dashboard's filter %s is the reports'" % k,
                  "%r vs %r" % (got.get(k), base.get(k)))
    reps = dash.get("reports") or []
    check(len(reps) == len(exps), "the dashboard JSON holds %d reports" % len(exps),
          "it holds %d: %s" % (len(reps), [(r.get("report"), (r.get("filters") or {}).get("workflow")) for r in reps]))
    pool = list(reps)
    for e in exps:
        key = (e["report"], e["filters"].get("workflow") if e["report"] in ("funnel", "goals", "compare") else None)
        cand = [r for r in pool if r.get("report") == e["report"] and (
            key[1] is None or (r.get("filters") or {}).get("workflow") == key[1])]
        if not check(cand, "the dashboard JSON holds %s%s" % (e["report"], " of " + key[1] if key[1] else ""),
                     "not found"):
            continue
        r = cand[0]
        pool.remove(r)
        same = {k: r.get(k) == e.get(k) for k in set(r) | set(e)}
        check(all(same.values()), "the dashboard's %s%s is `report %s --json` exactly"
              % (e["report"], " of " + key[1] if key[1] else "", e["report"]),
              "differs in %s" % [k for k, v in same.items() if not v])


def cmd_table(args):
    dash = args.pop(0)
    with open(dash, encoding="utf-8") as f:
        lines = set(l.rstrip() for l in f)
    for p in args:
        with open(p, encoding="utf-8") as f:
            mine = [l.rstrip() for l in f][1:]  # its heading may be worded for the dashboard
        gone = [l for l in mine if l.strip() and l not in lines]
        check(not gone, "the dashboard table holds every line of %s" % os.path.basename(p),
              "missing: %s" % gone[:4])


def main():
    args = sys.argv[1:]
    cmd = args.pop(0)
    {"svg": cmd_svg, "html": cmd_html, "selftest": cmd_selftest, "dashjson": cmd_dashjson,
     "table": cmd_table, "aliases": cmd_aliases}[cmd](args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
