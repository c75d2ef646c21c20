/*
 * Dates as feeds and pages write them: W3CDTF/RFC 3339, RFC 822 with its
 * real-world variants, and dates in figures or Chinese with a time and a
 * zone as sites and backends print them ("2026年12月6日 下午2:30",
 * "2026-12-06 14:30:00 +0800 CST"), converted to UTC seconds; and the
 * first such date inside other words. Text that fits no known form is an
 * error, never a guess; nothing here reads the clock, TZ or the locale.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include "internal.h"

#include <string.h>

#define MAX_DATE_TEXT 128
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

typedef struct fields {
    int y, mo, d, h, mi, s;
    int off;       /* seconds east of UTC */
    bool has_zone; /* off is known */
} fields;

static bool digit(int c) { return c >= '0' && c <= '9'; }
static bool alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Read 1..max digits; the count read in *n. */
static bool num(const char **p, const char *e, int min, int max, int *out, int *n)
{
    int v = 0, k = 0;
    while (*p < e && k < max && digit(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    if (k < min)
        return false;
    *out = v;
    if (n)
        *n = k;
    return true;
}

/* The bytes of w at *p (UTF-8 words as they are), moving past them. */
static bool eat(const char **p, const char *e, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(e - *p) < n || memcmp(*p, w, n) != 0)
        return false;
    *p += n;
    return true;
}

/* ':', or the full-width '：' of Chinese text */
static bool colon(const char **p, const char *e) { return eat(p, e, ":") || eat(p, e, "："); }

static void blanks(const char **p, const char *e)
{
    while (*p < e && space(**p))
        (*p)++;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

static bool valid(const fields *f)
{
    return f->y >= 1 && f->y <= 9999 && f->mo >= 1 && f->mo <= 12 && f->d >= 1 &&
           f->d <= days_in_month(f->y, f->mo) && f->h >= 0 && f->h <= 23 && f->mi >= 0 &&
           f->mi <= 59 && f->s >= 0 && f->s <= 60 && f->off > -24 * 3600 &&
           f->off < 24 * 3600;
}

/* f as UTC seconds, at default_offset when it gives no zone, in *out; or
 * why it is no instant. Second 60 is a leap second's, 23:59:60 in UTC. */
static const char *instant(const fields *f, int default_offset, int64_t *out)
{
    if (!valid(f))
        return "is not a date in a known form";
    int64_t t = kw_days_from_civil(f->y, (unsigned)f->mo, (unsigned)f->d) * 86400 +
                f->h * 3600 + f->mi * 60 + f->s - (f->has_zone ? f->off : default_offset);
    if (f->s == 60 && t % 86400 != 0)
        return "has a second 60 that is not 23:59:60 UTC";
    /* in UTC too, the year must be 0001 to 9999: RFC 3339 has four digits */
    if (t < kw_days_from_civil(1, 1, 1) * 86400 || t >= kw_days_from_civil(10000, 1, 1) * 86400)
        return "is outside the years 0001 to 9999 in UTC";
    *out = t;
    return NULL;
}

/* A numeric zone: +HH, +HHMM, +HH:MM, and with short_ok also +H, +H:MM. */
static bool numeric_zone(const char **p, const char *e, bool short_ok, int *off)
{
    const char *q = *p;
    int sign, hh, mm = 0, n;
    if (q >= e || (*q != '+' && *q != '-'))
        return false;
    sign = *q++ == '-' ? -1 : 1;
    if (!num(&q, e, short_ok ? 1 : 2, 2, &hh, &n))
        return false;
    if (q < e && *q == ':') {
        q++;
        if (!num(&q, e, 2, 2, &mm, NULL))
            return false;
    } else if (n == 2 && q < e && digit(*q)) {
        if (!num(&q, e, 2, 2, &mm, NULL))
            return false;
    }
    if (hh > 23 || mm > 59 || (q < e && (digit(*q) || *q == ':')))
        return false;
    *off = sign * (hh * 3600 + mm * 60);
    *p = q;
    return true;
}

static const struct {
    const char *name;
    int hours;
} zones[] = {
    {"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},     {"est", -5},  {"edt", -4},
    {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6},  {"pst", -8},  {"pdt", -7},
    {"cet", 1},  {"cest", 2}, {"jst", 9},  {"kst", 9},   {"hkt", 8},   {"sgt", 8},
    {"msk", 3},  {"aest", 10}, {"aedt", 11},
};

/* A zone's name, any case ("GMT", "est"): its offset in *off. */
static bool zone_named(const char *w, size_t n, int *off)
{
    for (size_t z = 0; z < COUNT(zones); z++)
        if (strlen(zones[z].name) == n && ascii_ieqn(w, zones[z].name, n)) {
            *off = zones[z].hours * 3600;
            return true;
        }
    return false;
}

/*
 * The zone after a time at *p: "Z", "+8", "+0800", "+08:00", a name
 * ("UTC", "EST"), "UTC"/"GMT" with an offset ("GMT+8", "UTC-05:00"),
 * "北京时间"; any of them in parentheses, ASCII or full-width. 1 when read
 * (*p moved past it), 0 when there is none there, -1 when one begins but
 * cannot be read ("+25:00", "UTC+", "+08001", "(UTC+8" unclosed).
 */
static int zone(const char **p, const char *e, int *off)
{
    const char *q = *p;
    if (eat(&q, e, "(") || eat(&q, e, "（")) {
        blanks(&q, e);
        int r = zone(&q, e, off);
        blanks(&q, e);
        if (r > 0 && !eat(&q, e, ")") && !eat(&q, e, "）"))
            return -1;
        if (r > 0)
            *p = q;
        return r;
    }
    if (eat(&q, e, "北京时间")) {
        *off = 8 * 3600;
    } else if (q < e && (*q == '+' || *q == '-')) {
        if (q + 1 == e || !digit(q[1]))
            return 0; /* "14:30 - 阅读 120" */
        if (!numeric_zone(&q, e, true, off))
            return -1;
    } else {
        const char *w = q;
        while (q < e && alpha(*q))
            q++;
        if (q == w || !zone_named(w, (size_t)(q - w), off))
            return 0;
        /* "GMT+8", "UTC-05:00" */
        if (*off == 0 && q - w >= 2 && q < e && (*q == '+' || *q == '-') &&
            !numeric_zone(&q, e, true, off))
            return -1;
    }
    *p = q;
    return 1;
}

/* A time of day: "14:30[:05[.250]]" (also with '：'), or in Chinese
 * "14时30分[05秒]", "14点30[分]", "2点", "2点半"; never followed by a digit. */
static bool clock(const char **p, const char *e, fields *f)
{
    if (!num(p, e, 1, 2, &f->h, NULL))
        return false;
    if (eat(p, e, "时") || eat(p, e, "点")) {
        if (eat(p, e, "半"))
            f->mi = 30;
        else if (num(p, e, 1, 2, &f->mi, NULL) && eat(p, e, "分") &&
                 num(p, e, 1, 2, &f->s, NULL) && !eat(p, e, "秒"))
            return false;
        return *p == e || !digit(**p);
    }
    if (!colon(p, e) || !num(p, e, 2, 2, &f->mi, NULL))
        return false;
    if (colon(p, e)) {
        if (!num(p, e, 2, 2, &f->s, NULL))
            return false;
        if (*p < e && (**p == '.' || **p == ',')) {
            (*p)++;
            if (*p >= e || !digit(**p))
                return false;
            while (*p < e && digit(**p))
                (*p)++;
        }
    }
    return *p == e || !digit(**p);
}

/* A date in figures: 2026-12-06, 2026/12/6, 2026.12.06, 2026年12月6日
 * (or 号, or neither); a digit may follow only 日 or 号. */
static bool ymd(const char **pp, const char *e, fields *f)
{
    const char *p = *pp;
    if (!num(&p, e, 4, 4, &f->y, NULL) || p == e)
        return false;
    if (eat(&p, e, "年")) {
        if (!num(&p, e, 1, 2, &f->mo, NULL) || !eat(&p, e, "月") ||
            !num(&p, e, 1, 2, &f->d, NULL))
            return false;
        if (eat(&p, e, "日") || eat(&p, e, "号")) {
            *pp = p;
            return true;
        }
    } else {
        char sep = *p++;
        if ((sep != '-' && sep != '/' && sep != '.') || !num(&p, e, 1, 2, &f->mo, NULL) ||
            p == e || *p++ != sep || !num(&p, e, 1, 2, &f->d, NULL))
            return false;
    }
    if (p < e && digit(*p))
        return false;
    *pp = p;
    return true;
}

/* The half of the day a word says a time is in, as the hours (on the
 * 24-hour clock) it may be: "下午2:30" is 14:30, "中午1点" 13:00; "晚上12点"
 * (midnight, but ending which day?) fits none. */
typedef struct half {
    const char *word;
    int lo, hi;
} half;
static const half before_time[] = {{"上午", 0, 11},  {"早上", 0, 11}, {"凌晨", 0, 11},
                                   {"中午", 11, 14}, {"下午", 12, 23}, {"晚上", 13, 23}};
static const half after_time[] = {{"a.m.", 0, 11}, {"p.m.", 12, 23}, {"am", 0, 11}, {"pm", 12, 23}};

/* One of the words of list at *p, any case, not followed by a letter. */
static bool half_of_day(const char **p, const char *e, const half *list, size_t n, int *lo, int *hi)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i].word);
        if ((size_t)(e - *p) >= len && ascii_ieqn(*p, list[i].word, len) &&
            (*p + len == e || !alpha((*p)[len]))) {
            *p += len;
            *lo = list[i].lo, *hi = list[i].hi;
            return true;
        }
    }
    return false;
}

/* Whether [a, b) is the zone name "CST" alone, in parentheses or not. */
static bool only_cst(const char *a, const char *b)
{
    while (a < b && (*a == '(' || *a == ' '))
        a++;
    while (b > a && (b[-1] == ')' || b[-1] == ' '))
        b--;
    return b - a == 3 && ascii_ieqn(a, "cst", 3);
}

/*
 * What may follow a date: 'T' or blanks, a time of day ("上午"... before
 * it, or "AM"/"PM" after it: the 12-hour clock), and after the time a
 * zone; one in figures may be followed by another, a label not read (Go's
 * "+0800 CST", "+08:00 (北京时间)"). *p is moved past what was read;
 * anything after that is no part of the date. False when a time or zone
 * begins but cannot be read: "25:61", "14:3", "+25:00", "下午" alone.
 */
static bool after_date(const char **pp, const char *e, fields *f)
{
    const char *p = *pp, *q;
    int lo = 0, hi = 23, off;
    if (p + 1 < e && (*p == 'T' || *p == 't') && digit(p[1]))
        p++;
    blanks(&p, e);
    bool half = half_of_day(&p, e, before_time, COUNT(before_time), &lo, &hi);
    blanks(&p, e);
    for (q = p; q < e && digit(*q); q++)
        ;
    if (q == p || (!colon(&q, e) && !eat(&q, e, "时") && !eat(&q, e, "点")))
        return !half; /* no time */
    if (!clock(&p, e, f))
        return false;
    q = p;
    blanks(&q, e);
    if (!half && half_of_day(&q, e, after_time, COUNT(after_time), &lo, &hi))
        half = true, p = q;
    if (half) { /* 1..12 on the 12-hour clock; 0 and 13..23 are themselves */
        int am = f->h == 12 ? 0 : f->h, pm = f->h >= 1 && f->h <= 12 ? am + 12 : am;
        if (am >= lo && am <= hi)
            f->h = am;
        else if (pm >= lo && pm <= hi)
            f->h = pm;
        else
            return false;
    }
    *pp = p;
    q = p;
    blanks(&q, e);
    bool figures = q < e && (*q == '+' || *q == '-');
    const char *z_at = q;
    int z = zone(&q, e, &f->off);
    if (z < 0)
        return false;
    if (z > 0 && !figures && only_cst(z_at, q))
        return true; /* China's as often as America's (Java writes China's
                        so): not read, the source's zone applies */
    if (z > 0) {
        f->has_zone = true;
        *pp = q;
        blanks(&q, e);
        if (figures && zone(&q, e, &off) > 0) /* a name for it: a label */
            *pp = q;
    }
    return true;
}

/* W3CDTF's 2004 and 2004-07, or a date in figures with what may follow. */
static bool parse_numeric(const char *s, const char *e, fields *f)
{
    const char *p = s;
    f->mo = f->d = 1;
    if (e - s == 4 || (e - s == 7 && s[4] == '-'))
        return num(&p, e, 4, 4, &f->y, NULL) &&
               (p == e || (p++, num(&p, e, 2, 2, &f->mo, NULL) && p == e));
    return ymd(&p, e, f) && after_date(&p, e, f) && p == e;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const month_full[] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_full[] = {"monday", "tuesday", "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};

static int word_in(const char *w, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if ((list[i][0] | 0x20) == (w[0] | 0x20) && strlen(list[i]) == n &&
            ascii_ieqn(w, list[i], n))
            return (int)i;
    return -1;
}

/*
 * RFC 822 and friends, read as a bag of tokens: an optional weekday (its
 * value ignored: feeds get it wrong), one month name, a day, a year, an
 * optional clock and an optional zone, in the orders seen in the wild:
 * "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
 * "Sun Nov  6 08:49:37 1994", "Sat Jun 14 12:00:00 +0800 2025".
 */
static bool parse_822(const char *s, const char *e, fields *f)
{
    const char *p = s;
    int nums[2], ndig[2], nn = 0;
    bool have_month = false, have_clock = false, have_day_name = false;
    while (p < e) {
        if (space(*p) || *p == ',' || *p == '-' || *p == '.') {
            /* '-' separates RFC 850's day-month-year; a zone's sign is seen
             * below because a zone starts right after a blank. */
            if (*p == '-' && p + 1 < e && digit(p[1]) && p > s && space(p[-1]))
                goto zone;
            p++;
            continue;
        }
        if (*p == '+')
            goto zone;
        if (*p == '(') { /* an RFC 822 comment, "+0000 (GMT)": blank */
            while (p < e && *p != ')')
                p++;
            if (p == e)
                return false;
            p++;
            continue;
        }
        if (alpha(*p)) {
            const char *w = p;
            while (p < e && alpha(*p))
                p++;
            size_t n = (size_t)(p - w);
            int i;
            if (!have_month && ((i = word_in(w, n, months, 12)) >= 0 ||
                                (i = word_in(w, n, month_full, 12)) >= 0)) {
                f->mo = i + 1;
                have_month = true;
                continue;
            }
            if (!have_day_name && !have_month && nn == 0 &&
                (word_in(w, n, days, 7) >= 0 || word_in(w, n, day_full, 7) >= 0)) {
                have_day_name = true;
                continue;
            }
            if (f->has_zone)
                return false;
            f->has_zone = zone_named(w, n, &f->off);
            if (!f->has_zone && n == 1 && *w != 'J' && *w != 'j') {
                /* Military zones: RFC 1123 says their signs were mixed up
                 * in RFC 822, so they are read as +0000. */
                f->off = 0;
                f->has_zone = true;
            }
            if (!f->has_zone)
                return false;
            /* "GMT+8", "UTC+08:00" */
            if (p < e && (*p == '+' || *p == '-') && f->off == 0 && n >= 2) {
                if (!numeric_zone(&p, e, true, &f->off))
                    return false;
            }
            continue;
        }
        if (digit(*p)) {
            const char *q = p;
            while (q < e && digit(*q))
                q++;
            if (q < e && *q == ':') {
                if (have_clock || !clock(&p, e, f))
                    return false;
                have_clock = true;
                continue;
            }
            if (nn == 2)
                return false;
            if (!num(&p, e, 1, 4, &nums[nn], &ndig[nn]) || (p < e && digit(*p)))
                return false;
            nn++;
            continue;
        }
        return false;
    zone:
        if (f->has_zone || !numeric_zone(&p, e, false, &f->off))
            return false;
        f->has_zone = true;
    }
    if (!have_month || nn != 2)
        return false;
    /* Which number is the year: the 4-digit one; else the day comes first. */
    int di = 0, yi = 1;
    if (ndig[0] == 4 && ndig[1] <= 2)
        di = 1, yi = 0;
    else if (ndig[0] > 2 || (ndig[1] != 2 && ndig[1] != 4))
        return false;
    f->d = nums[di];
    f->y = nums[yi];
    if (ndig[yi] == 2)
        f->y += f->y < 50 ? 2000 : 1900;
    return true;
}

int kw_date_parse(int64_t *out, const char *text, int default_offset)
{
    return kw_date_parse_zone(out, text, default_offset, NULL);
}

int kw_date_parse_zone(int64_t *out, const char *text, int default_offset, bool *zoned)
{
    fields f = {0};
    if (zoned)
        *zoned = true;
    const char *s = text, *e;
    if (!text)
        return kw_error_set(KW_EINVAL, "no date");
    size_t n = strnlen(text, MAX_DATE_TEXT + 1);
    if (n > MAX_DATE_TEXT)
        return kw_error_set(KW_EINVAL, "date '%.40s...' is too long", text);
    e = s + n;
    while (s < e && space(*s))
        s++;
    while (e > s && space(e[-1]))
        e--;
    if (s == e)
        return kw_error_set(KW_EINVAL, "empty date");
    const char *q = s;
    while (q < e && digit(*q))
        q++;
    if (q == e && (e - s == 10 || e - s == 13)) {
        /* Unix time in seconds or milliseconds. */
        int64_t v = 0;
        for (q = s; q < e; q++)
            v = v * 10 + (*q - '0');
        *out = e - s == 13 ? v / 1000 : v;
        return 0;
    }
    bool ok = parse_numeric(s, e, &f);
    if (!ok) {
        memset(&f, 0, sizeof f);
        ok = parse_822(s, e, &f);
    }
    int64_t t;
    const char *why = ok ? instant(&f, default_offset, &t) : "is not a date in a known form";
    if (why)
        return kw_error_set(KW_EINVAL, "'%.*s' %s", (int)(e - s), s, why);
    if (zoned)
        *zoned = f.has_zone;
    *out = t;
    return 0;
}

int date_in_words(int64_t *out, const char *text, int default_offset, bool *zoned)
{
    for (const char *s = text; s && *s; s++) {
        if (!digit(s[0]) || !digit(s[1]) || !digit(s[2]) || !digit(s[3]) ||
            (s > text && digit(s[-1])))
            continue;
        const char *p = s, *e = s + strnlen(s, MAX_DATE_TEXT);
        fields f = {0};
        if (!ymd(&p, e, &f) || !valid(&f))
            continue; /* no date: "2026-13-40" */
        if (after_date(&p, e, &f) && !instant(&f, default_offset, out)) {
            if (zoned)
                *zoned = f.has_zone;
            return 0;
        }
        break; /* the date's time or zone cannot be read: no later date is its */
    }
    return kw_error_set(KW_EINVAL, "no date in the text");
}
