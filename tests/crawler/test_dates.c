/*
 * Feed dates: each real-world variant of RFC 822 and W3CDTF/RFC 3339 is the
 * same instant as its plain RFC 3339 spelling; junk is an error.
 */
#include "testsupport.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <string.h>

static int64_t utc(const char *rfc3339)
{
    int64_t t = 0;
    assert_int_equal(kw_time_parse(&t, rfc3339), 0);
    return t;
}

static void same(const char *text, const char *expected)
{
    int64_t t = 0;
    if (kw_date_parse(&t, text, 0) != 0)
        fail_msg("'%s' not parsed: %s", text, kw_error_last());
    char got[KW_TIME_TEXT];
    kw_time_format(got, sizeof got, t);
    if (t != utc(expected))
        fail_msg("'%s' gave %s, expected %s", text, got, expected);
}

static void rfc822_and_rfc1123_forms(void **state)
{
    (void)state;
    same("Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z");
    same("Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z");
    same("Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z");
    same("Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z");
    same("Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z");
    same("Mon, 05 Mar 2024 10:20:00 +0800", "2024-03-05T02:20:00Z");
    same("Mon, 04 Mar 2024 21:20:00 -0500", "2024-03-05T02:20:00Z");
}

static void north_american_zone_names(void **state)
{
    (void)state;
    same("Tue, 05 Mar 2024 00:00:00 EST", "2024-03-05T05:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 EDT", "2024-03-05T04:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 CST", "2024-03-05T06:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 CDT", "2024-03-05T05:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 MST", "2024-03-05T07:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 MDT", "2024-03-05T06:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 PST", "2024-03-05T08:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 PDT", "2024-03-05T07:00:00Z");
}

static void military_letters_are_read_as_utc(void **state)
{
    (void)state;
    same("Tue, 05 Mar 2024 00:00:00 A", "2024-03-05T00:00:00Z");
    same("Tue, 05 Mar 2024 00:00:00 Y", "2024-03-05T00:00:00Z");
    int64_t t;
    assert_int_equal(kw_date_parse(&t, "Tue, 05 Mar 2024 00:00:00 J", 0), KW_EINVAL);
}

static void variants_seen_in_the_wild(void **state)
{
    (void)state;
    same("06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z");       /* no weekday */
    same("Mon, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z");  /* wrong weekday */
    same("Sun, 06 Nov 1994 08:49 GMT", "1994-11-06T08:49:00Z");     /* no seconds */
    same("Sun, 6 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z");   /* one-digit day */
    same("Sun, 06 Nov 94 08:49:37 GMT", "1994-11-06T08:49:37Z");    /* 2-digit year */
    same("Wed, 02 Oct 02 13:00:00 GMT", "2002-10-02T13:00:00Z");
    same("Sunday, 06 November 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"); /* full names */
    same("Sun 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z");   /* no comma */
    same("Sun, 06 Nov 1994 16:49:37 GMT+8", "1994-11-06T08:49:37Z");
    same("Sun, 06 Nov 1994 16:49:37 GMT+08:00", "1994-11-06T08:49:37Z");
    same("Sun, 06 Nov 1994 16:49:37 UTC+0800", "1994-11-06T08:49:37Z");
    same("Sun, 06 Nov 1994 16:49:37 +08:00", "1994-11-06T08:49:37Z");
    same("Sun, 06 Nov 1994 08:49:37", "1994-11-06T08:49:37Z");      /* no zone: UTC */
    same("  Sun, 06 Nov 1994 08:49:37 GMT\n", "1994-11-06T08:49:37Z");
    same("Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z");  /* RFC 850 */
    same("Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z");        /* asctime */
    same("Sat Jun 14 12:00:00 +0800 2025", "2025-06-14T04:00:00Z");  /* Weibo */
    same("Sat, 07 Sep 2002 08:00:01 +0800 (CST)", "2002-09-07T00:00:01Z"); /* a comment */
    same("Sat, 07 Sep 2002 00:00:01 (UTC) GMT", "2002-09-07T00:00:01Z");
    same("2024-03-05T10:20:00+08:00", "2024-03-05T02:20:00Z");       /* ISO in pubDate */
    same("2024\xE5\xB9\xB4" "3\xE6\x9C\x88" "5\xE6\x97\xA5 10:20", "2024-03-05T10:20:00Z");
    same("2024\xE5\xB9\xB4" "03\xE6\x9C\x88" "05\xE6\x97\xA5", "2024-03-05T00:00:00Z");
    same("2024/03/05 10:20", "2024-03-05T10:20:00Z");
    same("2024/3/5", "2024-03-05T00:00:00Z");
    same("1709605200", "2024-03-05T02:20:00Z");      /* Unix seconds */
    same("1709605200123", "2024-03-05T02:20:00Z");   /* Unix milliseconds */
}

static void w3cdtf_and_rfc3339(void **state)
{
    (void)state;
    same("2004", "2004-01-01T00:00:00Z");
    same("2004-07", "2004-07-01T00:00:00Z");
    same("2004-07-16", "2004-07-16T00:00:00Z");
    same("1997-07-16T19:20+01:00", "1997-07-16T18:20:00Z");
    same("1997-07-16T19:20:30+01:00", "1997-07-16T18:20:30Z");
    same("1997-07-16T19:20:30.45+01:00", "1997-07-16T18:20:30Z");
    same("2004-01-01T19:48:21Z", "2004-01-01T19:48:21Z");
    same("2004-01-01t19:48:21z", "2004-01-01T19:48:21Z");
    same("2004-01-01 19:48:21Z", "2004-01-01T19:48:21Z");
    same("2004-01-01T19:48:21-00:00", "2004-01-01T19:48:21Z"); /* offset unknown */
    same("2004-01-01T19:48:21+0530", "2004-01-01T14:18:21Z");
    same("2004-01-01 19:48:21 UTC", "2004-01-01T19:48:21Z");
    same("1998-12-31T23:59:60Z", "1999-01-01T00:00:00Z");     /* leap second */
}

static void a_zoneless_time_takes_the_default_offset(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(kw_date_parse(&t, "2024-03-05 10:20", 8 * 3600), 0);
    assert_int_equal(t, utc("2024-03-05T02:20:00Z"));
    assert_int_equal(kw_date_parse(&t, "2024-03-05 10:20Z", 8 * 3600), 0);
    assert_int_equal(t, utc("2024-03-05T10:20:00Z"));
}

static void junk_and_impossible_dates_are_errors_naming_the_text(void **state)
{
    (void)state;
    const char *bad[] = {"", "   ", "yesterday", "Sun, 31 Feb 2024 00:00:00 GMT",
                         "2023-02-29", "2024-13-01", "2024-01-01T24:00:00Z",
                         "Sun, 06 Nov 1994 08:49:37 XYZ", "06 Nov", "Nov 1994",
                         "20240305", "12345", "2024-03-05T10:20:00+25:00",
                         "Sun, 06 Nov 1994 08:49:37 GMT GMT", "\xE5\x88\x9A\xE5\x88\x9A",
                         "5 minutes ago", "Sun, 06 Nov 1994 8:49:37:00 GMT", "0000-01-01",
                         "Sun, 06 Nov 123 08:49:37 GMT",
                         /* valid where written, but past 9999 or before 0001 in UTC */
                         "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00",
                         "Sat, 07 Sep 2002 00:00:01 +0000 (GMT"}; /* a comment not closed */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        if (kw_date_parse(&t, bad[i], 0) != KW_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    }
    int64_t t;
    same("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"); /* the edges themselves */
    same("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z");
    assert_int_equal(kw_date_parse(&t, "yesterday", 0), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "yesterday"));
    char longtext[600];
    memset(longtext, '1', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    assert_int_equal(kw_date_parse(&t, longtext, 0), KW_EINVAL);
    assert_int_equal(kw_date_parse(&t, NULL, 0), KW_EINVAL);
}


/* Numeric dates as backends print them: Go's time.String() ("+0800 CST",
 * the name a label), a spaced "GMT+8", a comment, the 12-hour clock, the
 * Chinese clock; the whole text must be the date. */
static void numeric_dates_with_spaced_zones_and_other_clocks(void **state)
{
    (void)state;
    same("2026-12-06 14:30:00 +0800 CST", "2026-12-06T06:30:00Z");
    same("2026-12-06 14:30:00.123456789 +0800 CST", "2026-12-06T06:30:00Z");
    same("2026-12-06 06:30:00 +0000 UTC", "2026-12-06T06:30:00Z");
    same("2026-12-06T14:30:00 GMT+8", "2026-12-06T06:30:00Z");
    same("2026-12-06 14:30 UTC+8", "2026-12-06T06:30:00Z");
    same("2026-12-06 14:30 GMT+08:00", "2026-12-06T06:30:00Z");
    same("2026-12-06 01:30 UTC-5", "2026-12-06T06:30:00Z");
    same("2026-12-06 14:30 +8", "2026-12-06T06:30:00Z");
    same("2026-12-06T14:30:00+08:00 (\xE5\x8C\x97\xE4\xBA\xAC\xE6\x97\xB6\xE9\x97\xB4)",
         "2026-12-06T06:30:00Z"); /* (北京时间) */
    same("2026-12-06 14:30 \xE5\x8C\x97\xE4\xBA\xAC\xE6\x97\xB6\xE9\x97\xB4", /* 北京时间 */
         "2026-12-06T06:30:00Z");
    same("2026-12-06 01:30 EST", "2026-12-06T06:30:00Z");
    same("2026-12-06 2:30 PM", "2026-12-06T14:30:00Z");
    same("2026-12-06 12:05 am", "2026-12-06T00:05:00Z");
    same("2026\xE5\xB9\xB4" "12\xE6\x9C\x88" "6\xE6\x97\xA5 \xE4\xB8\x8B\xE5\x8D\x88" "2:30",
         "2026-12-06T14:30:00Z"); /* 2026年12月6日 下午2:30 */
    same("2026\xE5\xB9\xB4" "12\xE6\x9C\x88" "06\xE6\x97\xA5 14\xE6\x97\xB6" "30\xE5\x88\x86",
         "2026-12-06T14:30:00Z"); /* 2026年12月06日 14时30分 */
    same("2026-1-5 9:05", "2026-01-05T09:05:00Z");
    same("2026.12.06 14:30", "2026-12-06T14:30:00Z");
    const char *bad[] = {"2026-12-06 14:30 replies", "2026-12-06 14:30:00 +0800 CST extra",
                         "2026-12-06 25:61", "2026-12-06 14:30 +25:00", "2026-12-06 14:30 GMT+",
                         "2026-12-06 13:30 AM", "2026-12-06 14:30 UTC+99", "2026-7",
                         "2026-12-06 14:30 (\xE5\x8C\x97\xE4\xBA\xAC"}; /* "(北京" unclosed */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        if (kw_date_parse(&t, bad[i], 0) != KW_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    }
}

/* Second 60 is a leap second, which is 23:59:60 in UTC, whatever the zone
 * it is written in; 14:30:60 is no time (it was read as 14:31). */
static void second_60_only_as_a_leap_second(void **state)
{
    (void)state;
    same("1998-12-31T23:59:60Z", "1999-01-01T00:00:00Z");
    same("1990-12-31T15:59:60-08:00", "1991-01-01T00:00:00Z"); /* RFC 3339's example */
    same("Sat, 31 Dec 2016 23:59:60 GMT", "2017-01-01T00:00:00Z");
    int64_t t;
    assert_int_equal(kw_date_parse(&t, "2017-01-01 07:59:60", 8 * 3600), 0);
    assert_int_equal(t, utc("2017-01-01T00:00:00Z"));
    const char *bad[] = {"2026-12-06T14:30:60Z", "2016-12-31T23:58:60Z",
                         "Sat, 31 Dec 2016 23:59:60 +0800", "2016-12-31 23:59:60 UTC+8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (kw_date_parse(&t, bad[i], 0) != KW_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(kw_date_parse(&t, "2016-12-31 23:59:60", 8 * 3600), KW_EINVAL);
}
static void relative(const char *text, int64_t now, int64_t offset, const char *expected)
{
    int64_t got = 0, want = 0;
    if (kw_date_parse_relative(&got, text, now, offset))
        fail_msg("'%s' should parse: %s", text, kw_error_last());
    assert_int_equal(kw_time_parse(&want, expected), 0);
    if (got != want) {
        char g[KW_TIME_TEXT];
        kw_time_format(g, sizeof g, got);
        fail_msg("'%s' gave %s, want %s", text, g, expected);
    }
}

/* Read at 2026-11-22 12:00 Beijing time (04:00 UTC). */
static void relative_dates_read_against_the_fetch_time_and_zone(void **state)
{
    (void)state;
    int64_t now, bj = 8 * 3600;
    assert_int_equal(kw_time_parse(&now, "2026-11-22T04:00:00Z"), 0);
    relative("刚刚", now, bj, "2026-11-22T04:00:00Z");
    relative(" just now ", now, bj, "2026-11-22T04:00:00Z");
    relative("5分钟前", now, bj, "2026-11-22T03:55:00Z");
    relative("5 分钟 前", now, bj, "2026-11-22T03:55:00Z");
    relative("30秒前", now, bj, "2026-11-22T03:59:30Z");
    relative("半小时前", now, bj, "2026-11-22T03:30:00Z");
    relative("3小时前", now, bj, "2026-11-22T01:00:00Z");
    relative("3个小时前", now, bj, "2026-11-22T01:00:00Z");
    relative("2天前", now, bj, "2026-11-20T04:00:00Z");
    relative("1周前", now, bj, "2026-11-15T04:00:00Z");
    relative("10 minutes ago", now, bj, "2026-11-22T03:50:00Z");
    relative("an hour ago", now, bj, "2026-11-22T03:00:00Z");
    relative("2 days ago", now, bj, "2026-11-20T04:00:00Z");
    relative("今天 08:15", now, bj, "2026-11-22T00:15:00Z");
    relative("昨天 23:05", now, bj, "2026-11-21T15:05:00Z");
    relative("前天 10:00:30", now, bj, "2026-11-20T02:00:30Z");
    relative("yesterday 09:00", now, 0, "2026-11-21T09:00:00Z");
    relative("今天 08:15", now, 0, "2026-11-22T08:15:00Z");
    relative("11-20 08:15", now, bj, "2026-11-20T00:15:00Z");
    relative("11月20日 08:15", now, bj, "2026-11-20T00:15:00Z");
    /* a date later this year would be ahead of now: it was last year */
    relative("12-25 10:00", now, bj, "2025-12-25T02:00:00Z");
    /* behind a label, as forums write it */
    relative("发表于 3小时前", now, bj, "2026-11-22T01:00:00Z");
    relative("Posted 10 minutes ago", now, bj, "2026-11-22T03:50:00Z");
    relative("更新于 昨天 23:05", now, bj, "2026-11-21T15:05:00Z");
    const char *bad[] = {"", "5", "abc", "5个月前", "昨天", "yesterday", "今天 25:00",
                         "13-01 10:00", "11-20", "02-30 10:00", "5分钟后", "-5分钟前",
                         "2026-11-20 10:00", "发表于", "发表于 5个月前", NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t t;
        if (kw_date_parse_relative(&t, bad[i], now, bj) != KW_EINVAL)
            fail_msg("'%s' should be refused", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc822_and_rfc1123_forms),
        cmocka_unit_test(north_american_zone_names),
        cmocka_unit_test(military_letters_are_read_as_utc),
        cmocka_unit_test(variants_seen_in_the_wild),
        cmocka_unit_test(w3cdtf_and_rfc3339),
        cmocka_unit_test(a_zoneless_time_takes_the_default_offset),
        cmocka_unit_test(junk_and_impossible_dates_are_errors_naming_the_text),
        cmocka_unit_test(numeric_dates_with_spaced_zones_and_other_clocks),
        cmocka_unit_test(second_60_only_as_a_leap_second),
        cmocka_unit_test(relative_dates_read_against_the_fetch_time_and_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
