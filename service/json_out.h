/*
 * JSON output helpers shared by the commands: every documented key is
 * written, with null standing for "unknown" (DESIGN: Interfaces).
 */
#ifndef KOLWATCH_SERVICE_JSON_OUT_H
#define KOLWATCH_SERVICE_JSON_OUT_H

#include <cjson/cJSON.h>
#include <stdint.h>

cJSON *jnum(int64_t v);          /* null when v < 0 */
cJSON *jreal(double v);          /* null when NaN */
cJSON *jstr(const char *s);      /* null when NULL or "" */
cJSON *jtime(int64_t t);         /* RFC 3339, null when KW_TIME_NONE */
cJSON *jdate(int64_t t);         /* YYYY-MM-DD, null when KW_TIME_NONE */
/* Print o on one line of standard output and free it. */
void jprint(cJSON *o);
/* {"items":[...], "next_cursor":null} around items, printed and freed. */
void jprint_items(cJSON *items);

#endif
