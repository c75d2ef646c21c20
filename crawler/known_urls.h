/*
 * A bounded set of canonical URLs the pipeline knows to be stored, each
 * with the brands (bits of the pipeline's brand list) it is linked to.
 * Private to the crawler library (pipeline.c).
 */
#ifndef KOLWATCH_CRAWLER_KNOWN_URLS_H
#define KOLWATCH_CRAWLER_KNOWN_URLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct known_slot {
    uint64_t a, b; /* the URL's hash; a == 0: empty */
    uint64_t mask;
} known_slot;

typedef struct known_urls {
    known_slot *slots;
    size_t cap, n, max;
} known_urls;

/* An empty set of about max URLs at most (0: remembers nothing). */
void known_init(known_urls *k, size_t max);
void known_free(known_urls *k);
void known_clear(known_urls *k);
/* The brands url is known to be linked to, 0 when unknown. */
uint64_t known_get(const known_urls *k, const char *url);
/* Remember url as stored and linked to mask's brands (added to those known).
 * When full it starts again empty. */
void known_put(known_urls *k, const char *url, uint64_t mask);

#endif
