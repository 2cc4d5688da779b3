/*
** print_workflow.c — the human outline of a workflow, shared by
** `workflow check --print` and `workflow show`.
*/
#include <string.h>

#include "cli.h"
#include "print.h"

static void list_ids(kanal_buf *b, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", ids[i]);
}

void cli_print_workflow(cli *c, kanal_buf *b, const kanal_workflow *wf, int version)
{
    const char *B = cli_bold(c), *D = cli_dim(c), *R = cli_reset(c);
    kanal_buf_printf(b, "%s%s%s — %s", B, wf->id, R, cli_safe(c, wf->name));
    if (version > 0)
        kanal_buf_printf(b, " %s(v%d)%s", D, version, R);
    kanal_buf_putc(b, '\n');
    if (wf->description) {
        cli_buf_lines(c, b, wf->description);
    }
    kanal_buf_puts(b, "partner types:  ");
    list_ids(b, wf->partner_types, wf->n_partner_types);
    kanal_buf_puts(b, "\nowner roles:    ");
    if (wf->n_owner_roles)
        list_ids(b, wf->owner_roles, wf->n_owner_roles);
    else
        kanal_buf_puts(b, "any user");
    kanal_buf_puts(b, "\nactivity types: ");
    for (size_t i = 0; i < wf->n_activity_types; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", wf->activity_types[i].id);
    kanal_buf_puts(b, "\nlost reasons:   ");
    for (size_t i = 0; i < wf->n_lost_reasons; i++)
        kanal_buf_printf(b, "%s%s%s", i ? ", " : "", wf->lost_reasons[i].id,
                         wf->lost_reasons[i].note_required ? " (note required)" : "");
    kanal_buf_putc(b, '\n');
    if (wf->n_fields) {
        kanal_buf_puts(b, "fields:\n");
        for (size_t i = 0; i < wf->n_fields; i++) {
            const kanal_field_def *f = &wf->fields[i];
            kanal_buf_printf(b, "  %-20s %-8s", f->id, kanal_field_type_name(f->type));
            if (f->type == KANAL_FIELD_ENUM) {
                kanal_buf_puts(b, " ");
                for (size_t k = 0; k < f->n_values; k++)
                    kanal_buf_printf(b, "%s%s", k ? "|" : "", cli_safe(c, f->values[k]));
            }
            if (f->has_min || f->has_max) {
                kanal_buf_puts(b, " ");
                if (f->has_min)
                    kanal_buf_printf(b, "%g", f->min);
                kanal_buf_puts(b, "..");
                if (f->has_max)
                    kanal_buf_printf(b, "%g", f->max);
            }
            kanal_buf_printf(b, "  %s%s%s\n", D, cli_safe(c, f->name), R);
        }
    }
    if (wf->rules)
        kanal_buf_printf(b, "rules:          %s\n", cli_safe(c, wf->rules));
    for (size_t s = 0; s < wf->n_stages; s++) {
        const kanal_stage *st = &wf->stages[s];
        kanal_buf_printf(b, "\n%zu. %s%s%s — %s", s + 1, B, st->id, R, cli_safe(c, st->name));
        if (st->max_days)
            kanal_buf_printf(b, " %s(stale after %d days)%s", D, st->max_days, R);
        kanal_buf_putc(b, '\n');
        for (size_t k = 0; k < st->n_goals; k++) {
            const kanal_goal *g = &wf->goals[st->goals[k]];
            kanal_buf_printf(b, "   %s %-22s %s", g->mandatory ? "*" : "-", g->id,
                             cli_safe(c, g->name));
            if (g->completed_by >= 0)
                kanal_buf_printf(b, " %s[by %s]%s", D, wf->activity_types[g->completed_by].id,
                                 R);
            if (g->n_after) {
                kanal_buf_printf(b, " %s[after ", D);
                for (size_t a = 0; a < g->n_after; a++)
                    kanal_buf_printf(b, "%s%s", a ? ", " : "", wf->goals[g->after[a]].id);
                kanal_buf_printf(b, "]%s", R);
            }
            if (g->n_requires_fields) {
                kanal_buf_printf(b, " %s[needs ", D);
                for (size_t a = 0; a < g->n_requires_fields; a++)
                    kanal_buf_printf(b, "%s%s", a ? ", " : "",
                                     wf->fields[g->requires_fields[a]].id);
                kanal_buf_printf(b, "]%s", R);
            }
            kanal_buf_putc(b, '\n');
        }
    }
    kanal_buf_printf(b, "\n%s* mandatory, - optional%s\n", D, R);
}

/* ---- what changed between two definitions ------------------------------------ */

void cli_print_diff(cli *c, kanal_buf *b, const kanal_diff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const kanal_change *ch = &d->changes[i];
        char mark = ch->change[0] == 'a' ? '+' : ch->change[0] == 'r' ? '-' : '~';
        if (strcmp(ch->what, "workflow") == 0 || strcmp(ch->what, "rules") == 0)
            kanal_buf_printf(b, "  %c %s %s", mark, ch->what, ch->change);
        else
            kanal_buf_printf(b, "  %c %s %s %s", mark, ch->what, ch->id, ch->change);
        if (ch->detail[0])
            kanal_buf_printf(b, ": %s", cli_safe(c, ch->detail));
        kanal_buf_putc(b, '\n');
    }
    if (!d->n)
        kanal_buf_puts(b, "  no differences\n");
}

void cli_diff_json(kanal_json *j, const kanal_diff *d)
{
    kanal_json_array(j);
    for (size_t i = 0; i < d->n; i++) {
        const kanal_change *ch = &d->changes[i];
        kanal_json_object(j);
        kanal_json_key(j, "element");
        kanal_json_str(j, ch->what);
        kanal_json_key(j, "id");
        kanal_json_str(j, ch->id);
        kanal_json_key(j, "change");
        kanal_json_str(j, ch->change);
        kanal_json_key(j, "detail");
        kanal_json_str(j, ch->detail);
        kanal_json_end_object(j);
    }
    kanal_json_end_array(j);
}
