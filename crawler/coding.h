/*
 * Content-Encoding, decoded here rather than by libcurl: libcurl takes a
 * gzip stream the server cut short for a whole one, and the cut text would
 * be stored for good. gzip (and x-gzip) and deflate, zlib-wrapped as HTTP
 * says or raw as some servers send it. Private to the crawler.
 */
#ifndef KOLWATCH_CRAWLER_CODING_H
#define KOLWATCH_CRAWLER_CODING_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

typedef enum { CODING_NONE, CODING_GZIP, CODING_DEFLATE, CODING_OTHER } coding_kind;

typedef struct coding {
    coding_kind kind;
    char name[64]; /* the header's value, for messages */
    z_stream z;
    bool started, ended;
    bool extra;         /* decoding a gzip member after the first */
    bool trailing;      /* bytes after the stream that are no member: ignored */
    unsigned char first; /* deflate's first byte, when it came alone */
    int nfirst;
} coding;

/* The codings we ask servers for, as an Accept-Encoding value. */
#define CODING_ACCEPTED "gzip, deflate"

/* Read a Content-Encoding header's value (NULL or "" for none) into a
 * coding not yet started. */
void coding_from_header(coding *c, const char *value);

/* Decode n bytes, handing the output to emit, which returns 0 to go on.
 * 0; -1 with why set for a coding not asked for or a corrupt stream; or
 * emit's nonzero return. Bytes after the stream's end are ignored, as
 * libcurl ignores them, but for a further gzip member. */
int coding_feed(coding *c, const unsigned char *p, size_t n,
                int (*emit)(void *ctx, const char *out, size_t len), void *ctx, char *why,
                size_t size);

/* After the last byte: whether a stream that started also ended. */
bool coding_whole(const coding *c);

/* Free the decoder's state; c may be fed again only after
 * coding_from_header. */
void coding_end(coding *c);

#endif
