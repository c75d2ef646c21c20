/*
 * A bounded set of items the pipeline has read (a hash of their link and
 * fields), each with the brands (bits of the pipeline's brand list) it is
 * stored and linked for; 0 for an item that matched no brand. Private to
 * the crawler library (pipeline.c).
 */
#ifndef KOLWATCH_CRAWLER_KNOWN_ITEMS_H
#define KOLWATCH_CRAWLER_KNOWN_ITEMS_H

#include <stddef.h>
#include <stdint.h>

typedef struct known_slot {
    uint64_t a, b; /* the key; a == 0: empty */
    uint64_t mask;
} known_slot;

typedef struct known_items {
    known_slot *slots;
    size_t cap, n, max;
} known_items;

/* The key of an item: a 128-bit hash of parts (NULL, a missing part,
 * differs from ""), each told apart from the next. */
void known_key(uint64_t key[2], const char *const *parts, size_t n);

/* An empty set of about max items at most (0: remembers nothing). */
void known_init(known_items *k, size_t max);
void known_free(known_items *k);
void known_clear(known_items *k);
/* 1 and the item's brands in *mask when key is known, else 0. */
int known_get(const known_items *k, const uint64_t key[2], uint64_t *mask);
/* Remember key with mask's brands (added to those known). When full it
 * starts again empty. */
void known_put(known_items *k, const uint64_t key[2], uint64_t mask);

#endif
