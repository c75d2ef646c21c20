/*
 * `kolwatch query test` as a user runs it (output, exit statuses, messages)
 * and the validation of brand queries by `brand add` and `brand edit`.
 * SQLite only: the validation happens before the store is written.
 */
#include "testsupport.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QT(...) kwt_kolwatch(NULL, NULL, (const char *const[]){"query", "test", __VA_ARGS__, NULL})

static cJSON *parse(const kwt_run *r)
{
    cJSON *o = cJSON_Parse(r->out);
    if (!o)
        fail_msg("not JSON: '%s' (stderr '%s')", r->out, r->err);
    return o;
}

static void test__json_says_match_and_spans_point_at_the_text(void **state)
{
    (void)state;
    const char *text = "新品：ＬＵＭＩ面霜的質量很好";
    kwt_run r = QT("lumi AND 质量", "--text", text, "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = parse(&r);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "match")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "truncated")));
    cJSON *spans = cJSON_GetObjectItem(o, "spans");
    assert_int_equal(cJSON_GetArraySize(spans), 2);
    const char *want_text[] = {"ＬＵＭＩ", "質量"}, *want_term[] = {"lumi", "质量"};
    for (int i = 0; i < 2; i++) {
        cJSON *s = cJSON_GetArrayItem(spans, i);
        assert_string_equal(cJSON_GetObjectItem(s, "field")->valuestring, "text");
        size_t off = (size_t)cJSON_GetObjectItem(s, "offset")->valuedouble;
        size_t len = (size_t)cJSON_GetObjectItem(s, "length")->valuedouble;
        assert_true(off + len <= strlen(text));
        assert_int_equal(len, strlen(want_text[i]));
        assert_memory_equal(text + off, want_text[i], len);
        assert_string_equal(cJSON_GetObjectItem(s, "text")->valuestring, want_text[i]);
        assert_string_equal(cJSON_GetObjectItem(s, "term")->valuestring, want_term[i]);
    }
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void test__no_match_is_exit_0_with_empty_spans(void **state)
{
    (void)state;
    kwt_run r = QT("acme", "--text", "Acmeish lamps", "--title", "news", "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = parse(&r);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "match")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "spans")), 0);
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void test__fields_from_flags(void **state)
{
    (void)state;
    kwt_run r = QT("title:lumi author:fan platform:weibo", "--title", "Lumi!", "--author",
                   "a fan", "--platform", "weibo", "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = parse(&r);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "match")));
    cJSON *spans = cJSON_GetObjectItem(o, "spans");
    assert_int_equal(cJSON_GetArraySize(spans), 3);
    const char *fields[] = {"title", "author", "platform"};
    for (int i = 0; i < 3; i++)
        assert_string_equal(
            cJSON_GetObjectItem(cJSON_GetArrayItem(spans, i), "field")->valuestring, fields[i]);
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = QT("title:lumi", "--text", "Lumi", "--format", "json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"match\":false"));
    kwt_run_free(&r);
}

static void test__table_format_for_people(void **state)
{
    (void)state;
    kwt_run r = QT("lumi", "--text", "I like LUMI", "--format", "table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "match: yes"));
    assert_non_null(strstr(r.out, "LUMI"));
    kwt_run_free(&r);
    r = QT("lumi", "--text", "nothing", "--format", "table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "match: no"));
    kwt_run_free(&r);
    /* a Chinese term takes two columns a character on a terminal: the TEXT
     * column stays where the header has it */
    r = QT("露米 OR lumi", "--text", "露米 and Lumi", "--format", "table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "TERM                     TEXT\n"));
    assert_non_null(strstr(r.out, " 露米                     露米\n"));
    assert_non_null(strstr(r.out, " lumi                     Lumi\n"));
    kwt_run_free(&r);
    /* a term longer than its column is shown whole */
    char phrase[400] = "\"", text[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(phrase, i % 2 ? "\xe7\xb1\xb3" : "\xe9\x9c\xb2"); /* 露米... */
    strcpy(text, phrase + 1);
    strcat(phrase, "\"");
    r = QT(phrase, "--text", text, "--format", "table");
    assert_int_equal(r.status, 0);
    char row[1000];
    snprintf(row, sizeof row, "300     %s %s\n", text, text); /* LENGTH, TERM, TEXT */
    assert_non_null(strstr(r.out, row));
    kwt_run_free(&r);
}

static void test__invalid_utf8_in_the_text_still_gives_valid_json(void **state)
{
    (void)state;
    const char *text = "x \xff" "acme\xfe" " y";
    kwt_run r = QT("acme", "--text", text, "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = parse(&r);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "spans"), 0);
    assert_non_null(s);
    size_t off = (size_t)cJSON_GetObjectItem(s, "offset")->valuedouble;
    assert_memory_equal(text + off, "acme", 4);
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void test__invalid_expression_exits_1_naming_the_offset(void **state)
{
    (void)state;
    const char *expr = "露米 AND (质量 OR";
    kwt_run r = QT(expr, "--text", "x");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    char byte[32];
    snprintf(byte, sizeof byte, "byte %zu", (size_t)(strstr(expr, "OR") - expr));
    assert_non_null(strstr(r.err, byte));
    assert_non_null(strstr(r.err, "dangling operator"));
    kwt_run_free(&r);
    r = QT("titel:x", "--text", "x");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "byte 0"));
    assert_non_null(strstr(r.err, "unknown field"));
    kwt_run_free(&r);
}

static void test__bad_flags_exit_2(void **state)
{
    (void)state;
    kwt_run r = QT("acme", "--text", "x", "--bogus");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = QT("acme");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--text"));
    kwt_run_free(&r);
    r = QT("acme", "--text", "x", "--format", "xml");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = QT("acme", "--text", "x", "--platform", "myspace");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = QT("acme", "more", "--text", "x");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"query", "check", "acme", NULL});
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"query", "--help", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "NEAR/n"));
    kwt_run_free(&r);
}

/* --- brand add / edit ---------------------------------------------------- */

typedef struct fixture {
    char *dir, *db;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = kwt_tempdir();
    size_t n = strlen(f->dir) + 16;
    f->db = malloc(n);
    snprintf(f->db, n, "%s/k.db", f->dir);
    kwt_run r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", f->db, "init", NULL});
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
    free(f->db);
    free(f);
    return 0;
}

#define KW(f, ...) kwt_kolwatch((f)->dir, NULL, (const char *const[]){"--db", (f)->db, __VA_ARGS__, NULL})

/* The stored query of the brand named name. */
static char *stored_query(fixture *f, const char *name)
{
    kwt_run r = KW(f, "brand", "show", name, "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = cJSON_Parse(r.out);
    assert_non_null(o);
    char *q = strdup(cJSON_GetObjectItem(o, "query")->valuestring);
    cJSON_Delete(o);
    kwt_run_free(&r);
    return q;
}

static int brand_count(fixture *f)
{
    kwt_run r = KW(f, "brand", "list", "--format", "json");
    assert_int_equal(r.status, 0);
    cJSON *o = cJSON_Parse(r.out);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(o, "items"));
    cJSON_Delete(o);
    kwt_run_free(&r);
    return n;
}

static void brand_add__refuses_an_invalid_query_with_its_offset(void **state)
{
    fixture *f = *state;
    const char *expr = "露米 OR (lumi";
    kwt_run r = KW(f, "brand", "add", "Lumi", "--query", expr);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    char byte[32];
    snprintf(byte, sizeof byte, "byte %zu", (size_t)(strchr(expr, '(') - expr));
    assert_non_null(strstr(r.err, byte));
    assert_non_null(strstr(r.err, "unbalanced parenthesis"));
    /* the expression, and a caret under the '(' (露米 takes four columns) */
    assert_non_null(strstr(r.err, "\n  露米 OR (lumi\n          ^\n"));
    kwt_run_free(&r);
    assert_int_equal(brand_count(f), 0);

    r = KW(f, "brand", "add", "Lumi", "--query", "\"Lumi\" OR 露米");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    char *q = stored_query(f, "Lumi");
    assert_string_equal(q, "\"Lumi\" OR 露米"); /* stored as written */
    free(q);
}

static void brand_add__default_query_is_the_name_as_a_phrase_even_with_quotes(void **state)
{
    fixture *f = *state;
    const char *name = "Joe's \"Best\" Bar";
    kwt_run r = KW(f, "brand", "add", name);
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    char *q = stored_query(f, name);
    /* the stored default compiles and finds the name */
    r = QT(q, "--text", "dinner at JOE'S BEST BAR tonight", "--format", "json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"match\":true"));
    kwt_run_free(&r);
    r = QT(q, "--text", "Joe's Bar", "--format", "json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"match\":false"));
    kwt_run_free(&r);
    free(q);

    /* a name without a letter makes no query: say so, add nothing */
    r = KW(f, "brand", "add", "!!!");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "--query"));
    kwt_run_free(&r);
    r = KW(f, "brand", "add", "!!!", "--query", "bang");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(brand_count(f), 2);
}

static void brand_edit__refuses_an_invalid_query_and_keeps_the_old_one(void **state)
{
    fixture *f = *state;
    kwt_run r = KW(f, "brand", "add", "Acme");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    char *before = stored_query(f, "Acme");
    const char *bad = "acme NEAR/x lamp";
    r = KW(f, "brand", "edit", "Acme", "--query", bad);
    assert_int_equal(r.status, 1);
    char byte[32];
    snprintf(byte, sizeof byte, "byte %zu", (size_t)(strstr(bad, "NEAR") - bad));
    assert_non_null(strstr(r.err, byte));
    assert_non_null(strstr(r.err, "bad NEAR/n"));
    kwt_run_free(&r);
    char *after = stored_query(f, "Acme");
    assert_string_equal(after, before);
    free(after);
    r = KW(f, "brand", "edit", "Acme", "--query", "acme NEAR/3 lamp");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    after = stored_query(f, "Acme");
    assert_string_equal(after, "acme NEAR/3 lamp");
    free(after);
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test__json_says_match_and_spans_point_at_the_text),
        cmocka_unit_test(test__no_match_is_exit_0_with_empty_spans),
        cmocka_unit_test(test__fields_from_flags),
        cmocka_unit_test(test__table_format_for_people),
        cmocka_unit_test(test__invalid_utf8_in_the_text_still_gives_valid_json),
        cmocka_unit_test(test__invalid_expression_exits_1_naming_the_offset),
        cmocka_unit_test(test__bad_flags_exit_2),
        cmocka_unit_test_setup_teardown(brand_add__refuses_an_invalid_query_with_its_offset,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            brand_add__default_query_is_the_name_as_a_phrase_even_with_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            brand_edit__refuses_an_invalid_query_and_keeps_the_old_one, setup, teardown),
    };
    return cmocka_run_group_tests_name("query_cli", tests, NULL, NULL);
}
