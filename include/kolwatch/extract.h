/*
 * Items out of fetched pages: an HTML page read with a source's XPath
 * rules (or, without rules, as one article), or a JSON document read with
 * JSON Pointer rules (RFC 6901). Input is UTF-8 (the charset layer has
 * decoded it); output text is plain text and links are absolute.
 */
#ifndef KOLWATCH_EXTRACT_H
#define KOLWATCH_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Items a page yields at most: as many as a feed keeps (KW_FEED_MAX_ENTRIES). */
#define KW_EXTRACT_MAX_ITEMS 10000

typedef struct kw_extracted_item {
    char *title, *text, *author, *link; /* NULL when absent */
    int64_t published;                  /* UTC seconds; INT64_MIN when absent */
    int published_local;                /* 1 when the date had no zone and was
                                           read as UTC: a caller that knows the
                                           source's zone subtracts its offset */
    char *time_text;                    /* the time as written when it is no
                                           date by itself ("5分钟前", "昨天
                                           10:30"): published is INT64_MIN and
                                           kw_date_parse_relative may read it */
    int link_declared;                  /* 1 when link is the address an article
                                           page declares for itself (rel=canonical,
                                           og:url), not where it was read */
} kw_extracted_item;

typedef struct kw_extracted {
    kw_extracted_item *items;
    size_t n, cap; /* items, and room for them */
    size_t dropped; /* items the page holds past KW_EXTRACT_MAX_ITEMS: not read */
    char *next;     /* the next page (rule next=), absolute, or NULL */
} kw_extracted;

/* Read an HTML page. rules: a JSON object of XPath expressions (item,
 * title, text, author, time, link, next; fields relative to each item), or
 * NULL/"{}" to read the page as one article (title, author, date and main
 * text found from the page's markup). name names the input in messages;
 * base resolves relative links. Returns 0, or KW_EINVAL (bad rules, naming
 * the rule), KW_ENOMEM. Caller frees with kw_extracted_free. */
int kw_extract_html(kw_extracted *out, const char *html, size_t len, const char *rules,
                    const char *base, const char *name);

/* Read a JSON document with JSON Pointer rules (items, title, text,
 * author, time, link, next; fields relative to each item; items defaults
 * to the root, which may be an array or one object). KW_EINVAL for input
 * that is not JSON (naming the input and byte) or bad rules. */
int kw_extract_json(kw_extracted *out, const char *json, size_t len, const char *rules,
                    const char *base, const char *name);

void kw_extracted_free(kw_extracted *e);

/* Check one rule of a source of kind "html" or "json": key must be one of
 * the kind's rule names (html: item, title, text, author, time, link,
 * next; json: items in place of item) and expr an XPath expression (html)
 * or an RFC 6901 JSON Pointer (json). Feed sources take no rules. Returns
 * 0, or KW_EINVAL with a message naming the rule. The extractors apply the
 * same check to the rules they are given. */
int kw_extract_rule_check(const char *kind, const char *key, const char *expr);

/* Whether rules (a JSON object, or NULL/"{}") have a next= rule: the
 * source's items go on over several pages. */
int kw_rules_have_pages(const char *rules);

/* Read a fetched body as a source of kind "feed", "html" or "json" would:
 * decode its charset (content_type's label first, then the document's,
 * then detection), then parse the feed or apply the rules. Feed entries
 * become items (content, else summary, as text). *charset (may be NULL)
 * gets the charset the bytes were decoded from. */
int kw_extract_body(kw_extracted *out, const char *kind, const char *rules, const void *body,
                    size_t len, const char *content_type, const char *url, const char **charset);

#ifdef __cplusplus
}
#endif
#endif
