/*
 * Several crawlers at once: two `kolwatch worker` processes share the
 * sources through claims with a lease, so each source is fetched once; an
 * expired lease is taken over, a live one is left alone. Runs on SQLite and
 * (what workers on several machines use) PostgreSQL.
 */
#include "testsupport.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOURCES 30

static kwt_route routes[SOURCES + 2];
static char paths[SOURCES][32];

typedef struct fixture {
    char *dir, *url;
    kwt_http *h;
    int port;
} fixture;

static void kw_ok(fixture *f, const char *const *args)
{
    const char *full[32] = {"--db", f->url};
    int n = 2;
    for (int i = 0; args[i]; i++)
        full[n++] = args[i];
    full[n] = NULL;
    kwt_run r = kwt_kolwatch(f->dir, NULL, full);
    if (r.status != 0)
        fail_msg("%s exited %d: %s", args[0], r.status, r.err);
    kwt_run_free(&r);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char url[1100];
    routes[0] = (kwt_route){"/robots.txt", "text/plain", "User-agent: *\nAllow: /\n", 200, NULL};
    for (int i = 0; i < SOURCES; i++) {
        snprintf(paths[i], sizeof paths[i], "/p/%d", i);
        routes[i + 1] = (kwt_route){paths[i], "text/html",
                                    "<html><head><title>Lumi note</title></head><body><article>"
                                    "<p>Lumi cream is lovely.</p></article></body></html>",
                                    200, NULL};
    }
    routes[SOURCES + 1] = (kwt_route){NULL, NULL, NULL, 0, NULL};
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    f->h = kwt_http_start(routes, &f->port);
    kw_ok(f, (const char *const[]){"init", NULL});
    kw_ok(f, (const char *const[]){"brand", "add", "Lumi", NULL});
    for (int i = 0; i < SOURCES; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->port, paths[i]);
        kw_ok(f, (const char *const[]){"source", "add", "--kind", "html", "--url", url,
                                       "--platform", "blog", NULL});
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

static void two_workers__fetch_every_source_exactly_once(void **state)
{
    fixture *f = *state;
    const char *const args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                                "crawler.min_delay_ms=0", "--set", "crawler.max_per_host=1",
                                "worker", "--limit", "4", NULL};
    pid_t a = kwt_spawn(f->dir, args), b = kwt_spawn(f->dir, args);
    int64_t fetched = 0;
    for (int i = 0; i < 600 && fetched < SOURCES; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        fetched = kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE last_fetched_at IS NOT NULL");
    }
    kill(a, SIGTERM);
    kill(b, SIGTERM);
    int sa, sb;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    assert_int_equal(fetched, SOURCES);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    for (int i = 0; i < SOURCES; i++)
        assert_int_equal(kwt_http_hits(f->h, paths[i]), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM fetches"), SOURCES);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS NOT NULL"), 0);
    /* The same text at 30 URLs is 30 mentions, each stored once. */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), SOURCES);
}

static void leases__an_expired_one_is_taken_over_a_live_one_is_not(void **state)
{
    fixture *f = *state;
    /* Every source but two was just fetched by someone else. */
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z'");
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = NULL, lease_owner = 'gone:1', "
                        "lease_until = '2000-01-01T00:00:00Z' WHERE url LIKE '%/p/0'");
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = NULL, lease_owner = 'busy:2', "
                        "lease_until = '2099-01-01T00:00:00Z' WHERE url LIKE '%/p/1'");
    kw_ok(f, (const char *const[]){"--set", "crawler.allow_private=true", "--set",
                                   "crawler.min_delay_ms=0", "crawl", "--once", NULL});
    assert_int_equal(kwt_http_hits(f->h, "/p/0"), 1);
    assert_int_equal(kwt_http_hits(f->h, "/p/1"), 0);
    assert_int_equal(kwt_http_hits(f->h, "/p/2"), 0);
    /* source list says which is held, by whom and until when */
    const char *const list[] = {"--db", f->url, "source", "list", "--format", "json", NULL};
    kwt_run r = kwt_kolwatch(f->dir, NULL, list);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"claimed_by\":\"busy:2\",\"claimed_until\":\"2099-01-01T00:00:00Z\""));
    assert_null(strstr(r.out, "gone:1")); /* an expired claim holds nothing */
    kwt_run_free(&r);
}

/* `crawl --source ID` fetches a source due or not, but not while another
 * crawler holds a live claim on it: it says whose and until when. */
static void crawl_source__leaves_a_source_another_crawler_holds(void **state)
{
    fixture *f = *state;
    kwt_sql_int(f->url, "UPDATE sources SET lease_owner = 'busy:2', lease_until = "
                        "'2099-01-01T00:00:00Z' WHERE url LIKE '%/p/1'");
    int64_t id = kwt_sql_int(f->url, "SELECT id FROM sources WHERE url LIKE '%/p/1'");
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *const args[] = {"--db", f->url, "--set", "crawler.allow_private=true",
                                "crawl", "--once", "--source", ids, NULL};
    kwt_run r = kwt_kolwatch(f->dir, NULL, args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "being fetched by another crawler (busy:2) until"));
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(f->h, "/p/1"), 0);
    /* once the claim has run out, it is fetched */
    kwt_sql_int(f->url, "UPDATE sources SET lease_until = '2000-01-01T00:00:00Z'");
    kw_ok(f, args + 2);
    assert_int_equal(kwt_http_hits(f->h, "/p/1"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS "
                                         "NOT NULL AND url LIKE '%/p/1'"),
                     0);
}

/* A crawler stopped past its lease (a frozen machine, SIGSTOP) finds, when
 * it goes on, that its claims ran out: it ends its pass rather than fetch
 * the sources another crawler took meanwhile, and leaves that one's
 * records be. At most the page it had asked for when it stopped is
 * fetched twice. (PostgreSQL: on SQLite a stopped crawler's open batch
 * holds the file's write lock, and the other waits.) */
static void a_crawler_stopped_past_its_lease_leaves_its_sources_to_another(void **state)
{
    fixture *f = *state;
    if (strncmp(f->url, "postgres", 8) != 0)
        skip();
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z' "
                        "WHERE id > 10");
    const char *const args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                                "crawler.min_delay_ms=500", "--set", "crawler.max_per_host=1",
                                "--set", "crawler.lease=3s", "crawl", "--once", NULL};
    pid_t a = kwt_spawn(f->dir, args);
    int hits = 0; /* into the pass (5 to 7.5 s): two pages read */
    for (int i = 0; i < 200 && hits < 2; i++) {
        struct timespec t = {0, 50 * 1000 * 1000};
        nanosleep(&t, NULL);
        hits = 0;
        for (int k = 0; k < 10; k++)
            hits += kwt_http_hits(f->h, paths[k]);
    }
    kill(a, SIGSTOP);
    struct timespec ts = {4, 500 * 1000 * 1000}; /* past its lease */
    nanosleep(&ts, NULL);
    int64_t left = kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id <= 10 AND "
                                       "last_fetched_at IS NULL");
    kw_ok(f, args + 2); /* another crawler takes what is left */
    kill(a, SIGCONT);
    int sa;
    waitpid(a, &sa, 0);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    if (left < 3)
        fail_msg("the first crawl had read all but %lld sources: the test proves nothing",
                 (long long)left);
    int twice = 0;
    for (int i = 0; i < 10; i++) {
        int hits = kwt_http_hits(f->h, paths[i]);
        assert_true(hits == 1 || hits == 2);
        twice += hits == 2;
    }
    assert_true(twice <= 1);
    char said[4096];
    kwt_spawn_said(f->dir, a, said, sizeof said);
    assert_non_null(strstr(said, "ran out"));
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id <= 10 AND "
                                         "(lease_owner IS NOT NULL OR last_status <> 200)"),
                     0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 10);
}

/* A pass that outlasts its lease (ten sources on a host asking 0.5 s
 * between requests, a 3 s lease) keeps the sources it has not reached:
 * a second crawl started after the lease would have run out finds them
 * claimed, and no page is fetched twice. */
static void leases__are_extended_while_a_long_pass_runs(void **state)
{
    fixture *f = *state;
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z' "
                        "WHERE id > 10");
    const char *const args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                                "crawler.min_delay_ms=500", "--set", "crawler.max_per_host=1",
                                "--set", "crawler.lease=3s", "crawl", "--once", NULL};
    pid_t a = kwt_spawn(f->dir, args);
    struct timespec wait = {4, 0}; /* past the lease, before the pass ends (5 to 7.5 s) */
    nanosleep(&wait, NULL);
    int64_t left = kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id <= 10 AND "
                                       "last_fetched_at IS NULL");
    kw_ok(f, args + 2); /* a second crawl, past the first lease */
    int sa;
    waitpid(a, &sa, 0);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    if (left == 0)
        fail_msg("the first crawl was done within its lease: the test proves nothing");
    for (int i = 0; i < 10; i++)
        assert_int_equal(kwt_http_hits(f->h, paths[i]), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS NOT NULL"), 0);
}

/* PostgreSQL restarted or the network cut: a worker opens the database
 * again and goes on, and the sources it could not record are fetched. */
static void a_worker_that_loses_the_database_opens_it_again(void **state)
{
    fixture *f = *state;
    if (strncmp(f->url, "postgres", 8) != 0)
        skip(); /* SQLite has no connection to lose */
    kwt_sql_int(f->url, "UPDATE sources SET next_attempt_at = '2099-01-01T00:00:00Z' "
                        "WHERE id > 10");
    const char *const args[] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                                "crawler.min_delay_ms=400", "--set", "crawler.max_per_host=1",
                                "--set", "crawler.lease=3s", "worker", NULL};
    pid_t a = kwt_spawn(f->dir, args);
    struct timespec ts = {1, 200 * 1000 * 1000}; /* into the pass (4 to 6 s) */
    nanosleep(&ts, NULL);
    /* every connection to this test's database but this one, cut */
    assert_true(kwt_sql_int(f->url, "SELECT COUNT(pg_terminate_backend(pid)) FROM "
                                    "pg_stat_activity WHERE datname = current_database() AND "
                                    "pid <> pg_backend_pid()") >= 1);
    int64_t fetched = 0;
    for (int i = 0; i < 400 && fetched < 10; i++) {
        struct timespec t = {0, 50 * 1000 * 1000};
        nanosleep(&t, NULL);
        fetched = kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE id <= 10 AND "
                                      "last_fetched_at IS NOT NULL AND last_error IS NULL");
    }
    int alive = waitpid(a, NULL, WNOHANG) == 0;
    kill(a, SIGTERM);
    int sa;
    waitpid(a, &sa, 0);
    if (!alive || fetched != 10) { /* what the worker said */
        char said[1024]; /* its last words */
        kwt_spawn_said(f->dir, a, said, sizeof said);
        fail_msg("alive %d, %lld of 10 fetched; the worker said:\n%s", alive, (long long)fetched,
                 said);
    }
    assert_int_equal(fetched, 10);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_workers__fetch_every_source_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(leases__an_expired_one_is_taken_over_a_live_one_is_not, setup, teardown),
        cmocka_unit_test_setup_teardown(leases__are_extended_while_a_long_pass_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(a_worker_that_loses_the_database_opens_it_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(crawl_source__leaves_a_source_another_crawler_holds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_crawler_stopped_past_its_lease_leaves_its_sources_to_another, setup, teardown),
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
