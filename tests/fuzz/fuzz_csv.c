/*
** fuzz_csv.c — the CSV importer (plugins/csv/csv.c, loaded from the build's
** plugins/ as Kanal loads it) on any bytes, as partners, history and
** contacts, through kanal_import_run: every input is a dry run on one
** database made once (users, a manager acting, the sample workflows, the partners of
** tests/fixtures/csv/partners.csv), so nothing an input does is kept for the
** next. The partners' import also writes its rejects.
**
** KANAL_SOURCE_DIR and KANAL_PLUGIN_DIR come from tests/fuzz/CMakeLists.txt.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kanal/kanal.h"
#include "kanal/plugins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kanal *k;
static kanal_plugins *plugins;
static char dir[] = "/tmp/kanal-fuzz-csv.XXXXXX";
static char input[64], rejects[64];

static void cleanup(void)
{
    kanal_close(k);
    kanal_plugins_free(plugins);
    char path[96];
    unlink(input);
    unlink(rejects);
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/fuzz.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/fuzz.db-shm", dir);
    unlink(path);
    rmdir(dir);
}

static void die(const char *what, const kanal_error *err)
{
    fprintf(stderr, "fuzz_csv: %s: %s\n", what, err ? err->message : "");
    abort();
}

static void setup(void)
{
    kanal_error err;
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    snprintf(input, sizeof input, "%s/in.csv", dir);
    snprintf(rejects, sizeof rejects, "%s/rejects.csv", dir);
    char db[96];
    snprintf(db, sizeof db, "%s/fuzz.db", dir);
    if (kanal_plugins_new(&plugins, KANAL_PLUGIN_DIR, NULL, &err))
        die("plugins", &err);
    kanal_plugins_load(plugins);
    if (kanal_init(&k, db, "ada", "Ada Admin", 1767261600, NULL, &err))
        die("init", &err);
    atexit(cleanup);
    if (kanal_user_add(k, "marcin", "Marcin Nowak", "channel_rep", &err) ||
        kanal_user_add(k, "piotr", "Piotr Wiśniewski", "channel_rep", &err) ||
        kanal_user_add(k, "mia", "Mia Manager", "manager", &err))
        die("users", &err);
    const char *files[] = { KANAL_SOURCE_DIR "/workflows/wholesale.yaml",
                            KANAL_SOURCE_DIR "/workflows/distributors.yaml",
                            KANAL_SOURCE_DIR "/workflows/referral_partners.yaml" };
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_applied *ap = NULL;
    if (kanal_workflow_apply(k, files, 3, &d, &ap, &err))
        die("workflow apply", &err);
    free(ap);
    kanal_diags_release(&d);
    /* a manager imports: partners are given to reps, history is any rep's */
    if (kanal_set_actor(k, "mia", &err))
        die("actor", &err);
    kanal_import_result res;
    kanal_diags_init(&d);
    if (kanal_import_run(k, plugins, "csv", "partners",
                         KANAL_SOURCE_DIR "/tests/fixtures/csv/partners.csv", NULL, &d, &res,
                         &err)) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%s:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].message);
        die("partners", &err);
    }
    kanal_diags_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!k)
        setup();
    if (size > 64 * 1024)
        return 0;
    FILE *f = fopen(input, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        die("cannot write the input", NULL);
    static const char *const whats[] = { "partners", "history", "contacts" };
    for (size_t i = 0; i < sizeof whats / sizeof whats[0]; i++) {
        kanal_import_options opts = KANAL_IMPORT_OPTIONS_INIT;
        kanal_diags d, notes;
        kanal_diags_init(&d);
        kanal_diags_init(&notes);
        opts.dry_run = true;
        opts.notes = &notes;
        if (i == 0)
            opts.rejects = rejects;
        kanal_import_result res;
        kanal_error err;
        kanal_error_clear(&err);
        (void)kanal_import_run(k, plugins, "csv", whats[i], input, &opts, &d, &res, &err);
        kanal_diags_release(&d);
        kanal_diags_release(&notes);
    }
    return 0;
}
