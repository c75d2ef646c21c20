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
#include "hash128.h"

#include <stdlib.h>
#include <string.h>

#define KNOWN_FIRST_SLOTS 1024

/* Each part, then its length: parts that end elsewhere make another key,
 * and a missing part is not an empty one. */
void known_key(uint64_t key[2], const char *const *parts, size_t n)
{
    hash128 h;
    hash128_begin(&h);
    for (size_t p = 0; p < n; p++) {
        const char *s = parts[p] ? parts[p] : "";
        uint64_t len = parts[p] ? strlen(s) : UINT64_MAX; /* NULL is not "" */
        hash128_add(&h, s, parts[p] ? len : 0);
        hash128_add(&h, &len, sizeof len);
    }
    hash128_end(&h, key);
    key[0] |= 1; /* never 0: 0 marks an empty slot */
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
