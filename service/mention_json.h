/*
 * One line of `kolwatch import mentions`: JSON text in, a checked mention
 * out, or a reason naming what is wrong. Touches no database.
 */
#ifndef KOLWATCH_SERVICE_MENTION_JSON_H
#define KOLWATCH_SERVICE_MENTION_JSON_H

#include "kolwatch/store.h"
#include "kolwatch/url.h"

#include <stddef.h>

typedef struct mention_line {
    void *json;        /* the parsed document; strings below point into it */
    char brand_ref[64]; /* brand name or id as text */
    kw_mention m;
    char canonical[KW_URL_KEY_MAX];
    char hash[65];
} mention_line;

enum { LINE_OK = 0, LINE_BLANK = 1, LINE_BAD = -1 };

/* Parse and check one line. LINE_OK fills *out (free with
 * mention_line_free); LINE_BAD writes the reason into err. */
int mention_line_parse(mention_line *out, const char *line, size_t len, char *err,
                       size_t errsize);
void mention_line_free(mention_line *ml);

#endif
