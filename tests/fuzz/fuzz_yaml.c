/*
** fuzz_yaml.c — the workflow loader and checker (kanal_workflow_parse) on any
** bytes: a definition is accepted or refused with diagnostics, never a crash,
** a leak or an out-of-bounds access. `dir` is NULL, so `rules:` is not read.
*/
#include <stdint.h>
#include <stdlib.h>

#include "kanal/diag.h"
#include "kanal/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
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
        kanal_workflow_free(wf);
    }
    kanal_diags_release(&d);
    return 0;
}
