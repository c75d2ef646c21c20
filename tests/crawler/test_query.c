/*
 * Brand queries (crawler/query.c): the grammar, matching on folded text,
 * NEAR/n in both scripts, spans that point at the raw bytes, and the errors
 * an invalid expression gives, with their offsets.
 */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/query.h"
#include "kolwatch/sentiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append s to the string in buf (size bytes). */
static void app(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    assert_true(n + strlen(s) < size);
    snprintf(buf + n, size - n, "%s", s);
}

static kw_query *compile_ok(const char *expr)
{
    kw_query *q = NULL;
    size_t at = 12345;
    int rc = kw_query_compile(&q, expr, &at);
    if (rc)
        fail_msg("'%s' should compile: %s", expr, kw_error_last());
    assert_non_null(q);
    return q;
}

/* Whether expr matches an item with this title and text. */
static int matches_doc(const char *expr, const kw_query_doc *d)
{
    kw_query *q = compile_ok(expr);
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    assert_int_equal(kw_query_match(q, d, &r), 0);
    int m = r.match;
    if (!m)
        assert_int_equal(r.nspans, 0);
    kw_query_match_result_release(&r);
    kw_query_free(q);
    return m;
}

static int matches(const char *expr, const char *text)
{
    kw_query_doc d = {.text = text};
    return matches_doc(expr, &d);
}

/* The raw text of span i of r in d. */
static char *span_text(const kw_query_doc *d, const kw_query_match_result *r, size_t i)
{
    const kw_query_span *s = &r->spans[i];
    const char *f = s->field == KW_QUERY_TITLE    ? d->title
                    : s->field == KW_QUERY_TEXT   ? d->text
                    : s->field == KW_QUERY_AUTHOR ? d->author
                                                  : d->platform;
    assert_non_null(f);
    assert_true(s->offset + s->length <= strlen(f));
    return strndup(f + s->offset, s->length);
}

static char *span_term(const kw_query_match_result *r, size_t i)
{
    return strndup(r->spans[i].term, r->spans[i].term_len);
}

/* Match and check that the spans, in order, are exactly the raw texts
 * given (NULL-terminated), in the given fields. */
static void expect_spans(const char *expr, const kw_query_doc *d, const char *const *want,
                         const kw_query_field *fields)
{
    kw_query *q = compile_ok(expr);
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    assert_int_equal(kw_query_match(q, d, &r), 0);
    assert_true(r.match);
    size_t n = 0;
    while (want[n])
        n++;
    if (r.nspans != n) {
        for (size_t i = 0; i < r.nspans; i++) {
            char *t = span_text(d, &r, i);
            print_message("span %zu: %s\n", i, t);
            free(t);
        }
    }
    assert_int_equal(r.nspans, n);
    for (size_t i = 0; i < n; i++) {
        char *t = span_text(d, &r, i);
        assert_string_equal(t, want[i]);
        free(t);
        if (fields)
            assert_int_equal(r.spans[i].field, fields[i]);
    }
    assert_false(r.truncated);
    kw_query_match_result_release(&r);
    kw_query_free(q);
}

/* expr must fail with KW_EINVAL at the offset of the first occurrence of
 * `at` in expr (or offset `at_off` when at is NULL), with a message that
 * contains `says` and names that offset. */
static void expect_bad_at(const char *expr, const char *at, size_t at_off, const char *says)
{
    kw_query *q = NULL;
    size_t off = 99999;
    int rc = kw_query_compile(&q, expr, &off);
    if (rc != KW_EINVAL)
        fail_msg("'%s' should be refused (rc %d)", expr, rc);
    assert_null(q);
    size_t want = at_off;
    if (at) {
        const char *p = strstr(expr, at);
        assert_non_null(p);
        want = (size_t)(p - expr);
    }
    if (off != want)
        fail_msg("'%s': error at %zu, expected %zu (%s)", expr, off, want, kw_error_last());
    if (!strstr(kw_error_last(), says))
        fail_msg("'%s': message '%s' does not say '%s'", expr, kw_error_last(), says);
    char byte[64];
    snprintf(byte, sizeof byte, "byte %zu", want);
    assert_non_null(strstr(kw_error_last(), byte));
}

static void expect_bad(const char *expr, const char *at, const char *says)
{
    expect_bad_at(expr, at, 0, says);
}

/* --- words, case, widths, scripts ---------------------------------------- */

static void bare_word__matches_whole_words_only(void **state)
{
    (void)state;
    assert_false(matches("ace", "Acme makes lamps"));
    assert_false(matches("acme", "Acmes and acmeish"));
    assert_true(matches("ace", "an ace, truly"));
    assert_true(matches("acme", "I bought ACME's lamp"));
    assert_true(matches("acme", "买了acme的灯"));
    assert_true(matches("lamp2", "the Lamp2 is bright"));
    assert_false(matches("lamp", "the Lamp2 is bright"));
}

static void case_and_full_width__fold_to_the_same_word(void **state)
{
    (void)state;
    assert_true(matches("acme", "ＡＣＭＥ新品"));
    assert_true(matches("ＡＣＭＥ", "acme"));
    assert_true(matches("AcMe", "ACME"));
    assert_true(matches("lumi2", "ＬＵＭＩ２"));
    kw_query_doc d = {.text = "新品ＡＣＭＥ上市"};
    expect_spans("acme", &d, (const char *const[]){"ＡＣＭＥ", NULL}, NULL);
}

/* An accent written after its letter (decomposed text, as macOS and
 * Vietnamese sources send) is the precomposed letter, within its word and
 * its span; a half-width kana with its voicing mark is the full-width
 * voiced kana; Greek accents and letters with a stroke fold as Latin
 * accents do. */
static void accents_kana_and_greek__fold_as_users_write_them(void **state)
{
    (void)state;
    assert_true(matches("cafeteria", "Cafe\xcc\x81teria"));
    assert_false(matches("teria", "Cafe\xcc\x81teria"));
    assert_true(matches("café", "cafe\xcc\x81"));
    assert_true(matches("ディオール", "ﾃﾞｨｵｰﾙ"));
    assert_true(matches("ﾃﾞｨｵｰﾙ", "ディオール"));
    assert_true(matches("パン", "ﾊﾟﾝ"));
    assert_true(matches("ガム", "カ\xe3\x82\x99ム"));
    assert_false(matches("カム", "ﾊﾟﾝ ｶﾞﾑ"));
    assert_true(matches("οδός", "ΟΔΟΣ"));
    assert_true(matches("duong", "Đường"));
    assert_true(matches("露米 NEAR/1 质量", "露米e\xcc\x81质量"));
    kw_query_doc d = {.text = "a cafe\xcc\x81 x ﾃﾞｨｵｰﾙ"};
    expect_spans("cafe ディオール", &d, (const char *const[]){"cafe\xcc\x81", "ﾃﾞｨｵｰﾙ", NULL},
                 NULL);
}

static void traditional_and_simplified__match_each_other(void **state)
{
    (void)state;
    assert_true(matches("质量", "這個質量很好"));
    assert_true(matches("質量", "这个质量很好"));
    assert_true(matches("产品", "新產品"));
    assert_true(matches("產品", "新产品"));
    assert_true(matches("露米", "我爱露米"));
    kw_query_doc d = {.text = "露米的產品質量不錯"};
    expect_spans("质量 产品", &d, (const char *const[]){"產品", "質量", NULL}, NULL);
}

static void cjk_terms__match_inside_longer_runs(void **state)
{
    (void)state;
    assert_true(matches("露米", "我最喜欢露米的面霜"));
    assert_true(matches("面霜", "露米面霜"));
    assert_false(matches("露米", "露 米"));
}

/* --- phrases --------------------------------------------------------------- */

static void phrase__latin_words_in_order_ignoring_punctuation_and_space(void **state)
{
    (void)state;
    assert_true(matches("\"acme pro\"", "the Acme-Pro lamp"));
    assert_true(matches("\"acme pro\"", "ACME,   pro!"));
    assert_true(matches("\"acme   pro\"", "acme pro"));
    assert_false(matches("\"acme pro\"", "pro acme"));
    assert_false(matches("\"acme pro\"", "acme super pro"));
    assert_false(matches("\"acme pro\"", "acme professional"));
    /* a bare word with punctuation is a phrase of its words */
    assert_true(matches("wi-fi", "has WiFi? no, Wi Fi"));
    assert_false(matches("wi-fi", "wifi"));
    kw_query_doc d = {.text = "buy the Acme - Pro now"};
    expect_spans("\"acme pro\"", &d, (const char *const[]){"Acme - Pro", NULL}, NULL);
}

static void phrase__cjk_characters_written_together_stay_together(void **state)
{
    (void)state;
    assert_true(matches("\"露米质量\"", "露米質量很好"));
    assert_false(matches("\"露米质量\"", "露米，质量很好"));
    assert_false(matches("\"露米质量\"", "露米的质量"));
    /* written apart in the query, either way in the text */
    assert_true(matches("\"露米 质量\"", "露米质量"));
    assert_true(matches("\"露米 质量\"", "露米 质量"));
    /* mixed scripts */
    assert_true(matches("\"lumi 面霜\"", "Lumi面霜"));
    assert_true(matches("lumi面霜", "LUMI 面霜"));
}

static void phrase__escapes_and_kw_query_phrase(void **state)
{
    (void)state;
    const char *name = "Joe's \"Best\" \\ Bar";
    char *expr = NULL;
    assert_int_equal(kw_query_phrase(&expr, name), 0);
    assert_true(matches(expr, "at joe's best bar"));
    assert_true(matches(expr, name));
    assert_false(matches(expr, "joe's bar"));
    free(expr);
    assert_true(matches("\"say \\\"hi\\\" now\"", "say hi now"));
    /* curly quotes as typed by a Chinese input method */
    assert_true(matches("“露米 面霜”", "露米面霜"));
    assert_int_equal(kw_query_phrase(&expr, "!!!"), 0);
    kw_query *q = NULL;
    assert_int_equal(kw_query_compile(&q, expr, NULL), KW_EINVAL);
    free(expr);
}

/* --- operators --------------------------------------------------------------- */

static void and_or_not__and_adjacency_means_and(void **state)
{
    (void)state;
    assert_true(matches("acme lamp", "acme sells a lamp"));
    assert_false(matches("acme lamp", "acme sells a desk"));
    assert_true(matches("acme AND lamp", "lamp by acme"));
    assert_false(matches("acme AND lamp", "acme"));
    assert_true(matches("acme OR lumi", "lumi"));
    assert_false(matches("acme OR lumi", "neither"));
    assert_true(matches("acme NOT jobs", "acme lamp"));
    assert_false(matches("acme NOT jobs", "acme jobs"));
    assert_true(matches("acme AND NOT jobs", "acme"));
    assert_false(matches("acme -jobs", "acme jobs"));
    assert_true(matches("acme -jobs", "acme"));
    assert_false(matches("acme -\"job fair\"", "acme job fair"));
    assert_true(matches("acme -\"job fair\"", "acme job and fair"));
    assert_false(matches("acme -(jobs OR hiring)", "acme hiring"));
    /* a hyphen inside a word is no NOT */
    assert_true(matches("e-commerce", "E-Commerce news"));
}

static void precedence__not_over_and_over_or_and_parentheses(void **state)
{
    (void)state;
    /* a OR (b AND c) */
    assert_true(matches("alpha OR beta AND gamma", "alpha"));
    assert_false(matches("alpha OR beta AND gamma", "beta"));
    assert_true(matches("alpha OR beta AND gamma", "beta gamma"));
    /* (a OR b) AND c */
    assert_false(matches("(alpha OR beta) AND gamma", "alpha"));
    assert_true(matches("(alpha OR beta) AND gamma", "alpha gamma"));
    /* (NOT a) AND b */
    assert_true(matches("NOT alpha beta", "beta"));
    assert_false(matches("NOT alpha beta", "alpha beta"));
    /* NOT (a OR b) AND c */
    assert_false(matches("NOT (alpha OR beta) gamma", "beta gamma"));
    assert_true(matches("NOT (alpha OR beta) gamma", "gamma"));
    assert_true(matches("NOT NOT alpha", "alpha"));
    assert_true(matches("((((alpha))))", "alpha"));
}

static void lower_case_operators__are_ordinary_words(void **state)
{
    (void)state;
    assert_false(matches("acme or lumi", "lumi"));
    assert_true(matches("acme or lumi", "lumi or acme"));
    assert_true(matches("cats and dogs", "dogs and cats"));
    assert_false(matches("this not that", "this that"));
    assert_true(matches("\"AND\"", "this and that"));
    assert_true(matches("ＡＮＤ", "this and that"));
    assert_true(matches("NEARBY", "nearby"));
    assert_true(matches("ANDROID OR ORACLE", "oracle"));
}

/* --- fields ------------------------------------------------------------------ */

static void fields__restrict_terms_and_default_is_title_or_text(void **state)
{
    (void)state;
    kw_query_doc d = {.title = "Lumi launch", .text = "a new cream", .author = "Acme Fan",
                      .platform = "weibo"};
    assert_true(matches_doc("lumi", &d));
    assert_true(matches_doc("cream", &d));
    assert_false(matches_doc("fan", &d));
    assert_true(matches_doc("author:fan", &d));
    assert_true(matches_doc("author:\"acme fan\"", &d));
    assert_true(matches_doc("title:lumi", &d));
    assert_false(matches_doc("title:cream", &d));
    assert_true(matches_doc("text:cream", &d));
    assert_false(matches_doc("text:lumi", &d));
    assert_true(matches_doc("lumi platform:weibo", &d));
    assert_false(matches_doc("lumi platform:douyin", &d));
    assert_true(matches_doc("lumi NOT platform:douyin", &d));
    assert_true(matches_doc("TITLE:lumi", &d));
    assert_true(matches_doc("title：lumi", &d)); /* a full-width colon */
    /* full-width letters too, as an input method in full-width mode types them */
    assert_true(matches_doc("ｔｉｔｌｅ：lumi", &d));
    assert_true(matches_doc("ＴＩＴＬＥ:lumi", &d));
    assert_false(matches_doc("ｔｅｘｔ:lumi", &d));
    assert_true(matches_doc("title:(cream OR launch)", &d));
    assert_false(matches_doc("title:(cream OR fan)", &d));
    assert_true(matches_doc("platform:(douyin OR weibo) cream", &d));
    /* a missing field matches nothing */
    kw_query_doc none = {.text = "lumi"};
    assert_false(matches_doc("title:lumi", &none));
    assert_false(matches_doc("lumi platform:weibo", &none));
    kw_query_doc empty = {0};
    assert_false(matches_doc("lumi", &empty));
    /* a colon after something that is no field name is part of the word */
    assert_true(matches("12:30", "at 12.30 today"));
}

static void spans__name_the_field_and_skip_not_terms_and_failed_branches(void **state)
{
    (void)state;
    kw_query_doc d = {.title = "Lumi launch", .text = "LUMI cream, no jobs here",
                      .platform = "weibo"};
    expect_spans("lumi -jobs", &(kw_query_doc){.title = d.title, .text = "LUMI cream"},
                 (const char *const[]){"Lumi", "LUMI", NULL},
                 (const kw_query_field[]){KW_QUERY_TITLE, KW_QUERY_TEXT});
    /* the failed branch (cream AND absent) reports nothing */
    expect_spans("(cream absent) OR title:launch", &d, (const char *const[]){"launch", NULL},
                 (const kw_query_field[]){KW_QUERY_TITLE});
    expect_spans("cream platform:weibo", &d, (const char *const[]){"cream", "weibo", NULL},
                 (const kw_query_field[]){KW_QUERY_TEXT, KW_QUERY_PLATFORM});
    /* the term is the query's term as written */
    kw_query *q = compile_ok("title:\"LUMI  Launch\"");
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_int_equal(r.nspans, 1);
    char *t = span_term(&r, 0);
    assert_string_equal(t, "LUMI  Launch");
    free(t);
    kw_query_match_result_release(&r);
    kw_query_free(q);
}

static void spans__point_at_raw_bytes_in_any_width_or_script(void **state)
{
    (void)state;
    kw_query_doc d = {.text = "新品：ＡＣＭＥ Lamp，露米產品質量好；acme\xff lamp"};
    expect_spans("acme OR \"质量\" OR 产品", &d,
                 (const char *const[]){"ＡＣＭＥ", "產品", "質量", "acme", NULL}, NULL);
    expect_spans("\"acme lamp\"", &d, (const char *const[]){"ＡＣＭＥ Lamp", "acme\xff lamp", NULL},
                 NULL);
}

static void spans__are_capped_and_say_so(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i < 100; i++)
        app(text, sizeof text, "acme, ");
    kw_query *q = compile_ok("acme");
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    kw_query_doc d = {.text = text};
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_true(r.match);
    assert_int_equal(r.nspans, KW_QUERY_MAX_SPANS);
    assert_true(r.truncated);
    for (size_t i = 1; i < r.nspans; i++)
        assert_true(r.spans[i].offset > r.spans[i - 1].offset);
    /* the same result object, reused for a short item */
    d.text = "one acme";
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_int_equal(r.nspans, 1);
    assert_false(r.truncated);
    d.text = "none";
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_false(r.match);
    assert_int_equal(r.nspans, 0);
    kw_query_free(q);
    /* NEAR/n pairs share occurrences: 80 of them fill the cap, and say so */
    text[0] = '\0';
    for (int i = 0; i < 40; i++)
        app(text, sizeof text, "lumi cream ");
    static const char *const nears[] = {"lumi NEAR/1 cream", "lumi NEAR/2 lumi"};
    for (size_t k = 0; k < 2; k++) {
        q = compile_ok(nears[k]);
        d.text = text;
        assert_int_equal(kw_query_match(q, &d, &r), 0);
        assert_true(r.match);
        assert_int_equal(r.nspans, KW_QUERY_MAX_SPANS);
        assert_true(r.truncated);
        kw_query_free(q);
    }
    kw_query_match_result_release(&r);
}

/* --- NEAR/n ------------------------------------------------------------------ */

static void near__latin_counts_words_between_in_either_order(void **state)
{
    (void)state;
    assert_true(matches("lumi NEAR/2 great", "Lumi is very great"));
    assert_false(matches("lumi NEAR/2 great", "Lumi is really very great"));
    assert_true(matches("lumi NEAR/3 great", "Lumi is really very great"));
    assert_true(matches("lumi NEAR/2 great", "great, said a Lumi fan"));
    assert_false(matches("lumi NEAR/1 great", "great, said a Lumi fan"));
    assert_true(matches("lumi NEAR/0 cream", "Lumi-cream"));
    assert_false(matches("lumi NEAR/0 cream", "Lumi the cream"));
    /* a word in parentheses is a word, on either side */
    assert_true(matches("(lumi) NEAR/2 great", "Lumi is very great"));
    assert_true(matches("lumi NEAR/2 (great)", "Lumi is very great"));
    /* phrases count from their ends */
    assert_true(matches("\"lumi cream\" NEAR/1 \"too greasy\"", "LUMI cream is too greasy"));
    /* one occurrence is not near itself; two are */
    assert_false(matches("lumi NEAR/5 lumi", "lumi only"));
    assert_true(matches("lumi NEAR/5 lumi", "lumi and lumi"));
    /* the closest pair counts, not the first */
    assert_true(matches("lumi NEAR/1 bad", "lumi x x x x x x lumi bad"));
    assert_true(matches("lumi NEAR/1 bad", "bad x x x x x bad lumi"));
    kw_query_doc d = {.text = "Lumi is very GREAT"};
    expect_spans("lumi NEAR/2 great", &d, (const char *const[]){"Lumi", "GREAT", NULL}, NULL);
}

static void near__cjk_counts_characters_between(void **state)
{
    (void)state;
    assert_true(matches("露米 NEAR/1 质量", "露米的质量很好"));
    assert_false(matches("露米 NEAR/1 质量", "露米产品的质量"));
    assert_true(matches("露米 NEAR/3 质量", "露米产品的质量"));
    assert_true(matches("露米 NEAR/3 质量", "露米產品的質量"));
    assert_true(matches("露米 NEAR/3 质量", "质量比露米好"));
    assert_true(matches("露米 NEAR/0 质量", "露米质量"));
    /* punctuation and blanks are characters too */
    assert_false(matches("露米 NEAR/1 质量", "露米， 质量"));
    /* a Latin term beside a CJK one: characters */
    assert_true(matches("lumi NEAR/2 质量", "LUMI的质量"));
    assert_false(matches("lumi NEAR/2 质量", "LUMI 产品的质量"));
    kw_query_doc d = {.text = "露米產品的質量"};
    expect_spans("露米 NEAR/3 质量", &d, (const char *const[]){"露米", "質量", NULL}, NULL);
}

static void near__applies_to_fields(void **state)
{
    (void)state;
    kw_query_doc d = {.title = "Lumi news", .text = "great stuff"};
    /* not across fields */
    assert_false(matches_doc("lumi NEAR/5 great", &d));
    assert_true(matches_doc("title:(lumi NEAR/1 news)", &d));
    assert_false(matches_doc("text:lumi NEAR/1 news", &d));
}

/* --- errors ------------------------------------------------------------------- */

static void bad_expressions__name_what_and_where(void **state)
{
    (void)state;
    expect_bad("", NULL, "empty query");
    expect_bad("   ", NULL, "empty query");
    expect_bad("(acme", "(", "unbalanced parenthesis");
    expect_bad("acme (lumi OR (x)", "(lumi", "unbalanced parenthesis");
    expect_bad("acme)", ")", "unbalanced parenthesis");
    expect_bad("(acme)) lumi", ") lumi", "unbalanced parenthesis");
    expect_bad("acme ()", "()", "empty parentheses");
    expect_bad("acme AND", "AND", "dangling operator");
    expect_bad("acme OR", "OR", "dangling operator");
    expect_bad("OR acme", "OR", "dangling operator");
    expect_bad("acme AND OR lumi", "AND", "dangling operator");
    expect_bad("acme NOT", "NOT", "dangling operator");
    expect_bad("(acme OR) lumi", "OR", "dangling operator");
    expect_bad("NEAR/3 acme", "NEAR", "dangling operator");
    expect_bad("acme \"\"", "\"\"", "empty phrase");
    expect_bad("acme \"  \"", "\"  \"", "empty phrase");
    expect_bad("acme \"!!\"", "\"!!\"", "no letter");
    expect_bad("acme ???", "???", "no letter");
    expect_bad("acme \"lumi", "\"lumi", "unterminated phrase");
    expect_bad("titel:acme", "titel", "unknown field 'titel'");
    expect_bad("acme url:x", "url", "unknown field");
    /* an unknown name in full-width letters stays a word, as queries stored
     * before full-width field names were read mean it */
    kw_query *wq = NULL;
    assert_int_equal(kw_query_compile(&wq, "ｌｕｍｉ：好用 OR Lumi", NULL), 0);
    kw_query_free(wq);
    expect_bad("露米 platform:weibo2", "weibo2", "unknown platform");
    expect_bad("title: ", "title", "needs a word");
    expect_bad("title:OR acme", "title", "needs a word");
    expect_bad("title:(author:x)", "author", "inside");
    expect_bad("acme NEAR lumi", "NEAR", "NEAR needs a distance");
    expect_bad("acme NEAR/ lumi", "NEAR", "bad NEAR/n");
    expect_bad("acme NEAR/x lumi", "NEAR", "bad NEAR/n");
    expect_bad("acme NEAR/-1 lumi", "NEAR", "bad NEAR/n");
    expect_bad("acme NEAR/1001 lumi", "NEAR", "bad NEAR/n");
    expect_bad("acme NEAR/3", "NEAR", "dangling operator");
    expect_bad("(a OR b) NEAR/3 acme", "NEAR", "not a group");
    expect_bad("acme NEAR/3 (a OR b)", "NEAR", "not a group");
    expect_bad("acme NEAR/3 -lumi", "-lumi", "not NOT");
    expect_bad("acme NEAR/3 NOT lumi", "NOT lumi", "not NOT");
    expect_bad("a NEAR/3 b NEAR/3 c", "NEAR/3 c", "cannot be chained");
    expect_bad("title:a NEAR/3 author:b", "NEAR", "different fields");
    expect_bad("acme NEAR/3 platform:weibo", "NEAR", "platform");
    expect_bad("NOT acme", "NOT", "none of its terms");
    expect_bad("-acme", "-", "none of its terms");
    expect_bad("lumi OR NOT acme", "NOT", "none of its terms");
    /* a platform says where an item was posted, not what it mentions */
    expect_bad("platform:weibo", "weibo", "not that it mentions");
    expect_bad("lumi OR platform:weibo", "weibo", "not that it mentions");
    expect_bad("platform:(weibo OR douyin)", "weibo", "not that it mentions");
    expect_bad("platform:weibo -lumi", "weibo", "not that it mentions");
    expect_bad("-lumi platform:weibo", "weibo", "not that it mentions");
    expect_bad("露米 \xff", "\xff", "invalid UTF-8");
    expect_bad("露米 \xe4\xb8", "\xe4\xb8", "invalid UTF-8"); /* truncated */
    /* the offset is in bytes, past multi-byte characters */
    expect_bad("露米质量 OR", "OR", "dangling operator");
    expect_bad("（露米", "（", "unbalanced parenthesis");
}

static void limits__length_depth_and_terms(void **state)
{
    (void)state;
    char *big = malloc(KW_QUERY_MAX_LEN + 2);
    memset(big, 'a', KW_QUERY_MAX_LEN + 1);
    big[KW_QUERY_MAX_LEN + 1] = '\0';
    expect_bad_at(big, NULL, KW_QUERY_MAX_LEN, "too long");
    big[KW_QUERY_MAX_LEN] = '\0';
    kw_query_free(compile_ok(big)); /* exactly the limit */
    free(big);

    char deep[512] = "";
    for (int i = 0; i <= KW_QUERY_MAX_DEPTH; i++)
        app(deep, sizeof deep, "(");
    app(deep, sizeof deep, "acme");
    for (int i = 0; i <= KW_QUERY_MAX_DEPTH; i++)
        app(deep, sizeof deep, ")");
    expect_bad_at(deep, NULL, KW_QUERY_MAX_DEPTH, "too deeply nested");
    deep[strlen(deep) - 1] = '\0';
    kw_query_free(compile_ok(deep + 1)); /* exactly the limit */
    deep[0] = '\0';
    for (int i = 0; i <= KW_QUERY_MAX_DEPTH; i++)
        app(deep, sizeof deep, "NOT ");
    app(deep, sizeof deep, "acme");
    expect_bad_at(deep, NULL, 4 * KW_QUERY_MAX_DEPTH, "too deeply nested");

    char many[4096] = "";
    for (int i = 0; i <= KW_QUERY_MAX_TERMS; i++) {
        char w[16];
        snprintf(w, sizeof w, "%sw%d", i ? " OR " : "", i);
        app(many, sizeof many, w);
    }
    char last[16];
    snprintf(last, sizeof last, "w%d", KW_QUERY_MAX_TERMS);
    expect_bad(many, last, "too many terms");
    *strstr(many, " OR w256") = '\0';
    kw_query *q = compile_ok(many);
    assert_true(matches(many, "w255"));
    kw_query_free(q);
    char near[64];
    snprintf(near, sizeof near, "a NEAR/%d b", KW_QUERY_MAX_NEAR);
    kw_query_free(compile_ok(near));
}

static void match__rejects_null_arguments_and_survives_bad_bytes(void **state)
{
    (void)state;
    kw_query *q = compile_ok("acme");
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    assert_int_equal(kw_query_match(q, NULL, &r), KW_EINVAL);
    kw_query_doc d = {.text = "\xff\xfe" "acme" "\xc3!" "\xed\xa0\x80"};
    assert_int_equal(kw_query_match(NULL, &d, &r), KW_EINVAL);
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_true(r.match);
    assert_int_equal(r.nspans, 1);
    char *t = span_text(&d, &r, 0);
    assert_string_equal(t, "acme");
    free(t);
    kw_query_match_result_release(&r);
    kw_query_free(q);
    kw_query_free(NULL);
    kw_query_match_result_release(NULL);
}

static void match__long_repetitive_text_and_query_finish(void **state)
{
    (void)state;
    /* a phrase of many equal words against a long run of them: work stays
     * proportional to text x terms */
    char expr[1024] = "\"";
    for (int i = 0; i < 200; i++)
        app(expr, sizeof expr, "a ");
    app(expr, sizeof expr, "b\" NEAR/3 \"a a a a a a a a c\"");
    size_t n = 200000;
    char *text = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        text[2 * i] = 'a', text[2 * i + 1] = ' ';
    text[2 * n] = '\0';
    assert_false(matches(expr, text));
    free(text);
}

/* One result reused for many queries and documents (the crawler matches
 * every brand against each item with one): a field rewritten in place, at
 * the same address, is matched as it now reads, and spans point into it. */
static void match__one_result_across_queries_and_rewritten_fields(void **state)
{
    (void)state;
    kw_query *lumi = compile_ok("Lumi OR 露米"), *glowa = compile_ok("title:Glowa");
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    char text[64], title[32];
    snprintf(text, sizeof text, "%s", "A note on LUMI serum");
    snprintf(title, sizeof title, "%s", "Glowa");
    kw_query_doc d = {.title = title, .text = text};
    assert_int_equal(kw_query_match(lumi, &d, &r), 0);
    assert_true(r.match);
    assert_int_equal(r.spans[0].offset, 10);
    assert_int_equal(kw_query_match(glowa, &d, &r), 0);
    assert_true(r.match);
    snprintf(text, sizeof text, "%s", "露米精华 and nothing else");
    snprintf(title, sizeof title, "%s", "Other");
    assert_int_equal(kw_query_match(glowa, &d, &r), 0);
    assert_false(r.match);
    assert_int_equal(kw_query_match(lumi, &d, &r), 0);
    assert_true(r.match);
    assert_int_equal(r.spans[0].offset, 0);
    assert_int_equal(r.spans[0].length, 6);
    snprintf(text, sizeof text, "%s", "A note on LUMa serum");
    assert_int_equal(kw_query_match(lumi, &d, &r), 0);
    assert_false(r.match);
    d.text = NULL;
    assert_int_equal(kw_query_match(lumi, &d, &r), 0);
    assert_false(r.match);
    kw_query_match_result_release(&r);
    kw_query_free(lumi);
    kw_query_free(glowa);
}

static void text_fold__keeps_raw_offsets_and_replaces_bad_bytes(void **state)
{
    (void)state;
    const char *s = "Ａb質\xff!";
    kw_folded_char fc[16];
    size_t n = 0;
    assert_int_equal(kw_text_fold(fc, 16, &n, s, strlen(s)), 0);
    assert_int_equal(n, 5);
    assert_int_equal(fc[0].cp, 'a');
    assert_int_equal(fc[0].kind, KW_FOLD_WORD);
    assert_memory_equal(s + fc[0].offset, "Ａ", fc[0].len);
    assert_int_equal(fc[2].cp, 0x8D28); /* 质 */
    assert_int_equal(fc[2].kind, KW_FOLD_CJK);
    assert_memory_equal(s + fc[2].offset, "質", fc[2].len);
    assert_int_equal(fc[3].cp, 0xFFFD);
    assert_int_equal(fc[3].len, 1);
    assert_int_equal(fc[4].kind, KW_FOLD_OTHER);
    assert_int_equal(kw_text_fold(fc, 2, &n, s, strlen(s)), KW_ETOOBIG);
    assert_int_equal(n, 5);
    assert_int_equal(kw_text_fold(NULL, 0, &n, "", 0), 0);
    assert_int_equal(n, 0);
    /* a kana and its voicing mark are one entry, counted as one past the
     * room given too; an accent after its letter is part of its entry */
    const char *kana = "a\xe3\x83\x86\xe3\x82\x99" "e\xcc\x81";
    assert_int_equal(kw_text_fold(NULL, 0, &n, kana, strlen(kana)), KW_ETOOBIG);
    assert_int_equal(n, 3);
    kw_folded_char one[3];
    assert_int_equal(kw_text_fold(one, 1, &n, kana, strlen(kana)), KW_ETOOBIG);
    assert_int_equal(n, 3);
    assert_int_equal(kw_text_fold(one, 3, &n, kana, strlen(kana)), 0);
    assert_int_equal(one[1].cp, 0x30C7); /* デ */
    assert_int_equal(one[1].len, 6);
    assert_int_equal(one[2].cp, 'e');
    assert_int_equal(one[2].len, 3);
}

/* The fold of the last document's fields is handed out for exactly the
 * strings matched, and equals the text's own fold. */
static void match__hands_out_the_fold_of_the_fields_it_read(void **state)
{
    (void)state;
    kw_query *q = compile_ok("Lumi OR 露米");
    const char *text = "ＬＵＭＩ 精華，don't  buy";
    char copy[64];
    snprintf(copy, sizeof copy, "%s", text);
    kw_query_doc d = {.text = text, .platform = "weibo"};
    kw_query_match_result r;
    kw_query_match_result_init(&r);
    size_t n = 0, want_n = 0;
    assert_null(kw_query_match_folded(&r, KW_QUERY_TEXT, text, &n)); /* nothing matched yet */
    assert_int_equal(kw_query_match(q, &d, &r), 0);
    assert_true(r.match);
    const kw_folded_char *fc = kw_query_match_folded(&r, KW_QUERY_TEXT, text, &n);
    assert_non_null(fc);
    kw_folded_char want[64];
    assert_int_equal(kw_text_fold(want, 64, &want_n, text, strlen(text)), 0);
    assert_int_equal(n, want_n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fc[i].cp, want[i].cp);
        assert_int_equal(fc[i].kind, want[i].kind);
        assert_int_equal(fc[i].offset, want[i].offset);
        assert_int_equal(fc[i].len, want[i].len);
    }
    assert_null(kw_query_match_folded(&r, KW_QUERY_TEXT, copy, &n)); /* another string */
    assert_null(kw_query_match_folded(&r, KW_QUERY_TITLE, text, &n)); /* a field not read */
    assert_null(kw_query_match_folded(&r, KW_QUERY_PLATFORM, "weibo", &n));
    kw_query_doc other = {.title = text, .platform = "weibo"};
    assert_int_equal(kw_query_match(q, &other, &r), 0);
    assert_null(kw_query_match_folded(&r, KW_QUERY_TEXT, text, &n)); /* not this document's */
    assert_non_null(kw_query_match_folded(&r, KW_QUERY_TITLE, text, &n));
    kw_query_match_result_release(&r);
    kw_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bare_word__matches_whole_words_only),
        cmocka_unit_test(match__one_result_across_queries_and_rewritten_fields),
        cmocka_unit_test(match__hands_out_the_fold_of_the_fields_it_read),
        cmocka_unit_test(case_and_full_width__fold_to_the_same_word),
        cmocka_unit_test(accents_kana_and_greek__fold_as_users_write_them),
        cmocka_unit_test(traditional_and_simplified__match_each_other),
        cmocka_unit_test(cjk_terms__match_inside_longer_runs),
        cmocka_unit_test(phrase__latin_words_in_order_ignoring_punctuation_and_space),
        cmocka_unit_test(phrase__cjk_characters_written_together_stay_together),
        cmocka_unit_test(phrase__escapes_and_kw_query_phrase),
        cmocka_unit_test(and_or_not__and_adjacency_means_and),
        cmocka_unit_test(precedence__not_over_and_over_or_and_parentheses),
        cmocka_unit_test(lower_case_operators__are_ordinary_words),
        cmocka_unit_test(fields__restrict_terms_and_default_is_title_or_text),
        cmocka_unit_test(spans__name_the_field_and_skip_not_terms_and_failed_branches),
        cmocka_unit_test(spans__point_at_raw_bytes_in_any_width_or_script),
        cmocka_unit_test(spans__are_capped_and_say_so),
        cmocka_unit_test(near__latin_counts_words_between_in_either_order),
        cmocka_unit_test(near__cjk_counts_characters_between),
        cmocka_unit_test(near__applies_to_fields),
        cmocka_unit_test(bad_expressions__name_what_and_where),
        cmocka_unit_test(limits__length_depth_and_terms),
        cmocka_unit_test(match__rejects_null_arguments_and_survives_bad_bytes),
        cmocka_unit_test(match__long_repetitive_text_and_query_finish),
        cmocka_unit_test(text_fold__keeps_raw_offsets_and_replaces_bad_bytes),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
