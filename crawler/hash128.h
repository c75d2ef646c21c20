/*
 * A fast 128-bit hash of bytes (not cryptographic): keys for the pipeline's
 * memory of items, and digests of pages to tell whether they changed. Four
 * 64-bit lanes take 32 bytes a round, then mix. Chance collisions do not
 * happen in practice; made ones can (a page built to keep its digest while
 * it changes would not be read again: only its own author could do that,
 * to its own page). Private to the crawler library.
 */
#ifndef KOLWATCH_CRAWLER_HASH128_H
#define KOLWATCH_CRAWLER_HASH128_H

#include <stddef.h>
#include <stdint.h>

typedef struct hash128 {
    uint64_t v[4];
    uint64_t total; /* bytes taken */
    unsigned char tail[32];
    size_t ntail;
} hash128;

void hash128_begin(hash128 *h);
void hash128_add(hash128 *h, const void *data, size_t len);
/* The hash of everything added; h is spent. */
void hash128_end(hash128 *h, uint64_t out[2]);
/* The final mixer of one word: every bit of h moves about half the bits
 * of the result. Inline: near-copy signatures take eight a feature. */
static inline uint64_t hash128_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}
/* out as 32 lower-case hex digits and a NUL. */
void hash128_hex(const uint64_t in[2], char out[33]);

#endif
