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
int buf_putc(kw_buf *b, char c);
/* Append a code point as UTF-8. */
int buf_put_cp(kw_buf *b, uint32_t cp);
/* Hand the data over (never NULL on success: "" for an empty buffer). */
char *buf_take(kw_buf *b);

/* Case-insensitive ASCII comparisons. */
bool ascii_ieq(const char *a, const char *b);
bool ascii_ieqn(const char *a, const char *b, size_t n);

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

#endif
