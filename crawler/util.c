/*
 * Small shared helpers of the crawler parsers: the bounded buffer every
 * parser writes its output into, ASCII case folding, UTF-8 sequences.
 * Nothing here may allocate past a buffer's maximum.
 */
#include "internal.h"

#include "kolwatch/error.h"
#include "kolwatch/url.h"

#include <cjson/cJSON.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>

void buf_init(kw_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
    b->full = false;
}

void buf_release(kw_buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

int buf_append(kw_buf *b, const void *data, size_t len)
{
    if (len > b->max - b->len) {
        b->full = true;
        return KW_ETOOBIG;
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + len + 1)
            cap = cap > SIZE_MAX / 4 ? b->len + len + 1 : cap * 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return KW_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int buf_append_cut(kw_buf *b, const void *data, size_t len)
{
    if (len <= b->max - b->len)
        return buf_append(b, data, len);
    const unsigned char *d = data;
    size_t n = b->max - b->len;
    while (n > 0 && (d[n] & 0xC0) == 0x80)
        n--; /* not inside a character */
    int rc = buf_append(b, data, n);
    b->full = true;
    return rc ? rc : KW_ETOOBIG;
}

int buf_putc(kw_buf *b, char c) { return buf_append(b, &c, 1); }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool uri_has_scheme(const char *s)
{
    if (!is_alpha(*s))
        return false;
    for (s++; is_alpha(*s) || (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'; s++)
        ;
    return *s == ':';
}

/* Characters RFC 3986 allows in a path, query or fragment that libxml2
 * writes back as they are: not ':', which it escapes, nor '%', whose
 * escapes it rewrites. */
static bool uri_char(unsigned char c)
{
    return is_alpha((char)c) || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=@/?#", c) != NULL;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether s, the part of a URI after its authority, is one the quick join
 * may take as it is: allowed characters and one '#' at most; in a base
 * also ':' and whole escapes, in a link neither (libxml2 rewrites them),
 * nor a possible dot segment (left to the full resolver). Its length in
 * *len. */
static bool uri_rest_ok(const char *s, bool base, size_t *len)
{
    bool fragment = false;
    const char *r = s;
    for (; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if (c == '#') {
            if (fragment)
                return false; /* no URI */
            fragment = true;
        } else if (base && c == '%') {
            if (!is_hex(r[1]) || !is_hex(r[2]))
                return false;
        } else if (base && c == ':') {
            continue;
        } else if (!base && c == '.' && r > s && r[-1] == '/') {
            return false;
        } else if (c >= 0x80 || !uri_char(c)) {
            return false;
        }
    }
    if (len)
        *len = (size_t)(r - s);
    return true;
}

char *uri_join_abs_path(const char *base, const char *ref)
{
    if (!base || !ref || ref[0] != '/' || ref[1] == '/' || !uri_has_scheme(base))
        return NULL;
    const char *p = strchr(base, ':') + 1;
    if (p[0] != '/' || p[1] != '/')
        return NULL;
    p += 2;
    /* host[:port], plain: a name or an IPv4 address */
    const char *auth_end = p;
    while (is_alpha(*auth_end) || (*auth_end >= '0' && *auth_end <= '9') || *auth_end == '.' ||
           *auth_end == '-')
        auth_end++;
    if (auth_end == p)
        return NULL;
    if (*auth_end == ':') { /* a port libxml2 writes back as it is */
        const char *digits = ++auth_end;
        while (*auth_end >= '0' && *auth_end <= '9')
            auth_end++;
        if (auth_end == digits || *digits == '0' || auth_end - digits > 5)
            return NULL;
    }
    if (*auth_end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        return NULL;
    /* The rest of the base must parse too: libxml2 gives the link as it is
     * when the base does not. */
    size_t rl;
    if (!uri_rest_ok(auth_end, true, NULL) || !uri_rest_ok(ref, false, &rl))
        return NULL;
    size_t bl = (size_t)(auth_end - base);
    char *out = malloc(bl + rl + 1);
    if (!out)
        return NULL;
    memcpy(out, base, bl);
    memcpy(out + bl, ref, rl + 1);
    return out;
}

int buf_put_cp(kw_buf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, u, n);
}

char *buf_take(kw_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b))
            return false;
    return *a == *b;
}

bool ascii_ieqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
        if (!a[i])
            return true;
    }
    return true;
}

size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

void utf8_scrub(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_seq((const unsigned char *)s + i, n - i, &cp);
        if (k) {
            i += k;
            continue;
        }
        /* a lead byte whose sequence the string's end cut short: drop it */
        unsigned char c = (unsigned char)s[i];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        size_t j = i + 1;
        while (j < n && j < i + want && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
        if (want && j == n && j < i + want) {
            s[i] = '\0';
            return;
        }
        s[i++] = '?';
    }
}

/* The length of the JSON number at s[i] (valid JSON: cJSON read it), and
 * whether it is an integer literal (no fraction, no exponent). */
static size_t json_number_len(const char *s, size_t len, size_t i, size_t *digits, int *integer)
{
    size_t j = i;
    *digits = 0;
    *integer = 1;
    if (j < len && s[j] == '-')
        j++;
    for (; j < len && s[j] >= '0' && s[j] <= '9'; j++)
        (*digits)++;
    while (j < len && (s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' ||
                       s[j] == '-' || (s[j] >= '0' && s[j] <= '9'))) {
        *integer = 0;
        j++;
    }
    return j - i;
}

/* s with every big integer literal written as a string; NULL when there
 * is none (or out of memory). */
static char *json_big_ints_quoted(const char *s, size_t len, size_t *out_len)
{
    size_t run = 0, i;
    for (i = 0; i < len && run < JSON_BIG_INT_DIGITS; i++) /* fast: any long digit run? */
        run = s[i] >= '0' && s[i] <= '9' ? run + 1 : 0;
    if (run < JSON_BIG_INT_DIGITS)
        return NULL;
    kw_buf b;
    buf_init(&b, 0);
    size_t from = 0;
    for (i = 0; i < len;) {
        if (s[i] == '"') { /* a string: to its closing quote */
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (s[i] != '-' && !(s[i] >= '0' && s[i] <= '9')) {
            i++;
            continue;
        }
        size_t digits;
        int integer;
        size_t n = json_number_len(s, len, i, &digits, &integer);
        if (integer && digits >= JSON_BIG_INT_DIGITS &&
            (buf_append(&b, s + from, i - from) || buf_append(&b, "\"", 1) ||
             buf_append(&b, s + i, n) || buf_append(&b, "\"", 1))) {
            buf_release(&b);
            return NULL;
        }
        if (integer && digits >= JSON_BIG_INT_DIGITS)
            from = i + n;
        i += n ? n : 1;
    }
    if (from == 0 || buf_append(&b, s + from, len - from)) {
        buf_release(&b);
        return NULL;
    }
    *out_len = b.len;
    return b.data;
}

char *uri_escaped(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        n += c >= 0x7F || c <= 0x20 || strchr("\"<>\\^`{|}", c) ? 1 : 0;
    }
    char *out = n && len < SIZE_MAX / 4 ? malloc(len + 2 * n + 1) : NULL;
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x7F || c <= 0x20 || strchr("\"<>\\^`{|}", c)) {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

unsigned char *uri_build(const char *link, const char *base)
{
    if (!link || !base)
        return NULL;
    xmlChar *u = xmlBuildURI((const xmlChar *)link, (const xmlChar *)base);
    /* an absolute link is what it is; a relative one that comes back as
     * it went (libxml2 could not parse the base) was not resolved */
    if (uri_has_scheme(link) || (u && strcmp((const char *)u, link) != 0)) {
        kw_url_drop_dots((char *)u); /* "/a/../b", which xmlBuildURI leaves so */
        return u;
    }
    xmlFree(u);
    u = NULL;
    char *el = uri_escaped(link), *eb = uri_escaped(base);
    if (el || eb)
        u = xmlBuildURI((const xmlChar *)(el ? el : link), (const xmlChar *)(eb ? eb : base));
    free(el);
    free(eb);
    kw_url_drop_dots((char *)u);
    return u;
}

cJSON *json_exact_ints(cJSON *doc, const char *s, size_t len)
{
    size_t qlen;
    char *quoted = json_big_ints_quoted(s, len, &qlen);
    cJSON *exact = quoted ? cJSON_ParseWithLength(quoted, qlen) : NULL;
    free(quoted);
    if (!exact)
        return doc;
    cJSON_Delete(doc);
    return exact;
}

size_t json_nested_over(const char *s, size_t n, size_t limit)
{
    size_t depth = 0;
    bool str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = false;
        } else if (c == '"') {
            str = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit)
                return i + 1;
        } else if ((c == '}' || c == ']') && depth) {
            depth--;
        }
    }
    return 0;
}
