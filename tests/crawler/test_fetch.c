/*
 * The polite fetcher against real HTTP servers on 127.0.0.1 and 127.0.0.2
 * (libmicrohttpd in this process): conditional GET, Retry-After, redirect
 * loops, time-outs, body and decompression caps, refusal of private
 * addresses (also behind a redirect), per-host limits and delays.
 */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/fetch.h"
#include "kolwatch/timeutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    char ip[16];
    pthread_mutex_t lock;
    int hits, active, max_active;
    double arrivals[64];
    int narrivals;
    char user_agent[256];
    char accept_encoding[64];
    char *bomb; /* gzip of many zeros */
    size_t bomb_len;
    struct server *other; /* where /to-other redirects */
} server;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body, size_t len,
                             const char *const *headers)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    for (int i = 0; headers && headers[i]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

#define CODED_TEXT_UNITS 2000
static const char coded_unit[] = "Lumi serum review. ";

/* CODED_TEXT_UNITS of coded_unit compressed: bits 31 gzip, 15 zlib, -15
 * raw deflate; malloc'd */
static char *coded(int bits, size_t *len)
{
    size_t n = CODED_TEXT_UNITS * (sizeof coded_unit - 1), cap = n + 1024;
    char *text = malloc(n), *out = malloc(cap);
    for (size_t i = 0; i < CODED_TEXT_UNITS; i++)
        memcpy(text + i * (sizeof coded_unit - 1), coded_unit, sizeof coded_unit - 1);
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *len = cap - z.avail_out;
    deflateEnd(&z);
    free(text);
    return out;
}

/* /coded/KIND: the text as gzip, gzip cut in half, two gzip members, zlib
 * or raw deflate, bytes that are no gzip, or a coding not asked for */
static enum MHD_Result coded_reply(struct MHD_Connection *c, const char *kind)
{
    size_t n = 0, m = 0;
    int bits = strcmp(kind, "zlib") == 0 ? 15 : strcmp(kind, "raw") == 0 ? -15 : 31;
    char *b = coded(bits, &n);
    const char *enc = bits == 31 ? "gzip" : "deflate";
    if (strcmp(kind, "gzip-cut") == 0) {
        n /= 2;
    } else if (strcmp(kind, "gzip-two") == 0) {
        char *second = coded(31, &m), *both = malloc(n + m);
        memcpy(both, b, n);
        memcpy(both + n, second, m);
        free(b), free(second);
        b = both, n += m;
    } else if (strcmp(kind, "not-gzip") == 0) {
        snprintf(b, n, "plain text, not gzip at all");
        n = strlen(b);
    } else if (strcmp(kind, "br") == 0) {
        enc = "br";
    }
    const char *h[] = {"Content-Encoding", enc, NULL};
    enum MHD_Result ret = reply(c, 200, b, n, h);
    free(b);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **state)
{
    server *s = cls;
    (void)method, (void)version, (void)upload, (void)upload_size;
    if (!*state) { /* first call: headers only */
        *state = s;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    s->hits++;
    if (++s->active > s->max_active)
        s->max_active = s->active;
    if (s->narrivals < 64)
        s->arrivals[s->narrivals++] = mono();
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    snprintf(s->user_agent, sizeof s->user_agent, "%s", ua ? ua : "");
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    snprintf(s->accept_encoding, sizeof s->accept_encoding, "%s", ae ? ae : "");
    pthread_mutex_unlock(&s->lock);

    enum MHD_Result ret;
    char loc[128], date[64];
    if (strcmp(url, "/etag") == 0) {
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
        const char *h[] = {"ETag", "\"v1\"", "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT",
                           "Content-Type", "text/plain; charset=utf-8", NULL};
        if (inm && strcmp(inm, "\"v1\"") == 0)
            ret = reply(c, 304, "", 0, h);
        else
            ret = reply(c, 200, "hello", 5, h);
    } else if (strcmp(url, "/always304") == 0) {
        ret = reply(c, 304, "", 0, NULL);
    } else if (strcmp(url, "/429") == 0) {
        const char *h[] = {"Retry-After", "120", NULL};
        ret = reply(c, 429, "slow down", 9, h);
    } else if (strcmp(url, "/503") == 0) {
        time_t t = time(NULL) + 300;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        const char *h[] = {"Retry-After", date, NULL};
        ret = reply(c, 503, "down", 4, h);
    } else if (strcmp(url, "/loop") == 0) {
        const char *h[] = {"Location", "/loop", NULL};
        ret = reply(c, 302, "", 0, h);
    } else if (strcmp(url, "/to-other") == 0 && s->other) {
        snprintf(loc, sizeof loc, "http://%s:%d/etag", s->other->ip, s->other->port);
        const char *h[] = {"Location", loc, NULL};
        ret = reply(c, 302, "", 0, h);
    } else if (strncmp(url, "/slow-hop/", 10) == 0) { /* a slow redirect to hop n - 1 */
        int n = atoi(url + 10);
        usleep(250 * 1000);
        snprintf(loc, sizeof loc, "/slow-hop/%d", n - 1);
        const char *h[] = {"Location", loc, NULL};
        ret = n > 0 ? reply(c, 302, "", 0, h) : reply(c, 200, "late", 4, NULL);
    } else if (strcmp(url, "/slow") == 0) {
        usleep(400 * 1000);
        ret = reply(c, 200, "late", 4, NULL);
    } else if (strcmp(url, "/big") == 0) {
        size_t n = 2 * 1024 * 1024;
        char *b = malloc(n);
        memset(b, 'x', n);
        ret = reply(c, 200, b, n, NULL);
        free(b);
    } else if (strncmp(url, "/coded/", 7) == 0) {
        ret = coded_reply(c, url + 7);
    } else if (strcmp(url, "/bomb") == 0) {
        const char *h[] = {"Content-Encoding", "gzip", NULL};
        ret = reply(c, 200, s->bomb, s->bomb_len, h);
    } else {
        ret = reply(c, 404, "no", 2, NULL);
    }
    pthread_mutex_lock(&s->lock);
    s->active--;
    pthread_mutex_unlock(&s->lock);
    return ret;
}

/* gzip of n zero bytes */
static char *gzip_zeros(size_t n, size_t *out_len)
{
    z_stream z = {0};
    size_t cap = n / 500 + 4096;
    char *out = malloc(cap), *zeros = calloc(1, 1 << 20);
    deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    for (size_t done = 0; done < n; done += 1 << 20) {
        z.next_in = (Bytef *)zeros;
        z.avail_in = 1 << 20;
        deflate(&z, done + (1 << 20) >= n ? Z_FINISH : Z_NO_FLUSH);
    }
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    free(zeros);
    return out;
}

static void server_start(server *s, const char *ip)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    snprintf(s->ip, sizeof s->ip, "%s", ip);
    inet_pton(AF_INET, ip, &a.sin_addr);
    s->bomb = gzip_zeros((size_t)64 << 20, &s->bomb_len);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
    if (!s->d)
        fail_msg("cannot start a test HTTP server on %s", ip);
    s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void server_stop(server *s)
{
    MHD_stop_daemon(s->d);
    free(s->bomb);
    pthread_mutex_destroy(&s->lock);
}

typedef struct got {
    int n;
    kw_fetch_response r[16];
    char body[16][64];
    char text[16][256];
    char etag[16][64];
    char url[16][128], final[16][128];
} got;

static void collect(void *ctx, const kw_fetch_response *r)
{
    got *g = ctx;
    if (g->n >= 16)
        return;
    g->r[g->n] = *r;
    snprintf(g->body[g->n], sizeof g->body[0], "%.*s", (int)(r->body_len < 63 ? r->body_len : 63), r->body);
    snprintf(g->text[g->n], sizeof g->text[0], "%s", r->error_text);
    snprintf(g->etag[g->n], sizeof g->etag[0], "%s", r->etag ? r->etag : "");
    g->r[g->n].body = g->body[g->n];
    g->r[g->n].error_text = g->text[g->n];
    g->r[g->n].etag = g->etag[g->n];
    snprintf(g->url[g->n], sizeof g->url[0], "%s", r->url);
    snprintf(g->final[g->n], sizeof g->final[0], "%s", r->final_url);
    g->r[g->n].url = g->r[g->n].final_url = g->r[g->n].content_type = g->r[g->n].last_modified = NULL;
    g->n++;
}

static kw_fetcher *fetcher(int allow_private, int64_t delay_ms)
{
    kw_fetch_options o;
    kw_fetcher *f = NULL;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test/1.0 (+https://kolwatch.example/bot)";
    o.allow_private = allow_private;
    o.min_delay_ms = delay_ms;
    o.max_body = 1024 * 1024;
    o.timeout_ms = 5000;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    return f;
}

static void get(kw_fetcher *f, server *s, const char *path, const char *etag, got *g)
{
    char url[128];
    snprintf(url, sizeof url, "http://%s:%d%s", s->ip, s->port, path);
    kw_fetch_request q = {.url = url, .etag = etag};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, g), 0);
}

static void etag__a_second_fetch_is_a_304_without_a_body(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 0);
    get(f, s, "/etag", NULL, &g);
    assert_int_equal(g.r[0].error, 0);
    assert_int_equal(g.r[0].status, 200);
    assert_string_equal(g.body[0], "hello");
    assert_string_equal(g.etag[0], "\"v1\"");
    assert_string_equal(s->user_agent, "kolwatch-test/1.0 (+https://kolwatch.example/bot)");
    get(f, s, "/etag", g.etag[0], &g);
    assert_int_equal(g.r[1].status, 304);
    assert_true(g.r[1].not_modified);
    assert_int_equal(g.r[1].body_len, 0);
    /* a 304 to a question not asked is an error, not a page unchanged */
    get(f, s, "/always304", NULL, &g);
    assert_int_equal(g.r[2].error, KW_EIO);
    assert_false(g.r[2].not_modified);
    assert_non_null(strstr(g.text[2], "not conditional"));
    kw_fetcher_free(f);
}

static void retry_after__seconds_and_http_date(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 0);
    get(f, s, "/429", NULL, &g);
    get(f, s, "/503", NULL, &g);
    assert_int_equal(g.r[0].status, 429);
    assert_int_equal(g.r[0].retry_after, 120);
    assert_int_equal(g.r[1].status, 503);
    assert_true(g.r[1].retry_after >= 290 && g.r[1].retry_after <= 300);
    kw_fetcher_free(f);
}

static void redirect_loop__stops_after_five(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 0);
    int before = s->hits;
    get(f, s, "/loop", NULL, &g);
    assert_int_equal(g.r[0].error, KW_EIO);
    assert_non_null(strstr(g.text[0], "redirects"));
    assert_int_equal(s->hits - before, 6); /* the first request and five redirects */
    kw_fetcher_free(f);
}

typedef struct asked {
    int n;
    char from[8][128], to[8][128];
    int refuse; /* refuse the hop whose number this is (1-based), 0: none */
} asked;

static int redirect_hook(void *ctx, const char *from, const char *to, char *why, size_t size)
{
    asked *a = ctx;
    if (a->n < 8) {
        snprintf(a->from[a->n], sizeof a->from[0], "%s", from);
        snprintf(a->to[a->n], sizeof a->to[0], "%s", to);
    }
    if (++a->n == a->refuse) {
        snprintf(why, size, "no thanks: %s", to);
        return -1;
    }
    return 0;
}

/* Every hop of a redirect is put to the hook before it is requested, and
 * waits for its host's delay like any request; the response names the URL
 * asked for and the one that answered. */
static void redirects__each_hop_is_asked_and_waits_its_turn(void **state)
{
    server *s = *state, other;
    got g = {0};
    asked a = {0};
    server_start(&other, "127.0.0.1");
    s->other = &other;
    kw_fetcher *f = fetcher(1, 300);
    kw_fetcher_on_redirect(f, redirect_hook, &a);
    int before = other.hits;
    get(f, s, "/to-other", NULL, &g);
    assert_int_equal(a.n, 1);
    assert_non_null(strstr(a.from[0], "/to-other"));
    assert_non_null(strstr(a.to[0], "/etag"));
    assert_int_equal(g.r[0].error, 0);
    assert_int_equal(g.r[0].status, 200);
    assert_string_equal(g.body[0], "hello");
    assert_non_null(strstr(g.url[0], "/to-other"));
    assert_non_null(strstr(g.final[0], "/etag"));
    assert_int_equal(other.hits - before, 1);
    /* refused: the target is never asked */
    a.n = 0, a.refuse = 1;
    get(f, s, "/to-other", NULL, &g);
    assert_int_equal(g.r[1].error, KW_EINVAL);
    assert_non_null(strstr(g.text[1], "no thanks"));
    assert_int_equal(other.hits - before, 1);
    /* a loop: five hops asked, each after the host's delay */
    a.n = 0, a.refuse = 0;
    int first = s->narrivals;
    get(f, s, "/loop", NULL, &g);
    assert_int_equal(a.n, 5);
    assert_non_null(strstr(g.text[2], "more than 5 redirects"));
    assert_int_equal(s->narrivals - first, 6);
    for (int i = first + 1; i < s->narrivals; i++)
        assert_true(s->arrivals[i] - s->arrivals[i - 1] >= 0.29);
    kw_fetcher_free(f);
    s->other = NULL;
    server_stop(&other);
}

static volatile sig_atomic_t stop_flag;

static void stop_after_first(void *ctx, const kw_fetch_response *r)
{
    collect(ctx, r);
    stop_flag = 1;
}

/* Once the stop flag is up, nothing more is started or reported. */
static void stop_when__abandons_what_waits(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 2000);
    char url[128];
    snprintf(url, sizeof url, "http://%s:%d/etag", s->ip, s->port);
    for (int i = 0; i < 3; i++) {
        kw_fetch_request q = {.url = url};
        assert_int_equal(kw_fetcher_add(f, &q), 0);
    }
    stop_flag = 0;
    kw_fetcher_stop_when(f, &stop_flag);
    int before = s->hits;
    double t0 = mono();
    assert_int_equal(kw_fetcher_run(f, stop_after_first, &g), 0);
    assert_true(mono() - t0 < 1.5); /* not after the next request's 2 s delay */
    assert_int_equal(g.n, 1);
    assert_int_equal(s->hits - before, 1);
    kw_fetcher_free(f);
}

static void slow_server__times_out(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetch_options o;
    kw_fetcher *f = NULL;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.timeout_ms = 150;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    get(f, s, "/slow", NULL, &g);
    assert_int_equal(g.r[0].error, KW_EIO);
    assert_non_null(strstr(g.text[0], "timed out"));
    kw_fetcher_free(f);
}

static void timeout__bounds_the_whole_fetch_with_its_redirects(void **state)
{
    server *s = *state;
    got g = {0}, one = {0};
    kw_fetch_options o;
    kw_fetcher *f = NULL;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.timeout_ms = 700;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    /* one slow hop (250 ms) is well within the time-out ... */
    get(f, s, "/slow-hop/1", NULL, &one);
    assert_int_equal(one.r[0].error, 0);
    assert_int_equal(one.r[0].status, 200);
    /* ... five of them, each within it, are not */
    double t0 = mono();
    get(f, s, "/slow-hop/4", NULL, &g);
    assert_int_equal(g.r[0].error, KW_EIO);
    assert_non_null(strstr(g.text[0], "timed out"));
    assert_true(mono() - t0 < 1.2);
    kw_fetcher_free(f);
}

static void content_encoding__decoded_and_a_cut_stream_refused(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 0);
    size_t whole = CODED_TEXT_UNITS * (sizeof coded_unit - 1);
    static const char *const good[] = {"/coded/gzip", "/coded/zlib", "/coded/raw"};
    for (int i = 0; i < 3; i++) {
        get(f, s, good[i], NULL, &g);
        assert_int_equal(g.r[i].error, 0);
        assert_int_equal(g.r[i].body_len, whole);
        assert_int_equal(strncmp(g.body[i], "Lumi serum review. Lumi", 23), 0);
    }
    assert_string_equal(s->accept_encoding, "gzip, deflate");
    get(f, s, "/coded/gzip-two", NULL, &g); /* [3] */
    assert_int_equal(g.r[3].error, 0);
    assert_int_equal(g.r[3].body_len, 2 * whole);
    /* a gzip stream the server cut short, in a whole HTTP message */
    get(f, s, "/coded/gzip-cut", NULL, &g); /* [4] */
    assert_int_equal(g.r[4].error, KW_EIO);
    assert_non_null(strstr(g.text[4], "the gzip body ends before its compressed stream does"));
    get(f, s, "/coded/not-gzip", NULL, &g); /* [5] */
    assert_int_equal(g.r[5].error, KW_EIO);
    assert_non_null(strstr(g.text[5], "not valid gzip data"));
    get(f, s, "/coded/br", NULL, &g); /* [6] */
    assert_int_equal(g.r[6].error, KW_EIO);
    assert_non_null(strstr(g.text[6], "Content-Encoding 'br', which was not asked for"));
    kw_fetcher_free(f);
}

/* A server on 127.0.0.1 that answers one connection with `answer`, as
 * it is, and closes it. */
typedef struct raw_server {
    int fd, port;
    const char *answer;
    pthread_t t;
    char req[4096]; /* what the connection sent first */
    int delay_ms;   /* before answering */
} raw_server;

static void *raw_serve(void *arg)
{
    raw_server *rs = arg;
    int c = accept(rs->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    ssize_t got = read(c, rs->req, sizeof rs->req - 1);
    rs->req[got > 0 ? got : 0] = '\0';
    if (rs->delay_ms)
        usleep((useconds_t)rs->delay_ms * 1000);
    for (size_t done = 0, n = strlen(rs->answer); done < n;) {
        ssize_t w = write(c, rs->answer + done, n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(c);
    return NULL;
}

static void raw_start(raw_server *rs, const char *answer, int delay_ms)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    rs->answer = answer;
    rs->delay_ms = delay_ms;
    rs->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(rs->fd >= 0);
    assert_int_equal(bind(rs->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(rs->fd, 1), 0);
    getsockname(rs->fd, (struct sockaddr *)&a, &len);
    rs->port = ntohs(a.sin_port);
    pthread_create(&rs->t, NULL, raw_serve, rs);
}

static void a_header_line_too_long_is_named_not_out_of_memory(void **state)
{
    (void)state;
    size_t n = 200 * 1024;
    char *answer = malloc(n + 256);
    int k = snprintf(answer, 256, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(answer + k, 'a', n);
    snprintf(answer + k + n, 128, "\r\nContent-Length: 2\r\n\r\nok");
    raw_server rs;
    raw_start(&rs, answer, 0);
    kw_fetcher *f = fetcher(1, 0);
    got g = {0};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", rs.port);
    kw_fetch_request q = {.url = url};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(g.r[0].error, KW_EIO);
    assert_non_null(strstr(g.text[0], "a header line longer than libcurl takes"));
    kw_fetcher_free(f);
    pthread_join(rs.t, NULL);
    close(rs.fd);
    free(answer);
}

/* A Chinese search URL (a typical brand-listening source) goes out as
 * browsers send it, percent-encoded as UTF-8, query and all; the response
 * still names the URL as it was given. */
static void urls_go_out_percent_encoded_where_they_must(void **state)
{
    (void)state;
    raw_server rs;
    raw_start(&rs, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0);
    kw_fetcher *f = fetcher(1, 0);
    got g = {0};
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/\xe6\x90\x9c?q=\xe9\x9c\xb2&t=a b", rs.port);
    kw_fetch_request q = {.url = url};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    pthread_join(rs.t, NULL);
    close(rs.fd);
    assert_int_equal(g.r[0].error, 0);
    assert_int_equal(strncmp(rs.req, "GET /%E6%90%9C?q=%E9%9C%B2&t=a%20b HTTP/1.1\r\n", 45), 0);
    assert_string_equal(g.url[0], url);
    kw_fetcher_free(f);
}

/* A hook that waits for a robots.txt it asked for in the same fetcher. */
typedef struct waiting {
    kw_fetcher *f;
    raw_server *robots;
    int asked, ready, always_wait;
    double ready_at;
    int order[4], norder; /* 1: robots.txt came, 2: another page did */
} waiting;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void robots_came(void *ctx, const kw_fetch_response *r)
{
    waiting *w = ctx;
    (void)r;
    w->ready = 1;
    w->ready_at = now_s();
    if (w->norder < 4)
        w->order[w->norder++] = 1;
}

static int wait_for_robots(void *ctx, const char *from, const char *to, char *why, size_t size)
{
    waiting *w = ctx;
    (void)from, (void)to, (void)why, (void)size;
    if (w->asked++ == 0 && !w->always_wait) {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/robots.txt", w->robots->port);
        kw_fetch_request q = {.url = url, .done = robots_came, .done_ctx = w};
        assert_int_equal(kw_fetcher_add(w->f, &q), 0);
    }
    return w->ready ? 0 : KW_REDIRECT_WAIT;
}

static void collect_in_order(void *ctx, const kw_fetch_response *r)
{
    waiting *w = ((void **)ctx)[1];
    if (w->norder < 4 && strstr(r->url, "/slow"))
        w->order[w->norder++] = 2;
    collect(((void **)ctx)[0], r);
}

/* A hop whose target's robots.txt must be read first waits for it, and
 * the other transfers go on meanwhile (the crawl stood still while a slow
 * robots.txt came, and healthy pages timed out); a hop waiting past the
 * time-out ends as timed out. */
static void redirects__a_hop_waits_for_what_the_hook_asked_others_go_on(void **state)
{
    server *s = *state, other;
    raw_server rs = {0};
    server_start(&other, "127.0.0.1");
    s->other = &other;
    raw_start(&rs, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1200);
    kw_fetcher *f = fetcher(1, 0);
    waiting w = {.f = f, .robots = &rs};
    kw_fetcher_on_redirect(f, wait_for_robots, &w);
    got g = {0};
    void *both[2] = {&g, &w};
    char a[128], b[128];
    snprintf(a, sizeof a, "http://%s:%d/to-other", s->ip, s->port);
    snprintf(b, sizeof b, "http://%s:%d/slow", s->ip, s->port);
    kw_fetch_request qa = {.url = a}, qb = {.url = b};
    assert_int_equal(kw_fetcher_add(f, &qa), 0);
    assert_int_equal(kw_fetcher_add(f, &qb), 0);
    double t0 = now_s();
    assert_int_equal(kw_fetcher_run(f, collect_in_order, both), 0);
    pthread_join(rs.t, NULL);
    close(rs.fd);
    assert_int_equal(g.n, 2); /* the robots.txt went to its own callback */
    assert_true(w.asked >= 2);
    assert_int_equal(w.order[0], 2); /* the slow page came while the hop waited */
    assert_int_equal(w.order[1], 1);
    assert_true(w.ready_at - t0 >= 1.0);
    int k = strstr(g.url[0], "/to-other") ? 0 : 1;
    assert_int_equal(g.r[k].error, 0);
    assert_string_equal(g.body[k], "hello");
    kw_fetcher_free(f);

    /* never answered: the hop ends with the time-out */
    kw_fetch_options o;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.timeout_ms = 800;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    waiting never = {.f = f, .always_wait = 1};
    kw_fetcher_on_redirect(f, wait_for_robots, &never);
    got g2 = {0};
    get(f, s, "/to-other", NULL, &g2);
    assert_int_equal(g2.r[0].error, KW_EIO);
    assert_non_null(strstr(g2.text[0], "timed out waiting"));
    /* ended as a hop refused at once ends: at the page that redirected */
    assert_non_null(strstr(g2.final[0], "/to-other"));
    assert_int_equal(g2.r[0].status, 302);
    kw_fetcher_free(f);
    s->other = NULL;
    server_stop(&other);
}

static void caps__a_big_body_and_a_gzip_bomb_are_too_big(void **state)
{
    server *s = *state;
    got g = {0};
    kw_fetcher *f = fetcher(1, 0);
    get(f, s, "/big", NULL, &g);
    get(f, s, "/bomb", NULL, &g);
    assert_int_equal(g.r[0].error, KW_ETOOBIG);
    assert_int_equal(g.r[1].error, KW_ETOOBIG);
    assert_non_null(strstr(g.text[1], "larger than"));
    /* a request for the first bytes only (a robots.txt) is cut there, no
     * error, whatever the body's length and the cap */
    char url[128];
    snprintf(url, sizeof url, "http://%s:%d/big", s->ip, s->port);
    kw_fetch_request q = {.url = url, .keep_first = 1000};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(g.r[2].error, 0);
    assert_int_equal(g.r[2].status, 200);
    assert_int_equal(g.r[2].body_len, 1000);
    assert_int_equal(g.body[2][0], 'x');
    /* past the body cap (1 MiB here), at the cap */
    kw_fetch_request q2 = {.url = url, .keep_first = 4u << 20};
    assert_int_equal(kw_fetcher_add(f, &q2), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(g.r[3].error, 0);
    assert_int_equal(g.r[3].body_len, 1024 * 1024);
    kw_fetcher_free(f);
}

/* Fetch every URL of the NULL-ended list: each is refused before connecting. */
static void all_refused(kw_fetcher *f, const char *const *urls, got *g)
{
    int from = g->n;
    for (int i = 0; urls[i]; i++) {
        kw_fetch_request q = {.url = urls[i]};
        assert_int_equal(kw_fetcher_add(f, &q), 0);
    }
    assert_int_equal(kw_fetcher_run(f, collect, g), 0);
    for (int i = from; i < g->n; i++) {
        assert_int_equal(g->r[i].error, KW_EINVAL);
        assert_non_null(strstr(g->text[i], "refused to connect to"));
    }
}

static void private_addresses__are_refused_before_connecting(void **state)
{
    server *s = *state;
    got g = {0};
    char url[128];
    kw_fetcher *f = fetcher(0, 0);
    int before = s->hits;
    get(f, s, "/etag", NULL, &g);
    snprintf(url, sizeof url, "http://localhost:%d/etag", s->port);
    kw_fetch_request q = {.url = url};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(g.r[i].error, KW_EINVAL);
        assert_non_null(strstr(g.text[i], "refused"));
    }
    assert_int_equal(s->hits, before); /* nothing reached the server */
    /* loopback inside IPv6 addresses: compatible, NAT64, 6to4, site-local */
    static const char *const v6[] = {"http://[::127.0.0.1]:9/", "http://[64:ff9b::7f00:1]:9/",
                                     "http://[2002:7f00:1::1]:9/", "http://[fec0::1]:9/",
                                     "http://[::ffff:127.0.0.1]:9/", NULL};
    all_refused(f, v6, &g);
    /* blocks reserved for special purposes, which a machine may use for
     * itself (a documentation net on its own interface) */
    static const char *const special[] = {
        "http://192.0.2.2:9/",    "http://198.51.100.7:9/",        "http://203.0.113.9:9/",
        "http://192.0.0.8:9/",    "http://198.19.255.1:9/",        "http://[2001:db8::1]:9/",
        "http://[100::1]:9/",     "http://[::ffff:0:127.0.0.1]:9/", NULL};
    all_refused(f, special, &g);
    assert_int_equal(g.n, 15);
    kw_fetcher_free(f);
}

static void private_addresses__are_refused_behind_a_redirect(void **state)
{
    server *s = *state, pub;
    got g = {0};
    kw_fetch_options o;
    kw_fetcher *f = NULL;
    server_start(&pub, "127.0.0.2");
    pub.other = s;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.public_address = "127.0.0.2"; /* stands in for a public host */
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    int before = s->hits;
    get(f, &pub, "/to-other", NULL, &g);
    assert_int_equal(pub.hits, 1);     /* the "public" first hop was fetched */
    assert_int_equal(s->hits, before); /* the redirect to 127.0.0.1 was not */
    assert_int_equal(g.r[0].error, KW_EINVAL);
    assert_non_null(strstr(g.text[0], "127.0.0.1"));
    kw_fetcher_free(f);
    server_stop(&pub);
}

static void politeness__per_host_connections_and_delay(void **state)
{
    server *s = *state;
    got g = {0};
    char url[128];
    kw_fetch_options o;
    kw_fetcher *f = NULL;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.max_per_host = 2;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    /* A request an earlier test gave up on may still be in the server. */
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&s->lock);
        int busy = s->active;
        pthread_mutex_unlock(&s->lock);
        if (!busy)
            break;
        usleep(10 * 1000);
    }
    s->max_active = 0;
    snprintf(url, sizeof url, "http://%s:%d/slow", s->ip, s->port);
    for (int i = 0; i < 5; i++) {
        kw_fetch_request q = {.url = url};
        assert_int_equal(kw_fetcher_add(f, &q), 0);
    }
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(g.n, 5);
    assert_int_equal(s->max_active, 2);
    kw_fetcher_free(f);

    /* One connection and 150 ms between request starts. */
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.min_delay_ms = 150;
    o.max_per_host = 1;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    s->narrivals = 0;
    snprintf(url, sizeof url, "http://%s:%d/etag", s->ip, s->port);
    for (int i = 0; i < 4; i++) {
        kw_fetch_request q = {.url = url};
        assert_int_equal(kw_fetcher_add(f, &q), 0);
    }
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(s->narrivals, 4);
    for (int i = 1; i < 4; i++)
        assert_true(s->arrivals[i] - s->arrivals[i - 1] >= 0.14);
    kw_fetcher_free(f);

    /* A host's own longer delay (robots.txt Crawl-delay) wins over none,
     * however the host's name is written. */
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-test";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.max_per_host = 1;
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    char lower[128], upper[128];
    snprintf(lower, sizeof lower, "http://localhost:%d/", s->port);
    snprintf(upper, sizeof upper, "http://LocalHost:%d/etag", s->port);
    assert_int_equal(kw_fetcher_host_delay(f, lower, 150), 0);
    s->narrivals = 0;
    for (int i = 0; i < 3; i++) {
        kw_fetch_request q = {.url = upper};
        assert_int_equal(kw_fetcher_add(f, &q), 0);
    }
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(s->narrivals, 3);
    for (int i = 1; i < 3; i++)
        assert_true(s->arrivals[i] - s->arrivals[i - 1] >= 0.14);
    kw_fetcher_free(f);

    /* A delay learnt after a first request (robots.txt, then its
     * Crawl-delay) counts from that request: the next one waits for it. */
    assert_int_equal(kw_fetcher_new(&f, &o), 0);
    s->narrivals = 0;
    kw_fetch_request q = {.url = url};
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(kw_fetcher_host_delay(f, url, 300), 0);
    assert_int_equal(kw_fetcher_add(f, &q), 0);
    assert_int_equal(kw_fetcher_run(f, collect, &g), 0);
    assert_int_equal(s->narrivals, 2);
    assert_true(s->arrivals[1] - s->arrivals[0] >= 0.29);
    kw_fetcher_free(f);
}

static void requests__must_be_http_or_https(void **state)
{
    (void)state;
    kw_fetcher *f = fetcher(1, 0);
    kw_fetch_request q = {.url = "ftp://example.com/file"};
    assert_int_equal(kw_fetcher_add(f, &q), KW_EINVAL);
    q.url = "not a url";
    assert_int_equal(kw_fetcher_add(f, &q), KW_EINVAL);
    kw_fetcher_free(f);
    kw_fetch_options o;
    kw_fetch_options_init(&o);
    assert_int_equal(kw_fetcher_new(&f, &o), KW_EINVAL); /* no user agent */
}

static void http_dates__the_three_forms_name_one_instant(void **state)
{
    (void)state;
    int64_t a, b, c, r;
    assert_int_equal(kw_http_date_parse(&a, "Sun, 06 Nov 1994 08:49:37 GMT"), 0);
    assert_int_equal(kw_http_date_parse(&b, "Sunday, 06-Nov-94 08:49:37 GMT"), 0);
    assert_int_equal(kw_http_date_parse(&c, "Sun Nov  6 08:49:37 1994"), 0);
    assert_int_equal(a, b);
    assert_int_equal(a, c);
    assert_int_equal(a, 784111777);
    assert_int_equal(kw_http_date_parse(&a, "06 Nov 1994"), KW_EINVAL);
    assert_int_equal(kw_http_date_parse(&a, "Sun, 06 Nov 1994 08:49:37 PST"), KW_EINVAL);
    /* days the month does not have */
    assert_int_equal(kw_http_date_parse(&a, "Tue, 31 Feb 2026 08:00:00 GMT"), KW_EINVAL);
    assert_int_equal(kw_http_date_parse(&a, "Sun, 29 Feb 2026 08:00:00 GMT"), KW_EINVAL);
    assert_int_equal(kw_http_date_parse(&a, "Sat, 31 Jun 2026 08:00:00 GMT"), KW_EINVAL);
    assert_int_equal(kw_http_date_parse(&a, "Thu, 29 Feb 2024 08:00:00 GMT"), 0);
    assert_int_equal(kw_retry_after_parse(&r, "30", 1000), 0);
    assert_int_equal(r, 30);
    assert_int_equal(kw_retry_after_parse(&r, "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 60), 0);
    assert_int_equal(r, 60);
    assert_int_equal(kw_retry_after_parse(&r, "Sun, 06 Nov 1994 08:49:37 GMT", 2000000000), 0);
    assert_int_equal(r, 0);
    assert_int_equal(kw_retry_after_parse(&r, "soon", 0), KW_EINVAL);
    /* more digits than any wait: the longest, which callers cap */
    assert_int_equal(kw_retry_after_parse(&r, "999999999999", 0), 0);
    assert_true(r >= 100000000);
}

static int setup(void **state)
{
    static server s;
    server_start(&s, "127.0.0.1");
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    server_stop(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etag__a_second_fetch_is_a_304_without_a_body),
        cmocka_unit_test(retry_after__seconds_and_http_date),
        cmocka_unit_test(redirect_loop__stops_after_five),
        cmocka_unit_test(redirects__each_hop_is_asked_and_waits_its_turn),
        cmocka_unit_test(redirects__a_hop_waits_for_what_the_hook_asked_others_go_on),
        cmocka_unit_test(stop_when__abandons_what_waits),
        cmocka_unit_test(slow_server__times_out),
        cmocka_unit_test(timeout__bounds_the_whole_fetch_with_its_redirects),
        cmocka_unit_test(caps__a_big_body_and_a_gzip_bomb_are_too_big),
        cmocka_unit_test(content_encoding__decoded_and_a_cut_stream_refused),
        cmocka_unit_test(a_header_line_too_long_is_named_not_out_of_memory),
        cmocka_unit_test(urls_go_out_percent_encoded_where_they_must),
        cmocka_unit_test(private_addresses__are_refused_before_connecting),
        cmocka_unit_test(private_addresses__are_refused_behind_a_redirect),
        cmocka_unit_test(politeness__per_host_connections_and_delay),
        cmocka_unit_test(requests__must_be_http_or_https),
        cmocka_unit_test(http_dates__the_three_forms_name_one_instant),
    };
    return cmocka_run_group_tests_name("fetch", tests, setup, teardown);
}
