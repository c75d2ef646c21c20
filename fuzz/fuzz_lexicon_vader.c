/* Fuzz target for the "vader" lexicon format (sentiment/lexicon.c). */
#include "lexicon_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_lexicon(data, size, LEX_VADER);
}
