/*
 * Fuzz target for the "words-" lexicon format (sentiment/lexicon.c): any bytes
 * are a lexicon file. A bad file must give an error, never a crash; a good
 * one must freeze into a trie that scores text.
 */
#include "../sentiment/internal.h"

#include "kolwatch/error.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_trie *t = NULL;
    if (kw_trie_new(&t))
        return 0;
    kw_lex_format fmt = LEX_WORDS_NEG;
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
