/*
 * URL canonicalisation for de-duplication. Works on bytes; it never decodes
 * percent-escapes, so two spellings of one path stay two URLs rather than
 * risking two different pages becoming one.
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
    size_t klen = strcspn(p, "=&");
    if (klen > n)
        klen = n;
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
/* Path and query bytes, with spaces and controls percent-encoded as a
 * browser sends them, so that the canonical form is stable. */
#define PUT_ENCODED(s, n)                                                      \
    do {                                                                       \
        for (size_t k_ = 0; k_ < (size_t)(n); k_++) {                          \
            unsigned char ch_ = (unsigned char)(s)[k_];                        \
            if (ch_ <= ' ' || ch_ == 0x7f) {                                   \
                char esc_[4];                                                  \
                snprintf(esc_, sizeof esc_, "%%%02X", ch_);                    \
                PUT(esc_, 3);                                                  \
            } else {                                                           \
                PUT((const char *)&(s)[k_], 1);                                \
            }                                                                  \
        }                                                                      \
    } while (0)
    path = host_end;
    query = memchr(path, '?', (size_t)(end - path));
    const char *path_end = query ? query : end;
    if (path_end == path)
        PUT("/", 1);
    else
        PUT_ENCODED(path, (size_t)(path_end - path));
    if (query) {
        /* Encode each kept parameter first, then sort the encoded forms:
         * sorting raw bytes would order them differently the second time. */
        size_t qlen = (size_t)(end - query), so = 0;
        char *scratch = malloc(qlen * 3 + 1);
        if (!scratch)
            return kw_error_set(KW_ENOMEM, "out of memory");
        const char *q = query + 1;
        while (q < end) {
            const char *amp = memchr(q, '&', (size_t)(end - q));
            size_t n = (size_t)((amp ? amp : end) - q);
            if (n > 0 && !is_tracking(q, n)) {
                if (np == MAX_PARAMS) {
                    free(scratch);
                    return kw_error_set(KW_ETOOBIG, "'%.100s' has over %d parameters", url,
                                        MAX_PARAMS);
                }
                params[np].p = scratch + so;
                for (size_t k = 0; k < n; k++) {
                    unsigned char ch = (unsigned char)q[k];
                    if (ch <= ' ' || ch == 0x7f)
                        so += (size_t)snprintf(scratch + so, 4, "%%%02X", ch);
                    else
                        scratch[so++] = (char)ch;
                }
                params[np].n = (size_t)(scratch + so - params[np].p);
                np++;
            }
            q = amp ? amp + 1 : end;
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
        free(scratch);
    }
    out[o] = '\0';
    return 0;
#undef PUT_ENCODED
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
