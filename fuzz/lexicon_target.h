/*
 * The body every lexicon-format fuzz target shares: any bytes are a
 * lexicon file of one format. A bad file must give an error, never a
 * crash; a good one must freeze into a trie that can be walked.
 */
#ifndef KOLWATCH_FUZZ_LEXICON_TARGET_H
#define KOLWATCH_FUZZ_LEXICON_TARGET_H

#include "../sentiment/internal.h"

#include "kolwatch/error.h"

#include <stdint.h>
#include <stdlib.h>

static int fuzz_lexicon(const uint8_t *data, size_t size, kw_lex_format fmt)
{
    kw_trie *t = NULL;
    if (kw_trie_new(&t))
        return 0;
    if (kw_lexicon_parse(t, "fuzz", (const char *)data, size, fmt) == 0 &&
        kw_trie_freeze(t) == 0) {
        /* walk the trie along the input itself */
        int32_t st = 0;
        for (size_t i = 0; i < size && st >= 0; i++) {
            st = kw_trie_step(t, st, data[i]);
            if (st >= 0)
                (void)kw_trie_entry(t, st);
        }
    }
    kw_trie_free(t);
    return 0;
}

#endif
