/*
 * bench/crawl: a child process serves N pages and feeds (default 10,000: a
 * tenth are RSS feeds of 10 items, the rest article pages) on 127.0.0.1.
 * The parent fetches them six ways in the same run, politeness lifted
 * (no delay, 8 connections): the full crawl into a fresh SQLite database
 * (fetch, charset, extraction, brand queries, scoring, storing with
 * buckets), the same crawl again three times (the steady state of sources
 * re-read on schedule by a server that sends no ETag, through the same
 * pipeline as `kolwatch crawl` keeps between passes: first with every page
 * the same bytes as before, then with every page's bytes changed by a
 * comment while every item is known; then changed again through a fresh
 * pipeline, as `crawl --once` does), the fetcher alone, and a bare libcurl multi
 * loop (run before, between and after the crawls; the median of the three
 * counts); it prints pages/s and client CPU time per page for each, and
 * the ratios to the bare loop.
 * Usage: crawl [N] [DIR|-] [PAGE_KB] [MATCH_PCT] [TEXTS]
 * PAGE_KB (default 0) pads every article page with that many KiB of
 * navigation markup before the article: real pages are 30-150 KiB.
 * MATCH_PCT (default 100) is the share of article pages that name a brand;
 * the others are the same page naming none (most of what a listening
 * service reads mentions none of its brands).
 * TEXTS: "distinct" (default: every article says something else, in words
 * drawn from a vocabulary by its number) or "same" (every article the same
 * text: each new mention an exact copy of the first).
 */
#include "kolwatch/crawl.h"
#include "kolwatch/error.h"
#include "kolwatch/fetch.h"
#include "kolwatch/sentiment.h"
#include "kolwatch/store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PARALLEL 8

static const char page_head[] =
    "<!doctype html><html><head><meta charset=utf-8><title>Lumi review</title>"
    "<meta name='author' content='Dana'><script>window.cfg = {a: '<p>', b: 1};</script>"
    "<style>.nav a { color: #333 }</style></head><body><nav><p>Home</p>";
static const char page_filler[] =
    "<div class='card'><a href='/c/12?utm_source=nav' title='More &amp; more'>Skincare "
    "picks</a> <span class=meta>3 min read &middot; 评论 12</span><img src='/i/1.png' alt=''>"
    "</div>\n";
static const char page_tail[] =
    "</nav><article><h1>Lumi serum, one month in</h1><p>The texture is "
    "lovely and it layers well under makeup. Not a miracle, but a solid everyday serum.</p>"
    "<p>Lumi 精华保湿不错，但是有点黏，价格也有点贵。</p></article></body></html>";
static char *page;  /* head, PAGE_KB of navigation, the article */
static char *other; /* the same page naming no brand */
static size_t prefix_len; /* of page: head and navigation */
static int match_pct = 100; /* article pages that name a brand, in % */
static int distinct = 1;    /* every article a text of its own */

static const char *const vocab[64] = {
    "serum", "texture", "lovely", "sticky", "layers", "makeup", "miracle", "solid",
    "everyday", "bottle", "scent", "greasy", "light", "smooth", "pricey", "cheap",
    "refund", "allergic", "rash", "gentle", "hydrating", "dry", "skin", "face",
    "morning", "night", "week", "month", "again", "never", "always", "great",
    "awful", "fine", "okay", "glow", "dull", "pump", "broken", "leaked",
    "delivery", "late", "fast", "package", "sample", "friend", "sister", "recommend",
    "avoid", "love", "hate", "works", "nothing", "changed", "better", "worse",
    "summer", "winter", "oily", "sensitive", "calm", "red", "itchy", "soft"};

/* Article page i: the navigation of `page`, then a text of its own. */
static char *article(int i, int brand, size_t *len)
{
    size_t cap = prefix_len + 1024;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    memcpy(b, page, prefix_len);
    size_t n = prefix_len;
    const char *name = brand ? "Lumi" : "Nuvo";
    n += (size_t)snprintf(b + n, cap - n, "</nav><article><h1>%s serum, review %d</h1><p>",
                          name, i);
    /* a word in four from the vocabulary, the others made of syllables;
     * then Chinese characters drawn from the common range: texts of their
     * own, as different reviews are (a few runs of words shared) */
    static const char *const syl[32] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo",
                                        "ber", "cal", "dun", "fen", "gor", "hal", "jin", "kes",
                                        "lum", "mar", "nol", "pra", "qua", "ros", "sul", "tam",
                                        "ven", "wil", "xan", "yor", "zed", "bra", "cro", "dri"};
    unsigned x = (unsigned)i * 2654435761u + 12345u;
    for (int w = 0; w < 28; w++) {
        x = x * 1103515245u + 12345u;
        unsigned r = x >> 8;
        if (w)
            b[n++] = ' ';
        if (r % 4 == 0) {
            n += (size_t)snprintf(b + n, cap - n, "%s", vocab[(r >> 2) & 63]);
        } else {
            for (int k = 0; k < 2 + (int)((r >> 2) & 1); k++)
                n += (size_t)snprintf(b + n, cap - n, "%s", syl[(r >> (3 + 5 * k)) & 31]);
        }
    }
    n += (size_t)snprintf(b + n, cap - n, ".</p><p>%s ", name);
    for (int w = 0; w < 24; w++) {
        x = x * 1103515245u + 12345u;
        unsigned cp = 0x4e00 + (x >> 8) % 5000;
        b[n++] = (char)(0xe0 | (cp >> 12));
        b[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[n++] = (char)(0x80 | (cp & 0x3f));
    }
    n += (size_t)snprintf(b + n, cap - n, "。</p></article></body></html>");
    *len = n;
    return b;
}

static char feed[8192];
static volatile sig_atomic_t vary; /* SIGUSR1: every response differs from now on */
static void on_usr1(int sig) { (void)sig, vary = 1; }

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *up,
                             size_t *up_size, void **state)
{
    (void)cls, (void)method, (void)version, (void)up, (void)up_size;
    if (!*state) {
        *state = (void *)1;
        return MHD_YES;
    }
    int is_feed = strncmp(url, "/feed/", 6) == 0, i = is_feed ? 0 : atoi(url + 6);
    const char *body = is_feed ? feed : i % 100 < match_pct ? page : other;
    char *own = NULL;
    size_t own_len = 0;
    if (!is_feed && distinct && !(own = article(i, i % 100 < match_pct, &own_len)))
        return MHD_NO;
    struct MHD_Response *r;
    if (vary) { /* a comment after the document: the same items, other bytes */
        static unsigned long served;
        size_t len = own ? own_len : strlen(body);
        char *b = malloc(len + 64);
        if (!b) {
            free(own);
            return MHD_NO;
        }
        memcpy(b, own ? own : body, len);
        free(own);
        len += (size_t)snprintf(b + len, 64, "<!-- %lu -->",
                                __atomic_add_fetch(&served, 1, __ATOMIC_RELAXED));
        r = MHD_create_response_from_buffer(len, b, MHD_RESPMEM_MUST_FREE);
    } else if (own) {
        r = MHD_create_response_from_buffer(own_len, own, MHD_RESPMEM_MUST_FREE);
    } else {
        r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    }
    MHD_add_response_header(r, "Content-Type", is_feed ? "application/rss+xml; charset=utf-8"
                                                       : "text/html; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double median3(const double *v)
{
    double a = v[0], b = v[1], c = v[2];
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

static long ok_count;
static void done(void *ctx, const kw_fetch_response *r)
{
    (void)ctx;
    if (!r->error && r->status == 200)
        ok_count++;
}

typedef struct crawl_run {
    kw_crawl *pipe; /* borrowed */
    kw_crawl_stats st;
    long failed;
    double pipeline_s; /* wall time in kw_crawl_page: a thread CPU clock costs a system call */
} crawl_run;


static void crawled(void *ctx, const kw_fetch_response *r)
{
    crawl_run *cr = ctx;
    double t0 = mono();
    if (kw_crawl_page(cr->pipe, r->user, r, 0, &cr->st))
        cr->failed++;
    cr->pipeline_s += mono() - t0;
}

/* A fetcher with politeness lifted: no delay, PARALLEL connections. */
static int new_fetcher(kw_fetcher **f)
{
    kw_fetch_options o;
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-bench";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.max_per_host = PARALLEL;
    o.max_parallel = PARALLEL;
    return kw_fetcher_new(f, &o);
}

/* Crawl every source once; CPU and wall seconds. With *pipe NULL through a
 * fresh pipeline (as `crawl --once` does), else through *pipe, its brands
 * reloaded first (as `kolwatch crawl` does on each pass); the pipeline is
 * left in *pipe. */
static int crawl_all(kw_store *s, kw_scorer *sc, kw_source *srcs, int n, kw_crawl **pipe,
                     crawl_run *cr, double *c_out, double *t_out)
{
    kw_fetcher *f;
    if (new_fetcher(&f))
        return 1;
    for (int i = 0; i < n; i++) {
        kw_fetch_request q = {.url = srcs[i].url, .user = &srcs[i]};
        kw_fetcher_add(f, &q);
    }
    double c0 = cpu(), t0 = mono();
    if (*pipe ? kw_crawl_reload(*pipe, NULL, NULL) : kw_crawl_new(pipe, s, sc, NULL)) {
        fprintf(stderr, "crawl: %s\n", kw_error_last());
        kw_fetcher_free(f);
        return 1;
    }
    cr->pipe = *pipe;
    kw_fetcher_run(f, crawled, cr);
    kw_crawl_flush(cr->pipe);
    *t_out = mono() - t0;
    *c_out = cpu() - c0;
    kw_fetcher_free(f);
    return 0;
}

/* As `kolwatch crawl` does on each pass: the sources as stored now, with
 * their health and what their pages said after the last crawl. */
static int reload(kw_store *s, kw_source **srcs, int n)
{
    kw_source *now = NULL;
    size_t n_now = 0;
    if (kw_store_source_list(s, &now, &n_now) || n_now != (size_t)n) {
        fprintf(stderr, "crawl: %s\n", kw_error_last());
        free(now);
        return 1;
    }
    free(*srcs);
    *srcs = now;
    return 0;
}

static void url_of(char *buf, size_t size, int port, int i)
{
    if (i % 10 == 0)
        snprintf(buf, size, "http://127.0.0.1:%d/feed/%d", port, i);
    else
        snprintf(buf, size, "http://127.0.0.1:%d/page/%d", port, i);
}

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
    (void)p, (void)ud;
    return s * n;
}

static long bare(int port, int n)
{
    CURLM *m = curl_multi_init();
    int next = 0, running = 0;
    long ok = 0;
    char url[128];
    while (next < n || running) {
        while (running < PARALLEL && next < n) {
            CURL *e = curl_easy_init();
            url_of(url, sizeof url, port, next++);
            curl_easy_setopt(e, CURLOPT_URL, url);
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
            curl_easy_setopt(e, CURLOPT_PROXY, "");
            curl_multi_add_handle(m, e);
            running++;
        }
        int still;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg == CURLMSG_DONE) {
                long status = 0;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
                ok += msg->data.result == CURLE_OK && status == 200;
                curl_multi_remove_handle(m, msg->easy_handle);
                curl_easy_cleanup(msg->easy_handle);
                running--;
            }
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    curl_multi_cleanup(m);
    return ok;
}

static void bare_run(int port, int n, double *t, double *c, long *ok)
{
    double c0 = cpu(), t0 = mono();
    *ok = bare(port, n);
    *t = mono() - t0;
    *c = cpu() - c0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000, fd[2];
    long page_kb = argc > 3 ? atol(argv[3]) : 0;
    size_t fill = sizeof page_filler - 1, want = page_kb > 0 ? (size_t)page_kb * 1024 : 0;
    if (page_kb < 0 || page_kb > 10240 ||
        !(page = malloc(sizeof page_head + want + fill + sizeof page_tail)))
        return 2;
    size_t pl = sizeof page_head - 1;
    memcpy(page, page_head, pl);
    for (size_t done = 0; done < want; done += fill, pl += fill)
        memcpy(page + pl, page_filler, fill);
    prefix_len = pl;
    memcpy(page + pl, page_tail, sizeof page_tail);
    if (argc > 5 && strcmp(argv[5], "same") != 0 && strcmp(argv[5], "distinct") != 0) {
        fprintf(stderr, "crawl: TEXTS is distinct or same, not '%s'\n", argv[5]);
        return 2;
    }
    distinct = argc <= 5 || strcmp(argv[5], "distinct") == 0;
    if (argc > 4)
        match_pct = atoi(argv[4]);
    if (match_pct < 0 || match_pct > 100 || !(other = strdup(page)))
        return 2;
    for (char *p = other; (p = strstr(p, "Lumi")) != NULL; p += 4)
        memcpy(p, "Nuvo", 4);
    size_t fl = (size_t)snprintf(feed, sizeof feed,
                                 "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                                 "<title>News</title><link>http://news.example.com/</link>");
    for (int i = 0; i < 10; i++)
        fl += (size_t)snprintf(feed + fl, sizeof feed - fl,
                               "<item><title>%s item %d</title><link>/n/%d</link><description>"
                               "%s</description><pubDate>Sat, 04 Oct 2026 08:%02d:00 GMT</pubDate>"
                               "</item>",
                               i % 2 ? "Lumi" : "Weather", i, i,
                               i % 3 ? "Customers demanded refunds after allergic reactions."
                                     : "A calm day, nothing to report.", i);
    snprintf(feed + fl, sizeof feed - fl, "</channel></rss>");
    if (n < 1 || pipe(fd))
        return 2;
    pid_t child = fork();
    if (child == 0) {
        signal(SIGUSR1, on_usr1);
        struct sockaddr_in a = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        struct MHD_Daemon *d = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, serve, NULL,
            MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_END);
        int port = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port : 0;
        if (write(fd[1], &port, sizeof port) != sizeof port)
            _exit(1);
        for (;;)
            pause(); /* SIGUSR1 comes back here; SIGTERM ends it */
        _exit(0);
    }
    int port = 0;
    if (read(fd[0], &port, sizeof port) != sizeof port || port == 0) {
        fprintf(stderr, "fetch: the test server did not start\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);

    kw_fetcher *f;
    char url[128], dir[4096], db[4200];

    /* 1. The full crawl into a fresh SQLite database, then a re-crawl. */
    snprintf(dir, sizeof dir, "%s/kw-bench-crawl.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (argc > 2 && strcmp(argv[2], "-") != 0)
        snprintf(dir, sizeof dir, "%s", argv[2]);
    else if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/crawl.db", dir);
    kw_store *s = NULL;
    kw_store_options so = {.create = 1, .skip_version = 1};
    kw_brand lumi = {.name = "Lumi", .query = "Lumi OR 露米"};
    kw_brand glowa = {.name = "Glowa", .query = "Glowa"};
    int64_t bid;
    kw_scorer *sc = NULL;
    if (kw_store_open(&s, db, &so) || kw_store_migrate(s, NULL) ||
        kw_store_brand_add(s, &lumi, &bid) || kw_store_brand_add(s, &glowa, &bid) ||
        kw_scorer_new(&sc, NULL)) {
        fprintf(stderr, "crawl: setting up: %s\n", kw_error_last());
        return 1;
    }
    kw_source *srcs = calloc((size_t)n, sizeof *srcs);
    double t_add = mono(), c_add = cpu();
    for (int i = 0; i < n; i++) {
        url_of(srcs[i].url, sizeof srcs[i].url, port, i);
        snprintf(srcs[i].kind, sizeof srcs[i].kind, "%s", i % 10 == 0 ? "feed" : "html");
        snprintf(srcs[i].platform, sizeof srcs[i].platform, "%s", i % 10 == 0 ? "news" : "blog");
        snprintf(srcs[i].rules, sizeof srcs[i].rules, "{}");
        srcs[i].every_s = 900;
        srcs[i].enabled = 1;
        if (kw_store_source_add(s, &srcs[i], &srcs[i].id)) {
            fprintf(stderr, "crawl: %s\n", kw_error_last());
            return 1;
        }
    }
    t_add = mono() - t_add, c_add = cpu() - c_add;
    fprintf(stderr, "setup: %d sources added in %.2f s, %.1f us CPU each (each checked "
            "against those of its kind)\n", n, t_add, c_add * 1e6 / n);
    /* The bare loop is cheap and the machine's load moves: it runs before,
     * between and after the crawls, and the median of the three counts. */
    double tb[3], cb[3];
    long ok_bare = 0;
    bare_run(port, n, &tb[0], &cb[0], &ok_bare);
    crawl_run cr = {0}, re = {0}, ch = {0}, cold = {0};
    double c_c, t_c, c_r, t_r, c_h, t_h, c_o, t_o;
    kw_crawl *pipe = NULL, *fresh = NULL;
    if (crawl_all(s, sc, srcs, n, &pipe, &cr, &c_c, &t_c))
        return 1;
    /* 2. The same pages again, as `kolwatch crawl` reads them on its next
     * passes (same pipeline): every item is known (steady state, as when
     * sources are re-read on their schedule and the server sends no ETag),
     * first the same bytes, then every page's bytes changed; then changed
     * again, through a fresh pipeline, as `crawl --once` from cron does. */
    bare_run(port, n, &tb[1], &cb[1], &ok_bare);
    if (reload(s, &srcs, n) || crawl_all(s, sc, srcs, n, &pipe, &re, &c_r, &t_r))
        return 1;
    kill(child, SIGUSR1);
    if (reload(s, &srcs, n) || crawl_all(s, sc, srcs, n, &pipe, &ch, &c_h, &t_h))
        return 1;
    if (reload(s, &srcs, n) || crawl_all(s, sc, srcs, n, &fresh, &cold, &c_o, &t_o))
        return 1;
    kw_crawl_free(pipe);
    kw_crawl_free(fresh);
    kw_scorer_free(sc);
    int64_t mentions = 0;
    kw_store_mention_count(s, 0, &mentions);
    kw_store_free(s);
    free(srcs);

    if (new_fetcher(&f))
        return 1;
    for (int i = 0; i < n; i++) {
        url_of(url, sizeof url, port, i);
        kw_fetch_request q = {.url = url};
        kw_fetcher_add(f, &q);
    }
    double c0 = cpu(), t0 = mono();
    kw_fetcher_run(f, done, NULL);
    double t_f = mono() - t0, c_f = cpu() - c0;
    kw_fetcher_free(f);

    bare_run(port, n, &tb[2], &cb[2], &ok_bare);
    double t_b = median3(tb), c_b = median3(cb);

    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    printf("pages and feeds: %d, article pages of about %zu bytes, %d%% naming a brand, %s "
           "texts (crawled %ld, %ld items, %ld matched, %lld mentions stored, "
           "%ld errors; fetcher ok %ld; bare ok %ld), %d connections\n",
           n, strlen(page), match_pct, distinct ? "distinct" : "the same", cr.st.pages, cr.st.items, cr.st.matched, (long long)mentions,
           cr.st.errors + cr.failed, ok_count, ok_bare, PARALLEL);
    printf("full crawl             : %8.0f pages/s, %7.1f us client CPU per page (%.1f us of it spent in the "
           "page pipeline: extraction, queries, scoring, storing)\n",
           n / t_c, 1e6 * c_c / n, 1e6 * cr.pipeline_s / n);
    printf("re-crawl, same bytes   : %8.0f pages/s, %7.1f us client CPU per page (%.1f us spent in "
           "the page pipeline; %ld of %ld pages not read again, %ld new mentions)\n",
           n / t_r, 1e6 * c_r / n, 1e6 * re.pipeline_s / n, re.st.unchanged, re.st.pages,
           re.st.added);
    printf("re-crawl, changed bytes: %8.0f pages/s, %7.1f us client CPU per page (%.1f us spent in "
           "the page pipeline; %ld of %ld pages read, %ld new mentions: every item known)\n",
           n / t_h, 1e6 * c_h / n, 1e6 * ch.pipeline_s / n, ch.st.pages - ch.st.unchanged,
           ch.st.pages, ch.st.added);
    printf("re-crawl, changed, cold: %8.0f pages/s, %7.1f us client CPU per page (%.1f us spent in "
           "the page pipeline; the same through a fresh pipeline, as `crawl --once` does)\n",
           n / t_o, 1e6 * c_o / n, 1e6 * cold.pipeline_s / n);
    printf("fetcher                : %8.0f pages/s, %7.1f us client CPU per page\n", n / t_f, 1e6 * c_f / n);
    printf("bare multi             : %8.0f pages/s, %7.1f us client CPU per page\n", n / t_b, 1e6 * c_b / n);
    printf("ratio CPU per page, full crawl / bare:             %.2f\n", c_c / c_b);
    printf("ratio CPU per page, re-crawl same bytes / bare:    %.2f\n", c_r / c_b);
    printf("ratio CPU per page, re-crawl changed bytes / bare: %.2f\n", c_h / c_b);
    printf("ratio CPU per page, re-crawl changed, cold / bare: %.2f\n", c_o / c_b);
    printf("ratio CPU per page, fetcher / bare:                %.2f\n", c_f / c_b);
    if (argc <= 2 || strcmp(argv[2], "-") == 0) {
        char p[4300];
        snprintf(p, sizeof p, "%s-wal", db);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", db);
        unlink(p);
        unlink(db);
        rmdir(dir);
    }
    return 0;
}
