/*
 * Lexicon loader: the built-in TSV format, the rule lists, and the formats
 * users bring (VADER, AFINN, one-word-a-line lists). A bad line is an error
 * naming the file and the line; a loader never trusts a file's size or its
 * bytes.
 */
#include "internal.h"

#include "kolwatch/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERM_MAX 64                     /* code points in one term */
#define FILE_MAX ((size_t)256 << 20)    /* bytes in one lexicon file */
#define WORDS_VALENCE 2.0               /* words+/words- lists carry no weight */

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

/* Split line at tabs into at most max fields; returns the count. */
static int split_tabs(const char *s, size_t n, const char **f, size_t *fl, int max)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i == n || s[i] == '\t') {
            f[k] = s + start;
            fl[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    return k;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static int parse_num(const char *s, size_t n, double *out)
{
    char buf[64];
    char *end;
    trim(&s, &n);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int has_tag(const char *tags, size_t n, const char *tag)
{
    size_t tl = strlen(tag), i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && tags[j] != ',' && tags[j] != ' ')
            j++;
        if (j - i == tl && memcmp(tags + i, tag, tl) == 0)
            return 1;
        i = j + 1;
    }
    return 0;
}

static const char *format_name(kw_lex_format f)
{
    switch (f) {
    case LEX_KW: return "kw";
    case LEX_VADER: return "vader";
    case LEX_AFINN: return "afinn";
    case LEX_WORDS_POS: return "words+";
    case LEX_WORDS_NEG: return "words-";
    case LEX_NEGATORS: return "negators";
    case LEX_DEGREE: return "degree";
    case LEX_CONTRAST: return "contrast";
    }
    return "?";
}

static int parse_line(kw_trie *t, const char *name, size_t lineno, const char *s,
                      size_t n, kw_lex_format fmt, uint16_t extra)
{
    const char *f[4];
    size_t fl[4];
    uint32_t cps[TERM_MAX];
    size_t ncp;
    double v = 0, mult = 1;
    int nf;
    uint16_t flags = 0;

    if (fmt == LEX_WORDS_POS || fmt == LEX_WORDS_NEG) {
        f[0] = s, fl[0] = n, nf = 1;
        trim(&f[0], &fl[0]);
    } else {
        nf = split_tabs(s, n, f, fl, 4);
    }
    switch (fmt) {
    case LEX_KW:
    case LEX_VADER:
    case LEX_AFINN: {
        double lo = fmt == LEX_AFINN ? -5 : -4, hi = -lo;
        if (nf < 2)
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: expected TERM<TAB>VALENCE (%s format)",
                                name, lineno, format_name(fmt));
        if (parse_num(f[1], fl[1], &v))
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: valence '%.*s' is not a number",
                                name, lineno, (int)(fl[1] > 40 ? 40 : fl[1]), f[1]);
        if (v < lo || v > hi)
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: valence %g is outside %g..%g",
                                name, lineno, v, lo, hi);
        if (fmt == LEX_AFINN)
            v *= 0.8; /* AFINN's -5..+5 onto our -4..+4 */
        /* risk: brand-risk term; noflip: a complaint marker (为什么); negators
         * flip neither */
        if (fmt == LEX_KW && nf >= 3 &&
            (has_tag(f[2], fl[2], "risk") || has_tag(f[2], fl[2], "noflip")))
            flags |= E_RISK;
        break;
    }
    case LEX_WORDS_POS: v = WORDS_VALENCE; break;
    case LEX_WORDS_NEG: v = -WORDS_VALENCE; break;
    case LEX_NEGATORS: {
        /* TERM[<TAB>after|than|compare]: "after" negates the term before
         * it; "than" (不如) and "compare" (没有) negators also reach praise
         * further on in the clause, "compare" only across 的 or 那么 */
        const char *k = nf >= 2 ? f[1] : "";
        size_t kl = nf >= 2 ? fl[1] : 0;
        trim(&k, &kl);
        if (kl == 5 && memcmp(k, "after", 5) == 0)
            flags = E_POSTNEG;
        else if (kl == 4 && memcmp(k, "than", 4) == 0)
            flags = E_NEGATOR | E_THAN;
        else if (kl == 7 && memcmp(k, "compare", 7) == 0)
            flags = E_NEGATOR | E_COMPARE;
        else if (kl == 0)
            flags = E_NEGATOR;
        else
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: expected TERM or "
                                "TERM<TAB>after|than|compare", name, lineno);
        break;
    }
    case LEX_DEGREE:
        if (nf < 2 || parse_num(f[1], fl[1], &mult) || mult <= 0 || mult > 4)
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: expected TERM<TAB>MULTIPLIER "
                                "(a number above 0, at most 4)", name, lineno);
        flags = E_DEGREE;
        break;
    case LEX_CONTRAST: {
        const char *k = nf >= 2 ? f[1] : "";
        size_t kl = nf >= 2 ? fl[1] : 0;
        trim(&k, &kl);
        if (kl == 3 && memcmp(k, "but", 3) == 0)
            flags = E_CONTRAST;
        else if (kl == 8 && memcmp(k, "although", 8) == 0)
            flags = E_CONCESS;
        else if (kl == 5 && memcmp(k, "reply", 5) == 0)
            flags = E_REPLY;
        else if (kl == 4 && memcmp(k, "wish", 4) == 0)
            flags = E_WISH;
        else
            return kw_error_set(KW_EINVAL, "lexicon %s line %zu: expected "
                                "TERM<TAB>but|although|reply|wish", name, lineno);
        break;
    }
    }
    const char *term = f[0];
    size_t tl = fl[0];
    trim(&term, &tl);
    int frc = kw_term_fold(term, tl, cps, TERM_MAX, &ncp);
    if (frc == -2)
        return kw_error_set(KW_EINVAL, "lexicon %s line %zu: term longer than %d characters",
                            name, lineno, TERM_MAX);
    if (frc)
        return kw_error_set(KW_EINVAL, "lexicon %s line %zu: empty term or invalid UTF-8",
                            name, lineno);
    kw_entry *e = kw_trie_get(t, cps, ncp);
    if (!e)
        return kw_error_set(KW_ENOMEM, "lexicon %s: out of memory", name);
    if (fmt == LEX_KW || fmt == LEX_VADER || fmt == LEX_AFINN || fmt == LEX_WORDS_POS ||
        fmt == LEX_WORDS_NEG) {
        e->flags &= (uint16_t) ~(E_VALENCE | E_RISK | E_NEUTRAL);
        e->valence = (float)v;
        e->flags |= (uint16_t)(flags | extra | (v != 0 ? E_VALENCE : E_NEUTRAL));
    } else {
        e->flags |= (uint16_t)(flags | extra);
        if (fmt == LEX_DEGREE)
            e->degree = (float)mult;
    }
    return 0;
}

int kw_lexicon_parse(kw_trie *t, const char *name, const char *data, size_t len,
                     kw_lex_format fmt)
{
    size_t i = 0, lineno = 0;
    uint16_t extra = 0;
    if (strcmp(name, "emoticons") == 0)
        extra = E_EMOTICON;
    if (len >= 2 && ((data[0] == '\xFF' && data[1] == '\xFE') ||
                     (data[0] == '\xFE' && data[1] == '\xFF')))
        return kw_error_set(KW_EINVAL, "lexicon %s line 1: UTF-16 is not supported; "
                            "convert the file to UTF-8", name);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        size_t n = j - i;
        lineno++;
        if (n > 0 && data[i + n - 1] == '\r')
            n--;
        if (n > 0 && data[i] != '#' && !is_blank(data + i, n)) {
            if (memchr(data + i, '\0', n))
                return kw_error_set(KW_EINVAL, "lexicon %s line %zu: NUL byte", name, lineno);
            int rc = parse_line(t, name, lineno, data + i, n, fmt, extra);
            if (rc)
                return rc;
        }
        i = j + 1;
    }
    return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = 0;
    *out = NULL;
    if (!f)
        return kw_error_set(errno == ENOENT ? KW_ENOTFOUND : KW_EIO, "lexicon %s: %s",
                            path, strerror(errno));
    for (;;) {
        if (n == cap) {
            if (cap >= FILE_MAX) {
                rc = kw_error_set(KW_ETOOBIG, "lexicon %s: larger than %zu MiB", path,
                                  FILE_MAX >> 20);
                goto cleanup;
            }
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                rc = kw_error_set(KW_ENOMEM, "lexicon %s: out of memory", path);
                goto cleanup;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = kw_error_set(KW_EIO, "lexicon %s: read error", path);
            break;
        }
    }
cleanup:
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    if (!buf && !(buf = malloc(1)))
        return kw_error_set(KW_ENOMEM, "lexicon %s: out of memory", path);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int kw_lexicon_load_spec(kw_trie *t, const char *spec)
{
    static const struct { const char *name; kw_lex_format fmt; } formats[] = {
        {"kw", LEX_KW}, {"vader", LEX_VADER}, {"afinn", LEX_AFINN},
        {"words+", LEX_WORDS_POS}, {"words-", LEX_WORDS_NEG}};
    kw_lex_format fmt = LEX_KW;
    char *path = NULL, *data = NULL;
    size_t len = 0, plen = strlen(spec);
    int rc;
    const char *colon = strrchr(spec, ':');
    if (colon && colon != spec) {
        const char *suf = colon + 1;
        int known = 0, wordlike = *suf != '\0';
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
            if (strcmp(suf, formats[i].name) == 0)
                fmt = formats[i].fmt, known = 1;
        for (const char *c = suf; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '+' || *c == '-'))
                wordlike = 0;
        if (known)
            plen = (size_t)(colon - spec);
        else if (wordlike && strlen(suf) <= 10)
            return kw_error_set(KW_EINVAL, "lexicon %s: unknown format '%s' (expected kw, "
                                "vader, afinn, words+ or words-)", spec, suf);
    }
    if (plen == 0)
        return kw_error_set(KW_EINVAL, "lexicon '%s': empty path", spec);
    path = strndup(spec, plen);
    if (!path)
        return kw_error_set(KW_ENOMEM, "lexicon %s: out of memory", spec);
    rc = read_file(path, &data, &len);
    if (rc)
        goto cleanup;
    rc = kw_lexicon_parse(t, path, data, len, fmt);
cleanup:
    free(data);
    free(path);
    return rc;
}
