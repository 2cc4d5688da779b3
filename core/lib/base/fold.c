/*
** fold.c — text as people compare it when they look for something: without
** accents and marks, in one case, with runs of blanks as one space. "Łódź"
** is "lodz", "Wiśniewska" "wisniewska", "Straße" "strasse".
**
** On ICU (Debian's libicu-dev): its Latin-ASCII transliterator knows the
** letters that no decomposition takes apart (ł, ø, đ, ß, æ), and its case
** folding every script's cases. A transliterator takes a moment to build,
** so a folder is made once and kept by whoever folds many strings.
**
** ICU is loaded on the first fold of a text that is not ASCII, not linked:
** loading it (and the C++ runtime it brings) costs every process about 3
** million instructions of relocation, and most commands fold nothing, or
** only ASCII, which needs no ICU.
*/
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uvernum.h>

#include "base/base.h"

/* ICU's names carry its version (u_strFoldCase is u_strFoldCase_72): spelled out by the
   headers Kanal was built with, as is the library's soname */
#define ICU_NAME_(x) #x
#define ICU_NAME(x) ICU_NAME_(x)
#define ICU_SONAME "libicui18n.so." ICU_NAME(U_ICU_VERSION_MAJOR_NUM)

/* The functions of ICU that folding uses, as its headers declare them. */
static struct icu_api {
    UChar *(*uastrcpy)(UChar *dst, const char *src);
    UTransliterator *(*trans_open)(const UChar *id, int32_t id_len, UTransDirection dir,
                                   const UChar *rules, int32_t rules_len, UParseError *parse_error,
                                   UErrorCode *status);
    void (*trans_close)(UTransliterator *trans);
    void (*trans_uchars)(const UTransliterator *trans, UChar *text, int32_t *text_len,
                         int32_t text_cap, int32_t start, int32_t *limit, UErrorCode *status);
    UChar *(*from_utf8)(UChar *dest, int32_t dest_cap, int32_t *dest_len, const char *src,
                        int32_t src_len, UChar32 subchar, int32_t *n_subs, UErrorCode *status);
    int32_t (*fold_case)(UChar *dest, int32_t dest_cap, const UChar *src, int32_t src_len,
                         uint32_t options, UErrorCode *status);
    char *(*to_utf8)(char *dest, int32_t dest_cap, int32_t *dest_len, const UChar *src,
                     int32_t src_len, UErrorCode *status);
    char *(*to_utf8_sub)(char *dest, int32_t dest_cap, int32_t *dest_len, const UChar *src,
                         int32_t src_len, UChar32 subchar, int32_t *n_subs, UErrorCode *status);
} icu;

/* Loads ICU once for the process; false when it cannot (then nothing is folded). */
static bool icu_load(void)
{
    static int state; /* 0: not tried, 1: loaded, -1: failed */
    if (state)
        return state > 0;
    state = -1;
    /* utrans is in i18n; the u_str functions in uc, which i18n needs: one handle finds both */
    void *h = dlopen(ICU_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return false;
    static const struct {
        const char *name;
        size_t offset;
    } fns[] = {
        { ICU_NAME(u_uastrcpy), offsetof(struct icu_api, uastrcpy) },
        { ICU_NAME(utrans_openU), offsetof(struct icu_api, trans_open) },
        { ICU_NAME(utrans_close), offsetof(struct icu_api, trans_close) },
        { ICU_NAME(utrans_transUChars), offsetof(struct icu_api, trans_uchars) },
        { ICU_NAME(u_strFromUTF8WithSub), offsetof(struct icu_api, from_utf8) },
        { ICU_NAME(u_strFoldCase), offsetof(struct icu_api, fold_case) },
        { ICU_NAME(u_strToUTF8), offsetof(struct icu_api, to_utf8) },
        { ICU_NAME(u_strToUTF8WithSub), offsetof(struct icu_api, to_utf8_sub) },
    };
    struct icu_api api;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        void *sym = dlsym(h, fns[i].name);
        if (!sym) {
            dlclose(h);
            return false;
        }
        /* POSIX: a data pointer from dlsym holds a function's address */
        memcpy((char *)&api + fns[i].offset, &sym, sizeof sym);
    }
    icu = api;
    state = 1; /* the handle is kept for the process */
    return true;
}

struct kanal_folder {
    UTransliterator *latin; /* Latin-ASCII, made on the first text that is not ASCII */
    bool failed;            /* ICU or the transliterator could not be had */
};

kanal_folder *kanal_folder_new(void)
{
    return calloc(1, sizeof(kanal_folder));
}

void kanal_folder_free(kanal_folder *f)
{
    if (!f)
        return;
    if (f->latin)
        icu.trans_close(f->latin);
    free(f);
}

/* The folder's transliterator, made now if need be; false when it cannot be. */
static bool folder_ready(kanal_folder *f)
{
    if (f->latin)
        return true;
    if (f->failed || !icu_load()) {
        f->failed = true;
        return false;
    }
    UErrorCode st = U_ZERO_ERROR;
    UChar id[16];
    icu.uastrcpy(id, "Latin-ASCII");
    f->latin = icu.trans_open(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st)) {
        f->latin = NULL;
        f->failed = true;
        return false;
    }
    return true;
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
    if (len > INT32_MAX / 8 || (f && !folder_ready(f)) || (!f && !icu_load()))
        return NULL;
    /* UTF-16 grows by transliteration (ß: ss, æ: ae) and by case folding: room for 4x */
    int32_t cap = (int32_t)len * 4 + 16, n = 0;
    UChar *u = malloc((size_t)cap * sizeof *u), *folded = malloc((size_t)cap * sizeof *u);
    char *out = NULL;
    UErrorCode st = U_ZERO_ERROR;
    if (!u || !folded)
        goto done;
    icu.from_utf8(u, cap, &n, s, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t limit = n;
    if (f)
        icu.trans_uchars(f->latin, u, &n, cap, 0, &limit, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t m = icu.fold_case(folded, cap, u, n, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st))
        goto done;
    int32_t bytes = 0;
    icu.to_utf8(NULL, 0, &bytes, folded, m, &st); /* the length it needs */
    st = U_ZERO_ERROR;
    if (!(out = malloc((size_t)bytes + 1)))
        goto done;
    icu.to_utf8_sub(out, bytes + 1, &bytes, folded, m, 0xFFFD, NULL, &st);
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
