/*
 * Fuzz target for the rule-list formats (negators, degree words, contrast
 * words; sentiment/lexicon.c): the first byte picks the format, the rest is
 * the file. A bad file must give an error, never a crash.
 */
#include "../sentiment/internal.h"

#include "kolwatch/error.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const kw_lex_format formats[] = {LEX_NEGATORS, LEX_DEGREE, LEX_CONTRAST};
    kw_trie *t = NULL;
    if (size == 0 || kw_trie_new(&t))
        return 0;
    kw_lex_format fmt = formats[data[0] % 3];
    if (kw_lexicon_parse(t, "fuzz", (const char *)data + 1, size - 1, fmt) == 0 &&
        kw_trie_freeze(t) == 0) {
        int32_t st = 0;
        for (size_t i = 1; i < size && st >= 0; i++) {
            st = kw_trie_step(t, st, data[i]);
            if (st >= 0)
                (void)kw_trie_entry(t, st);
        }
    }
    kw_trie_free(t);
    return 0;
}
