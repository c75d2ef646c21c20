/*
 * The polite HTTP client. One libcurl multi handle drives every transfer;
 * a small scheduler starts a queued request only when its host has a free
 * connection slot and its delay has passed. It never buffers more than the
 * body cap, never follows a redirect to a non-HTTP scheme, and never
 * connects to a private address unless allowed.
 */
#include "kolwatch/fetch.h"
#include "coding.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct job;

typedef struct host {
    char key[300]; /* scheme://host:port */
    int active;
    double next_start;
    double last_start;       /* of its latest request, 0 before the first */
    double delay;            /* seconds between starts; < 0: the configured one */
    struct job *head, *tail; /* requests waiting for this host */
} host;

typedef struct job {
    struct kw_fetcher *f;
    char *url, *etag, *last_modified;
    char *wire;   /* url as sent (kw_url_wire) */
    char *origin; /* the URL first requested, when this is a redirect's hop */
    char *from;   /* a hop the redirect hook said to wait for: the URL that
                     redirected (it is asked again before the hop starts) */
    long from_status; /* and the status it redirected with */
    double held_at; /* since when it waits */
    kw_fetch_done own_done; /* the request's own callback, or NULL */
    int follow_freely;      /* its redirects skip the hook */
    void *own_ctx;
    int hops;     /* redirects followed to get here */
    double first_started;
    double spent; /* seconds the hops before this one took: the time-out is for them all */
    void *user;
    char hostkey[300];
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    size_t len, cap;
    int too_big;
    int disallowed; /* the redirect hook said not to fetch its target */
    size_t keep_first; /* the request's: the body is cut there */
    int cut;           /* it was */
    coding cod;            /* the response's Content-Encoding, decoded here */
    char coding_err[256]; /* why its body could not be decoded */
    char ctype[256], r_etag[256], r_lm[128], retry[128];
    char refused[256];
    char errbuf[CURL_ERROR_SIZE];
    double started;
    struct job *next;
    struct job *live_next; /* among the transfers under way */
} job;

struct kw_fetcher {
    kw_fetch_options o;
    char *user_agent, *public_address;
    CURLM *multi;
    host *hosts;
    size_t nhosts, caphosts;
    size_t pending; /* queued, not started */
    int running;
    uint64_t rng;
    kw_fetch_redirect_fn on_redirect;
    void *redirect_ctx;
    int halt; /* kw_fetcher_stop: end the run under way */
    void (*on_tick)(void *ctx); /* called at least four times a second while running */
    void *tick_ctx;
    const volatile sig_atomic_t *stop;
    job *live; /* transfers under way */
    job *held; /* hops waiting for the redirect hook's answer (in pending) */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double jitter(kw_fetcher *f)
{
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return (double)(f->rng % 1000) / 1000.0;
}

void kw_fetch_options_init(kw_fetch_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_per_host = 2;
    o->min_delay_ms = 1000;
    o->max_parallel = 32;
    o->max_body = 10 * 1024 * 1024;
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 60000;
    o->max_redirects = 5;
}

/* ---- Addresses ---------------------------------------------------------- */

static int v4_private(uint32_t a)
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xA9FE ||
           (a >> 20) == 0xAC1 || (a >> 16) == 0xC0A8 || (a >> 22) == (100u << 2 | 1) ||
           (a >> 28) >= 0xE || /* 100.64/10, 224/4 multicast, 240/4 and broadcast */
           /* IANA's special-purpose blocks no Internet host has: 192.0.0/24,
            * the documentation nets (a machine may use one for itself) and
            * 198.18/15 for benchmarks */
           (a >> 8) == 0xC00000 || (a >> 8) == 0xC00002 || (a >> 8) == 0xC63364 ||
           (a >> 8) == 0xCB0071 || (a >> 17) == (0xC612u >> 1);
}

/* 1 for loopback, private, link-local, multicast and unspecified addresses. */
static int is_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_private(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6) {
        const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        int zero = 1;
        for (int i = 0; i < 15; i++)
            zero &= b[i] == 0;
        if (zero) /* :: and ::1 */
            return 1;
        /* IPv4 inside IPv6: mapped (::ffff:a.b.c.d), translated
         * (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64's well-known
         * prefix (64:ff9b::a.b.c.d) and 6to4 (2002:ab:cd::) */
        static const unsigned char compat[12] = {0}, nat64[12] = {0, 0x64, 0xff, 0x9b},
                                   translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
        uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        if (!memcmp(b, mapped, 12) || !memcmp(b, compat, 12) || !memcmp(b, nat64, 12) ||
            !memcmp(b, translated, 12))
            return v4_private(v4);
        static const unsigned char doc[4] = {0x20, 0x01, 0x0d, 0xb8}, discard[8] = {0x01, 0};
        if (!memcmp(b, doc, 4) || !memcmp(b, discard, 8))
            return 1; /* 2001:db8::/32 documentation, 100::/64 discard */
        if (b[0] == 0x20 && b[1] == 0x02)
            return v4_private((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
                              (uint32_t)b[4] << 8 | b[5]);
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
            return 1; /* 64:ff9b:1::/48, NAT64 for local use */
        /* unique local fc00::/7, link-local fe80::/10, site-local fec0::/10,
         * multicast ff00::/8 */
        return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0x80) == 0x80) || b[0] == 0xff;
    }
    return 1; /* anything else is no Internet address */
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
    const void *a = sa->sa_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)size))
        snprintf(buf, size, "?");
}

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    job *j = clientp;
    char text[INET6_ADDRSTRLEN];
    (void)purpose;
    addr_text(&addr->addr, text, sizeof text);
    if (!j->f->o.allow_private && is_private(&addr->addr) &&
        !(j->f->public_address && strcmp(text, j->f->public_address) == 0)) {
        snprintf(j->refused, sizeof j->refused,
                 "refused to connect to %s: a loopback, private, link-local, multicast or "
                 "reserved address (set crawler.allow_private to allow)", text);
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

/* ---- Callbacks ------------------------------------------------------------ */

/* Decoded body bytes, kept up to the cap: 0, or nonzero to stop. */
static int keep_body(void *ud, const char *p, size_t k)
{
    job *j = ud;
    if (j->keep_first) { /* cut where wanted, or at the body cap: no error */
        size_t cap = j->keep_first < (size_t)j->f->o.max_body ? j->keep_first
                                                               : (size_t)j->f->o.max_body;
        if (j->len + k >= cap) {
            k = cap - j->len; /* the rest is not wanted */
            j->cut = 1;
        }
    } else if ((int64_t)(j->len + k) > j->f->o.max_body) {
        j->too_big = 1;
        return 1;
    }
    if (j->len + k + 1 > j->cap) {
        size_t nc = j->cap ? j->cap : 16384;
        while (nc < j->len + k + 1)
            nc *= 2;
        if ((int64_t)nc > j->f->o.max_body + 1)
            nc = (size_t)j->f->o.max_body + 1;
        char *nb = realloc(j->body, nc);
        if (!nb)
            return 1;
        j->body = nb;
        j->cap = nc;
    }
    memcpy(j->body + j->len, p, k);
    j->len += k;
    j->body[j->len] = '\0';
    return j->cut; /* stops the transfer once the part wanted is had */
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    job *j = ud;
    size_t k = size * n;
    return coding_feed(&j->cod, (const unsigned char *)p, k, keep_body, j, j->coding_err,
                       sizeof j->coding_err)
               ? 0
               : k;
}

static void header_value(const char *line, size_t n, size_t name_len, char *out, size_t size)
{
    const char *v = line + name_len;
    const char *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    snprintf(out, size, "%.*s", (int)(e - v), v);
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    job *j = ud;
    size_t k = size * n;
    static const struct {
        const char *name;
        size_t off, size;
    } keep[] = {
        {"content-type:", offsetof(job, ctype), sizeof((job *)0)->ctype},
        {"etag:", offsetof(job, r_etag), sizeof((job *)0)->r_etag},
        {"last-modified:", offsetof(job, r_lm), sizeof((job *)0)->r_lm},
        {"retry-after:", offsetof(job, retry), sizeof((job *)0)->retry},
    };
    if (k >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response (after a redirect or a 100): forget the last. */
        j->ctype[0] = j->r_etag[0] = j->r_lm[0] = j->retry[0] = '\0';
        coding_from_header(&j->cod, NULL);
        return k;
    }
    if (k > 17 && strncasecmp(line, "content-encoding:", 17) == 0) {
        char v[128];
        header_value(line, k, 17, v, sizeof v);
        coding_from_header(&j->cod, v);
        return k;
    }
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        size_t nl = strlen(keep[i].name);
        if (k > nl && strncasecmp(line, keep[i].name, nl) == 0)
            header_value(line, k, nl, (char *)j + keep[i].off, keep[i].size);
    }
    return k;
}

/* ---- Queue and hosts ------------------------------------------------------- */

static void job_free(job *j)
{
    if (!j)
        return;
    if (j->easy)
        curl_easy_cleanup(j->easy);
    coding_end(&j->cod);
    curl_slist_free_all(j->headers);
    free(j->url);
    free(j->wire);
    free(j->from);
    free(j->origin);
    free(j->etag);
    free(j->last_modified);
    free(j->body);
    free(j);
}

static int host_key(const char *url, char *out, size_t size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *hostname = NULL, *port = NULL;
    int rc = 0;
    if (!u)
        return kw_error_set(KW_ENOMEM, "out of memory");
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK && uc != CURLUE_BAD_SCHEME && uc != CURLUE_UNSUPPORTED_SCHEME &&
        uc != CURLUE_NO_HOST)
        rc = kw_error_set(KW_EINVAL, "'%.200s' is not a URL that can be fetched: %s", url,
                          curl_url_strerror(uc)); /* "Port number was not a decimal ..." */
    else if (uc != CURLUE_OK || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_HOST, &hostname, 0) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
             (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
        rc = kw_error_set(KW_EINVAL, "'%.200s' is not an http:// or https:// URL with a host",
                          url);
    else {
        /* one host however its name is written (LocalHost, localhost) */
        for (char *c = scheme; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        for (char *c = hostname; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        snprintf(out, size, "%s://%s:%s", scheme, hostname, port);
    }
    curl_free(scheme);
    curl_free(hostname);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

static host *host_get(kw_fetcher *f, const char *key)
{
    for (size_t i = 0; i < f->nhosts; i++)
        if (strcmp(f->hosts[i].key, key) == 0)
            return &f->hosts[i];
    if (f->nhosts == f->caphosts) {
        size_t nc = f->caphosts ? f->caphosts * 2 : 16;
        host *nh = realloc(f->hosts, nc * sizeof *nh);
        if (!nh)
            return NULL;
        f->hosts = nh;
        f->caphosts = nc;
    }
    host *h = &f->hosts[f->nhosts++];
    memset(h, 0, sizeof *h);
    h->delay = -1;
    snprintf(h->key, sizeof h->key, "%s", key);
    return h;
}

int kw_fetcher_new(kw_fetcher **out, const kw_fetch_options *o)
{
    kw_fetcher *f;
    if (!o || !o->user_agent || !*o->user_agent)
        return kw_error_set(KW_EINVAL, "the fetcher needs a user agent");
    if (o->max_per_host < 1 || o->max_parallel < 1 || o->max_body < 1 || o->min_delay_ms < 0 ||
        o->max_redirects < 0)
        return kw_error_set(KW_EINVAL, "fetch limits must be positive");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!(f = calloc(1, sizeof *f)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    f->o = *o;
    f->user_agent = strdup(o->user_agent);
    f->public_address = o->public_address ? strdup(o->public_address) : NULL;
    f->multi = curl_multi_init();
    f->rng = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15u;
    if (!f->user_agent || !f->multi || (o->public_address && !f->public_address)) {
        kw_fetcher_free(f);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->max_parallel);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->max_per_host);
    *out = f;
    return 0;
}

void kw_fetcher_free(kw_fetcher *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nhosts; i++)
        for (job *j = f->hosts[i].head, *next; j; j = next) {
            next = j->next;
            job_free(j);
        }
    for (job *j = f->held, *next; j; j = next) {
        next = j->next;
        job_free(j);
    }
    for (job *j = f->live, *next; j; j = next) { /* a run that ended on an error */
        next = j->live_next;
        curl_multi_remove_handle(f->multi, j->easy);
        job_free(j);
    }
    if (f->multi)
        curl_multi_cleanup(f->multi);
    free(f->hosts);
    free(f->user_agent);
    free(f->public_address);
    free(f);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int kw_fetcher_add(kw_fetcher *f, const kw_fetch_request *req)
{
    job *j;
    int rc;
    if (!req || !req->url)
        return kw_error_set(KW_EINVAL, "a request needs a URL");
    if (!(j = calloc(1, sizeof *j)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    j->f = f;
    j->user = req->user;
    j->keep_first = req->keep_first;
    j->own_done = req->done;
    j->own_ctx = req->done_ctx;
    j->follow_freely = req->follow_freely;
    if (!(j->wire = kw_url_wire(req->url))) {
        free(j);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    if ((rc = host_key(j->wire, j->hostkey, sizeof j->hostkey))) {
        free(j->wire);
        free(j);
        return rc;
    }
    j->url = strdup(req->url);
    j->etag = dup_or_null(req->etag);
    j->last_modified = dup_or_null(req->last_modified);
    if (!j->url || (req->etag && !j->etag) || (req->last_modified && !j->last_modified)) {
        job_free(j);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    host *h = host_get(f, j->hostkey);
    if (!h) {
        job_free(j);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    if (h->tail)
        h->tail->next = j;
    else
        h->head = j;
    h->tail = j;
    f->pending++;
    return 0;
}

int kw_fetcher_host_delay(kw_fetcher *f, const char *url, int64_t delay_ms)
{
    char key[300], *wire = kw_url_wire(url);
    int rc = wire ? host_key(wire, key, sizeof key) : kw_error_set(KW_ENOMEM, "out of memory");
    free(wire);
    if (rc)
        return rc;
    host *h = host_get(f, key);
    if (!h)
        return kw_error_set(KW_ENOMEM, "out of memory");
    h->delay = delay_ms > 0 ? (double)delay_ms / 1000.0 : -1;
    /* counted from the host's latest request (its robots.txt, say), not
     * only from the next one on */
    if (h->delay > 0 && h->last_start > 0 && h->last_start + h->delay > h->next_start)
        h->next_start = h->last_start + h->delay;
    return 0;
}

static int start(kw_fetcher *f, job *j)
{
    char line[600];
    CURL *e = curl_easy_init();
    if (!e)
        return kw_error_set(KW_ENOMEM, "out of memory");
    j->easy = e;
    if (j->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", j->etag);
        j->headers = curl_slist_append(j->headers, line);
    }
    if (j->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", j->last_modified);
        j->headers = curl_slist_append(j->headers, line);
    }
    curl_easy_setopt(e, CURLOPT_URL, j->wire);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* followed here, hop by hop */
    /* asked for, and decoded here (coding.h) */
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, CODING_ACCEPTED);
    curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    if (!j->keep_first) /* else the body is cut where wanted, however long */
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->o.max_body);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)f->o.connect_timeout_ms);
    /* crawler.timeout bounds the whole fetch, its redirects included */
    double left_ms = (double)f->o.timeout_ms - j->spent * 1000.0;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left_ms < 1 ? 1L : (long)left_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never through a proxy from the environment */
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK)
        return kw_error_set(KW_EIO, "libcurl refused a transfer");
    j->started = mono();
    if (!j->hops)
        j->first_started = j->started;
    return 0;
}

/* If j ended in a redirect to follow: its next hop queued first on its
 * host (which waits for its turn there, as any request does) and 1; -1
 * with *err and why set when it may not be followed; 0 when j ended
 * otherwise. */
static int follow(kw_fetcher *f, job *j, CURLcode code, int *err, char *why, size_t size)
{
    long status = 0;
    char *to = NULL, key[300];
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    if ((code != CURLE_OK && !j->cut) || j->refused[0] || j->too_big ||
        !(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) ||
        curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &to) != CURLE_OK || !to)
        return 0;
    *err = KW_EINVAL;
    if (j->hops >= f->o.max_redirects) {
        *err = KW_EIO;
        snprintf(why, size, "more than %d redirects", f->o.max_redirects);
        return -1;
    }
    char *to_wire = kw_url_wire(to);
    int bad = !to_wire || host_key(to_wire, key, sizeof key);
    free(to_wire);
    if (bad) {
        snprintf(why, size, "redirected to %.300s, not an http:// or https:// URL", to);
        return -1;
    }
    int hook = f->on_redirect && !j->follow_freely
                   ? f->on_redirect(f->redirect_ctx, j->url, to, why, size)
                   : 0;
    if (hook && hook != KW_REDIRECT_WAIT) {
        j->disallowed = hook == 1;
        return -1;
    }
    job *n = calloc(1, sizeof *n);
    if (n) {
        n->f = f;
        n->user = j->user;
        n->own_done = j->own_done;
        n->own_ctx = j->own_ctx;
        n->follow_freely = j->follow_freely;
        n->keep_first = j->keep_first;
        n->hops = j->hops + 1;
        n->first_started = j->first_started;
        n->spent = j->spent + (mono() - j->started);
        snprintf(n->hostkey, sizeof n->hostkey, "%s", key);
        n->url = strdup(to);
        n->wire = kw_url_wire(to);
        n->origin = strdup(j->origin ? j->origin : j->url);
        n->etag = dup_or_null(j->etag);
        n->last_modified = dup_or_null(j->last_modified);
    }
    host *h = n && n->url && n->wire && n->origin && (!j->etag || n->etag) &&
                      (!j->last_modified || n->last_modified)
                  ? host_get(f, key)
                  : NULL;
    if (h && hook == KW_REDIRECT_WAIT && !(n->from = strdup(j->url)))
        h = NULL;
    if (h)
        n->from_status = status;
    if (!h) {
        job_free(n);
        *err = KW_EIO;
        snprintf(why, size, "out of memory");
        return -1;
    }
    f->pending++;
    if (hook == KW_REDIRECT_WAIT) { /* asked again before it starts */
        n->held_at = mono();
        n->next = f->held;
        f->held = n;
        return 1;
    }
    n->next = h->head; /* a source under way goes on before new ones */
    h->head = n;
    if (!h->tail)
        h->tail = n;
    return 1;
}

/* Hand r to j's own callback, or to the run's. */
static void deliver(const job *j, kw_fetch_response *r, kw_fetch_done done, void *ctx)
{
    r->seconds = mono() - j->first_started;
    if (j->own_done)
        j->own_done(j->own_ctx, r);
    else
        done(ctx, r);
}

/* A request that ends before it started (it could not start; a held hop
 * the hook refused or that waited past its time-out). A held hop ends as
 * one refused at once does: at the page that redirected, with its status. */
static void end_unstarted(job *j, int err, const char *why, int disallowed, kw_fetch_done done,
                          void *ctx)
{
    kw_fetch_response r = {.url = j->origin ? j->origin : j->url,
                           .final_url = j->from ? j->from : j->url,
                           .status = j->from ? (int)j->from_status : 0,
                           .user = j->user, .error = err, .error_text = why,
                           .disallowed = disallowed, .retry_after = -1, .body = ""};
    deliver(j, &r, done, ctx);
}

/* Ask the hook again about the hops it said to wait for: followed (queued
 * first on their host), refused, or waiting on, up to the time-out. */
static void ask_held(kw_fetcher *f, kw_fetch_done done, void *ctx)
{
    job *keep = NULL;
    while (f->held) {
        job *j = f->held;
        f->held = j->next;
        j->next = NULL;
        char why[512] = "";
        int hook = f->on_redirect ? f->on_redirect(f->redirect_ctx, j->from, j->url, why,
                                                   sizeof why)
                                  : 0;
        host *h = hook == 0 ? host_get(f, j->hostkey) : NULL;
        if (hook == KW_REDIRECT_WAIT &&
            (mono() - j->first_started) * 1000.0 < (double)f->o.timeout_ms) {
            j->next = keep;
            keep = j;
            continue;
        }
        if (h) {
            j->spent += mono() - j->held_at; /* the wait counts in the time-out */
            free(j->from); /* followed: from here on a hop as any other */
            j->from = NULL;
            j->next = h->head;
            h->head = j;
            if (!h->tail)
                h->tail = j;
            continue;
        }
        if (hook == 0)
            snprintf(why, sizeof why, "out of memory");
        else if (hook == KW_REDIRECT_WAIT)
            snprintf(why, sizeof why, "timed out waiting to learn whether %.300s may be fetched "
                                      "(its robots.txt)", j->url);
        f->pending--;
        end_unstarted(j, hook == KW_REDIRECT_WAIT ? KW_EIO : KW_EINVAL, why, hook == 1, done, ctx);
        job_free(j);
    }
    f->held = keep;
}

static void finish(kw_fetcher *f, job *j, CURLcode code, int err, const char *why,
                   kw_fetch_done done, void *ctx)
{
    kw_fetch_response r = {0};
    char text[512] = "";
    long status = 0;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    r.url = j->origin ? j->origin : j->url;
    r.final_url = j->url;
    r.user = j->user;
    r.status = (int)status;
    r.retry_after = -1;
    if (err) {
        r.error = err;
        snprintf(text, sizeof text, "%s", why);
    } else if (j->refused[0]) {
        r.error = KW_EINVAL;
        r.refused = 1;
        snprintf(text, sizeof text, "%s", j->refused);
    } else if (j->cut) {
        /* the first bytes, as asked: no error */
    } else if (j->coding_err[0]) {
        r.error = KW_EIO;
        snprintf(text, sizeof text, "%s", j->coding_err);
    } else if (code == CURLE_OK && !coding_whole(&j->cod)) {
        r.error = KW_EIO;
        snprintf(text, sizeof text, "the %s body ends before its compressed stream does: the "
                                    "server cut it short", j->cod.name);
    } else if (j->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        r.error = KW_ETOOBIG;
        snprintf(text, sizeof text, "the body is larger than %lld bytes (crawler.max_body)",
                 (long long)f->o.max_body);
    } else if (code == CURLE_OUT_OF_MEMORY && !j->errbuf[0]) {
        /* what libcurl answers to a header line over its 100 KiB limit */
        r.error = KW_EIO;
        snprintf(text, sizeof text, "the response could not be read: a header line longer than "
                                    "libcurl takes (100 KiB), or out of memory");
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        r.error = KW_EIO;
        snprintf(text, sizeof text, "more than %d redirects", f->o.max_redirects);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        r.error = KW_EIO;
        snprintf(text, sizeof text, "timed out (%s)", j->errbuf[0] ? j->errbuf : "no answer");
    } else if (code != CURLE_OK) {
        r.error = code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT ? KW_EINVAL
                                                                                   : KW_EIO;
        snprintf(text, sizeof text, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(code));
    }
    if (!r.error && status == 304 && !j->etag && !j->last_modified) {
        /* "as before" to a request that named no before: nothing was read */
        r.error = KW_EIO;
        snprintf(text, sizeof text, "answered 304 Not Modified to a request that was not "
                                    "conditional (no If-None-Match or If-Modified-Since sent)");
    }
    r.error_text = text;
    r.disallowed = r.error && j->disallowed;
    if (!r.error) {
        r.not_modified = status == 304;
        r.body = j->body ? j->body : "";
        r.body_len = j->len;
    } else {
        r.body = "";
    }
    r.content_type = j->ctype[0] ? j->ctype : NULL;
    r.etag = j->r_etag[0] ? j->r_etag : NULL;
    r.last_modified = j->r_lm[0] ? j->r_lm : NULL;
    if (j->retry[0] && kw_retry_after_parse(&r.retry_after, j->retry, kw_time_now()))
        r.retry_after = -1;
    deliver(j, &r, done, ctx);
}

void kw_fetcher_on_redirect(kw_fetcher *f, kw_fetch_redirect_fn fn, void *ctx)
{
    f->on_redirect = fn;
    f->redirect_ctx = ctx;
}

void kw_fetcher_stop_when(kw_fetcher *f, const volatile sig_atomic_t *flag) { f->stop = flag; }

void kw_fetcher_stop(kw_fetcher *f) { f->halt = 1; }

void kw_fetcher_on_tick(kw_fetcher *f, void (*fn)(void *ctx), void *ctx)
{
    f->on_tick = fn;
    f->tick_ctx = ctx;
}

/* Drop what is queued and under way: a stop was asked for. */
static void abandon(kw_fetcher *f)
{
    for (size_t i = 0; i < f->nhosts; i++) {
        for (job *j = f->hosts[i].head, *next; j; j = next) {
            next = j->next;
            job_free(j);
        }
        f->hosts[i].head = f->hosts[i].tail = NULL;
        f->hosts[i].active = 0;
    }
    while (f->live) {
        job *j = f->live;
        f->live = j->live_next;
        curl_multi_remove_handle(f->multi, j->easy);
        job_free(j);
    }
    while (f->held) {
        job *j = f->held;
        f->held = j->next;
        job_free(j);
    }
    f->pending = 0;
    f->running = 0;
}

static void live_remove(kw_fetcher *f, job *j)
{
    for (job **p = &f->live; *p; p = &(*p)->live_next)
        if (*p == j) {
            *p = j->live_next;
            return;
        }
}

int kw_fetcher_run(kw_fetcher *f, kw_fetch_done done, void *ctx)
{
    double delay = (double)f->o.min_delay_ms / 1000.0;
    while (f->pending || f->running) {
        if (f->on_tick && !f->halt)
            f->on_tick(f->tick_ctx);
        if ((f->stop && *f->stop) || f->halt) {
            abandon(f);
            break;
        }
        if (f->held)
            ask_held(f, done, ctx);
        double now = mono(), wake = now + 0.25;
        /* Start what may start: each host while it has a free slot and its
         * delay has passed. */
        for (size_t i = 0; i < f->nhosts && f->running < f->o.max_parallel; i++) {
            host *h = &f->hosts[i];
            while (h->head && h->active < f->o.max_per_host && now >= h->next_start &&
                   f->running < f->o.max_parallel && !f->halt) {
                job *j = h->head;
                h->head = j->next;
                if (!h->head)
                    h->tail = NULL;
                j->next = NULL;
                f->pending--;
                if (start(f, j)) {
                    end_unstarted(j, KW_EIO, kw_error_last(), 0, done, ctx);
                    job_free(j);
                    h = &f->hosts[i]; /* the callback may have added hosts */
                    continue;
                }
                j->live_next = f->live;
                f->live = j;
                h->active++;
                double d = h->delay > delay ? h->delay : delay;
                h->next_start = now + d * (1.0 + 0.5 * jitter(f));
                h->last_start = now;
                f->running++;
            }
            if (h->head && h->active < f->o.max_per_host && h->next_start < wake)
                wake = h->next_start;
        }
        int still = 0;
        if (curl_multi_perform(f->multi, &still) != CURLM_OK) {
            f->halt = 0;
            return kw_error_set(KW_EIO, "libcurl failed");
        }
        CURLMsg *msg;
        int left, completed = 0;
        while ((msg = curl_multi_info_read(f->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            job *j = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            CURLcode code = msg->data.result;
            curl_multi_remove_handle(f->multi, msg->easy_handle);
            live_remove(f, j);
            char why[512];
            int err = 0, hop = follow(f, j, code, &err, why, sizeof why);
            if (hop <= 0)
                finish(f, j, code, hop < 0 ? err : 0, why, done, ctx);
            host *h = host_get(f, j->hostkey);
            if (h)
                h->active--;
            f->running--;
            completed++;
            job_free(j);
        }
        if (completed)
            continue; /* slots were freed: start what waits before waiting */
        if (f->running > 0) {
            int ms = (int)((wake - mono()) * 1000);
            curl_multi_poll(f->multi, NULL, 0, ms < 1 ? 1 : ms > 250 ? 250 : ms, NULL);
        } else if (f->pending) {
            double wait = wake - mono();
            if (wait > 0) {
                struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    f->halt = 0;
    return 0;
}

/* ---- HTTP dates ------------------------------------------------------------ */

static int month_of(const char *m)
{
    static const char *names = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncmp(m, names + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

static int num(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

static int hms(const char **p, int *h, int *m, int *s)
{
    if (num(p, 2, h) || *(*p)++ != ':' || num(p, 2, m) || *(*p)++ != ':' || num(p, 2, s))
        return -1;
    return *h > 23 || *m > 59 || *s > 60 ? -1 : 0;
}

int kw_http_date_parse(int64_t *out, const char *t)
{
    const char *p = t, *comma;
    int d, mo, y, h, mi, s;
    if (!t)
        return kw_error_set(KW_EINVAL, "no date");
    comma = strchr(t, ',');
    if (comma && comma - t == 3) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        p = comma + 1;
        if (*p++ != ' ' || num(&p, 2, &d) || *p++ != ' ' || !(mo = month_of(p)))
            goto bad;
        p += 3;
        if (*p++ != ' ' || num(&p, 4, &y) || *p++ != ' ' || hms(&p, &h, &mi, &s) ||
            strcmp(p, " GMT") != 0)
            goto bad;
    } else if (comma) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        p = comma + 1;
        if (*p++ != ' ' || num(&p, 2, &d) || *p++ != '-' || !(mo = month_of(p)))
            goto bad;
        p += 3;
        if (*p++ != '-' || num(&p, 2, &y) || *p++ != ' ' || hms(&p, &h, &mi, &s) ||
            strcmp(p, " GMT") != 0)
            goto bad;
        y += y < 70 ? 2000 : 1900;
    } else {
        /* asctime: Sun Nov  6 08:49:37 1994 */
        if (strlen(t) != 24 || t[3] != ' ' || !(mo = month_of(t + 4)) || t[7] != ' ')
            goto bad;
        p = t + 8;
        if (*p == ' ')
            p++, d = 0;
        if (num(&p, *p && p[1] == ' ' ? 1 : 2, &d) || *p++ != ' ' || hms(&p, &h, &mi, &s) ||
            *p++ != ' ' || num(&p, 4, &y) || *p)
            goto bad;
    }
    /* a day the month has: 31 Feb is no date */
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        goto bad;
    *out = kw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
bad:
    return kw_error_set(KW_EINVAL, "'%.64s' is not an HTTP date", t);
}

int kw_retry_after_parse(int64_t *out, const char *v, int64_t now)
{
    const char *p = v;
    int64_t n = 0;
    if (!v || !*v)
        return kw_error_set(KW_EINVAL, "empty Retry-After");
    for (; isdigit((unsigned char)*p); p++) /* a huge number is as good as 10^8 */
        if (n < 100000000)
            n = n * 10 + (*p - '0');
    if (p != v && *p == '\0') {
        *out = n;
        return 0;
    }
    int64_t t;
    if (kw_http_date_parse(&t, v))
        return kw_error_set(KW_EINVAL, "Retry-After '%.64s' is neither seconds nor a date", v);
    *out = t > now ? t - now : 0;
    return 0;
}
