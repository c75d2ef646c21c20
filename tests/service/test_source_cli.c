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
    assert_null(strstr(r.err, "note"));
    kwt_run_free(&r);
    const char *bad[][12] = {
        {"source", "add", "--kind", "html", "--url", "https://e.com", "--platform", "forum", "--rule", "item=//div[", NULL},
        {"source", "add", "--kind", "html", "--url", "https://e.com", "--platform", "forum", "--rule", "body=//p", NULL},
        {"source", "add", "--kind", "json", "--url", "https://e.com", "--platform", "weibo", "--rule", "items=data", NULL},
        {"source", "add", "--kind", "json", "--url", "https://e.com", "--platform", "weibo", "--rule", "items=/data", NULL},
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
    /* the same URL however written: case of scheme and host, default port,
     * fragment */
    const char *again[] = {"https://bbs.example.com/f/1", "HTTPS://BBS.Example.com:443/f/1",
                           "https://bbs.example.com/f/1#top"};
    for (int i = 0; i < 3; i++) {
        r = KW(f, "source", "add", "--kind", "html", "--url", again[i], "--platform", "forum");
        assert_int_equal(r.status, 1);
        assert_non_null(strstr(r.err, "source 1 already fetches https://bbs.example.com/f/1"));
        kwt_run_free(&r);
    }
    r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.com/f/2",
           "--platform", "forum");
    kwt_run_free(&r);
    r = KW(f, "source", "edit", "2", "--url", "https://BBS.example.com/f/1#x");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already fetches"));
    kwt_run_free(&r);
    r = KW(f, "source", "rm", "2");
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
    /* a text rule from the page's root: added, with a note on what was
     * most likely meant */
    char added[32];
    r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.com/f/2",
           "--platform", "forum", "--rule", "item=//div[@class='post']", "--rule", "text=//p");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "starts at the page's root"));
    assert_non_null(strstr(r.err, "(.//p)"));
    snprintf(added, sizeof added, "%lld", strtoll(r.out, NULL, 10));
    kwt_run_free(&r);
    r = KW(f, "source", "rm", added); /* the rest of this test counts its own */
    kwt_run_free(&r);
    r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.com/f/3",
           "--platform", "forum", "--rule", "item=//div[@class='post']", "--rule",
           "author=//span", "--rule", "title=//title");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "every item gets the same author"));
    assert_null(strstr(r.err, "same title")); /* a thread's title for its posts is fine */
    snprintf(added, sizeof added, "%lld", strtoll(r.out, NULL, 10));
    kwt_run_free(&r);
    r = KW(f, "source", "rm", added);
    kwt_run_free(&r);
}

static void tz__sets_the_zone_of_zoneless_dates_and_refuses_junk(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "source", "add", "--kind", "html", "--url", "https://bbs.example.cn/t/1",
                   "--platform", "forum", "--tz", "+08:00");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, "source", "add", "--kind", "feed", "--url", "https://news.example.com/rss",
           "--platform", "news");
    kwt_run_free(&r);
    cJSON *o = list_json(f);
    cJSON *items = cJSON_GetObjectItem(o, "items");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "utc_offset")->valuestring,
                        "+08:00");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 1), "utc_offset")->valuestring,
                        "+00:00");
    cJSON_Delete(o);
    r = KW(f, "source", "edit", "1", "--tz", "UTC");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, "source", "edit", "2", "--every", "1h");
    kwt_run_free(&r);
    o = list_json(f);
    items = cJSON_GetObjectItem(o, "items");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "utc_offset")->valuestring,
                        "+00:00");
    cJSON_Delete(o);
    r = KW(f, "source", "edit", "2", "--tz", "Beijing");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--tz"));
    assert_non_null(strstr(r.err, "Beijing"));
    kwt_run_free(&r);
    r = KW(f, "source", "list", "--format", "table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "TZ"));
    assert_non_null(strstr(r.out, "+00:00"));
    kwt_run_free(&r);
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
    /* a json source without a text= or title= pointer could store nothing */
    r = KW(f, "source", "edit", "1", "--clear-rules");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "text="));
    kwt_run_free(&r);
    r = KW(f, "source", "edit", "1", "--clear-rules", "--rule", "title=/headline");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    o = list_json(f);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "text"));
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "items"));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "rules"), "title")->valuestring,
                        "/headline");
    cJSON_Delete(o);
    /* another kind keeps the rules only if they fit it: JSON Pointers are
     * not XPath, and a feed takes none; nothing changes until they are
     * given anew */
    r = KW(f, "source", "edit", "1", "--rule", "items=/data/list");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    const char *kinds[] = {"html", "feed"};
    for (int i = 0; i < 2; i++) {
        r = KW(f, "source", "edit", "1", "--kind", kinds[i]);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "--clear-rules"));
        kwt_run_free(&r);
    }
    o = list_json(f);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_string_equal(cJSON_GetObjectItem(s, "kind")->valuestring, "json");
    cJSON_Delete(o);
    r = KW(f, "source", "edit", "1", "--kind", "html", "--clear-rules");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    o = list_json(f);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_string_equal(cJSON_GetObjectItem(s, "kind")->valuestring, "html");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "rules")), 0);
    cJSON_Delete(o);
    r = KW(f, "source", "rm", "1");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, "source", "rm", "1");
    assert_int_equal(r.status, 1);
    kwt_run_free(&r);
}

/* Flags that contradict each other, or that a stored source would ignore,
 * are usage errors (exit 2) that say which, before anything is fetched. */
static void usage__contradicting_or_ignored_flags_are_refused(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "source", "add", "--kind", "feed", "--url", "https://e.com/f", "--platform",
                   "news");
    kwt_run_free(&r);
    const struct {
        const char *args[10], *says;
    } cases[] = {
        {{"source", "edit", "1", "--enable", "--disable"}, "exclude each other"},
        {{"source", "add", "--kind", "feed", "--url", "https://e.com/g", "--platform", "news",
          "--disable", "--enable"},
         "exclude each other"},
        {{"source", "test", "1", "--url", "https://e.com/h"}, "not both"},
        {{"source", "test", "1", "--every", "1h"}, "not both"},
        {{"source", "test", "--url", "not-a-url"}, "not-a-url"},
        {{"source", "edit", "1", "--every", "3000000d"}, "at most 365d"},
        {{"source", "edit", "1"}, "nothing to change"},
        {{"source", "add", "--kind", "feed", "--url", "https://e.com:99999/g", "--platform",
          "news"},
         "1 to 65535"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[16] = {"--db", f->url};
        int n = 2;
        for (int k = 0; k < 10 && cases[i].args[k]; k++)
            args[n++] = cases[i].args[k];
        args[n] = NULL;
        r = kwt_kolwatch(f->dir, NULL, args);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, cases[i].says));
        kwt_run_free(&r);
    }
    cJSON *o = list_json(f);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON *only = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(only, "enabled")));
    cJSON_Delete(o);
}

/* Sources made before today's checks (two alike, a json source without a
 * text pointer) can still be disabled or rescheduled: an edit checks only
 * what it changes. */
static void edit__older_sources_stay_editable(void **state)
{
    fixture *f = *state;
    kwt_sql_int(f->url, "INSERT INTO sources (kind, url, platform, rules, every_s, enabled, "
                        "created_at) VALUES ('feed', 'https://e.com/f', 'news', '{}', 900, 1, "
                        "'2026-01-01T00:00:00Z'), ('feed', 'HTTPS://E.COM/f', 'news', '{}', 900, "
                        "1, '2026-01-01T00:00:00Z'), ('json', 'https://e.com/j', 'weibo', "
                        "'{\"items\":\"/d\"}', 900, 1, '2026-01-01T00:00:00Z')");
    const char *edits[][6] = {{"source", "edit", "1", "--disable"},
                              {"source", "edit", "2", "--every", "1h"},
                              {"source", "edit", "3", "--disable"}};
    for (int i = 0; i < 3; i++) {
        kwt_run r = KW(f, edits[i][0], edits[i][1], edits[i][2], edits[i][3], edits[i][4]);
        if (r.status != 0)
            fail_msg("edit %d: %s", i, r.err);
        kwt_run_free(&r);
    }
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE enabled = 0"), 2);
    /* a new URL is checked: it may not be another source's */
    kwt_run r = KW(f, "source", "edit", "2", "--url", "https://e.com/f#x");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "source 1 already fetches"));
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
        /* the same post in a second campaign, by its share link: tracked once */
        {"campaign", "add", "--brand", "Lumi", "--name", "L2", "--objective", "reach", "--budget", "1000"},
        {"campaign", "deliverable", "add", "2", "1", NULL},
        {"campaign", "deliverable", "set", "2", "--state", "published", "--post-url",
         "https://www.xiaohongshu.example.com/explore/abc?utm_source=share#c", NULL},
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
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_non_null(s);
    assert_string_equal(cJSON_GetObjectItem(s, "kind")->valuestring, "html");
    assert_string_equal(cJSON_GetObjectItem(s, "platform")->valuestring, "xiaohongshu");
    assert_string_equal(cJSON_GetObjectItem(s, "url")->valuestring,
                        "https://www.xiaohongshu.example.com/explore/abc");
    cJSON_Delete(o);
}

static const kwt_route site[] = {
    {"/robots.txt", "text/plain", "User-agent: *\nDisallow: /private\n", 200, NULL},
    {"/feed.xml", "application/rss+xml",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>News</title>"
     "<link>http://news.example.com/</link>"
     "<item><title>Lumi recalls face cream after allergy complaints</title><link>/a/1</link>"
     "<description>Customers reported allergic reactions and demanded refunds.</description>"
     "<pubDate>Sat, 04 Oct 2026 08:00:00 GMT</pubDate></item>"
     "<item><title>Glowa sunscreen wins award</title><link>/a/2</link>"
     "<description>Great product, loved by users.</description></item></channel></rss>", 200, NULL},
    {"/forum", "text/html; charset=gbk",
     /* GBK bytes for: <div class=p><h2>好评</h2><p>质量很好，推荐</p></div> */
     "<html><body><div class=p><h2>\xba\xc3\xc6\xc0</h2><p>\xd6\xca\xc1\xbf\xba\xdc\xba\xc3"
     "\xa3\xac\xcd\xc6\xbc\xf6</p></div></body></html>", 200, NULL},
    {"/private/x", "text/html", "<p>secret</p>", 200, NULL},
    {"/gone", "text/html", "gone", 404, NULL},
    {"/api", "text/plain", " {\"data\":{\"list\":[{\"content\":\"Lumi rocks\"}]}}", 200, NULL},
    {"/long", "text/html; charset=utf-8",
     "<html><head><title>"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2\xe9\x9c\xb2"
     "\xe9\x9c\xb2\xe7\xb1\xb3</title></head><body><article><p>"
     "\xe9\x9c\xb2\xe7\xb1\xb3\xe9\x9c\xb2\xe7\xb1\xb3\xe9\x9c\xb2\xe7\xb1\xb3\xe9\x9c\xb2"
     "</p></article></body></html>",
     200, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static cJSON *source_test(fixture *f, int port, const char *kind, const char *path,
                          const char *rule, int *status, char **err)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    const char *args[20] = {"--db", f->url, "--set", "crawler.allow_private=true", "--set",
                            "crawler.min_delay_ms=0", "source", "test", "--url", url,
                            "--format", "json"};
    int n = 12;
    if (kind) {
        args[n++] = "--kind";
        args[n++] = kind;
    }
    if (rule) {
        args[n++] = "--rule";
        args[n++] = rule;
    }
    args[n] = NULL;
    kwt_run r = kwt_kolwatch(f->dir, NULL, args);
    *status = r.status;
    *err = strdup(r.err);
    cJSON *o = r.status == 0 ? cJSON_Parse(r.out) : NULL;
    kwt_run_free(&r);
    return o;
}

static void test__fetches_extracts_and_scores_without_storing(void **state)
{
    fixture *f = *state;
    int port, status;
    char *err;
    kwt_http *h = kwt_http_start(site, &port);
    kwt_run br = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", f->url, "brand", "add",
                                                                   "Lumi", NULL});
    kwt_run_free(&br);
    cJSON *o = source_test(f, port, "feed", "/feed.xml", NULL, &status, &err);
    assert_int_equal(status, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "encoding")->valuestring, "utf-8");
    cJSON *items = cJSON_GetObjectItem(o, "items");
    assert_int_equal(cJSON_GetArraySize(items), 2);
    cJSON *first = cJSON_GetArrayItem(items, 0), *second = cJSON_GetArrayItem(items, 1);
    assert_string_equal(cJSON_GetObjectItem(first, "label")->valuestring, "negative");
    assert_string_equal(cJSON_GetObjectItem(second, "label")->valuestring, "positive");
    /* Which brands each item mentions, by their queries. */
    cJSON *b1 = cJSON_GetObjectItem(first, "brands"), *b2 = cJSON_GetObjectItem(second, "brands");
    assert_int_equal(cJSON_GetArraySize(b1), 1);
    assert_string_equal(cJSON_GetArrayItem(b1, 0)->valuestring, "Lumi");
    assert_int_equal(cJSON_GetArraySize(b2), 0);
    /* A relative link is resolved against the URL the feed was fetched from. */
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/a/1", port);
    assert_string_equal(cJSON_GetObjectItem(first, "link")->valuestring, want);
    assert_string_equal(cJSON_GetObjectItem(first, "published_at")->valuestring, "2026-10-04T08:00:00Z");
    cJSON_Delete(o);
    free(err);
    /* A GBK page, labelled in its HTTP header, read with XPath rules. */
    o = source_test(f, port, "html", "/forum", "item=//div[@class='p']", &status, &err);
    assert_int_equal(status, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "encoding")->valuestring, "gb18030");
    cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
    assert_non_null(strstr(cJSON_GetObjectItem(it, "text")->valuestring, "质量很好"));
    assert_string_equal(cJSON_GetObjectItem(it, "label")->valuestring, "positive");
    cJSON_Delete(o);
    free(err);
    /* Without --kind: a feed when the body is one, else one article. */
    o = source_test(f, port, NULL, "/feed.xml", NULL, &status, &err);
    assert_int_equal(status, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "feed");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 2);
    cJSON_Delete(o);
    free(err);
    o = source_test(f, port, NULL, "/forum", NULL, &status, &err);
    assert_int_equal(status, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "html");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON_Delete(o);
    free(err);
    /* JSON that is no JSON Feed, without --kind: what to give, not the API
     * read as an article */
    o = source_test(f, port, NULL, "/api", NULL, &status, &err);
    assert_int_equal(status, 1);
    assert_non_null(strstr(err, "--kind json"));
    free(err);
    o = source_test(f, port, "json", "/api", "items=/data/list", &status, &err);
    assert_int_equal(status, 0); /* read as JSON when told */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 1);
    cJSON_Delete(o);
    free(err);
    /* rules need the kind they are written for */
    o = source_test(f, port, NULL, "/forum", "item=//div", &status, &err);
    assert_int_equal(status, 2);
    assert_non_null(strstr(err, "--kind"));
    free(err);
    /* the table cuts long text at whole characters, by columns */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/long", port);
    kwt_run r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", f->url, "--set",
                                                                  "crawler.allow_private=true",
                                                                  "source", "test", "--url", url,
                                                                  "--format", "table", NULL});
    assert_int_equal(r.status, 0);
    assert_true(kwt_utf8_valid(r.out));
    /* the title (30 characters, 60 columns, 90 bytes), whole */
    assert_non_null(strstr(r.out, "\xe9\x9c\xb2\xe7\xb1\xb3\n"));
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(h, "/robots.txt"), 7); /* checked before each fetch */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 0);
    kwt_http_stop(h);
}

/* Items a page holds past the limit are counted, in both formats. */
static void test__items_past_a_pages_limit_are_counted(void **state)
{
    fixture *f = *state;
    int port, status;
    char *err, *big = malloc(10050 * 24 + 16);
    size_t n = (size_t)sprintf(big, "[");
    for (int i = 0; i < 10050; i++)
        n += (size_t)sprintf(big + n, "%s{\"c\":\"post %d\"}", i ? "," : "", i);
    sprintf(big + n, "]");
    const kwt_route routes[] = {{"/robots.txt", "text/plain", "", 200, NULL},
                                {"/few", "application/json", "[{\"c\":\"one\"}]", 200, NULL},
                                {"/many", "application/json", big, 200, NULL},
                                {NULL, NULL, NULL, 0, NULL}};
    kwt_http *h = kwt_http_start(routes, &port);
    cJSON *o = source_test(f, port, "json", "/many", "text=/c", &status, &err);
    assert_int_equal(status, 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 10000);
    assert_int_equal(cJSON_GetObjectItem(o, "dropped")->valueint, 50);
    cJSON_Delete(o);
    free(err);
    o = source_test(f, port, "json", "/few", "text=/c", &status, &err);
    assert_int_equal(status, 0);
    assert_int_equal(cJSON_GetObjectItem(o, "dropped")->valueint, 0);
    cJSON_Delete(o);
    free(err);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/many", port);
    kwt_run r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", f->url, "--set",
                                                                  "crawler.allow_private=true",
                                                                  "source", "test", "--kind",
                                                                  "json", "--rule", "text=/c",
                                                                  "--url", url, "--format",
                                                                  "table", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "10000 items"));
    assert_non_null(strstr(r.out, "and 50 more"));
    kwt_run_free(&r);
    kwt_http_stop(h);
    free(big);
}

static void test__robots_disallow_404_and_private_addresses_are_reported(void **state)
{
    fixture *f = *state;
    int port, status;
    char *err, url[128];
    kwt_http *h = kwt_http_start(site, &port);
    cJSON *o = source_test(f, port, "html", "/private/x", NULL, &status, &err);
    assert_int_equal(status, 1);
    assert_non_null(strstr(err, "disallows"));
    assert_int_equal(kwt_http_hits(h, "/private/x"), 0);
    free(err);
    o = source_test(f, port, "html", "/gone", NULL, &status, &err);
    assert_int_equal(status, 1);
    assert_non_null(strstr(err, "404"));
    free(err);
    /* Without crawler.allow_private a loopback address is never contacted. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/feed.xml", port);
    int before = kwt_http_hits(h, "/robots.txt");
    kwt_run r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", f->url, "source",
                                                                  "test", "--kind", "feed",
                                                                  "--url", url, NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "refused to connect to 127.0.0.1"));
    assert_non_null(strstr(r.err, "crawler.allow_private"));
    assert_null(strstr(r.err, "robots.txt")); /* the address is the reason, not robots.txt */
    kwt_run_free(&r);
    assert_int_equal(kwt_http_hits(h, "/robots.txt"), before);
    assert_int_equal(kwt_http_hits(h, "/feed.xml"), 0);
    (void)o;
    kwt_http_stop(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(add__checks_kind_url_rules_and_prints_the_id),
        T(tz__sets_the_zone_of_zoneless_dates_and_refuses_junk),
        T(edit_and_rm__change_rules_schedule_and_state),
        T(usage__contradicting_or_ignored_flags_are_refused),
        T(edit__older_sources_stay_editable),
        T(a_published_deliverable__is_tracked_as_an_html_source),
        T(test__fetches_extracts_and_scores_without_storing),
        T(test__robots_disallow_404_and_private_addresses_are_reported),
        T(test__items_past_a_pages_limit_are_counted),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
