/*
** test_rules_cost.c — the worst case charged for a pattern match, against
** values worked out by hand from the model in rules_cost.h:
**
**   cost = positions * product * linear
**   positions = 1 when anchored, else n + 1
**   product   = each ambiguous quantifier's (longest run of its bytes + 1),
**               '?' counting 2; a quantifier is ambiguous when what follows
**               it can start with one of its bytes and may fail
**   linear    = m + 1, plus each other quantifier's (run + 1), plus n + 1
**               for each %b and back-reference
**
** and, as a user would notice it, that the patterns that hung a command are
** charged past any budget while everyday ones cost little.
*/
#include <string.h>

#include "rules/rules_cost.h"
#include "t.h"

static double cost(const char *p, const char *s)
{
    return pattern_cost(p, strlen(p), s, strlen(s), false);
}

static void test_model(void)
{
    /* a plain find: (n + 1) * (m + 1) */
    CHECK_INT(pattern_cost("abc", 3, "0123456789", 10, true), 11 * 4);
    /* no quantifier: every position, the pattern's length each */
    CHECK_INT(cost("abc", "xxxxx"), 6 * 4);
    CHECK_INT(cost("^abc", "xxxxx"), 1 * 5);
    /* a quantifier whose bytes cannot start what follows backtracks linearly */
    CHECK_INT(cost("%d+%a", "12345"), 6 * (6 + 6));
    /* a* before a*b: the first multiplies by its run, the second adds it */
    CHECK_INT(cost("a*a*b", "aaaa"), 5 * 5 * (6 + 5));
    /* trim: the leading %s* is never backtracked into (what follows cannot
       fail), .- before %s*$ is, the trailing %s* before the end is not */
    CHECK_INT(cost("^%s*(.-)%s*$", "  hi  "), 1 * 7 * (13 + 3 + 3));
    /* sets that match everything, lazily: each multiplies */
    CHECK_INT(cost("[%w%W]-[%w%W]-b", "aaaaaaaaaa"), 11 * (11 * 11) * 16);
    /* %b scans up to the end at every position */
    CHECK_INT(cost("%b()", "(())"), 5 * (5 + 5));
    /* '?' before what it could also be: two ways */
    CHECK_INT(cost("^a?a", "aa"), 1 * 2 * 5);
    /* a back-reference compares up to the subject's length */
    CHECK_INT(cost("^(a)%1", "aa"), 1 * (7 + 3));
    /* a complemented class takes the escaped literal that follows it too */
    CHECK_INT(cost("^%S*%.", "ab.cd"), 1 * 6 * 7);
    /* the run is the longest one of the item's bytes, not the subject */
    CHECK_INT(cost("^x*x", "axxa"), 1 * 3 * 5);
}

static void test_what_users_notice(void)
{
    char subject[3001], pattern[64];
    /* the patterns that hung every rep for minutes: far past any budget */
    memset(subject, 'a', 60);
    subject[60] = '\0';
    pattern[0] = '\0';
    for (int i = 0; i < 15; i++)
        strcat(pattern, "a*");
    strcat(pattern, "b");
    CHECK(cost(pattern, subject) >= 1e15);
    memset(subject, 'a', 3000);
    subject[3000] = '\0';
    CHECK(cost("[%w%W]-[%w%W]-[%w%W]-[%w%W]-b", subject) > 1e13);
    CHECK(cost(".-.-.-.-b", subject) > 1e13);
    /* everyday patterns on a 3000-byte note stay far under the default
       budget of a million instructions */
    char note[3001];
    for (int i = 0; i < 3000; i++)
        note[i] = "Call with the buyer, 12 items"[i % 29];
    note[3000] = '\0';
    CHECK(cost("^%s*(.-)%s*$", note) < 2e5);
    CHECK(cost("%d+", note) < 5e4);
    CHECK(cost("(%w+)=(%w+)", note) < 1e5);
    CHECK(cost("buyer", note) < 2e4);
    /* a pattern too long to judge is charged as the worst */
    char many[600];
    for (int i = 0; i < 299; i++) {
        many[2 * i] = '(';
        many[2 * i + 1] = ')';
    }
    many[598] = '\0';
    CHECK(cost(many, "x") >= 1e15);
}

int main(void)
{
    test_model();
    test_what_users_notice();
    return t_done("test_rules_cost");
}
