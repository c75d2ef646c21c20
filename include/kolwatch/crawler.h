/*
 * The crawler's stand-alone parsers: robots.txt (RFC 9309), charset
 * detection and decoding to UTF-8, feed dates, and RSS/Atom/JSON Feed
 * parsing. None of them touches the network or the store; each takes bytes
 * that were already fetched and is safe on hostile input: bounded memory
 * and time, a message naming the input and the place on failure.
 *
 * Errors: functions returning int give 0 or a negative KW_E* code (see
 * error.h) and leave a message in kw_error_last().
 */
#ifndef KOLWATCH_CRAWLER_H
#define KOLWATCH_CRAWLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- robots.txt (RFC 9309) ------------------------------------------- */

/* Only the first KW_ROBOTS_MAX_BYTES of a robots.txt are parsed (RFC 9309
 * asks for at least 500 KiB); the rest, and a line cut by the limit, are
 * ignored. */
#define KW_ROBOTS_MAX_BYTES (500 * 1024)

typedef struct kw_robots kw_robots;

/* Parse a robots.txt body (any bytes; a UTF-8 BOM is skipped). Every group
 * is kept, so one parse answers for any user agent. Never fails on content:
 * unknown lines and rules outside a group are ignored. Returns 0, or
 * KW_ENOMEM. Caller frees with kw_robots_free. */
int kw_robots_parse(kw_robots **out, const void *data, size_t len);
void kw_robots_free(kw_robots *r);

/* Whether agent may fetch url. agent is a product token ("ExampleBot";
 * anything from the first character outside [A-Za-z_-] on is ignored, so
 * "ExampleBot/1.2" works too), matched case-insensitively. The groups
 * naming the agent are merged; without any, the "*" groups apply; without
 * those, everything is allowed. url is an absolute URL or a path (with an
 * optional query); only its path and query are matched. Longest rule wins,
 * Allow wins a tie, "*" matches any run of octets and a final "$" anchors;
 * both sides are compared percent-encoded (unreserved octets decoded, hex
 * upper-cased, non-ASCII encoded). "/robots.txt" is always allowed. */
bool kw_robots_allowed(const kw_robots *r, const char *agent, const char *url);

/* The Crawl-delay (seconds, not in RFC 9309 but widely used) that applies
 * to agent, capped at cap, in *out. The largest of the merged groups wins.
 * KW_ENOTFOUND when no applicable group gives one. */
int kw_robots_crawl_delay(double *out, const kw_robots *r, const char *agent, double cap);

/* Whether the body was longer than KW_ROBOTS_MAX_BYTES (the tail ignored). */
bool kw_robots_truncated(const kw_robots *r);

/* ---- Charsets -------------------------------------------------------- */

/* Where the charset of a decoded document came from. */
typedef enum kw_charset_source {
    KW_CHARSET_BOM,      /* a UTF-8 or UTF-16 byte order mark */
    KW_CHARSET_HTTP,     /* the label given by the caller (HTTP header, --charset) */
    KW_CHARSET_DOCUMENT, /* XML declaration or HTML <meta> */
    KW_CHARSET_UTF8,     /* no label; the bytes are valid UTF-8 */
    KW_CHARSET_DETECTED  /* no usable label; the detector's guess */
} kw_charset_source;

/* What kind of document the bytes are, for finding an in-document label. */
typedef enum kw_doc_kind {
    KW_DOC_TEXT, /* no in-document label */
    KW_DOC_XML,  /* <?xml ... encoding="..."?> */
    KW_DOC_HTML  /* <meta charset> / <meta http-equiv content> in the first 1024 bytes */
} kw_doc_kind;

/* The encoding a WHATWG label names, as a lower-case name: "utf-8",
 * "gb18030" (also for gb2312, gbk and the other GBK labels), "big5-hkscs"
 * (for big5 and its aliases), "windows-1252" (also for iso-8859-1 and
 * ascii), "shift_jis", "euc-kr", "utf-16le", "replacement", ... Leading and
 * trailing blanks are ignored, case too. A full Content-Type value
 * ("text/html; charset=GBK") is accepted. NULL for an unknown label.
 * The string is static. */
const char *kw_charset_canonical(const char *label);

/* A document decoded to UTF-8. */
typedef struct kw_decoded {
    char *text;               /* UTF-8, NUL-terminated; owned, see kw_decoded_free */
    size_t len;               /* bytes in text, the NUL not counted */
    const char *charset;      /* canonical name the bytes were decoded from (static) */
    kw_charset_source source; /* where that charset came from */
    bool label_wrong;         /* a label was given but could not be right */
    size_t replaced;          /* U+FFFD written for undecodable bytes */
} kw_decoded;

/* Decode data to UTF-8. The charset is, in order: a BOM; http_label (may be
 * NULL); the XML declaration or HTML <meta> per kind; "valid UTF-8 is
 * UTF-8"; a detector choosing among UTF-8 with a few bad bytes, GB18030,
 * Big5-HKSCS and windows-1252 by validity and the frequency of common
 * Chinese characters. A label is
 * overruled (and label_wrong set) when decoding with it fails where
 * another candidate succeeds, or when its text is clearly not Chinese while
 * another candidate's clearly is. Undecodable bytes become U+FFFD: a
 * document is never dropped for a bad byte. A NUL becomes a space, so the
 * text is one C string. Returns 0, KW_ETOOBIG when len
 * is over max (0: no limit) or KW_ENOMEM. out->text is owned by the
 * caller: kw_decoded_free. */
int kw_charset_decode(kw_decoded *out, const void *data, size_t len, const char *http_label,
                      kw_doc_kind kind, size_t max);
/* Free out->text and clear *out; NULL-safe. */
void kw_decoded_free(kw_decoded *d);

/* Decode data from the encoding named by label (any WHATWG label) to
 * UTF-8, undecodable bytes as U+FFFD (counted in *replaced, may be NULL).
 * KW_EINVAL for an unknown label. *out is owned by the caller: free(). */
int kw_charset_to_utf8(char **out, size_t *out_len, size_t *replaced, const void *data,
                       size_t len, const char *label);

/* ---- Dates ----------------------------------------------------------- */

/* Parse a feed or web date into UTC seconds since the epoch. Accepted:
 * RFC 3339 and W3CDTF ("2004", "2004-01", "2004-01-01", "...T19:48Z",
 * fractions, 't'/'z' any case, a space for 'T', "-00:00", second 60 as a
 * leap second, 23:59:60 UTC);
 * RFC 822/1123/2822 with its variants ("Sun, 06 Nov 1994 08:49:37 GMT",
 * no weekday, a wrong weekday, no seconds, 2-digit years (00-49: 20xx),
 * full day and month names, UT/GMT/UTC/Z, EST..PDT, military letters (as
 * +0000, RFC 1123), +HHMM, +HH:MM, "GMT+8", "UTC+08:00"); RFC 850
 * ("Sunday, 06-Nov-94 08:49:37 GMT"); asctime and the Weibo form
 * ("Sat Jun 14 12:00:00 +0800 2025"); Unix time as 10 digits (seconds)
 * or 13 (milliseconds); dates in figures or Chinese ("2024-3-5",
 * "2024/03/05", "2024.03.05", "2024年3月5日") with a time ("10:20:30.5",
 * "2:30 PM", "下午2:30", "14时30分", "14点30") and after it a zone ("Z",
 * "+8", "+08:00", "UTC+8", "GMT-05:00", "EST", "北京时间", "(北京时间)",
 * Go's "+0800 CST"): crawler/README.md lists them. A time
 * without a zone is taken at default_offset seconds east of UTC (0 for
 * UTC). Returns 0, or KW_EINVAL with a message naming the text; never a
 * guess for text it does not recognise. */
int kw_date_parse(int64_t *out, const char *text, int default_offset);
/* The same; *zoned (may be NULL) gets whether the text gave its zone (Unix
 * times count as zoned: they are UTC). */
int kw_date_parse_zone(int64_t *out, const char *text, int default_offset, bool *zoned);
/* Dates relative to the moment they were read, against now and a zone
 * utc_offset seconds east of UTC: "刚刚"/"just now", "N秒/分钟/小时/天/周前",
 * "半小时前", "N seconds/minutes/hours/days/weeks ago", "an hour ago",
 * "今天/昨天/前天 HH:MM[:SS]", "today/yesterday HH:MM", and a date without a
 * year, "MM-DD HH:MM" or "MM月DD日 HH:MM" (this year, or last year if that
 * would be over a day ahead of now). KW_EINVAL for anything else. */
int kw_date_parse_relative(int64_t *out, const char *text, int64_t now, int64_t utc_offset);

/* ---- Feeds ----------------------------------------------------------- */

typedef enum kw_feed_version {
    KW_FEED_RSS20,
    KW_FEED_RSS10,
    KW_FEED_RSS09X, /* RSS 0.90 to 0.94 */
    KW_FEED_ATOM10,
    KW_FEED_ATOM03,
    KW_FEED_JSON11  /* JSON Feed 1.0 and 1.1 */
} kw_feed_version;

/* Times are UTC seconds or KW_FEED_NO_TIME; strings are UTF-8 plain text
 * (HTML converted to text) or NULL when absent. */
#define KW_FEED_NO_TIME INT64_MIN

typedef struct kw_feed_entry {
    char *id, *title, *link, *author, *summary, *content;
    int64_t published, updated;
    bool published_local, updated_local; /* written without a zone: read as UTC */
} kw_feed_entry;

typedef struct kw_feed {
    kw_feed_version version;
    const char *encoding; /* charset the bytes were decoded from (static) */
    bool bozo;            /* not well-formed, or a wrong charset label, yet read */
    char *bozo_message;   /* why bozo (NULL when not) */
    bool halted;          /* libxml2 stopped reading before the end (an entity
                           * loop, nesting too deep): what it read may be cut */
    char *title, *link, *subtitle, *author;
    int64_t updated;
    kw_feed_entry *entries;
    size_t n_entries;
    size_t n_dropped; /* entries past max_entries: counted, not kept */
} kw_feed;

typedef struct kw_feed_options {
    const char *name;     /* the input's name for messages ("feed.xml", a URL) */
    const char *base;     /* base URL for relative links (NULL: the feed's link) */
    const char *charset;  /* charset label from outside (HTTP header); may be NULL */
    size_t max_bytes;     /* input limit (0: KW_FEED_MAX_BYTES) */
    size_t max_entries;   /* entries kept, the rest dropped (0: KW_FEED_MAX_ENTRIES) */
} kw_feed_options;

#define KW_FEED_MAX_BYTES (32u * 1024 * 1024)
#define KW_FEED_MAX_ENTRIES 10000u

/* Parse an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document; the format
 * is detected from the content. XML is read by libxml2 without network,
 * external entities or DTD loading; a document that is not well-formed is
 * still read where possible, with bozo set. Relative links are resolved
 * against xml:base, opt->base, then the feed's own link. opt may be NULL.
 * Returns 0; KW_EINVAL (input that is no feed, naming the input and what
 * was found), KW_ETOOBIG, KW_ENOMEM. Caller frees with kw_feed_free. */
int kw_feed_parse(kw_feed **out, const void *data, size_t len, const kw_feed_options *opt);
void kw_feed_free(kw_feed *f);

/* "rss20", "rss10", "rss09x", "atom10", "atom03" or "json11". */
const char *kw_feed_version_name(kw_feed_version v);

/* Convert an HTML fragment (UTF-8) to plain text: scripts, styles and
 * comments dropped, entities decoded, block elements as line breaks,
 * other white space collapsed. *out is owned by the caller: free(). */
int kw_html_to_text(char **out, const char *html, size_t len);

#ifdef __cplusplus
}
#endif
#endif
