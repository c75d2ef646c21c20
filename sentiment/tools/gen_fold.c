/*
 * Build-time generator of the character folding table (fold_table.c).
 * It asks utf8proc for NFKC + case folding (+ accent stripping on Latin
 * and Greek letters; combining marks dropped) and OpenCC (tw2s, then hk2s) for traditional -> simplified, one
 * code point at a time, and writes the one-to-one results as C arrays.
 * It runs only at build time: the scorer never links OpenCC or utf8proc.
 */
#include "../fold.h"

#include <opencc/opencc.h>
#include <utf8proc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DROP 0xFFFFFFFFu

static opencc_t open_cc(const char *name)
{
    char path[512];
    opencc_t cc = opencc_open(name);
    if (cc != (opencc_t)-1)
        return cc;
    snprintf(path, sizeof path, "/usr/share/opencc/%s", name);
    cc = opencc_open(path);
    if (cc == (opencc_t)-1) {
        fprintf(stderr, "gen_fold: cannot open OpenCC config %s: %s\n", name,
                opencc_error());
        exit(1);
    }
    return cc;
}

static int encode(uint32_t cp, char *out)
{
    return (int)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)out);
}

/* Decode exactly one code point from s, or return DROP+0 / 0 on "not one". */
static int single_cp(const char *s, size_t len, uint32_t *out)
{
    utf8proc_int32_t cp;
    if (len == 0)
        return 0;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    if (n <= 0 || (size_t)n != len)
        return -1;
    *out = (uint32_t)cp;
    return 1;
}

static int is_latin(uint32_t cp)
{
    return (cp >= 0xC0 && cp < 0x250) || (cp >= 0x1E00 && cp < 0x1F00);
}

static int is_greek(uint32_t cp)
{
    return (cp >= 0x370 && cp < 0x400) || (cp >= 0x1F00 && cp < 0x2000);
}

static int is_han(uint32_t cp)
{
    return (cp >= 0x3400 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00);
}

static uint32_t fold(uint32_t cp, opencc_t tw, opencc_t hk)
{
    char buf[8];
    utf8proc_uint8_t *res = NULL;
    uint32_t out = cp;

    /* Punctuation we want to look the same whatever the keyboard. */
    switch (cp) {
    case 0x00: case 0x09: case 0x0B: case 0x0C: case 0x0D: return ' ';
    case 0x0A: return '\n';
    case 0x2018: case 0x2019: case 0x201B: case 0x2032: case 0xFF07: return '\'';
    case 0x201C: case 0x201D: case 0x201F: case 0x2033: return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: return '-';
    case 0x2026: return 0x2026; /* keep the ellipsis one character */
    case 0x3000: case 0x00A0: return ' ';
    case 0xFF01: return '!';
    case 0xFF1F: return '?';
    /* letters with a stroke, which no decomposition strips */
    case 0x0110: case 0x0111: return 'd'; /* Đ đ (Vietnamese) */
    case 0x0141: case 0x0142: return 'l'; /* Ł ł */
    case 0x00D8: case 0x00F8: return 'o'; /* Ø ø */
    default: break;
    }
    if (kw_fold_combining(cp)) /* as macOS and Vietnamese text write accents: */
        return DROP;           /* dropped, as those of precomposed letters are */
    if (cp < 0x20 || cp == 0x7F)
        return ' ';
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    if (is_latin(cp) || is_greek(cp))
        flags |= UTF8PROC_STRIPMARK; /* accents, Greek's tonos too */
    int n = encode(cp, buf);
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)buf, n, &res,
                                      (utf8proc_option_t)flags);
    if (m == 0) {
        free(res);
        return DROP;
    }
    if (m > 0) {
        uint32_t one;
        if (single_cp((const char *)res, (size_t)m, &one) == 1)
            out = one;
    }
    free(res);
    if (out >= 0x80 && out < 0x10000 && (out == 0x2028 || out == 0x2029 || out == 0x85))
        return '\n';
    if (is_han(out)) {
        n = encode(out, buf);
        buf[n] = '\0';
        opencc_t ccs[2] = {tw, hk};
        for (int i = 0; i < 2; i++) {
            char *conv = opencc_convert_utf8(ccs[i], buf, (size_t)n);
            uint32_t one;
            if (conv && single_cp(conv, strlen(conv), &one) == 1 && one != out) {
                out = one;
                opencc_convert_utf8_free(conv);
                break;
            }
            if (conv)
                opencc_convert_utf8_free(conv);
        }
    }
    return out;
}

int main(void)
{
    opencc_t tw = open_cc("tw2s.json"), hk = open_cc("hk2s.json");
    static uint32_t bmp[0x10000];
    printf("/* Generated at build time by sentiment/tools/gen_fold.c from utf8proc\n"
           " * (NFKC, case folding) and OpenCC (tw2s, hk2s). Do not edit. */\n"
           "#include \"fold.h\"\n\n"
           "const uint16_t kw_fold_bmp[65536] = {\n");
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        uint32_t f = (cp >= 0xD800 && cp < 0xE000) ? 0xFFFD : fold(cp, tw, hk);
        if (f == DROP)
            f = 0;
        else if (f >= 0x10000)
            f = cp;
        bmp[cp] = f;
        printf("0x%04x,%s", (unsigned)f, (cp % 12 == 11) ? "\n" : "");
    }
    printf("};\n\nconst kw_fold_pair kw_fold_smp[] = {\n");
    size_t count = 0;
    for (uint32_t cp = 0x10000; cp < 0x110000; cp++) {
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
        if (cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CO)
            continue;
        uint32_t f = fold(cp, tw, hk);
        if (f == cp)
            continue;
        printf("{0x%05x,0x%05x},\n", (unsigned)cp, (unsigned)(f == DROP ? 0 : f));
        count++;
    }
    printf("{0,0}};\nconst size_t kw_fold_smp_count = %zu;\n", count);
    opencc_close(tw);
    opencc_close(hk);
    (void)bmp;
    return 0;
}
