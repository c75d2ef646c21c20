/* Bounded line reading: a huge line costs an error, not the memory. */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/textio.h"

#include <stdio.h>
#include <string.h>

static void lines_crlf_and_a_last_line_without_newline(void **state)
{
    (void)state;
    char data[] = "one\r\ntwo\n\nthree";
    FILE *f = fmemopen(data, strlen(data), "r");
    kw_linereader *r;
    char *line;
    size_t len;
    long no;
    assert_int_equal(kw_linereader_new(&r, f, 100), 0);
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 1);
    assert_string_equal(line, "one");
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 1);
    assert_string_equal(line, "two");
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 1);
    assert_int_equal(len, 0);
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 1);
    assert_string_equal(line, "three");
    assert_int_equal(no, 4);
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 0);
    kw_linereader_free(r);
    fclose(f);
}

static void a_line_over_the_limit_is_skipped_and_the_next_is_read(void **state)
{
    (void)state;
    char data[200];
    memset(data, 'x', 150);
    memcpy(data + 150, "\nnext\n", 7);
    FILE *f = fmemopen(data, strlen(data), "r");
    kw_linereader *r;
    char *line;
    size_t len;
    long no;
    assert_int_equal(kw_linereader_new(&r, f, 64), 0);
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), KW_ETOOBIG);
    assert_int_equal(no, 1);
    assert_non_null(strstr(kw_error_last(), "line 1"));
    assert_int_equal(kw_linereader_next(r, &line, &len, &no), 1);
    assert_string_equal(line, "next");
    assert_int_equal(no, 2);
    kw_linereader_free(r);
    fclose(f);
}

static void sha256_matches_the_standard_test_vector(void **state)
{
    (void)state;
    char hex[65];
    kw_sha256_hex(hex, "abc", 3);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_crlf_and_a_last_line_without_newline),
        cmocka_unit_test(a_line_over_the_limit_is_skipped_and_the_next_is_read),
        cmocka_unit_test(sha256_matches_the_standard_test_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
