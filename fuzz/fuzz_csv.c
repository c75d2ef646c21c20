/* Fuzz target: the CSV reader. */
#include "kolwatch/csv.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_csv *c;
    char **f;
    int n, rc;
    long row;
    if (kw_csv_new(&c, (const char *)data, size, 4096))
        return 0;
    while ((rc = kw_csv_next(c, &f, &n, &row)) != 0)
        if (rc < 0 && row > 100000)
            break;
    kw_csv_free(c);
    return 0;
}
