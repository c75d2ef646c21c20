/* Fuzz target: URL canonicalisation. */
#include "kolwatch/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), out[4096], again[4096];
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (kw_url_canonical(out, sizeof out, s) == 0) {
        /* Canonical is a fixed point. */
        if (kw_url_canonical(again, sizeof again, out) != 0 || strcmp(out, again) != 0)
            abort();
    }
    free(s);
    return 0;
}
