/*
 * RFC 3339 parsing and formatting without the C library's time zone state:
 * gmtime/timegm are avoided so that nothing here depends on TZ or locale.
 */
#include "kolwatch/timeutil.h"
#include "kolwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int64_t kw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's well-known days-from-civil arithmetic. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

int kw_time_parse(int64_t *out, const char *text)
{
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, off = 0;
    if (!text)
        return kw_error_set(KW_EINVAL, "missing time");
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        goto bad;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            goto bad;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &s))
                goto bad;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    goto bad;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (h > 23 || mi > 59 || s > 60)
            goto bad;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (digits(&p, 2, &oh))
                goto bad;
            if (*p == ':')
                p++;
            if (digits(&p, 2, &om) || oh > 23 || om > 59)
                goto bad;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        goto bad;
    if (s == 60)
        s = 59; /* a leap second counts as the second before it */
    int64_t t = kw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                s - off;
    /* in UTC too the year has four digits, 0001 to 9999: an instant outside
     * them would be written as no RFC 3339 time (0000-01-01T00:00+01:00) */
    if (t < kw_days_from_civil(1, 1, 1) * 86400 || t >= kw_days_from_civil(10000, 1, 1) * 86400)
        return kw_error_set(KW_EINVAL, "'%.64s' is outside the years 0001 to 9999 in UTC", text);
    *out = t;
    return 0;
bad:
    return kw_error_set(KW_EINVAL,
                        "'%.64s' is not an RFC 3339 time or a YYYY-MM-DD date",
                        text);
}

void kw_time_format(char *buf, size_t size, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || size < 21) {
        snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
        return;
    }
    /* The common case by hand: snprintf costs more than the rest of a store write. */
    unsigned v[6] = {(unsigned)y, m, d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                     (unsigned)(rem % 60)};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
    char *p = buf;
    *p++ = (char)('0' + v[0] / 1000);
    *p++ = (char)('0' + v[0] / 100 % 10);
    for (int i = 0; i < 6; i++) {
        *p++ = (char)('0' + v[i] / 10 % 10);
        *p++ = (char)('0' + v[i] % 10);
        *p++ = sep[i];
    }
    *p = '\0';
}

/* Zones of the region's sites that keep one offset all year (no daylight
 * saving), by their IANA names: taken as that offset. */
static const struct {
    const char *name;
    int minutes;
} fixed_zones[] = {
    {"Asia/Shanghai", 480},  {"Asia/Chongqing", 480},    {"Asia/Harbin", 480},
    {"PRC", 480},            {"Asia/Hong_Kong", 480},    {"Asia/Macau", 480},
    {"Asia/Taipei", 480},    {"Asia/Singapore", 480},    {"Asia/Kuala_Lumpur", 480},
    {"Asia/Manila", 480},    {"Asia/Urumqi", 360},       {"Asia/Tokyo", 540},
    {"Asia/Seoul", 540},     {"Asia/Bangkok", 420},      {"Asia/Jakarta", 420},
    {"Asia/Ho_Chi_Minh", 420}, {"Asia/Kolkata", 330},    {"Asia/Dubai", 240},
    {"Asia/Calcutta", 330},  {"Asia/Kathmandu", 345},   {"Asia/Dhaka", 360},
    {"Asia/Karachi", 300},   {"Asia/Yangon", 390},      {"Asia/Riyadh", 180},
    {"Europe/Moscow", 180},  {"Australia/Brisbane", 600}, {"Etc/UTC", 0},
    {"Etc/GMT", 0},
};

int kw_utc_offset_parse(int64_t *out, const char *text)
{
    const char *p = text ? text : "";
    for (size_t i = 0; i < sizeof fixed_zones / sizeof fixed_zones[0]; i++)
        if (strcasecmp(p, fixed_zones[i].name) == 0) {
            *out = (int64_t)fixed_zones[i].minutes * 60;
            return 0;
        }
    /* Etc/GMT-8 is UTC+8: POSIX's sign, the other way round */
    if (strncasecmp(p, "Etc/GMT", 7) == 0 && (p[7] == '+' || p[7] == '-') &&
        isdigit((unsigned char)p[8]) &&
        (p[9] == '\0' || (isdigit((unsigned char)p[9]) && p[10] == '\0'))) {
        int h = p[9] ? (p[8] - '0') * 10 + (p[9] - '0') : p[8] - '0';
        if (h <= 14) {
            *out = (int64_t)(p[7] == '-' ? h : -h) * 3600;
            return 0;
        }
    }
    if (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0)
        p += 3;
    else if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        p++;
    if (*p == '\0' && p != text) {
        *out = 0;
        return 0;
    }
    int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, h = 0, m = 0, nh = 0, nm = 0, colon = 0;
    if (!sign)
        goto bad;
    for (p++; isdigit((unsigned char)*p) && nh < 2; p++, nh++)
        h = h * 10 + (*p - '0');
    if (*p == ':')
        p++, colon = 1;
    for (; isdigit((unsigned char)*p) && nm < 2; p++, nm++)
        m = m * 10 + (*p - '0');
    /* +8, +08, +0800, +08:00, +8:30; not +08: or +080 */
    if (nh == 0 || *p != '\0' || (colon ? nm != 2 : nm != 0 && (nm != 2 || nh != 2)) ||
        m > 59 || h * 60 + m > 14 * 60)
        goto bad;
    *out = sign * (int64_t)(h * 3600 + m * 60);
    return 0;
bad:
    return kw_error_set(KW_EINVAL,
                        "'%.64s' is not a zone (UTC, an offset such as +08:00 or -05:00, or "
                        "a zone without daylight saving such as Asia/Shanghai)",
                        text ? text : "");
}

void kw_utc_offset_format(char *buf, size_t size, int64_t offset)
{
    int64_t a = offset < 0 ? -offset : offset;
    snprintf(buf, size, "%c%02lld:%02lld", offset < 0 ? '-' : '+', (long long)(a / 3600),
             (long long)(a / 60 % 60));
}

int kw_duration_parse(int64_t *out, const char *text)
{
    const char *p = text;
    int64_t n = 0;
    if (!text || !isdigit((unsigned char)*p))
        goto bad;
    while (isdigit((unsigned char)*p)) {
        if (n > (INT64_MAX - 9) / 10 / 86400)
            goto bad;
        n = n * 10 + (*p++ - '0');
    }
    switch (*p) {
    case 's': break;
    case 'm': n *= 60; break;
    case 'h': n *= 3600; break;
    case 'd': n *= 86400; break;
    default: goto bad;
    }
    if (p[1] != '\0')
        goto bad;
    *out = n;
    return 0;
bad:
    return kw_error_set(KW_EINVAL,
                        "'%.64s' is not a duration (N followed by s, m, h or d, "
                        "e.g. 15m)",
                        text ? text : "");
}

int64_t kw_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
