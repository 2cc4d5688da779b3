/*
** util.c — arena, files, UTF-8, and the "did you mean" suggestion.
*/
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "kanal/text.h"

/* ---- arena ------------------------------------------------------------- */

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct kanal_arena {
    struct block *head;
};

kanal_arena *kanal_arena_new(void)
{
    return calloc(1, sizeof(kanal_arena));
}

void kanal_arena_free(kanal_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *kanal_arena_alloc(kanal_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    struct block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 8192 ? size : 8192;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *kanal_arena_strndup(kanal_arena *a, const char *s, size_t len)
{
    char *p = kanal_arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *kanal_arena_strdup(kanal_arena *a, const char *s)
{
    return kanal_arena_strndup(a, s, strlen(s));
}

char *kanal_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---- files ------------------------------------------------------------- */

int kanal_sweep_leftovers(const char *path, const char *infix)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    char dir[4096], prefix[512];
    int dl = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path)
                   : snprintf(dir, sizeof dir, ".");
    int pl = snprintf(prefix, sizeof prefix, ".%s%s", name, infix);
    if (dl <= 0 || (size_t)dl >= sizeof dir || pl <= 0 || (size_t)pl >= sizeof prefix)
        return 0;
    if (!slash || slash == path)
        snprintf(dir, sizeof dir, "%s", slash ? "/" : ".");
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, (size_t)pl) != 0)
            continue;
        /* PID-N, then nothing or -wal, -shm, -journal */
        char *end;
        errno = 0;
        long pid = strtol(e->d_name + pl, &end, 10);
        if (errno || pid <= 0 || *end != '-' || !strchr("0123456789", end[1]) || !end[1])
            continue;
        strtoul(end + 1, &end, 10);
        if (*end && strcmp(end, "-wal") != 0 && strcmp(end, "-shm") != 0 &&
            strcmp(end, "-journal") != 0)
            continue;
        /* its writer still runs (or may: another user's), or it is new: not ours to touch */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char file[4608];
        struct stat st;
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        if (lstat(file, &st) != 0 || !S_ISREG(st.st_mode) || now - st.st_mtime < 60)
            continue;
        if (unlink(file) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int kanal_read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    kanal_buf b = KANAL_BUF_INIT;
    char chunk[65536];
    size_t n;
    while (b.len <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        size_t room = max - b.len; /* one byte past it says "longer" */
        kanal_buf_add(&b, chunk, n <= room ? n : room + 1);
    }
    int rc = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (!rc && b.oom)
        rc = ENOMEM;
    if (rc) {
        kanal_buf_release(&b);
        return rc;
    }
    *len = b.len;
    *out = kanal_buf_detach(&b);
    return *out ? 0 : ENOMEM;
}

/* ---- UTF-8 ------------------------------------------------------------- */

size_t kanal_utf8_decode(const char *text, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    if (n == 0)
        return 0;
    unsigned c = s[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    for (size_t k = 1; k < len; k++) {
        if (k >= n || (s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool kanal_cp_acts(unsigned cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool kanal_utf8_valid(const char *text, size_t len, size_t *bad)
{
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = kanal_utf8_decode(text + i, len - i, &cp);
        if (!n) {
            if (bad)
                *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

size_t kanal_utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static unsigned fold_cp(unsigned c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0x80)
        return c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 32;
    if (c == 0x178) /* Ÿ pairs with ÿ of Latin-1 */
        return 0xFF;
    if (c >= 0x100 && c <= 0x17F) {
        /* Latin Extended-A pairs upper/lower as even/odd, except for a few
           ranges that pair odd/even. */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

static void put_cp(kanal_buf *b, unsigned c)
{
    char o[4];
    size_t n;
    if (c < 0x80) {
        o[0] = (char)c, n = 1;
    } else if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6)), o[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    } else if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12)), o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    } else {
        o[0] = (char)(0xF0 | (c >> 18)), o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3F)), o[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    }
    kanal_buf_add(b, o, n);
}

char *kanal_utf8_fold(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    kanal_buf b = KANAL_BUF_INIT;
    while (*s) {
        unsigned c = *s;
        size_t n = 0;
        if (c >= 0xF0)
            c &= 0x07, n = 3;
        else if (c >= 0xE0)
            c &= 0x0F, n = 2;
        else if (c >= 0xC0)
            c &= 0x1F, n = 1;
        s++;
        for (size_t k = 0; k < n && (*s & 0xC0) == 0x80; k++, s++)
            c = (c << 6) | (*s & 0x3F);
        put_cp(&b, fold_cp(c));
    }
    return kanal_buf_detach(&b);
}

/* ---- ids and suggestions ----------------------------------------------- */

/* Optimal string alignment distance (Damerau-Levenshtein without
   overlapping edits), capped: words longer than 64 bytes are not compared. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 1000;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

const char *kanal_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    int best_d = 0;
    size_t len = strlen(word);
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        /* At most three edits, and at most one for every three characters
           of the longer word: "g3" is not a misspelling of "g1", but "cal"
           is one of "call". */
        size_t longer = strlen(candidates[i]) > len ? strlen(candidates[i]) : len;
        int d = edit_distance(word, candidates[i]);
        if (d > 0 && d <= 3 && (size_t)d * 3 <= longer && (!best || d < best_d)) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

int kanal_unknown(kanal_error *err, kanal_code code, const char *what, const char *name,
            const char *const *known, size_t n, const char *context)
{
    const char *near = kanal_suggest(name, known, n);
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_printf(&b, "unknown %s '%s'", what, name);
    if (context)
        kanal_buf_printf(&b, " %s", context);
    if (near) {
        kanal_buf_printf(&b, " (did you mean '%s'?)", near);
    } else if (n > 0 && n <= 12) {
        kanal_buf_puts(&b, " (known: ");
        for (size_t i = 0; i < n; i++)
            kanal_buf_printf(&b, "%s%s", i ? ", " : "", known[i]);
        kanal_buf_putc(&b, ')');
    }
    kanal_error_set(err, code, "%s", kanal_buf_cstr(&b));
    kanal_buf_release(&b);
    return code;
}

int kanal_text_ok(const char *what, const char *text, kanal_error *err)
{
    if (!text)
        return KANAL_OK;
    size_t n = strlen(text), bad;
    if (!kanal_utf8_valid(text, n, &bad))
        return kanal_error_set(err, KANAL_EINVALID,
                               "%s is not valid UTF-8 (byte 0x%02x at offset %zu): write it in "
                               "UTF-8",
                               what, (unsigned char)text[bad], bad);
    if (n > KANAL_TEXT_MAX)
        return kanal_error_set(err, KANAL_EINVALID, "%s is too long (%zu bytes; at most %d)",
                               what, n, KANAL_TEXT_MAX);
    return KANAL_OK;
}
