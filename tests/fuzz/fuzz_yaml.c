/*
** fuzz_yaml.c — the workflow loader and checker (kanal_workflow_parse) on any
** bytes: a definition is accepted or refused with diagnostics, never a crash,
** a leak or an out-of-bounds access. `dir` is NULL, so `rules:` is not read.
** A definition it accepts is compared, both ways, with
** workflows/wholesale.yaml (what `kanal workflow diff` shows).
**
** KANAL_SOURCE_DIR comes from tests/fuzz/CMakeLists.txt.
*/
#include <stdint.h>
#include <stdlib.h>

#include "kanal/diag.h"
#include "kanal/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kanal_workflow *reference;

static void release(void)
{
    kanal_workflow_free(reference);
}

static void compare(const kanal_workflow *from, const kanal_workflow *to)
{
    kanal_diff *diff = NULL;
    if (kanal_workflow_compare(from, NULL, to, NULL, &diff) == 0)
        for (size_t i = 0; i < diff->n; i++)
            if (!diff->changes[i].what || !diff->changes[i].change || !diff->changes[i].detail)
                abort();
    kanal_diff_free(diff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    if (!reference) {
        kanal_diags rd;
        kanal_diags_init(&rd);
        reference = kanal_workflow_load_file(KANAL_SOURCE_DIR "/workflows/wholesale.yaml", &rd);
        kanal_diags_release(&rd);
        if (!reference)
            abort();
        atexit(release);
    }
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_workflow *wf = kanal_workflow_parse((const char *)data, size, "fuzz.yaml", NULL, &d);
    if (wf) {
        /* what the rest of Kanal asks of a loaded definition */
        for (size_t i = 0; i < wf->n_stages; i++)
            (void)kanal_workflow_stage_index(wf, wf->stages[i].id);
        for (size_t i = 0; i < wf->n_goals; i++)
            (void)kanal_workflow_goal_index(wf, wf->goals[i].id);
        for (size_t i = 0; i < wf->n_fields; i++)
            (void)kanal_field_type_name(wf->fields[i].type);
        compare(reference, wf);
        compare(wf, reference);
        compare(wf, wf);
        kanal_workflow_free(wf);
    }
    kanal_diags_release(&d);
    return 0;
}
