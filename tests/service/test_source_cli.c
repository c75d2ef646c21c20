/*
 * `kolwatch source`: adding, listing with health, editing and removing the
 * sources the crawler collects, with the rules checked as they are given.
 * Runs on SQLite and PostgreSQL.
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

static cJSON *list_json(fixture *f)
{
    kwt_run r = KW(f, "source", "list", "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = cJSON_Parse(r.out);
    assert_non_null(o);
    kwt_run_free(&r);
    return o;
}

static void add__checks_kind_url_rules_and_prints_the_id(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.com/f/1",
                   "--platform", "forum", "--every", "30m", "--rule", "item=//div[@class='post']",
                   "--rule", "text=.//p");
    assert_int_equal(r.status, 0);
    assert_true(strtoll(r.out, NULL, 10) > 0);
    kwt_run_free(&r);
    const char *bad[][12] = {
        {"source", "add", "--kind", "html", "--url", "https://e.com", "--platform", "forum", "--rule", "item=//div[", NULL},
        {"source", "add", "--kind", "html", "--url", "https://e.com", "--platform", "forum", "--rule", "body=//p", NULL},
        {"source", "add", "--kind", "json", "--url", "https://e.com", "--platform", "weibo", "--rule", "items=data", NULL},
        {"source", "add", "--kind", "feed", "--url", "https://e.com", "--platform", "news", "--rule", "item=//x", NULL},
        {"source", "add", "--kind", "feed", "--url", "ftp://e.com/feed", "--platform", "news", NULL},
        {"source", "add", "--kind", "rss", "--url", "https://e.com/feed", "--platform", "news", NULL},
        {"source", "add", "--kind", "feed", "--url", "https://e.com/feed", "--platform", "news", "--every", "10s", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[16] = {"--db", f->url};
        int n = 2;
        for (int k = 0; k < 12 && bad[i][k]; k++)
            args[n++] = bad[i][k];
        args[n] = NULL;
        r = kwt_kolwatch(f->dir, NULL, args);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.out, "");
        kwt_run_free(&r);
    }
    r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.com/f/1",
           "--platform", "forum");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already fetches"));
    kwt_run_free(&r);
    cJSON *o = list_json(f);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_int_equal((int)cJSON_GetObjectItem(s, "every_s")->valuedouble, 1800);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "text")->valuestring, ".//p");
    /* Health is there before the first fetch: nothing yet, no failures. */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(s, "last_status")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(s, "last_error")));
    assert_int_equal((int)cJSON_GetObjectItem(s, "consecutive_failures")->valuedouble, 0);
    cJSON_Delete(o);
}

static void edit_and_rm__change_rules_schedule_and_state(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "source", "add", "--kind", "json", "--url", "https://api.example.com/l",
                   "--platform", "weibo", "--rule", "items=/data/list", "--rule", "text=/content");
    kwt_run_free(&r);
    r = KW(f, "source", "edit", "1", "--rule", "text=/body/text", "--every", "1h", "--disable");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    cJSON *o = list_json(f);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "text")->valuestring, "/body/text");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "items")->valuestring, "/data/list");
    assert_int_equal((int)cJSON_GetObjectItem(s, "every_s")->valuedouble, 3600);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "enabled")));
    cJSON_Delete(o);
    r = KW(f, "source", "edit", "1", "--clear-rules");
    kwt_run_free(&r);
    o = list_json(f);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "text"));
    cJSON_Delete(o);
    r = KW(f, "source", "rm", "1");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, "source", "rm", "1");
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
}

static void a_published_deliverable__is_tracked_as_an_html_source(void **state)
{
    fixture *f = *state;
    const char *steps[][12] = {
        {"brand", "add", "Lumi", NULL},
        {"partner", "add", "--name", "A", "--type", "kol", NULL},
        {"quote", "add", "1", "--platform", "xiaohongshu", "--deliverable", "note", "--price", "100", NULL},
        {"campaign", "add", "--brand", "Lumi", "--name", "L", "--objective", "reach", "--budget", "1000"},
        {"campaign", "deliverable", "add", "1", "1", NULL},
        {"campaign", "deliverable", "set", "1", "--state", "published", "--post-url",
         "https://www.xiaohongshu.example.com/explore/abc", NULL},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const char *args[16] = {"--db", f->url};
        int n = 2;
        for (int k = 0; k < 12 && steps[i][k]; k++)
            args[n++] = steps[i][k];
        args[n] = NULL;
        kwt_run r = kwt_kolwatch(f->dir, NULL, args);
        if (r.status != 0)
            fail_msg("%s %s: %s", steps[i][0], steps[i][1], r.err);
        kwt_run_free(&r);
    }
    cJSON *o = list_json(f);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_non_null(s);
    assert_string_equal(cJSON_GetObjectItem(s, "kind")->valuestring, "html");
    assert_string_equal(cJSON_GetObjectItem(s, "platform")->valuestring, "xiaohongshu");
    assert_string_equal(cJSON_GetObjectItem(s, "url")->valuestring,
                        "https://www.xiaohongshu.example.com/explore/abc");
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(add__checks_kind_url_rules_and_prints_the_id),
        T(edit_and_rm__change_rules_schedule_and_state),
        T(a_published_deliverable__is_tracked_as_an_html_source),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
