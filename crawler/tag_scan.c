/*
 * A guard run before libxml2 parses markup: libxml2 checks each attribute
 * of a tag against all the ones before it, so one tag with 100,000
 * attributes costs it minutes, which no time-out stops. A byte scan finds
 * such a tag first, in a fraction of the parse's time.
 */
#include "internal.h"

#include <string.h>

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
static bool alpha(char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

const char *markup_past(const char *p, const char *end, const char *close)
{
    size_t k = strlen(close);
    for (; (p = memchr(p, close[0], (size_t)(end - p))) != NULL; p++)
        if ((size_t)(end - p) >= k && memcmp(p, close, k) == 0)
            return p + k;
    return end;
}

/* Past the end tag of a raw-text element (script, style) from p. */
static const char *past_raw(const char *p, const char *end, const char *name)
{
    size_t k = strlen(name);
    for (; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++)
        if ((size_t)(end - p) >= k + 2 && p[1] == '/' && ascii_ieqn(p + 2, name, k))
            return p;
    return end;
}

size_t markup_attr_flood(const char *s, size_t n, size_t max, bool html)
{
    const char *p = s, *end = s + n;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        const char *tag = p++;
        if (end - p >= 3 && memcmp(p, "!--", 3) == 0) {
            p = markup_past(p + 3, end, "-->");
            continue;
        }
        if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0) {
            p = markup_past(p + 8, end, "]]>");
            continue;
        }
        if (p >= end || !(alpha(*p) || *p == '!' || *p == '?'))
            continue; /* "a < b", an end tag: no attributes */
        const char *name = p;
        while (p < end && !blank(*p) && *p != '>' && *p != '/')
            p++;
        size_t name_len = (size_t)(p - name), words = 0;
        bool in_blank = false, after_eq = false;
        for (; p < end && *p != '>'; p++) {
            char c = *p;
            if (blank(c)) {
                in_blank = true;
                continue;
            }
            if ((c == '"' || c == '\'') && after_eq) { /* a quoted value */
                const char *q = memchr(p + 1, c, (size_t)(end - p - 1));
                p = q ? q : end - 1;
                after_eq = false;
                in_blank = false;
                continue;
            }
            if (in_blank && ++words > max)
                return (size_t)(tag - s);
            in_blank = false;
            after_eq = c == '=';
        }
        if (html && ((name_len == 6 && ascii_ieqn(name, "script", 6)) ||
                     (name_len == 5 && ascii_ieqn(name, "style", 5))))
            p = past_raw(p, end, name_len == 6 ? "script" : "style");
    }
    return n;
}

int markup_line_at(const char *s, size_t at)
{
    int line = 1;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + at - p))) != NULL; p++)
        line++;
    return line;
}
