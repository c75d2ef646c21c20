/*
 * A fast, forgiving HTML parser for reading text out of pages (article
 * pages, feed summaries). It builds a light tree in one arena: element
 * names and attribute names lower-cased, entities decoded, scripts and
 * styles kept as raw text, comments, doctypes and processing instructions
 * dropped; head and body implied where a page leaves them out, paragraphs,
 * list items, table cells and the like closed where HTML closes them
 * implicitly. Never fails on bad markup, never recurses, bounded depth.
 * XPath rules still use libxml2's tree; this is for the paths that run on
 * every page and need no XPath. Private to the crawler.
 */
#ifndef KOLWATCH_CRAWLER_HTML_DOM_H
#define KOLWATCH_CRAWLER_HTML_DOM_H

#include <stddef.h>

typedef struct kw_hattr {
    const char *name;  /* lower case */
    const char *value; /* decoded; "" for an attribute without a value */
    struct kw_hattr *next;
} kw_hattr;

enum { KW_HTEXT = 1, KW_HELEM = 2 };

typedef struct kw_hnode {
    int type;
    const char *name; /* element: lower-case name; text: NULL */
    const char *text; /* text: decoded, NUL-terminated; element: NULL */
    size_t len;       /* text: bytes */
    kw_hattr *attrs;  /* element: in document order, first of a name only */
    unsigned flags;   /* the parser's own notes on the element */
    struct kw_hnode *parent, *first, *last, *next;
} kw_hnode;

typedef struct kw_hdoc kw_hdoc;

/* Nesting deeper than this puts further elements beside, not inside. */
#define KW_HDOC_MAX_DEPTH 256

/* Parse len bytes of UTF-8 HTML. keep_attrs: the (lower-case) attribute
 * names to keep, NULL-ended, or NULL for all: a reader that looks at a few
 * attributes spares the copying and decoding of the others. 0 and *out
 * (free with kw_hdoc_free), or KW_ENOMEM. */
int kw_hdoc_parse(kw_hdoc **out, const char *html, size_t len, const char *const *keep_attrs);
void kw_hdoc_free(kw_hdoc *d);

/* The <html> element, always there; its children are <head> and <body>
 * when the page had any content for them. */
const kw_hnode *kw_hdoc_root(const kw_hdoc *d);
/* The <body> element, or NULL when the page has no body content. */
const kw_hnode *kw_hdoc_body(const kw_hdoc *d);

/* The value of attribute name (lower case) of element n, NULL if absent. */
const char *kw_hnode_attr(const kw_hnode *n, const char *name);

/* The next node after n in document order within the tree, descending
 * into children unless skip_children; NULL at the end. */
const kw_hnode *kw_hnode_next(const kw_hnode *n, int skip_children);

#endif
