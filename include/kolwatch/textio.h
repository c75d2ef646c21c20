/*
 * Reading text input line by line with a hard limit on the line length,
 * so that one huge line costs at most `max` bytes of memory.
 */
#ifndef KOLWATCH_TEXTIO_H
#define KOLWATCH_TEXTIO_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kw_linereader kw_linereader;

/* Read lines of at most max bytes (the newline not counted) from f, which
 * stays the caller's. Caller frees with kw_linereader_free. */
int kw_linereader_new(kw_linereader **out, FILE *f, size_t max);
void kw_linereader_free(kw_linereader *r);

/* The next line, without its "\n" (or "\r\n"), NUL-terminated in *line
 * (borrowed until the next call) with its length in *len.
 * Returns 1 for a line, 0 at the end of input, KW_ETOOBIG for a line over
 * the limit (the rest of it is skipped, the next call goes on with the
 * following line), KW_EIO on a read error. *lineno gets the line number. */
int kw_linereader_next(kw_linereader *r, char **line, size_t *len, long *lineno);

/* Replace in s, in place, the control characters no text should carry to a
 * terminal (C0 but newline and tab, DEL, and C1 written as UTF-8) with
 * `with`: one for each, a C1 character's two bytes included. */
void kw_controls_replace(char *s, char with);

/* Lower-case hex SHA-256 of data (out holds 65 bytes). */
void kw_sha256_hex(char out[65], const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
