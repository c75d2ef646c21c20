/* Fuzz target: JSON extraction with JSON Pointer rules. */
#include "kolwatch/extract.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_extracted e;
    if (kw_extract_json(&e, (const char *)data, size,
                        "{\"items\":\"/data/list\",\"text\":\"/content\",\"time\":\"/t\","
                        "\"link\":\"/u\",\"next\":\"/next\",\"author\":\"/a~1b/0\"}",
                        "https://api.example.com/", "f") == 0)
        kw_extracted_free(&e);
    if (kw_extract_json(&e, (const char *)data, size, NULL, NULL, "f") == 0)
        kw_extracted_free(&e);
    return 0;
}
