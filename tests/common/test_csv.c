/* CSV as spreadsheets write it. */
#include "testsupport.h"

#include "kolwatch/csv.h"
#include "kolwatch/error.h"

#include <string.h>

static void quoted_fields_escapes_newlines_crlf_and_bom(void **state)
{
    (void)state;
    const char data[] = "\xEF\xBB\xBFname,notes\r\n\"Lu, Xiao\",\"said \"\"hi\"\"\nthen left\"\r\nAnn,\r\n";
    kw_csv *c;
    char **f;
    int n;
    long row;
    assert_int_equal(kw_csv_new(&c, data, sizeof data - 1, 1024), 0);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_int_equal(n, 2);
    assert_string_equal(f[0], "name");
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_string_equal(f[0], "Lu, Xiao");
    assert_string_equal(f[1], "said \"hi\"\nthen left");
    assert_int_equal(row, 2);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_string_equal(f[0], "Ann");
    assert_string_equal(f[1], "");
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 0);
    kw_csv_free(c);
}

static void broken_records_are_errors_naming_the_row_and_reading_goes_on(void **state)
{
    (void)state;
    const char data[] = "a,b\n\"x\"y,z\nok,1\n\"never closed,2\n";
    kw_csv *c;
    char **f;
    int n;
    long row;
    assert_int_equal(kw_csv_new(&c, data, sizeof data - 1, 1024), 0);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), KW_EINVAL);
    assert_int_equal(row, 2);
    assert_non_null(strstr(kw_error_last(), "row 2"));
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_string_equal(f[0], "ok");
    assert_int_equal(kw_csv_next(c, &f, &n, &row), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "not closed"));
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 0);
    kw_csv_free(c);
}

static void a_record_over_the_limit_is_too_big(void **state)
{
    (void)state;
    char data[300];
    memset(data, 'x', 200);
    memcpy(data + 200, "\nshort\n", 8);
    kw_csv *c;
    char **f;
    int n;
    long row;
    assert_int_equal(kw_csv_new(&c, data, strlen(data), 64), 0);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), KW_ETOOBIG);
    assert_int_equal(kw_csv_next(c, &f, &n, &row), 1);
    assert_string_equal(f[0], "short");
    kw_csv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoted_fields_escapes_newlines_crlf_and_bom),
        cmocka_unit_test(broken_records_are_errors_naming_the_row_and_reading_goes_on),
        cmocka_unit_test(a_record_over_the_limit_is_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
