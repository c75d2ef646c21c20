/*
 * Normaliser: raw bytes to folded code points that remember where they came
 * from. Invalid UTF-8 becomes U+FFFD (one per bad byte), never a crash; the
 * output never has more entries than the input has bytes.
 */
#include "fold.h"
#include "internal.h"

#include "kolwatch/error.h"

#define W C_WORD
#define O C_OTHER
const uint8_t kw_ascii_class[128] = {
    O, O, O, O, O, O, O, O, O, O, C_STOP, O, O, O, O, O,
    O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    C_SPACE, C_EXCL, O, O, O, O, O, O, O, O, O, O, C_CLAUSE, O, C_STOP, O,
    W, W, W, W, W, W, W, W, W, W, C_CLAUSE, C_CLAUSE, O, O, O, C_QUEST,
    O, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, O, O, O, O, O,
    O, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, O, O, O, C_CLAUSE, O};
#undef W
#undef O

uint8_t kw_char_class(uint32_t cp)
{
    if (cp < 0x80)
        return kw_ascii_class[cp];
    if (cp >= 0x3400 && cp < 0xA000)
        return C_CJK;
    if ((cp >= 0xC0 && cp < 0x250 && cp != 0xD7 && cp != 0xF7) ||
        (cp >= 0x370 && cp < 0x530) || (cp >= 0x1E00 && cp < 0x1F00))
        return C_WORD;
    switch (cp) {
    case 0x3002: case 0x2026: case 0xFF61: return C_STOP; /* 。 … ｡ */
    case 0x3001: case 0xFF64: return C_CLAUSE;             /* 、 */
    default: break;
    }
    if ((cp >= 0x3040 && cp < 0x3100) || (cp >= 0xAC00 && cp < 0xD7B0) ||
        (cp >= 0xF900 && cp < 0xFB00) || (cp >= 0x20000 && cp < 0x30000))
        return C_CJK;
    return C_OTHER;
}

/* Decode one code point at p (n > 0 bytes left); *used gets its length.
 * Invalid or truncated sequences yield U+FFFD for one byte. */
static uint32_t decode(const unsigned char *p, size_t n, unsigned *used)
{
    unsigned c = p[0];
    uint32_t cp, min;
    unsigned need;
    if (c < 0x80) {
        *used = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07, min = 0x10000;
    else
        goto bad;
    if (n <= need)
        goto bad;
    for (unsigned i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            goto bad;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        goto bad;
    *used = need + 1;
    return cp;
bad:
    *used = 1;
    return 0xFFFD;
}

void kw_normalize(const char *raw, size_t len, kw_nchar *out, size_t *nout)
{
    const unsigned char *p = (const unsigned char *)raw;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned used;
        uint32_t cp, f;
        if (p[i] < 0x80) {
            cp = p[i];
            used = 1;
        } else if ((p[i] & 0xF0) == 0xE0 && i + 2 < len && (p[i + 1] & 0xC0) == 0x80 &&
                   (p[i + 2] & 0xC0) == 0x80 &&
                   (cp = ((uint32_t)(p[i] & 0x0F) << 12) | ((uint32_t)(p[i + 1] & 0x3F) << 6) |
                         (p[i + 2] & 0x3F)) >= 0x800 &&
                   (cp < 0xD800 || cp >= 0xE000)) {
            used = 3; /* the common case in Chinese text, decoded inline */
        } else {
            cp = decode(p + i, len - i, &used);
        }
        f = cp < 0x10000 ? kw_fold_bmp[cp] : kw_fold(cp);
        if (f == 0) {
            i += used;
            continue;
        }
        uint8_t cls = f < 0x80                      ? kw_ascii_class[f]
                      : (f >= 0x4E00 && f < 0xA000) ? C_CJK
                                                    : kw_char_class(f);
        if (cls == C_SPACE && (n == 0 || out[n - 1].cls == C_SPACE)) {
            i += used; /* collapse runs of blanks; leading blanks go */
            continue;
        }
        if (cls == C_WORD && n >= 2 && out[n - 1].cp == '\'' && out[n - 2].cls == C_WORD)
            out[n - 1].cls = C_WORD; /* isn't, don't: one word */
        out[n].cp = f;
        out[n].off = (uint32_t)i;
        out[n].len = (uint8_t)used;
        out[n].cls = cls;
        out[n].upper = (uint8_t)(f != cp && cls == C_WORD &&
                                 ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp < 0xDF) ||
                                  (cp >= 0xFF21 && cp <= 0xFF3A)));
        n++;
        i += used;
    }
    /* a trailing apostrophe (dogs') is not part of the word */
    *nout = n;
}

int kw_term_fold(const char *s, size_t len, uint32_t *cps, size_t cap, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < len) {
        unsigned used;
        uint32_t cp = decode(p + i, len - i, &used);
        if (cp == 0xFFFD && !(used == 3 && p[i] == 0xEF))
            return -1; /* invalid UTF-8 in a term */
        uint32_t f = kw_fold(cp);
        i += used;
        if (f == 0)
            continue;
        if (kw_char_class(f) == C_SPACE && (k == 0 || cps[k - 1] == ' '))
            continue;
        if (k >= cap)
            return -2;
        cps[k++] = f;
    }
    while (k > 0 && cps[k - 1] == ' ')
        k--;
    *n = k;
    return k == 0 ? -1 : 0;
}

/* Kana k with voicing mark m (U+3099 dakuten, U+309A handakuten; the
 * half-width forms fold to these) joined into one letter, as ﾃﾞ is デ;
 * 0 when they do not join. */
static uint32_t kana_join(uint32_t k, uint32_t m)
{
    uint32_t h = k >= 0x30A1 && k <= 0x30FA ? k - 0x60 : k; /* katakana as hiragana */
    int kata = h != k, dakuten = m == 0x3099;
    if (m != 0x3099 && m != 0x309A)
        return 0;
    if (h == 0x306F || h == 0x3072 || h == 0x3075 || h == 0x3078 || h == 0x307B)
        return k + (dakuten ? 1 : 2); /* は: ば ぱ */
    if (!dakuten)
        return 0;
    if ((h >= 0x304B && h <= 0x3061 && (h - 0x304B) % 2 == 0) || h == 0x3064 || h == 0x3066 ||
        h == 0x3068)
        return k + 1; /* か..ち, つ て と */
    if (h == 0x3046)
        return kata ? 0x30F4 : 0x3094; /* う: ゔ, ヴ */
    if (k >= 0x30EF && k <= 0x30F2)
        return k + 8; /* ワ ヰ ヱ ヲ: ヷ ヸ ヹ ヺ */
    if (k == 0x309D || k == 0x30FD)
        return k + 1; /* ゝ ヽ: ゞ ヾ */
    return 0;
}

int kw_text_fold(kw_folded_char *out, size_t cap, size_t *nout, const char *text,
                 size_t len)
{
    static const uint8_t kind_of[] = {
        [C_SPACE] = KW_FOLD_SPACE, [C_WORD] = KW_FOLD_WORD, [C_CJK] = KW_FOLD_CJK,
        [C_OTHER] = KW_FOLD_OTHER, [C_STOP] = KW_FOLD_OTHER, [C_CLAUSE] = KW_FOLD_OTHER,
        [C_EXCL] = KW_FOLD_OTHER, [C_QUEST] = KW_FOLD_OTHER};
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, n = 0;
    kw_folded_char last = {0}; /* the latest entry when past cap */
    while (i < len) {
        unsigned used;
        uint32_t cp = p[i] < 0x80 ? (used = 1, p[i]) : decode(p + i, len - i, &used);
        uint32_t f = cp < 0x10000 ? kw_fold_bmp[cp] : kw_fold(cp), joined = 0;
        int mark = f == 0 ? cp >= 0x300 && kw_fold_combining(cp) : f == 0x3099 || f == 0x309A;
        kw_folded_char *prev = !mark || n == 0 ? NULL : n <= cap ? &out[n - 1] : &last;
        if (prev && prev->offset + prev->len == i && prev->len + used <= 255 &&
            ((f == 0 && prev->kind != KW_FOLD_OTHER && prev->kind != KW_FOLD_SPACE) ||
             (prev->kind == KW_FOLD_CJK && (joined = kana_join(prev->cp, f)) != 0))) {
            if (f != 0)
                prev->cp = joined; /* a kana and its voicing mark: one letter */
            prev->len = (uint8_t)(prev->len + used); /* an accent: its letter's */
        } else if (f != 0) {
            uint8_t cls = f < 0x80                      ? kw_ascii_class[f]
                          : (f >= 0x4E00 && f < 0xA000) ? C_CJK
                                                        : kw_char_class(f);
            kw_folded_char *e = n < cap ? &out[n] : &last; /* past cap: kept to join */
            e->cp = f;
            e->len = (uint8_t)used;
            e->kind = kind_of[cls];
            e->offset = i;
            n++;
        }
        i += used;
    }
    *nout = n;
    if (n > cap)
        return kw_error_set(KW_ETOOBIG, "text fold: %zu code points do not fit in %zu", n,
                            cap);
    return 0;
}
