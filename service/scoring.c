/* The scorer as the configuration describes it, shared by the commands. */
#include "scoring.h"

#include "kolwatch/error.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SPECS 64

int cli_scorer(kw_cli *cli, const char *const *specs, size_t n, int no_builtin,
               kw_scorer **out)
{
    kw_scorer_options o;
    const char *list[MAX_SPECS];
    char *copy = NULL;
    int rc = EXIT_OK;
    kw_scorer_options_init(&o);
    o.no_builtin = no_builtin;
    o.threshold = kw_config_double(cli->config, "sentiment.threshold");
    if (n == 0) {
        const char *cs = kw_config_str(cli->config, "sentiment.lexicons");
        if (cs && *cs) {
            if (!(copy = strdup(cs)))
                return cli_fail("out of memory");
            for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save)) {
                if (n == MAX_SPECS) {
                    free(copy);
                    return cli_fail("sentiment.lexicons: more than %d lexicons", MAX_SPECS);
                }
                if (*tok)
                    list[n++] = tok;
            }
        }
        specs = list;
    }
    o.lexicons = specs;
    o.nlexicons = n;
    if (kw_scorer_new(out, &o))
        rc = cli_fail("%s", kw_error_last());
    free(copy);
    return rc;
}

int cli_score_mention(const kw_scorer *sc, kw_result *r, const char *text, kw_mention *m,
                      char **explanation)
{
    size_t len = strlen(text);
    int rc;
    *explanation = NULL;
    if ((rc = kw_score(sc, text, len, r)))
        return rc;
    if ((rc = kw_result_hits_json(explanation, r, text, len)))
        return rc;
    m->scored = 1;
    m->score = r->score;
    m->pos = r->pos;
    m->neg = r->neg;
    m->neu = r->neu;
    m->label = kw_label_name(r->label);
    m->explanation = *explanation;
    return 0;
}
