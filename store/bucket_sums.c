/*
 * Bucket counts summed in memory while a transaction is open, written as
 * one upsert a bucket before it commits (a batch of a crawl adds to the
 * same few buckets hundreds of times). Sums are written before a
 * savepoint and before anything reads or deletes buckets, and dropped
 * with a rollback, so what is stored is what one upsert per mention would
 * have stored.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct bucket_sum {
    int64_t brand, start;
    char *platform;
    uint64_t hash;
    int64_t n_all, n_label[3], reach;
};

static uint64_t key_hash(int64_t brand, int64_t start, const char *platform)
{
    uint64_t h = (uint64_t)brand * 0x9e3779b97f4a7c15u ^ (uint64_t)start * 0xc2b2ae3d27d4eb4fu;
    for (const unsigned char *p = (const unsigned char *)platform; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h ^ (h >> 29);
}

static void rebuild_slots(bucket_sums *b)
{
    memset(b->slot, 0xff, b->nslot * sizeof *b->slot);
    for (size_t i = 0; i < b->n; i++) {
        size_t k = b->v[i].hash & (b->nslot - 1);
        while (b->slot[k] >= 0)
            k = (k + 1) & (b->nslot - 1);
        b->slot[k] = (int32_t)i;
    }
}

/* Make room for one more sum; the slot table is rebuilt when it grows. */
static int reserve(bucket_sums *b)
{
    if (b->n < b->cap)
        return 0;
    size_t cap = b->cap ? 2 * b->cap : 64, nslot = 2 * cap;
    bucket_sum *v = realloc(b->v, cap * sizeof *v);
    if (!v)
        return -1;
    b->v = v;
    int32_t *slot = malloc(nslot * sizeof *slot);
    if (!slot)
        return -1; /* v is bigger; cap stays, so this is tried again */
    b->cap = cap;
    free(b->slot);
    b->slot = slot;
    b->nslot = nslot;
    rebuild_slots(b);
    return 0;
}

int bucket_sums_add(bucket_sums *b, int64_t brand, const char *platform, int64_t start,
                    int64_t d_all, const int64_t d_label[3], int64_t d_reach)
{
    uint64_t h = key_hash(brand, start, platform);
    size_t k = 0;
    if (b->nslot) {
        for (k = h & (b->nslot - 1); b->slot[k] >= 0; k = (k + 1) & (b->nslot - 1)) {
            bucket_sum *e = &b->v[b->slot[k]];
            if (e->hash == h && e->brand == brand && e->start == start &&
                strcmp(e->platform, platform) == 0) {
                e->n_all += d_all;
                for (int i = 0; i < 3; i++)
                    e->n_label[i] += d_label[i];
                e->reach += d_reach;
                return 0;
            }
        }
    }
    size_t before = b->cap;
    char *p = strdup(platform);
    if (!p || reserve(b)) {
        free(p);
        return -1;
    }
    if (b->cap != before) /* the table was rebuilt: find a free slot again */
        for (k = h & (b->nslot - 1); b->slot[k] >= 0; k = (k + 1) & (b->nslot - 1))
            ;
    b->slot[k] = (int32_t)b->n;
    b->v[b->n++] = (bucket_sum){.brand = brand, .start = start, .platform = p, .hash = h,
                                .n_all = d_all, .n_label = {d_label[0], d_label[1], d_label[2]},
                                .reach = d_reach};
    return 0;
}

void bucket_sums_clear(bucket_sums *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].platform);
    if (b->n && b->nslot)
        memset(b->slot, 0xff, b->nslot * sizeof *b->slot);
    b->n = 0;
}

void bucket_sums_free(bucket_sums *b)
{
    bucket_sums_clear(b);
    free(b->v);
    free(b->slot);
    memset(b, 0, sizeof *b);
}

int store_buckets_settle(kw_store *s)
{
    bucket_sums *b = &s->sums;
    size_t i = 0;
    int rc = 0;
    for (; i < b->n; i++) {
        const bucket_sum *e = &b->v[i];
        if ((rc = store_bucket_upsert(s, e->brand, e->platform, e->start, e->n_all,
                                      e->n_label, e->reach)))
            break;
    }
    if (!rc) {
        bucket_sums_clear(b);
        return 0;
    }
    /* The sums written are in the transaction now: only the others stay. */
    for (size_t j = 0; j < i; j++)
        free(b->v[j].platform);
    memmove(b->v, b->v + i, (b->n - i) * sizeof *b->v);
    b->n -= i;
    rebuild_slots(b);
    return rc;
}
