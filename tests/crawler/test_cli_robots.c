/*
 * `kolwatch robots-check` as other tools call it: one "allowed|disallowed
 * TAB URL" line per URL with the URL as given, exit 0; a missing file
 * exits 1; bad usage exits 2.
 */
#include "testsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 9309's minimum parse limit, 500 KiB, as the command documents it. */
#define KW_ROBOTS_LIMIT (500 * 1024)

typedef struct fixture {
    char *dir;
    char robots[4096];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = kwt_tempdir();
    snprintf(f->robots, sizeof f->robots, "%s/robots.txt", f->dir);
    kwt_write_file(f->robots,
                   "User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\n"
                   "Allow: /publications/\n\n"
                   "User-Agent: foobot\nDisallow:/\nAllow:/example/page.html\n"
                   "Allow:/example/allowed.gif\n",
                   (size_t)-1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void one_line_per_url_in_order_with_urls_echoed(void **state)
{
    fixture *f = *state;
    kwt_run r = kwt_kolwatch(f->dir, NULL,
                             (const char *const[]){"robots-check", "--robots", f->robots,
                                                   "--agent", "FooBot",
                                                   "https://Example.com/example/page.html",
                                                   "/example/other.html", "/example/allowed.gif",
                                                   NULL});
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "allowed\thttps://Example.com/example/page.html\n"
                               "disallowed\t/example/other.html\n"
                               "allowed\t/example/allowed.gif\n");
    kwt_run_free(&r);
}

static void other_agents_get_the_star_group(void **state)
{
    fixture *f = *state;
    kwt_run r = kwt_kolwatch(f->dir, NULL,
                             (const char *const[]){"robots-check", "--agent", "kolwatch",
                                                   "--robots", f->robots, "/a/b.gif",
                                                   "/publications/x", "/example/%7Ey", NULL});
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "disallowed\t/a/b.gif\n"
                               "allowed\t/publications/x\n"
                               "disallowed\t/example/%7Ey\n");
    kwt_run_free(&r);
}

static void a_missing_robots_file_exits_1_naming_it(void **state)
{
    fixture *f = *state;
    kwt_run r = kwt_kolwatch(f->dir, NULL,
                             (const char *const[]){"robots-check", "--robots", "nope.txt",
                                                   "--agent", "bot", "/x", NULL});
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "nope.txt"));
    kwt_run_free(&r);
}

static void a_file_over_500_kib_is_read_up_to_the_limit_with_a_warning(void **state)
{
    fixture *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/big.txt", f->dir);
    const char head[] = "User-agent: *\nDisallow: /early\n", tail[] = "Disallow: /late\n";
    size_t n = KW_ROBOTS_LIMIT + sizeof tail;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, '#', n);
    memcpy(text, head, sizeof head - 1);
    for (size_t i = sizeof head - 1 + 99; i < KW_ROBOTS_LIMIT; i += 100)
        text[i] = '\n';
    text[KW_ROBOTS_LIMIT - 1] = '\n'; /* "Disallow: /late" starts a line past the limit */
    memcpy(text + KW_ROBOTS_LIMIT, tail, sizeof tail);
    kwt_write_file(path, text, (size_t)-1);
    free(text);
    kwt_run r = kwt_kolwatch(f->dir, NULL,
                             (const char *const[]){"robots-check", "--robots", path, "--agent",
                                                   "bot", "/early", "/late", NULL});
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "disallowed\t/early\nallowed\t/late\n");
    assert_non_null(strstr(r.err, "big.txt"));
    kwt_run_free(&r);
}

static void bad_usage_exits_2(void **state)
{
    fixture *f = *state;
    const char *const *cases[] = {
        (const char *const[]){"robots-check", "--agent", "bot", "/x", NULL},
        (const char *const[]){"robots-check", "--robots", f->robots, "/x", NULL},
        (const char *const[]){"robots-check", "--robots", f->robots, "--agent", "bot", NULL},
        (const char *const[]){"robots-check", "--bogus", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kwt_run r = kwt_kolwatch(f->dir, NULL, cases[i]);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.out, "");
        kwt_run_free(&r);
    }
    kwt_run r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"robots-check", "--help", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--robots FILE"));
    kwt_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_line_per_url_in_order_with_urls_echoed, setup, teardown),
        cmocka_unit_test_setup_teardown(other_agents_get_the_star_group, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_robots_file_exits_1_naming_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_over_500_kib_is_read_up_to_the_limit_with_a_warning,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_usage_exits_2, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
