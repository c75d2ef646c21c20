/*
 * Charsets: WHATWG labels, the BOM / HTTP / in-document / UTF-8 / detector
 * order, and decoding to UTF-8 through glibc iconv. A bad byte becomes
 * U+FFFD and decoding goes on: a page is never lost to one byte. Output is
 * bounded by a fixed multiple of the input.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include "internal.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* Detection looks at this much of a document. */
#define SAMPLE_BYTES 65536
/* Longest label we look at. */
#define LABEL_MAX 48

typedef struct encoding {
    const char *name;  /* canonical, lower case, as reported */
    const char *iconv; /* glibc name; NULL for our own decoders */
    const char *labels;/* WHATWG labels, space-separated */
} encoding;

/* GB labels decode as GB18030, never GB2312 (which fails on 镕, 喆, 堃);
 * Big5 labels as Big5-HKSCS. */
static const encoding encodings[] = {
    {"utf-8", NULL, "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
    {"gb18030", "GB18030",
     "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030"},
    {"big5-hkscs", "BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {"windows-1252", "CP1252",
     "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
     "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"},
    {"shift_jis", "CP932",
     "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"},
    {"euc-jp", "EUC-JP", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
    {"iso-2022-jp", "ISO-2022-JP", "csiso2022jp iso-2022-jp"},
    {"euc-kr", "CP949",
     "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 "
     "ksc_5601 windows-949"},
    {"utf-16be", "UTF-16BE", "unicodefffe utf-16be"},
    {"utf-16le", "UTF-16LE",
     "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
    {"replacement", NULL,
     "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement"},
    {"iso-8859-2", "ISO-8859-2",
     "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {"iso-8859-5", "ISO-8859-5",
     "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 "
     "iso_8859-5:1988"},
    {"iso-8859-7", "ISO-8859-7",
     "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
     "iso_8859-7 iso_8859-7:1987 sun_eu_greek"},
    {"iso-8859-15", "ISO-8859-15",
     "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
    {"koi8-r", "KOI8-R", "cskoi8r koi koi8 koi8-r koi8_r"},
    {"koi8-u", "KOI8-U", "koi8-ru koi8-u"},
    {"windows-874", "CP874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
    {"windows-1250", "CP1250", "cp1250 windows-1250 x-cp1250"},
    {"windows-1251", "CP1251", "cp1251 windows-1251 x-cp1251"},
    {"windows-1253", "CP1253", "cp1253 windows-1253 x-cp1253"},
    {"windows-1254", "CP1254",
     "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 "
     "l5 latin5 "
     "windows-1254 x-cp1254"},
    {"windows-1255", "CP1255", "cp1255 windows-1255 x-cp1255"},
    {"windows-1256", "CP1256", "cp1256 windows-1256 x-cp1256"},
    {"windows-1257", "CP1257", "cp1257 windows-1257 x-cp1257"},
    {"windows-1258", "CP1258", "cp1258 windows-1258 x-cp1258"},
    /* the rest of the WHATWG Encoding Standard's single-byte encodings */
    {"ibm866", "IBM866", "866 cp866 csibm866 ibm866"},
    {"iso-8859-3", "ISO-8859-3",
     "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {"iso-8859-4", "ISO-8859-4",
     "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {"iso-8859-6", "ISO-8859-6",
     "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
     "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
    {"iso-8859-8", "ISO-8859-8",
     "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
     "iso_8859-8 iso_8859-8:1988 visual"},
    {"iso-8859-8-i", "ISO-8859-8", "csiso88598i iso-8859-8-i logical"},
    {"iso-8859-10", "ISO-8859-10",
     "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {"iso-8859-13", "ISO-8859-13", "iso-8859-13 iso8859-13 iso885913"},
    {"iso-8859-14", "ISO-8859-14", "iso-8859-14 iso8859-14 iso885914"},
    {"iso-8859-16", "ISO-8859-16", "iso-8859-16"},
    {"macintosh", "MACINTOSH", "csmacintosh mac macintosh x-mac-roman"},
    {"x-mac-cyrillic", "MAC-CYRILLIC", "x-mac-cyrillic x-mac-ukrainian"},
};

enum {
    ENC_UTF8 = 0,
    ENC_GB18030 = 1,
    ENC_BIG5 = 2,
    ENC_1252 = 3,
    ENC_SJIS = 4,
    ENC_EUCKR = 7,
    ENC_UTF16BE = 8,
    ENC_UTF16LE = 9
};

static const encoding *find_label(const char *s, size_t n)
{
    if (n == 0 || n > LABEL_MAX)
        return NULL;
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        const char *l = encodings[i].labels;
        while (*l) {
            const char *e = strchr(l, ' ');
            size_t ln = e ? (size_t)(e - l) : strlen(l);
            if (ln == n && ascii_ieqn(l, s, n))
                return &encodings[i];
            l += ln;
            while (*l == ' ')
                l++;
        }
    }
    return NULL;
}

static bool blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* The label in a bare label or a Content-Type value ("...; charset=x"). */
static const encoding *label_encoding(const char *label)
{
    if (!label)
        return NULL;
    size_t n = strnlen(label, 1024);
    const char *s = label, *e = label + n;
    for (const char *p = s; p + 8 <= e; p++)
        if (ascii_ieqn(p, "charset=", 8)) {
            s = p + 8;
            while (s < e && blank(*s))
                s++;
            if (s < e && (*s == '"' || *s == '\'')) {
                char q = *s++;
                const char *c = memchr(s, q, (size_t)(e - s));
                e = c ? c : e;
            } else {
                const char *c = s;
                while (c < e && *c != ';' && !blank(*c))
                    c++;
                e = c;
            }
            break;
        }
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    return find_label(s, (size_t)(e - s));
}

const char *kw_charset_canonical(const char *label)
{
    const encoding *enc = label_encoding(label);
    return enc ? enc->name : NULL;
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct decode_stats {
    size_t replaced;
    bool truncated_tail; /* the input ended inside a character */
} decode_stats;

static int put_fffd(kw_buf *b, decode_stats *st)
{
    st->replaced++;
    return buf_append(b, "\xEF\xBF\xBD", 3);
}

/* UTF-8 to UTF-8: each maximal ill-formed subpart becomes one U+FFFD;
 * NUL becomes a space, as C strings carry the text from here on. */
static int decode_utf8(kw_buf *b, const unsigned char *s, size_t n, decode_stats *st)
{
    size_t i = 0, run = 0;
    int rc = 0;
    while (i < n && rc == 0) {
        uint64_t w;
        if (n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0) &&
            ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) == 0) {
            i += 8; /* eight ASCII bytes, none of them NUL */
            run += 8;
            continue;
        }
        if (s[i] - 1u < 0x7Fu) { /* ASCII other than NUL: most of a page */
            i++;
            run++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_seq(s + i, n - i, &cp);
        if (k > 0 && cp != 0) {
            i += k;
            run += k;
            continue;
        }
        if (run)
            rc = buf_append(b, s + i - run, run);
        run = 0;
        if (rc)
            break;
        if (k > 0) { /* NUL: a space, as fix_up does for the other decoders */
            rc = buf_putc(b, ' ');
            i++;
            continue;
        }
        /* How far the bad sequence goes: the lead and the continuation
         * bytes that were still possible for it. */
        unsigned c = s[i];
        size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                      : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
        size_t j = 1;
        while (j < need && i + j < n) {
            unsigned lo = 0x80, hi = 0xBF, d = s[i + j];
            if (j == 1 && c == 0xE0)
                lo = 0xA0;
            else if (j == 1 && c == 0xED)
                hi = 0x9F;
            else if (j == 1 && c == 0xF0)
                lo = 0x90;
            else if (j == 1 && c == 0xF4)
                hi = 0x8F;
            if (d < lo || d > hi)
                break;
            j++;
        }
        if (i + j >= n && j < need && need > 1)
            st->truncated_tail = true;
        i += j;
        rc = put_fffd(b, st);
    }
    if (rc == 0 && run)
        rc = buf_append(b, s + i - run, run);
    return rc;
}

static int decode_iconv(kw_buf *b, const encoding *enc, const unsigned char *s, size_t n,
                        decode_stats *st)
{
    iconv_t cd = iconv_open("UTF-8", enc->iconv);
    char chunk[4096];
    int rc = 0;
    if (cd == (iconv_t)-1)
        return kw_error_set(KW_EINVAL, "charset %s: not supported by iconv", enc->name);
    char *in = (char *)s;
    size_t left = n;
    while (left > 0 && rc == 0) {
        char *out = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &in, &left, &out, &room);
        int err = r == (size_t)-1 ? errno : 0;
        if (out > chunk)
            rc = buf_append(b, chunk, (size_t)(out - chunk));
        if (rc || err == 0 || err == E2BIG)
            continue;
        if (err == EILSEQ) {
            unsigned char c = (unsigned char)*in;
            /* WHATWG's windows-1252 passes 81 8D 8F 90 9D through as C1
             * controls where glibc's CP1252 refuses them. */
            size_t unit = 1;
            if (enc == &encodings[ENC_1252] && c >= 0x80 && c <= 0x9F)
                rc = buf_put_cp(b, c);
            else if (enc == &encodings[ENC_GB18030] && c == 0x80)
                rc = buf_put_cp(b, 0x20AC); /* WHATWG's gb18030 decoder: the euro sign */
            else {
                rc = put_fffd(b, st);
                /* WHATWG's double-byte decoders take a lead byte and the
                 * non-ASCII byte after it as one error (an ASCII one is
                 * read again): the byte after is no lead of the next
                 * character, which would be read wrong */
                bool dbcs = enc == &encodings[ENC_GB18030] || enc == &encodings[ENC_BIG5] ||
                            enc == &encodings[ENC_EUCKR] ||
                            (enc == &encodings[ENC_SJIS] && (c <= 0x9F || (c >= 0xE0 && c <= 0xFC)));
                if (dbcs && c >= 0x81 && c <= 0xFE && left >= 2 && (unsigned char)in[1] >= 0x80)
                    unit = 2;
            }
            /* UTF-16 goes by code units: a lone surrogate is two bytes, and
             * skipping one would read the rest of the text off by a byte */
            if ((enc == &encodings[ENC_UTF16BE] || enc == &encodings[ENC_UTF16LE]) && left >= 2)
                unit = 2;
            in += unit;
            left -= unit;
            iconv(cd, NULL, NULL, NULL, NULL);
        } else { /* EINVAL: the input ends inside a character */
            st->truncated_tail = true;
            rc = put_fffd(b, st);
            left = 0;
        }
    }
    if (rc == 0) {
        char *out = chunk;
        size_t room = sizeof chunk;
        iconv(cd, NULL, NULL, &out, &room);
        if (out > chunk)
            rc = buf_append(b, chunk, (size_t)(out - chunk));
    }
    iconv_close(cd);
    return rc;
}

/* glibc maps GB18030 A3 A0 to U+E5E5 where WHATWG (and every browser) has
 * U+3000; and a NUL from any decoder must not cut the text short. */
static void fix_up(kw_buf *b, const encoding *enc)
{
    if (!b->data)
        return;
    if (enc == &encodings[ENC_GB18030])
        for (char *p = b->data; (p = strstr(p, "\xEE\x97\xA5")) != NULL; p += 3)
            memcpy(p, "\xE3\x80\x80", 3);
    for (char *p = b->data, *end = b->data + b->len; (p = memchr(p, '\0', (size_t)(end - p)));)
        *p++ = ' ';
}

static int decode_with(kw_buf *b, const encoding *enc, const unsigned char *s, size_t n,
                       decode_stats *st)
{
    int rc;
    memset(st, 0, sizeof *st);
    if (enc == &encodings[ENC_UTF8])
        rc = decode_utf8(b, s, n, st);
    else if (!enc->iconv) /* "replacement": one U+FFFD for the whole input */
        rc = n ? put_fffd(b, st) : 0;
    else
        rc = decode_iconv(b, enc, s, n, st);
    if (rc == 0)
        fix_up(b, enc);
    return rc;
}

int kw_charset_to_utf8(char **out, size_t *out_len, size_t *replaced, const void *data,
                       size_t len, const char *label)
{
    const encoding *enc = label_encoding(label);
    kw_buf b;
    decode_stats st;
    *out = NULL;
    if (!enc)
        return kw_error_set(KW_EINVAL, "unknown charset label '%.48s'", label ? label : "");
    buf_init(&b, len > SIZE_MAX / 4 - 16 ? 0 : len * 4 + 16);
    int rc = decode_with(&b, enc, data, len, &st);
    if (rc) {
        buf_release(&b);
        return rc == KW_ENOMEM ? kw_error_set(rc, "out of memory decoding %s", enc->name) : rc;
    }
    if (out_len)
        *out_len = b.len;
    if (replaced)
        *replaced = st.replaced;
    *out = buf_take(&b);
    return *out ? 0 : kw_error_set(KW_ENOMEM, "out of memory");
}

/* ---- sniffing ------------------------------------------------------------ */

/* encoding="..." in an XML declaration at the very start. */
static const encoding *xml_declared(const unsigned char *s, size_t n)
{
    size_t lim = n < 1024 ? n : 1024;
    if (lim < 6 || memcmp(s, "<?xml", 5) != 0 || !blank(s[5]))
        return NULL;
    const char *p = (const char *)s, *end = p + lim;
    const char *close = NULL;
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '?' && q[1] == '>') {
            close = q;
            break;
        }
    if (!close)
        return NULL;
    for (const char *q = p + 5; q + 8 <= close; q++) {
        if (memcmp(q, "encoding", 8) != 0)
            continue;
        q += 8;
        while (q < close && blank(*q))
            q++;
        if (q >= close || *q++ != '=')
            return NULL;
        while (q < close && blank(*q))
            q++;
        if (q >= close || (*q != '"' && *q != '\''))
            return NULL;
        char quote = *q++;
        const char *v = q;
        while (q < close && *q != quote)
            q++;
        return find_label(v, (size_t)(q - v));
    }
    return NULL;
}

/* <meta charset=...> or <meta http-equiv content="...charset=..."> in the
 * first 1024 bytes, comments skipped (a light form of the HTML prescan). */
static const encoding *html_declared(const unsigned char *s, size_t n)
{
    size_t lim = n < 1024 ? n : 1024;
    const char *p = (const char *)s, *end = p + lim;
    while (p < end) {
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *q = p + 4;
            while (q + 3 <= end && memcmp(q, "-->", 3) != 0)
                q++;
            p = q + 3 <= end ? q + 3 : end;
            continue;
        }
        if (end - p >= 6 && ascii_ieqn(p, "<meta", 5) && (blank(p[5]) || p[5] == '/')) {
            const char *q = p + 5, *tag_end = q;
            while (tag_end < end && *tag_end != '>')
                tag_end++;
            for (; q + 7 <= tag_end; q++) {
                if (!ascii_ieqn(q, "charset", 7))
                    continue;
                const char *v = q + 7;
                while (v < tag_end && blank(*v))
                    v++;
                if (v >= tag_end || *v != '=')
                    continue;
                v++;
                while (v < tag_end && blank(*v))
                    v++;
                if (v < tag_end && (*v == '"' || *v == '\''))
                    v++;
                const char *ve = v;
                while (ve < tag_end && *ve != '"' && *ve != '\'' && *ve != ';' && !blank(*ve) &&
                       *ve != '/')
                    ve++;
                const encoding *enc = find_label(v, (size_t)(ve - v));
                if (enc && (enc == &encodings[ENC_UTF16BE] || enc == &encodings[ENC_UTF16LE]))
                    enc = &encodings[ENC_UTF8]; /* a meta naming UTF-16 means UTF-8 */
                if (enc)
                    return enc;
            }
            p = tag_end;
            continue;
        }
        p++;
    }
    return NULL;
}

/* ---- the detector -------------------------------------------------------- */

/*
 * Frequent characters of Chinese text in both scripts: the right decoding
 * of a Chinese page is full of them, a wrong one (GBK read as Big5 or the
 * other way round, or either read as windows-1252) almost never is.
 */
static const char common_chars[] =
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之"
    "年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样"
    "理心她本前开但因只从想实日者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两"
    "高间由问很最重并物手应向头文体新品牌买卖钱价格服务产用户网电话视频今"
    "這個們來為國說時會對過發後裡門見現當沒動還進從實無與長機點業將兩間問體樣種經麼學開產頭"
    "貨買賣電話網讓價務戶視頻";

static int cmp_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The common characters as sorted code points (no shared state: built
 * per call, a few hundred entries). */
static size_t common_table(uint32_t *table, size_t cap)
{
    const unsigned char *p = (const unsigned char *)common_chars;
    size_t n = strlen(common_chars), k, m = 0;
    uint32_t c;
    while (n && m < cap && (k = utf8_seq(p, n, &c)) > 0) {
        table[m++] = c;
        p += k;
        n -= k;
    }
    qsort(table, m, sizeof table[0], cmp_cp);
    return m;
}

typedef struct score {
    size_t replaced, cjk, common, other_high; /* other_high: PUA, C1 */
    size_t high; /* code points above ASCII, U+FFFD not counted */
} score;

static void score_text(score *sc, const char *t, size_t n)
{
    const unsigned char *p = (const unsigned char *)t;
    uint32_t table[512];
    size_t count = common_table(table, sizeof table / sizeof table[0]);
    while (n) {
        uint32_t cp;
        size_t k = utf8_seq(p, n, &cp);
        if (!k)
            k = 1, cp = 0xFFFD;
        if (cp >= 0x80 && cp != 0xFFFD)
            sc->high++;
        if (cp >= 0x4E00 && cp <= 0x9FFF) {
            sc->cjk++;
            if (bsearch(&cp, table, count, sizeof table[0], cmp_cp))
                sc->common++;
        } else if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0x80 && cp < 0xA0)) {
            sc->other_high++;
        }
        p += k;
        n -= k;
    }
}

/* Where the first byte past ASCII is (n when there is none). */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (uint64_t w; n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0);)
        i += 8;
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/* Decode a sample and score it. The sample starts at the first byte past
 * ASCII: every candidate reads ASCII alike, and a page whose Chinese text
 * comes after a long script or style must be judged by that text. That
 * byte starts a character in each candidate, as the one before it is no
 * lead byte. */
static int try_sample(score *sc, const encoding *enc, const unsigned char *s, size_t n)
{
    kw_buf b;
    decode_stats st;
    size_t skip = ascii_prefix(s, n);
    s += skip, n -= skip;
    size_t m = n < SAMPLE_BYTES ? n : SAMPLE_BYTES;
    memset(sc, 0, sizeof *sc);
    buf_init(&b, m * 4 + 16);
    int rc = decode_with(&b, enc, s, m, &st);
    if (rc == 0) {
        score_text(sc, b.data ? b.data : "", b.len);
        /* A character cut by the sample's end is not the text's fault. */
        sc->replaced = st.replaced - (st.truncated_tail && m < n ? 1 : 0);
    }
    buf_release(&b);
    return rc;
}

/* Clearly Chinese: enough common characters among the CJK ones. */
static bool strongly_chinese(const score *sc)
{
    return sc->common >= 3 && sc->common * 5 >= sc->cjk;
}

static bool weakly_chinese(const score *sc)
{
    return sc->common * 20 < sc->cjk || sc->cjk == 0;
}

/* Whether the bytes are valid UTF-8 with at least one non-ASCII character. */
static bool utf8_with_non_ascii(const unsigned char *s, size_t n, bool *valid)
{
    bool high = false;
    size_t i = 0;
    *valid = true;
    while (i < n) {
        uint64_t w[4];
        if (n - i >= 32 && (memcpy(w, s + i, 32),
                            ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) == 0)) {
            i += 32; /* thirty-two ASCII bytes */
            continue;
        }
        if (n - i >= 8 && (memcpy(w, s + i, 8), (w[0] & 0x8080808080808080ull) == 0)) {
            i += 8; /* eight ASCII bytes */
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_seq(s + i, n - i, &cp);
        if (!k) {
            *valid = false;
            return false;
        }
        high |= cp >= 0x80;
        i += k;
    }
    return high;
}

static long value(const score *sc) { return 2 * (long)sc->common - 3 * (long)sc->replaced; }

/* Text that is UTF-8 but for a few bad bytes. */
static bool mostly_utf8(const score *u) { return u->high > 0 && u->replaced * 10 <= u->high; }

/* The detector: UTF-8 with a few bad bytes, GB18030, Big5-HKSCS, or
 * windows-1252 when none of them reads as text. */
static int detect(const encoding **out, const unsigned char *s, size_t n)
{
    score u, g, b;
    int rc;
    if ((rc = try_sample(&u, &encodings[ENC_UTF8], s, n)) ||
        (rc = try_sample(&g, &encodings[ENC_GB18030], s, n)) ||
        (rc = try_sample(&b, &encodings[ENC_BIG5], s, n)))
        return rc;
    const score *best = &g;
    const encoding *enc = &encodings[ENC_GB18030];
    if (value(&b) > value(&g) ||
        (value(&b) == value(&g) &&
         (b.replaced < g.replaced || (b.replaced == g.replaced && b.other_high < g.other_high)))) {
        best = &b;
        enc = &encodings[ENC_BIG5];
    }
    if (mostly_utf8(&u) && value(&u) >= value(best))
        *out = &encodings[ENC_UTF8];
    else if (best->replaced == 0 && best->cjk > 0 && !weakly_chinese(best))
        *out = enc;
    else if (strongly_chinese(best) && best->replaced * 50 <= best->cjk)
        *out = enc; /* a Chinese page with a few broken bytes */
    else if (mostly_utf8(&u))
        *out = &encodings[ENC_UTF8];
    else
        *out = &encodings[ENC_1252];
    return 0;
}

/* Whether s ends inside a UTF-8 character: a lead byte followed by fewer
 * continuation bytes than it announces (text cut short, not another
 * charset). */
static bool utf8_cut_at_end(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = s[n - k];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t want = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        return want > k;
    }
    return false;
}

/* A label that the bytes contradict: the encoding to use instead, or NULL
 * to keep the label. */
static int second_opinion(const encoding **out, const encoding *label, const unsigned char *s,
                          size_t n, bool *utf8_valid)
{
    score l, alt;
    bool valid;
    int rc;
    *out = NULL;
    if (label == &encodings[ENC_UTF8]) {
        utf8_with_non_ascii(s, n, &valid);
        if (valid) {
            *utf8_valid = true;
            return 0;
        }
        if ((rc = detect(out, s, n)))
            return rc;
        /* Overrule UTF-8 for what reads cleanly as Chinese, or for
         * windows-1252 when not one non-ASCII character reads as UTF-8
         * ("caf\xe9"): a UTF-8 page with a few bad bytes stays UTF-8. */
        score u;
        if (*out == &encodings[ENC_1252] &&
            (rc = try_sample(&u, &encodings[ENC_UTF8], s, n)) == 0 && u.high == 0 &&
            u.replaced > (utf8_cut_at_end(s, n) ? 1u : 0u))
            return 0;
        if (rc)
            return rc;
        if (*out == &encodings[ENC_1252] || *out == &encodings[ENC_UTF8])
            *out = NULL;
        return 0;
    }
    if (utf8_with_non_ascii(s, n, &valid)) {
        *out = &encodings[ENC_UTF8]; /* legacy text is hardly ever valid UTF-8 */
        return 0;
    }
    if (!label->iconv)
        return 0;
    if ((rc = try_sample(&l, label, s, n)))
        return rc;
    const encoding *cands[] = {&encodings[ENC_GB18030], &encodings[ENC_BIG5]};
    for (size_t i = 0; i < 2; i++) {
        if (cands[i] == label)
            continue;
        if ((rc = try_sample(&alt, cands[i], s, n)))
            return rc;
        bool better_reading = alt.replaced < l.replaced && alt.common > l.common &&
                              strongly_chinese(&alt);
        bool clearly_chinese = alt.replaced <= l.replaced && strongly_chinese(&alt) &&
                               weakly_chinese(&l);
        if (better_reading || clearly_chinese) {
            *out = cands[i];
            return 0;
        }
    }
    return 0;
}

void kw_decoded_free(kw_decoded *d)
{
    if (!d)
        return;
    free(d->text);
    memset(d, 0, sizeof *d);
}

int kw_charset_decode(kw_decoded *out, const void *data, size_t len, const char *http_label,
                      kw_doc_kind kind, size_t max)
{
    const unsigned char *s = data ? data : (const unsigned char *)"";
    const encoding *enc = NULL, *other = NULL;
    kw_charset_source source = KW_CHARSET_DETECTED;
    bool label_given = false;
    decode_stats st;
    kw_buf b;
    int rc;
    memset(out, 0, sizeof *out);
    if (!data)
        len = 0;
    if (max && len > max)
        return kw_error_set(KW_ETOOBIG, "document of %zu bytes is over the limit of %zu", len,
                            max);
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        enc = &encodings[ENC_UTF8], s += 3, len -= 3, source = KW_CHARSET_BOM;
    else if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF)
        enc = &encodings[ENC_UTF16BE], s += 2, len -= 2, source = KW_CHARSET_BOM;
    else if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE)
        enc = &encodings[ENC_UTF16LE], s += 2, len -= 2, source = KW_CHARSET_BOM;
    if (!enc && http_label) {
        label_given = true;
        if ((enc = label_encoding(http_label)))
            source = KW_CHARSET_HTTP;
    }
    if (!enc && kind == KW_DOC_XML) {
        if (len >= 4 && memcmp(s, "<\0?\0", 4) == 0)
            enc = &encodings[ENC_UTF16LE], source = KW_CHARSET_DOCUMENT;
        else if (len >= 4 && memcmp(s, "\0<\0?", 4) == 0)
            enc = &encodings[ENC_UTF16BE], source = KW_CHARSET_DOCUMENT;
        else if (len >= 5 && memcmp(s, "<?xml", 5) == 0) {
            bool enc_attr = false;
            for (size_t i = 0; i + 8 <= len && i < 200 && !enc_attr; i++)
                enc_attr = memcmp(s + i, "encoding", 8) == 0;
            if ((enc = xml_declared(s, len))) {
                source = KW_CHARSET_DOCUMENT;
                /* A declaration read in ASCII cannot be UTF-16. */
                if (enc == &encodings[ENC_UTF16BE] || enc == &encodings[ENC_UTF16LE])
                    enc = &encodings[ENC_UTF8];
            } else if (enc_attr) {
                label_given = true; /* an encoding we do not know */
            }
        }
    }
    if (!enc && kind == KW_DOC_HTML && (enc = html_declared(s, len)))
        source = KW_CHARSET_DOCUMENT;
    if (enc && kind == KW_DOC_XML && source != KW_CHARSET_DOCUMENT && len >= 5 &&
        memcmp(s, "<?xml", 5) == 0) {
        /* a BOM or the HTTP header decided: a declaration naming another
         * charset was wrong (the document says so, as feed readers do) */
        const encoding *decl = xml_declared(s, len);
        if (decl && decl != enc)
            out->label_wrong = true;
    }
    bool utf8_valid = false; /* s is known to be valid UTF-8 */
    if (enc && source != KW_CHARSET_BOM) {
        if ((rc = second_opinion(&other, enc, s, len, &utf8_valid)))
            return rc;
        if (other) {
            enc = other;
            out->label_wrong = true;
        }
    } else if (!enc) {
        bool valid;
        out->label_wrong = label_given;
        utf8_with_non_ascii(s, len, &valid);
        if (valid) {
            enc = &encodings[ENC_UTF8];
            source = KW_CHARSET_UTF8;
            utf8_valid = true;
        } else {
            if ((rc = detect(&enc, s, len)))
                return rc;
            source = KW_CHARSET_DETECTED;
        }
    }
    if (utf8_valid && enc == &encodings[ENC_UTF8] && !memchr(s, '\0', len)) {
        /* valid UTF-8 without a NUL: the bytes as they are */
        if (!(out->text = malloc(len + 1)))
            return kw_error_set(KW_ENOMEM, "out of memory");
        memcpy(out->text, s, len);
        out->text[len] = '\0';
        out->len = len;
        out->charset = enc->name;
        out->source = source;
        return 0;
    }
    buf_init(&b, len > SIZE_MAX / 4 - 16 ? 0 : len * 4 + 16);
    if ((rc = decode_with(&b, enc, s, len, &st))) {
        buf_release(&b);
        return rc == KW_ENOMEM ? kw_error_set(rc, "out of memory decoding %s", enc->name) : rc;
    }
    out->len = b.len;
    out->text = buf_take(&b);
    if (!out->text)
        return kw_error_set(KW_ENOMEM, "out of memory");
    out->charset = enc->name;
    out->source = source;
    out->replaced = st.replaced;
    return 0;
}
