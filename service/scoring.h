/* Scoring stored mentions: the scorer the configuration names, and the
 * sentiment fields of a mention filled from it. */
#ifndef KOLWATCH_SERVICE_SCORING_H
#define KOLWATCH_SERVICE_SCORING_H

#include "cli.h"

#include "kolwatch/sentiment.h"
#include "kolwatch/store.h"

/* Build the scorer: the built-in lexicons unless no_builtin, then specs
 * (PATH[:FORMAT]) or, when n is 0, the sentiment.lexicons option; the label
 * threshold from sentiment.threshold. Prints the error and returns
 * EXIT_FAIL on failure. */
int cli_scorer(kw_cli *cli, const char *const *specs, size_t n, int no_builtin,
               kw_scorer **out);

/* Score text and set m's scored, score, pos, neg, neu, label and
 * explanation (*explanation, which the caller frees, is what
 * m->explanation points to). r is the caller's reusable result. */
int cli_score_mention(const kw_scorer *sc, kw_result *r, const char *text, kw_mention *m,
                      char **explanation);

#endif
