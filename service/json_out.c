/* JSON output helpers: unknown values are null, never 0 or missing. */
#include "json_out.h"

#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

cJSON *jnum(int64_t v) { return v < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)v); }
cJSON *jreal(double v) { return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v); }
cJSON *jstr(const char *s) { return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

cJSON *jtime(int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_TIME_NONE)
        return cJSON_CreateNull();
    kw_time_format(buf, sizeof buf, t);
    return cJSON_CreateString(buf);
}

cJSON *jdate(int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_TIME_NONE)
        return cJSON_CreateNull();
    kw_time_format(buf, sizeof buf, t);
    buf[10] = '\0';
    return cJSON_CreateString(buf);
}

void jprint(cJSON *o)
{
    char *t = cJSON_PrintUnformatted(o);
    puts(t ? t : "null");
    free(t);
    cJSON_Delete(o);
}

void jprint_items(cJSON *items)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "items", items);
    cJSON_AddNullToObject(o, "next_cursor");
    jprint(o);
}
