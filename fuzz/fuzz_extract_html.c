/* Fuzz target: HTML extraction, as one article and with XPath rules. */
#include "kolwatch/extract.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_extracted e;
    if (kw_extract_html(&e, (const char *)data, size, NULL, "https://e.example.com/a/b", "f") == 0)
        kw_extracted_free(&e);
    if (kw_extract_html(&e, (const char *)data, size,
                        "{\"item\":\"//div\",\"title\":\".//h2\",\"link\":\".//a\","
                        "\"time\":\".//time\",\"next\":\"//a[@rel='next']\"}",
                        "https://e.example.com/", "f") == 0)
        kw_extracted_free(&e);
    return 0;
}
