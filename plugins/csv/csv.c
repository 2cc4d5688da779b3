/*
** csv.c — the CSV plugin, on libcsv (Debian's libcsv-dev).
**
** Provides:
**   - the output format "csv" for every list and report (RFC 4180: a header
**     row, CRLF line ends, UTF-8, fields quoted where they need it);
**   - the exporter "csv": partners, contacts and events in the form the
**     importer reads;
**   - the importer "csv": `partners` (name,type,owner,email,phone,city,tax_id),
**     `contacts` (partner,name,role,email,phone; a host of plugin ABI 1.4 or
**     later) and `history` (partner,workflow,owner,at,event,arg,note,actor), header
**     required, columns in any order, other columns left aside (said once, so
**     that every list Kanal writes reads back). Quoted fields,
**     embedded commas, quotes and newlines, a UTF-8 byte-order mark and CRLF
**     line ends are read; every bad row is reported with its line.
*/
#define _POSIX_C_SOURCE 200809L /* getc_unlocked, fstat */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "kanal/plugin.h"

static const kanal_host *host;

/* ---- writing -------------------------------------------------------------------- */

/* Writes one field, quoted when it holds a comma, a quote, a line break or
   blanks at its ends (RFC 4180: quotes inside are doubled). */
static int put_field(int (*out)(void *, const char *, size_t), void *ud, const char *v)
{
    if (!v)
        return 0;
    size_t n = strlen(v);
    bool quote = n && (strpbrk(v, ",\"\r\n") || v[0] == ' ' || v[n - 1] == ' ');
    if (!quote)
        return out(ud, v, n);
    if (out(ud, "\"", 1))
        return -1;
    for (const char *p = v; *p; p++)
        if (out(ud, p, 1) || (*p == '"' && out(ud, "\"", 1)))
            return -1;
    return out(ud, "\"", 1);
}

static int out_call(void *ud, const char *s, size_t n)
{
    return host->write(ud, s, n);
}

static int out_file(void *ud, const char *s, size_t n)
{
    return fwrite(s, 1, n, ud) == n ? 0 : -1;
}

/* A list cell is items joined by "\n"; in CSV they read "a, b". */
static char *list_text(const char *v)
{
    size_t n = 0;
    for (const char *p = v; *p; p++)
        n += *p == '\n' ? 2 : 1;
    char *s = malloc(n + 1), *w = s;
    if (!s)
        return NULL;
    for (const char *p = v; *p; p++) {
        if (*p == '\n') {
            *w++ = ',';
            *w++ = ' ';
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return s;
}

/*
** A spreadsheet runs a cell that starts with =, +, -, @, a tab or a CR as a
** formula (CSV injection). In CSV meant for people, such a text cell gets a
** leading apostrophe, as OWASP advises; numbers are left alone.
*/
static bool formula_like(const char *v)
{
    return v && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                 v[0] == '\r');
}

static int render_table(kanal_call *call, const kanal_table *t, bool neutralise)
{
    size_t cols = host->table_columns(t), rows = host->table_rows(t);
    for (size_t c = 0; c < cols; c++)
        if ((c && host->write(call, ",", 1)) || put_field(out_call, call, host->column_name(t, c)))
            return -1;
    if (host->write(call, "\r\n", 2))
        return -1;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            const char *v = host->cell(t, r, c);
            char *list = NULL, *quoted = NULL;
            int type = host->column_type(t, c);
            if (v && type == KANAL_PLUGIN_LIST && !(v = list = list_text(v)))
                return host->fail(call, "out of memory");
            if (neutralise && (type == KANAL_PLUGIN_TEXT || type == KANAL_PLUGIN_LIST) &&
                formula_like(v)) {
                size_t n = strlen(v);
                if (!(quoted = malloc(n + 2))) {
                    free(list);
                    return host->fail(call, "out of memory");
                }
                quoted[0] = '\'';
                memcpy(quoted + 1, v, n + 1);
                v = quoted;
            }
            int rc = (c && host->write(call, ",", 1)) || put_field(out_call, call, v);
            free(list);
            free(quoted);
            if (rc)
                return -1;
        }
        if (host->write(call, "\r\n", 2))
            return -1;
    }
    return 0;
}

/* --format csv: for people, so formulas are neutralised. */
static int render(kanal_call *call, const kanal_table *t)
{
    /* a CSV file holds one table; the dashboard holds one per report */
    if (strcmp(host->table_name(t), "dashboard") == 0 &&
        host->size >= offsetof(kanal_host, unsuited) + sizeof host->unsuited)
        return host->unsuited(call, "CSV holds one table and the dashboard holds one per report: "
                                    "write each report as CSV (kanal report NAME --format csv), "
                                    "or the dashboard as html or json");
    return render_table(call, t, true);
}

/*
** kanal export csv: partners, contacts and events exist to be imported back and are
** written exact (the importer would otherwise keep the apostrophes);
** anything else is for people, like --format csv.
*/
static int export_table(kanal_call *call, const kanal_table *t)
{
    const char *name = host->table_name(t);
    bool exact = strcmp(name, "partners") == 0 || strcmp(name, "contacts") == 0 ||
                 strcmp(name, "events") == 0;
    return render_table(call, t, !exact);
}

/* ---- reading ------------------------------------------------------------------------- */

enum { MAX_COLS = 256 }; /* a wide file is read, its other columns left aside */
/* a physical line: a file without line ends (/dev/zero) stops here, not at
   the end of memory */
#define LINE_MAX_BYTES (64L * 1024 * 1024)
enum { LINE_END = -1, LINE_TOO_LONG = -2, LINE_ERROR = -3, LINE_NOMEM = -4 };

/* getline() bounded by LINE_MAX_BYTES: the line's length, or a LINE_ value. */
static long read_line(FILE *f, char **line, size_t *cap)
{
    size_t len = 0;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        if (len >= (size_t)LINE_MAX_BYTES)
            return LINE_TOO_LONG;
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 4096;
            char *p = realloc(*line, ncap);
            if (!p)
                return LINE_NOMEM;
            *line = p, *cap = ncap;
        }
        (*line)[len++] = (char)c;
        if (c == '\n')
            break;
    }
    if (c == EOF && ferror(f))
        return LINE_ERROR;
    if (c == EOF && len == 0)
        return LINE_END;
    (*line)[len] = '\0';
    return (long)len;
}

typedef struct reader {
    kanal_call *call;
    const kanal_import_args *args;
    bool history;
    bool contacts;
    const char *const *known;      /* the columns WHAT takes */
    size_t n_known;
    int col_of[MAX_COLS];          /* known column -> position in the file, or -1 */
    /* the row being read */
    char **fields;
    size_t n_fields, cap_fields;
    size_t n_seen;                 /* fields of the row, kept or not */
    bool too_many;
    long nul_field;                /* a field holding a NUL byte: its index + 1 */
    /* where we are */
    long line, row_start, rows;
    bool header_done, fatal;
    bool oom; /* an allocation failed: the file's fault in nothing, the import stops */
    size_t n_header;
    char *header[MAX_COLS];
    FILE *rejects;
    char *raw;                     /* the current row's text, for a malformed row's reject */
    size_t raw_len, raw_cap;
    struct csv_parser parser;
} reader;

static const char *const partner_cols[] = { "name", "type", "owner", "email", "phone", "city",
                                            "tax_id" };
static const char *const history_cols[] = { "partner", "workflow", "owner", "at",
                                            "event",   "arg",      "note",  "actor" };
static const char *const contact_cols[] = { "partner", "name", "role", "email", "phone" };

/* libcsv's callbacks: a field, then the end of a row. */
static void on_field(void *s, size_t len, void *ud)
{
    reader *r = ud;
    r->n_seen++;
    if (r->too_many)
        return;
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 8;
        if (cap > 4096) {
            r->too_many = true;
            return;
        }
        char **f = realloc(r->fields, cap * sizeof *f);
        if (!f) {
            r->oom = r->too_many = true;
            return;
        }
        r->fields = f;
        r->cap_fields = cap;
    }
    if (len && memchr(s, '\0', len) && !r->nul_field)
        r->nul_field = (long)r->n_fields + 1;
    char *copy = malloc(len + 1);
    if (!copy) {
        r->oom = r->too_many = true;
        return;
    }
    if (len)
        memcpy(copy, s, len);
    copy[len] = '\0';
    r->fields[r->n_fields++] = copy;
}

static void clear_row(reader *r)
{
    for (size_t i = 0; i < r->n_fields; i++)
        free(r->fields[i]);
    r->n_fields = 0;
    r->n_seen = 0;
    r->too_many = false;
    r->nul_field = 0;
}

/* Checks that text is UTF-8: no stray bytes, no overlong forms, no
   surrogates, nothing past U+10FFFF. */
static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, min;
        int n;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (*p & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
    }
    return true;
}

/*
** Writes a rejected row to the rejects file, as wide as the header plus its
** reason: its fields when it had the header's number of them, else its text
** as it was in the first column, so that nothing of it is lost.
*/
static void write_reject(reader *r, const char *reason)
{
    if (!r->rejects)
        return;
    bool as_read = r->n_fields == r->n_header;
    for (size_t i = 0; i < r->n_header; i++) {
        if (i)
            fputc(',', r->rejects);
        if (as_read)
            put_field(out_file, r->rejects, r->fields[i]);
        else if (i == 0)
            put_field(out_file, r->rejects, r->raw ? r->raw : "");
    }
    fputc(',', r->rejects);
    put_field(out_file, r->rejects, reason);
    fputs("\r\n", r->rejects);
}

static void bad_row(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A row refused before it reaches the engine: reported, and kept aside. */
static void bad_row(reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    host->row_error(r->call, r->row_start, "%s", msg);
    write_reject(r, msg);
}

static bool take_header(reader *r)
{
    for (size_t k = 0; k < r->n_known; k++)
        r->col_of[k] = -1;
    bool ok = true;
    char ignored[512] = "";
    size_t n_ignored = 0;
    if (r->n_seen > MAX_COLS) {
        host->row_error(r->call, r->row_start, "the header has %zu columns; at most %d",
                        r->n_seen, MAX_COLS);
        return false;
    }
    for (size_t i = 0; i < r->n_fields; i++) {
        const char *name = r->fields[i];
        size_t k = 0;
        while (k < r->n_known && strcmp(name, r->known[k]) != 0)
            k++;
        if (k == r->n_known && strcmp(name, "reason") == 0) {
            /* a rejects file, fixed and read again: its reasons are not data */
        } else if (k == r->n_known && r->history && strcmp(name, "login") == 0) {
            /* an events export: who ran each command then; the import's own
               events record who runs it now */
        } else if (k == r->n_known) {
            /* a column of something Kanal wrote (a list's id, days...): left aside, said once */
            if (name[0])
                snprintf(ignored + strlen(ignored), sizeof ignored - strlen(ignored), "%s'%s'",
                         n_ignored ? ", " : "", name);
            else
                snprintf(ignored + strlen(ignored), sizeof ignored - strlen(ignored),
                         "%san unnamed column", n_ignored ? ", " : "");
            n_ignored++;
        } else if (r->col_of[k] >= 0) {
            host->row_error(r->call, r->row_start, "column '%s' appears twice in the header",
                            name);
            ok = false;
        } else {
            r->col_of[k] = (int)i;
        }
    }
    if (n_ignored) {
        char list[256] = "";
        for (size_t j = 0; j < r->n_known; j++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? "," : "",
                     r->known[j]);
        bool one_unnamed = n_ignored == 1 && ignored[0] != '\'';
        host->notice(r->call, r->row_start, "%s%s %s left aside: the %s import takes %s",
                     one_unnamed     ? ""
                     : n_ignored > 1 ? "the columns "
                                     : "the column ",
                     ignored, n_ignored > 1 ? "are" : "is", r->args->what, list);
    }
    /* partners: name, type; contacts: partner, name; history: partner, workflow, owner,
       at, event */
    size_t required = r->history ? 5 : 2;
    for (size_t k = 0; k < required; k++) {
        if (r->col_of[k] < 0) {
            host->row_error(r->call, r->row_start, "the header lacks the column '%s'",
                            r->known[k]);
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < r->n_fields && i < MAX_COLS; i++)
        if (!(r->header[i] = strdup(r->fields[i])))
            r->oom = true;
    r->n_header = r->n_fields;
    if (ok && r->rejects) {
        for (size_t i = 0; i < r->n_fields; i++) {
            put_field(out_file, r->rejects, r->fields[i]);
            fputc(',', r->rejects);
        }
        fputs("reason\r\n", r->rejects);
    }
    /* a "reason" column of our own rejects file is not written twice */
    return ok;
}

/* The value of a known column in the current row: NULL when absent or empty. A cell
   that --format csv neutralised ('=1+2, '+48 22...) is read as it was before, so
   that every list Kanal writes reads back. */
static const char *col(reader *r, size_t k)
{
    int i = r->col_of[k];
    const char *v = i >= 0 && (size_t)i < r->n_fields && r->fields[i][0] ? r->fields[i] : NULL;
    return v && v[0] == '\'' && formula_like(v + 1) ? v + 1 : v;
}

static void on_row(int c, void *ud)
{
    (void)c;
    reader *r = ud;
    if (r->oom)
        r->fatal = true;
    if (r->fatal) {
        clear_row(r);
        return;
    }
    if (!r->header_done) {
        r->header_done = true;
        if (!take_header(r))
            r->fatal = true;
        clear_row(r);
        return;
    }
    r->rows++;
    if (r->too_many) {
        bad_row(r, "the row is too long");
    } else if (r->nul_field) {
        size_t i = (size_t)r->nul_field - 1;
        bad_row(r, "column '%s' holds a NUL byte", i < r->n_header ? r->header[i] : "?");
    } else if (r->n_fields != r->n_header) {
        bad_row(r, "expected %zu fields (as in the header), found %zu", r->n_header,
                r->n_fields);
    } else {
        size_t i = 0;
        while (i < r->n_fields && utf8_ok(r->fields[i]))
            i++;
        if (i < r->n_fields) {
            bad_row(r, "column '%s' is not valid UTF-8", r->header[i]);
        } else {
            int rc;
            if (r->history) {
                kanal_step s = { sizeof s,  r->row_start, col(r, 0), col(r, 1) ? col(r, 1) : "",
                                 col(r, 2), col(r, 3),    col(r, 4), col(r, 5),
                                 col(r, 6), col(r, 7) };
                rc = host->step(r->call, &s);
            } else if (r->contacts) {
                kanal_contact_row p = { sizeof p,  r->row_start, col(r, 0), col(r, 1),
                                        col(r, 2), col(r, 3),    col(r, 4) };
                rc = host->add_contact(r->call, &p);
            } else {
                kanal_partner_row p = { sizeof p, r->row_start, col(r, 0), col(r, 1), col(r, 2),
                                        col(r, 3), col(r, 4), col(r, 5), col(r, 6) };
                rc = host->add_partner(r->call, &p);
            }
            if (rc != 0)
                write_reject(r, host->last_error(r->call));
        }
    }
    if (r->rows % 1000 == 0)
        host->progress(r->call, r->rows);
    clear_row(r);
}

/* Keeps the text of the row being read, without its line ends. */
static void keep_raw(reader *r, const char *p, size_t len)
{
    if (r->raw_len + len + 2 > r->raw_cap) {
        size_t cap = (r->raw_len + len + 2) * 2;
        char *q = realloc(r->raw, cap);
        if (!q) {
            r->oom = r->fatal = true;
            return;
        }
        r->raw = q;
        r->raw_cap = cap;
    }
    if (r->raw_len)
        r->raw[r->raw_len++] = '\n'; /* a row that spans lines */
    memcpy(r->raw + r->raw_len, p, len);
    r->raw_len += len;
    while (r->raw_len && (r->raw[r->raw_len - 1] == '\n' || r->raw[r->raw_len - 1] == '\r'))
        r->raw_len--;
    r->raw[r->raw_len] = '\0';
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0; /* RFC 4180: blanks belong to the field */
}

static void restart_parser(reader *r)
{
    csv_free(&r->parser);
    csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_space_func(&r->parser, no_space);
}

/* The rejects file as the user named it (a host before 0.2 gives no name). */
static const char *rejects_name(const kanal_import_args *args)
{
    if (args->size >= offsetof(kanal_import_args, rejects_name) + sizeof args->rejects_name &&
        args->rejects_name)
        return args->rejects_name;
    return args->rejects;
}

static int import(kanal_call *call, const kanal_import_args *args)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.call = call;
    r.args = args;
    if (strcmp(args->what, "partners") == 0) {
        r.known = partner_cols;
        r.n_known = sizeof partner_cols / sizeof partner_cols[0];
    } else if (strcmp(args->what, "history") == 0) {
        r.known = history_cols;
        r.n_known = sizeof history_cols / sizeof history_cols[0];
        r.history = true;
    } else if (strcmp(args->what, "contacts") == 0) {
        if (host->size < offsetof(kanal_host, add_contact) + sizeof host->add_contact)
            return host->fail(call, "this Kanal does not import contacts (it needs plugin ABI "
                                    "1.4)");
        r.known = contact_cols;
        r.n_known = sizeof contact_cols / sizeof contact_cols[0];
        r.contacts = true;
    } else {
        return host->fail(call, "csv imports partners, contacts or history, not '%s'", args->what);
    }
    FILE *f = fopen(args->path, "rb");
    if (!f && errno == ENOMEM)
        return host->fail(call, "out of memory");
    if (!f)
        return host->fail(call, "cannot read '%s': %s", args->path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return host->fail(call, "cannot read '%s': it is a directory, not a CSV file",
                          args->path);
    }
    /* a dry run writes the rejects too: they say what would be left out */
    if (args->rejects && !(r.rejects = fopen(args->rejects, "wb"))) {
        int e = errno;
        fclose(f);
        return host->fail(call, "cannot write the rejects to '%s': %s", rejects_name(args),
                          strerror(e));
    }
    if (csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(f);
        if (r.rejects)
            fclose(r.rejects);
        return host->fail(call, "out of memory");
    }
    csv_set_space_func(&r.parser, no_space);
    char *line = NULL;
    size_t cap = 0;
    long len = 0;
    r.row_start = 1;
    bool in_row = false;
    while (!r.fatal && (len = read_line(f, &line, &cap)) >= 0) {
        r.line++;
        const char *p = line;
        if (r.line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* a byte-order mark is not content */
            len -= 3;
        }
        if (!in_row) {
            r.row_start = r.line;
            r.raw_len = 0;
        }
        keep_raw(&r, p, (size_t)len);
        size_t done = csv_parse(&r.parser, p, (size_t)len, on_field, on_row, &r);
        if (done < (size_t)len) {
            /* malformed quoting: report it and start afresh on the next line */
            if (csv_error(&r.parser) == CSV_EPARSE && !r.header_done) {
                host->row_error(call, r.row_start,
                                "malformed quoting in the header (a quote inside an unquoted "
                                "field, or text after a closing quote)");
                r.fatal = true;
            } else if (csv_error(&r.parser) == CSV_EPARSE) {
                r.rows += r.header_done;
                clear_row(&r);
                bad_row(&r, "malformed quoting (a quote inside an unquoted field, or text "
                            "after a closing quote)");
            } else if (csv_error(&r.parser) == CSV_ENOMEM) {
                r.oom = r.fatal = true;
            } else {
                host->row_error(call, r.line, "%s", csv_strerror(csv_error(&r.parser)));
                r.fatal = true;
            }
            clear_row(&r);
            restart_parser(&r);
            in_row = false;
            continue;
        }
        /* still inside a row (a quoted field that spans lines)? libcsv's state
           is ROW_NOT_BEGUN (0) once a row has ended with its line */
        in_row = r.parser.pstate != 0;
    }
    if (len == LINE_TOO_LONG || len == LINE_ERROR) {
        if (len == LINE_TOO_LONG)
            host->row_error(call, r.line + 1, "the line is longer than %ld MiB: is this a CSV file?",
                            LINE_MAX_BYTES / (1024 * 1024));
        else
            host->row_error(call, r.line + 1, "cannot read the file: %s", strerror(errno));
        r.fatal = true;
    }
    if (!r.fatal && csv_fini(&r.parser, on_field, on_row, &r) != 0) {
        r.rows += r.header_done;
        bad_row(&r, "a quoted field is not closed before the end of the file");
    }
    if (!r.header_done && !r.fatal)
        host->row_error(call, 1, "the file is empty: expected a header row (%s)",
                        r.history    ? "partner,workflow,owner,at,event,arg,note,actor"
                        : r.contacts ? "partner,name,role,email,phone"
                                     : "name,type,owner,email,phone,city,tax_id");
    host->progress(call, r.rows);
    free(line);
    clear_row(&r);
    free(r.fields);
    free(r.raw);
    for (size_t i = 0; i < r.n_header && i < MAX_COLS; i++)
        free(r.header[i]);
    csv_free(&r.parser);
    fclose(f);
    if (r.rejects && fclose(r.rejects) != 0)
        return host->fail(call, "cannot write the rejects to '%s'", rejects_name(args));
    if (r.oom || len == LINE_NOMEM)
        return host->fail(call, "out of memory");
    if (len == LINE_TOO_LONG || len == LINE_ERROR)
        return host->fail(call, "nothing was imported: '%s' could not be read to its end",
                          args->path);
    if (r.fatal || !r.header_done)
        return host->fail(call, "nothing was imported: the header of '%s' is not usable",
                          args->path);
    return 0;
}

static int init(kanal_plugin *self, const kanal_host *h)
{
    host = h;
    if (h->provide_format(self, "csv", "lists and reports as CSV (RFC 4180)", render) ||
        h->provide_exporter(self, "csv", "partners, contacts, opportunities and events as CSV",
                            export_table) ||
        h->provide_importer(self, "csv",
                            "partners, contacts and the history of opportunities from CSV", import))
        return -1;
    return 0;
}

static const kanal_plugin_decl decl = {
    .abi = KANAL_PLUGIN_ABI,
    .name = "csv",
    .version = "1.0.0",
    .summary = "CSV import, export and output, on libcsv",
    .init = init,
};

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
