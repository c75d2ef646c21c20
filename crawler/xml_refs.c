/*
 * HTML's named character references (&eacute;, &nbsp;, &copy;) in a feed
 * that declares none: feeds written as HTML use them without a DTD, and
 * XML reads an undeclared entity as nothing ("caf&eacute;" came out as
 * "caf"). Before libxml2 parses the feed, each is written as the numeric
 * reference of its character, which XML reads everywhere; CDATA sections,
 * comments, processing instructions and the DOCTYPE are left as they are,
 * and so are XML's own five (&amp; &lt; &gt; &quot; &apos;).
 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Past a DOCTYPE from p ("<!DOCTYPE"), its internal subset included. */
static const char *past_doctype(const char *p, const char *end)
{
    for (char quote = 0; p < end; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '[') {
            p = markup_past(p, end, "]");
            p--;
        } else if (*p == '>') {
            return p + 1;
        }
    }
    return end;
}

/* The code point of HTML's reference at p ("&eacute;"), its length in
 * *n; 0 for none, or one of XML's own. */
static unsigned html_ref(const char *p, const char *end, size_t *n)
{
    char name[33];
    size_t k = 0;
    for (const char *q = p + 1; q < end && k < sizeof name - 1; q++, k++) {
        char c = *q;
        if (c == ';') {
            if (k < 2)
                return 0;
            name[k] = '\0';
            static const char *const xml[] = {"amp", "lt", "gt", "quot", "apos", NULL};
            for (const char *const *x = xml; *x; x++)
                if (strcmp(name, *x) == 0)
                    return 0;
            uint32_t cp = html_entity_cp(name);
            if (cp)
                *n = k + 2;
            return cp;
        }
        if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(k > 0 && c >= '0' && c <= '9'))
            return 0;
        name[k] = c;
    }
    return 0;
}

char *xml_html_refs(const char *s, size_t n, size_t *out_n, size_t *replaced, bool *doctype)
{
    const char *p = s, *end = s + n, *copied = s;
    kw_buf b;
    buf_init(&b, 2 * n + 64); /* "&mu;" is "&#956;": at most half as long again */
    *replaced = 0;
    *doctype = false;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p)), *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp)
            break;
        if (lt && lt < amp) { /* markup first: skip what holds no references */
            p = lt + 1;
            if (end - p >= 3 && memcmp(p, "!--", 3) == 0)
                p = markup_past(p + 3, end, "-->");
            else if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0)
                p = markup_past(p + 8, end, "]]>");
            else if (p < end && *p == '?')
                p = markup_past(p + 1, end, "?>");
            else if (end - p >= 8 && memcmp(p, "!DOCTYPE", 8) == 0)
                *doctype = true, p = past_doctype(p + 8, end);
            continue;
        }
        size_t len = 0;
        unsigned cp = html_ref(amp, end, &len);
        p = amp + 1;
        if (!cp)
            continue;
        char num[16];
        int k = snprintf(num, sizeof num, "&#%u;", cp);
        if (buf_append(&b, copied, (size_t)(amp - copied)) || buf_append(&b, num, (size_t)k)) {
            buf_release(&b);
            return NULL;
        }
        copied = p = amp + len;
        ++*replaced;
    }
    if (!*replaced) {
        buf_release(&b);
        return NULL;
    }
    if (buf_append(&b, copied, (size_t)(end - copied))) {
        buf_release(&b);
        *replaced = 0;
        return NULL;
    }
    *out_n = b.len;
    return buf_take(&b);
}
