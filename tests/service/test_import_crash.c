/*
 * Crash safety of `kolwatch import`: a real SIGKILL of the importing
 * process between batches, then the same import again. Runs on SQLite and
 * PostgreSQL.
 */
#include "testsupport.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINES 20000

static void write_mentions(const char *path, int from, int to, int with_rival)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = from; i < to; i++) {
        fprintf(f, "{\"brand\":\"Acme\",\"url\":\"https://news.example.com/a/%d\","
                   "\"text\":\"Acme item %d\",\"platform\":\"%s\","
                   "\"published_at\":\"2026-10-%02dT%02d:%02d:00Z\",\"views\":%d}\n",
                i, i, i % 3 ? "weibo" : "news", 1 + i % 28, i % 24, i % 60, i % 1000);
        if (with_rival && i % 5 == 0)
            fprintf(f, "{\"brand\":\"Rival\",\"url\":\"https://news.example.com/a/%d\","
                       "\"text\":\"Acme item %d\"}\n", i, i);
    }
    fclose(f);
}

static void run_ok(const char *dir, const char *url, const char *const *args)
{
    const char *full[16] = {"--db", url};
    int n = 2;
    for (int i = 0; args[i]; i++)
        full[n++] = args[i];
    full[n] = NULL;
    kwt_run r = kwt_kolwatch(dir, NULL, full);
    if (r.status != 0)
        fail_msg("kolwatch %s exited %d: %s", args[0], r.status, r.err);
    kwt_run_free(&r);
}

static void check_consistent(const char *url, int64_t mentions, int64_t links)
{
    assert_int_equal(kwt_sql_int(url, "SELECT COUNT(*) FROM mentions"), mentions);
    assert_int_equal(kwt_sql_int(url, "SELECT COUNT(DISTINCT canonical_url) FROM mentions"),
                     mentions);
    assert_int_equal(kwt_sql_int(url, "SELECT COUNT(*) FROM mention_brands"), links);
    /* Buckets agree with the mentions, per brand and platform. */
    assert_int_equal(kwt_sql_int(url, "SELECT COALESCE(SUM(n_all), 0) FROM buckets"), links);
    assert_int_equal(
        kwt_sql_int(url,
                    "SELECT COUNT(*) FROM (SELECT mb.brand_id, m.platform, COUNT(*) AS n "
                    "FROM mention_brands mb JOIN mentions m ON m.id = mb.mention_id "
                    "GROUP BY mb.brand_id, m.platform) t WHERE t.n <> (SELECT "
                    "SUM(b.n_all) FROM buckets b WHERE b.brand_id = t.brand_id AND "
                    "b.platform = t.platform)"),
        0);
    assert_int_equal(
        kwt_sql_int(url, "SELECT COALESCE(SUM(reach), 0) FROM buckets WHERE brand_id = "
                         "(SELECT id FROM brands WHERE name = 'Acme')"),
        kwt_sql_int(url, "SELECT COALESCE(SUM(m.reach), 0) FROM mentions m JOIN "
                         "mention_brands mb ON mb.mention_id = m.id JOIN brands b ON "
                         "b.id = mb.brand_id WHERE b.name = 'Acme'"));
}

static void sigkill_mid_import__then_same_import_stores_each_mention_once(void **state)
{
    (void)state;
    char *dir = kwt_tempdir(), *url = kwt_new_db(dir), path[4096];
    snprintf(path, sizeof path, "%s/big.jsonl", dir);
    write_mentions(path, 0, LINES, 1);
    run_ok(dir, url, (const char *const[]){"init", NULL});
    run_ok(dir, url, (const char *const[]){"brand", "add", "Acme", NULL});
    run_ok(dir, url, (const char *const[]){"brand", "add", "Rival", NULL});

    pid_t pid = kwt_spawn(dir, (const char *const[]){"--db", url, "--set",
                                                     "import.batch_size=250", "import",
                                                     "mentions", path, NULL});
    /* Wait for the first committed batch, then kill without warning. */
    int64_t seen = 0;
    for (int i = 0; i < 20000 && seen == 0; i++) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        seen = kwt_sql_int(url, "SELECT COUNT(*) FROM mentions");
    }
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st));
    int64_t after_kill = kwt_sql_int(url, "SELECT COUNT(*) FROM mentions");
    assert_true(after_kill > 0);
    assert_true(after_kill < LINES);
    if (strcmp(kwt_backend(), "sqlite") == 0)
        assert_int_equal(kwt_sql_int(url, "SELECT COUNT(*) FROM pragma_integrity_check "
                                          "WHERE integrity_check <> 'ok'"),
                         0);
    /* Whatever was committed is whole: links and buckets match. */
    check_consistent(url, after_kill, kwt_sql_int(url, "SELECT COUNT(*) FROM mention_brands"));

    run_ok(dir, url, (const char *const[]){"import", "mentions", path, NULL});
    check_consistent(url, LINES, LINES + LINES / 5);
    kwt_rmtree(dir);
    free(dir);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigkill_mid_import__then_same_import_stores_each_mention_once),
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
