/*
 * URL canonicalisation for de-duplication. Works on bytes. Of the
 * percent-escapes it decodes only those RFC 3986 says are the same URL
 * either way (unreserved characters, section 2.3); a reserved character
 * stays escaped ("%2F" is not "/"), so two different pages never become
 * one.
 */
#include "kolwatch/url.h"
#include "kolwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS 256

static int is_tracking(const char *p, size_t n)
{
    static const char *const names[] = {"spm", "fbclid", "gclid", "yclid", "msclkid",
                                        "mc_cid", "mc_eid", "igshid", "share_token",
                                        "from_spmid", "spm_id_from", "vd_source"};
    const char *eq = memchr(p, '=', n);
    size_t klen = eq ? (size_t)(eq - p) : n;
    if (klen >= 4 && strncasecmp(p, "utm_", 4) == 0)
        return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == klen && strncasecmp(p, names[i], klen) == 0)
            return 1;
    return 0;
}

typedef struct span {
    const char *p;
    size_t n;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Whether byte c may not stand in a URL as it is (kw_url_wire's set). */
static int must_escape(unsigned char c)
{
    return c >= 0x80 || c <= 0x20 || c == 0x7f || (c && strchr("\"<>\\^`{|}", c));
}

static int hex_value(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* n bytes of a path or query from s into out, in one spelling of their
 * equivalents (RFC 3986, 6.2.2.1-2): an escape of an unreserved character
 * as that character, other escapes in upper-case hex, bytes a URL may not
 * hold and a '%' that begins no escape escaped. Writes at most 3n bytes; returns how many. */
static size_t normalise_escapes(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi, lo;
        if (c == '%' && i + 2 < n && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
            (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
            unsigned char v = (unsigned char)(hi << 4 | lo);
            if (isalnum(v) || v == '-' || v == '.' || v == '_' || v == '~') {
                out[o++] = (char)v;
            } else {
                out[o++] = '%';
                out[o++] = hex[v >> 4];
                out[o++] = hex[v & 15];
            }
            i += 2;
        } else if (c == '%' || must_escape(c)) {
            /* a '%' that begins no escape is written as one, "%25": left
             * as it is, what follows could make one the second time */
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    return o;
}

/* Resolve the "." and ".." segments of an absolute path of n bytes in
 * place (RFC 3986, 5.2.4); returns its new length. */
static size_t remove_dot_segments(char *p, size_t n)
{
    size_t r = 0, w = 0;
    while (r < n) { /* p[r] is the '/' before a segment */
        size_t e = r + 1;
        while (e < n && p[e] != '/')
            e++;
        size_t len = e - r - 1;
        int last = e == n;
        if (len == 1 && p[r + 1] == '.') {
            if (last)
                p[w++] = '/';
        } else if (len == 2 && p[r + 1] == '.' && p[r + 2] == '.') {
            while (w > 0 && p[--w] != '/')
                ;
            if (last)
                p[w++] = '/';
        } else {
            memmove(p + w, p + r, e - r);
            w += e - r;
        }
        r = e;
    }
    return w ? w : (p[0] = '/', 1);
}

void kw_url_drop_dots(char *url)
{
    char *auth = url ? strstr(url, "://") : NULL;
    if (!auth || auth != url + strcspn(url, ":/?#"))
        return; /* no scheme of its own */
    char *path = auth + 3 + strcspn(auth + 3, "/?#");
    if (*path != '/')
        return;
    size_t n = strcspn(path, "?#"), i = 0;
    while (i + 1 < n && !(path[i] == '/' && path[i + 1] == '.'))
        i++;
    if (i + 1 >= n)
        return; /* nothing to resolve: most links */
    size_t w = remove_dot_segments(path, n);
    memmove(path + w, path + n, strlen(path + n) + 1);
}

int kw_url_canonical(char *out, size_t size, const char *url)
{
    const char *p = url, *host, *host_end, *port = NULL, *path, *query = NULL, *end;
    size_t o = 0;
    span params[MAX_PARAMS];
    int np = 0, https;
#define PUT(s, n)                                                              \
    do {                                                                       \
        if (o + (n) + 1 > size)                                                \
            return kw_error_set(KW_ETOOBIG, "URL longer than %zu bytes", size); \
        memcpy(out + o, (s), (n));                                             \
        o += (n);                                                              \
    } while (0)

    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "http://", 7) == 0)
        https = 0, p += 7;
    else if (strncasecmp(p, "https://", 8) == 0)
        https = 1, p += 8;
    else
        return kw_error_set(KW_EINVAL, "'%.100s' is not an http:// or https:// URL", url);
    end = p + strcspn(p, "#");
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    host = p;
    host_end = p + strcspn(p, "/?#");
    if (host_end > end)
        host_end = end;
    /* Drop user:password@ (never part of a mention's identity). */
    for (const char *q = host; q < host_end; q++)
        if (*q == '@')
            host = q + 1;
    if (*host == '[') {
        /* An IPv6 literal: "[...]" then nothing or ":" and a port. */
        const char *close = memchr(host, ']', (size_t)(host_end - host));
        if (!close)
            return kw_error_set(KW_EINVAL, "'%.100s' has an unclosed IPv6 address", url);
        if (close + 1 < host_end) {
            if (close[1] != ':')
                return kw_error_set(KW_EINVAL, "'%.100s' has a bad host", url);
            port = close + 1;
        }
    } else {
        for (const char *q = host_end; q > host; q--)
            if (q[-1] == ':') {
                port = q - 1;
                break;
            }
    }
    if ((port ? port : host_end) == host)
        return kw_error_set(KW_EINVAL, "'%.100s' has no host", url);
    int bracket = *host == '[';
    for (const char *q = host; q < (port ? port : host_end); q++) {
        unsigned char c = (unsigned char)*q;
        /* A colon belongs only inside an IPv6 literal; controls and spaces
         * nowhere. */
        if (c <= ' ' || c == 0x7f || (c == ':' && !bracket) || c == '\\')
            return kw_error_set(KW_EINVAL, "'%.100s' has a bad host", url);
    }
    PUT(https ? "https://" : "http://", https ? 8u : 7u);
    for (const char *q = host; q < (port ? port : host_end); q++) {
        char c = (char)tolower((unsigned char)*q);
        PUT(&c, 1);
    }
    if (port) {
        size_t plen = (size_t)(host_end - port);
        int dflt = (plen == 3 && !https && memcmp(port, ":80", 3) == 0) ||
                   (plen == 4 && https && memcmp(port, ":443", 4) == 0) || plen == 1;
        long num = 0;
        for (const char *q = port + 1; q < host_end; q++) {
            if (!isdigit((unsigned char)*q))
                return kw_error_set(KW_EINVAL, "'%.100s' has a bad port", url);
            num = num < 100000 ? num * 10 + (*q - '0') : num;
        }
        if (plen > 1 && (num < 1 || num > 65535))
            return kw_error_set(KW_EINVAL, "'%.100s' has port %ld: ports are 1 to 65535", url,
                                num);
        if (!dflt)
            PUT(port, plen);
    }
    /* Path and query in one spelling of their equivalents: the path with
     * its dot segments resolved; the kept parameters sorted in the form
     * they are written in, so that the second time sorts them the same. */
    path = host_end;
    query = memchr(path, '?', (size_t)(end - path));
    const char *path_end = query ? query : end;
    char *scratch = malloc((size_t)(end - path) * 3 + 2);
    if (!scratch)
        return kw_error_set(KW_ENOMEM, "out of memory");
    size_t pn = normalise_escapes(scratch, path, (size_t)(path_end - path));
    if (pn == 0)
        scratch[pn++] = '/';
    if (memchr(scratch, '.', pn))
        pn = remove_dot_segments(scratch, pn);
    if (o + pn + 1 > size) {
        free(scratch);
        return kw_error_set(KW_ETOOBIG, "URL longer than %zu bytes", size);
    }
    memcpy(out + o, scratch, pn);
    o += pn;
    if (query) {
        size_t so = 0;
        const char *q = query + 1;
        while (q < end) {
            const char *amp = memchr(q, '&', (size_t)(end - q)), *param = q;
            size_t n = (size_t)((amp ? amp : end) - q), pn2;
            q = amp ? amp + 1 : end;
            if (n == 0 || is_tracking(scratch + so, pn2 = normalise_escapes(scratch + so, param, n)))
                continue;
            if (np == MAX_PARAMS) {
                free(scratch);
                return kw_error_set(KW_ETOOBIG, "'%.100s' has over %d parameters", url,
                                    MAX_PARAMS);
            }
            params[np].p = scratch + so;
            params[np].n = pn2;
            so += pn2;
            np++;
        }
        qsort(params, (size_t)np, sizeof params[0], span_cmp);
        for (int i = 0; i < np; i++) {
            if (o + params[i].n + 2 > size) {
                free(scratch);
                return kw_error_set(KW_ETOOBIG, "URL longer than %zu bytes", size);
            }
            out[o++] = i ? '&' : '?';
            memcpy(out + o, params[i].p, params[i].n);
            o += params[i].n;
        }
    }
    free(scratch);
    out[o] = '\0';
    return 0;
#undef PUT
}

char *kw_url_wire(const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(url);
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    /* the host ends at the first '/', '?' or '#' after "scheme://" */
    const char *rest = strstr(url, "://");
    rest = rest ? rest + 3 + strcspn(rest + 3, "/?#") : url;
    size_t o = (size_t)(rest - url);
    memcpy(out, url, o);
    for (const unsigned char *p = (const unsigned char *)rest; *p; p++) {
        if (*p >= 0x80 || *p <= 0x20 || *p == 0x7F || strchr("\"<>\\^`{|}", *p)) {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
    return out;
}
