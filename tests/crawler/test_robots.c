/*
 * robots.txt against RFC 9309's own examples (sections 2.2.1, 2.2.2, 5.1,
 * 5.2), then the corners: merging, wildcards, ties, the 500 KiB limit.
 */
#include "testsupport.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kw_robots *parse(const char *text)
{
    kw_robots *r = NULL;
    assert_int_equal(kw_robots_parse(&r, text, strlen(text)), 0);
    assert_non_null(r);
    return r;
}

static void expect(const kw_robots *r, const char *agent, const char *url, bool allowed)
{
    bool got = kw_robots_allowed(r, agent, url);
    if (got != allowed)
        fail_msg("%s for %s: expected %s, got %s", url, agent,
                 allowed ? "allowed" : "disallowed", got ? "allowed" : "disallowed");
}

/* RFC 9309 5.1, "Simple Example", as the RFC gives it. */
static const char rfc_simple[] =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

static void rfc_5_1_star_group_applies_to_agents_without_their_own(void **state)
{
    (void)state;
    kw_robots *r = parse(rfc_simple);
    expect(r, "otherbot", "/publications/a.html", true);
    expect(r, "otherbot", "/example/", false);
    expect(r, "otherbot", "/example/deep/page", false);
    expect(r, "otherbot", "/images/cat.gif", false);
    expect(r, "otherbot", "/images/cat.gif?x=1", true); /* '$' anchors the end */
    expect(r, "otherbot", "/elsewhere", true);
    kw_robots_free(r);
}

static void rfc_5_1_foobot_reaches_only_its_two_allowed_paths(void **state)
{
    (void)state;
    kw_robots *r = parse(rfc_simple);
    expect(r, "foobot", "/example/page.html", true);
    expect(r, "foobot", "/example/allowed.gif", true);
    expect(r, "foobot", "/example/other.html", false);
    expect(r, "foobot", "/publications/", false);
    expect(r, "FooBot", "/", false); /* product tokens match case-insensitively */
    kw_robots_free(r);
}

static void rfc_5_1_one_group_serves_barbot_and_bazbot_and_quxbot_is_free(void **state)
{
    (void)state;
    kw_robots *r = parse(rfc_simple);
    expect(r, "barbot", "/example/page.html", false);
    expect(r, "bazbot", "/example/page.html", false);
    expect(r, "barbot", "/example/other.html", true);
    expect(r, "bazbot", "/images/cat.gif", true); /* the * group is not theirs */
    expect(r, "quxbot", "/example/page.html", true);
    expect(r, "quxbot", "/x.gif", true);
    kw_robots_free(r);
}

/* RFC 9309 5.2, "Longest Match". */
static void rfc_5_2_longest_match_wins(void **state)
{
    (void)state;
    kw_robots *r = parse("User-Agent: foobot\n"
                         "Allow: /example/page/\n"
                         "Disallow: /example/page/disallowed.gif\n");
    expect(r, "foobot", "/example/page/", true);
    expect(r, "foobot", "/example/page/other.html", true);
    expect(r, "foobot", "/example/page/disallowed.gif", false);
    kw_robots_free(r);
}

/* RFC 9309 2.2.1: groups naming the same agent are combined. */
static void rfc_2_2_1_groups_of_one_agent_are_merged(void **state)
{
    (void)state;
    kw_robots *r = parse("user-agent: ExampleBot\n"
                         "disallow: /foo\n"
                         "disallow: /bar\n"
                         "\n"
                         "user-agent: ExampleBot\n"
                         "disallow: /baz\n");
    expect(r, "ExampleBot", "/foo", false);
    expect(r, "ExampleBot", "/bar", false);
    expect(r, "ExampleBot", "/baz", false);
    expect(r, "examplebot", "/baz/x", false);
    expect(r, "ExampleBot", "/qux", true);
    expect(r, "OtherBot", "/foo", true); /* no group, no "*": no rules */
    kw_robots_free(r);
}

static void product_token_stops_at_version_and_star_is_the_fallback(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: ExampleBot/1.2\nDisallow: /private\n\n"
                         "User-agent: *\nDisallow: /\n");
    expect(r, "ExampleBot/3.0", "/public", true);
    expect(r, "examplebot", "/private/x", false);
    expect(r, "kolwatch", "/public", false);
    kw_robots_free(r);
}

/* RFC 9309 2.2.2: the percent-encoding table, rule (as written) against
 * the path to match. */
static void rfc_2_2_2_percent_encoding_examples(void **state)
{
    (void)state;
    static const struct {
        const char *rule, *path;
    } rows[] = {
        {"/foo/bar?baz=quz", "/foo/bar?baz=quz"},
        {"/foo/bar?baz=https://foo.bar", "/foo/bar?baz=https%3A%2F%2Ffoo.bar"},
        {"/foo/bar/\xE3\x83\x84", "/foo/bar/%E3%83%84"},
        {"/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84"},
        {"/foo/bar/%62%61%7A", "/foo/bar/baz"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "User-agent: *\nDisallow: %s$\n", rows[i].rule);
        kw_robots *r = parse(text);
        expect(r, "bot", rows[i].path, false);
        kw_robots_free(r);
    }
    /* And the other way round: encoded rules against raw or lower-case paths. */
    kw_robots *r = parse("User-agent: *\nDisallow: /a/%E3%83%84\nDisallow: /b/%7Ex\n");
    expect(r, "bot", "/a/\xE3\x83\x84", false);
    expect(r, "bot", "/a/%e3%83%84", false);
    expect(r, "bot", "/b/~x", false);
    expect(r, "bot", "/b/x", true);
    kw_robots_free(r);
}

/* RFC 9309 2.2.3, the special characters table, with its examples. */
static void rfc_2_2_3_special_characters(void **state)
{
    (void)state;
    kw_robots *r = parse("user-agent: *\n"
                         "disallow: /\n"
                         "allow: / # comment in line\n"
                         "\n"
                         "# comment on its own line\n");
    expect(r, "bot", "/anything", true); /* the comment is not part of the path */
    kw_robots_free(r);
    r = parse("user-agent: *\ndisallow: /\nallow: /this/path/exactly$\n");
    expect(r, "bot", "/this/path/exactly", true);
    expect(r, "bot", "/this/path/exactly/not", false);
    kw_robots_free(r);
    r = parse("user-agent: *\ndisallow: /\nallow: /this/*/exactly\n");
    expect(r, "bot", "/this/a/b/exactly", true);
    expect(r, "bot", "/this/exactly", false);
    kw_robots_free(r);
}

static void wildcards_match_any_run_and_dollar_anchors(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: *\n"
                         "Disallow: /*/secret\n"
                         "Disallow: /*.php$\n"
                         "Disallow: /fish*\n"
                         "Allow: /fish/ok$\n");
    expect(r, "bot", "/a/b/secret/x", false);
    expect(r, "bot", "/secret", true);
    expect(r, "bot", "/index.php", false);
    expect(r, "bot", "/index.php?x=1", true);
    expect(r, "bot", "/dir/a.php", false);
    expect(r, "bot", "/fish.html", false);
    expect(r, "bot", "/fish/ok", true);
    expect(r, "bot", "/fish/ok/more", false);
    expect(r, "bot", "/Fish", true); /* paths are case-sensitive */
    kw_robots_free(r);
}

static void a_literal_star_in_a_path_is_not_a_wildcard(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: *\nDisallow: /a%2Ab\n");
    expect(r, "bot", "/a*b", false);
    expect(r, "bot", "/axxb", true);
    kw_robots_free(r);
}

static void equal_length_allow_and_disallow__allow_wins(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: *\nDisallow: /page\nAllow: /page\n");
    expect(r, "bot", "/page", true);
    kw_robots_free(r);
    r = parse("User-agent: *\nAllow: /pag*\nDisallow: /page\n");
    expect(r, "bot", "/page", true);
    kw_robots_free(r);
}

static void absolute_urls_match_on_path_and_query_only(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: *\nDisallow: /q?x=\nDisallow: /dir/\n");
    expect(r, "bot", "https://example.com/q?x=1", false);
    expect(r, "bot", "https://example.com:8443/dir/a#frag", false);
    expect(r, "bot", "https://example.com", true);
    expect(r, "bot", "https://example.com?x=1", true);
    expect(r, "bot", "/dir", true);
    kw_robots_free(r);
}

static void robots_txt_itself_is_always_allowed(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: *\nDisallow: /\n");
    expect(r, "bot", "/robots.txt", true);
    expect(r, "bot", "/", false);
    kw_robots_free(r);
}

static void empty_file_comments_and_stray_rules_allow_everything(void **state)
{
    (void)state;
    kw_robots *r = parse("");
    expect(r, "bot", "/anything", true);
    kw_robots_free(r);
    r = parse("# nothing here\nDisallow: /\nSitemap: https://e.com/s.xml\n"
              "User-agent: *\nDisallow:\n");
    expect(r, "bot", "/anything", true);
    kw_robots_free(r);
}

static void line_endings_bom_comments_and_case_of_keys(void **state)
{
    (void)state;
    kw_robots *r = parse("\xEF\xBB\xBFUSER-AGENT : *\r\nDISALLOW:/a # no a\rdisallow :  /b\r\n");
    expect(r, "bot", "/a", false);
    expect(r, "bot", "/b", false);
    expect(r, "bot", "/c", true);
    kw_robots_free(r);
}

static void a_user_agent_after_rules_starts_a_new_group(void **state)
{
    (void)state;
    kw_robots *r = parse("User-agent: a\nDisallow: /x\nUser-agent: b\nDisallow: /y\n");
    expect(r, "a", "/x", false);
    expect(r, "a", "/y", true);
    expect(r, "b", "/y", false);
    expect(r, "b", "/x", true);
    kw_robots_free(r);
    /* Sitemap lines do not end a group. */
    r = parse("User-agent: a\nSitemap: https://e.com/s.xml\nUser-agent: b\nDisallow: /z\n");
    expect(r, "a", "/z", false);
    kw_robots_free(r);
}

/* The plain meaning of '*' and '$', by backtracking over every choice. */
static bool glob(const char *p, const char *s)
{
    if (*p == '\0')
        return true; /* a prefix of the path */
    if (*p == '$' && p[1] == '\0')
        return *s == '\0';
    if (*p == '*')
        return glob(p + 1, s) || (*s && glob(p, s + 1));
    return *s == *p && glob(p + 1, s + 1);
}

/* Rules with '*' and '$' match as their plain meaning says, on many
 * random rules and paths (the matcher finds each run between '*'s in
 * turn rather than backtracking). */
static void wildcards_match_as_their_plain_meaning(void **state)
{
    (void)state;
    unsigned x = 12345;
    char rule[16], path[16], text[64], url[64];
    for (int round = 0; round < 20000; round++) {
        int rn = 1, pn = 1;
        rule[0] = path[0] = '/';
        x = x * 1103515245u + 12345u;
        int rlen = (int)(x >> 16) % 7, plen = (int)(x >> 20) % 9;
        for (int i = 0; i < rlen; i++) {
            x = x * 1103515245u + 12345u;
            rule[rn++] = "ab*"[(x >> 16) % 3];
        }
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 3 == 0)
            rule[rn++] = '$';
        rule[rn] = '\0';
        for (int i = 0; i < plen; i++) {
            x = x * 1103515245u + 12345u;
            path[pn++] = "ab"[(x >> 16) % 2];
        }
        path[pn] = '\0';
        snprintf(text, sizeof text, "User-agent: *\nDisallow: %s\n", rule);
        snprintf(url, sizeof url, "https://e.com%s", path);
        kw_robots *r = parse(text);
        bool allowed = kw_robots_allowed(r, "bot", url);
        if (allowed == glob(rule, path))
            fail_msg("rule %s, path %s: %s", rule, path, allowed ? "allowed" : "disallowed");
        kw_robots_free(r);
    }
    /* the form that cost the product of the lengths: found or not found,
     * at once either way */
    size_t n = 8192;
    char *long_rule = malloc(n + 64), *long_url = malloc(n + 64);
    static const char head[] = "User-agent: *\nDisallow: /*";
    size_t h = sizeof head - 1;
    memcpy(long_rule, head, h);
    memset(long_rule + h, 'a', 4000);
    memcpy(long_rule + h + 4000, "b\n", 3);
    memcpy(long_url, "https://e.com/", 14);
    memset(long_url + 14, 'a', n - 100);
    long_url[14 + n - 100] = '\0';
    kw_robots *r = parse(long_rule);
    assert_true(kw_robots_allowed(r, "bot", long_url));
    memcpy(long_url + 14 + n - 200, "b", 1); /* 4,000 'a's and a 'b' somewhere */
    assert_false(kw_robots_allowed(r, "bot", long_url));
    kw_robots_free(r);
    free(long_rule);
    free(long_url);
}

static void crawl_delay_is_read_merged_and_capped(void **state)
{
    (void)state;
    double d = -1;
    kw_robots *r = parse("User-agent: *\nCrawl-delay: 2.5\n\n"
                         "User-agent: slowbot\nCrawl-delay: 30\nDisallow: /x\n"
                         "User-agent: slowbot\nCrawl-delay: 120\n\n"
                         "User-agent: nodelay\nDisallow: /\n");
    assert_int_equal(kw_robots_crawl_delay(&d, r, "anybot", 60), 0);
    assert_true(d == 2.5);
    assert_int_equal(kw_robots_crawl_delay(&d, r, "slowbot", 60), 0);
    assert_true(d == 60); /* the larger of the merged groups, capped */
    assert_int_equal(kw_robots_crawl_delay(&d, r, "slowbot", 500), 0);
    assert_true(d == 120);
    assert_int_equal(kw_robots_crawl_delay(&d, r, "nodelay", 60), KW_ENOTFOUND);
    kw_robots_free(r);
    /* seconds written in decimals only: not hex, exponents or words */
    r = parse("User-agent: *\nCrawl-delay: 0x10\nCrawl-delay: 1e3\nCrawl-delay: inf\n"
              "Crawl-delay: -5\nCrawl-delay: .5\n");
    assert_int_equal(kw_robots_crawl_delay(&d, r, "anybot", 60), 0);
    assert_true(d == 0.5);
    kw_robots_free(r);
}

static void rules_past_500_kib_are_ignored(void **state)
{
    (void)state;
    const char head[] = "User-agent: *\nDisallow: /early\n";
    const char tail[] = "Disallow: /late\n";
    size_t pad = KW_ROBOTS_MAX_BYTES; /* comment lines push /late past the limit */
    size_t n = strlen(head) + pad + strlen(tail);
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, head, strlen(head));
    for (size_t i = 0; i < pad; i += 100) {
        size_t k = pad - i < 100 ? pad - i : 100;
        memset(text + strlen(head) + i, '#', k);
        text[strlen(head) + i + k - 1] = '\n';
    }
    memcpy(text + strlen(head) + pad, tail, strlen(tail) + 1);
    kw_robots *r = NULL;
    assert_int_equal(kw_robots_parse(&r, text, n), 0);
    assert_true(kw_robots_truncated(r));
    expect(r, "bot", "/early", false);
    expect(r, "bot", "/late", true);
    kw_robots_free(r);
    /* The same rule inside the limit counts. */
    assert_int_equal(kw_robots_parse(&r, text + strlen(head) + pad - 100,
                                     100 + strlen(tail)), 0);
    assert_false(kw_robots_truncated(r));
    kw_robots_free(r);
    free(text);
    /* a line that ends exactly at the limit (its break the first byte
     * past it) is whole, and counts */
    const char rule[] = "Disallow: /edge";
    n = KW_ROBOTS_MAX_BYTES + 1;
    text = malloc(n);
    assert_non_null(text);
    memset(text, '#', n);
    memcpy(text, "User-agent: *\n", 14);
    text[KW_ROBOTS_MAX_BYTES - strlen(rule) - 1] = '\n';
    memcpy(text + KW_ROBOTS_MAX_BYTES - strlen(rule), rule, strlen(rule));
    text[KW_ROBOTS_MAX_BYTES] = '\n';
    assert_int_equal(kw_robots_parse(&r, text, n), 0);
    expect(r, "bot", "/edge", false);
    kw_robots_free(r);
    /* one byte more and it is cut, so it does not */
    text[KW_ROBOTS_MAX_BYTES] = 'x';
    assert_int_equal(kw_robots_parse(&r, text, n), 0);
    expect(r, "bot", "/edge", true);
    kw_robots_free(r);
    free(text);
}

static void a_huge_line_and_binary_junk_are_harmless(void **state)
{
    (void)state;
    size_t n = 300000;
    char *text = malloc(n + 64);
    assert_non_null(text);
    int k = snprintf(text, 64, "User-agent: *\nDisallow: /");
    memset(text + k, '*', n);
    memcpy(text + k + n, "x\n", 3);
    kw_robots *r = parse(text);
    expect(r, "bot", "/abc", true);
    kw_robots_free(r);
    free(text);
    const char junk[] = "\x00\xff\xfe:\x01User-agent\x00: *\n\x80" "Disallow: /\n";
    assert_int_equal(kw_robots_parse(&r, junk, sizeof junk - 1), 0);
    kw_robots_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc_5_1_star_group_applies_to_agents_without_their_own),
        cmocka_unit_test(rfc_5_1_foobot_reaches_only_its_two_allowed_paths),
        cmocka_unit_test(rfc_5_1_one_group_serves_barbot_and_bazbot_and_quxbot_is_free),
        cmocka_unit_test(rfc_5_2_longest_match_wins),
        cmocka_unit_test(rfc_2_2_1_groups_of_one_agent_are_merged),
        cmocka_unit_test(product_token_stops_at_version_and_star_is_the_fallback),
        cmocka_unit_test(rfc_2_2_2_percent_encoding_examples),
        cmocka_unit_test(rfc_2_2_3_special_characters),
        cmocka_unit_test(wildcards_match_any_run_and_dollar_anchors),
        cmocka_unit_test(a_literal_star_in_a_path_is_not_a_wildcard),
        cmocka_unit_test(equal_length_allow_and_disallow__allow_wins),
        cmocka_unit_test(absolute_urls_match_on_path_and_query_only),
        cmocka_unit_test(robots_txt_itself_is_always_allowed),
        cmocka_unit_test(empty_file_comments_and_stray_rules_allow_everything),
        cmocka_unit_test(line_endings_bom_comments_and_case_of_keys),
        cmocka_unit_test(a_user_agent_after_rules_starts_a_new_group),
        cmocka_unit_test(crawl_delay_is_read_merged_and_capped),
        cmocka_unit_test(wildcards_match_as_their_plain_meaning),
        cmocka_unit_test(rules_past_500_kib_are_ignored),
        cmocka_unit_test(a_huge_line_and_binary_junk_are_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
