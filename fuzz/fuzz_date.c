/* Fuzz target: feed dates (RFC 822 variants, W3CDTF/RFC 3339, ...) and
 * dates relative to the reading ("5分钟前", "昨天 10:30"). */
#include "kolwatch/crawler.h"
#include "kolwatch/timeutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    int64_t t, again;
    char buf[KW_TIME_TEXT];
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (kw_date_parse(&t, s, 8 * 3600) == 0) {
        /* Whatever parses formats as RFC 3339 and reads back the same. */
        kw_time_format(buf, sizeof buf, t);
        if (t >= -62135596800LL && t < 253402300800LL &&
            (kw_date_parse(&again, buf, 0) != 0 || again != t))
            abort();
    }
    /* Relative dates are never more than a day ahead of the reading. */
    int64_t now = 1795320000; /* 2026-11-22T04:00:00Z */
    if (kw_date_parse_relative(&t, s, now, 8 * 3600) == 0 && t > now + 86400)
        abort();
    free(s);
    return 0;
}
