/* Fuzz target: one line of `kolwatch import mentions`. */
#include "mention_json.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mention_line ml;
    char err[512];
    if (mention_line_parse(&ml, (const char *)data, size, err, sizeof err) == LINE_OK)
        mention_line_free(&ml);
    return 0;
}
