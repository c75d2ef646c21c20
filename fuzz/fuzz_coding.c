/* Fuzz target: Content-Encoding decoding (crawler/coding.c). The first
 * byte picks the coding and how the body is cut into the pieces libcurl
 * would hand over; the output is capped as the fetcher caps a body. */
#include "../crawler/coding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int sink(void *ctx, const char *out, size_t len)
{
    size_t *total = ctx;
    (void)out;
    *total += len;
    return *total > (1u << 22); /* the fetcher stops at its body cap */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"gzip", "deflate", "x-gzip", "identity", "br",
                                        "gzip, gzip", "", "identity, deflate"};
    if (size < 1)
        return 0;
    coding c;
    memset(&c, 0, sizeof c);
    coding_from_header(&c, names[data[0] & 7]);
    size_t piece = (size_t)(data[0] >> 3) * 97 + 1, total = 0;
    char why[256];
    for (size_t at = 1; at < size;) {
        size_t n = size - at < piece ? size - at : piece;
        if (coding_feed(&c, data + at, n, sink, &total, why, sizeof why))
            break;
        at += n;
    }
    (void)coding_whole(&c);
    coding_end(&c);
    return 0;
}
