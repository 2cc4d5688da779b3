/*
** svg.c — the "svg" format: each report drawn as one chart a manager reads
** without help.
**
**   kanal report lost-reasons --format svg -o lost.svg
**   kanal report commission --format svg -o commission.svg
**
** A chart is standalone SVG (no fonts, images or scripts from elsewhere):
** a title that says what and when, labelled axes, every figure written
** beside its bar as the report's JSON has it ("40% (2 of 5)": a rate always
** with its count), the 95% interval of a rate as a line across its bar, a
** legend wherever colour means something. Colours come from viridis, whose
** lightness rises steadily: they stay apart in greyscale and for the
** colour-blind. Labels too long for their column are shortened with "…",
** the whole text kept in a <title> the viewer shows on hover.
**
** Only the reports are charts; any other table (and the dashboard, which is
** many charts: --format html) is refused as unsuited.
*/
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/markup.h"
#include "kanal/plugin.h"

static const kanal_host *host;

enum {
    MARGIN = 20,
    ROW = 22, /* one bar and its gap */
    BAR = 16,
    LABEL_MAX = 240, /* the widest label column */
    MIN_WIDTH = 960,
};
#define FONT 12.0
#define SMALL 11.0
#define GREY "#404040" /* secondary text: dark enough for any printer */

/* ---- reading the table ------------------------------------------------------------- */

static int col(const kanal_table *t, const char *name)
{
    for (size_t c = 0; c < host->table_columns(t); c++)
        if (strcmp(host->column_name(t, c), name) == 0)
            return (int)c;
    return -1;
}

static const char *cell(const kanal_table *t, size_t r, const char *name)
{
    int c = col(t, name);
    return c < 0 ? NULL : host->cell(t, r, (size_t)c);
}

static long long num(const kanal_table *t, size_t r, const char *name)
{
    const char *v = cell(t, r, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

static bool real(const kanal_table *t, size_t r, const char *name, double *out)
{
    const char *v = cell(t, r, name);
    if (!v)
        return false;
    *out = strtod(v, NULL);
    return isfinite(*out);
}

static const char *filter(const kanal_table *t, const char *name)
{
    for (size_t i = 0; i < host->table_filters(t); i++)
        if (strcmp(host->filter_name(t, i), name) == 0)
            return host->filter_value(t, i);
    return NULL;
}

static const kanal_table *part(const kanal_table *t, const char *role)
{
    for (size_t i = 0; i < host->table_parts(t); i++) {
        const char *r = NULL;
        const kanal_table *p = host->table_part(t, i, &r);
        if (r && strcmp(r, role) == 0)
            return p;
    }
    return NULL;
}

/* Nothing a reader would see: spaces, zero-width characters, or nothing at all. */
static bool blank(const char *s)
{
    while (s && *s) {
        unsigned cp = mk_utf8_next(&s);
        if (cp != ' ' && cp != '\t' && cp != 0xA0 && !(cp >= 0x200B && cp <= 0x200F) &&
            cp != 0x2060 && cp != 0xFEFF)
            return false;
    }
    return true;
}

/* ---- colours ------------------------------------------------------------------------ */

/* viridis, from dark to light; 1.0 is too light on white, so charts stop at 0.85 */
static void viridis(double x, char out[8])
{
    static const unsigned char key[][3] = {
        { 0x44, 0x01, 0x54 }, { 0x48, 0x24, 0x75 }, { 0x41, 0x44, 0x87 }, { 0x35, 0x5f, 0x8d },
        { 0x2a, 0x78, 0x8e }, { 0x21, 0x91, 0x8c }, { 0x22, 0xa8, 0x84 }, { 0x44, 0xbf, 0x70 },
        { 0x7a, 0xd1, 0x51 }, { 0xbd, 0xdf, 0x26 }, { 0xfd, 0xe7, 0x25 },
    };
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    double at = x * 10;
    int i = (int)at;
    if (i >= 10)
        i = 9;
    double f = at - i;
    int rgb[3];
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)lround(key[i][k] + (key[i + 1][k] - key[i][k]) * f);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* the i-th of n series */
static void series(size_t i, size_t n, char out[8])
{
    viridis(n < 2 ? 0.3 : 0.05 + 0.8 * (double)i / (double)(n - 1), out);
}

#define DARK_SERIES 0.25
#define LIGHT_SERIES 0.8

/* ---- drawing ------------------------------------------------------------------------ */

typedef struct chart {
    kanal_call *call;
    const kanal_table *t;
    mk_buf body, desc, title;
    double w, y;
} chart;

enum { START = 0, MIDDLE = 1, END = 2, BOLD = 4, DIM = 8 };

/* A text at x, y (its baseline); `full` is shown on hover when given. */
static void text(chart *ch, double x, double y, double size, int how, const char *s,
                 const char *full)
{
    mk_printf(&ch->body, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\"", x, y, size);
    if (how & BOLD)
        mk_puts(&ch->body, " font-weight=\"bold\"");
    if ((how & 3) == MIDDLE)
        mk_puts(&ch->body, " text-anchor=\"middle\"");
    if ((how & 3) == END)
        mk_puts(&ch->body, " text-anchor=\"end\"");
    if (how & DIM)
        mk_puts(&ch->body, " fill=\"" GREY "\"");
    mk_puts(&ch->body, ">");
    if (full && strcmp(full, s) != 0) {
        mk_puts(&ch->body, "<title>");
        mk_escape(&ch->body, full);
        mk_puts(&ch->body, "</title>");
    }
    mk_escape(&ch->body, s);
    mk_puts(&ch->body, "</text>\n");
}

static void rect(chart *ch, double x, double y, double w, double h, const char *fill)
{
    mk_printf(&ch->body,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
              "stroke=\"#1a1a1a\" stroke-width=\"0.6\"/>\n",
              x, y, w < 0 ? 0 : w, h, fill);
}

static void line(chart *ch, double x1, double y1, double x2, double y2, const char *stroke,
                 double width)
{
    mk_printf(&ch->body,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"%g\"/>\n",
              x1, y1, x2, y2, stroke, width);
}

/* A 95% interval: a line from lo to hi with ends, across a bar's middle. */
static void whisker(chart *ch, double lo, double hi, double mid)
{
    line(ch, lo, mid, hi, mid, "#000", 1.4);
    line(ch, lo, mid - 5, lo, mid + 5, "#000", 1.4);
    line(ch, hi, mid - 5, hi, mid + 5, "#000", 1.4);
}

/* A line of a wrapped text: where it starts in the text, and its length. */
typedef struct span {
    const char *at;
    size_t len;
} span;

/*
** Splits s into lines no wider than `width` px: at spaces where it can, inside
** a word too long for a line (a login, an e-mail) where it must. At most
** `max` lines; *cut tells whether text was left over.
*/
static size_t wrap(const char *s, double size, bool bold, double width, span lines[], size_t max,
                   bool *cut)
{
    size_t n = 0;
    const char *p = s;
    while (n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *start = p, *q = p, *boundary = NULL;
        double w = 0;
        while (*q) {
            const char *at = q;
            w += mk_char_width(mk_utf8_next(&q), size, bold);
            if (w > width + 0.01 && at > start) {
                q = at;
                break;
            }
            /* a line may end at a space, or after a word's own separator */
            if (*q == ' ' || !*q || strchr("_-./@", *at))
                boundary = q;
        }
        const char *end = !*q || !boundary ? q : boundary;
        lines[n++] = (span){ start, (size_t)(end - start) };
        p = end;
    }
    while (*p == ' ')
        p++;
    *cut = *p != '\0';
    return n;
}

#define LINE_HEIGHT 1.3
#define LABEL_LINES 6

/*
** A text wrapped to `width`, its first baseline at y; at most `max_lines`
** lines, the last ending in "…" when the text goes on (whole on hover).
** Returns the number of lines drawn.
*/
static size_t lines_at(chart *ch, double x, double y, double size, int how, const char *s,
                       double width, size_t max_lines)
{
    span lines[64];
    bool cut;
    if (max_lines > 64)
        max_lines = 64;
    size_t n = wrap(s, size, how & BOLD, width, lines, max_lines, &cut);
    if (n == 1 && !cut) {
        text(ch, x, y, size, how, s, NULL);
        return 1;
    }
    /* one <text>, a <tspan> a line: the label reads as one, whole, to a screen reader */
    mk_printf(&ch->body, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\"", x, y, size);
    if (how & BOLD)
        mk_puts(&ch->body, " font-weight=\"bold\"");
    if (how & DIM)
        mk_puts(&ch->body, " fill=\"" GREY "\"");
    mk_puts(&ch->body, ">");
    if (cut) {
        mk_puts(&ch->body, "<title>");
        mk_escape(&ch->body, s);
        mk_puts(&ch->body, "</title>");
    }
    for (size_t i = 0; i < n; i++) {
        char *line = malloc(lines[i].len + 4);
        if (!line) {
            ch->body.oom = true;
            break;
        }
        memcpy(line, lines[i].at, lines[i].len);
        line[lines[i].len] = '\0';
        if (cut && i + 1 == n) {
            /* the text goes on: the last line ends in an ellipsis, within the width */
            char *fit = malloc(lines[i].len + 4);
            if (fit) {
                double w = mk_text_width(line, size, how & BOLD);
                if (w + mk_char_width(0x2026, size, how & BOLD) <= width)
                    snprintf(fit, lines[i].len + 4, "%s\xE2\x80\xA6", line); /* room for it */
                else
                    mk_fit(line, size, how & BOLD, fmin(width, w) - 0.01, fit);
                free(line);
                line = fit;
            }
        }
        mk_printf(&ch->body, "<tspan x=\"%.1f\" dy=\"%.1f\">", x, i ? size * LINE_HEIGHT : 0.0);
        mk_escape(&ch->body, line);
        mk_puts(&ch->body, "</tspan>");
        free(line);
    }
    mk_puts(&ch->body, "</text>\n");
    return n;
}

/* The height of n lines of `size` starting from a baseline 12 px down a row. */
static double lines_height(size_t n, double size)
{
    return (double)n * size * LINE_HEIGHT;
}

/* Text wrapped to `width`, from the baseline y down; returns the height used. */
static double para(chart *ch, double x, double y, double size, int how, const char *s, double width)
{
    return lines_height(lines_at(ch, x, y, size, how, s, width, 64), size);
}

/* A round step for an axis of 0..max with at most about 6 ticks. */
static double step_for(double max)
{
    double raw = max / 5, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/*
** An axis under bars drawn from x0 (value 0) over `width` px (value max),
** with grid lines from `top` to `bottom`, its ticks and its title below.
*/
static void axis(chart *ch, double x0, double width, double top, double bottom, double max,
                 bool percent, const char *title)
{
    double step = percent ? (max > 0.5    ? 0.25
                             : max > 0.25 ? 0.1
                             : max > 0.1  ? 0.05
                                          : 0.02)
                          : step_for(max);
    if (!percent && step < 1)
        step = 1;
    for (double v = 0; v <= max * 1.0000001; v += step) {
        double x = x0 + width * v / max;
        line(ch, x, top, x, bottom, v == 0 ? "#000" : "#d0d0d0", v == 0 ? 1 : 0.8);
        char tick[32];
        if (percent)
            snprintf(tick, sizeof tick, "%.0f%%", v * 100);
        else
            snprintf(tick, sizeof tick, "%.0f", v);
        text(ch, x, bottom + 14, SMALL, MIDDLE | DIM, tick, NULL);
    }
    text(ch, x0 + width / 2, bottom + 30, SMALL, MIDDLE, title, NULL);
}

/* Grid lines go under the bars: an axis is drawn first, into its own buffer. */
static void axis_under(chart *ch, size_t mark, double x0, double width, double top, double bottom,
                       double max, bool percent, const char *title)
{
    mk_buf bars = { 0 };
    mk_add(&bars, ch->body.data + mark, ch->body.len - mark);
    ch->body.len = mark;
    if (ch->body.data)
        ch->body.data[mark] = '\0';
    axis(ch, x0, width, top, bottom, max, percent, title);
    mk_add(&ch->body, bars.data ? bars.data : "", bars.len);
    if (bars.oom)
        ch->body.oom = true;
    mk_free(&bars);
}

/* Coloured swatches and their names, in lines across the canvas. */
static void legend(chart *ch, const char *const names[], const char *const colours[], size_t n)
{
    double x = MARGIN, y = ch->y;
    for (size_t i = 0; i < n; i++) {
        double w = 18 + mk_text_width(names[i], FONT, false) + 18;
        if (x + w > ch->w - MARGIN && x > MARGIN)
            x = MARGIN, y += 20;
        rect(ch, x, y, 12, 12, colours[i]);
        size_t lines = lines_at(ch, x + 17, y + 10.5, FONT, START, names[i],
                                ch->w - MARGIN - x - 17, LABEL_LINES);
        x += w;
        if (lines > 1) /* a name as long as the line: the next one starts below it */
            x = MARGIN, y += 20 + lines_height(lines - 1, FONT);
    }
    ch->y = y + 26;
}

static void desc(chart *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void desc(chart *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ch->desc.len)
        mk_puts(&ch->desc, " ");
    mk_vprintf(&ch->desc, fmt, ap);
    va_end(ap);
}

/* "40% (2 of 5)": a rate as the reader checks it, its count always beside it. */
static void rate_text(long long k, long long n, char *out, size_t size)
{
    if (n <= 0)
        snprintf(out, size, "no closed opportunity");
    else
        /* rounded as the report's tables round it, so that a page reads one figure */
        snprintf(out, size, "%.0f%% (%lld of %lld)", 100.0 * (double)k / (double)n, k, n);
}

/* ---- the frame: title, what and when, the notes ------------------------------------ */

static void header(chart *ch)
{
    const kanal_table *t = ch->t;
    mk_puts(&ch->title, host->table_title(t));
    /* the scope: workflow, owner, period */
    const char *wf = filter(t, "workflow_name"), *id = filter(t, "workflow"),
               *version = filter(t, "version"), *owner = filter(t, "owner"),
               *since = filter(t, "since"), *until = filter(t, "until"),
               *as_of = filter(t, "as_of"), *versions = filter(t, "versions"),
               *partner = filter(t, "partner");
    const char *sep = " \xE2\x80\x94 ";
    if (wf || id) {
        mk_printf(&ch->title, "%s%s", sep, wf ? wf : id);
        if (version)
            mk_printf(&ch->title, " (version %s)", version);
        for (const char *v = versions; v && *v;) {
            /* "1,3" chosen to compare: "(versions 1, 3)" */
            size_t len = strcspn(v, ",");
            mk_printf(&ch->title, "%s%.*s", v == versions ? " (versions " : ", ", (int)len, v);
            v += len + (v[len] == ',');
            if (!*v)
                mk_puts(&ch->title, ")");
        }
        sep = ", ";
    } else if (!strcmp(host->table_name(t), "lost-reasons") ||
               !strcmp(host->table_name(t), "activities") ||
               !strcmp(host->table_name(t), "stale")) {
        mk_printf(&ch->title, "%severy workflow", sep);
        sep = ", ";
    } else if (!strcmp(host->table_name(t), "commission")) {
        mk_printf(&ch->title, "%s%s", sep, partner ? partner : "every partner");
        sep = ", ";
    }
    if (owner) {
        mk_printf(&ch->title, "%s%s's opportunities", sep, owner);
        sep = ", ";
    }
    /* dates as the reader's clock shows them: what they asked for */
    char d1[64], d2[64], d3[64];
    mk_local_date(since, false, d1, sizeof d1);
    mk_local_date(until, false, d2, sizeof d2);
    mk_local_date(as_of, false, d3, sizeof d3);
    if (since && until)
        mk_printf(&ch->title, "%s%s to %s", sep, d1, d2);
    else if (since)
        mk_printf(&ch->title, "%sfrom %s", sep, d1);
    else if (until)
        mk_printf(&ch->title, "%screated until %s", sep, d2);
    if (since || until)
        sep = ", ";
    if (as_of)
        mk_printf(&ch->title, "%sas of %s", sep, d3);
    ch->y = MARGIN + 16;
    ch->y +=
        para(ch, MARGIN, ch->y, 17, BOLD, ch->title.data ? ch->title.data : "", ch->w - 2 * MARGIN);
    char when[128], at[64];
    mk_local_date(as_of, true, at, sizeof at);
    if (as_of)
        snprintf(when, sizeof when, "The record as it stood on %s", at);
    else
        snprintf(when, sizeof when, "The record as it stands");
    text(ch, MARGIN, ch->y + 2, FONT, DIM, when, NULL);
    ch->y += 24;
    desc(ch, "%s.", when);
}

/* The chart of a report with no rows says so, in the report's own words. */
static void empty(chart *ch)
{
    /* the report's own words when they say why ("no opportunity ... was lost by ...") */
    const char *why = host->table_notes(ch->t) ? host->table_note(ch->t, 0) : NULL;
    if (why && strncmp(why, "no ", 3) != 0)
        why = NULL;
    char s[4200];
    snprintf(s, sizeof s, "No data to draw%s%.4000s.", why ? ": " : " for this scope",
             why ? why : "");
    rect(ch, MARGIN, ch->y, ch->w - 2 * MARGIN, 60, "#f2f2f2");
    para(ch, MARGIN + 14, ch->y + 26, 14, START, s, ch->w - 2 * MARGIN - 28);
    ch->y += 80;
    desc(ch, "%s", s);
}

static void footnote(chart *ch, const char *s)
{
    ch->y += para(ch, MARGIN, ch->y + 4, SMALL, DIM, s, ch->w - 2 * MARGIN) + 4;
}

static const char *const interval_note =
    "The black line across a bar is the 95% interval of its rate: with counts this size the "
    "true rate may lie anywhere on it; a long line means the sample is small.";

/* The widest of the labels of column `name` (or of `name2` when empty), bounded. */
static double label_width(const kanal_table *t, const char *name, const char *name2, double min,
                          bool bold)
{
    double w = min;
    for (size_t r = 0; r < host->table_rows(t); r++) {
        const char *s = cell(t, r, name);
        if ((!s || !*s) && name2)
            s = cell(t, r, name2);
        double lw = s ? mk_text_width(s, FONT, bold) : 0;
        if (lw > w)
            w = lw;
    }
    return w > LABEL_MAX ? LABEL_MAX : w;
}

/* ---- lost reasons: horizontal bars, most frequent first, share in % ---------------- */

static void lost_reasons(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    const char *group = col(t, "stage") >= 0 ? "stage" : col(t, "owner") >= 0 ? "owner" : NULL;
    double lw = label_width(t, "name", "reason", 80, false);
    double x0 = MARGIN + lw + 10, value_w = 130, width = ch->w - MARGIN - value_w - x0;
    double max = 0;
    for (size_t r = 0; r < n; r++) {
        double hi;
        if (real(t, r, "share_high", &hi) && hi > max)
            max = hi;
    }
    /* a scale whose end is a tick: 10%, 20%, 25%, 50% or 100% */
    static const double ends[] = { 0.1, 0.2, 0.25, 0.5, 1 };
    size_t e = 0;
    while (e < 4 && ends[e] < max - 1e-9)
        e++;
    max = ends[e];
    char colour[8];
    viridis(0.45, colour);
    double top = ch->y;
    size_t mark = ch->body.len;
    const char *prev = NULL;
    for (size_t r = 0; r < n; r++) {
        const char *g = group ? cell(t, r, group) : NULL;
        if (group && (!prev || strcmp(prev, g ? g : "") != 0)) {
            char head[4200];
            snprintf(head, sizeof head, "%s %s", group, g ? g : "(none)");
            ch->y += 6;
            size_t lines =
                lines_at(ch, MARGIN, ch->y + 12, FONT, BOLD, head, ch->w - 2 * MARGIN, LABEL_LINES);
            ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
            prev = g ? g : "";
            desc(ch, "In %s:", head);
        }
        const char *name = cell(t, r, "name");
        if (blank(name))
            name = cell(t, r, "reason");
        long long k = num(t, r, "count"), of = num(t, r, "lost");
        double share = of ? (double)k / (double)of : 0, lo, hi;
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 12, FONT, START, name ? name : "", lw, LABEL_LINES);
        rect(ch, x0, ch->y, width * share / max, BAR, colour);
        double end = x0 + width * share / max;
        if (real(t, r, "share_low", &lo) && real(t, r, "share_high", &hi)) {
            whisker(ch, x0 + width * lo / max, x0 + width * hi / max, ch->y + BAR / 2.0);
            end = fmax(end, x0 + width * hi / max);
        }
        char v[96];
        rate_text(k, of, v, sizeof v);
        text(ch, end + 6, ch->y + 12, FONT, START, v, NULL);
        desc(ch, "%s: %s of the lost opportunities.", name ? name : "", v);
        ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
    }
    axis_under(ch, mark, x0, width, top, ch->y, max, true,
               "share of the lost opportunities, by the reason given");
    ch->y += 44;
    footnote(ch, interval_note);
}

/* Room for the widest "12 meeting" written after a bar (bounded: longer ones are cut). */
static double type_label_width(const kanal_table *t, const size_t *type_col,
                               const char *const *types, size_t nt)
{
    double w = 34;
    for (size_t i = 0; i < nt; i++) {
        long long most = 0;
        for (size_t r = 0; r < host->table_rows(t); r++) {
            const char *v = host->cell(t, r, type_col[i]);
            long long x = v ? strtoll(v, NULL, 10) : 0;
            most = x > most ? x : most;
        }
        char s[32];
        snprintf(s, sizeof s, "%lld ", most);
        w = fmax(w, mk_text_width(s, 10, false) + mk_text_width(types[i], 10, false) + 8);
    }
    return fmin(w, 150);
}

/* ---- activities: what each rep does beside what the rep wins ------------------------ */

static void activities(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    /* the activity types: the columns activities.TYPE, however many */
    size_t cols = host->table_columns(t), nt = 0;
    const char **types = calloc(cols + 1, sizeof *types), **cp = calloc(cols + 1, sizeof *cp);
    size_t *type_col = calloc(cols + 1, sizeof *type_col);
    char(*colours)[8] = calloc(cols + 1, sizeof *colours);
    if (!types || !cp || !type_col || !colours) {
        ch->body.oom = true;
        goto done;
    }
    for (size_t c = 0; c < cols; c++) {
        const char *name = host->column_name(t, c);
        if (strncmp(name, "activities.", 11) == 0)
            type_col[nt] = c, types[nt++] = name + 11;
    }
    for (size_t i = 0; i < nt; i++)
        series(i, nt, colours[i]), cp[i] = colours[i];
    double most = 0;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < nt; i++) {
            const char *v = host->cell(t, r, type_col[i]);
            most = fmax(most, v ? strtod(v, NULL) : 0);
        }
    double max = most <= 0 ? 1 : ceil(most / step_for(most)) * step_for(most);

    double lw = label_width(t, "owner", NULL, 60, true);
    double x0 = MARGIN + lw + 10, count_w = type_label_width(t, type_col, types, nt),
           rate_text_w = 150, rate_w = 200;
    double rate_x = ch->w - MARGIN - rate_text_w - rate_w;
    double width = rate_x - 30 - count_w - x0;

    text(ch, MARGIN, ch->y + 12, 14, BOLD, "Activities logged per rep, and the rep's win rate",
         NULL);
    ch->y += 26;
    if (nt)
        legend(ch, types, cp, nt);
    text(ch, x0, ch->y + 10, SMALL, DIM, "activities of each type", NULL);
    text(ch, rate_x, ch->y + 10, SMALL, DIM, "win rate: won of won and lost", NULL);
    ch->y += 18;
    double top = ch->y;
    size_t mark = ch->body.len;
    double bar = nt > 6 ? 8 : 11;
    /* the win rate is no activity type: grey, not a colour of the legend */
    char rate_colour[8] = "#b0b0b0";
    for (size_t r = 0; r < n; r++) {
        const char *owner = cell(t, r, "owner");
        /* a bar for each type the rep logged, named beside its count: no empty rows */
        size_t logged = 0;
        for (size_t i = 0; i < nt; i++) {
            const char *cv = host->cell(t, r, type_col[i]);
            logged += cv && strtoll(cv, NULL, 10) > 0;
        }
        double band = fmax(ROW, (double)logged * (bar + 2) + 8);
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 12, FONT, BOLD, owner ? owner : "", lw, LABEL_LINES);
        band = fmax(band, lines_height(lines, FONT) + 8);
        mk_buf acts = { 0 };
        size_t at = 0;
        for (size_t i = 0; i < nt; i++) {
            const char *cv = host->cell(t, r, type_col[i]);
            long long v = cv ? strtoll(cv, NULL, 10) : 0;
            if (v <= 0)
                continue;
            double y = ch->y + (double)at++ * (bar + 2);
            rect(ch, x0, y, width * (double)v / max, bar, colours[i]);
            char s[32];
            snprintf(s, sizeof s, "%lld", v);
            mk_buf words = { 0 };
            mk_printf(&words, "%s %s", s, types[i]);
            lines_at(ch, x0 + width * (double)v / max + 4, y + bar - 1, bar > 9 ? 10 : 8, START,
                     words.data ? words.data : s, rate_x - 30 - (x0 + width * (double)v / max + 4),
                     1);
            mk_free(&words);
            mk_printf(&acts, "%s%s %lld", acts.len ? ", " : "", types[i], v);
        }
        if (!logged)
            text(ch, x0 + 4, ch->y + 12, SMALL, DIM, "no activity logged", NULL);
        /* the win rate: a bar on its own 0-100% scale */
        long long won = num(t, r, "won"), lost = num(t, r, "lost");
        double mid = ch->y + BAR / 2.0, lo, hi;
        char v[96];
        rate_text(won, won + lost, v, sizeof v);
        double end = rate_x;
        if (won + lost > 0) {
            rect(ch, rate_x, ch->y, rate_w * (double)won / (double)(won + lost), BAR, rate_colour);
            end += rate_w * (double)won / (double)(won + lost);
            if (real(t, r, "win_rate_low", &lo) && real(t, r, "win_rate_high", &hi)) {
                whisker(ch, rate_x + rate_w * lo, rate_x + rate_w * hi, mid);
                end = fmax(end, rate_x + rate_w * hi);
            }
        }
        text(ch, won + lost > 0 ? end + 6 : rate_x, ch->y + 12, FONT, won + lost > 0 ? START : DIM,
             v, NULL);
        desc(ch, "%s: %s; win rate %s.", owner ? owner : "", acts.len ? acts.data : "no activity",
             v);
        mk_free(&acts);
        ch->y += band;
    }
    axis_under(ch, mark, x0, width, top, ch->y, max, false, "activities logged");
    axis_under(ch, mark, rate_x, rate_w, top, ch->y, 1, true, "win rate");
    ch->y += 50;

    /* first touches compared: the chart of Example 2 */
    const kanal_table *cmp = part(t, "comparison");
    text(ch, MARGIN, ch->y + 12, 14, BOLD,
         "Win rate by the first activity with the partner, each against all the others", NULL);
    ch->y += 28;
    size_t nc = cmp ? host->table_rows(cmp) : 0;
    if (!nc) {
        text(ch, MARGIN, ch->y + 12, FONT, DIM, "No data: no opportunity has had an activity yet.",
             NULL);
        ch->y += ROW + 8;
        desc(ch, "No first touch yet.");
    }
    double ftop = ch->y;
    mark = ch->body.len;
    double cw = ch->w - MARGIN - 230 - x0;
    for (size_t r = 0; r < nc; r++) {
        const char *type = cell(cmp, r, "type");
        long long won = num(cmp, r, "won"), lost = num(cmp, r, "lost");
        size_t ti = 0;
        while (ti < nt && strcmp(types[ti], type ? type : "") != 0)
            ti++;
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 12, FONT, START, type ? type : "", lw, LABEL_LINES);
        char v[160], ptext[48] = "";
        rate_text(won, won + lost, v, sizeof v);
        double end = x0, lo, hi, p;
        if (won + lost > 0) {
            rect(ch, x0, ch->y, cw * (double)won / (double)(won + lost), BAR,
                 ti < nt ? colours[ti] : rate_colour);
            end += cw * (double)won / (double)(won + lost);
            if (real(cmp, r, "win_rate_low", &lo) && real(cmp, r, "win_rate_high", &hi)) {
                whisker(ch, x0 + cw * lo, x0 + cw * hi, ch->y + BAR / 2.0);
                end = fmax(end, x0 + cw * hi);
            }
        }
        if (real(cmp, r, "p", &p))
            snprintf(ptext, sizeof ptext, p < 0.001 ? "; p < 0.001" : "; p = %.2g", p);
        char all[220];
        snprintf(all, sizeof all, "%s%s", v, ptext);
        text(ch, end + 6, ch->y + 12, FONT, START, all, NULL);
        desc(ch, "First touch %s: won %s.", type ? type : "", all);
        ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
    }
    if (nc) {
        axis_under(ch, mark, x0, cw, ftop, ch->y, 1, true,
                   "win rate of the opportunities whose first activity was of this type");
        ch->y += 44;
        footnote(ch, "p: how often a difference at least this large between this first touch "
                     "and all the others would arise by chance alone (Fisher's exact test); "
                     "small counts cannot tell a real difference from chance.");
    }
    footnote(ch, interval_note);
done:
    free(types);
    free(cp);
    free(type_col);
    free(colours);
}

/* ---- funnel: stages from first to last --------------------------------------------- */

static void funnel(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    double most = 0;
    for (size_t r = 0; r < n; r++)
        most = fmax(most, (double)num(t, r, "entered"));
    double max = most <= 0 ? 1 : ceil(most / step_for(most)) * step_for(most);
    double lw = label_width(t, "stage", NULL, 60, true);
    double x0 = MARGIN + lw + 10, value_w = 300, width = ch->w - MARGIN - value_w - x0;
    char light[8], dark[8];
    viridis(LIGHT_SERIES, light);
    viridis(DARK_SERIES, dark);
    const char *names[] = { "entered the stage", "went on: advanced (in the last stage: won)" };
    const char *colours[] = { light, dark };
    legend(ch, names, colours, 2);
    double top = ch->y;
    size_t mark = ch->body.len;
    for (size_t r = 0; r < n; r++) {
        const char *stage = cell(t, r, "stage");
        /* the process's last stage converts by winning; a stage only the log still
           holds (a newer version dropped it) comes after it, and advances */
        const char *last_stage = filter(t, "last_stage");
        bool last = last_stage ? stage && strcmp(stage, last_stage) == 0 : r + 1 == n;
        long long entered = num(t, r, "entered"),
                  on = last ? num(t, r, "won") : num(t, r, "advanced");
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 15, FONT, BOLD, stage ? stage : "", lw, LABEL_LINES);
        rect(ch, x0, ch->y, width * (double)entered / max, 22, light);
        rect(ch, x0, ch->y + 4, width * (double)on / max, 14, dark);
        char v[200], rate[96];
        rate_text(on, entered, rate, sizeof rate);
        if (entered)
            snprintf(v, sizeof v, "%lld entered, %lld %s: %s", entered, on,
                     last ? "won" : "advanced", rate);
        else
            snprintf(v, sizeof v, "none entered");
        double end = x0 + width * (double)entered / max + 6;
        text(ch, end, ch->y + 11, FONT, START, v, NULL);
        const char *median = cell(t, r, "median_days");
        char days[96];
        if (median)
            snprintf(days, sizeof days, "median %s day%s in the stage", median,
                     strcmp(median, "1") == 0 ? "" : "s");
        else
            snprintf(days, sizeof days, "none has left it yet");
        text(ch, end, ch->y + 24, SMALL, DIM, days, NULL);
        desc(ch, "%s: %s; %s.", stage ? stage : "", v, days);
        ch->y += fmax(38, lines_height(lines, FONT) + 10);
    }
    axis_under(ch, mark, x0, width, top, ch->y, max, false, "opportunities");
    ch->y += 44;
    footnote(ch, "Days: the time spent in the stage by the opportunities that left it (won, "
                 "lost or advanced).");
}

/* ---- stale: opportunities by days over their limit, per owner ----------------------- */

/* rows by owner, then in the report's order (longest over first) */
typedef struct stale_row {
    const char *owner;
    size_t row;
} stale_row;

static int cmp_stale_row(const void *pa, const void *pb)
{
    const stale_row *a = pa, *b = pb;
    int c = strcmp(a->owner, b->owner);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static void stale(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    int c_owner = col(t, "owner"), c_partner = col(t, "partner"), c_stage = col(t, "stage"),
        c_in = col(t, "days_in_stage"), c_max = col(t, "max_days"), c_id = col(t, "id");
    stale_row *rows = calloc(n + 1, sizeof *rows);
    if (!rows || c_owner < 0 || c_in < 0 || c_max < 0) {
        ch->body.oom = !rows;
        free(rows);
        return;
    }
#define CELL(r, c)                                                                                 \
    ((c) >= 0 && host->cell(t, (r), (size_t)(c)) ? host->cell(t, (r), (size_t)(c)) : "")
    double most = 0;
    for (size_t r = 0; r < n; r++) {
        rows[r] = (stale_row){ CELL(r, c_owner), r };
        most = fmax(most, strtod(CELL(r, c_in), NULL) - strtod(CELL(r, c_max), NULL));
    }
    qsort(rows, n, sizeof *rows, cmp_stale_row);
    double max = most <= 0 ? 1 : ceil(most / step_for(most)) * step_for(most);
    double lw = 300, x0 = MARGIN + lw + 10, value_w = 270, width = ch->w - MARGIN - value_w - x0;
    char colour[8];
    viridis(0.45, colour);
    double top = ch->y;
    size_t mark = ch->body.len;
    mk_buf head = { 0 }, name = { 0 };
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(rows[j].owner, rows[i].owner) == 0)
            j++;
        head.len = 0;
        mk_printf(&head, "%s: %zu opportunit%s", rows[i].owner, j - i, j - i == 1 ? "y" : "ies");
        ch->y += 4;
        size_t lines = lines_at(ch, MARGIN, ch->y + 12, FONT, BOLD, head.data ? head.data : "",
                                ch->w - 2 * MARGIN, LABEL_LINES);
        ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
        for (; i < j; i++) {
            size_t r = rows[i].row;
            long long in = strtoll(CELL(r, c_in), NULL, 10),
                      limit = strtoll(CELL(r, c_max), NULL, 10);
            name.len = 0;
            mk_printf(&name, "#%s %s (%s)", CELL(r, c_id), CELL(r, c_partner), CELL(r, c_stage));
            size_t name_lines = lines_at(ch, MARGIN + 10, ch->y + 12, FONT, START,
                                         name.data ? name.data : "", lw - 10, LABEL_LINES);
            rect(ch, x0, ch->y, width * (double)(in - limit) / max, BAR, colour);
            char v[128];
            snprintf(v, sizeof v, "%lld day%s over (%lld in the stage, limit %lld)", in - limit,
                     in - limit == 1 ? "" : "s", in, limit);
            text(ch, x0 + width * (double)(in - limit) / max + 6, ch->y + 12, FONT, START, v, NULL);
            desc(ch, "%s, owned by %s: %s.", name.data ? name.data : "", rows[i].owner, v);
            ch->y += fmax(ROW, lines_height(name_lines, FONT) + 8);
        }
    }
#undef CELL
    if (head.oom || name.oom)
        ch->body.oom = true;
    mk_free(&head);
    mk_free(&name);
    free(rows);
    axis_under(ch, mark, x0, width, top, ch->y, max, false,
               "days past the stage's max_days, as of the moment above");
    ch->y += 44;
}

/* ---- goals: win rate when done versus not done -------------------------------------- */

static void goals(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    double lw = label_width(t, "goal", NULL, 120, true);
    for (size_t r = 0; r < n; r++) {
        const char *stage = cell(t, r, "stage");
        double sw = mk_text_width(stage ? stage : "", SMALL, false) +
                    mk_text_width(", mandatory", SMALL, false);
        lw = fmin(LABEL_MAX, fmax(lw, sw));
    }
    double x0 = MARGIN + lw + 10, value_w = 190, width = ch->w - MARGIN - value_w - x0;
    char dark[8], light[8];
    viridis(DARK_SERIES, dark);
    viridis(LIGHT_SERIES, light);
    const char *names[] = { "win rate when the goal was done", "win rate when it was not" };
    const char *colours[] = { dark, light };
    legend(ch, names, colours, 2);
    double top = ch->y;
    size_t mark = ch->body.len;
    for (size_t r = 0; r < n; r++) {
        const char *goal = cell(t, r, "goal"), *stage = cell(t, r, "stage"),
                   *mandatory = cell(t, r, "mandatory");
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 12, FONT, BOLD, goal ? goal : "", lw, LABEL_LINES);
        char sub[4200];
        snprintf(sub, sizeof sub, "%s%s", stage ? stage : "",
                 mandatory && strcmp(mandatory, "true") == 0 ? ", mandatory" : "");
        double sub_y = ch->y + 12 + lines_height(lines, FONT);
        size_t sub_lines = lines_at(ch, MARGIN, sub_y, SMALL, DIM, sub, lw, LABEL_LINES);
        static const char *const keys[2][5] = {
            { "done_won", "done_closed", "win_rate_done_low", "win_rate_done_high", "done" },
            { "not_done_won", "not_done_closed", "win_rate_not_done_low", "win_rate_not_done_high",
              "not done" },
        };
        char texts[2][96];
        for (int s = 0; s < 2; s++) {
            double y = ch->y + s * 17.0, lo, hi;
            long long k = num(t, r, keys[s][0]), of = num(t, r, keys[s][1]);
            rate_text(k, of, texts[s], sizeof texts[s]);
            double end = x0;
            if (of > 0) {
                rect(ch, x0, y, width * (double)k / (double)of, 14, s ? light : dark);
                end += width * (double)k / (double)of;
                if (real(t, r, keys[s][2], &lo) && real(t, r, keys[s][3], &hi)) {
                    whisker(ch, x0 + width * lo, x0 + width * hi, y + 7);
                    end = fmax(end, x0 + width * hi);
                }
            }
            char v[128];
            snprintf(v, sizeof v, "%s: %.96s", keys[s][4], texts[s]);
            text(ch, end + 6, y + 11, SMALL, of > 0 ? START : DIM, v, NULL);
        }
        desc(ch, "%s (%s): when done, %s won; when not, %s.", goal ? goal : "", sub, texts[0],
             texts[1]);
        ch->y = fmax(ch->y + 44, sub_y + lines_height(sub_lines, SMALL) + 6);
    }
    axis_under(ch, mark, x0, width, top, ch->y, 1, true, "win rate: won of won and lost");
    ch->y += 44;
    footnote(ch, "A mandatory goal is done by every opportunity that left its stage, so its "
                 "rates say little about the goal itself.");
    footnote(ch, interval_note);
}

/* ---- compare: the versions of a workflow side by side --------------------------------- */

/* The field of a version's k-th most frequent lost reason (lost_reason_K.FIELD), or NULL. */
static const char *lost_cell(const kanal_table *t, size_t r, int k, const char *field)
{
    char name[64];
    snprintf(name, sizeof name, "lost_reason_%d.%s", k, field);
    return cell(t, r, name);
}

static void compare(chart *ch)
{
    const kanal_table *t = ch->t;
    size_t n = host->table_rows(t);
    char(*colours)[8] = calloc(n + 1, sizeof *colours);
    const char **cp = calloc(n + 1, sizeof *cp), **names = calloc(n + 1, sizeof *names);
    char(*labels)[32] = calloc(n + 1, sizeof *labels);
    if (!colours || !cp || !names || !labels) {
        ch->body.oom = true;
        goto done;
    }
    /* a colour a version, in both parts of the chart */
    for (size_t r = 0; r < n; r++) {
        series(r, n, colours[r]);
        cp[r] = colours[r];
        snprintf(labels[r], sizeof labels[r], "version %lld", num(t, r, "version"));
        names[r] = labels[r];
    }
    legend(ch, names, cp, n);

    /* the win rates, each against the version before it */
    double lw = 170, x0 = MARGIN + lw + 10, value_w = 170, width = ch->w - MARGIN - value_w - x0;
    text(ch, MARGIN, ch->y + 12, 14, BOLD, "Win rate per version: won of won and lost", NULL);
    ch->y += 26;
    double top = ch->y;
    size_t mark = ch->body.len;
    for (size_t r = 0; r < n; r++) {
        long long won = num(t, r, "won"), lost = num(t, r, "lost"), open = num(t, r, "open");
        size_t lines = lines_at(ch, MARGIN, ch->y + 12, FONT, BOLD, labels[r], lw, LABEL_LINES);
        char sub[160];
        snprintf(sub, sizeof sub, "%lld opportunit%s: %lld won, %lld lost, %lld open",
                 num(t, r, "opportunities"), num(t, r, "opportunities") == 1 ? "y" : "ies", won,
                 lost, open);
        double sub_y = ch->y + 12 + lines_height(lines, FONT);
        size_t sub_lines = lines_at(ch, MARGIN, sub_y, SMALL, DIM, sub, lw, LABEL_LINES);
        char v[96];
        rate_text(won, won + lost, v, sizeof v);
        double end = x0, lo, hi, p;
        if (won + lost > 0) {
            double rate = (double)won / (double)(won + lost);
            rect(ch, x0, ch->y, width * rate, BAR, colours[r]);
            end += width * rate;
            if (real(t, r, "win_rate_low", &lo) && real(t, r, "win_rate_high", &hi)) {
                whisker(ch, x0 + width * lo, x0 + width * hi, ch->y + BAR / 2.0);
                end = fmax(end, x0 + width * hi);
            }
        }
        text(ch, end + 6, ch->y + 12, FONT, won + lost > 0 ? START : DIM, v, NULL);
        /* under the bar: the days to a win, and the test against the version before
           (the row before), with what it can support */
        const char *days = cell(t, r, "median_days_to_win");
        char more[320];
        int at = !num(t, r, "opportunities")
                     ? snprintf(more, sizeof more, "no opportunity of this scope")
                 : days ? snprintf(more, sizeof more, "median %s days from creation to a win", days)
                        : snprintf(more, sizeof more, "none won yet");
        long long before = num(t, r, "compared_with");
        if (at > 0 && (size_t)at < sizeof more && cell(t, r, "compared_with") && r > 0) {
            long long closed = won + lost, prev = num(t, r - 1, "won") + num(t, r - 1, "lost");
            char ptext[48];
            if (!real(t, r, "p", &p))
                snprintf(more + at, sizeof more - (size_t)at,
                         "; no test against version %lld: a side has no closed opportunity",
                         before);
            else {
                snprintf(ptext, sizeof ptext, p < 0.001 ? "p < 0.001" : "p = %.2g", p);
                snprintf(more + at, sizeof more - (size_t)at, "; %s against version %lld: %s",
                         ptext, before,
                         closed < 5 || prev < 5 ? "too few closed to tell from chance"
                         : p < 0.05             ? "a difference this large would rarely happen "
                                                  "by chance"
                                                : "the data cannot tell it from chance");
            }
        }
        size_t more_lines = lines_at(ch, x0 + 4, ch->y + BAR + 13, SMALL, DIM, more,
                                     ch->w - MARGIN - x0 - 4, LABEL_LINES);
        desc(ch, "Version %lld: %s; won %s; %s.", num(t, r, "version"), sub, v, more);
        ch->y = fmax(fmax(ch->y + ROW, sub_y + lines_height(sub_lines, SMALL) - 4),
                     ch->y + BAR + 13 + lines_height(more_lines, SMALL) - 4) +
                8;
    }
    axis_under(ch, mark, x0, width, top, ch->y, 1, true, "win rate: won of won and lost");
    ch->y += 50;

    /* the lost reasons: the three most frequent of each version, by share of its lost */
    double lw2 = LABEL_MAX, lx0 = MARGIN + lw2 + 10, lwidth = ch->w - MARGIN - value_w - lx0;
    text(ch, MARGIN, ch->y + 12, 14, BOLD,
         "Why partners said no, per version: its most frequent lost reasons", NULL);
    ch->y += 26;
    long long all_lost = 0;
    for (size_t r = 0; r < n; r++)
        all_lost += num(t, r, "lost");
    if (!all_lost) {
        text(ch, MARGIN, ch->y + 12, FONT, DIM, "No opportunity was lost under these versions.",
             NULL);
        desc(ch, "No opportunity was lost under these versions.");
        ch->y += ROW + 8;
    }
    top = ch->y;
    mark = ch->body.len;
    for (size_t r = 0; all_lost && r < n; r++) {
        long long lost = num(t, r, "lost");
        char head[96];
        snprintf(head, sizeof head, "%s: %lld lost", labels[r], lost);
        ch->y += 4;
        text(ch, MARGIN, ch->y + 12, FONT, BOLD, head, NULL);
        ch->y += ROW;
        if (!lost || !lost_cell(t, r, 1, "reason")) {
            text(ch, MARGIN + 10, ch->y + 12, FONT, DIM, "no opportunity lost", NULL);
            desc(ch, "Version %lld: no opportunity lost.", num(t, r, "version"));
            ch->y += ROW;
            continue;
        }
        for (int k = 1; k <= 3 && lost_cell(t, r, k, "reason"); k++) {
            const char *name = lost_cell(t, r, k, "name");
            if (!name || !*name)
                name = lost_cell(t, r, k, "reason");
            const char *count = lost_cell(t, r, k, "count");
            long long c = count ? strtoll(count, NULL, 10) : 0;
            double share = (double)c / (double)lost, lo, hi;
            size_t lines =
                lines_at(ch, MARGIN + 10, ch->y + 12, FONT, START, name, lw2 - 10, LABEL_LINES);
            rect(ch, lx0, ch->y, lwidth * share, BAR, colours[r]);
            double end = lx0 + lwidth * share;
            const char *slo = lost_cell(t, r, k, "share_low"),
                       *shi = lost_cell(t, r, k, "share_high");
            if (slo && shi) {
                lo = strtod(slo, NULL), hi = strtod(shi, NULL);
                whisker(ch, lx0 + lwidth * lo, lx0 + lwidth * hi, ch->y + BAR / 2.0);
                end = fmax(end, lx0 + lwidth * hi);
            }
            char v[96];
            rate_text(c, lost, v, sizeof v);
            text(ch, end + 6, ch->y + 12, FONT, START, v, NULL);
            desc(ch, "Version %lld, %s: %s of the lost opportunities.", num(t, r, "version"), name,
                 v);
            ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
        }
    }
    if (all_lost) {
        axis_under(ch, mark, lx0, lwidth, top, ch->y, 1, true,
                   "share of the version's lost opportunities, by the reason given");
        ch->y += 44;
    }
    footnote(ch, "p: how often a difference in win rate at least this large between a version "
                 "and the one before it would arise by chance alone (Fisher's exact test); "
                 "small counts cannot tell a real difference from chance.");
    footnote(ch, "Days to a win: from an opportunity's creation to its win, the median over the "
                 "version's won opportunities.");
    footnote(ch, interval_note);
done:
    free(colours);
    free(cp);
    free(names);
    free(labels);
}

/* ---- commission: what each partner's clients earn it --------------------------------- */

static void commission(chart *ch)
{
    const kanal_table *t = part(ch->t, "comparison");
    size_t n = t ? host->table_rows(t) : 0;
    double most = 0;
    for (size_t r = 0; r < n; r++) {
        double v;
        if (real(t, r, "commission", &v))
            most = fmax(most, v);
    }
    double max = most <= 0 ? 1 : ceil(most / step_for(most)) * step_for(most);
    double lw = t ? label_width(t, "partner", NULL, 80, false) : 80;
    double x0 = MARGIN + lw + 10, value_w = 300, width = ch->w - MARGIN - value_w - x0;
    char colour[8];
    viridis(0.45, colour);
    double top = ch->y;
    size_t mark = ch->body.len;
    for (size_t r = 0; r < n; r++) {
        const char *partner = cell(t, r, "partner"), *earned = cell(t, r, "commission"),
                   *value = cell(t, r, "value");
        long long deals = num(t, r, "deals");
        double v = 0;
        real(t, r, "commission", &v);
        size_t lines =
            lines_at(ch, MARGIN, ch->y + 12, FONT, START, partner ? partner : "", lw, LABEL_LINES);
        rect(ch, x0, ch->y, width * v / max, BAR, colour);
        char label[160];
        snprintf(label, sizeof label, "%s (%lld deal%s worth %s)", earned ? earned : "0", deals,
                 deals == 1 ? "" : "s", value ? value : "0");
        text(ch, x0 + width * v / max + 6, ch->y + 12, FONT, START, label, NULL);
        desc(ch, "%s: %s.", partner ? partner : "", label);
        ch->y += fmax(ROW, lines_height(lines, FONT) + 8);
    }
    axis_under(ch, mark, x0, width, top, ch->y, max, false,
               "commission earned by the partner's clients, as of the moment above");
    ch->y += 44;
    footnote(ch, "Each deal earns what the commission rule of the workflow version its partner "
                 "was won under gives it (no rule: nothing); the table lists every deal.");
}

/* ---- the format --------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*draw)(chart *ch);
} charts[] = {
    { "lost-reasons", lost_reasons },
    { "activities", activities },
    { "funnel", funnel },
    { "stale", stale },
    { "goals", goals },
    { "compare", compare },
    { "commission", commission },
};

static int render(kanal_call *call, const kanal_table *t)
{
    const char *name = host->table_name(t);
    size_t which = 0;
    while (which < sizeof charts / sizeof *charts && strcmp(charts[which].name, name) != 0)
        which++;
    if (strcmp(name, "dashboard") == 0)
        return host->unsuited(call, "the dashboard holds a chart per report: write it with "
                                    "--format html (one file with every chart)");
    if (which == sizeof charts / sizeof *charts)
        return host->unsuited(call,
                              "svg draws the reports (kanal report NAME --format svg), not the "
                              "list '%s': use --format table, json or csv",
                              name);
    chart ch = { .call = call, .t = t, .w = MIN_WIDTH };
    header(&ch);
    if (host->table_rows(t) == 0)
        empty(&ch);
    else
        charts[which].draw(&ch);
    double height = ch.y + MARGIN;
    mk_buf out = { 0 };
    mk_printf(&out,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
              "viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
              "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n<title>",
              ch.w, ceil(height), ch.w, ceil(height));
    mk_escape(&out, ch.title.data ? ch.title.data : "");
    mk_puts(&out, "</title>\n<desc>");
    mk_escape(&out, ch.desc.data ? ch.desc.data : "");
    mk_printf(&out, "</desc>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", ch.w,
              ceil(height));
    mk_add(&out, ch.body.data ? ch.body.data : "", ch.body.len);
    mk_puts(&out, "</svg>\n");
    bool oom = out.oom || ch.body.oom || ch.desc.oom || ch.title.oom;
    int rc = oom ? host->fail(call, "out of memory") : host->write(call, out.data, out.len);
    mk_free(&out);
    mk_free(&ch.body);
    mk_free(&ch.desc);
    mk_free(&ch.title);
    return rc;
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    host = h;
    if (h->size < offsetof(kanal_host, unsuited) + sizeof h->unsuited)
        return h->init_fail(p, "needs a Kanal with plugin ABI 1.2 (reports' parts and notes)");
    return h->provide_format(p, "svg", "each report as a chart (kanal report NAME --format svg)",
                             render);
}

static const kanal_plugin_decl decl = {
    .abi = KANAL_PLUGIN_ABI,
    .name = "svg",
    .version = "1.0.0",
    .summary = "charts of the reports, as standalone SVG",
    .init = init,
};

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
