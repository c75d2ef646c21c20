/* Fuzz target: RSS/Atom/JSON Feed parsing, charsets and HTML to text. */
#include "kolwatch/crawler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_feed *f = NULL;
    kw_feed_options opt = {.name = "fuzz", .base = "https://example.com/dir/"};
    if (kw_feed_parse(&f, data, size, &opt) == 0) {
        if (!f->encoding || (f->bozo && !f->bozo_message))
            abort();
        for (size_t i = 0; i < f->n_entries; i++) {
            const kw_feed_entry *e = &f->entries[i];
            const char *fields[] = {e->id, e->title, e->link, e->author, e->summary, e->content};
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                /* no amplification past U+FFFD per byte; a link is a URL,
                 * its characters percent-encoded: a byte of windows-1252
                 * (0x97, an em dash) is %E2%80%94 */
                size_t most = (fields[k] == e->link ? 9 : 3) * size + 64;
                if (fields[k] && strlen(fields[k]) > most)
                    abort();
            }
        }
        kw_feed_free(f);
    }
    char *t = NULL;
    if (kw_html_to_text(&t, (const char *)data, size) == 0)
        free(t);
    return 0;
}
