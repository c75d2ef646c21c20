/*
 * Dates as feeds and pages write them: W3CDTF/RFC 3339 and RFC 822 with its
 * real-world variants, converted to UTC seconds. Text that fits no known
 * form is an error, never a guess; nothing here reads the clock, TZ or
 * the locale.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include "internal.h"

#include <string.h>

#define MAX_DATE_TEXT 128

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

/* A numeric zone: +HH, +HHMM, +HH:MM, and after "GMT"/"UTC" also +H. */
static bool numeric_zone(const char **p, const char *e, bool short_ok, int *off)
{
    const char *q = *p;
    int sign, hh, mm = 0, n;
    if (q >= e || (*q != '+' && *q != '-'))
        return false;
    sign = *q++ == '-' ? -1 : 1;
    if (!num(&q, e, short_ok ? 1 : 2, 2, &hh, &n))
        return false;
    if (n == 2 && q < e && *q == ':') {
        q++;
        if (!num(&q, e, 2, 2, &mm, NULL))
            return false;
    } else if (n == 2 && q < e && digit(*q)) {
        if (!num(&q, e, 2, 2, &mm, NULL))
            return false;
    }
    if (hh > 23 || mm > 59)
        return false;
    *off = sign * (hh * 3600 + mm * 60);
    *p = q;
    return true;
}

/* Zone after an ISO time: Z, +HH:MM, +HHMM, +HH, or a spaced "UTC"/"GMT". */
static bool iso_zone(const char **p, const char *e, fields *f)
{
    const char *q = *p;
    while (q < e && *q == ' ')
        q++;
    if (q == e)
        return true; /* no zone */
    if ((*q == 'Z' || *q == 'z') && q + 1 == e) {
        f->has_zone = true;
        *p = e;
        return true;
    }
    if ((e - q == 3 && (ascii_ieqn(q, "UTC", 3) || ascii_ieqn(q, "GMT", 3)))) {
        f->has_zone = true;
        *p = e;
        return true;
    }
    if (numeric_zone(&q, e, false, &f->off) && q == e) {
        f->has_zone = true;
        *p = e;
        return true;
    }
    return false;
}

/* hh:mm[:ss[.frac]] */
static bool clock(const char **p, const char *e, fields *f)
{
    if (!num(p, e, 1, 2, &f->h, NULL) || *p >= e || **p != ':')
        return false;
    (*p)++;
    if (!num(p, e, 2, 2, &f->mi, NULL))
        return false;
    if (*p < e && **p == ':') {
        (*p)++;
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
    return true;
}

/* W3CDTF / RFC 3339, with '/' accepted between date parts. */
static bool parse_iso(const char *s, const char *e, fields *f)
{
    const char *p = s;
    int n;
    f->mo = f->d = 1;
    if (!num(&p, e, 4, 4, &f->y, &n))
        return false;
    if (p == e)
        return true;
    char sep = *p;
    if (sep != '-' && sep != '/')
        return false;
    p++;
    if (!num(&p, e, sep == '/' ? 1 : 2, 2, &f->mo, NULL))
        return false;
    if (p == e)
        return sep == '-';
    if (*p++ != sep || !num(&p, e, sep == '/' ? 1 : 2, 2, &f->d, NULL))
        return false;
    if (p == e)
        return true;
    if (*p == 'T' || *p == 't' || *p == ' ')
        p++;
    else
        return false;
    while (p < e && *p == ' ')
        p++;
    if (!clock(&p, e, f))
        return false;
    return iso_zone(&p, e, f) && p == e;
}

/* 2024年3月5日 10:20[:30] */
static bool parse_cjk(const char *s, const char *e, fields *f)
{
    static const char nian[] = "\xE5\xB9\xB4", yue[] = "\xE6\x9C\x88", ri[] = "\xE6\x97\xA5";
    const char *p = s;
    if (!num(&p, e, 4, 4, &f->y, NULL) || e - p < 3 || memcmp(p, nian, 3) != 0)
        return false;
    p += 3;
    if (!num(&p, e, 1, 2, &f->mo, NULL) || e - p < 3 || memcmp(p, yue, 3) != 0)
        return false;
    p += 3;
    if (!num(&p, e, 1, 2, &f->d, NULL) || e - p < 3 || memcmp(p, ri, 3) != 0)
        return false;
    p += 3;
    while (p < e && space(*p))
        p++;
    if (p == e)
        return true;
    return clock(&p, e, f) && p == e;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const month_full[] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_full[] = {"monday", "tuesday", "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};

static const struct {
    const char *name;
    int hours;
} zones[] = {
    {"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},     {"est", -5},  {"edt", -4},
    {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6},  {"pst", -8},  {"pdt", -7},
    {"cet", 1},  {"cest", 2}, {"jst", 9},  {"kst", 9},   {"hkt", 8},   {"sgt", 8},
    {"msk", 3},  {"aest", 10}, {"aedt", 11},
};

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
            for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++)
                if ((zones[z].name[0] | 0x20) == (w[0] | 0x20) && strlen(zones[z].name) == n &&
                    ascii_ieqn(w, zones[z].name, n)) {
                    f->off = zones[z].hours * 3600;
                    f->has_zone = true;
                }
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
    bool ok = parse_iso(s, e, &f);
    if (!ok) {
        memset(&f, 0, sizeof f);
        ok = parse_cjk(s, e, &f);
    }
    if (!ok) {
        memset(&f, 0, sizeof f);
        ok = parse_822(s, e, &f);
    }
    if (!ok || !valid(&f))
        return kw_error_set(KW_EINVAL, "'%.*s' is not a date in a known form", (int)(e - s), s);
    int off = f.has_zone ? f.off : default_offset;
    if (zoned)
        *zoned = f.has_zone;
    int64_t t = kw_days_from_civil(f.y, (unsigned)f.mo, (unsigned)f.d) * 86400 + f.h * 3600 +
                f.mi * 60 + f.s - off;
    /* second 60 is a leap second's, 23:59:60 in UTC whatever the zone */
    if (f.s == 60 && t % 86400 != 0)
        return kw_error_set(KW_EINVAL, "'%.*s' has a second 60 that is not 23:59:60 UTC",
                            (int)(e - s), s);
    /* in UTC too, the year must be 0001 to 9999: RFC 3339 has four digits */
    if (t < kw_days_from_civil(1, 1, 1) * 86400 || t >= kw_days_from_civil(10000, 1, 1) * 86400)
        return kw_error_set(KW_EINVAL, "'%.*s' is outside the years 0001 to 9999 in UTC",
                            (int)(e - s), s);
    *out = t;
    return 0;
}
