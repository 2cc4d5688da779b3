/*
** rules_cost.c — the worst case of Lua's pattern matcher, estimated from
** the pattern and the subject (see rules_cost.h).
*/
#include <ctype.h>
#include <stdlib.h>
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
static int parse(const char *p, size_t m, item *items, bool may_anchor, bool *anchored)
{
    const char *end = p + m;
    int n = 0;
    *anchored = may_anchor && m > 0 && *p == '^';
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

/*
** The bytes that may start what follows item i (the items up to the first
** one that must take a byte, or a '$'), into first; false when what follows
** may be nothing at all (the end of the pattern, or only optional items), so
** that the match can end there.
*/
static bool follow_set(const item *items, int n, int i, unsigned char *first)
{
    memset(first, 0, 32);
    for (int j = i + 1; j < n; j++) {
        const item *f = &items[j];
        if (f->kind == IT_ZERO || f->kind == IT_FRONTIER)
            continue;
        if (f->kind == IT_END)
            return true; /* '$' fails wherever the subject goes on */
        for (int b = 0; b < 32; b++)
            first[b] |= f->set[b];
        if (f->kind != IT_CHAR || !(f->quant == '*' || f->quant == '-' || f->quant == '?'))
            return true;
    }
    return false;
}

static bool overlaps(const unsigned char *a, const unsigned char *b)
{
    for (int i = 0; i < 32; i++)
        if (a[i] & b[i])
            return true;
    return false;
}

/* How many bytes of the subject fall in set (hist: the subject's byte counts). */
static double count_in(const unsigned char *set, const size_t *hist)
{
    double n = 0;
    for (unsigned c = 0; c < 256; c++)
        if (set_has(set, c))
            n += (double)hist[c];
    return n;
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

static bool all_bytes(const item *it)
{
    for (int b = 0; b < 32; b++)
        if (it->set[b] != 0xff)
            return false;
    return true;
}

/*
** Whether the items from `from` on fail only for want of bytes at the end
** of the subject: each optional, a capture, or taking any byte ('.', '.+').
*/
static bool nearly_always(const item *items, int n, int from)
{
    for (int j = from; j < n; j++)
        if (!optional(&items[j]) && !(items[j].kind == IT_CHAR && all_bytes(&items[j])))
            return false;
    return true;
}

/*
** How many tries of the items from `from` on, one at each byte of the
** subject that can start them, may do more than fail at once — at most, so
** that the cost of the items is that many times cost(from). A try that
** cannot fail ends the match: then only one does. When what follows the
** first item that must match cannot fail, a try at that item's own bytes
** succeeds: only the tries at the other bytes of the start set (and one)
** can fail after going on.
*/
static double tries(const item *items, int n, int from, const size_t *hist,
                    unsigned char *first)
{
    if (!follow_set(items, n, from - 1, first) || rest_always_matches(items, n, from))
        return 1;
    if (nearly_always(items, n, from))
        return 2;
    int x = from;
    while (x < n && optional(&items[x]))
        x++;
    if (x < n && items[x].kind == IT_CHAR && !items[x].quant && nearly_always(items, n, x + 1)) {
        unsigned char other[32];
        for (int b = 0; b < 32; b++)
            other[b] = first[b] & (unsigned char)~items[x].set[b];
        return count_in(other, hist) + 2;
    }
    return count_in(first, hist) + 1;
}

double rules_pattern_cost(const char *p, size_t m, const char *s, size_t n, bool plain,
                          bool may_anchor)
{
    double len = (double)n + 1;
    if (plain)
        return len * ((double)m + 1);
    item items[MAX_ITEMS];
    bool anchored;
    /* in gmatch a leading '^' is a character like any other */
    int k = parse(p, m, items, may_anchor, &anchored);
    if (k < 0)
        return COST_CAP;
    size_t hist[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        hist[(unsigned char)s[i]]++;
    /*
    ** cost[i]: the steps of matching items i.. at one position, worst case.
    ** A quantified item tries each length it can take (up to its longest run
    ** in the subject); at each, what follows is tried. Where the next byte
    ** cannot start what follows, that try fails at once; it can go further
    ** only at the bytes of the subject that can (counted), and not at all
    ** when what follows cannot fail. A %b or a back-reference scans ahead.
    */
    double cost = 1;
    for (int i = k - 1; i >= 0 && cost < COST_CAP; i--) {
        const item *it = &items[i];
        if (it->kind == IT_END || it->kind == IT_ZERO || it->kind == IT_FRONTIER) {
            cost += 1;
            continue;
        }
        if (it->kind == IT_BALANCE || it->kind == IT_BACKREF) {
            cost += len;
            continue;
        }
        if (!it->quant) {
            cost += 1;
            continue;
        }
        double run = (double)longest_run(it->set, s, n) + 1;
        unsigned char first[32];
        double proceed = tries(items, k, i + 1, hist, first);
        if (!overlaps(it->set, first))
            proceed = 1; /* the run ends where what follows starts: one try */
        if (proceed > run)
            proceed = run;
        if (it->quant == '?')
            proceed = proceed > 2 ? 2 : proceed;
        cost = run + proceed * cost;
    }
    /* every start position is tried, unless anchored; a try that cannot
       start with the subject's byte there fails at once */
    if (anchored)
        return cost > COST_CAP ? COST_CAP : cost;
    unsigned char first[32];
    double starts = tries(items, k, 0, hist, first);
    if (starts > len)
        starts = len;
    double total = len + starts * cost;
    return total > COST_CAP ? COST_CAP : total;
}
