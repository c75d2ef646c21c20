/*
 * RFC 4180 CSV as spreadsheets write it: quoted fields with "" escapes and
 * embedded newlines, CRLF or LF, an optional UTF-8 BOM. Bounded: a record
 * over the limit is an error, not a memory spike.
 */
#ifndef KOLWATCH_CSV_H
#define KOLWATCH_CSV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KW_CSV_MAX_FIELDS 64

typedef struct kw_csv kw_csv;

/* A reader over data[0..len) (borrowed until kw_csv_free); max_record
 * bounds one record's bytes. Caller frees with kw_csv_free. */
int kw_csv_new(kw_csv **out, const char *data, size_t len, size_t max_record);
void kw_csv_free(kw_csv *c);

/* The next record: *fields (borrowed until the next call) holds *n
 * NUL-terminated fields. Returns 1, 0 at the end, or KW_EINVAL /
 * KW_ETOOBIG naming the record (*row, 1-based; a header is row 1) and the
 * problem (an unclosed quote, text after a closing quote, too many fields). */
int kw_csv_next(kw_csv *c, char ***fields, int *n, long *row);

#ifdef __cplusplus
}
#endif
#endif
