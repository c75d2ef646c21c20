/* RFC 3339 times, dates and durations as every interface reads them. */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <string.h>

static int64_t parse(const char *s)
{
    int64_t t = 0;
    assert_int_equal(kw_time_parse(&t, s), 0);
    return t;
}

static void offsets_and_zulu_name_the_same_instant(void **state)
{
    (void)state;
    assert_int_equal(parse("2026-10-01T08:00:00+08:00"), parse("2026-10-01T00:00:00Z"));
    assert_int_equal(parse("2026-10-01t00:00:00z"), parse("2026-10-01T00:00:00Z"));
    assert_int_equal(parse("2026-10-01 00:00:00Z"), parse("2026-10-01T00:00:00Z"));
    assert_int_equal(parse("2026-09-30T19:30:00-04:30"), parse("2026-10-01T00:00:00Z"));
}

static void a_date_alone_is_midnight_utc_and_zoneless_times_are_utc(void **state)
{
    (void)state;
    assert_int_equal(parse("2026-10-01"), parse("2026-10-01T00:00:00Z"));
    assert_int_equal(parse("2026-10-01T08:00:00"), parse("2026-10-01T08:00:00Z"));
    assert_int_equal(parse("2026-10-01T08:00"), parse("2026-10-01T08:00:00Z"));
}

static void fractions_are_dropped_and_formatting_round_trips(void **state)
{
    (void)state;
    char buf[KW_TIME_TEXT];
    assert_int_equal(parse("2026-10-01T08:00:00.999Z"), parse("2026-10-01T08:00:00Z"));
    kw_time_format(buf, sizeof buf, parse("2024-02-29T23:59:59+00:00"));
    assert_string_equal(buf, "2024-02-29T23:59:59Z");
    kw_time_format(buf, sizeof buf, 0);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    kw_time_format(buf, sizeof buf, -1);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    /* A leap second is the second before it, so 9999 never rolls into 10000. */
    assert_int_equal(parse("9999-12-31T23:59:60Z"), parse("9999-12-31T23:59:59Z"));
}

static void impossible_dates_and_junk_are_errors_naming_the_text(void **state)
{
    (void)state;
    const char *bad[] = {"2026-02-30", "2025-02-29", "2026-13-01", "2026-10-01T24:00:00Z",
                         "yesterday", "", "2026-10-01T08:00:00+8", "2026-10-01Tjunk",
                         "2026-10-01T08:00:00Z trailing",
                         /* in UTC past the four-digit years, which no time can be written in */
                         "0000-01-01T00:00+01:00", "9999-12-31T23:59-01:00", "0000-06-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        assert_int_equal(kw_time_parse(&t, bad[i]), KW_EINVAL);
        assert_non_null(strstr(kw_error_last(), bad[i]));
    }
}

static void durations_take_s_m_h_d(void **state)
{
    (void)state;
    int64_t d;
    assert_int_equal(kw_duration_parse(&d, "15m"), 0);
    assert_int_equal(d, 900);
    assert_int_equal(kw_duration_parse(&d, "1d"), 0);
    assert_int_equal(d, 86400);
    assert_int_equal(kw_duration_parse(&d, "2h"), 0);
    assert_int_equal(d, 7200);
    assert_int_equal(kw_duration_parse(&d, "15"), KW_EINVAL);
    assert_int_equal(kw_duration_parse(&d, "m"), KW_EINVAL);
    assert_int_equal(kw_duration_parse(&d, "-5s"), KW_EINVAL);
    assert_int_equal(kw_duration_parse(&d, "99999999999999999999d"), KW_EINVAL);
}

static void zones_parse_as_offsets_and_format_back(void **state)
{
    (void)state;
    struct {
        const char *text;
        int64_t secs;
    } ok[] = {{"UTC", 0},         {"Z", 0},         {"gmt", 0},        {"+08:00", 28800},
              {"+0800", 28800},   {"+8", 28800},    {"UTC+8", 28800},  {"-05:30", -19800},
              {"GMT-03:00", -10800}, {"+14:00", 50400}, {"+5:30", 19800},
              /* zones that keep one offset all year, by name */
              {"Asia/Shanghai", 28800}, {"asia/tokyo", 32400}, {"Asia/Kolkata", 19800},
              {"Asia/Kathmandu", 20700}, {"Etc/GMT-8", 28800}, {"Etc/GMT+5", -18000},
              {"Etc/UTC", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = 12345;
        if (kw_utc_offset_parse(&v, ok[i].text))
            fail_msg("'%s' should parse", ok[i].text);
        assert_int_equal(v, ok[i].secs);
    }
    const char *bad[] = {"", "8", "+", "+15:00", "+08:60", "+08:", "+080", "CST", "+08:00x",
                         "Europe/Berlin", "America/New_York", "+8:3", NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t v;
        assert_int_equal(kw_utc_offset_parse(&v, bad[i]), KW_EINVAL);
        assert_non_null(strstr(kw_error_last(), "not a zone"));
    }
    char buf[16];
    kw_utc_offset_format(buf, sizeof buf, 28800);
    assert_string_equal(buf, "+08:00");
    kw_utc_offset_format(buf, sizeof buf, -19800);
    assert_string_equal(buf, "-05:30");
    kw_utc_offset_format(buf, sizeof buf, 0);
    assert_string_equal(buf, "+00:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offsets_and_zulu_name_the_same_instant),
        cmocka_unit_test(a_date_alone_is_midnight_utc_and_zoneless_times_are_utc),
        cmocka_unit_test(fractions_are_dropped_and_formatting_round_trips),
        cmocka_unit_test(impossible_dates_and_junk_are_errors_naming_the_text),
        cmocka_unit_test(durations_take_s_m_h_d),
        cmocka_unit_test(zones_parse_as_offsets_and_format_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
