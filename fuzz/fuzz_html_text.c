/* Fuzz target: HTML fragments to plain text (the fast HTML parser). */
#include "kolwatch/crawler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = NULL;
    if (kw_html_to_text(&t, (const char *)data, size) == 0) {
        /* entities never expand: "&#x10FFFF;" is 10 bytes for 4 */
        if (strlen(t) > size)
            abort();
        free(t);
    }
    return 0;
}
