/*
 * hash128.h: four lanes, each a multiply-rotate-multiply round over its
 * eight bytes of every 32-byte block, so that the rounds run side by side;
 * the lanes, the length and the tail are mixed into two words at the end.
 */
#include "hash128.h"

#include <string.h>

#define P1 0x9e3779b185ebca87u
#define P2 0xc2b2ae3d27d4eb4fu
#define P3 0x165667b19e3779f9u

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t round64(uint64_t v, uint64_t w) { return rotl(v + w * P2, 31) * P1; }

static void block(uint64_t v[4], const unsigned char *p)
{
    uint64_t w[4];
    memcpy(w, p, 32);
    v[0] = round64(v[0], w[0]);
    v[1] = round64(v[1], w[1]);
    v[2] = round64(v[2], w[2]);
    v[3] = round64(v[3], w[3]);
}

void hash128_begin(hash128 *h)
{
    h->v[0] = P1 + P2;
    h->v[1] = P2;
    h->v[2] = 0;
    h->v[3] = (uint64_t)0 - P1;
    h->total = 0;
    h->ntail = 0;
}

void hash128_add(hash128 *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h->total += len;
    if (h->ntail) {
        size_t take = 32 - h->ntail < len ? 32 - h->ntail : len;
        memcpy(h->tail + h->ntail, p, take);
        h->ntail += take;
        p += take;
        len -= take;
        if (h->ntail < 32)
            return;
        block(h->v, h->tail);
        h->ntail = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
        block(h->v, p);
    memcpy(h->tail, p, len);
    h->ntail = len;
}

void hash128_end(hash128 *h, uint64_t out[2])
{
    uint64_t a = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
    uint64_t b = h->v[0] ^ rotl(h->v[1], 29) ^ rotl(h->v[2], 41) ^ rotl(h->v[3], 53);
    a += h->total * P3;
    b ^= hash128_mix(h->total);
    for (size_t i = 0; i < h->ntail; i += 8) {
        uint64_t w = 0;
        memcpy(&w, h->tail + i, h->ntail - i < 8 ? h->ntail - i : 8);
        a = rotl(a ^ round64(0, w), 27) * P1 + P3;
        b = rotl(b + w * P3, 31) * P2 ^ a;
    }
    out[0] = hash128_mix(a + b);
    out[1] = hash128_mix(b ^ rotl(a, 17) ^ P3);
}

void hash128_hex(const uint64_t in[2], char out[33])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 16; j++)
            out[16 * i + j] = hex[(in[i] >> (60 - 4 * j)) & 15];
    out[32] = '\0';
}
