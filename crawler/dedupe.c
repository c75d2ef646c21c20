/*
 * Near-duplicate signatures: MinHash over a text's normalised tokens and
 * token pairs. Four independent minimums make a signature; a repost that
 * adds "转发：" or a hashtag keeps most features and so most minimums.
 */
#include "kolwatch/crawl.h"
#include "kolwatch/sentiment.h"

#include <stdlib.h>

#define MIN_TOKENS 8
#define MAX_FOLD (256 * 1024)

static uint64_t fnv(uint64_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 1099511628211u;
    }
    return h;
}

static uint64_t mix(uint64_t f, uint64_t seed)
{
    f ^= seed;
    f ^= f >> 33;
    f *= 0xff51afd7ed558ccdu;
    f ^= f >> 33;
    f *= 0xc4ceb9fe1a85ec53u;
    f ^= f >> 33;
    return f;
}

int kw_text_signature(const char *text, size_t len, uint64_t sig[4])
{
    static const uint64_t seeds[4] = {0x9e3779b97f4a7c15u, 0xbf58476d1ce4e5b9u,
                                      0x94d049bb133111ebu, 0x2545f4914f6cdd1du};
    size_t n = 0, cap = len < MAX_FOLD ? len : MAX_FOLD, nt = 0;
    kw_folded_char *fc;
    uint64_t *tk, min[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
    int ok = 0;
    if (!text || len == 0 || !(fc = malloc(cap * sizeof *fc)))
        return 0;
    kw_text_fold(fc, cap, &n, text, cap);
    if (n > cap)
        n = cap;
    if (!(tk = malloc((n ? n : 1) * sizeof *tk))) {
        free(fc);
        return 0;
    }
    for (size_t i = 0; i < n;) {
        if (fc[i].kind == KW_FOLD_CJK) {
            tk[nt++] = fnv(14695981039346656037u, fc[i++].cp);
        } else if (fc[i].kind == KW_FOLD_WORD) {
            uint64_t h = 14695981039346656037u;
            while (i < n && fc[i].kind == KW_FOLD_WORD)
                h = fnv(h, fc[i++].cp);
            tk[nt++] = h;
        } else {
            i++; /* blanks and punctuation only separate tokens */
        }
    }
    if (nt >= MIN_TOKENS) {
        for (size_t i = 0; i < nt; i++)
            for (int k = 0; k < 2 && i + (size_t)k < nt; k++) {
                uint64_t f = k ? tk[i] * 1000003u + tk[i + 1] : tk[i];
                for (int j = 0; j < 4; j++) {
                    uint64_t h = mix(f, seeds[j]);
                    if (h < min[j])
                        min[j] = h;
                }
            }
        for (int j = 0; j < 4; j++)
            sig[j] = min[j];
        ok = 1;
    }
    free(tk);
    free(fc);
    return ok;
}
