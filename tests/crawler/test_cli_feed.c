/*
 * `kolwatch parse-feed` as other tools call it: one JSON object with every
 * documented key, RFC 3339 UTC times or null, the encoding the bytes were
 * decoded from, bozo; input that is no feed exits 1; bad usage exits 2.
 */
#include "testsupport.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/crawler/fixtures/%s", KW_TEST_SOURCE_DIR, name);
    return path;
}

static cJSON *run_ok(const char *input, const char *const *args, kwt_run *keep)
{
    kwt_run r = kwt_kolwatch(NULL, input, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    /* Exactly one JSON object on one line. */
    assert_true(r.out_len > 0 && r.out[r.out_len - 1] == '\n');
    assert_ptr_equal(strchr(r.out, '\n'), r.out + r.out_len - 1);
    cJSON *j = cJSON_Parse(r.out);
    assert_non_null(j);
    assert_true(cJSON_IsObject(j));
    if (keep)
        *keep = r;
    else
        kwt_run_free(&r);
    return j;
}

static void expect_keys(const cJSON *o, const char *const *keys, size_t n)
{
    size_t count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, o) count++;
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++)
        if (!cJSON_HasObjectItem(o, keys[i]))
            fail_msg("key '%s' missing", keys[i]);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is_null(const cJSON *o, const char *k)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void every_key_is_present_and_times_are_rfc3339_utc(void **state)
{
    (void)state;
    static const char *const top[] = {"version", "encoding", "bozo", "feed", "entries"};
    static const char *const feed[] = {"title", "link", "subtitle", "author", "updated"};
    static const char *const entry[] = {"id", "title", "link", "author", "published",
                                        "updated", "summary", "content"};
    const char *files[] = {"rss20.xml", "rss10.xml", "rss090.xml", "rss091.xml",
                           "atom10.xml", "atom03.xml", "jsonfeed11.json"};
    const char *versions[] = {"rss20", "rss10", "rss09x", "rss09x", "atom10", "atom03", "json11"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        cJSON *j = run_ok(NULL, (const char *const[]){"parse-feed", fixture(files[i]), NULL}, NULL);
        expect_keys(j, top, 5);
        assert_string_equal(str(j, "version"), versions[i]);
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "bozo")));
        expect_keys(cJSON_GetObjectItem(j, "feed"), feed, 5);
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "entries")) expect_keys(e, entry, 8);
        cJSON_Delete(j);
    }
    cJSON *j = run_ok(NULL, (const char *const[]){"parse-feed", fixture("rss20.xml"), NULL}, NULL);
    assert_string_equal(str(cJSON_GetObjectItem(j, "feed"), "updated"), "2004-01-01T19:48:21Z");
    const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entries"), 0);
    assert_string_equal(str(e0, "published"), "2004-01-01T11:48:21Z");
    assert_true(is_null(e0, "updated"));
    assert_string_equal(str(e0, "summary"), "Hello world & friends");
    assert_string_equal(str(j, "encoding"), "utf-8");
    cJSON_Delete(j);
}

static void base_resolves_links_and_stdin_is_read(void **state)
{
    (void)state;
    const char *doc = "<rss version=\"2.0\"><channel><title>T</title>"
                      "<item><link>a/b?c=1</link></item></channel></rss>";
    cJSON *j = run_ok(doc, (const char *const[]){"parse-feed", "--base",
                                                  "https://example.com/dir/", "-", NULL}, NULL);
    const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entries"), 0);
    assert_string_equal(str(e0, "link"), "https://example.com/dir/a/b?c=1");
    assert_true(is_null(cJSON_GetObjectItem(j, "feed"), "link"));
    cJSON_Delete(j);
}

static void encoding_names_the_decoder_and_charset_option_counts(void **state)
{
    (void)state;
    cJSON *j = run_ok(NULL, (const char *const[]){"parse-feed", fixture("rss20-gbk.xml"), NULL},
                      NULL);
    assert_string_equal(str(j, "encoding"), "gb18030");
    cJSON_Delete(j);
    kwt_run r;
    j = run_ok(NULL, (const char *const[]){"parse-feed", fixture("atom-big5-labelled-gbk.xml"),
                                           NULL}, &r);
    assert_string_equal(str(j, "encoding"), "big5-hkscs");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "bozo")));
    assert_non_null(strstr(r.err, "charset"));
    kwt_run_free(&r);
    cJSON_Delete(j);
    j = run_ok(NULL, (const char *const[]){"parse-feed", "--charset", "big5",
                                           fixture("rss20-gbk.xml"), NULL}, NULL);
    assert_string_equal(str(j, "encoding"), "gb18030");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "bozo")));
    cJSON_Delete(j);
}

static void a_broken_feed_is_bozo_with_a_warning_naming_the_line(void **state)
{
    (void)state;
    kwt_run r;
    cJSON *j = run_ok(NULL, (const char *const[]){"parse-feed", fixture("broken.xml"), NULL}, &r);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "bozo")));
    assert_non_null(strstr(r.err, "broken.xml"));
    assert_non_null(strstr(r.err, "line"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "entries")), 1);
    kwt_run_free(&r);
    cJSON_Delete(j);
}

static void no_feed_exits_1_and_a_missing_file_too(void **state)
{
    (void)state;
    kwt_run r = kwt_kolwatch(NULL, "<html><body>not a feed</body></html>",
                             (const char *const[]){"parse-feed", "-", NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "not a feed"));
    kwt_run_free(&r);
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"parse-feed", "no-such-feed.xml", NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no-such-feed.xml"));
    kwt_run_free(&r);
    /* libxml2's message ends in a newline: the error is still one line */
    r = kwt_kolwatch(NULL, "", (const char *const[]){"parse-feed", "-", NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not a feed"));
    assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
    kwt_run_free(&r);
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"parse-feed", ".", NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "Is a directory"));
    kwt_run_free(&r);
}

static void bad_usage_exits_2(void **state)
{
    (void)state;
    const char *const *cases[] = {
        (const char *const[]){"parse-feed", NULL},
        (const char *const[]){"parse-feed", "a.xml", "b.xml", NULL},
        (const char *const[]){"parse-feed", "--charset", "klingon", "a.xml", NULL},
        (const char *const[]){"parse-feed", "--base", "relative/path", "a.xml", NULL},
        (const char *const[]){"parse-feed", "--base", "dir/?next=http://y/", "a.xml", NULL},
        (const char *const[]){"parse-feed", "--base", "://x", "a.xml", NULL},
        (const char *const[]){"parse-feed", "--nope", "a.xml", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kwt_run r = kwt_kolwatch(NULL, NULL, cases[i]);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.out, "");
        kwt_run_free(&r);
    }
    kwt_run r = kwt_kolwatch(NULL, NULL, (const char *const[]){"parse-feed", "--help", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--base URL"));
    kwt_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_key_is_present_and_times_are_rfc3339_utc),
        cmocka_unit_test(base_resolves_links_and_stdin_is_read),
        cmocka_unit_test(encoding_names_the_decoder_and_charset_option_counts),
        cmocka_unit_test(a_broken_feed_is_bozo_with_a_warning_naming_the_line),
        cmocka_unit_test(no_feed_exits_1_and_a_missing_file_too),
        cmocka_unit_test(bad_usage_exits_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
