/*
 * `kolwatch crawl --once` against a real HTTP server on 127.0.0.1: items of
 * a feed and a page become mentions of the brands whose queries they
 * match, scored, with their buckets; a second crawl is a conditional GET;
 * robots.txt, HTTP errors and the backoff show in the source's health.
 * Runs on SQLite and PostgreSQL.
 */
#include "testsupport.h"

#include "kolwatch/timeutil.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const kwt_route site[] = {
    {"/robots.txt", "text/plain", "User-agent: kolwatch\nDisallow: /private\n", 200, NULL},
    {"/feed.xml", "application/rss+xml; charset=utf-8",
     "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title><link>/</link>"
     "<item><title>Lumi recalls face cream after allergy complaints</title><link>/a/1?utm_source=rss</link>"
     "<description>Customers demanded refunds.</description>"
     "<pubDate>Sat, 04 Oct 2026 08:00:00 GMT</pubDate></item>"
     "<item><title>露米 新品很好用，推荐</title><link>/a/2</link></item>"
     "<item><title>Weather today</title><link>/a/3</link><description>Sunny.</description></item>"
     "<item><title>Lumi and Glowa compared</title><link>/a/4</link><description>Both fine.</description></item>"
     "</channel></rss>", 200, "\"f1\""},
    {"/post", "text/html",
     "<html><head><title>Glowa review</title><meta name='author' content='Ann'></head><body>"
     "<article><p>Glowa sunscreen is great, no white cast.</p></article></body></html>", 200, NULL},
    {"/private/x", "text/html", "<p>Lumi secret</p>", 200, NULL},
    {"/busy", "text/html", "busy", 503, NULL},
    /* a redirect into what robots.txt disallows */
    {"/moved", "text/html", "/private/x", 302, NULL},
    /* not a feed: its root element's long Chinese name is quoted, cut */
    {"/odd.xml", "application/xml",
     "<\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2" "a/>", 200, NULL},
    /* another feed, whose server happens to send the same ETag */
    {"/feed2.xml", "application/rss+xml; charset=utf-8",
     "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>More news</title>"
     "<item><title>Glowa opens a shop</title><link>/b/1</link></item></channel></rss>",
     200, "\"f1\""},
    {"/forum/1", "text/html",
     "<div class='post'><p>Lumi page one post</p></div><a rel='next' href='/forum/2'>next</a>", 200,
     "\"p1\""},
    {"/pe/1", "text/html",
     "<div class='post'><p>Lumi last page</p></div><a rel='next' href='/pe/2'>next</a>", 200, NULL},
    {"/pe/2", "text/html", "<p>No more posts</p>", 200, NULL},
    {"/pg/1", "text/html",
     "<div class='post'><p>Lumi paged one</p></div><a rel='next' href='/busy'>next</a>", 200, NULL},
    {"/cyc/1", "text/html",
     "<div class='post'><p>Lumi cycle one</p></div><a rel='next' href='/cyc/2'>next</a>", 200, NULL},
    {"/cyc/2", "text/html",
     "<div class='post'><p>Lumi cycle two</p></div><a rel='next' href='/cyc/1#top'>next</a>", 200, NULL},
    {"/forum/2", "text/html",
     "<div class='post'><p>Lumi page two post</p></div><a rel='next' href='/private/x'>next</a>", 200, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

typedef struct fixture {
    char *dir, *url;
    kwt_http *h;
    int port;
} fixture;

static kwt_run kw(fixture *f, const char *const *args)
{
    const char *full[32] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                            "crawler.min_delay_ms=0"};
    int n = 6;
    for (int i = 0; args[i]; i++)
        full[n++] = args[i];
    full[n] = NULL;
    return kwt_kolwatch(f->dir, NULL, full);
}

#define KW_OK(f, ...)                                                          \
    do {                                                                       \
        kwt_run r_ = kw(f, (const char *const[]){__VA_ARGS__, NULL});          \
        if (r_.status != 0)                                                    \
            fail_msg("exit %d: %s", r_.status, r_.err);                        \
        kwt_run_free(&r_);                                                     \
    } while (0)

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char url[128];
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    f->h = kwt_http_start(site, &f->port);
    KW_OK(f, "init");
    KW_OK(f, "brand", "add", "Lumi", "--query", "Lumi OR 露米");
    KW_OK(f, "brand", "add", "Glowa");
    KW_OK(f, "partner", "add", "--name", "Ann K.", "--type", "koc");
    KW_OK(f, "partner", "account", "add", "1", "--platform", "blog", "--handle", "ann");
    const char *paths[][3] = {{"feed", "/feed.xml", "news"}, {"html", "/post", "blog"},
                              {"html", "/private/x", "forum"}, {"html", "/busy", "forum"}};
    for (int i = 0; i < 4; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->port, paths[i][1]);
        KW_OK(f, "source", "add", "--kind", paths[i][0], "--url", url, "--platform", paths[i][2]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kwt_http_stop(f->h);
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    return 0;
}

static cJSON *sources(fixture *f)
{
    kwt_run r = kw(f, (const char *const[]){"source", "list", "--format", "json", NULL});
    cJSON *o = cJSON_Parse(r.out);
    assert_non_null(o);
    kwt_run_free(&r);
    return o;
}

static void crawl_once__stores_what_mentions_a_brand_scored_with_buckets(void **state)
{
    fixture *f = *state;
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "4 new mentions"));
    kwt_run_free(&r);
    /* Lumi: the recall (negative) and 露米 (positive); Glowa: the review;
     * both: the comparison; the weather item matches no brand. */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 4);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mention_brands"), 5);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE label IS NULL"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE source_id IS NULL"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE title LIKE "
                                         "'Lumi recalls%' AND label = 'negative' AND "
                                         "canonical_url NOT LIKE '%utm_source%'"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_all) FROM buckets"), 5);
    assert_int_equal(kwt_http_hits(f->h, "/private/x"), 0);
    /* The review's author is a registered partner's account (case aside). */
    assert_int_equal(kwt_sql_int(f->url, "SELECT partner_id FROM mentions WHERE author = 'Ann'"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE partner_id IS NOT NULL"), 1);
}

static void crawl_once__again_is_a_conditional_get_and_adds_nothing(void **state)
{
    fixture *f = *state;
    char id[16];
    KW_OK(f, "crawl", "--once");
    snprintf(id, sizeof id, "%lld", (long long)kwt_sql_int(f->url, "SELECT id FROM sources WHERE url LIKE '%feed.xml'"));
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    cJSON *o = sources(f), *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "items"))
        if (strstr(cJSON_GetObjectItem(s, "url")->valuestring, "feed.xml"))
            assert_int_equal((int)cJSON_GetObjectItem(s, "last_status")->valuedouble, 304);
    cJSON_Delete(o);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 4);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM fetches"), 5);
}

/* /post sends no ETag: fetched again, the same bytes are not read again
 * (the summary says so), and its health is current. */
static void crawl_once__a_page_without_etag_that_did_not_change_is_not_read_again(void **state)
{
    fixture *f = *state;
    char id[16];
    KW_OK(f, "crawl", "--once");
    snprintf(id, sizeof id, "%lld",
             (long long)kwt_sql_int(f->url, "SELECT id FROM sources WHERE url LIKE '%/post'"));
    int before = kwt_http_hits(f->h, "/post");
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    assert_int_equal(kwt_http_hits(f->h, "/post"), before + 1);
    assert_non_null(strstr(r.err, "1 pages (1 unchanged), 0 items"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 4);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE url LIKE '%/post' "
                                         "AND last_status = 200 AND next_attempt_at IS NOT NULL"),
                     1);
}

/* The ETag stored for a source is sent only while its page is read for
 * the same brands and settings: after a brand is added, or the source is
 * edited, a 304 would keep the page from ever being read for them. A 304
 * counts as an unchanged page. */
static void crawl_once__validators_are_not_sent_after_brands_or_the_source_change(void **state)
{
    fixture *f = *state;
    char id[16], url[128];
    KW_OK(f, "crawl", "--once");
    snprintf(id, sizeof id, "%lld",
             (long long)kwt_sql_int(f->url, "SELECT id FROM sources WHERE url LIKE '%/feed.xml'"));
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 pages (1 unchanged), 0 items"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT last_status FROM sources WHERE id = 1"), 304);
    /* a brand added: the feed is read in full, its weather item found */
    KW_OK(f, "brand", "add", "Weather");
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 pages (0 unchanged), 4 items"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mention_brands mb JOIN brands b "
                                         "ON b.id = mb.brand_id WHERE b.name = 'Weather'"),
                     1);
    /* read once for the new brands, the ETag counts again */
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_non_null(strstr(r.err, "1 pages (1 unchanged), 0 items"));
    kwt_run_free(&r);
    /* the source moved to another feed (whose server sends the same ETag) */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/feed2.xml", f->port);
    KW_OK(f, "source", "edit", id, "--url", url);
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 new mentions"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE title = "
                                         "'Glowa opens a shop'"),
                     1);
}

static void health__robots_and_server_errors_show_and_back_off(void **state)
{
    fixture *f = *state;
    KW_OK(f, "crawl", "--once");
    cJSON *o = sources(f), *s;
    int seen = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "items"))
    {
        const char *url = cJSON_GetObjectItem(s, "url")->valuestring;
        cJSON *err = cJSON_GetObjectItem(s, "last_error");
        int fails = (int)cJSON_GetObjectItem(s, "consecutive_failures")->valuedouble;
        if (strstr(url, "/private")) {
            assert_non_null(strstr(err->valuestring, "robots.txt"));
            seen++;
        } else if (strstr(url, "/busy")) {
            assert_non_null(strstr(err->valuestring, "503"));
            assert_int_equal(fails, 1);
            assert_true(cJSON_IsString(cJSON_GetObjectItem(s, "next_attempt_at")));
            seen++;
        } else {
            assert_true(cJSON_IsNull(err));
            assert_int_equal(fails, 0);
        }
    }
    assert_int_equal(seen, 2);
    cJSON_Delete(o);
    /* Nothing is due right after a crawl: the next one fetches nothing. */
    int before = kwt_http_hits(f->h, "/post");
    KW_OK(f, "crawl", "--once");
    assert_int_equal(kwt_http_hits(f->h, "/post"), before);
}

/* A host whose robots.txt cannot be had (here a 503) is not crawled, and
 * its sources back off as failed fetches do instead of asking it again on
 * their schedule, every 15 minutes for ever. */
static void health__a_host_whose_robots_txt_fails_backs_off(void **state)
{
    fixture *f = *state;
    static const kwt_route down[] = {{"/robots.txt", "text/plain", "overloaded", 503, NULL},
                                     {"/p", "text/html", "<p>Lumi post</p>", 200, NULL},
                                     {NULL, NULL, NULL, 0, NULL}};
    int port;
    kwt_http *h = kwt_http_start(down, &port);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/p", port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    char id[32], sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM sources WHERE url = '%s'", url);
    snprintf(id, sizeof id, "%lld", (long long)kwt_sql_int(f->url, sql));
    int64_t t0 = kw_time_now();
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 1); /* no source could be read */
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(h, "/robots.txt"), 1);
    assert_int_equal(kwt_http_hits(h, "/p"), 0);
    cJSON *o = sources(f), *s;
    int seen = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "items"))
    {
        if (strcmp(cJSON_GetObjectItem(s, "url")->valuestring, url))
            continue;
        seen++;
        assert_non_null(strstr(cJSON_GetObjectItem(s, "last_error")->valuestring,
                                "robots.txt answered 503"));
        assert_int_equal((int)cJSON_GetObjectItem(s, "consecutive_failures")->valuedouble, 1);
        int64_t next;
        assert_int_equal(kw_time_parse(&next, cJSON_GetObjectItem(s, "next_attempt_at")
                                                  ->valuestring),
                         0);
        /* 15 minutes doubled, less up to a quarter */
        assert_true(next - t0 >= 1350 - 1 && next - t0 <= 1800 + 60);
    }
    assert_int_equal(seen, 1);
    cJSON_Delete(o);
    kwt_http_stop(h);
}

/* For cron and scripts: a crawl that could read no source at all exits 1
 * (one source failing among others only shows in its health); a source
 * that does not exist is an error without a summary. */
static void crawl_once__exits_1_when_no_source_could_be_read(void **state)
{
    fixture *f = *state;
    char id[16];
    snprintf(id, sizeof id, "%lld",
             (long long)kwt_sql_int(f->url, "SELECT id FROM sources WHERE url LIKE '%/busy'"));
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "1 sources, 0 pages"));
    assert_non_null(strstr(r.err, "no source could be read"));
    /* the placeholder contact is pointed out; one's own is not */
    assert_non_null(strstr(r.err, "still names kolwatch.example"));
    kwt_run_free(&r);
    r = kw(f, (const char *const[]){"--set", "crawler.user_agent=acme-listen/1 (+mailto:pr@acme.test)",
                                    "crawl", "--once", "--source", id, NULL});
    assert_null(strstr(r.err, "kolwatch.example"));
    kwt_run_free(&r);
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", "99", NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no source 99"));
    assert_null(strstr(r.err, "0 sources"));
    kwt_run_free(&r);
    /* the others (the busy one backs off): robots.txt refuses one, which
     * is no error (its health says so), two are read */
    r = kw(f, (const char *const[]){"crawl", "--once", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "3 sources"));
    assert_non_null(strstr(r.err, "0 errors"));
    kwt_run_free(&r);
}

/* A failure whose message quotes the page (cut at a byte limit) is still
 * recorded, as valid text, with its backoff: PostgreSQL refuses invalid
 * UTF-8, and a failure it cannot record would be retried at once, forever. */
static void health__a_failure_quoting_the_page_is_recorded(void **state)
{
    fixture *f = *state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/odd.xml", f->port);
    KW_OK(f, "source", "add", "--kind", "feed", "--url", url, "--platform", "news");
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", "5", NULL});
    assert_int_equal(r.status, 1); /* its only source could not be read */
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT consecutive_failures FROM sources WHERE id = 5"),
                     1);
    cJSON *o = sources(f), *s;
    int seen = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "items"))
    {
        if (!strstr(cJSON_GetObjectItem(s, "url")->valuestring, "/odd.xml"))
            continue;
        const char *err = cJSON_GetObjectItem(s, "last_error")->valuestring;
        assert_non_null(strstr(err, "not a feed: the root element is <\xe9\x9c\xb2"));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(s, "next_attempt_at")));
        seen = 1;
    }
    assert_true(seen);
    cJSON_Delete(o);
}

/* A socket listening on 127.0.0.1, its port in *port. */
static int listen_loopback(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A host on 127.0.0.1 whose robots.txt comes slowly: before it answers,
 * it notes whether the other host's page was fetched already. */
typedef struct slow_host {
    int fd, port;
    kwt_http *other;
    int other_done_first;
    pthread_t t;
} slow_host;

static void *slow_serve(void *arg)
{
    slow_host *sh = arg;
    for (int n = 0; n < 2; n++) { /* robots.txt, then its page */
        int c = accept(sh->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char req[2048];
        ssize_t got = read(c, req, sizeof req - 1);
        req[got > 0 ? got : 0] = '\0';
        const char *answer;
        if (strstr(req, "GET /robots.txt")) {
            for (int i = 0; i < 100 && !kwt_http_hits(sh->other, "/page"); i++)
                usleep(20 * 1000); /* up to 2 s for the other host's page */
            sh->other_done_first = kwt_http_hits(sh->other, "/page") == 1;
            answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        } else {
            answer = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 34\r\n"
                     "Connection: close\r\n\r\n<html><p>Lumi slow host</p></html>";
        }
        ssize_t w = write(c, answer, strlen(answer));
        (void)w;
        close(c);
    }
    return NULL;
}

/* A slow robots.txt holds up its own host's pages only: the other hosts'
 * pages are fetched while it is awaited (they waited for the slowest). */
static void robots__a_slow_robots_txt_holds_up_its_own_host_only(void **state)
{
    fixture *f = *state;
    const kwt_route fast[] = {{"/robots.txt", "text/plain", "", 200, NULL},
                              {"/page", "text/html", "<p>Lumi fast host</p>", 200, NULL},
                              {NULL, NULL, NULL, 0, NULL}};
    int fport;
    slow_host sh = {.other = kwt_http_start(fast, &fport)};
    sh.fd = listen_loopback(&sh.port);
    pthread_create(&sh.t, NULL, slow_serve, &sh);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/page", sh.port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/page", fport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", NULL});
    kwt_run_free(&r);
    pthread_join(sh.t, NULL);
    close(sh.fd);
    assert_true(sh.other_done_first);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi % host'"),
                     2);
    kwt_http_stop(sh.other);
}

/* A host whose robots.txt answers 429 with Retry-After: an hour. */
static void *busy_robots(void *arg)
{
    int fd = *(int *)arg, c = accept(fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char req[2048];
    ssize_t got = read(c, req, sizeof req);
    (void)got;
    static const char answer[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\n"
                                 "Content-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = write(c, answer, sizeof answer - 1);
    (void)w;
    close(c);
    return NULL;
}

/* A redirect to a host whose robots.txt answers 429 backs its source off
 * as that Retry-After says, as a source on that host does (it backed off
 * the ordinary way). */
static void robots__a_429_behind_a_redirect_honours_its_retry_after(void **state)
{
    fixture *f = *state;
    static char moved[128];
    const kwt_route routes[] = {{"/robots.txt", "text/plain", "", 200, NULL},
                                {"/moved", "text/html", moved, 302, NULL},
                                {NULL, NULL, NULL, 0, NULL}};
    int rport, fd = listen_loopback(&rport);
    pthread_t t;
    pthread_create(&t, NULL, busy_robots, &fd);
    snprintf(moved, sizeof moved, "http://127.0.0.1:%d/page", rport);
    int port;
    kwt_http *h = kwt_http_start(routes, &port);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/moved", port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    int64_t t0 = kw_time_now();
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", NULL});
    kwt_run_free(&r);
    pthread_join(t, NULL);
    close(fd);
    cJSON *o = sources(f), *s;
    int seen = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "items"))
    {
        if (strcmp(cJSON_GetObjectItem(s, "url")->valuestring, url) != 0)
            continue;
        int64_t next;
        assert_int_equal(kw_time_parse(&next, cJSON_GetObjectItem(s, "next_attempt_at")
                                                  ->valuestring),
                         0);
        assert_true(next - t0 >= 3600 - 5 && next - t0 <= 3600 + 60);
        assert_non_null(strstr(cJSON_GetObjectItem(s, "last_error")->valuestring, "429"));
        seen = 1;
    }
    assert_true(seen);
    cJSON_Delete(o);
    kwt_http_stop(h);
}

/* A robots.txt that redirects is followed as RFC 9309 says, not asked
 * about itself: one redirecting to another host (the entries of robots.txt
 * grew under the request), one on a host a page's redirect led to that
 * redirects within its host (it waited for itself until the time-out). */
static void robots__a_robots_txt_that_redirects_is_followed(void **state)
{
    fixture *f = *state;
    static char a_robots[128], a_moved[128];
    const kwt_route b_routes[] = {
        {"/robots.txt", "text/plain", "/robots2.txt", 301, NULL},
        {"/robots2.txt", "text/plain", "User-agent: *\nDisallow: /private\n", 200, NULL},
        {"/page", "text/html", "<html><body><p>Lumi on host b</p></body></html>", 200, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    const kwt_route a_routes[] = {
        {"/robots.txt", "text/plain", a_robots, 301, NULL},
        {"/a-page", "text/html", "<html><body><p>Lumi on host a</p></body></html>", 200, NULL},
        {"/moved", "text/html", a_moved, 302, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    int bport, aport;
    kwt_http *b = kwt_http_start(b_routes, &bport);
    snprintf(a_robots, sizeof a_robots, "http://127.0.0.1:%d/robots2.txt", bport);
    snprintf(a_moved, sizeof a_moved, "http://127.0.0.1:%d/page", bport);
    kwt_http *a = kwt_http_start(a_routes, &aport);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a-page", aport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/moved", aport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    kwt_run r = kw(f, (const char *const[]){"--set", "crawler.timeout=20s", "crawl", "--once",
                                            NULL});
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(a, "/a-page"), 1);
    assert_int_equal(kwt_http_hits(b, "/page"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi on host %'"),
                     2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE (url LIKE "
                                         "'%/a-page' OR url LIKE '%/moved') AND last_error "
                                         "IS NULL AND last_status = 200"),
                     2);
    kwt_http_stop(a);
    kwt_http_stop(b);
}

/* robots.txt is asked about every hop of a redirect, on another host
 * too (whose robots.txt is read then): a redirect does not get round it. */
static void redirects__are_followed_only_where_robots_txt_allows(void **state)
{
    fixture *f = *state;
    char url[128], away[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/moved", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", "5", NULL});
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/moved"), 1);
    assert_int_equal(kwt_http_hits(f->h, "/private/x"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id = 5 AND "
                                         "last_error LIKE '%redirected to%/private/x%'"),
                     1);
    /* not fetched as robots.txt says: due on its schedule, as a page it
     * disallows directly, not backing off as a failure */
    int pg = strncmp(f->url, "postgres", 8) == 0;
    assert_int_equal(kwt_sql_int(f->url, pg ? "SELECT CASE WHEN EXTRACT(EPOCH FROM "
                                              "next_attempt_at - last_fetched_at) <= every_s + 5 "
                                              "THEN 1 ELSE 0 END FROM sources WHERE id = 5"
                                            : "SELECT strftime('%s', next_attempt_at) - "
                                              "strftime('%s', last_fetched_at) <= every_s + 5 "
                                              "FROM sources WHERE id = 5"),
                     1);
    /* another host (another port), whose robots.txt allows /ok only */
    static const kwt_route other[] = {
        {"/robots.txt", "text/plain", "User-agent: *\nDisallow: /\nAllow: /ok\n", 200, NULL},
        {"/ok", "text/html", "<article><p>Lumi is fine here.</p></article>", 200, NULL},
        {"/no", "text/html", "<article><p>Lumi is secret here.</p></article>", 200, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    int port2;
    kwt_http *h2 = kwt_http_start(other, &port2);
    static char loc_ok[96], loc_no[96];
    snprintf(loc_ok, sizeof loc_ok, "http://127.0.0.1:%d/ok", port2);
    snprintf(loc_no, sizeof loc_no, "http://127.0.0.1:%d/no", port2);
    const kwt_route here[] = {{"/robots.txt", "text/plain", "", 404, NULL},
                              {"/go-ok", "text/html", loc_ok, 301, NULL},
                              {"/go-no", "text/html", loc_no, 307, NULL},
                              {NULL, NULL, NULL, 0, NULL}};
    int port1;
    kwt_http *h1 = kwt_http_start(here, &port1);
    snprintf(away, sizeof away, "http://127.0.0.1:%d/go-ok", port1);
    KW_OK(f, "source", "add", "--kind", "html", "--url", away, "--platform", "blog");
    snprintf(away, sizeof away, "http://127.0.0.1:%d/go-no", port1);
    KW_OK(f, "source", "add", "--kind", "html", "--url", away, "--platform", "blog");
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", "6", NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", "7", NULL});
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(h2, "/robots.txt"), 2); /* once a run */
    assert_int_equal(kwt_http_hits(h2, "/ok"), 1);
    assert_int_equal(kwt_http_hits(h2, "/no"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi is fine here%'"),
                     1);
    kwt_http_stop(h1);
    kwt_http_stop(h2);
}

/* Two hosts: one answering at once (/a), one asking 20 s between
 * requests (/b, /c); a source for /a and for the first nslow of the
 * slow host's pages. */
static const kwt_route quick_routes[] = {
    {"/robots.txt", "text/plain", "", 404, NULL},
    {"/a", "text/html", "<article><p>Lumi one.</p></article>", 200, NULL},
    {NULL, NULL, NULL, 0, NULL}};
static const kwt_route delayed_routes[] = {
    {"/robots.txt", "text/plain", "User-agent: *\nCrawl-delay: 20\n", 200, NULL},
    {"/b", "text/html", "<article><p>Lumi two.</p></article>", 200, NULL},
    {"/c", "text/html", "<article><p>Lumi three.</p></article>", 200, NULL},
    {NULL, NULL, NULL, 0, NULL}};

static void quick_and_slow(fixture *f, kwt_http **q, kwt_http **h, int nslow)
{
    int qport, sport;
    *q = kwt_http_start(quick_routes, &qport);
    *h = kwt_http_start(delayed_routes, &sport);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a", qport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    const char *paths[] = {"/b", "/c"};
    for (int i = 0; i < nslow; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", sport, paths[i]);
        KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    }
}

/* SIGTERM (or Ctrl-C) ends the pass under way: nothing more is fetched,
 * what was read is kept, and the process exits at once rather than after
 * every queued source's Crawl-delay. */
static void signal__ends_the_pass_under_way(void **state)
{
    fixture *f = *state;
    kwt_http *q, *h;
    quick_and_slow(f, &q, &h, 2);
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "crawl",
                          "--once", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    for (int i = 0; i < 100 && kwt_http_hits(q, "/a") == 0; i++) /* until /a is read */
        usleep(50 * 1000);
    assert_int_equal(kwt_http_hits(q, "/a"), 1);
    usleep(300 * 1000);
    kill(pid, SIGTERM);
    int status = -1, waited = 0;
    for (int i = 0; i < 100 && !waited; i++) { /* well before the Crawl-delay ends */
        usleep(50 * 1000);
        waited = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!waited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("crawl still running 5 s after SIGTERM");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(kwt_http_hits(h, "/b") + kwt_http_hits(h, "/c"), 0);
    /* the page read was kept; the others are still due */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi %.'"),
                     1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id > 5 AND "
                                         "last_fetched_at IS NULL"),
                     2);
    /* ... at once: the stopped crawl gave up its claims on them, so the
     * next crawl or another worker does not wait for the lease to run out */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS NOT "
                                         "NULL OR lease_until IS NOT NULL"),
                     0);
    kwt_http_stop(q);
    kwt_http_stop(h);
}

/* A crawl waiting on a slow host (a Crawl-delay longer than its lease,
 * no response coming in) still holds its claims: a second crawl started
 * after the lease finds nothing to take. */
static void leases__are_kept_while_nothing_comes_in(void **state)
{
    fixture *f = *state;
    static const kwt_route slow[] = {
        {"/robots.txt", "text/plain", "User-agent: *\nCrawl-delay: 8\n", 200, NULL},
        {"/x1", "text/html", "<article><p>Lumi one.</p></article>", 200, NULL},
        {"/x2", "text/html", "<article><p>Lumi two.</p></article>", 200, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    int port;
    kwt_http *h = kwt_http_start(slow, &port);
    char url[128];
    for (int i = 1; i <= 2; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/x%d", port, i);
        KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    }
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                          "crawler.lease=3s", "crawl", "--once", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    struct timespec wait = {5, 0}; /* past the lease, before the Crawl-delay ends */
    nanosleep(&wait, NULL);
    kwt_run r = kw(f, (const char *const[]){"--set", "crawler.lease=3s", "crawl", "--once",
                                            NULL});
    assert_int_equal(kwt_http_hits(h, "/x1") + kwt_http_hits(h, "/x2"), 0);
    assert_non_null(strstr(r.err, "crawl: 0 sources"));
    kwt_run_free(&r);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    kwt_http_stop(h);
}

static const char *const slow_paths[] = {"/s1", "/s2", "/s3", "/s4", "/s5"};

/* How many of the slow host's five pages it has answered. */
static int slow_pages_read(kwt_http *h)
{
    int n = 0;
    for (int i = 0; i < 5; i++)
        n += kwt_http_hits(h, slow_paths[i]);
    return n;
}

/* Wait until q has answered path, or the slow host h its last page: how
 * many of h's pages it had answered when path was read (5: not before the
 * last). */
static int slow_pages_before(kwt_http *q, const char *path, kwt_http *h)
{
    for (int i = 0; i < 600 && !kwt_http_hits(q, path) && slow_pages_read(h) < 5; i++)
        usleep(50 * 1000);
    return kwt_http_hits(q, path) ? slow_pages_read(h) : 5;
}

/* A crawl that keeps going takes up the sources that come due while its
 * pass runs: one added meanwhile, and one edited after it was read (due
 * again at once), are fetched within seconds, not when a slow host (five
 * pages 2 to 3 s apart, as its Crawl-delay asks) is done; nothing is
 * fetched twice, and the slow host's pass goes on to its end. They waited
 * for the slowest host of the pass. */
static void crawl__takes_up_sources_that_come_due_while_a_slow_host_holds_up_its_pass(
    void **state)
{
    fixture *f = *state;
    static const kwt_route slow[] = {
        {"/robots.txt", "text/plain", "User-agent: *\nCrawl-delay: 2\n", 200, NULL},
        {"/s1", "text/html", "<article><p>Lumi slow one.</p></article>", 200, NULL},
        {"/s2", "text/html", "<article><p>Lumi slow two.</p></article>", 200, NULL},
        {"/s3", "text/html", "<article><p>Lumi slow three.</p></article>", 200, NULL},
        {"/s4", "text/html", "<article><p>Lumi slow four.</p></article>", 200, NULL},
        {"/s5", "text/html", "<article><p>Lumi slow five.</p></article>", 200, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    static const kwt_route quick[] = {
        {"/robots.txt", "text/plain", "", 404, NULL},
        {"/a", "text/html", "<article><p>Lumi quick.</p></article>", 200, NULL},
        {"/a2", "text/html", "<article><p>Lumi quick, moved.</p></article>", 200, NULL},
        {NULL, NULL, NULL, 0, NULL}};
    int sport, qport;
    kwt_http *h = kwt_http_start(slow, &sport), *q = kwt_http_start(quick, &qport);
    char url[128];
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z'");
    for (int i = 0; i < 5; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", sport, slow_paths[i]);
        KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    }
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                          "crawler.min_delay_ms=0", "crawl", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    for (int i = 0; i < 200 && kwt_http_hits(h, "/robots.txt") == 0; i++)
        usleep(50 * 1000); /* the pass is under way, its sources the slow host's */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a", qport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "blog");
    /* read before the slow host's last page (at 10 s at the earliest) */
    int added = slow_pages_before(q, "/a", h);
    int64_t id = kwt_sql_int(f->url, "SELECT MAX(id) FROM sources");
    char sql[200], ids[32];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sources WHERE id = %lld AND "
                              "last_fetched_at IS NOT NULL", (long long)id);
    for (int i = 0; i < 200 && kwt_sql_int(f->url, sql) == 0; i++)
        usleep(50 * 1000);
    /* edited, it is due at once: read again in this pass */
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a2", qport);
    KW_OK(f, "source", "edit", ids, "--url", url);
    int edited = slow_pages_before(q, "/a2", h);
    /* the slow host's pass goes on to its end, each page read once */
    for (int i = 0; i < 600 && kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE "
                                                   "last_fetched_at IS NOT NULL") < 6;
         i++)
        usleep(50 * 1000);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    if (added == 5 || edited == 5)
        fail_msg("the source added was read after %d of the slow host's 5 pages, the one "
                 "edited after %d", added, edited);
    char said[4096];
    kwt_spawn_said(f->dir, pid, said, sizeof said);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        !strstr(said, "crawl: 7 sources, 7 pages"))
        fail_msg("exit %d; the crawl said:\n%s", status, said);
    for (int i = 0; i < 5; i++)
        assert_int_equal(kwt_http_hits(h, slow_paths[i]), 1);
    assert_int_equal(kwt_http_hits(h, "/robots.txt"), 1);
    assert_int_equal(kwt_http_hits(q, "/a"), 1);
    assert_int_equal(kwt_http_hits(q, "/a2"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi slow%' OR text LIKE 'Lumi quick%'"),
                     7);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS "
                                         "NOT NULL"),
                     0);
    kwt_http_stop(q);
    kwt_http_stop(h);
}

/* A crawl waiting on a slow host (a long Crawl-delay) after reading a page
 * does not keep its batch open meanwhile: a command that writes does not
 * wait for it (it failed with "the database stayed locked"). */
static void batch__left_open_while_pages_are_awaited_is_committed(void **state)
{
    fixture *f = *state;
    kwt_http *q, *h;
    quick_and_slow(f, &q, &h, 1);
    /* the fixture's sources are not due: their pages would commit it */
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z' WHERE "
                        "url NOT LIKE '%/a' AND url NOT LIKE '%/b'");
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "crawl",
                          "--once", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    for (int i = 0; i < 100 && kwt_http_hits(q, "/a") == 0; i++)
        usleep(50 * 1000);
    usleep(1200 * 1000); /* /a read; /b 20 s away */
    kwt_run r = kw(f, (const char *const[]){"--set", "store.busy_timeout=1s", "brand", "add",
                                            "Nova", NULL});
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    if (r.status != 0)
        fail_msg("brand add waited for the crawl: exit %d: %s", r.status, r.err);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(h, "/b"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi one%'"),
                     1);
    kwt_http_stop(q);
    kwt_http_stop(h);
}

/* A pass that fails (here: the database locked past store.busy_timeout)
 * is said, and a crawl without --once goes on; it used to exit. */
static void crawl__a_failed_pass_is_said_and_the_crawl_goes_on(void **state)
{
    fixture *f = *state;
    if (strncmp(f->url, "postgres", 8) == 0)
        skip(); /* the lock is SQLite's */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                          "store.busy_timeout=1s", "crawl", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    char said[4096] = "";
    for (int i = 0; i < 300 && !strstr(said, "the next pass begins"); i++) {
        usleep(50 * 1000); /* the lock held until the pass has failed */
        kwt_spawn_said(f->dir, pid, said, sizeof said);
    }
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    usleep(300 * 1000);
    int status = 0, alive = waitpid(pid, &status, WNOHANG) == 0;
    kill(pid, SIGTERM);
    if (alive)
        waitpid(pid, &status, 0);
    if (!alive || !strstr(said, "the next pass begins in 30 s"))
        fail_msg("alive %d; the crawl said:\n%s", alive, said);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A source is claimed until its crawler's pass ends, later next= pages
 * included: `crawl --source` started between two pages is refused, and the
 * first crawler reads its pages undisturbed (it used to lose the source to
 * the second, and end its pass). */
static void paging__a_source_between_its_pages_stays_claimed(void **state)
{
    fixture *f = *state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/forum/1", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    int64_t id = kwt_sql_int(f->url, "SELECT MAX(id) FROM sources");
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z' WHERE "
                        "url NOT LIKE '%/forum/1'");
    const char *args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                          "crawler.min_delay_ms=2500", "crawl", "--once", NULL};
    pid_t pid = kwt_spawn(f->dir, args);
    for (int i = 0; i < 200 && kwt_http_hits(f->h, "/forum/1") == 0; i++)
        usleep(50 * 1000);
    usleep(500 * 1000); /* page one read and recorded; page two 2.5 s on */
    char ids[16];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", ids, NULL});
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "being fetched by another crawler"));
    kwt_run_free(&r);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(kwt_http_hits(f->h, "/forum/1"), 1);
    assert_int_equal(kwt_http_hits(f->h, "/forum/2"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE "
                                         "'Lumi page%'"),
                     2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS "
                                         "NOT NULL"),
                     0);
}

static void paging__next_pages_are_followed_on_the_same_host_within_robots(void **state)
{
    fixture *f = *state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/forum/1", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    char id[16];
    snprintf(id, sizeof id, "%lld", (long long)kwt_sql_int(f->url, "SELECT MAX(id) FROM sources"));
    kwt_run r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/forum/1"), 1);
    assert_int_equal(kwt_http_hits(f->h, "/forum/2"), 1);
    /* page two links to a path robots.txt disallows: not followed */
    assert_int_equal(kwt_http_hits(f->h, "/private/x"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text LIKE 'Lumi page%'"), 2);
    /* at most crawler.max_pages pages a source */
    r = kw(f, (const char *const[]){"--set", "crawler.max_pages=1", "crawl", "--once", "--source",
                                     id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/forum/1"), 2);
    assert_int_equal(kwt_http_hits(f->h, "/forum/2"), 1);
    /* page one sends an ETag, yet a source with pages is always read: its
     * later pages grow while the first stays */
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/forum/1"), 3);
    assert_int_equal(kwt_http_hits(f->h, "/forum/2"), 2);
    /* a next link back to an earlier page (with an anchor) ends the paging */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cyc/1", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    snprintf(id, sizeof id, "%lld", (long long)kwt_sql_int(f->url, "SELECT MAX(id) FROM sources"));
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/cyc/1"), 1);
    assert_int_equal(kwt_http_hits(f->h, "/cyc/2"), 1);
    /* the same host spelled otherwise (case, the default port written out)
     * is the same host: the paging goes on */
    static char one[256], two[256];
    const kwt_route spelled[] = {{"/robots.txt", "text/plain", "", 200, NULL},
                                 {"/case/1", "text/html", one, 200, NULL},
                                 {"/case/2", "text/html", two, 200, NULL},
                                 {"/case/3", "text/html", "<div class='post'><p>Lumi three</p></div>",
                                  200, NULL},
                                 {NULL, NULL, NULL, 0, NULL}};
    int sport;
    kwt_http *sh = kwt_http_start(spelled, &sport);
    snprintf(one, sizeof one, "<div class='post'><p>Lumi one</p></div><a rel='next' "
                              "href='http://LocalHost:%d/case/2'>next</a>", sport);
    snprintf(two, sizeof two, "<div class='post'><p>Lumi two</p></div><a rel='next' "
                              "href='HTTP://LOCALHOST:%d/case/3'>next</a>", sport);
    snprintf(url, sizeof url, "http://localhost:%d/case/1", sport);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    snprintf(id, sizeof id, "%lld", (long long)kwt_sql_int(f->url, "SELECT MAX(id) FROM sources"));
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(sh, "/case/2"), 1);
    assert_int_equal(kwt_http_hits(sh, "/case/3"), 1);
    assert_int_equal(kwt_http_hits(sh, "/robots.txt"), 1); /* one host, one robots.txt */
    kwt_http_stop(sh);
    /* a later page with no items is the paging's end, no error */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/pe/1", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    int64_t pe = kwt_sql_int(f->url, "SELECT MAX(id) FROM sources");
    snprintf(id, sizeof id, "%lld", (long long)pe);
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/pe/2"), 1);
    char q[200];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM sources WHERE id = %lld AND last_error IS NULL "
                          "AND consecutive_failures = 0", (long long)pe);
    assert_int_equal(kwt_sql_int(f->url, q), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE text = "
                                         "'Lumi last page'"),
                     1);
    /* a later page that fails is named in the health and the history: the
     * source's own page answered 200 */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/pg/1", f->port);
    KW_OK(f, "source", "add", "--kind", "html", "--url", url, "--platform", "forum", "--rule",
          "item=//div[@class='post']", "--rule", "next=//a[@rel='next']");
    int64_t pg = kwt_sql_int(f->url, "SELECT MAX(id) FROM sources");
    snprintf(id, sizeof id, "%lld", (long long)pg);
    r = kw(f, (const char *const[]){"crawl", "--once", "--source", id, NULL});
    kwt_run_free(&r);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sources WHERE id = %lld AND last_error = "
                              "'page http://127.0.0.1:%d/busy: HTTP 503'", (long long)pg, f->port);
    assert_int_equal(kwt_sql_int(f->url, sql), 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM fetches WHERE source_id = %lld AND http_status = "
                              "503 AND url = 'http://127.0.0.1:%d/busy'", (long long)pg, f->port);
    assert_int_equal(kwt_sql_int(f->url, sql), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(crawl_once__stores_what_mentions_a_brand_scored_with_buckets),
        T(crawl_once__again_is_a_conditional_get_and_adds_nothing),
        T(crawl_once__a_page_without_etag_that_did_not_change_is_not_read_again),
        T(crawl_once__validators_are_not_sent_after_brands_or_the_source_change),
        T(health__robots_and_server_errors_show_and_back_off),
        T(health__a_host_whose_robots_txt_fails_backs_off),
        T(leases__are_kept_while_nothing_comes_in),
        T(crawl_once__exits_1_when_no_source_could_be_read),
        T(health__a_failure_quoting_the_page_is_recorded),
        T(redirects__are_followed_only_where_robots_txt_allows),
        T(signal__ends_the_pass_under_way),
        T(crawl__takes_up_sources_that_come_due_while_a_slow_host_holds_up_its_pass),
        T(batch__left_open_while_pages_are_awaited_is_committed),
        T(crawl__a_failed_pass_is_said_and_the_crawl_goes_on),
        T(paging__next_pages_are_followed_on_the_same_host_within_robots),
        T(paging__a_source_between_its_pages_stays_claimed),
        T(robots__a_robots_txt_that_redirects_is_followed),
        T(robots__a_slow_robots_txt_holds_up_its_own_host_only),
        T(robots__a_429_behind_a_redirect_honours_its_retry_after),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
