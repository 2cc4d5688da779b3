/*
** workflow.c — lookups in a loaded workflow.
*/
#include <string.h>

#include "kanal/workflow.h"

#define FIND(array, n)                              \
    do {                                            \
        for (size_t i_ = 0; i_ < (n); i_++)         \
            if (strcmp((array)[i_].id, id) == 0)    \
                return (int)i_;                     \
        return -1;                                  \
    } while (0)

int kanal_workflow_stage_index(const kanal_workflow *wf, const char *id)
{
    FIND(wf->stages, wf->n_stages);
}

int kanal_workflow_goal_index(const kanal_workflow *wf, const char *id)
{
    FIND(wf->goals, wf->n_goals);
}

int kanal_workflow_field_index(const kanal_workflow *wf, const char *id)
{
    FIND(wf->fields, wf->n_fields);
}

int kanal_workflow_activity_index(const kanal_workflow *wf, const char *id)
{
    FIND(wf->activity_types, wf->n_activity_types);
}

int kanal_workflow_lost_reason_index(const kanal_workflow *wf, const char *id)
{
    FIND(wf->lost_reasons, wf->n_lost_reasons);
}

bool kanal_workflow_has_partner_type(const kanal_workflow *wf, const char *type)
{
    for (size_t i = 0; i < wf->n_partner_types; i++)
        if (strcmp(wf->partner_types[i], type) == 0)
            return true;
    return false;
}

bool kanal_id_valid(const char *id)
{
    if (!(id[0] >= 'a' && id[0] <= 'z'))
        return false;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return n <= KANAL_ID_MAX;
}
