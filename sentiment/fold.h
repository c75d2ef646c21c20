/*
 * Character folding: one code point in, one code point out (0 = drop).
 * The table is generated at build time (tools/gen_fold.c); folding never
 * changes the number of code points, so offsets into the raw text survive.
 */
#ifndef KW_SENTIMENT_FOLD_H
#define KW_SENTIMENT_FOLD_H

#include <stddef.h>
#include <stdint.h>

typedef struct kw_fold_pair {
    uint32_t from, to;
} kw_fold_pair;

extern const uint16_t kw_fold_bmp[65536];

/* Whether cp is a combining mark (an accent written after its letter):
 * the table drops them, and the fold joins their bytes to their letter.
 * The kana voicing marks (U+3099, U+309A) are not among them: the fold
 * joins them into the voiced kana. */
static inline int kw_fold_combining(uint32_t cp)
{
    return (cp >= 0x300 && cp < 0x370) || (cp >= 0x1AB0 && cp < 0x1B00) ||
           (cp >= 0x1DC0 && cp < 0x1E00) || (cp >= 0x20D0 && cp < 0x2100) ||
           (cp >= 0xFE20 && cp < 0xFE30);
}
extern const kw_fold_pair kw_fold_smp[];
extern const size_t kw_fold_smp_count;

/* The folded form of cp: full-width and compatibility forms to their plain
 * form, lower case, traditional to simplified Chinese; 0 means "ignore this
 * code point" (zero-width joiners, variation selectors, ...). */
static inline uint32_t kw_fold(uint32_t cp)
{
    if (cp < 0x10000)
        return kw_fold_bmp[cp];
    size_t lo = 0, hi = kw_fold_smp_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (kw_fold_smp[mid].from == cp)
            return kw_fold_smp[mid].to;
        if (kw_fold_smp[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}

#endif
