/*
 * Lexicon loading (sentiment/lexicon.c): every format, later lexicons
 * winning, the rule lists surviving --no-builtin, and errors that name the
 * file and the line. Fixtures are written by the test into a temp dir.
 */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = kwt_tempdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kwt_rmtree(dir);
    free(dir);
    return 0;
}

static char *fixture(const char *name, const char *content)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    kwt_write_file(path, content, (size_t)-1);
    return path;
}

/* Build a scorer from specs (NULL-terminated); returns its rc. */
static int build(kw_scorer **out, int no_builtin, const char **specs)
{
    kw_scorer_options o;
    size_t n = 0;
    kw_scorer_options_init(&o);
    while (specs && specs[n])
        n++;
    o.no_builtin = no_builtin;
    o.lexicons = specs;
    o.nlexicons = n;
    *out = NULL;
    return kw_scorer_new(out, &o);
}

static double sc(kw_scorer *s, const char *text)
{
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(s, text, strlen(text), &r), 0);
    double v = r.score;
    kw_result_release(&r);
    return v;
}

static void spec(char *buf, size_t n, const char *path, const char *fmt)
{
    snprintf(buf, n, "%s:%s", path, fmt);
}

static void each_format__loads_and_scores(void **state)
{
    (void)state;
    char *kw = fixture("own.tsv", "# comment\n\nzorbly\t3\tslang\nblorf\t-2.5\n");
    char *vader = fixture("vader.txt", "zorbly\t2.1\t0.7\t[2, 2, 3]\nblorf\t-1.9\t0.5\t[-2, -2]\n");
    char *afinn = fixture("afinn.txt", "zorbly\t4\nblorf\t-3\n");
    char *pos = fixture("pos.txt", "\xEF\xBB\xBFzorbly\n  \n");
    char *neg = fixture("neg.txt", "blorf\r\n");
    char s1[512], s2[512], s3[512], s4[512];
    spec(s1, sizeof s1, vader, "vader");
    spec(s2, sizeof s2, afinn, "afinn");
    spec(s3, sizeof s3, pos, "words+");
    spec(s4, sizeof s4, neg, "words-");
    const char *sets[][3] = {{kw, NULL, NULL}, {s1, NULL, NULL}, {s2, NULL, NULL},
                             {s3, s4, NULL}};
    for (size_t i = 0; i < 4; i++) {
        kw_scorer *s;
        assert_int_equal(build(&s, 1, sets[i]), 0);
        assert_true(sc(s, "what a zorbly day") > 0);
        assert_true(sc(s, "what a blorf day") < 0);
        assert_true(sc(s, "what a day") == 0);
        kw_scorer_free(s);
    }
    free(kw), free(vader), free(afinn), free(pos), free(neg);
}

static void later_lexicon__wins_for_a_term(void **state)
{
    (void)state;
    char *a = fixture("a.tsv", "zorbly\t3\n");
    char *b = fixture("b.tsv", "zorbly\t-3\n");
    kw_scorer *s;
    const char *ab[] = {a, b, NULL}, *ba[] = {b, a, NULL};
    assert_int_equal(build(&s, 0, ab), 0);
    assert_true(sc(s, "zorbly") < 0);
    kw_scorer_free(s);
    assert_int_equal(build(&s, 0, ba), 0);
    assert_true(sc(s, "zorbly") > 0);
    kw_scorer_free(s);
    /* an extra lexicon overrides a built-in term too */
    char *c = fixture("c.tsv", "good\t-2\n");
    const char *cc[] = {c, NULL};
    assert_int_equal(build(&s, 0, cc), 0);
    assert_true(sc(s, "good") < 0);
    kw_scorer_free(s);
    free(a), free(b), free(c);
}

static void no_builtin__drops_valences_but_keeps_rules(void **state)
{
    (void)state;
    kw_scorer *s;
    char *own = fixture("own2.tsv", "fine\t2\n好\t2\n");
    const char *specs[] = {own, NULL};
    assert_int_equal(build(&s, 1, NULL), 0);
    assert_true(sc(s, "great") == 0); /* no built-in valences */
    assert_true(sc(s, "[哈哈]") > 0); /* emoticons stay */
    kw_scorer_free(s);
    assert_int_equal(build(&s, 1, specs), 0);
    assert_true(sc(s, "fine") > 0);
    assert_true(sc(s, "not fine") < 0);        /* negators stay */
    assert_true(sc(s, "very fine") > sc(s, "fine")); /* degree words stay */
    assert_true(sc(s, "不好") < 0);
    assert_true(sc(s, "fine but bad") > 0);     /* "bad" is gone */
    kw_scorer_free(s);
    free(own);
}

static void expect_error(const char *name, const char *content, const char *fmt, int code,
                         const char *needle)
{
    char *path = fixture(name, content);
    char sp[512];
    if (fmt)
        spec(sp, sizeof sp, path, fmt);
    else
        snprintf(sp, sizeof sp, "%s", path);
    const char *specs[] = {sp, NULL};
    kw_scorer *s;
    int rc = build(&s, 0, specs);
    assert_int_equal(rc, code);
    assert_null(s);
    const char *msg = kw_error_last();
    if (!strstr(msg, needle) || !strstr(msg, name)) {
        fprintf(stderr, "message '%s' lacks '%s' or '%s'\n", msg, needle, name);
        fail();
    }
    free(path);
}

static void bad_line__names_file_and_line(void **state)
{
    (void)state;
    expect_error("bad1.tsv", "good\t2\nbad\n", NULL, KW_EINVAL, "line 2");
    expect_error("bad2.tsv", "# c\ngood\tvery\n", NULL, KW_EINVAL, "line 2");
    expect_error("bad3.tsv", "good\t9\n", NULL, KW_EINVAL, "line 1");
    expect_error("bad4.txt", "a\t1\t0\t[]\nb\t-7\t0\t[]\n", "vader", KW_EINVAL, "line 2");
    expect_error("bad5.txt", "a\t6\n", "afinn", KW_EINVAL, "line 1");
    expect_error("bad6.txt", "ok\n\xff\xfe\n", "words+", KW_EINVAL, "line 2");
    expect_error("bad7.txt", "\xff\xfeg\0o\0", "words+", KW_EINVAL, "UTF-16");
    expect_error("bad8.tsv", "x\t1\n\t2\n", NULL, KW_EINVAL, "line 2");
    expect_error("bad9.tsv", "good\tnan\n", NULL, KW_EINVAL, "line 1");
    expect_error("bad10.tsv", "good\t1\n", "sentiword", KW_EINVAL, "unknown format");
}

static void missing_file__is_not_found(void **state)
{
    (void)state;
    const char *specs[] = {"/nonexistent/kolwatch-lexicon.tsv:afinn", NULL};
    kw_scorer *s;
    assert_int_equal(build(&s, 0, specs), KW_ENOTFOUND);
    assert_non_null(strstr(kw_error_last(), "/nonexistent/kolwatch-lexicon.tsv"));
}

static void traditional_terms__match_simplified_text(void **state)
{
    (void)state;
    char *own = fixture("trad.tsv", "嘔吐\t-3\n");
    const char *specs[] = {own, NULL};
    kw_scorer *s;
    assert_int_equal(build(&s, 1, specs), 0);
    assert_true(sc(s, "吃完呕吐") < 0);
    assert_true(sc(s, "吃完嘔吐") < 0);
    kw_scorer_free(s);
    free(own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_format__loads_and_scores),
        cmocka_unit_test(later_lexicon__wins_for_a_term),
        cmocka_unit_test(no_builtin__drops_valences_but_keeps_rules),
        cmocka_unit_test(bad_line__names_file_and_line),
        cmocka_unit_test(missing_file__is_not_found),
        cmocka_unit_test(traditional_terms__match_simplified_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
