/*
 * Near copies. A signature (four bands of two MinHash values over a text's
 * runs of two and three normalised tokens) finds candidates: a repost that
 * adds "转发：" or a hashtag keeps most runs and so most minimums, and
 * agrees on at least one band. A candidate counts as a copy when their
 * runs are compared in full (kw_copy_check): a signature alone calls too
 * many short posts of the same trade copies.
 */
#include "kolwatch/crawl.h"
#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"

#include "hash128.h"

#include <stdlib.h>
#include <string.h>

#define MIN_TOKENS 8
#define MAX_FOLD (64 * 1024) /* bytes of a text read for its features */

#define FNV_PRIME UINT64_C(1099511628211)

/* FNV-1a over v's four bytes, low byte first. A zero byte only multiplies
 * by the prime, so a code point under U+0100 (Latin text) takes one
 * multiply by its fourth power and one under U+10000 (CJK) two: the same
 * value as byte by byte, which signatures stored in mentions depend on. */
static uint64_t fnv(uint64_t h, uint32_t v)
{
    static const uint64_t p3 = FNV_PRIME * FNV_PRIME * FNV_PRIME,
                          p4 = FNV_PRIME * FNV_PRIME * FNV_PRIME * FNV_PRIME;
    if (v < 0x100)
        return (h ^ v) * p4;
    if (v < 0x10000)
        return (((h ^ (v & 0xff)) * FNV_PRIME) ^ (v >> 8)) * p3;
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t mix(uint64_t f, uint64_t seed) { return hash128_mix(f ^ seed); }

/* Sort v[0..n) with tmp[0..n) as scratch: least significant byte first;
 * linear whatever the input. */
static void radix_sort(uint64_t *v, uint64_t *tmp, size_t n)
{
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0}, sum = 0;
        for (size_t i = 0; i < n; i++)
            count[(v[i] >> shift) & 0xff]++;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

/* Sort small arrays by insertion, larger ones by radix. */
static void sort_u64(uint64_t *v, uint64_t *tmp, size_t n)
{
    if (n > 64) {
        radix_sort(v, tmp, n);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Sort f[0..n) and drop repeats; the new count, or 0 when out of memory. */
static size_t sort_unique(uint64_t *f, size_t n)
{
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return 0;
    sort_u64(f, tmp, n);
    free(tmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || f[u - 1] != f[i])
            f[u++] = f[i];
    return u;
}

/* The features of a folded text: its runs of two and of three tokens
 * (tokens: words of Latin script, single CJK characters), in text order,
 * repeats included. Single tokens are no feature: unrelated Chinese posts
 * share most of their common characters. Only the characters within the
 * first max_bytes of the raw text are read (one cut there ends the last
 * token, as the bad bytes of a cut character would). 0 for a text under
 * MIN_TOKENS tokens (or out of memory), else the count. They go to *buf,
 * of *bufcap elements, grown as needed (the caller frees it). */
static size_t features_of_folded(const kw_folded_char *fc, size_t n, size_t max_bytes,
                                 uint64_t **buf, size_t *bufcap)
{
    size_t nt = 0, nf = 0, cap = *bufcap;
    uint64_t *f = *buf, t0 = 0, t1 = 0; /* the two tokens before this one */
    for (size_t i = 0; i < n && fc[i].offset + fc[i].len <= max_bytes;) {
        uint64_t h;
        if (fc[i].kind == KW_FOLD_CJK) {
            h = fnv(14695981039346656037u, fc[i++].cp);
        } else if (fc[i].kind == KW_FOLD_WORD) {
            h = 14695981039346656037u;
            while (i < n && fc[i].kind == KW_FOLD_WORD && fc[i].offset + fc[i].len <= max_bytes)
                h = fnv(h, fc[i++].cp);
        } else {
            i++; /* blanks and punctuation only separate tokens */
            continue;
        }
        if (nt >= 2) { /* the runs starting two tokens back */
            if (nf + 3 > cap) { /* two now, and room for the last run */
                size_t nc = cap ? 2 * cap : 256;
                uint64_t *g = realloc(f, nc * sizeof *g);
                if (!g)
                    return 0;
                *buf = f = g, *bufcap = cap = nc;
            }
            uint64_t two = t0 * 1000003u + t1;
            f[nf++] = mix(two, 0x6a09e667f3bcc909u);
            f[nf++] = mix(two * 1000003u + h, 0xbb67ae8584caa73bu);
        }
        t0 = t1, t1 = h, nt++;
    }
    if (nt < MIN_TOKENS)
        return 0;
    /* the last two tokens' run (room was kept for it) */
    f[nf++] = mix(t0 * 1000003u + t1, 0x6a09e667f3bcc909u);
    return nf;
}

/* The features of raw text (see features_of_folded), at most max_bytes of
 * it read; the caller frees *out, NULL when there are none. */
static size_t text_features(const char *text, size_t len, size_t max_bytes, uint64_t **out)
{
    size_t n = 0, cap = len < max_bytes ? len : max_bytes, fcap = 0;
    kw_folded_char *fc;
    *out = NULL;
    if (!text || len == 0 || !(fc = malloc(cap * sizeof *fc)))
        return 0;
    kw_text_fold(fc, cap, &n, text, cap);
    if (n > cap)
        n = cap;
    size_t nf = features_of_folded(fc, n, cap, out, &fcap);
    free(fc);
    if (!nf) {
        free(*out);
        *out = NULL;
    }
    return nf;
}

/* The signature of a text whose features are f[0..nf). The eight
 * minimums are kept in locals: the compiler keeps them in registers. */
static void signature_of(const uint64_t *f, size_t nf, uint64_t sig[4])
{
    static const uint64_t seeds[8] = {0x9e3779b97f4a7c15u, 0xbf58476d1ce4e5b9u,
                                      0x94d049bb133111ebu, 0x2545f4914f6cdd1du,
                                      0x3c6ef372fe94f82bu, 0xa54ff53a5f1d36f1u,
                                      0x510e527fade682d1u, 0x9b05688c2b3e6c1fu};
    uint64_t m0 = UINT64_MAX, m1 = UINT64_MAX, m2 = UINT64_MAX, m3 = UINT64_MAX,
             m4 = UINT64_MAX, m5 = UINT64_MAX, m6 = UINT64_MAX, m7 = UINT64_MAX;
#define KEEP_MIN(m, j)                                                                           \
    do {                                                                                         \
        uint64_t h_ = mix(x, seeds[j]);                                                          \
        m = h_ < m ? h_ : m;                                                                     \
    } while (0)
    for (size_t i = 0; i < nf; i++) {
        uint64_t x = f[i];
        KEEP_MIN(m0, 0);
        KEEP_MIN(m1, 1);
        KEEP_MIN(m2, 2);
        KEEP_MIN(m3, 3);
        KEEP_MIN(m4, 4);
        KEEP_MIN(m5, 5);
        KEEP_MIN(m6, 6);
        KEEP_MIN(m7, 7);
    }
#undef KEEP_MIN
    const uint64_t min[8] = {m0, m1, m2, m3, m4, m5, m6, m7};
    /* four bands of two minimums: a band agrees with probability J*J */
    for (int b = 0; b < 4; b++)
        sig[b] = mix(min[2 * b] * 1000003u + min[2 * b + 1], seeds[b]);
}

int kw_text_signature(const char *text, size_t len, uint64_t sig[4])
{
    uint64_t *f;
    size_t nf = text_features(text, len, MAX_FOLD, &f);
    if (!nf)
        return 0;
    signature_of(f, nf, sig);
    free(f);
    return 1;
}

struct kw_copy_check {
    uint64_t *f;
    size_t nf, cap; /* cap: of f, kept when the check is made again */
    int sorted; /* f sorted and without repeats: done at the first comparison,
                   which most new texts never need */
};

int kw_copy_check_new(kw_copy_check **out, const char *text, size_t len)
{
    kw_copy_check *c = calloc(1, sizeof *c);
    if (!c)
        return kw_error_set(KW_ENOMEM, "out of memory");
    c->nf = text_features(text, len, MAX_FOLD, &c->f);
    c->cap = c->nf;
    *out = c;
    return 0;
}

int kw_copy_check_new_folded(kw_copy_check **out, const kw_folded_char *fc, size_t n)
{
    kw_copy_check *c = *out ? *out : calloc(1, sizeof *c);
    if (!c)
        return kw_error_set(KW_ENOMEM, "out of memory");
    c->nf = features_of_folded(fc, n, MAX_FOLD, &c->f, &c->cap);
    c->sorted = 0;
    *out = c;
    return 0;
}

int kw_copy_check_signature(const kw_copy_check *c, uint64_t sig[4])
{
    if (!c->nf)
        return 0;
    signature_of(c->f, c->nf, sig);
    return 1;
}

void kw_copy_check_free(kw_copy_check *c)
{
    if (c) {
        free(c->f);
        free(c);
    }
}

int kw_copy_check_is(void *ctx, const char *other)
{
    kw_copy_check *c = ctx;
    uint64_t *g;
    size_t ng = c->nf ? text_features(other, other ? strlen(other) : 0, MAX_FOLD, &g) : 0;
    if (!ng)
        return 0;
    if (!c->sorted) {
        size_t u = sort_unique(c->f, c->nf);
        if (!u) { /* out of memory: no copy found this time */
            free(g);
            return 0;
        }
        c->nf = u;
        c->sorted = 1;
    }
    if (!(ng = sort_unique(g, ng))) {
        free(g);
        return 0;
    }
    size_t i = 0, j = 0, both = 0;
    while (i < c->nf && j < ng) {
        if (c->f[i] == g[j])
            both++, i++, j++;
        else if (c->f[i] < g[j])
            i++;
        else
            j++;
    }
    free(g);
    size_t small = c->nf < ng ? c->nf : ng, large = c->nf < ng ? ng : c->nf;
    /* the shorter nearly all inside the longer, which is at most twice as long */
    return 100 * both >= 85 * small && 2 * small >= large;
}
