/*
 * The pipeline's memory of mentions it has stored or found: canonical URL
 * to the brands (bits of the pipeline's brand list) they are linked to. A
 * feed read again every 15 minutes repeats its items; each costs a hash
 * lookup here instead of two statements (on PostgreSQL, two round trips).
 * Keys are 128-bit hashes of the URL. The set only ever says "stored and
 * linked": the pipeline empties it whenever writes it remembers may have
 * been undone, and when the brands change.
 */
#include "known_urls.h"

#include <stdlib.h>
#include <string.h>

#define KNOWN_FIRST_SLOTS 1024

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

/* Two 64-bit lanes over the bytes, eight at a time, mixed at the end. */
static void hash128(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
    uint64_t h1 = 0x9e3779b97f4a7c15u ^ n, h2 = 0x632be59bd9b4e019u + n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h1 = rotl(h1 ^ (w * 0x87c37b91114253d5u), 31) * 0x4cf5ad432745937fu;
        h2 = rotl(h2 + w, 29) * 0x52dce729u ^ h1;
    }
    w = 0;
    memcpy(&w, s, n);
    h1 = rotl(h1 ^ (w * 0x87c37b91114253d5u), 31) * 0x4cf5ad432745937fu;
    h2 = rotl(h2 + w, 29) * 0x52dce729u ^ h1;
    *a = fmix(h1 + h2) | 1; /* never 0: 0 marks an empty slot */
    *b = fmix(h2 ^ rotl(h1, 17));
}

void known_init(known_urls *k, size_t max)
{
    memset(k, 0, sizeof *k);
    k->max = max;
}

void known_free(known_urls *k)
{
    free(k->slots);
    memset(k, 0, sizeof *k);
}

void known_clear(known_urls *k)
{
    if (k->slots)
        memset(k->slots, 0, k->cap * sizeof *k->slots);
    k->n = 0;
}

static known_slot *find(known_slot *slots, size_t cap, uint64_t a, uint64_t b)
{
    size_t i = (size_t)(a ^ b) & (cap - 1);
    while (slots[i].a && (slots[i].a != a || slots[i].b != b))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

uint64_t known_get(const known_urls *k, const char *url)
{
    uint64_t a, b;
    if (!k->n)
        return 0;
    hash128(url, strlen(url), &a, &b);
    return find(k->slots, k->cap, a, b)->mask;
}

/* Room for one more at a load of at most a half: the table doubles, or,
 * at its largest, starts again empty (a URL forgotten is only looked up). */
static int room(known_urls *k)
{
    if (k->cap && 2 * (k->n + 1) <= k->cap)
        return 0;
    size_t cap = k->cap ? 2 * k->cap : KNOWN_FIRST_SLOTS;
    if (k->cap && cap / 2 > k->max) {
        known_clear(k);
        return 0;
    }
    known_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < k->cap; i++)
        if (k->slots[i].a)
            *find(slots, cap, k->slots[i].a, k->slots[i].b) = k->slots[i];
    free(k->slots);
    k->slots = slots;
    k->cap = cap;
    return 0;
}

void known_put(known_urls *k, const char *url, uint64_t mask)
{
    uint64_t a, b;
    if (!mask || !k->max || room(k))
        return; /* out of memory: nothing remembered, nothing wrong */
    hash128(url, strlen(url), &a, &b);
    known_slot *s = find(k->slots, k->cap, a, b);
    if (!s->a) {
        s->a = a;
        s->b = b;
        k->n++;
    }
    s->mask |= mask;
}
