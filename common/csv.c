/*
 * A small CSV reader. It never reads past len, never grows past the record
 * limit, and reports the record it was in when it stops.
 */
#include "kolwatch/csv.h"
#include "kolwatch/error.h"

#include <stdlib.h>
#include <string.h>

struct kw_csv {
    const char *p, *end;
    size_t max;
    char *buf;
    char *fields[KW_CSV_MAX_FIELDS];
    long row;
};

int kw_csv_new(kw_csv **out, const char *data, size_t len, size_t max_record)
{
    kw_csv *c = calloc(1, sizeof *c);
    if (!c || !(c->buf = malloc(max_record + 1))) {
        free(c);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    c->p = data;
    c->end = data + len;
    c->max = max_record;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
    *out = c;
    return 0;
}

void kw_csv_free(kw_csv *c)
{
    if (c) {
        free(c->buf);
        free(c);
    }
}

/* Skip the rest of a bad record so that the caller may go on. */
static void skip_record(kw_csv *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end)
        c->p++;
}

int kw_csv_next(kw_csv *c, char ***fields, int *n, long *row)
{
    size_t o = 0;
    int nf = 0;
    if (c->p >= c->end)
        return 0;
    *row = ++c->row;
    c->fields[nf++] = c->buf;
    for (;;) {
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return kw_error_set(KW_EINVAL, "row %ld: a quoted field is not closed", *row);
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        c->p += 2;
                        if (o == c->max)
                            goto too_big;
                        c->buf[o++] = '"';
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (o == c->max)
                    goto too_big;
                c->buf[o++] = *c->p++;
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                skip_record(c);
                return kw_error_set(KW_EINVAL, "row %ld: text after a closing quote", *row);
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n') {
                if (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')) {
                    c->p++;
                    continue;
                }
                if (o == c->max)
                    goto too_big;
                c->buf[o++] = *c->p++;
            }
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (o == c->max)
            goto too_big;
        c->buf[o++] = '\0';
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            if (nf == KW_CSV_MAX_FIELDS) {
                skip_record(c);
                return kw_error_set(KW_EINVAL, "row %ld: more than %d fields", *row,
                                    KW_CSV_MAX_FIELDS);
            }
            c->fields[nf++] = c->buf + o;
            continue;
        }
        if (c->p < c->end)
            c->p++; /* the newline */
        break;
    }
    *fields = c->fields;
    *n = nf;
    return 1;
too_big:
    skip_record(c);
    return kw_error_set(KW_ETOOBIG, "row %ld: longer than %zu bytes", *row, c->max);
}
