"""query_plans.py DB FILE...: the query plan of every statement in FILEs (as
KANAL_SQL_LOG of tests/fault/fault.c writes them: each followed by a line
"-- end --"), asked of DB with EXPLAIN QUERY PLAN. A statement is refused when
its plan reads a whole table once per row of another: a full SCAN inside a
correlated subquery, or as the inner loop of a join. What grows with the
definition, not the history, may be scanned: json_each and the CTEs made of it.
Prints each problem and a summary; exits 1 when there is one."""
import re
import sqlite3
import sys


def plan(db, sql):
    names = set(re.findall(r"[:@$]([A-Za-z_]\w*)", sql))
    if names:
        return db.execute("EXPLAIN QUERY PLAN " + sql, {n: None for n in names}).fetchall()
    try:
        return db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    except sqlite3.ProgrammingError as e:
        m = re.search(r"uses (\d+)", str(e))
        if not m:
            raise
        return db.execute("EXPLAIN QUERY PLAN " + sql, [None] * int(m.group(1))).fetchall()


def small_names(sql):
    """json_each, and the CTEs whose body reads json_each only."""
    small = {"json_each"}
    for m in re.finditer(r"(\w+)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", sql, re.I):
        depth, i = 1, m.end()
        while i < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        sources = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql[m.end():i], re.I)
        if sources and all(t.lower() == "json_each" for t in sources):
            small.add(m.group(1))
    return small


def main():
    db = sqlite3.connect(sys.argv[1])
    statements = problems = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            texts = f.read().split("\n-- end --\n")
        for sql in texts:
            sql = sql.strip()
            if not sql.upper().startswith(("SELECT", "WITH")):
                continue
            statements += 1
            rows = plan(db, sql)
            node = {r[0]: r for r in rows}
            small = small_names(sql)
            first_loop = {}
            for r in rows:
                what = r[3]
                words = what.split()
                if words[0] == "SCAN" and words[1] not in small and words[1] != "sqlite_schema":
                    why = None
                    a = r
                    while a[1] in node:
                        a = node[a[1]]
                        if "CORRELATED" in a[3]:
                            why = "scanned once per row of a correlated subquery"
                            break
                    if not why and r[1] in first_loop:
                        why = "scanned as the inner loop of a join (after %s)" % first_loop[r[1]]
                    if why:
                        problems += 1
                        print("%s: %s: %s\n  in: %s" % (path, what, why, " ".join(sql.split())[:300]))
                if words[0] in ("SCAN", "SEARCH") and r[1] not in first_loop:
                    first_loop[r[1]] = what
    print("query plans: %d statements, %d reading a table once per row" % (statements, problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
