/*
** fold.c — text as people compare it when they look for something: without
** accents and marks, in one case, with runs of blanks as one space. "Łódź"
** is "lodz", "Wiśniewska" "wisniewska", "Straße" "strasse".
**
** On ICU (Debian's libicu-dev): its Latin-ASCII transliterator knows the
** letters that no decomposition takes apart (ł, ø, đ, ß, æ), and its case
** folding every script's cases. A transliterator takes a moment to build,
** so a folder is made once and kept by whoever folds many strings.
*/
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "base/base.h"

struct kanal_folder {
    UTransliterator *latin; /* Latin-ASCII */
};

kanal_folder *kanal_folder_new(void)
{
    kanal_folder *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    UErrorCode st = U_ZERO_ERROR;
    UChar id[16];
    u_uastrcpy(id, "Latin-ASCII");
    f->latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st)) {
        free(f);
        return NULL;
    }
    return f;
}

void kanal_folder_free(kanal_folder *f)
{
    if (!f)
        return;
    utrans_close(f->latin);
    free(f);
}

/* Appends s with runs of blanks as one space, none at the ends. */
static void put_squeezed(kanal_buf *b, const char *s, size_t len)
{
    bool blank = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            blank = true;
            continue;
        }
        if (blank && b->len)
            kanal_buf_putc(b, ' ');
        blank = false;
        kanal_buf_putc(b, c);
    }
}

bool kanal_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

char *kanal_fold(kanal_folder *f, const char *s)
{
    size_t len = strlen(s);
    kanal_buf b = KANAL_BUF_INIT;
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    if (ascii) {
        /* the common case, without ICU */
        char *low = malloc(len + 1);
        if (!low)
            return NULL;
        for (size_t i = 0; i < len; i++)
            low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
        put_squeezed(&b, low, len);
        free(low);
        return b.oom ? (kanal_buf_release(&b), NULL) : kanal_buf_detach(&b);
    }
    if (len > INT32_MAX / 8)
        return NULL;
    /* UTF-16 grows by transliteration (ß: ss, æ: ae) and by case folding: room for 4x */
    int32_t cap = (int32_t)len * 4 + 16, n = 0;
    UChar *u = malloc((size_t)cap * sizeof *u), *folded = malloc((size_t)cap * sizeof *u);
    char *out = NULL;
    UErrorCode st = U_ZERO_ERROR;
    if (!u || !folded)
        goto done;
    u_strFromUTF8WithSub(u, cap, &n, s, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t limit = n;
    if (f)
        utrans_transUChars(f->latin, u, &n, cap, 0, &limit, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t m = u_strFoldCase(folded, cap, u, n, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t bytes = 0;
    u_strToUTF8(NULL, 0, &bytes, folded, m, &st); /* the length it needs */
    st = U_ZERO_ERROR;
    if (!(out = malloc((size_t)bytes + 1)))
        goto done;
    u_strToUTF8WithSub(out, bytes + 1, &bytes, folded, m, 0xFFFD, NULL, &st);
    if (U_FAILURE(st)) {
        free(out);
        out = NULL;
        goto done;
    }
    put_squeezed(&b, out, (size_t)bytes);
    free(out);
    out = b.oom ? (kanal_buf_release(&b), NULL) : kanal_buf_detach(&b);
done:
    free(u);
    free(folded);
    return out;
}

bool kanal_words_in(const char *folded, const char *folded_words)
{
    bool all = true;
    for (const char *w = folded_words; *w && all;) {
        const char *end = strchr(w, ' ');
        size_t n = end ? (size_t)(end - w) : strlen(w);
        char word[256];
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, w, n);
        word[n] = '\0';
        all = strstr(folded, word) != NULL;
        w += n;
        while (*w == ' ')
            w++;
    }
    return all;
}

bool kanal_fold_contains(kanal_folder *f, const char *hay, const char *folded_words)
{
    if (!hay || !hay[0])
        return false;
    char *h = kanal_fold(f, hay);
    bool all = h && kanal_words_in(h, folded_words);
    free(h);
    return all;
}
