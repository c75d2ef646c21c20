/* Canonical URLs: the key that makes a mention unique. */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(const char *in, const char *want)
{
    char out[512];
    assert_int_equal(kw_url_canonical(out, sizeof out, in), 0);
    assert_string_equal(out, want);
}

static void scheme_and_host_lower_case_default_port_and_fragment_dropped(void **state)
{
    (void)state;
    check("HTTPS://Example.COM:443/Path#top", "https://example.com/Path");
    check("http://example.com:80", "http://example.com/");
    check("http://example.com:8080/a", "http://example.com:8080/a");
    check("https://user:secret@example.com/a", "https://example.com/a");
}

static void tracking_parameters_go_and_the_rest_are_sorted(void **state)
{
    (void)state;
    check("https://e.com/p?utm_source=wx&b=2&spm=a1.b2&a=1&fbclid=x",
          "https://e.com/p?a=1&b=2");
    check("https://e.com/p?utm_medium=x", "https://e.com/p");
    check("https://e.com/p?z&a=", "https://e.com/p?a=&z");
    check("https://e.com/a b?q=x y", "https://e.com/a%20b?q=x%20y");
}

static void two_spellings_of_one_page_are_one_key(void **state)
{
    (void)state;
    char a[256], b[256];
    assert_int_equal(kw_url_canonical(a, sizeof a, "https://News.Example.com/a?x=1&y=2#c"), 0);
    assert_int_equal(kw_url_canonical(b, sizeof b, "https://news.example.com:443/a?y=2&x=1&utm_campaign=z"), 0);
    assert_string_equal(a, b);
}

static void non_http_urls_and_missing_hosts_are_errors(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(kw_url_canonical(out, sizeof out, "ftp://e.com/x"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "https:///x"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "/relative"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "https://e.com:8x/"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, 10, "https://example.com/long"), KW_ETOOBIG);
    assert_int_equal(kw_url_canonical(out, sizeof out, "https://[::1]:443http:/"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "https://[::1/x"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "https://a:b:80/"), KW_EINVAL);
    check("https://[::1]:443/p", "https://[::1]/p");
    check("http://[::1]:8080", "http://[::1]:8080/");
    /* ports a connection can use */
    assert_int_equal(kw_url_canonical(out, sizeof out, "http://e.com:99999/"), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "1 to 65535"));
    assert_int_equal(kw_url_canonical(out, sizeof out, "http://e.com:0/"), KW_EINVAL);
    assert_int_equal(kw_url_canonical(out, sizeof out, "http://e.com:99999999999999999999/"),
                     KW_EINVAL);
    check("http://e.com:65535/", "http://e.com:65535/");
}

/* What goes on the wire: Chinese paths and queries, blanks and the
 * characters a URL may not hold percent-encoded as UTF-8; the host, what
 * is encoded already and the rest as written. */
static void the_wire_form_percent_encodes_what_a_url_may_not_hold(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"http://h/\xe6\x90\x9c?q=\xe9\x9c\xb2&t=1", "http://h/%E6%90%9C?q=%E9%9C%B2&t=1"},
        {"http://127.0.0.1:8914/forum/list 1.html", "http://127.0.0.1:8914/forum/list%201.html"},
        {"https://h/a|b{c}^\"x\"<>`\\", "https://h/a%7Cb%7Bc%7D%5E%22x%22%3C%3E%60%5C"},
        {"https://h/q?a=%E9%9C%B2&b=c#frag", "https://h/q?a=%E9%9C%B2&b=c#frag"},
        {"https://\xe9\x9c\xb2.example/p", "https://\xe9\x9c\xb2.example/p"},
        {"https://h", "https://h"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *w = kw_url_wire(cases[i].in);
        assert_non_null(w);
        assert_string_equal(w, cases[i].want);
        free(w);
    }
}

/* RFC 3986's equivalent spellings of one page are one key (section 6.2.2):
 * percent-escapes in upper-case hex, unreserved characters written as
 * themselves, "." and ".." segments resolved; raw UTF-8 and what may not
 * stand in a URL as a browser sends them. Reserved characters stay
 * escaped: "%2F" is not "/", and "%26" in a value is not a new parameter. */
static void equivalent_spellings_of_a_path_and_query_are_one_key(void **state)
{
    (void)state;
    check("https://e.com/%72ss", "https://e.com/rss");
    check("https://e.com/%7euser/%41-%5F.%2d", "https://e.com/~user/A-_.-");
    check("https://e.com/a%2fb%2Fc", "https://e.com/a%2Fb%2Fc");
    check("https://e.com/tag/\xe9\x9c\xb2", "https://e.com/tag/%E9%9C%B2");
    check("https://e.com/tag/%e9%9c%b2", "https://e.com/tag/%E9%9C%B2");
    check("https://e.com/a|b\"c", "https://e.com/a%7Cb%22c");
    check("https://e.com/./a/b/../c/./d", "https://e.com/a/c/d");
    check("https://e.com/a/b/..", "https://e.com/a/");
    check("https://e.com/a/.", "https://e.com/a/");
    check("https://e.com/../../a", "https://e.com/a");
    check("https://e.com/a/%2e%2E/b", "https://e.com/b");
    check("https://e.com/a//../b", "https://e.com/a/b");
    check("https://e.com/a/..b/.c/", "https://e.com/a/..b/.c/");
    check("https://e.com/%zz%4", "https://e.com/%25zz%254");
    check("http://h/%%34%31", "http://h/%2541");
    check("http://h/%%61a", "http://h/%25aa");
    check("https://e.com/p?q=\xe9\x9c\xb2&a=%7e", "https://e.com/p?a=~&q=%E9%9C%B2");
    check("https://e.com/p?q=a%26b&%75tm_source=x", "https://e.com/p?q=a%26b");
    check("https://e.com/p?x=/./../", "https://e.com/p?x=/./../");
    static const char *const same[][2] = {
        {"http://h.example/a/%E9%9C%B2?q=%e9%9c%b2", "http://h.example/a/b/../\xe9\x9c\xb2?q=\xe9\x9c\xb2"},
        {"https://h.example/%7Ea?b=%41", "https://h.example/~a?b=A"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char a[256], b[256];
        assert_int_equal(kw_url_canonical(a, sizeof a, same[i][0]), 0);
        assert_int_equal(kw_url_canonical(b, sizeof b, same[i][1]), 0);
        assert_string_equal(a, b);
    }
}

/* RFC 3986's own examples (5.4), resolved against http://a/b/c/d;p?q,
 * as an absolute URL keeps them after a join that did not resolve them;
 * the query and fragment are left as they are. */
static void dot_segments_of_an_absolute_urls_path_are_resolved(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"http://a/b/c/./g", "http://a/b/c/g"},   {"http://a/b/c/g/", "http://a/b/c/g/"},
        {"http://a/b/c/.", "http://a/b/c/"},       {"http://a/b/c/..", "http://a/b/"},
        {"http://a/b/c/../g", "http://a/b/g"},    {"http://a/b/c/../../g", "http://a/g"},
        {"http://a/b/c/../../../g", "http://a/g"}, {"http://a/./g", "http://a/g"},
        {"http://a/a/../b?x=/../y#/./z", "http://a/b?x=/../y#/./z"},
        {"http://a/b/.hidden/g", "http://a/b/.hidden/g"},
        {"https://a:8080/x/../", "https://a:8080/"}, {"mailto:x/../y", "mailto:x/../y"},
        {"/a/../b", "/a/../b"}, /* not absolute: left alone */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", cases[i][0]);
        kw_url_drop_dots(buf);
        if (strcmp(buf, cases[i][1]) != 0)
            fail_msg("%s: got %s, want %s", cases[i][0], buf, cases[i][1]);
    }
    kw_url_drop_dots(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheme_and_host_lower_case_default_port_and_fragment_dropped),
        cmocka_unit_test(dot_segments_of_an_absolute_urls_path_are_resolved),
        cmocka_unit_test(tracking_parameters_go_and_the_rest_are_sorted),
        cmocka_unit_test(two_spellings_of_one_page_are_one_key),
        cmocka_unit_test(non_http_urls_and_missing_hosts_are_errors),
        cmocka_unit_test(the_wire_form_percent_encodes_what_a_url_may_not_hold),
        cmocka_unit_test(equivalent_spellings_of_a_path_and_query_are_one_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
