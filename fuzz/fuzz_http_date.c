/* Fuzz target: HTTP dates and Retry-After values. */
#include "kolwatch/fetch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    int64_t t;
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    kw_http_date_parse(&t, s);
    kw_retry_after_parse(&t, s, 1700000000);
    free(s);
    return 0;
}
