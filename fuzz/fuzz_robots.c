/* Fuzz target: robots.txt parsing and matching (RFC 9309). */
#include "kolwatch/crawler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = {"/", "/robots.txt", "/a/b.gif", "/a%2Fb?x=%E3%83%84",
                                       "https://e.com/p*q$", "/fish.php?x=1#f", ""};
    static const char *const agents[] = {"foobot", "*", "Example-Bot/1.0", ""};
    kw_robots *r = NULL;
    if (kw_robots_parse(&r, data, size) != 0)
        return 0;
    for (size_t a = 0; a < sizeof agents / sizeof agents[0]; a++) {
        for (size_t u = 0; u < sizeof urls / sizeof urls[0]; u++) {
            bool ok = kw_robots_allowed(r, agents[a], urls[u]);
            /* robots.txt itself is always allowed. */
            if (u == 1 && !ok)
                abort();
        }
        double d;
        if (kw_robots_crawl_delay(&d, r, agents[a], 30) == 0 && (d < 0 || d > 30))
            abort();
    }
    /* The input's own lines as URLs: bounded time on odd paths too. */
    if (size > 0 && size < 4096) {
        char *s = malloc(size + 1);
        if (s) {
            memcpy(s, data, size);
            s[size] = '\0';
            kw_robots_allowed(r, "foobot", s);
            free(s);
        }
    }
    kw_robots_free(r);
    return 0;
}
