/*
 * HTML fragments (feed summaries and contents) to plain text, with the
 * crawler's fast HTML parser (html_dom.c): scripts, styles and comments go,
 * entities are decoded, blocks become line breaks. The tree is walked
 * without recursion, so deep nesting cannot exhaust the stack.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include "internal.h"

#include "html_dom.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct textout {
    kw_buf b;
    bool pending_space, pending_break;
    int rc;
} textout;

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (**list == *name && strcmp(name, *list) == 0)
            return true;
    return false;
}

static const char *const dropped[] = {"script", "style", "noscript", "template", "head",
                                      "iframe", "object", "svg", "math", NULL};
static const char *const blocks[] = {
    "p",       "div",   "br",      "li",     "ul",         "ol",     "h1",      "h2",
    "h3",      "h4",    "h5",      "h6",     "tr",         "table",  "blockquote",
    "pre",     "hr",    "section", "article", "header",    "footer", "aside",   "nav",
    "dl",      "dt",    "dd",      "figure", "figcaption", "address", "main",   "form",
    "fieldset", "details", "summary", "caption", "body", "html", NULL};

static void emit_text(textout *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p && t->rc == 0) {
        bool ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f';
        size_t k = 1;
        if (p[0] == 0xC2 && p[1] == 0xA0)
            ws = true, k = 2; /* no-break space */
        if (ws) {
            if (t->b.len)
                t->pending_space = true;
            p += k;
            continue;
        }
        if (t->b.len && t->pending_break)
            t->rc = buf_putc(&t->b, '\n');
        else if (t->b.len && t->pending_space)
            t->rc = buf_putc(&t->b, ' ');
        t->pending_break = t->pending_space = false;
        const unsigned char *run = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f' &&
               !(p[0] == 0xC2 && p[1] == 0xA0))
            p++;
        if (t->rc == 0)
            t->rc = buf_append(&t->b, run, (size_t)(p - run));
    }
}

static void walk(textout *t, const kw_hnode *top)
{
    const kw_hnode *n = top->first;
    while (n && t->rc == 0) {
        bool descend = false;
        if (n->type == KW_HELEM) {
            if (!name_in(n->name, dropped)) {
                if (name_in(n->name, blocks))
                    t->pending_break = true;
                else if (strcmp(n->name, "td") == 0 || strcmp(n->name, "th") == 0)
                    t->pending_space = t->b.len > 0;
                descend = n->first != NULL;
            }
        } else {
            emit_text(t, n->text);
        }
        if (descend) {
            n = n->first;
            continue;
        }
        /* Climb to the next sibling, closing blocks on the way up. */
        while (n != top) {
            if (n->type == KW_HELEM && name_in(n->name, blocks))
                t->pending_break = true;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
        }
        if (n == top)
            return;
    }
}

/* Text with nothing for an HTML parser to do: no tags, no entities, no
 * control characters or leading byte order mark (which the parser drops),
 * valid UTF-8. Checked against the parser on generated text. */
static bool plain(const char *html, size_t len)
{
#ifdef KW_HTML_TEXT_NO_SHORTCUT
    (void)html, (void)len;
    return false;
#else
    const unsigned char *p = (const unsigned char *)html, *end = p + len;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return false; /* a byte order mark, which the parser drops */
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '<' || c == '&' || c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
                return false;
            p++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_seq(p, (size_t)(end - p), &cp);
        if (k == 0 || cp < 0xA0 || cp == 0xFFFE || cp == 0xFFFF)
            return false;
        p += k;
    }
    return true;
#endif
}

int kw_html_to_text(char **out, const char *html, size_t len)
{
    textout t = {.rc = 0};
    *out = NULL;
    if (len > INT_MAX / 2)
        return kw_error_set(KW_ETOOBIG, "HTML of %zu bytes is too large", len);
    buf_init(&t.b, len + 16);
    kw_hdoc *doc = NULL;
    if (!plain(html, len)) {
        static const char *const no_attrs[] = {NULL}; /* text needs none */
        int rc = kw_hdoc_parse(&doc, html, len, no_attrs);
        if (rc) {
            buf_release(&t.b);
            return rc;
        }
        walk(&t, kw_hdoc_root(doc));
        kw_hdoc_free(doc);
    } else if (len > 0) {
        /* No markup and no entities: the text as it is. */
        char *copy = malloc(len + 1);
        if (!copy)
            return kw_error_set(KW_ENOMEM, "out of memory");
        memcpy(copy, html, len);
        copy[len] = '\0';
        emit_text(&t, copy);
        free(copy);
    }
    if (t.rc == KW_ENOMEM) {
        buf_release(&t.b);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    /* KW_ETOOBIG cannot happen (text is never longer than its HTML) but
     * would only cut the text short. */
    *out = buf_take(&t.b);
    return *out ? 0 : kw_error_set(KW_ENOMEM, "out of memory");
}
