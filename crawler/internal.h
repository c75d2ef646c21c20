/*
 * Private helpers of the crawler library: a growable byte buffer with a hard
 * maximum, and the pieces the parsers share. Not installed, not public.
 */
#ifndef KOLWATCH_CRAWLER_INTERNAL_H
#define KOLWATCH_CRAWLER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated byte buffer that refuses to grow past max bytes. */
typedef struct kw_buf {
    char *data;
    size_t len, cap, max;
    bool full; /* an append was refused for the limit */
} kw_buf;

void buf_init(kw_buf *b, size_t max);
void buf_release(kw_buf *b);
/* 0, KW_ETOOBIG (nothing appended) or KW_ENOMEM. */
int buf_append(kw_buf *b, const void *data, size_t len);
/* As much of data as fits, cut before a UTF-8 character: 0, KW_ETOOBIG
 * (what fits appended) or KW_ENOMEM. */
int buf_append_cut(kw_buf *b, const void *data, size_t len);
int buf_putc(kw_buf *b, char c);
/* Append a code point as UTF-8. */
int buf_put_cp(kw_buf *b, uint32_t cp);
/* Hand the data over (never NULL on success: "" for an empty buffer). */
char *buf_take(kw_buf *b);

/* Case-insensitive ASCII comparisons. */
bool ascii_ieq(const char *a, const char *b);
bool ascii_ieqn(const char *a, const char *b, size_t n);

/* Whether s starts with a URI scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" /
 * ".") ":"). libxml2's xmlBuildURI gives such a reference back as it is
 * (or NULL when it does not parse): it needs no resolving. */
bool uri_has_scheme(const char *s);
/* ref resolved against base in the common case, without parsing either as
 * a whole: ref an absolute path ("/a/b?q#f") of characters RFC 3986 allows,
 * with no dot segment, and base "scheme://host[:port]..." with a plain host;
 * the result is the base's scheme and authority followed by ref, as
 * xmlBuildURI gives it. NULL in any other case (or out of memory): the
 * caller resolves in full. malloc'd. */
char *uri_join_abs_path(const char *base, const char *ref);
/* link resolved against base by libxml2's xmlBuildURI; a relative link
 * that libxml2 cannot resolve for characters RFC 3986 does not allow as
 * they are (non-ASCII, blanks, '|', ...: "/新闻/1.html", or such a base),
 * again with those percent-encoded as UTF-8 bytes, as browsers send them.
 * NULL when it does not parse. Free with xmlFree. */
unsigned char *uri_build(const char *link, const char *base);
/* s with the bytes a URI may not hold as they are (non-ASCII, controls,
 * blanks, '"<>\^`{|}') percent-encoded; NULL when there are none (or out of
 * memory). malloc'd. */
char *uri_escaped(const char *s);

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Make s valid UTF-8 in place: each byte of an invalid sequence becomes
 * '?', and a sequence cut short at the end (text cut at a byte limit) goes.
 * For messages that name input: a database refuses invalid text. */
void utf8_scrub(char *s);

/* libxml2 checks each attribute of a tag against those before it: a tag
 * with more than this many is refused before libxml2 parses (tag_scan.c). */
#define MARKUP_MAX_ATTRS 1000
/* The offset of the first tag with more than max attributes (counted as
 * the words between its name and its '>', quoted values skipped), or n
 * when there is none. Comments and CDATA sections are skipped, and with
 * html the content of script and style. */
size_t markup_attr_flood(const char *s, size_t n, size_t max, bool html);
/* The code point an HTML 4 character reference names ("eacute" is 0xE9;
 * the name without '&' and ';'), or 0 (html_dom.c). */
uint32_t html_entity_cp(const char *name);
/* A copy of the XML text s with HTML's named references (&eacute;) that
 * no DTD of its own may declare written as numeric ones (xml_refs.c): NULL
 * when there were none (or out of memory), *replaced how many;
 * *doctype whether s has a DOCTYPE (which may declare them). */
char *xml_html_refs(const char *s, size_t n, size_t *out_n, size_t *replaced, bool *doctype);
/* Where the text from p that ends with `close` (e.g. "-->") ends: past it,
 * or at end (tag_scan.c). */
const char *markup_past(const char *p, const char *end, const char *close);
/* The line (from 1) that byte `at` of s is on. */
int markup_line_at(const char *s, size_t at);

/* Shared by the extractors (extract.c) and article mode (article.c). */
#define KW_EX_MAX_FIELD (1024 * 1024) /* bytes of text per field */
typedef struct kw_sbuf {
    char *p;
    size_t n, cap;
} kw_sbuf;
/* Append n bytes, silently stopping at KW_EX_MAX_FIELD. */
void ex_sb_add(kw_sbuf *b, const char *s, size_t n);
/* Trim, collapse runs of blanks, cap the length; takes ownership of s;
 * NULL for an empty result. */
char *ex_tidy(char *s);
/* An html rule that compiles, checked for what compiling does not catch
 * (an unknown function, a variable, a namespace prefix; item= giving no
 * elements): 0 or KW_EINVAL naming it (xpath_check.c). */
int ex_xpath_check(const char *key, const char *expr);

/* JSON text with the escapes cJSON refuses made good, in place of the same
 * length (a lone surrogate becomes \ufffd, \u0000 a blank): a copy to free,
 * or NULL when none was needed, when out of memory (*nomem) or when a \u
 * has no four hex digits (*bad_at its offset, else SIZE_MAX). extract.c */
char *ex_json_mend(const char *json, size_t len, int *nomem, size_t *bad_at);

/* What an article page says of itself in JSON-LD (jsonld.c), from its
 * first scripts whose text is JSON (<script type="application/ld+json">):
 * NULL where it says nothing. */
#define JSONLD_MAX_SCRIPTS 8
struct kw_hnode;
typedef struct jsonld_facts {
    char *author, *published, *headline;
} jsonld_facts;
void jsonld_read(const struct kw_hnode *const *scripts, size_t n, jsonld_facts *out);
void jsonld_free(jsonld_facts *f);
/* link resolved against base, as a new string; NULL for an empty link. */
/* The offset just past the first '[' or '{' nested deeper than limit in
 * the JSON text s (strings skipped), or 0 when none is. */
size_t json_nested_over(const char *s, size_t n, size_t limit);
/* Integer literals of this many digits or more do not fit a double. */
#define JSON_BIG_INT_DIGITS 16
/* doc, cJSON's reading of the valid JSON text s; when s has integer
 * literals of JSON_BIG_INT_DIGITS or more digits (cJSON reads numbers as
 * doubles: 9007199254740993 would come out as ...992), doc is freed and
 * the text read again with those written as strings, so that they keep
 * their digits. doc itself when there are none (or out of memory). */
struct cJSON *json_exact_ints(struct cJSON *doc, const char *s, size_t len);
char *ex_resolve(const char *link, const char *base);
/* A page's base URL as its <base href> sets it (href resolved against the
 * page's URL): NULL when href is NULL or resolves to no http(s) URL, and
 * links resolve against the page's URL. */
char *ex_base_url(const char *href, const char *page);
/* The first date in figures or Chinese in text ("2026-12-06", "2026/12/6",
 * "2026.12.06", "2026年12月6日"), read with the time and the zone written
 * after it as kw_date_parse_zone reads them, whatever words come before
 * and after ("发表于 2026-12-06 下午2:30 回复 3"); a date followed by a
 * time or zone that cannot be read ("2026-12-06 25:61") is none. 0, or
 * KW_EINVAL when there is none (dates.c). */
int date_in_words(int64_t *out, const char *text, int default_offset, bool *zoned);
/* A date in any form kw_date_parse reads, else the one date_in_words
 * finds, or INT64_MIN; *local (may be NULL) is set to 1 when it had no
 * zone (read as UTC). */
int64_t ex_parse_time(const char *v, int *local);
struct kw_extracted;
struct kw_extracted_item;
/* A new empty item at the end of e, NULL at the item limit or out of memory. */
struct kw_extracted_item *ex_new_item(struct kw_extracted *e);
/* An article page's main text (main_text.c): the element that holds it,
 * NULL when no block under top holds prose; the text of a subtree (blocks
 * on lines of their own, scripts and styles left out), with main_only
 * also what is no part of an article (navigation, comments, ... and the
 * <h1>), NULL when empty. */
struct kw_hnode;
const struct kw_hnode *ex_main_container(const struct kw_hnode *top);
char *ex_node_text(const struct kw_hnode *top, int main_only);
/* The start of a subtree's text (as ex_node_text without main_only): at
 * most max bytes of it, read from at most nodes nodes; for what needs no
 * more than a line of it (a date), and costs no more than that however
 * big the subtree. */
char *ex_node_text_head(const struct kw_hnode *top, size_t max, size_t nodes);
/* Element names that begin a line in text; that hold no text (script,
 * style, noscript, template); what is no part of an article. */
int ex_is_block(const char *name);
int ex_is_hidden(const char *name);
int ex_is_noise(const struct kw_hnode *n);
/* Article mode: the page as one item (article.c). */
int kw_extract_article(struct kw_extracted *out, const char *html, size_t len,
                       const char *base);

#endif
