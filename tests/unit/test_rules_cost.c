/*
** test_rules_cost.c — the worst case charged for a pattern match, against
** values worked out by hand from the model in rules_cost.h:
**
**   cost of items i.. at one position, from the last item back (1 at the end):
**     a plain item, a capture, '$'          1 + cost(i+1)
**     %b, a back-reference                  (n + 1) + cost(i+1)
**     a quantified item                      run + proceed * cost(i+1)
**       run      the longest run of its bytes in the subject, plus one
**       proceed  1 when what follows cannot fail or cannot start with one of
**                its bytes; else the count of the subject's bytes that can
**                start what follows, plus one (at most run; at most 2 for '?')
**   total = cost(0) when anchored, else (n + 1) + starts * cost(0), where
**   starts counts the subject's bytes the pattern can start with, plus one
**
** and, as a user would notice it, that the patterns that hung a command are
** charged past any budget while everyday ones on a rep's note cost little.
*/
#include <string.h>

#include "rules/rules_cost.h"
#include "t.h"

static double cost(const char *p, const char *s)
{
    return rules_pattern_cost(p, strlen(p), s, strlen(s), false, true);
}

static void test_model(void)
{
    /* a plain find: (n + 1) * (m + 1) */
    CHECK_INT(rules_pattern_cost("abc", 3, "0123456789", 10, true, true), 11 * 4);
    /* no quantifier: a try only where the subject has the first byte */
    CHECK_INT(cost("abc", "xxxxx"), 6 + 1 * 4);
    CHECK_INT(cost("abc", "xaxab"), 6 + 3 * 4);
    CHECK_INT(cost("^abc", "xxxxx"), 4);
    /* a quantifier whose bytes cannot start what follows: one way on */
    CHECK_INT(cost("%d+%a", "12345"), 6 + 6 * (6 + 1 * 2));
    /* a* before a*b: the first goes on at every a or b, the second at none */
    CHECK_INT(cost("a*a*b", "aaaa"), 5 + 5 * (5 + 5 * (5 + 1 * 2)));
    /* trim: the leading %s* is never tried again (what follows cannot fail),
       .- goes on at every space, the trailing %s* only before the end */
    CHECK_INT(cost("^%s*(.-)%s*$", "  hi  "), 3 + 1 * (1 + (7 + 5 * (1 + (3 + 1 * 2)))));
    /* sets that match everything, lazily, before a b the subject lacks: the
       second tries b at most twice (a b would end the match), the first goes
       on at every byte but b */
    CHECK_INT(cost("[%w%W]-[%w%W]-b", "aaaaaaaaaa"), 11 + 11 * (11 + 11 * (11 + 2 * 2)));
    /* %b scans up to the end */
    CHECK_INT(cost("%b()", "(())"), 5 + 3 * (5 + 1));
    /* '?' before what it could also be: two ways at most */
    CHECK_INT(cost("^a?a", "aa"), 3 + 2 * 2);
    /* a back-reference compares up to the subject's length */
    CHECK_INT(cost("^(a)%1", "aa"), 1 + 1 + 1 + 3 + 1);
    /* a complemented class before an escaped literal it also takes */
    CHECK_INT(cost("^%S*%.", "ab.cd"), 6 + 2 * 2);
    /* the run is the longest one of the item's bytes, not the subject; a try
       at an x ends the match */
    CHECK_INT(cost("^x*x", "axxa"), 3 + 2 * 2);
    /* in gmatch a leading '^' is a byte to match, tried at every position */
    CHECK_INT(rules_pattern_cost("^b", 2, "x^b", 3, false, false), 4 + 2 * 3);
    CHECK_INT(rules_pattern_cost("^b", 2, "x^b", 3, false, true), 2);
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
    /* gmatch cannot escape by a leading '^' */
    CHECK(rules_pattern_cost("^a*a*a*a*a*a*b", 14, subject, 3000, false, false) > 1e13);
    /* everyday patterns on a 4000-byte note stay under the default budget
       (ten million instructions, eight matcher steps each) */
    static const char text[] = "Call about the order, 12 items; price ok, margin 15%. ";
    char note[4001];
    for (int i = 0; i < 4000; i++)
        note[i] = text[i % (sizeof text - 1)];
    note[4000] = '\0';
    static const char *const everyday[] = { "^%s*(.-)%s*$", "%d+", "(%w+)=(%w+)", "buyer",
                                            "(.*)order", "email:%s*(%S+@%S+)",
                                            "^(.*)%s(.*)$", "(.+),(.+)", "[^,]+" };
    for (size_t i = 0; i < sizeof everyday / sizeof *everyday; i++) {
        double c = cost(everyday[i], note);
        if (c >= 8e7)
            fprintf(stderr, "  '%s' on a note: %.0f steps\n", everyday[i], c);
        CHECK(c < 8e7);
    }
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
