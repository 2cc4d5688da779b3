/*
** pg_reports.c — the PostgreSQL backend's answers to the reports: the same
** questions as store/sqlite/reports.c, in PostgreSQL's words, over the same
** scope (the opportunities as they stood at a moment: rows for those
** unchanged since, the log for the others).
**
** The values go into the text as escaped literals ({as_of}, {owner}, ...),
** replaced before the statement is sent: a report runs once, and a literal
** has the type its place needs. The event types come from kanal_event_name.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kanal/json.h"
#include "store/postgres/pg_int.h"

#define P_OPEN "'" KANAL_STATUS_OPEN_NAME "'"
#define P_WON "'" KANAL_STATUS_WON_NAME "'"
#define P_LOST "'" KANAL_STATUS_LOST_NAME "'"
#define EPOCH(x) "extract(epoch FROM (" x ")::timestamptz)::bigint"

#define SCOPE                                                                                      \
    "WITH cand AS NOT MATERIALIZED ("                                                              \
    "  SELECT o.* FROM opportunities o"                                                            \
    "  WHERE o.created_at <= {as_of}"                                                              \
    "    AND ({workflow}::text IS NULL OR o.workflow = {workflow})"                                \
    "    AND ({version}::int IS NULL OR o.version = {version})"                                    \
    "    AND ({since}::text IS NULL OR o.created_at >= {since})"                                   \
    "    AND ({until}::text IS NULL OR o.created_at <= {until})),"                                 \
    "rebuilt0 AS NOT MATERIALIZED ("                                                               \
    "  SELECT c.id, c.partner_id, c.workflow, c.version, c.created_at,"                            \
    "    (SELECT e.seq FROM events e WHERE e.opp_id = c.id"                                        \
    "       AND e.type IN ({ev_created}, {ev_advanced}) AND e.at <= {as_of}"                       \
    "       ORDER BY e.seq DESC LIMIT 1) AS stage_seq,"                                            \
    "    (SELECT e.seq FROM events e WHERE e.opp_id = c.id"                                        \
    "       AND e.type IN ({ev_won}, {ev_lost}) AND e.at <= {as_of}"                               \
    "       ORDER BY e.seq LIMIT 1) AS close_seq,"                                                 \
    "    coalesce((SELECT e.data->>'to' FROM events e WHERE e.opp_id = c.id"                       \
    "                AND e.type = {ev_reassigned} AND e.at <= {as_of}"                             \
    "                ORDER BY e.seq DESC LIMIT 1),"                                                \
    "             (SELECT e.data->>'owner' FROM events e"                                          \
    "                WHERE e.opp_id = c.id AND e.type = {ev_created} LIMIT 1)) AS owner"           \
    "  FROM cand c WHERE c.last_event_at > {as_of}),"                                              \
    "rebuilt AS NOT MATERIALIZED ("                                                                \
    "  SELECT r.id, r.partner_id, r.workflow, r.version, r.created_at, r.owner,"                   \
    "    CASE cl.type WHEN {ev_won} THEN " P_WON " WHEN {ev_lost} THEN " P_LOST                    \
    "      ELSE " P_OPEN " END AS status,"                                                         \
    "    CASE st.type WHEN {ev_created} THEN st.data->>'stage'"                                    \
    "      ELSE st.data->>'to' END AS stage,"                                                      \
    "    st.at AS stage_entered_at, cl.at AS closed_at,"                                           \
    "    cl.data->>'reason' AS lost_reason"                                                        \
    "  FROM rebuilt0 r JOIN events st ON st.opp_id = r.id AND st.seq = r.stage_seq"                \
    "  LEFT JOIN events cl ON cl.opp_id = r.id AND cl.seq = r.close_seq),"                         \
    "scope AS NOT MATERIALIZED ("                                                                  \
    "  SELECT id, partner_id, workflow, version, created_at, owner, status, stage,"                \
    "         stage_entered_at, closed_at, lost_reason"                                            \
    "  FROM cand WHERE last_event_at <= {as_of}"                                                   \
    "  UNION ALL SELECT * FROM rebuilt),"                                                          \
    "owned AS NOT MATERIALIZED (SELECT * FROM scope"                                               \
    "  WHERE {owner}::text IS NULL OR owner = {owner})"

/* Appends v as a literal ('...' escaped, or NULL). */
static void literal(pg *s, kanal_buf *b, const char *v)
{
    if (!v) {
        kanal_buf_puts(b, "NULL");
        return;
    }
    char *q = PQescapeLiteral(s->conn, v, strlen(v));
    if (!q) {
        b->oom = true;
        return;
    }
    kanal_buf_puts(b, q);
    PQfreemem(q);
}

/* The statement with its {names} replaced by their values. */
static char *fill(pg *s, const char *tmpl, const store_scope *sc, int by, const char *json)
{
    kanal_buf b = KANAL_BUF_INIT;
    for (const char *p = tmpl; *p;) {
        const char *open = strchr(p, '{');
        if (!open) {
            kanal_buf_puts(&b, p);
            break;
        }
        kanal_buf_add(&b, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (!close)
            break;
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
        char n[24];
        if (!strcmp(name, "as_of"))
            literal(s, &b, sc->as_of);
        else if (!strcmp(name, "workflow"))
            literal(s, &b, sc->workflow);
        else if (!strcmp(name, "version")) {
            snprintf(n, sizeof n, "%d", sc->version);
            literal(s, &b, sc->version ? n : NULL);
        } else if (!strcmp(name, "owner"))
            literal(s, &b, sc->owner);
        else if (!strcmp(name, "since"))
            literal(s, &b, sc->since);
        else if (!strcmp(name, "until"))
            literal(s, &b, sc->until);
        else if (!strcmp(name, "by"))
            kanal_buf_printf(&b, "%d", by);
        else if (!strcmp(name, "json"))
            literal(s, &b, json ? json : "[]");
        else if (!strncmp(name, "ev_", 3) && kanal_event_type_of(name + 3) != KANAL_EV_COUNT)
            literal(s, &b, name + 3);
        else
            kanal_buf_puts(&b, "{?}"); /* a name this file does not know: the statement fails */
        p = close + 1;
    }
    return kanal_buf_detach(&b);
}

static PGresult *query(pg *s, const char *tmpl, const store_scope *sc, int by, const char *json,
                       kanal_error *err, const char *doing)
{
    char *sql = fill(s, tmpl, sc, by, json);
    if (!sql) {
        kanal_error_nomem(err);
        return NULL;
    }
    PGresult *r = store_pg_run(s, sql, 0, NULL, err, doing);
    free(sql);
    return r;
}

enum { C_WORKFLOW = 1, C_GROUP = 2, C_KEY = 4, C_STATUS = 8 };

static int counts(pg *s, kanal_arena *a, const char *tmpl, const store_scope *sc, int by,
                  int shape, store_count **out, size_t *n, kanal_error *err, const char *doing)
{
    PGresult *r = query(s, tmpl, sc, by, NULL, err, doing);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_count c = { NULL, NULL, NULL, KANAL_STATUS_COUNT, 0 };
        int col = 0;
        if (shape & C_WORKFLOW)
            c.workflow = store_pg_text(a, r, i, col++, &oom);
        if (shape & C_GROUP)
            c.group = store_pg_text(a, r, i, col++, &oom);
        if (shape & C_KEY)
            c.key = store_pg_text(a, r, i, col++, &oom);
        if (shape & C_STATUS) {
            c.status = PQgetisnull(r, i, col) ? KANAL_STATUS_COUNT
                                              : kanal_status_of(PQgetvalue(r, i, col));
            col++;
        }
        c.n = store_pg_int(r, i, col);
        kanal_buf_add(&b, &c, sizeof c);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_count), out, n, err);
}

int store_pg_report_lost(store *base_, kanal_arena *a, const store_scope *sc, store_by by,
                         store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT workflow, CASE {by} WHEN 1 THEN stage WHEN 2 THEN owner END AS g,"
              "        lost_reason, count(*)"
              " FROM owned WHERE status = " P_LOST " GROUP BY 1, 2, 3";
    return counts((pg *)base_, a, sql, sc, (int)by, C_WORKFLOW | C_GROUP | C_KEY, out, n, err,
                  "counting lost reasons");
}

int store_pg_report_outcomes(store *base_, kanal_arena *a, const store_scope *sc,
                             store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] = SCOPE " SELECT owner, status, count(*) FROM owned GROUP BY 1, 2";
    return counts((pg *)base_, a, sql, sc, 0, C_GROUP | C_STATUS, out, n, err,
                  "counting outcomes");
}

int store_pg_report_activities(store *base_, kanal_arena *a, const store_scope *sc,
                               store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT o.owner, x.type, count(*)"
              " FROM owned o JOIN activities x ON x.opp_id = o.id AND x.at <= {as_of}"
              " AND (x.voided_at IS NULL OR x.voided_at > {as_of})"
              " GROUP BY 1, 2";
    return counts((pg *)base_, a, sql, sc, 0, C_GROUP | C_KEY, out, n, err,
                  "counting activities");
}

int store_pg_report_first_touch(store *base_, kanal_arena *a, const store_scope *sc,
                                store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT owner, ft, status, count(*) FROM ("
              "   SELECT o.owner, o.status,"
              "     (SELECT x.type FROM activities x WHERE x.opp_id = o.id AND x.at <= {as_of}"
              "     AND (x.voided_at IS NULL OR x.voided_at > {as_of})"
              "        ORDER BY x.at, x.id LIMIT 1) AS ft"
              "   FROM owned o) t"
              " GROUP BY 1, 2, 3";
    return counts((pg *)base_, a, sql, sc, 0, C_GROUP | C_KEY | C_STATUS, out, n, err,
                  "finding first touches");
}

int store_pg_report_stages(store *base_, kanal_arena *a, const store_scope *sc,
                           store_stage_row **out, size_t *n, kanal_error *err)
{
    static const char counts_sql[] =
        SCOPE " SELECT v.stage, count(*),"
              "   count(*) FILTER (WHERE v.left_at <= {as_of} AND v.outcome IS NULL),"
              "   count(*) FILTER (WHERE v.left_at <= {as_of} AND v.outcome = " P_WON "),"
              "   count(*) FILTER (WHERE v.left_at <= {as_of} AND v.outcome = " P_LOST "),"
              "   count(*) FILTER (WHERE v.left_at IS NULL OR v.left_at > {as_of})"
              " FROM owned o JOIN stage_visits v ON v.opp_id = o.id"
              " WHERE v.entered_at <= {as_of} GROUP BY v.stage";
    static const char days_sql[] =
        SCOPE " SELECT v.stage, " EPOCH("v.left_at") " - " EPOCH("v.entered_at") " AS secs"
              " FROM owned o JOIN stage_visits v ON v.opp_id = o.id"
              " WHERE v.left_at <= {as_of} ORDER BY v.stage, secs";
    pg *s = (pg *)base_;
    PGresult *r = query(s, counts_sql, sc, 0, NULL, err, "following the stages");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_stage_row x = { .stage = store_pg_text(a, r, i, 0, &oom),
                              .entered = store_pg_int(r, i, 1),
                              .advanced = store_pg_int(r, i, 2),
                              .won = store_pg_int(r, i, 3),
                              .lost = store_pg_int(r, i, 4),
                              .open = store_pg_int(r, i, 5) };
        x.left = x.advanced + x.won + x.lost;
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    int rc = store_pg_rows(a, &b, oom, sizeof(store_stage_row), out, n, err);
    if (rc || !(r = query(s, days_sql, sc, 0, NULL, err, "measuring the days in each stage")))
        return rc ? rc : (int)err->code;
    /* the same ranks as the SQLite backend: the median at (left + 1) / 2, or the
       mean of left / 2 and left / 2 + 1; the p90 at ceil(0.9 left) */
    store_stage_row *row = NULL;
    int64_t rank = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *stage = PQgetvalue(r, i, 0);
        if (!row || strcmp(row->stage, stage) != 0) {
            row = NULL;
            rank = 0;
            for (size_t k = 0; k < *n && !row; k++)
                if ((*out)[k].stage && strcmp((*out)[k].stage, stage) == 0)
                    row = &(*out)[k];
            if (!row)
                continue;
        }
        double days = (double)store_pg_int(r, i, 1) / 86400.0;
        int64_t left = row->left;
        rank++;
        if (left % 2 && rank == (left + 1) / 2)
            row->median_days = days;
        else if (left % 2 == 0 && (rank == left / 2 || rank == left / 2 + 1))
            row->median_days += days / 2;
        if (rank == (9 * left + 9) / 10)
            row->p90_days = days;
    }
    PQclear(r);
    return KANAL_OK;
}

int store_pg_report_open(store *base_, kanal_arena *a, const store_scope *sc,
                         const store_stage_limit *limits, size_t n_limits, store_open_row **out,
                         size_t *n, kanal_error *err)
{
    static const char all_sql[] =
        SCOPE " SELECT o.id, p.name, o.owner, o.workflow, o.version, o.stage,"
              "        o.stage_entered_at,"
              "        (SELECT max(x.at) FROM activities x WHERE x.opp_id = o.id"
              "          AND x.at <= {as_of}"
              "          AND (x.voided_at IS NULL OR x.voided_at > {as_of}))"
              " FROM owned o JOIN partners p ON p.id = o.partner_id"
              " WHERE o.status = " P_OPEN " ORDER BY o.stage_entered_at, o.id";
    static const char stale_sql[] = SCOPE
        ", lim AS MATERIALIZED ("
        "  SELECT value->>0 AS workflow, (value->>1)::int AS version, value->>2 AS stage,"
        "         (value->>3)::int AS max_days FROM json_array_elements({json}::json))"
        " SELECT o.id, p.name, o.owner, o.workflow, o.version, o.stage,"
        "        o.stage_entered_at,"
        "        (SELECT max(x.at) FROM activities x WHERE x.opp_id = o.id"
        "          AND x.at <= {as_of}"
        "          AND (x.voided_at IS NULL OR x.voided_at > {as_of}))"
        " FROM owned o JOIN partners p ON p.id = o.partner_id"
        " WHERE o.status = " P_OPEN "   AND " EPOCH("{as_of}") " - " EPOCH(
            "o.stage_entered_at") " >= 86400 * (1 +"
                                  "     (SELECT lim.max_days FROM lim WHERE lim.workflow = "
                                  "o.workflow"
                                  "        AND lim.version = o.version AND lim.stage = o.stage))"
                                  " ORDER BY o.stage_entered_at, o.id";
    pg *s = (pg *)base_;
    char *json = NULL;
    if (limits) {
        kanal_buf j = KANAL_BUF_INIT;
        kanal_buf_putc(&j, '[');
        for (size_t i = 0; i < n_limits; i++) {
            kanal_buf_puts(&j, i ? ",[" : "[");
            kanal_json_escape(&j, limits[i].workflow);
            kanal_buf_printf(&j, ",%d,", limits[i].version);
            kanal_json_escape(&j, limits[i].stage);
            kanal_buf_printf(&j, ",%d]", limits[i].max_days);
        }
        kanal_buf_putc(&j, ']');
        if (!(json = kanal_buf_detach(&j)))
            return kanal_error_nomem(err);
    }
    PGresult *r = query(s, limits ? stale_sql : all_sql, sc, 0, json, err,
                        "finding open opportunities");
    free(json);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_open_row x = { .id = store_pg_int(r, i, 0),
                             .partner = store_pg_text(a, r, i, 1, &oom),
                             .owner = store_pg_text(a, r, i, 2, &oom),
                             .workflow = store_pg_text(a, r, i, 3, &oom),
                             .version = (int)store_pg_int(r, i, 4),
                             .stage = store_pg_text(a, r, i, 5, &oom),
                             .stage_entered_at = store_pg_text(a, r, i, 6, &oom),
                             .last_activity_at = store_pg_text(a, r, i, 7, &oom) };
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_open_row), out, n, err);
}

int store_pg_report_goals(store *base_, kanal_arena *a, const store_scope *sc,
                          const store_goal_order *order, size_t n_order, store_goal_row **out,
                          size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE ", ord AS MATERIALIZED ("
              "  SELECT (value->>0)::int AS version, value->>1 AS goal, value->>2 AS after"
              "  FROM json_array_elements({json}::json))"
              " SELECT g.goal, count(*),"
              "   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ord WHERE ord.version = o.version"
              "       AND ord.goal = g.goal AND NOT EXISTS (SELECT 1 FROM goals_done g2"
              "         WHERE g2.opp_id = g.opp_id AND g2.goal = ord.after"
              "           AND g2.done_at <= g.done_at))),"
              "   count(*) FILTER (WHERE o.status = " P_WON "),"
              "   count(*) FILTER (WHERE o.status = " P_LOST ")"
              " FROM owned o JOIN goals_done g ON g.opp_id = o.id AND g.done_at <= {as_of}"
              " GROUP BY g.goal";
    pg *s = (pg *)base_;
    kanal_buf j = KANAL_BUF_INIT;
    kanal_buf_putc(&j, '[');
    for (size_t i = 0; i < n_order; i++) {
        kanal_buf_printf(&j, "%s[%d,", i ? "," : "", order[i].version);
        kanal_json_escape(&j, order[i].goal);
        kanal_buf_putc(&j, ',');
        kanal_json_escape(&j, order[i].after);
        kanal_buf_putc(&j, ']');
    }
    kanal_buf_putc(&j, ']');
    char *json = kanal_buf_detach(&j);
    if (!json)
        return kanal_error_nomem(err);
    PGresult *r = query(s, sql, sc, 0, json, err, "counting goals");
    free(json);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_goal_row x = { .goal = store_pg_text(a, r, i, 0, &oom),
                             .done = store_pg_int(r, i, 1),
                             .done_late = store_pg_int(r, i, 2),
                             .done_won = store_pg_int(r, i, 3),
                             .done_lost = store_pg_int(r, i, 4) };
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_goal_row), out, n, err);
}

int store_pg_report_waived(store *base_, kanal_arena *a, const store_scope *sc, store_count **out,
                           size_t *n, kanal_error *err)
{
    static const char sql[] = SCOPE " SELECT w.goal, o.status, count(*)"
                                    " FROM owned o JOIN goals_waived w ON w.opp_id = o.id"
                                    "  AND w.waived_at <= {as_of} GROUP BY 1, 2";
    return counts((pg *)base_, a, sql, sc, 0, C_KEY | C_STATUS, out, n, err,
                  "counting goals not required");
}

int store_pg_report_win_days(store *base_, const store_scope *sc, store_win_days *out,
                             kanal_error *err)
{
#define SECS_TO_WIN EPOCH("closed_at") " - " EPOCH("created_at")
    static const char sql[] = SCOPE " SELECT count(*) OVER (), " SECS_TO_WIN " AS secs"
                                    " FROM owned WHERE status = " P_WON " ORDER BY secs";
#undef SECS_TO_WIN
    *out = (store_win_days){ 0, 0 };
    PGresult *r = query((pg *)base_, sql, sc, 0, NULL, err, "measuring the days to a win");
    if (!r)
        return err->code;
    /* the same ranks as the SQLite backend: the median at (won + 1) / 2, or the
       mean of won / 2 and won / 2 + 1 */
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t won = store_pg_int(r, i, 0), rank = i + 1;
        double days = (double)store_pg_int(r, i, 1) / 86400.0;
        out->won = won;
        if (won % 2 && rank == (won + 1) / 2)
            out->median_days = days;
        else if (won % 2 == 0 && (rank == won / 2 || rank == won / 2 + 1))
            out->median_days += days / 2;
    }
    PQclear(r);
    return KANAL_OK;
}
