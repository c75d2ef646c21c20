/*
 * The partner registry from the command line, on SQLite and PostgreSQL:
 * partners, accounts and tiers, quotes and their history, campaigns and
 * candidates, and the errors a user meets.
 */
#include "testsupport.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    char *dir, *url;
} fixture;

#define KW(f, ...)                                                             \
    kwt_kolwatch((f)->dir, NULL, (const char *const[]){"--db", (f)->url, __VA_ARGS__, NULL})

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    kwt_run r = KW(f, "init");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    return 0;
}

/* Run a creating command and return the id it prints. */
#define CREATE(f, ...)                                                         \
    ({                                                                         \
        kwt_run r_ = KW(f, __VA_ARGS__);                                       \
        if (r_.status != 0)                                                    \
            fail_msg("exit %d: %s", r_.status, r_.err);                        \
        long long id_ = strtoll(r_.out, NULL, 10);                             \
        assert_true(id_ > 0);                                                  \
        kwt_run_free(&r_);                                                     \
        id_;                                                                   \
    })

static cJSON *json_of(fixture *f, const char *const *args)
{
    const char *full[24] = {"--db", f->url};
    int n = 2;
    for (int i = 0; args[i]; i++)
        full[n++] = args[i];
    full[n] = NULL;
    kwt_run r = kwt_kolwatch(f->dir, NULL, full);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    cJSON *o = cJSON_Parse(r.out);
    assert_non_null(o);
    kwt_run_free(&r);
    return o;
}

static double num_of(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("%s is not a number", key);
    return v->valuedouble;
}

static void partner__add_show_with_accounts_and_tier_from_followers(void **state)
{
    fixture *f = *state;
    char pid[32];
    long long p = CREATE(f, "partner", "add", "--name", "小鹿", "--type", "kol", "--agency",
                         "星河MCN", "--tag", "beauty", "--tag", "skincare");
    snprintf(pid, sizeof pid, "%lld", p);
    CREATE(f, "partner", "account", "add", pid, "--platform", "xiaohongshu", "--handle",
           "xiaolu", "--followers", "49999", "--avg-views", "8000", "--engagement-rate", "0.05");
    CREATE(f, "partner", "account", "add", pid, "--platform", "douyin", "--handle", "xiaolu_dy",
           "--followers", "3000000");
    cJSON *o = json_of(f, (const char *const[]){"partner", "show", pid, "--format", "json", NULL});
    assert_string_equal(cJSON_GetObjectItem(o, "name")->valuestring, "小鹿");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")), 2);
    cJSON *acc = cJSON_GetObjectItem(o, "accounts");
    assert_int_equal(cJSON_GetArraySize(acc), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(acc, 0), "tier")->valuestring, "初级");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(acc, 1), "tier")->valuestring, "头部");
    cJSON_Delete(o);
    /* One more follower moves the account up a tier; the history keeps both. */
    kwt_run r = KW(f, "partner", "account", "edit", "1", "--followers", "50000");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    o = json_of(f, (const char *const[]){"partner", "show", pid, "--format", "json", NULL});
    acc = cJSON_GetObjectItem(o, "accounts");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(acc, 0), "tier")->valuestring, "腰部");
    cJSON *hist = cJSON_GetObjectItem(cJSON_GetArrayItem(acc, 0), "follower_history");
    assert_int_equal(cJSON_GetArraySize(hist), 2);
    assert_int_equal(num_of(cJSON_GetArrayItem(hist, 0), "followers"), 49999);
    assert_int_equal(num_of(cJSON_GetArrayItem(hist, 1), "followers"), 50000);
    cJSON_Delete(o);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM account_followers WHERE account_id = 1"), 2);
}

static void partner__tiers_follow_the_configuration(void **state)
{
    fixture *f = *state;
    CREATE(f, "partner", "add", "--name", "Ann", "--type", "koc");
    CREATE(f, "partner", "account", "add", "1", "--platform", "instagram", "--handle", "ann",
           "--followers", "2000");
    cJSON *o = json_of(f, (const char *const[]){"--set", "registry.tiers_other=small:0,big:1500",
                                                "partner", "show", "1", "--format", "json", NULL});
    cJSON *acc = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "accounts"), 0);
    assert_string_equal(cJSON_GetObjectItem(acc, "tier")->valuestring, "big");
    cJSON_Delete(o);
}

static void partner__bad_input_is_refused_with_the_reason(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "partner", "add", "--name", "X", "--type", "celebrity");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "kol"));
    kwt_run_free(&r);
    r = KW(f, "partner", "add", "--name", "X");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = KW(f, "partner", "show", "99");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "99"));
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "a");
    r = KW(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "a");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already registered"));
    kwt_run_free(&r);
    r = KW(f, "partner", "account", "add", "1", "--platform", "myspace", "--handle", "b");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = KW(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "c",
           "--engagement-rate", "5");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
}

static void quote__prices_are_never_overwritten(void **state)
{
    fixture *f = *state;
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price",
           "10000", "--net", "8500");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price",
           "12000.50");
    cJSON *o = json_of(f, (const char *const[]){"quote", "list", "--partner", "1", "--format",
                                                "json", NULL});
    cJSON *items = cJSON_GetObjectItem(o, "items");
    assert_int_equal(cJSON_GetArraySize(items), 2);
    int found_old = 0, found_new = 0;
    cJSON *q;
    cJSON_ArrayForEach(q, items)
    {
        double list = cJSON_GetObjectItem(q, "list_price")->valuedouble;
        double net = cJSON_GetObjectItem(q, "net_price")->valuedouble;
        if (list == 1000000) {
            found_old = 1;
            assert_true(net == 850000);
            assert_true(cJSON_GetObjectItem(q, "rebate")->valuedouble > 0.149 &&
                        cJSON_GetObjectItem(q, "rebate")->valuedouble < 0.151);
        }
        if (list == 1200050)
            found_new = 1, assert_true(net == 1200050);
        assert_string_equal(cJSON_GetObjectItem(q, "currency")->valuestring, "CNY");
    }
    assert_true(found_old && found_new);
    cJSON_Delete(o);
}

static void quote__modes_need_their_terms_and_money_its_digits(void **state)
{
    fixture *f = *state;
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    const char *bad[][12] = {
        {"quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "1.234", NULL},
        {"quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "100", "--mode", "commission"},
        {"quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "0", "--mode", "barter"},
        {"quote", "add", "1", "--platform", "weibo", "--deliverable", "reel", "--price", "100", NULL},
        {"quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "100", "--bonus", "5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[16] = {"--db", f->url};
        int n = 2;
        for (int k = 0; k < 12 && bad[i][k]; k++)
            args[n++] = bad[i][k];
        args[n] = NULL;
        kwt_run r = kwt_kolwatch(f->dir, NULL, args);
        assert_int_equal(r.status, 2);
        kwt_run_free(&r);
    }
    kwt_run r = KW(f, "quote", "add", "7", "--platform", "weibo", "--deliverable", "post",
                   "--price", "100");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "partner 7"));
    kwt_run_free(&r);
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price",
           "1500", "--currency", "JPY");
    r = KW(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price",
           "1500.5", "--currency", "JPY");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
}

static void campaign__add_candidates_once_each(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Lumi");
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "100");
    long long c = CREATE(f, "campaign", "add", "--brand", "Lumi", "--name", "Launch",
                         "--objective", "reach", "--budget", "50000", "--start", "2026-11-01",
                         "--end", "2026-11-11");
    char cid[32];
    snprintf(cid, sizeof cid, "%lld", c);
    CREATE(f, "campaign", "candidate", "add", cid, "1", "--expected-reach", "40000",
           "--expected-gmv", "1000.50");
    r = KW(f, "campaign", "candidate", "add", cid, "1");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already in campaign"));
    kwt_run_free(&r);
    cJSON *o = json_of(f, (const char *const[]){"campaign", "show", cid, "--format", "json", NULL});
    assert_int_equal((int)cJSON_GetObjectItem(o, "budget")->valuedouble, 5000000);
    assert_string_equal(cJSON_GetObjectItem(o, "start")->valuestring, "2026-11-01");
    cJSON *cand = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "deliverables"), 0);
    assert_string_equal(cJSON_GetObjectItem(cand, "state")->valuestring, "candidate");
    assert_int_equal((int)cJSON_GetObjectItem(cand, "expected_gmv")->valuedouble, 100050);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cand, "expected_engagements")));
    cJSON_Delete(o);
    r = KW(f, "campaign", "add", "--brand", "Nobody", "--name", "X", "--objective", "reach",
           "--budget", "1");
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
    r = KW(f, "campaign", "add", "--brand", "Lumi", "--name", "X", "--objective", "fame",
           "--budget", "1");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = KW(f, "campaign", "add", "--brand", "Lumi", "--name", "X", "--objective", "reach",
           "--budget", "1", "--start", "2026-11-11", "--end", "2026-11-01");
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
}

static void partner_rm__removes_accounts_and_quotes(void **state)
{
    fixture *f = *state;
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "a");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price", "100");
    kwt_run r = KW(f, "partner", "rm", "1");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM accounts"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM quotes"), 0);
}


static void deliverables__move_forward_only_and_results_give_unit_costs(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Lumi");
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "a",
           "--followers", "100000");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post", "--price",
           "10000", "--net", "8000");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "video_mid",
           "--price", "20000", "--mode", "hybrid", "--commission-rate", "0.1", "--bonus", "1000",
           "--bonus-threshold", "50000");
    CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "note", "--price",
           "0", "--mode", "barter", "--product-value", "300", "--shipping", "20");
    CREATE(f, "campaign", "add", "--brand", "Lumi", "--name", "L", "--objective", "reach",
           "--budget", "50000");
    long long cand = CREATE(f, "campaign", "candidate", "add", "1", "1");
    /* Planning a candidate's quote plans that candidate, not a second row. */
    long long planned = CREATE(f, "campaign", "deliverable", "add", "1", "1");
    assert_int_equal(planned, cand);
    CREATE(f, "campaign", "deliverable", "add", "1", "2", "--price", "18000");
    CREATE(f, "campaign", "deliverable", "add", "1", "3");

    r = KW(f, "campaign", "deliverable", "set", "1", "--state", "published");
    assert_int_equal(r.status, 2); /* no post URL */
    kwt_run_free(&r);
    r = KW(f, "campaign", "deliverable", "set", "1", "--state", "published", "--post-url",
           "https://weibo.example.com/p/1");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, "campaign", "deliverable", "set", "1", "--state", "contracted");
    assert_int_equal(r.status, 1); /* no way back */
    assert_non_null(strstr(r.err, "only move on"));
    kwt_run_free(&r);
    r = KW(f, "campaign", "deliverable", "set", "2", "--state", "contracted");
    kwt_run_free(&r);

    /* Before results: deliverable 1 spent its net price, the hybrid its fee,
     * the planned barter nothing yet. */
    cJSON *o = json_of(f, (const char *const[]){"campaign", "show", "1", "--format", "json", NULL});
    cJSON *ds = cJSON_GetObjectItem(o, "deliverables");
    assert_int_equal(num_of(cJSON_GetArrayItem(ds, 0), "spend"), 800000);
    assert_int_equal(num_of(cJSON_GetArrayItem(ds, 1), "spend"), 1800000);
    assert_int_equal(num_of(cJSON_GetArrayItem(ds, 2), "spend"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ds, 0), "cpm")));
    cJSON_Delete(o);

    CREATE(f, "campaign", "result", "add", "1", "--impressions", "40000", "--likes", "900",
           "--comments", "100", "--clicks", "400");
    CREATE(f, "campaign", "result", "add", "2", "--impressions", "40000", "--gmv", "50000",
           "--conversions", "40", "--at", "2026-11-01T00:00:00Z");
    /* A later snapshot supersedes: the bonus is earned at 60,000. */
    CREATE(f, "campaign", "result", "add", "2", "--impressions", "60000", "--gmv", "50000",
           "--conversions", "40", "--at", "2026-11-02T00:00:00Z");
    o = json_of(f, (const char *const[]){"campaign", "results", "1", "--format", "json", NULL});
    cJSON *items = cJSON_GetObjectItem(o, "items");
    cJSON *d1 = cJSON_GetArrayItem(items, 0), *d2 = cJSON_GetArrayItem(items, 1);
    assert_int_equal(num_of(d1, "cpm"), 800000 * 1000 / 40000);  /* spend / impressions x 1000 */
    assert_int_equal(num_of(d1, "cpe"), 800000 / 1000);
    assert_int_equal(num_of(d1, "cpc"), 800000 / 400);
    assert_true(num_of(d1, "engagement_rate") > 0.0099 && num_of(d1, "engagement_rate") < 0.0101);
    /* hybrid: fee 18000 + 10% of 50000 GMV + the 1000 bonus */
    assert_int_equal(num_of(d2, "spend"), 1800000 + 500000 + 100000);
    assert_int_equal(num_of(d2, "cpa"), 2400000 / 40);
    assert_true(num_of(d2, "roi") > 2.08 && num_of(d2, "roi") < 2.09); /* GMV / spend */
    cJSON_Delete(o);
    o = json_of(f, (const char *const[]){"campaign", "results", "1", "--by", "campaign",
                                         "--format", "json", NULL});
    cJSON *tot = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_int_equal(num_of(tot, "spend"), 800000 + 2400000);
    assert_int_equal(num_of(tot, "impressions"), 100000);
    cJSON_Delete(o);
}

static void fair_price__flags_a_quote_above_the_median_of_past_results(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Lumi");
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "partner", "account", "add", "1", "--platform", "weibo", "--handle", "a",
           "--followers", "100000", "--avg-views", "50000");
    CREATE(f, "campaign", "add", "--brand", "Lumi", "--name", "Past", "--objective", "reach",
           "--budget", "100000");
    /* Three past posts at CPM 100, 200 (median) and 900 CNY. */
    const char *prices[] = {"1000", "2000", "9000"};
    for (int i = 0; i < 3; i++) {
        char qid[16];
        snprintf(qid, sizeof qid, "%lld",
                 CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post",
                        "--price", prices[i]));
        char did[16];
        snprintf(did, sizeof did, "%lld", CREATE(f, "campaign", "deliverable", "add", "1", qid));
        kwt_run r2 = KW(f, "campaign", "deliverable", "set", did, "--state", "contracted");
        kwt_run_free(&r2);
        CREATE(f, "campaign", "result", "add", did, "--impressions", "10000");
    }
    /* New quotes, each expected to reach the account's 50,000 average views. */
    long long fair = CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable",
                            "post", "--price", "11000"); /* CPM 220: +10% */
    long long dear = CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable",
                            "post", "--price", "15000"); /* CPM 300: +50% */
    cJSON *o = json_of(f, (const char *const[]){"quote", "list", "--format", "json", NULL});
    cJSON *q;
    int seen = 0;
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(o, "items"))
    {
        long long id = (long long)num_of(q, "id");
        if (id != fair && id != dear)
            continue;
        seen++;
        assert_int_equal(num_of(q, "benchmark_cpm"), 20000);
        assert_int_equal(num_of(q, "benchmark_results"), 3);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(q, "reach_estimated")));
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(q, "flagged")), id == dear);
        assert_true(num_of(q, "above_benchmark_pct") > (id == dear ? 49.0 : 9.0));
    }
    assert_int_equal(seen, 2);
    cJSON_Delete(o);
    o = json_of(f, (const char *const[]){"quote", "list", "--flagged", "--format", "json", NULL});
    /* Judged on the account's 50,000 views, only the dear quote is above. */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON_Delete(o);
}

static void csv__chinese_headers_all_or_nothing_and_export_round_trip(void **state)
{
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/p.csv", f->dir);
    kwt_write_file(path,
                   "\xEF\xBB\xBF达人名称,类型,机构,标签,平台,账号,粉丝数,互动率\r\n"
                   "小鹿,KOL,星河MCN,美妆、护肤,小红书,xiaolu,12万,3.5%\r\n"
                   "小鹿,KOL,,,抖音,xiaolu_dy,50000,\r\n"
                   "\"Ann, the Baker\",koc,,baking;food,instagram,ann,2000,0.08\r\n",
                   (size_t)-1);
    kwt_run r = KW(f, "import", "partners", "p.csv");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 new partners, 3 accounts"));
    kwt_run_free(&r);
    cJSON *o = json_of(f, (const char *const[]){"partner", "show", "1", "--format", "json", NULL});
    cJSON *acc = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "accounts"), 0);
    assert_int_equal(num_of(acc, "followers"), 120000);
    assert_true(num_of(acc, "engagement_rate") > 0.0349 && num_of(acc, "engagement_rate") < 0.0351);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "tags")), 2);
    cJSON_Delete(o);

    snprintf(path, sizeof path, "%s/q.csv", f->dir);
    kwt_write_file(path,
                   "达人,平台,形式,刊例价,净价,合作方式,佣金比例\n"
                   "小鹿,小红书,图文,12000,10000,付费,\n"
                   "小鹿,抖音,视频,30000,,混合,10%\n"
                   "Nobody,微博,直发,100,,付费,\n"
                   "小鹿,微博,直发,1.234,,付费,\n",
                   (size_t)-1);
    r = KW(f, "import", "quotes", "q.csv");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "row 4"));
    assert_non_null(strstr(r.err, "row 5"));
    assert_non_null(strstr(r.err, "nothing was imported"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM quotes"), 0);

    kwt_write_file(path,
                   "达人,平台,形式,刊例价,净价,合作方式,佣金比例\n"
                   "小鹿,小红书,图文,12000,10000,付费,\n"
                   "小鹿,抖音,视频,30000,,混合,10%\n",
                   (size_t)-1);
    r = KW(f, "import", "quotes", "q.csv");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    /* Export, import into a fresh database, export again: the same text. */
    kwt_run e1 = KW(f, "export", "quotes");
    assert_int_equal(e1.status, 0);
    assert_non_null(strstr(e1.out, "小鹿,douyin,video_mid,30000.00,,CNY,hybrid,,,0.1"));
    kwt_run p1 = KW(f, "export", "partners");
    char p2[4096], q2[4096];
    snprintf(p2, sizeof p2, "%s/p2.csv", f->dir);
    snprintf(q2, sizeof q2, "%s/q2.csv", f->dir);
    kwt_write_file(p2, p1.out, (size_t)-1);
    kwt_write_file(q2, e1.out, (size_t)-1);
    fixture g = {.dir = f->dir, .url = kwt_new_db(f->dir)};
    r = KW(&g, "init");
    kwt_run_free(&r);
    r = KW(&g, "import", "partners", "p2.csv");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(&g, "import", "quotes", "q2.csv");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    kwt_run e2 = KW(&g, "export", "quotes"), p3 = KW(&g, "export", "partners");
    assert_string_equal(e1.out, e2.out);
    assert_string_equal(p1.out, p3.out);
    kwt_run_free(&e1);
    kwt_run_free(&e2);
    kwt_run_free(&p1);
    kwt_run_free(&p3);
    free(g.url);
}

static void partner_show__reports_negative_mentions_written_by_its_accounts(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Lumi");
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "小鹿", "--type", "kol");
    CREATE(f, "partner", "account", "add", "1", "--platform", "xiaohongshu", "--handle", "XiaoLu");
    r = kwt_kolwatch(f->dir,
                     "{\"brand\":\"Lumi\",\"url\":\"https://x.example.com/1\",\"text\":\"t1\",\"author\":\"xiaolu\",\"platform\":\"xiaohongshu\"}\n"
                     "{\"brand\":\"Lumi\",\"url\":\"https://x.example.com/2\",\"text\":\"t2\",\"author\":\"xiaolu\",\"platform\":\"xiaohongshu\"}\n"
                     "{\"brand\":\"Lumi\",\"url\":\"https://x.example.com/3\",\"text\":\"t3\",\"author\":\"xiaolu\",\"platform\":\"weibo\"}\n",
                     (const char *const[]){"--db", f->url, "import", "mentions", "-", NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    /* Imported mentions by the partner's account are linked to the partner. */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE partner_id = 1"), 2);
    kwt_sql_int(f->url, "UPDATE mentions SET label = 'positive'");
    cJSON *o = json_of(f, (const char *const[]){"partner", "show", "1", "--format", "json", NULL});
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(o, "risk")));
    cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "mentions_written"), 0);
    assert_int_equal(num_of(w, "mentions"), 2); /* not the weibo one: another platform */
    cJSON_Delete(o);
    kwt_sql_int(f->url, "UPDATE mentions SET label = 'negative' WHERE url = 'https://x.example.com/2'");
    o = json_of(f, (const char *const[]){"partner", "show", "1", "--format", "json", NULL});
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "risk")));
    w = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "mentions_written"), 0);
    assert_string_equal(cJSON_GetObjectItem(w, "brand")->valuestring, "Lumi");
    assert_int_equal(num_of(w, "negative"), 1);
    cJSON_Delete(o);
}

static void budget__json_contract_and_the_best_plan_within_budget(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Lumi");
    kwt_run_free(&r);
    CREATE(f, "partner", "add", "--name", "A", "--type", "kol");
    CREATE(f, "partner", "add", "--name", "B", "--type", "koc");
    CREATE(f, "partner", "add", "--name", "C", "--type", "kol");
    CREATE(f, "partner", "account", "add", "2", "--platform", "xiaohongshu", "--handle", "b",
           "--followers", "8000", "--avg-views", "3000", "--engagement-rate", "0.08");
    /* Budget 10,000 CNY; reach is the objective. */
    long long a1 = CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable", "post",
                          "--price", "6000");
    long long a2 = CREATE(f, "quote", "add", "1", "--platform", "weibo", "--deliverable",
                          "video_mid", "--price", "9000");
    long long b1 = CREATE(f, "quote", "add", "2", "--platform", "xiaohongshu", "--deliverable",
                          "note", "--price", "0", "--mode", "barter", "--product-value", "300",
                          "--shipping", "20");
    long long c1 = CREATE(f, "quote", "add", "3", "--platform", "weibo", "--deliverable", "post",
                          "--price", "4000");
    long long u1 = CREATE(f, "quote", "add", "3", "--platform", "x", "--deliverable", "post",
                          "--price", "100", "--currency", "USD");
    CREATE(f, "campaign", "add", "--brand", "Lumi", "--name", "L", "--objective", "reach",
           "--budget", "10000");
    char q[16];
    snprintf(q, sizeof q, "%lld", a1);
    CREATE(f, "campaign", "candidate", "add", "1", q, "--expected-reach", "50000");
    snprintf(q, sizeof q, "%lld", a2);
    CREATE(f, "campaign", "candidate", "add", "1", q, "--expected-reach", "70000");
    snprintf(q, sizeof q, "%lld", b1);
    CREATE(f, "campaign", "candidate", "add", "1", q); /* reach from the account */
    snprintf(q, sizeof q, "%lld", c1);
    CREATE(f, "campaign", "candidate", "add", "1", q, "--expected-reach", "30000");
    snprintf(q, sizeof q, "%lld", u1);
    CREATE(f, "campaign", "candidate", "add", "1", q, "--expected-reach", "1000");

    r = KW(f, "budget", "1", "--format", "json");
    assert_int_equal(r.status, 1); /* a USD quote against a CNY budget needs a rate */
    assert_non_null(strstr(r.err, "--rate USD="));
    kwt_run_free(&r);

    cJSON *o = json_of(f, (const char *const[]){"budget", "1", "--rate", "USD=7.1", "--format",
                                                "json", NULL});
    const char *top[] = {"campaign", "currency", "budget", "objective", "candidates", "plan"};
    for (int i = 0; i < 6; i++)
        assert_non_null(cJSON_GetObjectItem(o, top[i]));
    assert_int_equal(num_of(o, "budget"), 1000000);
    const char *keys[] = {"quote_id", "partner", "platform", "deliverable", "mode",
                          "expected_cost", "expected_reach", "expected_engagements",
                          "expected_conversions", "cpm", "cpe", "benchmark_cpm",
                          "above_benchmark_pct", "over_budget"};
    cJSON *cand;
    cJSON_ArrayForEach(cand, cJSON_GetObjectItem(o, "candidates"))
    {
        for (int i = 0; i < 14; i++)
            assert_non_null(cJSON_GetObjectItem(cand, keys[i]));
        if ((long long)num_of(cand, "quote_id") == b1) {
            assert_int_equal(num_of(cand, "expected_cost"), 32000); /* product + shipping */
            assert_int_equal(num_of(cand, "expected_reach"), 3000);
            assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cand, "reach_estimated")));
        }
        if ((long long)num_of(cand, "quote_id") == u1)
            assert_int_equal(num_of(cand, "expected_cost"), 71000); /* 100 USD at 7.1 */
    }
    cJSON *plan = cJSON_GetObjectItem(o, "plan");
    const char *pkeys[] = {"selected", "total_cost", "objective_value", "remaining", "optimal",
                           "upper_bound"};
    for (int i = 0; i < 6; i++)
        assert_non_null(cJSON_GetObjectItem(plan, pkeys[i]));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(plan, "optimal")));
    /* One deliverable per partner. Greedy by reach per yuan would take B's
     * note first and end at 54,000; the best plan is A's post and C's post,
     * exactly 10,000 for 80,000, leaving B's note no room. */
    cJSON *sel = cJSON_GetObjectItem(plan, "selected");
    assert_int_equal(cJSON_GetArraySize(sel), 2);
    assert_int_equal((long long)cJSON_GetArrayItem(sel, 0)->valuedouble, a1);
    assert_int_equal((long long)cJSON_GetArrayItem(sel, 1)->valuedouble, c1);
    assert_int_equal(num_of(plan, "objective_value"), 80000);
    assert_int_equal(num_of(plan, "total_cost"), 1000000);
    assert_int_equal(num_of(plan, "remaining"), 1000000 - num_of(plan, "total_cost"));
    assert_int_equal(num_of(plan, "upper_bound"), num_of(plan, "objective_value"));
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(partner__add_show_with_accounts_and_tier_from_followers),
        T(partner__tiers_follow_the_configuration),
        T(partner__bad_input_is_refused_with_the_reason),
        T(quote__prices_are_never_overwritten),
        T(quote__modes_need_their_terms_and_money_its_digits),
        T(campaign__add_candidates_once_each),
        T(partner_rm__removes_accounts_and_quotes),
        T(deliverables__move_forward_only_and_results_give_unit_costs),
        T(fair_price__flags_a_quote_above_the_median_of_past_results),
        T(csv__chinese_headers_all_or_nothing_and_export_round_trip),
        T(partner_show__reports_negative_mentions_written_by_its_accounts),
        T(budget__json_contract_and_the_best_plan_within_budget),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
