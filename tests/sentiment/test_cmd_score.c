/*
 * The `kolwatch score` contract (service/cmd_score.c), run as a user runs
 * it: ids, output shape, error objects in place, exit statuses, limits.
 */
#include "testsupport.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The n-th (0-based) line of out, parsed; NULL when missing. */
static cJSON *line_json(const char *out, int n, char *raw, size_t rawsize)
{
    const char *p = out;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return NULL;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (raw) {
        snprintf(raw, rawsize, "%.*s", (int)len, p);
    }
    char *copy = strndup(p, len);
    cJSON *j = cJSON_Parse(copy);
    free(copy);
    return j;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void lines_mode__one_object_per_line_in_order(void **state)
{
    (void)state;
    const char *args[] = {"score", NULL};
    kwt_run r = kwt_kolwatch(NULL, "very good\nterrible\n\nnothing here\n", args);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 4);
    const char *labels[] = {"positive", "negative", "neutral", "neutral"};
    for (int i = 0; i < 4; i++) {
        cJSON *j = line_json(r.out, i, NULL, 0);
        assert_non_null(j);
        assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, i + 1);
        assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, labels[i]);
        const char *keys[] = {"score", "pos", "neg", "neu"};
        for (int k = 0; k < 4; k++)
            assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, keys[k])));
        assert_null(cJSON_GetObjectItem(j, "hits"));
        cJSON_Delete(j);
    }
    kwt_run_free(&r);
}

static void jsonl_mode__echoes_id_exactly(void **state)
{
    (void)state;
    const char *args[] = {"score", "--input", "jsonl", NULL};
    kwt_run r = kwt_kolwatch(NULL,
                             "{\"id\": 1.50, \"text\": \"good\"}\n"
                             "{\"text\": \"bad\"}\n"
                             "{\"id\":\"m-7\",\"text\":\"\\u4e0d\\u597d\"}\n"
                             "{\"id\":12345678901234567890,\"text\":\"ok\"}\n",
                             args);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 4);
    char raw[512];
    cJSON *j = line_json(r.out, 0, raw, sizeof raw);
    assert_non_null(strstr(raw, "\"id\":1.50,"));
    cJSON_Delete(j);
    j = line_json(r.out, 1, raw, sizeof raw);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "id")));
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "negative");
    cJSON_Delete(j);
    j = line_json(r.out, 2, raw, sizeof raw);
    assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "m-7");
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "negative");
    cJSON_Delete(j);
    j = line_json(r.out, 3, raw, sizeof raw);
    assert_non_null(strstr(raw, "\"id\":12345678901234567890,"));
    cJSON_Delete(j);
    kwt_run_free(&r);
}

static void malformed_line__gives_error_object_and_exit_1(void **state)
{
    (void)state;
    const char *args[] = {"score", "--input", "jsonl", NULL};
    kwt_run r = kwt_kolwatch(NULL,
                             "{\"id\":1,\"text\":\"good\"}\n"
                             "not json\n"
                             "{\"id\":3,\"text\":42}\n"
                             "{\"id\":4}\n"
                             "{\"id\":5,\"text\":\"bad\"\n"
                             "{\"id\":6,\"text\":\"bad\"}\n",
                             args);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out), 6);
    for (int i = 1; i <= 4; i++) {
        cJSON *j = line_json(r.out, i, NULL, 0);
        assert_non_null(j);
        assert_int_equal(cJSON_GetObjectItem(j, "line")->valueint, i + 1);
        assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "error")));
        cJSON_Delete(j);
    }
    cJSON *j = line_json(r.out, 5, NULL, 0);
    assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 6);
    cJSON_Delete(j);
    kwt_run_free(&r);
}

static void line_over_limit__is_an_error_for_that_line_only(void **state)
{
    (void)state;
    const char *args[] = {"score", "--set", "sentiment.max_line=100", NULL};
    char input[1024];
    memset(input, 'a', 300);
    snprintf(input + 300, sizeof input - 300, "\ngreat\n");
    input[0] = 'x';
    char *full = malloc(2048);
    snprintf(full, 2048, "good\n%s", input);
    kwt_run r = kwt_kolwatch(NULL, full, args);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out), 3);
    cJSON *j = line_json(r.out, 1, NULL, 0);
    assert_int_equal(cJSON_GetObjectItem(j, "line")->valueint, 2);
    assert_non_null(strstr(cJSON_GetObjectItem(j, "error")->valuestring, "100"));
    cJSON_Delete(j);
    j = line_json(r.out, 2, NULL, 0);
    assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 3);
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "positive");
    cJSON_Delete(j);
    kwt_run_free(&r);
    free(full);
}

static void explain__lists_hits_with_offsets_into_raw_text(void **state)
{
    (void)state;
    const char *args[] = {"score", "--explain", NULL};
    const char *text = "房間還行，服務態度不太好";
    char input[256];
    snprintf(input, sizeof input, "%s\n", text);
    kwt_run r = kwt_kolwatch(NULL, input, args);
    assert_int_equal(r.status, 0);
    cJSON *j = line_json(r.out, 0, NULL, 0);
    cJSON *hits = cJSON_GetObjectItem(j, "hits");
    assert_true(cJSON_IsArray(hits));
    assert_true(cJSON_GetArraySize(hits) >= 1);
    int found = 0;
    cJSON *h;
    cJSON_ArrayForEach(h, hits)
    {
        const char *term = cJSON_GetObjectItem(h, "term")->valuestring;
        size_t off = (size_t)cJSON_GetObjectItem(h, "offset")->valuedouble;
        assert_memory_equal(text + off, term, strlen(term));
        if (strcmp(term, "不太好") == 0) {
            found = 1;
            cJSON *mods = cJSON_GetObjectItem(h, "modifiers");
            assert_string_equal(cJSON_GetArrayItem(mods, 0)->valuestring, "negated");
            assert_non_null(strstr(cJSON_GetArrayItem(mods, 1)->valuestring, "degree x"));
            assert_true(cJSON_GetObjectItem(h, "valence")->valuedouble > 0);
            assert_true(cJSON_GetObjectItem(h, "contribution")->valuedouble < 0);
        }
    }
    assert_true(found);
    cJSON_Delete(j);
    kwt_run_free(&r);
}

static void threshold__changes_labels(void **state)
{
    (void)state;
    const char *args[] = {"score", "--threshold", "0.95", NULL};
    kwt_run r = kwt_kolwatch(NULL, "good\n", args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"label\":\"neutral\""));
    kwt_run_free(&r);
    const char *bad[] = {"score", "--threshold", "abc", NULL};
    r = kwt_kolwatch(NULL, "good\n", bad);
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
}

static void lexicon_flags__load_user_lexicons(void **state)
{
    (void)state;
    char *dir = kwt_tempdir();
    char path[512], spec[600];
    snprintf(path, sizeof path, "%s/v.txt", dir);
    kwt_write_file(path, "zorbly\t2.5\t0.5\t[2, 3]\n", (size_t)-1);
    snprintf(spec, sizeof spec, "%s:vader", path);
    const char *args[] = {"score", "--no-builtin", "--lexicon", spec, NULL};
    kwt_run r = kwt_kolwatch(NULL, "zorbly\ngreat\nnot zorbly\n", args);
    assert_int_equal(r.status, 0);
    const char *labels[] = {"positive", "neutral", "negative"};
    for (int i = 0; i < 3; i++) {
        cJSON *j = line_json(r.out, i, NULL, 0);
        assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, labels[i]);
        cJSON_Delete(j);
    }
    kwt_run_free(&r);
    /* a bad lexicon line stops the run with a message naming file and line */
    kwt_write_file(path, "zorbly\t2.5\nblorf\n", (size_t)-1);
    r = kwt_kolwatch(NULL, "x\n", args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "line 2"));
    assert_non_null(strstr(r.err, path));
    kwt_run_free(&r);
    kwt_rmtree(dir);
    free(dir);
}

static void text_flag__explains_for_people(void **state)
{
    (void)state;
    const char *args[] = {"score", "--text", "The room was nice but the staff were rude", NULL};
    kwt_run r = kwt_kolwatch(NULL, NULL, args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "negative"));
    assert_non_null(strstr(r.out, "rude"));
    assert_non_null(strstr(r.out, "contrast x"));
    kwt_run_free(&r);
}

static void bad_usage__exits_2(void **state)
{
    (void)state;
    const char *a1[] = {"score", "--input", "csv", NULL};
    const char *a2[] = {"score", "--bogus", NULL};
    const char *a3[] = {"score", "extra", NULL};
    const char *const *all[] = {a1, a2, a3};
    for (int i = 0; i < 3; i++) {
        kwt_run r = kwt_kolwatch(NULL, "good\n", all[i]);
        assert_int_equal(r.status, 2);
        assert_int_equal(r.out_len, 0);
        kwt_run_free(&r);
    }
}

static void invalid_utf8_input__is_scored_not_crashed(void **state)
{
    (void)state;
    const char *args[] = {"score", "--explain", NULL};
    kwt_run r = kwt_kolwatch(NULL, "\xff\xfe good \xc3\n", args);
    assert_int_equal(r.status, 0);
    cJSON *j = line_json(r.out, 0, NULL, 0);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "positive");
    cJSON_Delete(j);
    kwt_run_free(&r);
}

static void jsonl_mode__skips_bom_blank_lines_and_crlf(void **state)
{
    (void)state;
    const char *args[] = {"score", "--input", "jsonl", NULL};
    kwt_run r = kwt_kolwatch(NULL,
                             "\xEF\xBB\xBF{\"id\":1,\"text\":\"great\"}\r\n"
                             "\n"
                             "   \n"
                             "{\"id\":2,\"text\":\"awful\"}\r\n",
                             args);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 2);
    cJSON *j = line_json(r.out, 0, NULL, 0);
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "positive");
    cJSON_Delete(j);
    j = line_json(r.out, 1, NULL, 0);
    assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "negative");
    cJSON_Delete(j);
    kwt_run_free(&r);
}

static void empty_input__prints_nothing_and_succeeds(void **state)
{
    (void)state;
    const char *args[] = {"score", NULL};
    kwt_run r = kwt_kolwatch(NULL, "", args);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.out_len, 0);
    kwt_run_free(&r);
}

static void lexicons_and_threshold__come_from_the_configuration_too(void **state)
{
    (void)state;
    char *dir = kwt_tempdir();
    char path[512], spec[600];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    kwt_write_file(path, "zorbly\t4\n", (size_t)-1);
    snprintf(spec, sizeof spec, "%s:afinn", path);
    setenv("KOLWATCH_SENTIMENT_LEXICONS", spec, 1);
    const char *args[] = {"score", NULL};
    kwt_run r = kwt_kolwatch(NULL, "zorbly\n", args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"label\":\"positive\""));
    kwt_run_free(&r);
    setenv("KOLWATCH_SENTIMENT_THRESHOLD", "0.99", 1);
    r = kwt_kolwatch(NULL, "zorbly\n", args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"label\":\"neutral\""));
    kwt_run_free(&r);
    unsetenv("KOLWATCH_SENTIMENT_THRESHOLD");
    unsetenv("KOLWATCH_SENTIMENT_LEXICONS");
    kwt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_mode__one_object_per_line_in_order),
        cmocka_unit_test(jsonl_mode__echoes_id_exactly),
        cmocka_unit_test(malformed_line__gives_error_object_and_exit_1),
        cmocka_unit_test(line_over_limit__is_an_error_for_that_line_only),
        cmocka_unit_test(explain__lists_hits_with_offsets_into_raw_text),
        cmocka_unit_test(threshold__changes_labels),
        cmocka_unit_test(lexicon_flags__load_user_lexicons),
        cmocka_unit_test(text_flag__explains_for_people),
        cmocka_unit_test(bad_usage__exits_2),
        cmocka_unit_test(invalid_utf8_input__is_scored_not_crashed),
        cmocka_unit_test(jsonl_mode__skips_bom_blank_lines_and_crlf),
        cmocka_unit_test(empty_input__prints_nothing_and_succeeds),
        cmocka_unit_test(lexicons_and_threshold__come_from_the_configuration_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
