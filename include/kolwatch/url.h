/*
 * Canonical URLs: the key that makes a mention unique.
 */
#ifndef KOLWATCH_URL_H
#define KOLWATCH_URL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write the canonical form of an http(s) URL into out: scheme and host
 * lower-cased, default port dropped, empty path made "/", fragment and
 * tracking parameters (utm_*, spm, fbclid, gclid, ...) removed, the other
 * query parameters sorted; the path and the query in one spelling of their
 * RFC 3986 equivalents (escapes of unreserved characters decoded, other
 * escapes in upper-case hex, bytes kw_url_wire escapes escaped, "." and
 * ".." segments resolved). KW_EINVAL for anything but an absolute http or
 * https URL, KW_ETOOBIG if out is too small. */
int kw_url_canonical(char *out, size_t size, const char *url);

/* Room for a canonical URL kept as a key: escaping raw UTF-8 triples it,
 * so a link of a few thousand bytes needs three times that. */
#define KW_URL_KEY_MAX 12288

/* The form of url sent on the wire: after the host, bytes a URL may not
 * hold as they are (non-ASCII, blanks and controls, " < > \ ^ ` { | })
 * percent-encoded, as browsers send them (a query in Chinese went out as
 * raw UTF-8, which strict servers answer with 400); the rest as it is.
 * Returns a string to free, or NULL when out of memory. */
char *kw_url_wire(const char *url);

/* The "." and ".." segments of the path of an absolute URL
 * ("http://x/a/../b" is "http://x/b"), resolved in place as RFC 3986
 * (5.2.4) resolves a reference's; the query and fragment stay as they
 * are. */
void kw_url_drop_dots(char *url);

#ifdef __cplusplus
}
#endif
#endif
