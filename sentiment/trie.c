/*
 * The matcher's trie over folded code points. The root indexes its BMP
 * children directly (one array load per text position); deeper nodes keep
 * sorted child arrays. Read-only once frozen, so threads share it.
 */
#include "internal.h"

#include "kolwatch/error.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 1024;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

int kw_trie_new(kw_trie **out)
{
    kw_trie *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    t->root = malloc(65536 * sizeof *t->root);
    if (!t->root || grow((void **)&t->nodes, &t->capnodes, 1, sizeof(kw_trie_node))) {
        kw_trie_free(t);
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    }
    memset(t->root, 0xFF, 65536 * sizeof *t->root);
    t->nodes[0] = (kw_trie_node){0, -1, -1, -1, 0, 0};
    t->nnodes = 1;
    *out = t;
    return 0;
}

void kw_trie_free(kw_trie *t)
{
    if (!t)
        return;
    free(t->nodes);
    free(t->entries);
    free(t->root);
    free(t->ccp);
    free(t->fnodes);
    free(t->cnode);
    free(t);
}

static int32_t child_build(kw_trie *t, int32_t parent, uint32_t cp, int create)
{
    if (parent == 0 && cp < 0x10000 && t->root[cp] >= 0)
        return t->root[cp];
    if (!(parent == 0 && cp < 0x10000)) {
        for (int32_t c = t->nodes[parent].first; c >= 0; c = t->nodes[c].next)
            if (t->nodes[c].cp == cp)
                return c;
    }
    if (!create)
        return -1;
    if (grow((void **)&t->nodes, &t->capnodes, t->nnodes + 1, sizeof(kw_trie_node)))
        return -2;
    int32_t id = (int32_t)t->nnodes++;
    t->nodes[id] = (kw_trie_node){cp, -1, t->nodes[parent].first, -1, 0, 0};
    t->nodes[parent].first = id;
    if (parent == 0 && cp < 0x10000)
        t->root[cp] = id;
    return id;
}

kw_entry *kw_trie_get(kw_trie *t, const uint32_t *cps, size_t n)
{
    int32_t s = 0;
    if (t->frozen || n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s = child_build(t, s, cps[i], 1);
        if (s < 0)
            return NULL;
    }
    if (t->nodes[s].entry < 0) {
        if (grow((void **)&t->entries, &t->capentries, t->nentries + 1, sizeof(kw_entry)))
            return NULL;
        t->nodes[s].entry = (int32_t)t->nentries;
        t->entries[t->nentries++] = (kw_entry){0, 1, 0};
    }
    return &t->entries[t->nodes[s].entry];
}

static int cmp_child(const void *a, const void *b, void *ctx)
{
    const kw_trie_node *nodes = ctx;
    uint32_t x = nodes[*(const int32_t *)a].cp, y = nodes[*(const int32_t *)b].cp;
    return (x > y) - (x < y);
}

/* A small insertion sort: child lists are short, and qsort_r is a GNU-ism. */
static void sort_children(int32_t *ids, size_t n, const kw_trie_node *nodes)
{
    for (size_t i = 1; i < n; i++) {
        int32_t v = ids[i];
        size_t j = i;
        while (j > 0 && cmp_child(&ids[j - 1], &v, (void *)nodes) > 0) {
            ids[j] = ids[j - 1];
            j--;
        }
        ids[j] = v;
    }
}

int kw_trie_freeze(kw_trie *t)
{
    if (t->frozen)
        return 0;
    size_t total = t->nnodes;
    t->ccp = malloc(total * sizeof *t->ccp);
    t->cnode = malloc(total * sizeof *t->cnode);
    if (!t->ccp || !t->cnode)
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    uint32_t pos = 0;
    for (size_t i = 0; i < t->nnodes; i++) {
        kw_trie_node *nd = &t->nodes[i];
        nd->cstart = pos;
        nd->ccount = 0;
        for (int32_t c = nd->first; c >= 0; c = t->nodes[c].next) {
            if (i == 0 && t->nodes[c].cp < 0x10000)
                continue; /* the root's BMP children live in root[] */
            t->cnode[pos + nd->ccount++] = c;
        }
        sort_children(t->cnode + pos, nd->ccount, t->nodes);
        for (uint32_t k = 0; k < nd->ccount; k++)
            t->ccp[pos + k] = t->nodes[t->cnode[pos + k]].cp;
        pos += nd->ccount;
    }
    t->fnodes = malloc(t->nnodes * sizeof *t->fnodes);
    if (!t->fnodes)
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    for (size_t i = 0; i < t->nnodes; i++)
        t->fnodes[i] = (kw_trie_fnode){t->nodes[i].cstart, t->nodes[i].ccount,
                                       t->nodes[i].entry};
    memset(t->rootbits, 0, sizeof t->rootbits);
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        if (t->root[cp] >= 0)
            t->rootbits[cp >> 6] |= (uint64_t)1 << (cp & 63);
    free(t->nodes); /* the build-time nodes are not needed any more */
    t->nodes = NULL;
    t->capnodes = 0;
    t->frozen = 1;
    return 0;
}

size_t kw_trie_size(const kw_trie *t)
{
    return t->nentries;
}
