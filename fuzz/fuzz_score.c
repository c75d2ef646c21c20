/*
 * Fuzz target for the scorer: any bytes are a text. Checks that scoring
 * never crashes, that scores stay in range and that every hit lies inside
 * the input, and that the explanation renders.
 */
#include "kolwatch/sentiment.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kw_scorer *scorer;
    static kw_result r;
    if (!scorer) {
        kw_scorer_options o;
        kw_scorer_options_init(&o);
        if (kw_scorer_new(&scorer, &o))
            abort();
        kw_result_init(&r);
    }
    const char *text = (const char *)data;
    if (kw_score(scorer, text, size, &r))
        return 0;
    if (!(r.score >= -1 && r.score <= 1) || r.pos < 0 || r.neg < 0 || r.neu < 0)
        abort();
    for (size_t i = 0; i < r.nhits; i++) {
        const kw_hit *h = &r.hits[i];
        if (h->offset > size || h->len > size - h->offset || h->len == 0)
            abort();
        /* the explanation must add up: contribution = valence x factors */
        double c = h->valence;
        for (int m = 0; m < h->nmods; m++)
            c *= h->mods[m].factor;
        if (c - h->contribution > 1e-9 || h->contribution - c > 1e-9)
            abort();
    }
    char *json = NULL;
    if (kw_result_hits_json(&json, &r, text, size) == 0)
        free(json);
    return 0;
}
