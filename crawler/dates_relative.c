/*
 * Dates that only make sense next to the moment they were read, as forums
 * and Chinese social sites write them: "刚刚", "5分钟前", "半小时前",
 * "3 hours ago", "昨天 10:30", "11-20 08:15", "11月20日 08:15". Read
 * against the fetch time and the source's zone; anything vaguer (months
 * ago, "yesterday" without a time) is no date rather than a guess.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_TEXT 64

static bool eat(const char **p, const char *e, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(e - *p) < n || strncasecmp(*p, word, n) != 0)
        return false;
    *p += n;
    return true;
}

static void blanks(const char **p, const char *e)
{
    while (*p < e && (**p == ' ' || **p == '\t'))
        (*p)++;
}

/* Up to `max` digits; false when there are none. */
static bool number(const char **p, const char *e, int max, long *out)
{
    long v = 0;
    int n = 0;
    while (*p < e && **p >= '0' && **p <= '9' && n < max)
        v = v * 10 + (*(*p)++ - '0'), n++;
    *out = v;
    return n > 0 && !(*p < e && **p >= '0' && **p <= '9');
}

/* "HH:MM" or "HH:MM:SS" as seconds into the day. */
static bool clock_of(const char **p, const char *e, long *secs)
{
    long h, m, s = 0;
    if (!number(p, e, 2, &h) || !eat(p, e, ":") || !number(p, e, 2, &m))
        return false;
    if (eat(p, e, ":") && !number(p, e, 2, &s))
        return false;
    if (h > 23 || m > 59 || s > 59)
        return false;
    *secs = h * 3600 + m * 60 + s;
    return true;
}

/* "N unit ago" in Chinese or English: seconds, or -1. */
static long ago(const char *p, const char *e)
{
    static const struct {
        const char *word;
        long secs;
    } units[] = {{"秒钟", 1},      {"秒", 1},        {"分钟", 60},     {"分", 60},
                 {"个小时", 3600}, {"小时", 3600},   {"天", 86400},    {"周", 604800},
                 {"星期", 604800}, {"seconds", 1},   {"second", 1},    {"secs", 1},
                 {"sec", 1},       {"minutes", 60},  {"minute", 60},   {"mins", 60},
                 {"min", 60},      {"hours", 3600},  {"hour", 3600},   {"hrs", 3600},
                 {"hr", 3600},     {"days", 86400},  {"day", 86400},   {"weeks", 604800},
                 {"week", 604800}};
    long n;
    if (eat(&p, e, "半小时前") && p == e)
        return 1800;
    if (eat(&p, e, "an ") || eat(&p, e, "a "))
        n = 1;
    else if (!number(&p, e, 6, &n))
        return -1;
    blanks(&p, e);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        const char *q = p;
        if (!eat(&q, e, units[i].word))
            continue;
        blanks(&q, e);
        if ((eat(&q, e, "前") || eat(&q, e, "ago")) && q == e)
            return n * units[i].secs;
    }
    return -1;
}

int kw_date_parse_relative(int64_t *out, const char *text, int64_t now, int64_t utc_offset)
{
    const char *s = text ? text : "", *e;
    size_t len = strnlen(s, MAX_TEXT + 1);
    if (len > MAX_TEXT)
        return kw_error_set(KW_EINVAL, "date '%.40s...' is too long", s);
    e = s + len;
    blanks(&s, e);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    /* a label before it, as forums write it: "发表于 3小时前", "Posted 2 hours ago" */
    static const char *const labels[] = {"发表于", "发布于", "更新于", "回复于", "发表时间：",
                                         "发布时间：", "发表时间:", "发布时间:", "Posted",
                                         "Updated", NULL};
    for (const char *const *l = labels; *l; l++)
        if (eat(&s, e, *l)) {
            blanks(&s, e);
            break;
        }
    const char *p = s;
    if ((eat(&p, e, "刚刚") || eat(&p, e, "刚才") || eat(&p, e, "just now")) && p == e) {
        *out = now;
        return 0;
    }
    long secs = ago(s, e);
    if (secs >= 0) {
        *out = now - secs;
        return 0;
    }
    int64_t local = now + utc_offset;
    int64_t today = (local >= 0 ? local : local - 86399) / 86400; /* local day number */
    long back = -1, clock;
    p = s;
    if (eat(&p, e, "今天") || eat(&p, e, "today"))
        back = 0;
    else if (eat(&p, e, "昨天") || eat(&p, e, "yesterday"))
        back = 1;
    else if (eat(&p, e, "前天"))
        back = 2;
    if (back >= 0) {
        blanks(&p, e);
        if (!clock_of(&p, e, &clock) || p != e)
            goto bad;
        *out = (today - back) * 86400 + clock - utc_offset;
        return 0;
    }
    /* "11-20 08:15", "11月20日 08:15": this year, or last year if that
     * would be more than a day ahead of now */
    long mo, d;
    p = s;
    if (!number(&p, e, 2, &mo))
        goto bad;
    if (!eat(&p, e, "-") && !eat(&p, e, "月") && !eat(&p, e, "/"))
        goto bad;
    if (!number(&p, e, 2, &d))
        goto bad;
    eat(&p, e, "日");
    blanks(&p, e);
    if (!clock_of(&p, e, &clock) || p != e || mo < 1 || mo > 12 || d < 1 || d > 31)
        goto bad;
    time_t lt = (time_t)local;
    struct tm tm;
    if (!gmtime_r(&lt, &tm))
        goto bad;
    for (int y = tm.tm_year + 1900, tries = 0; tries < 2; y--, tries++) {
        static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
            continue;
        int64_t t = kw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + clock - utc_offset;
        if (t <= now + 86400) {
            *out = t;
            return 0;
        }
    }
bad:
    return kw_error_set(KW_EINVAL, "'%.*s' is not a date in a known form", (int)(e - s), s);
}
