/* Fuzz target: charset sniffing and decoding to UTF-8. */
#include "kolwatch/crawler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every decoded text must be valid UTF-8 of the reported length. */
static void check_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (strlen(s) != len)
        abort();
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > len)
            abort();
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                abort();
        i += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const labels[] = {NULL, "gbk", "big5", "utf-8", "utf-16le",
                                         "text/html; charset=shift_jis", "hz-gb-2312"};
    /* The first byte picks the label and the kind; the rest is the body. */
    if (size == 0)
        return 0;
    const char *label = labels[data[0] % (sizeof labels / sizeof labels[0])];
    kw_doc_kind kind = (kw_doc_kind)((data[0] >> 4) % 3);
    kw_decoded d;
    if (kw_charset_decode(&d, data + 1, size - 1, label, kind, 0) == 0) {
        check_utf8(d.text, d.len);
        if (!d.charset || !kw_charset_canonical(d.charset))
            abort();
        kw_decoded_free(&d);
    }
    char *out = NULL;
    size_t n = 0, bad = 0;
    if (kw_charset_to_utf8(&out, &n, &bad, data + 1, size - 1, label ? label : "gb18030") == 0) {
        check_utf8(out, n);
        free(out);
    }
    return 0;
}
