/* Fuzz target: RFC 3339 times, dates and durations. */
#include "kolwatch/timeutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    int64_t t;
    char buf[KW_TIME_TEXT];
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (kw_time_parse(&t, s) == 0) {
        /* What parses must format and parse back to the same instant. */
        int64_t back;
        kw_time_format(buf, sizeof buf, t);
        if (kw_time_parse(&back, buf) != 0 || back != t)
            abort();
    }
    kw_duration_parse(&t, s);
    free(s);
    return 0;
}
