/* Fuzz target: the INI configuration parser. */
#include "config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_config *cfg = NULL;
    if (kw_config_new(&cfg))
        return 0;
    kw_config_load_buffer(cfg, "fuzz.conf", (const char *)data, size);
    kw_config_free(cfg);
    return 0;
}
