/*
** plugins.c — the plugin host: finding plugins, loading them behind the ABI
** check, the table of host functions, and the registries of formats,
** importers, exporters and listeners.
**
** A plugin that cannot load — no entry symbol, another ABI, a failing init,
** a format another plugin already provides — is kept in the list with its
** reason and skipped; it never stops the others. (A plugin that crashes in
** its init takes the process with it: plugins run in Kanal's process.)
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kanal/workflow.h"
#include "plugins/plugins.h"

/* One call of a plugin's callback. */
struct kanal_call {
    struct kanal_plugin *plugin;
    kanal_buf *out;                    /* formats and exporters: where they write */
    const plugins_import_host *import; /* importers: the engine the rows go through */
    kanal_diags *diags;                /* importers: one diagnostic a bad row */
    const char *file;                  /* importers: the file, for the diagnostics */
    plugins_import_counts counts;
    kanal_plugins *registry; /* formats: for render() */
    int depth;               /* formats rendering formats, so far */
    bool unsuited;           /* the format said the table is not for it */
    kanal_buf *rendered;     /* render()'s answers, freed after the call */
    size_t n_rendered;
    char error[KANAL_ERROR_MESSAGE_MAX];
    kanal_error broken; /* importers: the engine failed (storage, memory): no row goes on */
    long broken_line;
};

_Static_assert((int)KANAL_PLUGIN_TEXT == (int)KANAL_TYPE_TEXT &&
                   (int)KANAL_PLUGIN_INT == (int)KANAL_TYPE_INT &&
                   (int)KANAL_PLUGIN_NUMBER == (int)KANAL_TYPE_NUMBER &&
                   (int)KANAL_PLUGIN_BOOL == (int)KANAL_TYPE_BOOL &&
                   (int)KANAL_PLUGIN_TIME == (int)KANAL_TYPE_TIME &&
                   (int)KANAL_PLUGIN_LIST == (int)KANAL_TYPE_LIST,
               "the plugin ABI's column types are the table's");

typedef enum { CAP_FORMAT, CAP_IMPORTER, CAP_EXPORTER, CAP_LISTENER } cap_kind;

static const char *const kind_names[] = { "format", "importer", "exporter", "listener" };

typedef struct capability {
    cap_kind kind;
    char *name;        /* NULL for a listener */
    void (*fn)(void);  /* one of the kanal_*_fn, by kind */
    struct kanal_plugin *plugin;
} capability;

#define MAX_CAPS 32

struct kanal_plugin {
    kanal_plugin_info info;    /* what kanal_plugins_info hands out */
    char *file, *problem;
    char *name, *version, *summary;
    void *handle;
    const kanal_plugin_decl *decl;
    void *state;
    bool in_init;
    capability caps[MAX_CAPS]; /* what it provides */
    size_t n_caps;
    const char *provides[MAX_CAPS];
};

struct kanal_plugins {
    char *builtin_dir, *search_path;
    char *cache_path; /* what the plugins provide, remembered (kanal_plugins_set_cache) */
    bool loaded;
    int listening; /* whether a plugin listens: -1 not yet known, 0 no, 1 yes */
    struct kanal_plugin **list;
    size_t n, cap;
};

/* ---- the host table ----------------------------------------------------------------- */

/* A plugin's problem when even its words cannot be kept: never freed. */
static char out_of_memory[] = "out of memory";

static int h_init_fail(kanal_plugin *p, const char *fmt, ...)
{
    if (!p->problem) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        p->problem = kanal_strdup(msg);
        if (!p->problem)
            p->problem = out_of_memory;
    }
    return -1;
}

static int add_cap(kanal_plugin *p, cap_kind kind, const char *name, void (*fn)(void))
{
    if (!p->in_init)
        return -1; /* registration is for init only */
    if (!fn || (kind != CAP_LISTENER && (!name || !kanal_id_valid(name))))
        return h_init_fail(p, "it provides a %s with an invalid name or no function",
                           kind_names[kind]);
    if (p->n_caps == MAX_CAPS)
        return h_init_fail(p, "it provides more than %d things", MAX_CAPS);
    capability *c = &p->caps[p->n_caps];
    char text[96];
    snprintf(text, sizeof text, "%s%s%s", kind_names[kind], name ? " " : "", name ? name : "");
    c->kind = kind;
    c->fn = fn;
    c->plugin = p;
    c->name = name ? kanal_strdup(name) : NULL;
    p->provides[p->n_caps] = kanal_strdup(text);
    if ((name && !c->name) || !p->provides[p->n_caps]) {
        free(c->name);
        free((char *)p->provides[p->n_caps]);
        return h_init_fail(p, "out of memory");
    }
    p->n_caps++;
    return 0;
}

static int h_provide_format(kanal_plugin *p, const char *name, const char *summary,
                            kanal_render_fn fn)
{
    (void)summary;
    return add_cap(p, CAP_FORMAT, name, (void (*)(void))fn);
}

static int h_provide_importer(kanal_plugin *p, const char *name, const char *summary,
                              kanal_import_fn fn)
{
    (void)summary;
    return add_cap(p, CAP_IMPORTER, name, (void (*)(void))fn);
}

static int h_provide_exporter(kanal_plugin *p, const char *name, const char *summary,
                              kanal_export_fn fn)
{
    (void)summary;
    return add_cap(p, CAP_EXPORTER, name, (void (*)(void))fn);
}

static int h_provide_listener(kanal_plugin *p, kanal_listen_fn fn)
{
    return add_cap(p, CAP_LISTENER, NULL, (void (*)(void))fn);
}

static void h_set_state(kanal_plugin *p, void *state)
{
    p->state = state;
}

static void *h_state(kanal_call *c)
{
    return c->plugin->state;
}

static int h_fail(kanal_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return -1;
}

static int h_write(kanal_call *c, const void *data, size_t len)
{
    if (!c->out)
        return h_fail(c, "this call has no output");
    kanal_buf_add(c->out, data, len);
    return c->out->oom ? h_fail(c, "out of memory") : 0;
}

static int h_write_text(kanal_call *c, const char *text)
{
    if (!c->out)
        return h_fail(c, "this call has no output");
    kanal_buf_put_visible(c->out, text ? text : "");
    return c->out->oom ? h_fail(c, "out of memory") : 0;
}

static const char *h_table_name(const kanal_table *t) { return kanal_table_name(t); }
static const char *h_table_title(const kanal_table *t) { return kanal_table_title(t); }
static size_t h_table_columns(const kanal_table *t) { return kanal_table_columns(t); }
static const char *h_column_name(const kanal_table *t, size_t c) { return kanal_table_column_name(t, c); }
static const char *h_column_label(const kanal_table *t, size_t c) { return kanal_table_column_label(t, c); }
static int h_column_type(const kanal_table *t, size_t c) { return (int)kanal_table_column_type(t, c); }
static size_t h_table_rows(const kanal_table *t) { return kanal_table_rows(t); }
static const char *h_cell(const kanal_table *t, size_t r, size_t c) { return kanal_table_cell(t, r, c); }
static size_t h_table_filters(const kanal_table *t) { return kanal_table_filters(t); }
static const char *h_filter_name(const kanal_table *t, size_t i) { return kanal_table_filter_name(t, i); }
static const char *h_filter_value(const kanal_table *t, size_t i) { return kanal_table_filter_value(t, i); }

static size_t h_table_parts(const kanal_table *t)
{
    return kanal_table_parts(t);
}
static const kanal_table *h_table_part(const kanal_table *t, size_t i, const char **role)
{
    return kanal_table_part(t, i, role);
}
static size_t h_table_notes(const kanal_table *t)
{
    return kanal_table_notes(t);
}
static const char *h_table_note(const kanal_table *t, size_t i)
{
    return kanal_table_note(t, i);
}

static int render_call(kanal_plugins *p, int depth, const char *format, const kanal_table *t,
                       kanal_buf *out, kanal_error *err);

static const char *h_render(kanal_call *c, const char *format, const kanal_table *t, size_t *len)
{
    *len = 0;
    if (!c->out || !c->registry)
        return h_fail(c, "this call has no output"), NULL;
    if (c->depth >= 4)
        return h_fail(c, "formats render each other too deep (format '%s')", format), NULL;
    kanal_buf *more = realloc(c->rendered, (c->n_rendered + 1) * sizeof *more);
    if (!more)
        return h_fail(c, "out of memory"), NULL;
    c->rendered = more;
    kanal_buf *b = &c->rendered[c->n_rendered++];
    kanal_buf_init(b);
    kanal_error err;
    kanal_error_clear(&err);
    if (render_call(c->registry, c->depth + 1, format, t, b, &err))
        return h_fail(c, "%s", err.message), NULL;
    if (b->oom)
        return h_fail(c, "out of memory"), NULL;
    *len = b->len;
    return kanal_buf_cstr(b);
}

static int h_unsuited(kanal_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    c->unsuited = true;
    return -1;
}

static int h_row_error(kanal_call *c, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    if (c->diags)
        kanal_diags_add(c->diags, c->file, (int)line, 0, "%s", c->error);
    c->counts.bad_rows++;
    return -1;
}

/* A row the engine refused: its error is the row's — unless the engine itself
   failed (the database, memory), which is no row's fault: the import stops. */
static int row_done(kanal_call *c, long line, int rc, const kanal_error *err)
{
    if (rc == KANAL_ESTORAGE || rc == KANAL_ENOMEM) {
        c->broken = *err;
        c->broken_line = line;
        return h_fail(c, "%s", err->message);
    }
    if (rc)
        return h_row_error(c, line, "%s", err->message);
    c->counts.good++;
    return 0;
}

static int h_add_partner(kanal_call *c, const kanal_partner_row *row)
{
    if (!c->import)
        return h_fail(c, "this call imports nothing");
    if (c->broken.code)
        return h_fail(c, "%s", c->broken.message);
    kanal_error err;
    kanal_error_clear(&err);
    return row_done(c, row->line, c->import->add_partner(c->import->ud, row, &err), &err);
}

static int h_add_contact(kanal_call *c, const kanal_contact_row *row)
{
    if (!c->import || !c->import->add_contact)
        return h_fail(c, "this call imports nothing");
    if (c->broken.code)
        return h_fail(c, "%s", c->broken.message);
    kanal_error err;
    kanal_error_clear(&err);
    return row_done(c, row->line, c->import->add_contact(c->import->ud, row, &err), &err);
}

static int h_step(kanal_call *c, const kanal_step *s)
{
    if (!c->import)
        return h_fail(c, "this call imports nothing");
    if (c->broken.code)
        return h_fail(c, "%s", c->broken.message);
    kanal_error err;
    kanal_error_clear(&err);
    return row_done(c, s->line, c->import->step(c->import->ud, s, &err), &err);
}

static const char *h_last_error(kanal_call *c)
{
    return c->error;
}

static void h_progress(kanal_call *c, long rows)
{
    c->counts.rows = rows;
    if (c->import && c->import->progress)
        c->import->progress(c->import->ud, rows);
}

static int h_notice(kanal_call *c, long line, const char *fmt, ...)
{
    if (!c->import)
        return h_fail(c, "this call imports nothing");
    char text[KANAL_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (c->import->notice)
        c->import->notice(c->import->ud, line, text);
    return 0;
}

static const kanal_host host_table = {
    .abi = KANAL_PLUGIN_ABI,
    .size = sizeof(kanal_host),
    .provide_format = h_provide_format,
    .provide_importer = h_provide_importer,
    .provide_exporter = h_provide_exporter,
    .provide_listener = h_provide_listener,
    .set_state = h_set_state,
    .state = h_state,
    .init_fail = h_init_fail,
    .fail = h_fail,
    .write = h_write,
    .table_name = h_table_name,
    .table_title = h_table_title,
    .table_columns = h_table_columns,
    .column_name = h_column_name,
    .column_label = h_column_label,
    .column_type = h_column_type,
    .table_rows = h_table_rows,
    .cell = h_cell,
    .table_filters = h_table_filters,
    .filter_name = h_filter_name,
    .filter_value = h_filter_value,
    .row_error = h_row_error,
    .add_partner = h_add_partner,
    .step = h_step,
    .last_error = h_last_error,
    .progress = h_progress,
    .write_text = h_write_text,
    .table_parts = h_table_parts,
    .table_part = h_table_part,
    .table_notes = h_table_notes,
    .table_note = h_table_note,
    .render = h_render,
    .unsuited = h_unsuited,
    .notice = h_notice,
    .add_contact = h_add_contact,
};

/* ---- loading -------------------------------------------------------------------------- */

int kanal_plugins_new(kanal_plugins **out, const char *builtin_dir, const char *search_path,
                      kanal_error *err)
{
    kanal_plugins *p = calloc(1, sizeof *p);
    if (!p)
        return kanal_error_nomem(err);
    p->listening = -1;
    p->builtin_dir = builtin_dir ? kanal_strdup(builtin_dir) : NULL;
    p->search_path = search_path ? kanal_strdup(search_path) : NULL;
    if ((builtin_dir && !p->builtin_dir) || (search_path && !p->search_path)) {
        kanal_plugins_free(p);
        return kanal_error_nomem(err);
    }
    *out = p;
    return KANAL_OK;
}

static void plugin_free(kanal_plugin *pl)
{
    if (!pl)
        return;
    if (pl->handle && pl->decl && pl->decl->fini && !pl->problem)
        pl->decl->fini(pl->state);
    for (size_t i = 0; i < pl->n_caps; i++) {
        free(pl->caps[i].name);
        free((char *)pl->provides[i]);
    }
    if (pl->handle)
        dlclose(pl->handle);
    free(pl->file);
    if (pl->problem != out_of_memory)
        free(pl->problem);
    free(pl->name);
    free(pl->version);
    free(pl->summary);
    free(pl);
}

void kanal_plugins_free(kanal_plugins *p)
{
    if (!p)
        return;
    for (size_t i = p->n; i > 0; i--)
        plugin_free(p->list[i - 1]);
    free(p->list);
    free(p->builtin_dir);
    free(p->search_path);
    free(p->cache_path);
    free(p);
}

/* The loaded capability of a kind and name, or NULL. */
static const capability *find_cap(kanal_plugins *p, cap_kind kind, const char *name)
{
    for (size_t i = 0; i < p->n; i++) {
        kanal_plugin *pl = p->list[i];
        if (pl->problem)
            continue;
        for (size_t c = 0; c < pl->n_caps; c++)
            if (pl->caps[c].kind == kind && pl->caps[c].name && strcmp(pl->caps[c].name, name) == 0)
                return &pl->caps[c];
    }
    return NULL;
}

/* Gives up on a plugin after init: its state is its own to free. */
static void unload(kanal_plugin *pl)
{
    if (pl->decl && pl->decl->fini && pl->state)
        pl->decl->fini(pl->state);
    pl->state = NULL;
    if (pl->handle)
        dlclose(pl->handle);
    pl->handle = NULL;
}

static void load_one(kanal_plugins *p, kanal_plugin *pl)
{
    dlerror();
    pl->handle = dlopen(pl->file, RTLD_NOW | RTLD_LOCAL);
    if (!pl->handle) {
        const char *why = dlerror();
        h_init_fail(pl, "cannot load: %s", why ? why : "unknown error");
        return;
    }
    kanal_plugin_entry_fn entry;
    void *sym = dlsym(pl->handle, KANAL_PLUGIN_ENTRY_SYMBOL);
    memcpy(&entry, &sym, sizeof entry);
    if (!sym) {
        h_init_fail(pl, "no entry symbol '%s': it is not a Kanal plugin",
                    KANAL_PLUGIN_ENTRY_SYMBOL);
        unload(pl);
        return;
    }
    const kanal_plugin_decl *d = entry();
    if (!d || !d->name || !d->version || !d->init) {
        h_init_fail(pl, "its entry gives no name, version or init");
        unload(pl);
        return;
    }
    pl->decl = d;
    /* copies: a skipped plugin's strings go with its unloaded code */
    free(pl->name);
    pl->name = kanal_strdup(d->name);
    pl->version = kanal_strdup(d->version);
    pl->summary = kanal_strdup(d->summary ? d->summary : "");
    pl->info.name = pl->name;
    pl->info.version = pl->version;
    pl->info.summary = pl->summary;
    if (!pl->name || !pl->version || !pl->summary) {
        h_init_fail(pl, "out of memory");
        pl->decl = NULL; /* not initialised: no fini */
        unload(pl);
        return;
    }
    unsigned want_major = d->abi >> 16, want_minor = d->abi & 0xffff;
    if (want_major != KANAL_PLUGIN_ABI_MAJOR || want_minor > KANAL_PLUGIN_ABI_MINOR) {
        h_init_fail(pl, "it was built for plugin ABI %u.%u; this Kanal offers %d.%d", want_major,
                    want_minor, KANAL_PLUGIN_ABI_MAJOR, KANAL_PLUGIN_ABI_MINOR);
        pl->decl = NULL; /* not initialised: no fini */
        unload(pl);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        kanal_plugin *other = p->list[i];
        if (other != pl && !other->problem && other->decl &&
            strcmp(other->info.name, d->name) == 0) {
            h_init_fail(pl, "a plugin named '%s' is already loaded from %s", d->name,
                        other->file);
            pl->decl = NULL;
            unload(pl);
            return;
        }
    }
    pl->in_init = true;
    int rc = d->init(pl, &host_table);
    pl->in_init = false;
    if (rc != 0 || pl->problem) {
        h_init_fail(pl, "its init failed");
        unload(pl);
        return;
    }
    /* Two plugins never claim one name: the later one is skipped. */
    for (size_t c = 0; c < pl->n_caps; c++) {
        const capability *cap = &pl->caps[c];
        if (!cap->name)
            continue;
        const capability *taken = find_cap(p, cap->kind, cap->name);
        bool builtin = cap->kind == CAP_FORMAT &&
                       (strcmp(cap->name, "table") == 0 || strcmp(cap->name, "json") == 0);
        if (builtin || (taken && taken->plugin != pl)) {
            h_init_fail(pl, "the %s '%s' is already provided by %s", kind_names[cap->kind],
                        cap->name, builtin ? "Kanal itself" : taken->plugin->info.name);
            unload(pl);
            return;
        }
    }
    pl->info.provides = pl->provides;
    pl->info.n_provides = pl->n_caps;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.so of a folder, in name order (*names and each name to free); false when
   the list may lack one (out of memory). No folder is an empty list. */
static bool so_names(const char *dir, char ***names_out, size_t *n_out)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool whole = true;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **q = realloc(names, cap * sizeof *q);
            if (!q) {
                whole = false;
                break;
            }
            names = q;
        }
        if (!(names[n] = kanal_strdup(e->d_name))) {
            whole = false;
            break;
        }
        n++;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    *names_out = names;
    *n_out = n;
    return whole;
}

/* Adds every *.so of a folder, in name order. */
static void scan_dir(kanal_plugins *p, const char *dir)
{
    char **names;
    size_t n;
    so_names(dir, &names, &n);
    for (size_t i = 0; i < n; i++) {
        kanal_buf path = KANAL_BUF_INIT;
        kanal_buf_printf(&path, "%s/%s", dir, names[i]);
        kanal_plugin *pl = calloc(1, sizeof *pl);
        if (!pl || path.oom) {
            free(pl);
            kanal_buf_release(&path);
            free(names[i]);
            continue;
        }
        pl->file = kanal_buf_detach(&path);
        pl->info.file = pl->file;
        /* the same file reached twice (a folder named twice) is one plugin */
        char *real = pl->file ? realpath(pl->file, NULL) : NULL;
        bool seen = false;
        for (size_t k = 0; real && k < p->n; k++) {
            char *other = realpath(p->list[k]->file, NULL);
            seen |= other && strcmp(other, real) == 0;
            free(other);
        }
        free(real);
        if (seen || !pl->file) {
            plugin_free(pl);
            continue;
        }
        /* until the plugin says its name: the file's, without ".so" */
        pl->name = kanal_strdup(names[i]);
        if (pl->name && strlen(pl->name) > 3)
            pl->name[strlen(pl->name) - 3] = '\0';
        pl->info.name = pl->name;
        if (p->n == p->cap) {
            size_t c2 = p->cap ? p->cap * 2 : 8;
            kanal_plugin **q = realloc(p->list, c2 * sizeof *q);
            if (!q) {
                plugin_free(pl);
                continue;
            }
            p->list = q;
            p->cap = c2;
        }
        p->list[p->n++] = pl;
        load_one(p, pl);
        pl->info.problem = pl->problem;
        free(names[i]);
    }
    free(names);
}

void kanal_plugins_load(kanal_plugins *p)
{
    if (p->loaded)
        return;
    p->loaded = true;
    if (p->builtin_dir)
        scan_dir(p, p->builtin_dir);
    if (p->search_path) {
        char *copy = kanal_strdup(p->search_path);
        for (char *save = NULL, *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
             dir = strtok_r(NULL, ":", &save))
            scan_dir(p, dir);
        free(copy);
    }
}

size_t kanal_plugins_count(kanal_plugins *p)
{
    kanal_plugins_load(p);
    return p->n;
}

const kanal_plugin_info *kanal_plugins_info(kanal_plugins *p, size_t i)
{
    kanal_plugins_load(p);
    return i < p->n ? &p->list[i]->info : NULL;
}

/* "unknown format 'x' (known: table, json, csv)" */
static int unknown_cap(kanal_plugins *p, cap_kind kind, const char *name, kanal_error *err)
{
    const char *names[64];
    size_t n = 0;
    if (kind == CAP_FORMAT) {
        names[n++] = "table";
        names[n++] = "json";
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t c = 0; !p->list[i]->problem && c < p->list[i]->n_caps && n < 64; c++)
            if (p->list[i]->caps[c].kind == kind && p->list[i]->caps[c].name)
                names[n++] = p->list[i]->caps[c].name;
    if (n == 0)
        return kanal_error_set(err, KANAL_ENOTFOUND, "unknown %s '%s': no plugin provides one",
                               kind_names[kind], name),
               kanal_error_advise(err, KANAL_ADVICE_LIST_PLUGINS, NULL);
    return kanal_unknown(err, KANAL_ENOTFOUND, kind_names[kind], name, names, n, NULL);
}

/* ---- using them -------------------------------------------------------------------------- */

int kanal_plugins_render(kanal_plugins *p, const char *format, const kanal_table *t, kanal_buf *out,
                         kanal_error *err)
{
    return render_call(p, 0, format, t, out, err);
}

static int render_call(kanal_plugins *p, int depth, const char *format, const kanal_table *t,
                       kanal_buf *out, kanal_error *err)
{
    if (strcmp(format, "table") == 0) {
        kanal_table_render_text(t, out);
        return out->oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    if (strcmp(format, "json") == 0) {
        kanal_table_render_json(t, out);
        return out->oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    if (!p)
        return kanal_error_set(err, KANAL_ENOTFOUND, "unknown format '%s' (known: table, json)",
                               format);
    kanal_plugins_load(p);
    const capability *cap = find_cap(p, CAP_FORMAT, format);
    if (!cap)
        return unknown_cap(p, CAP_FORMAT, format, err);
    /* a table of tables (the dashboard) means nothing to a plugin that cannot see its parts */
    uint32_t abi = cap->plugin->decl->abi;
    if (kanal_table_columns(t) == 0 && kanal_table_parts(t) > 0 && (abi & 0xFFFF) < 2)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "format '%s' (plugin %s, built for plugin ABI %u.%u) cannot see "
                               "the reports the %s holds (ABI 1.2): use --format html or json",
                               format, cap->plugin->info.name, (unsigned)(abi >> 16),
                               (unsigned)(abi & 0xFFFF), kanal_table_name(t));
    kanal_call call = { .plugin = cap->plugin, .out = out, .registry = p, .depth = depth };
    kanal_render_fn fn;
    memcpy(&fn, &cap->fn, sizeof fn);
    size_t len = out->len;
    int failed = fn(&call, t) != 0;
    for (size_t i = 0; i < call.n_rendered; i++)
        kanal_buf_release(&call.rendered[i]);
    free(call.rendered);
    if (failed) {
        out->len = len; /* nothing half written */
        if (out->data)
            out->data[len] = '\0';
        if (call.unsuited)
            return kanal_error_set(err, KANAL_EUSAGE, "format '%s' (plugin %s): %s", format,
                                   cap->plugin->info.name, call.error);
        return kanal_error_set(err, KANAL_ESTORAGE, "format '%s' (plugin %s) failed: %s", format,
                               cap->plugin->info.name, call.error[0] ? call.error : "no reason given");
    }
    return KANAL_OK;
}

int plugins_export(kanal_plugins *p, const char *format, const kanal_table *t, kanal_buf *out,
                   kanal_error *err)
{
    kanal_plugins_load(p);
    const capability *cap = find_cap(p, CAP_EXPORTER, format);
    if (!cap)
        return unknown_cap(p, CAP_EXPORTER, format, err);
    kanal_call call = { .plugin = cap->plugin, .out = out };
    kanal_export_fn fn;
    memcpy(&fn, &cap->fn, sizeof fn);
    if (fn(&call, t) != 0)
        return kanal_error_set(err, KANAL_ESTORAGE, "exporter '%s' (plugin %s) failed: %s",
                               format, cap->plugin->info.name,
                               call.error[0] ? call.error : "no reason given");
    return KANAL_OK;
}

int plugins_import(kanal_plugins *p, const char *format, const kanal_import_args *args,
                   const plugins_import_host *host, kanal_diags *diags, const char *file,
                   plugins_import_counts *counts, kanal_error *err)
{
    kanal_plugins_load(p);
    memset(counts, 0, sizeof *counts);
    const capability *cap = find_cap(p, CAP_IMPORTER, format);
    if (!cap)
        return unknown_cap(p, CAP_IMPORTER, format, err);
    kanal_call call = { .plugin = cap->plugin, .import = host, .diags = diags, .file = file };
    kanal_import_fn fn;
    memcpy(&fn, &cap->fn, sizeof fn);
    kanal_error_clear(&call.broken);
    int failed = fn(&call, args) != 0;
    *counts = call.counts;
    if (call.broken.code)
        return kanal_error_set(err, call.broken.code, "%s:%ld: %s; nothing was imported",
                               file ? file : "-", call.broken_line, call.broken.message);
    if (failed && strcmp(call.error, "out of memory") == 0)
        return kanal_error_nomem(err); /* not the file's fault */
    if (failed)
        return kanal_error_set(err, KANAL_EINVALID, "%s", call.error[0] ? call.error
                                                                        : "the import failed");
    return KANAL_OK;
}

/* ---- what the plugins provide, remembered ----------------------------------------------- */

int kanal_plugins_set_cache(kanal_plugins *p, const char *path, kanal_error *err)
{
    char *copy = path ? kanal_strdup(path) : NULL;
    if (path && !copy)
        return kanal_error_nomem(err);
    free(p->cache_path);
    p->cache_path = copy;
    return KANAL_OK;
}

/* One line a *.so of a folder, in name order: its path and identity. */
static void fingerprint_dir(kanal_buf *b, const char *dir)
{
    kanal_buf_printf(b, "dir %s\n", dir);
    char **names;
    size_t n;
    if (!so_names(dir, &names, &n))
        b->oom = true; /* a fingerprint that lacks a file must not be trusted */
    for (size_t i = 0; i < n; i++) {
        kanal_buf path = KANAL_BUF_INIT;
        kanal_buf_printf(&path, "%s/%s", dir, names[i]);
        struct stat st;
        /* dlopen follows a link: so does the identity */
        if (path.oom)
            b->oom = true;
        else if (stat(path.data, &st) != 0)
            kanal_buf_printf(b, "file %s unreadable %d\n", path.data, errno);
        else
            kanal_buf_printf(
                b, "file %s dev %llu ino %llu size %lld mtime %lld.%09ld ctime %lld.%09ld\n",
                path.data, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
        kanal_buf_release(&path);
        free(names[i]);
    }
    free(names);
}

/*
** Every plugin file the registry would load, in the order it would load
** them, with its identity (device, inode, size, modification and change
** times): a file added, removed, replaced or rewritten changes it.
*/
static void fingerprint(kanal_plugins *p, kanal_buf *b)
{
    kanal_buf_printf(b, "kanal plugin cache 1, plugin ABI %d.%d, kanal %s\n",
                     KANAL_PLUGIN_ABI_MAJOR, KANAL_PLUGIN_ABI_MINOR, KANAL_VERSION);
    if (p->builtin_dir)
        fingerprint_dir(b, p->builtin_dir);
    if (p->search_path) {
        char *copy = kanal_strdup(p->search_path);
        if (!copy)
            b->oom = true;
        for (char *save = NULL, *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
             dir = strtok_r(NULL, ":", &save))
            fingerprint_dir(b, dir);
        free(copy);
    }
}

#define NO_LISTENER "listeners none\n"

/* Whether the cache says, for exactly these files, that none provides a listener. */
static bool cached_no_listener(kanal_plugins *p, const kanal_buf *fp)
{
    FILE *f = fopen(p->cache_path, "rb");
    if (!f)
        return false;
    size_t want = fp->len + strlen(NO_LISTENER);
    char *text = malloc(want + 1);
    size_t got = text ? fread(text, 1, want + 1, f) : 0;
    fclose(f);
    bool same = got == want && memcmp(text, fp->data, fp->len) == 0 &&
                memcmp(text + fp->len, NO_LISTENER, strlen(NO_LISTENER)) == 0;
    free(text);
    return same;
}

/*
** Writes the cache: the fingerprint taken before loading, and whether a
** loaded plugin provides a listener. Under a name of its own, then renamed,
** so that a reader sees the old cache or the new one, never half of one. A
** cache that cannot be written is no error: the plugins load every time.
*/
static void cache_write(kanal_plugins *p, const kanal_buf *fp)
{
    bool listener = false;
    for (size_t i = 0; i < p->n; i++)
        for (size_t c = 0; !p->list[i]->problem && c < p->list[i]->n_caps; c++)
            listener |= p->list[i]->caps[c].kind == CAP_LISTENER;
    /* its folder, and the one above it ($HOME/.cache), as the user's own */
    char *dir = kanal_strdup(p->cache_path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno == ENOENT) {
            char *up = strrchr(dir, '/');
            if (up && up != dir) {
                *up = '\0';
                mkdir(dir, 0700);
                *up = '/';
                mkdir(dir, 0700);
            }
        }
    }
    free(dir);
    kanal_buf tmp = KANAL_BUF_INIT;
    kanal_buf_printf(&tmp, "%s.%ld.tmp", p->cache_path, (long)getpid());
    FILE *f = tmp.oom ? NULL : fopen(tmp.data, "wb");
    if (f) {
        bool ok = fwrite(fp->data, 1, fp->len, f) == fp->len;
        ok &= fputs(listener ? "listeners some\n" : NO_LISTENER, f) >= 0;
        ok &= fclose(f) == 0;
        if (!ok || rename(tmp.data, p->cache_path) != 0)
            unlink(tmp.data);
    }
    kanal_buf_release(&tmp);
}

/* ---- listeners ------------------------------------------------------------------------------ */

bool plugins_any_listener(kanal_plugins *p)
{
    if (p->listening >= 0)
        return p->listening;
    if (!p->loaded && p->cache_path) {
        /* no plugin file changed since they were last loaded, and none listened then:
           nothing to load */
        kanal_buf fp = KANAL_BUF_INIT;
        fingerprint(p, &fp);
        if (!fp.oom && cached_no_listener(p, &fp)) {
            kanal_buf_release(&fp);
            return (p->listening = 0);
        }
        if (!fp.oom) {
            kanal_plugins_load(p);
            cache_write(p, &fp);
        }
        kanal_buf_release(&fp);
    }
    kanal_plugins_load(p);
    p->listening = 0;
    for (size_t i = 0; i < p->n; i++)
        for (size_t c = 0; !p->list[i]->problem && c < p->list[i]->n_caps; c++)
            if (p->list[i]->caps[c].kind == CAP_LISTENER)
                p->listening = 1;
    return p->listening;
}

void plugins_deliver(kanal_plugins *p, const kanal_plugin_event *events, size_t n,
                     void (*warn)(void *ud, const char *message), void *ud)
{
    if (!plugins_any_listener(p))
        return;
    kanal_plugins_load(p);
    for (size_t i = 0; i < p->n; i++) {
        kanal_plugin *pl = p->list[i];
        for (size_t c = 0; !pl->problem && c < pl->n_caps; c++) {
            if (pl->caps[c].kind != CAP_LISTENER)
                continue;
            kanal_listen_fn fn;
            memcpy(&fn, &pl->caps[c].fn, sizeof fn);
            for (size_t e = 0; e < n; e++) {
                kanal_call call = { .plugin = pl };
                if (fn(&call, &events[e]) != 0) {
                    char msg[KANAL_ERROR_MESSAGE_MAX + 128];
                    snprintf(msg, sizeof msg, "listener of plugin '%s' failed: %s",
                             pl->info.name, call.error[0] ? call.error : "no reason");
                    warn(ud, msg);
                    break; /* one warning a listener and command is enough */
                }
            }
        }
    }
}
