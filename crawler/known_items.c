/*
 * The pipeline's memory of the items it has read: an item (its link and
 * fields) to the brands it is stored and linked for, or to none when it
 * matched no brand. A feed read again every 15 minutes repeats its items;
 * each costs a hash here instead of the brand queries and two statements
 * (on PostgreSQL, two round trips). Keys are 128-bit hashes. The set only
 * says what is so in the database for these brands: the pipeline empties
 * it whenever writes it remembers may have been undone, and when the
 * brands change.
 */
#include "known_items.h"

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

static const uint64_t P1 = 0x87c37b91114253d5u, P2 = 0x4cf5ad432745937fu;

/* Two 64-bit lanes over each part, eight bytes at a time, the part's
 * length between parts, mixed at the end. */
void known_key(uint64_t key[2], const char *const *parts, size_t n)
{
    uint64_t h1 = 0x9e3779b97f4a7c15u ^ n, h2 = 0x632be59bd9b4e019u + n, w;
    for (size_t p = 0; p < n; p++) {
        const char *s = parts[p] ? parts[p] : "";
        size_t len = strlen(s);
        for (size_t left = len; left >= 8; s += 8, left -= 8) {
            memcpy(&w, s, 8);
            h1 = rotl(h1 ^ (w * P1), 31) * P2;
            h2 = rotl(h2 + w, 29) * 0x52dce729u ^ h1;
        }
        w = 0;
        memcpy(&w, s, len % 8);
        h1 = rotl(h1 ^ (w * P1), 31) * P2;
        h2 = rotl(h2 + w, 29) * 0x52dce729u ^ h1;
        h1 ^= fmix(len + p); /* where the part ended */
    }
    key[0] = fmix(h1 + h2) | 1; /* never 0: 0 marks an empty slot */
    key[1] = fmix(h2 ^ rotl(h1, 17));
}

void known_init(known_items *k, size_t max)
{
    memset(k, 0, sizeof *k);
    k->max = max;
}

void known_free(known_items *k)
{
    free(k->slots);
    memset(k, 0, sizeof *k);
}

void known_clear(known_items *k)
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

int known_get(const known_items *k, const uint64_t key[2], uint64_t *mask)
{
    if (!k->n)
        return 0;
    const known_slot *s = find(k->slots, k->cap, key[0], key[1]);
    if (!s->a)
        return 0;
    *mask = s->mask;
    return 1;
}

/* Room for one more at a load of at most a half: the table doubles, or,
 * at its largest, starts again empty (an item forgotten is only read). */
static int room(known_items *k)
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

void known_put(known_items *k, const uint64_t key[2], uint64_t mask)
{
    if (!k->max || room(k))
        return; /* out of memory: nothing remembered, nothing wrong */
    known_slot *s = find(k->slots, k->cap, key[0], key[1]);
    if (!s->a) {
        s->a = key[0];
        s->b = key[1];
        k->n++;
    }
    s->mask |= mask;
}
