/*
** reports.c — the SQLite backend's answers to the reports: each a query or
** two that aggregate in the database, over the opportunities of a scope as
** they stood at a moment (store_scope).
**
** The scope is one common table expression, SCOPE below. An opportunity
** with no event after the moment is read from its row, which is its state
** then; one that changed since is rebuilt from the log: its owner from the
** last reassignment, its stage from the last creation or advance, its status
** and lost reason from a won or lost event, each dated no later than the
** moment. A report on today reads rows only; a report on the past reads the
** log of the opportunities that changed since.
**
** Event types are bound by name (":ev_created" is kanal_event_name of
** KANAL_EV_CREATED), so that this file spells none.
*/
#include <stdlib.h>
#include <string.h>

#include "kanal/json.h"
#include "store/sqlite/sqlite_int.h"

#define S_OPEN "'" KANAL_STATUS_OPEN_NAME "'"
#define S_WON "'" KANAL_STATUS_WON_NAME "'"
#define S_LOST "'" KANAL_STATUS_LOST_NAME "'"

#define SCOPE                                                                                      \
    "WITH cand AS NOT MATERIALIZED ("                                                              \
    "  SELECT o.* FROM opportunities o"                                                            \
    "  WHERE o.created_at <= :as_of"                                                               \
    "    AND (:workflow IS NULL OR o.workflow = :workflow)"                                        \
    "    AND (:version IS NULL OR o.version = :version)"                                           \
    "    AND (:since IS NULL OR o.created_at >= :since)"                                           \
    "    AND (:until IS NULL OR o.created_at <= :until)),"                                         \
    "rebuilt0 AS NOT MATERIALIZED ("                                                               \
    "  SELECT c.id, c.partner_id, c.workflow, c.version, c.created_at,"                            \
    "    (SELECT e.seq FROM events e WHERE e.opp_id = c.id"                                        \
    "       AND e.type IN (:ev_created, :ev_advanced) AND e.at <= :as_of"                          \
    "       ORDER BY e.seq DESC LIMIT 1) AS stage_seq,"                                            \
    "    (SELECT e.seq FROM events e WHERE e.opp_id = c.id"                                        \
    "       AND e.type IN (:ev_won, :ev_lost) AND e.at <= :as_of"                                  \
    "       ORDER BY e.seq LIMIT 1) AS close_seq,"                                                 \
    "    coalesce((SELECT json_extract(e.data, '$.to') FROM events e WHERE e.opp_id = c.id"        \
    "                AND e.type = :ev_reassigned AND e.at <= :as_of"                               \
    "                ORDER BY e.seq DESC LIMIT 1),"                                                \
    "             (SELECT json_extract(e.data, '$.owner') FROM events e"                           \
    "                WHERE e.opp_id = c.id AND e.type = :ev_created)) AS owner"                    \
    "  FROM cand c WHERE c.last_event_at > :as_of),"                                               \
    "rebuilt AS NOT MATERIALIZED ("                                                                \
    "  SELECT r.id, r.partner_id, r.workflow, r.version, r.created_at, r.owner,"                   \
    "    CASE cl.type WHEN :ev_won THEN " S_WON " WHEN :ev_lost THEN " S_LOST "      ELSE " S_OPEN \
    " END AS status,"                                                                              \
    "    CASE st.type WHEN :ev_created THEN json_extract(st.data, '$.stage')"                      \
    "      ELSE json_extract(st.data, '$.to') END AS stage,"                                       \
    "    st.at AS stage_entered_at, cl.at AS closed_at,"                                           \
    "    json_extract(cl.data, '$.reason') AS lost_reason"                                         \
    "  FROM rebuilt0 r JOIN events st ON st.opp_id = r.id AND st.seq = r.stage_seq"                \
    "  LEFT JOIN events cl ON cl.opp_id = r.id AND cl.seq = r.close_seq),"                         \
    "scope AS NOT MATERIALIZED ("                                                                  \
    "  SELECT id, partner_id, workflow, version, created_at, owner, status, stage,"                \
    "         stage_entered_at, closed_at, lost_reason"                                            \
    "  FROM cand WHERE +last_event_at <= :as_of"                                                   \
    "  UNION ALL SELECT * FROM rebuilt),"                                                          \
    "owned AS NOT MATERIALIZED (SELECT * FROM scope WHERE :owner IS NULL OR owner = :owner)"

/* Prepares sql (not cached: a report runs once) and binds every parameter it names. */
static sqlite3_stmt *prepare(sq *s, const char *sql, const store_scope *sc, int by,
                             const char *order, kanal_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_sqlite_fail(s, err, "preparing a report");
        sqlite3_finalize(st);
        return NULL;
    }
    int n = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        int rc = SQLITE_OK;
        if (!name)
            rc = SQLITE_MISUSE;
        else if (!strcmp(name, ":as_of"))
            rc = sqlite3_bind_text(st, i, sc->as_of, -1, SQLITE_STATIC);
        else if (!strcmp(name, ":workflow"))
            rc = sqlite3_bind_text(st, i, sc->workflow, -1, SQLITE_STATIC);
        else if (!strcmp(name, ":version"))
            rc = sc->version ? sqlite3_bind_int(st, i, sc->version) : sqlite3_bind_null(st, i);
        else if (!strcmp(name, ":owner"))
            rc = sqlite3_bind_text(st, i, sc->owner, -1, SQLITE_STATIC);
        else if (!strcmp(name, ":since"))
            rc = sqlite3_bind_text(st, i, sc->since, -1, SQLITE_STATIC);
        else if (!strcmp(name, ":until"))
            rc = sqlite3_bind_text(st, i, sc->until, -1, SQLITE_STATIC);
        else if (!strcmp(name, ":by"))
            rc = sqlite3_bind_int(st, i, by);
        else if (!strcmp(name, ":order"))
            rc = sqlite3_bind_text(st, i, order, -1, SQLITE_STATIC);
        else if (!strncmp(name, ":ev_", 4) && kanal_event_type_of(name + 4) != KANAL_EV_COUNT)
            rc = sqlite3_bind_text(st, i, name + 4, -1, SQLITE_STATIC);
        else
            rc = SQLITE_MISUSE; /* a parameter this file does not know: a bug here */
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            kanal_error_set(err, KANAL_ESTORAGE,
                            "internal error: the report query's parameter %s cannot be bound",
                            name ? name : "?");
            return NULL;
        }
    }
    return st;
}

/* Gathers counts: the columns [workflow] [group] [key] [status] n, as `shape` says. */
enum { C_WORKFLOW = 1, C_GROUP = 2, C_KEY = 4, C_STATUS = 8 };

static int counts(sq *s, kanal_arena *a, sqlite3_stmt *st, int shape, store_count **out, size_t *n,
                  kanal_error *err, const char *doing)
{
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_count c = { NULL, NULL, NULL, KANAL_STATUS_COUNT, 0 };
        int col = 0;
        if (shape & C_WORKFLOW)
            c.workflow = store_sqlite_text(a, st, col++, &oom);
        if (shape & C_GROUP)
            c.group = store_sqlite_text(a, st, col++, &oom);
        if (shape & C_KEY)
            c.key = store_sqlite_text(a, st, col++, &oom);
        if (shape & C_STATUS) {
            const char *status = store_sqlite_column(st, col++, &oom);
            c.status = status ? kanal_status_of(status) : KANAL_STATUS_COUNT;
        }
        c.n = sqlite3_column_int64(st, col);
        kanal_buf_add(&b, &c, sizeof c);
    }
    int rc = store_sqlite_rows_done(s, a, &b, step, oom, sizeof **out, out, n, err, doing);
    sqlite3_finalize(st);
    return rc;
}

static int run_counts(store *base_, kanal_arena *a, const store_scope *sc, int by, const char *sql,
                      int shape, store_count **out, size_t *n, kanal_error *err, const char *doing)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st = prepare(s, sql, sc, by, NULL, err);
    if (!st)
        return err->code;
    return counts(s, a, st, shape, out, n, err, doing);
}

int store_sqlite_report_lost(store *base_, kanal_arena *a, const store_scope *sc, store_by by,
                             store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT workflow, CASE :by WHEN 1 THEN stage WHEN 2 THEN owner END AS g,"
              "        lost_reason, count(*)"
              " FROM owned WHERE status = " S_LOST " GROUP BY workflow, g, lost_reason";
    return run_counts(base_, a, sc, (int)by, sql, C_WORKFLOW | C_GROUP | C_KEY, out, n, err,
                      "counting lost reasons");
}

int store_sqlite_report_outcomes(store *base_, kanal_arena *a, const store_scope *sc,
                                 store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT owner, status, count(*) FROM owned GROUP BY owner, status";
    return run_counts(base_, a, sc, 0, sql, C_GROUP | C_STATUS, out, n, err, "counting outcomes");
}

int store_sqlite_report_activities(store *base_, kanal_arena *a, const store_scope *sc,
                                   store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] =
        SCOPE " SELECT o.owner, x.type, count(*)"
              " FROM owned o JOIN activities x ON x.opp_id = o.id AND x.at <= :as_of"
              " AND (x.voided_at IS NULL OR x.voided_at > :as_of)"
              " GROUP BY o.owner, x.type";
    return run_counts(base_, a, sc, 0, sql, C_GROUP | C_KEY, out, n, err, "counting activities");
}

int store_sqlite_report_first_touch(store *base_, kanal_arena *a, const store_scope *sc,
                                    store_count **out, size_t *n, kanal_error *err)
{
    /* the first activity: the earliest, and of two at once the first logged */
    static const char sql[] =
        SCOPE " SELECT owner, first, status, count(*) FROM ("
              "   SELECT o.owner, o.status,"
              "     (SELECT x.type FROM activities x WHERE x.opp_id = o.id AND x.at <= :as_of"
              "     AND (x.voided_at IS NULL OR x.voided_at > :as_of)"
              "        ORDER BY x.at, x.id LIMIT 1) AS first"
              "   FROM owned o)"
              " GROUP BY owner, first, status";
    return run_counts(base_, a, sc, 0, sql, C_GROUP | C_KEY | C_STATUS, out, n, err,
                      "finding first touches");
}

int store_sqlite_backfill_visits(sq *s, kanal_error *err)
{
    /* each creation or advance starts a visit; the next such step, or a won
       or lost event, ends it */
    static const char sql[] =
        "INSERT INTO stage_visits(opp_id, stage, entered_at, left_at, outcome)"
        " SELECT opp_id, stage, at, left_at,"
        "   CASE how WHEN :ev_won THEN " S_WON " WHEN :ev_lost THEN " S_LOST " END"
        " FROM (SELECT opp_id, seq, at,"
        "         CASE type WHEN :ev_created THEN json_extract(data, '$.stage')"
        "           WHEN :ev_advanced THEN json_extract(data, '$.to') END AS stage,"
        "         lead(type) OVER w AS how, lead(at) OVER w AS left_at"
        "       FROM events WHERE opp_id IS NOT NULL"
        "         AND type IN (:ev_created, :ev_advanced, :ev_won, :ev_lost)"
        "       WINDOW w AS (PARTITION BY opp_id ORDER BY seq))"
        " WHERE stage IS NOT NULL ORDER BY opp_id, seq";
    store_scope none = { 0 };
    sqlite3_stmt *st = prepare(s, sql, &none, 0, NULL, err);
    if (!st)
        return err->code;
    int rc = sqlite3_step(st) == SQLITE_DONE ? KANAL_OK
                                             : store_sqlite_fail(s, err, "migrating the schema");
    sqlite3_finalize(st);
    return rc;
}

int store_sqlite_report_stages(store *base_, kanal_arena *a, const store_scope *sc,
                               store_stage_row **out, size_t *n, kanal_error *err)
{
    /* the visits to each stage begun by as_of: how each ended by then
       (advanced: left without an outcome), or that it had not */
    static const char counts_sql[] =
        SCOPE " SELECT v.stage, count(*),"
              "   sum(v.left_at <= :as_of AND v.outcome IS NULL),"
              "   sum(v.left_at <= :as_of AND v.outcome IS " S_WON "),"
              "   sum(v.left_at <= :as_of AND v.outcome IS " S_LOST "),"
              "   sum(v.left_at IS NULL OR v.left_at > :as_of)"
              " FROM owned o JOIN stage_visits v ON v.opp_id = o.id"
              " WHERE v.entered_at <= :as_of GROUP BY v.stage";
    /* the seconds spent in a stage by each visit that ended, sorted, read in
       order and never all at once */
    static const char days_sql[] =
        SCOPE " SELECT v.stage, unixepoch(v.left_at) - unixepoch(v.entered_at) AS secs"
              " FROM owned o JOIN stage_visits v ON v.opp_id = o.id"
              " WHERE v.left_at <= :as_of ORDER BY v.stage, secs";
    sq *s = (sq *)base_;
    sqlite3_stmt *st = prepare(s, counts_sql, sc, 0, NULL, err);
    if (!st)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_stage_row r = { .stage = store_sqlite_text(a, st, 0, &oom),
                              .entered = sqlite3_column_int64(st, 1),
                              .advanced = sqlite3_column_int64(st, 2),
                              .won = sqlite3_column_int64(st, 3),
                              .lost = sqlite3_column_int64(st, 4),
                              .open = sqlite3_column_int64(st, 5) };
        r.left = r.advanced + r.won + r.lost;
        kanal_buf_add(&b, &r, sizeof r);
    }
    int rc = store_sqlite_rows_done(s, a, &b, step, oom, sizeof **out, out, n, err,
                                    "following the stages");
    sqlite3_finalize(st);
    if (rc || !(st = prepare(s, days_sql, sc, 0, NULL, err)))
        return rc ? rc : (int)err->code;
    /* the median: the value at rank (left + 1) / 2, or the mean of those at
       left / 2 and left / 2 + 1; the p90: the value at rank ceil(0.9 left) */
    store_stage_row *row = NULL;
    int64_t rank = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *stage = store_sqlite_column(st, 0, &oom);
        if (!stage)
            continue;
        if (!row || strcmp(row->stage, stage) != 0) {
            row = NULL;
            rank = 0;
            for (size_t i = 0; i < *n && !row; i++)
                if ((*out)[i].stage && strcmp((*out)[i].stage, stage) == 0)
                    row = &(*out)[i];
            if (!row)
                continue;
        }
        double days = (double)sqlite3_column_int64(st, 1) / 86400.0;
        int64_t left = row->left;
        rank++;
        if (left % 2 && rank == (left + 1) / 2)
            row->median_days = days;
        else if (left % 2 == 0 && (rank == left / 2 || rank == left / 2 + 1))
            row->median_days += days / 2;
        if (rank == (9 * left + 9) / 10)
            row->p90_days = days;
    }
    if (step != SQLITE_DONE)
        rc = store_sqlite_fail(s, err, "measuring the days in each stage");
    else if (oom)
        rc = kanal_error_nomem(err);
    sqlite3_finalize(st);
    return rc;
}

/* The limits as JSON for the query: [[workflow, version, stage, max_days], ...]. */
static char *limits_json(const store_stage_limit *limits, size_t n)
{
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        kanal_buf_puts(&b, i ? ",[" : "[");
        kanal_json_escape(&b, limits[i].workflow);
        kanal_buf_printf(&b, ",%d,", limits[i].version);
        kanal_json_escape(&b, limits[i].stage);
        kanal_buf_printf(&b, ",%d]", limits[i].max_days);
    }
    kanal_buf_putc(&b, ']');
    return kanal_buf_detach(&b);
}

int store_sqlite_report_open(store *base_, kanal_arena *a, const store_scope *sc,
                             const store_stage_limit *limits, size_t n_limits, store_open_row **out,
                             size_t *n, kanal_error *err)
{
    static const char all_sql[] =
        SCOPE " SELECT o.id, p.name, o.owner, o.workflow, o.version, o.stage,"
              "        o.stage_entered_at,"
              "        (SELECT max(x.at) FROM activities x"
              "          WHERE x.opp_id = o.id AND x.at <= :as_of"
              "          AND (x.voided_at IS NULL OR x.voided_at > :as_of))"
              " FROM owned o JOIN partners p ON p.id = o.partner_id"
              " WHERE o.status = " S_OPEN " ORDER BY o.stage_entered_at, o.id";
    /* past the limit: more than max_days whole days, that is at least
       max_days + 1 times 86,400 seconds */
    static const char stale_sql[] = SCOPE
        ", lim AS MATERIALIZED ("
        "  SELECT json_extract(value, '$[0]') AS workflow, json_extract(value, '$[1]') AS version,"
        "         json_extract(value, '$[2]') AS stage, json_extract(value, '$[3]') AS max_days"
        "  FROM json_each(:order))"
        " SELECT o.id, p.name, o.owner, o.workflow, o.version, o.stage,"
        "        o.stage_entered_at,"
        "        (SELECT max(x.at) FROM activities x"
        "          WHERE x.opp_id = o.id AND x.at <= :as_of"
        "          AND (x.voided_at IS NULL OR x.voided_at > :as_of))"
        " FROM owned o JOIN partners p ON p.id = o.partner_id"
        " WHERE o.status = " S_OPEN
        "   AND unixepoch(:as_of) - unixepoch(o.stage_entered_at) >= 86400 * (1 +"
        "     (SELECT lim.max_days FROM lim WHERE lim.workflow = o.workflow"
        "        AND lim.version = o.version AND lim.stage = o.stage))"
        " ORDER BY o.stage_entered_at, o.id";
    sq *s = (sq *)base_;
    char *json = NULL;
    if (limits && !(json = limits_json(limits, n_limits)))
        return kanal_error_nomem(err);
    sqlite3_stmt *st = prepare(s, limits ? stale_sql : all_sql, sc, 0, json, err);
    if (!st) {
        free(json);
        return err->code;
    }
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_open_row r = { .id = sqlite3_column_int64(st, 0),
                             .partner = store_sqlite_text(a, st, 1, &oom),
                             .owner = store_sqlite_text(a, st, 2, &oom),
                             .workflow = store_sqlite_text(a, st, 3, &oom),
                             .version = sqlite3_column_int(st, 4),
                             .stage = store_sqlite_text(a, st, 5, &oom),
                             .stage_entered_at = store_sqlite_text(a, st, 6, &oom),
                             .last_activity_at = store_sqlite_text(a, st, 7, &oom) };
        kanal_buf_add(&b, &r, sizeof r);
    }
    int rc = store_sqlite_rows_done(s, a, &b, step, oom, sizeof **out, out, n, err,
                                    "finding open opportunities");
    sqlite3_finalize(st);
    free(json);
    return rc;
}

/* The order of goals as JSON for the query: [[version, goal, after], ...]. */
static char *order_json(const store_goal_order *order, size_t n)
{
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        kanal_buf_printf(&b, "%s[%d,", i ? "," : "", order[i].version);
        kanal_json_escape(&b, order[i].goal);
        kanal_buf_putc(&b, ',');
        kanal_json_escape(&b, order[i].after);
        kanal_buf_putc(&b, ']');
    }
    kanal_buf_putc(&b, ']');
    return kanal_buf_detach(&b);
}

int store_sqlite_report_goals(store *base_, kanal_arena *a, const store_scope *sc,
                              const store_goal_order *order, size_t n_order, store_goal_row **out,
                              size_t *n, kanal_error *err)
{
    /* late: done while a goal it waits for was not yet done (a goal done at
       the same moment counts as done before) */
    static const char sql[] = SCOPE
        ", ord AS MATERIALIZED ("
        "  SELECT json_extract(value, '$[0]') AS version, json_extract(value, '$[1]') AS goal,"
        "         json_extract(value, '$[2]') AS after FROM json_each(:order))"
        " SELECT g.goal, count(*),"
        "   sum(EXISTS (SELECT 1 FROM ord WHERE ord.version = o.version AND ord.goal = g.goal"
        "       AND NOT EXISTS (SELECT 1 FROM goals_done g2 WHERE g2.opp_id = g.opp_id"
        "         AND g2.goal = ord.after AND g2.done_at <= g.done_at))),"
        "   sum(o.status = " S_WON "), sum(o.status = " S_LOST ")"
        " FROM owned o JOIN goals_done g ON g.opp_id = o.id AND g.done_at <= :as_of"
        " GROUP BY g.goal";
    sq *s = (sq *)base_;
    char *json = order_json(order, n_order);
    if (!json)
        return kanal_error_nomem(err);
    sqlite3_stmt *st = prepare(s, sql, sc, 0, json, err);
    if (!st) {
        free(json);
        return err->code;
    }
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_goal_row r = { .goal = store_sqlite_text(a, st, 0, &oom),
                             .done = sqlite3_column_int64(st, 1),
                             .done_late = sqlite3_column_int64(st, 2),
                             .done_won = sqlite3_column_int64(st, 3),
                             .done_lost = sqlite3_column_int64(st, 4) };
        kanal_buf_add(&b, &r, sizeof r);
    }
    int rc =
        store_sqlite_rows_done(s, a, &b, step, oom, sizeof **out, out, n, err, "counting goals");
    sqlite3_finalize(st);
    free(json);
    return rc;
}

int store_sqlite_report_waived(store *base_, kanal_arena *a, const store_scope *sc,
                               store_count **out, size_t *n, kanal_error *err)
{
    static const char sql[] = SCOPE " SELECT w.goal, o.status, count(*)"
                                    " FROM owned o JOIN goals_waived w ON w.opp_id = o.id"
                                    "  AND w.waived_at <= :as_of GROUP BY w.goal, o.status";
    return run_counts(base_, a, sc, 0, sql, C_KEY | C_STATUS, out, n, err,
                      "counting goals not required");
}

int store_sqlite_report_win_days(store *base_, const store_scope *sc, store_win_days *out,
                                 kanal_error *err)
{
    /* the seconds from creation to win of each won, sorted, read in order
       and never all at once; every row carries how many there are */
    static const char sql[] =
        SCOPE " SELECT count(*) OVER (), unixepoch(closed_at) - unixepoch(created_at) AS secs"
              " FROM owned WHERE status = " S_WON " ORDER BY secs";
    sq *s = (sq *)base_;
    *out = (store_win_days){ 0, 0 };
    sqlite3_stmt *st = prepare(s, sql, sc, 0, NULL, err);
    if (!st)
        return err->code;
    /* the median: the value at rank (won + 1) / 2, or the mean of those at
       won / 2 and won / 2 + 1 (the funnel's ranks) */
    int64_t rank = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t won = sqlite3_column_int64(st, 0);
        double days = (double)sqlite3_column_int64(st, 1) / 86400.0;
        out->won = won;
        rank++;
        if (won % 2 && rank == (won + 1) / 2)
            out->median_days = days;
        else if (won % 2 == 0 && (rank == won / 2 || rank == won / 2 + 1))
            out->median_days += days / 2;
    }
    int rc =
        step == SQLITE_DONE ? KANAL_OK : store_sqlite_fail(s, err, "measuring the days to a win");
    sqlite3_finalize(st);
    if (rc)
        *out = (store_win_days){ 0, 0 };
    return rc;
}
