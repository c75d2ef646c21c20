/*
 * Explanations: modifier names (fixed by the `kolwatch score` contract) and
 * the hits of a result rendered as JSON. Terms are copied from the raw text;
 * bytes that are not UTF-8 are written as \ufffd so the JSON stays valid.
 */
#include "internal.h"

#include "kolwatch/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kw_modifier_name(kw_modifier_kind k)
{
    switch (k) {
    case KW_MOD_NEGATED: return "negated";
    case KW_MOD_DEGREE: return "degree";
    case KW_MOD_CONTRAST: return "contrast";
    case KW_MOD_EXCLAIM: return "exclaim";
    case KW_MOD_CAPS: return "caps";
    case KW_MOD_QUESTION: return "question";
    case KW_MOD_REPEAT: return "repeat";
    }
    return "unknown";
}

/* Up to four decimals, trailing zeros dropped, at least one decimal. */
static void fmt_num(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        v = 0;
    /* Four decimals, as "%.4f" prints them, without its cost: exact unless
     * v is next to a rounding tie, where printf decides. */
    double scaled = v * 10000.0, r = nearbyint(scaled);
    if (fabs(v) < 1e9 && fabs(fabs(scaled - r) - 0.5) > 1e-6 && size >= 32) {
        long long q = llround(scaled);
        unsigned long long a = q < 0 ? (unsigned long long)-q : (unsigned long long)q;
        char tmp[32];
        int k = 0;
        for (int i = 0; i < 4; i++, a /= 10)
            tmp[k++] = (char)('0' + a % 10);
        tmp[k++] = '.';
        do
            tmp[k++] = (char)('0' + a % 10);
        while ((a /= 10) > 0);
        if (q < 0 || (q == 0 && signbit(v)))
            tmp[k++] = '-';
        for (int i = 0; i < k; i++)
            buf[i] = tmp[k - 1 - i];
        buf[k] = '\0';
    } else {
        snprintf(buf, size, "%.4f", v);
    }
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0' && n >= 2 && buf[n - 2] != '.')
        buf[--n] = '\0';
    if (strcmp(buf, "-0.0") == 0)
        snprintf(buf, size, "0.0");
}

/* A size in decimal, as "%zu" prints it (buf holds 21 bytes). */
static void fmt_size(char *buf, size_t v)
{
    char tmp[24];
    int k = 0;
    do
        tmp[k++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    for (int i = 0; i < k; i++)
        buf[i] = tmp[k - 1 - i];
    buf[k] = '\0';
}

char *kw_modifier_format(char *buf, size_t size, const kw_modifier *m)
{
    if (m->kind == KW_MOD_NEGATED) {
        snprintf(buf, size, "negated");
    } else {
        char num[32];
        fmt_num(num, sizeof num, m->factor);
        /* "x1.5", "x2" rather than "x2.0": drop a lone .0 */
        size_t n = strlen(num);
        if (n > 2 && strcmp(num + n - 2, ".0") == 0)
            num[n - 2] = '\0';
        snprintf(buf, size, "%s x%s", kw_modifier_name(m->kind), num);
    }
    return buf;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (b->n + n + 1 > nc)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q, b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07;
    else
        return 0;
    if (n <= need)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp < 0xE000))
        return 0;
    return need + 1;
}

static void put_json_string(sbuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    put(b, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(b, e, 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            puts_(b, e);
            i++;
        } else if (c < 0x80) {
            put(b, s + i, 1);
            i++;
        } else {
            size_t l = utf8_len(p + i, n - i);
            if (l == 0) {
                puts_(b, "\\ufffd");
                i++;
            } else {
                put(b, s + i, l);
                i += l;
            }
        }
    }
    put(b, "\"", 1);
}

int kw_result_hits_json(char **out, const kw_result *r, const char *text, size_t len)
{
    sbuf b = {0};
    char num[64];
    *out = NULL;
    put(&b, "[", 1);
    for (size_t i = 0; i < r->nhits; i++) {
        const kw_hit *h = &r->hits[i];
        size_t off = h->offset < len ? h->offset : len;
        size_t hl = h->len <= len - off ? h->len : len - off;
        if (i)
            put(&b, ",", 1);
        puts_(&b, "{\"term\":");
        put_json_string(&b, text + off, hl);
        puts_(&b, ",\"offset\":");
        fmt_size(num, h->offset);
        puts_(&b, num);
        puts_(&b, ",\"valence\":");
        fmt_num(num, sizeof num, h->valence);
        puts_(&b, num);
        puts_(&b, ",\"modifiers\":[");
        for (int m = 0; m < h->nmods; m++) {
            char mod[64];
            if (m)
                put(&b, ",", 1);
            kw_modifier_format(mod, sizeof mod, &h->mods[m]);
            put_json_string(&b, mod, strlen(mod));
        }
        puts_(&b, "],\"contribution\":");
        fmt_num(num, sizeof num, h->contribution);
        puts_(&b, num);
        put(&b, "}", 1);
    }
    put(&b, "]", 1);
    if (b.oom) {
        free(b.p);
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    }
    *out = b.p;
    return 0;
}
