/*
** rules_cost.c — the worst case of Lua's pattern matcher, estimated from
** the pattern and the subject (see rules_cost.h).
*/
#include <ctype.h>
#include <string.h>

#include "rules/rules_cost.h"

#define MAX_ITEMS 256
#define COST_CAP 1e15

typedef struct item {
    unsigned char set[32]; /* the bytes the item can take */
    char quant;            /* 0, '*', '+', '-' or '?' */
    enum { IT_CHAR, IT_ZERO, IT_FRONTIER, IT_END, IT_BALANCE, IT_BACKREF } kind;
} item;

static void set_add(unsigned char *set, unsigned c)
{
    set[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static bool set_has(const unsigned char *set, unsigned c)
{
    return set[c >> 3] & (1u << (c & 7));
}

/* Lua's %a, %d, ... in the C locale (Kanal never changes it); false for a literal. */
static bool in_class(unsigned c, int cl, bool *is_class)
{
    bool r;
    *is_class = true;
    switch (tolower(cl)) {
    case 'a': r = isalpha((int)c); break;
    case 'c': r = iscntrl((int)c); break;
    case 'd': r = isdigit((int)c); break;
    case 'g': r = isgraph((int)c); break;
    case 'l': r = islower((int)c); break;
    case 'p': r = ispunct((int)c); break;
    case 's': r = isspace((int)c); break;
    case 'u': r = isupper((int)c); break;
    case 'w': r = isalnum((int)c); break;
    case 'x': r = isxdigit((int)c); break;
    default:
        *is_class = false;
        return c == (unsigned char)cl;
    }
    return isupper(cl) ? !r : r;
}

/* Adds the bytes of %cl (a class, or an escaped literal) to set. */
static void add_class(unsigned char *set, int cl)
{
    for (unsigned c = 0; c < 256; c++) {
        bool is_class;
        if (in_class(c, cl, &is_class))
            set_add(set, c);
    }
}

/* Parses [set] at p (p points at '['); returns the byte after ']', or NULL. */
static const char *parse_set(const char *p, const char *end, unsigned char *set)
{
    unsigned char tmp[32] = { 0 };
    p++;
    bool neg = p < end && *p == '^';
    if (neg)
        p++;
    bool first = true;
    while (p < end && (first || *p != ']')) {
        first = false;
        if (*p == '%' && p + 1 < end) {
            add_class(tmp, (unsigned char)p[1]);
            p += 2;
        } else if (p + 2 < end && p[1] == '-' && p[2] != ']') {
            for (unsigned c = (unsigned char)p[0]; c <= (unsigned char)p[2]; c++)
                set_add(tmp, c);
            p += 3;
        } else {
            set_add(tmp, (unsigned char)*p++);
        }
    }
    if (p >= end)
        return NULL; /* malformed: Lua will say so */
    for (int i = 0; i < 32; i++)
        set[i] = neg ? (unsigned char)~tmp[i] : tmp[i];
    return p + 1;
}

/* Splits the pattern into items; -1 when it has too many to judge. */
static int parse(const char *p, size_t m, item *items, bool *anchored)
{
    const char *end = p + m;
    int n = 0;
    *anchored = m > 0 && *p == '^';
    if (*anchored)
        p++;
    while (p < end) {
        if (n == MAX_ITEMS)
            return -1;
        item *it = &items[n++];
        memset(it, 0, sizeof *it);
        it->kind = IT_CHAR;
        switch (*p) {
        case '(':
        case ')':
            it->kind = IT_ZERO;
            p++;
            continue; /* captures take no bytes and are never quantified */
        case '$':
            if (p + 1 == end) {
                it->kind = IT_END;
                p++;
                continue;
            }
            set_add(it->set, '$');
            p++;
            break;
        case '.':
            memset(it->set, 0xff, sizeof it->set);
            p++;
            break;
        case '[':
            if (!(p = parse_set(p, end, it->set)))
                return n - 1;
            break;
        case '%':
            if (p + 1 >= end)
                return n - 1;
            if (p[1] == 'b') {
                it->kind = IT_BALANCE;
                if (p + 2 < end)
                    set_add(it->set, (unsigned char)p[2]);
                p += p + 3 < end ? 4 : (size_t)(end - p);
                continue;
            }
            if (p[1] == 'f') {
                it->kind = IT_FRONTIER;
                p += 2;
                if (p < end && *p == '[' && !(p = parse_set(p, end, it->set)))
                    return n - 1;
                memset(it->set, 0, sizeof it->set);
                continue;
            }
            if (p[1] >= '0' && p[1] <= '9') {
                it->kind = IT_BACKREF;
                memset(it->set, 0xff, sizeof it->set);
                p += 2;
                continue;
            }
            add_class(it->set, (unsigned char)p[1]);
            p += 2;
            break;
        default:
            set_add(it->set, (unsigned char)*p++);
        }
        if (p < end && (*p == '*' || *p == '+' || *p == '-' || *p == '?'))
            it->quant = *p++;
    }
    return n;
}

/* The longest run of the subject's bytes that all belong to set. */
static size_t longest_run(const unsigned char *set, const char *s, size_t n)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = set_has(set, (unsigned char)s[i]) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Whether what may follow item i can start with a byte of item i's set. */
static bool ambiguous(const item *items, int n, int i)
{
    for (int j = i + 1; j < n; j++) {
        const item *f = &items[j];
        if (f->kind == IT_ZERO || f->kind == IT_FRONTIER)
            continue;
        if (f->kind == IT_END)
            return false;
        for (int b = 0; b < 32; b++)
            if (items[i].set[b] & f->set[b])
                return true;
        if (f->kind != IT_CHAR || !(f->quant == '*' || f->quant == '-' || f->quant == '?'))
            return false;
    }
    return false; /* the end of the pattern: the match is over */
}

static bool optional(const item *it)
{
    return it->kind == IT_ZERO ||
           (it->kind == IT_CHAR && (it->quant == '*' || it->quant == '-' || it->quant == '?'));
}

static bool takes_all(const item *it)
{
    if (it->kind != IT_CHAR || !(it->quant == '*' || it->quant == '-'))
        return false;
    for (int b = 0; b < 32; b++)
        if (it->set[b] != 0xff)
            return false;
    return true;
}

/*
** Whether the items from `from` on match at any position: all optional, or
** ending in '$' after an item that can take every byte (".-%s*$"). The
** matcher never backtracks into an item whose rest cannot fail.
*/
static bool rest_always_matches(const item *items, int n, int from)
{
    int j = from;
    while (j < n && optional(&items[j]))
        j++;
    if (j == n)
        return true;
    if (items[j].kind != IT_END || j + 1 != n)
        return false;
    for (int i = from; i < j; i++)
        if (takes_all(&items[i]))
            return true;
    return false;
}

double pattern_cost(const char *p, size_t m, const char *s, size_t n, bool plain)
{
    double len = (double)n + 1;
    if (plain)
        return len * ((double)m + 1);
    item items[MAX_ITEMS];
    bool anchored;
    int k = parse(p, m, items, &anchored);
    if (k < 0)
        return COST_CAP;
    double product = 1, linear = (double)m + 1;
    for (int i = 0; i < k; i++) {
        const item *it = &items[i];
        if (it->kind == IT_BALANCE || it->kind == IT_BACKREF) {
            linear += len;
            continue;
        }
        if (it->kind != IT_CHAR || !it->quant)
            continue;
        double run = (double)longest_run(it->set, s, n) + 1;
        bool amb = ambiguous(items, k, i) && !rest_always_matches(items, k, i + 1);
        if (it->quant == '?')
            product *= amb ? 2 : 1;
        else if (amb)
            product *= run;
        else
            linear += run;
        if (product > COST_CAP)
            return COST_CAP;
    }
    double cost = (anchored ? 1.0 : len) * product * linear;
    return cost > COST_CAP ? COST_CAP : cost;
}
