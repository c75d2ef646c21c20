/*
 * Figures of a campaign shared by `campaign show`, `campaign results` and
 * `budget`: a deliverable's account, cost, latest result and metrics.
 */
#ifndef KOLWATCH_SERVICE_CAMPAIGN_FIGURES_H
#define KOLWATCH_SERVICE_CAMPAIGN_FIGURES_H

#include "kolwatch/registry.h"
#include "kolwatch/store.h"

#include <cjson/cJSON.h>

/* The account a quote is for: its own, else the partner's first account on
 * the quote's platform. 0 and *out untouched when there is none. */
int figures_account(kw_store *s, int64_t partner_id, int64_t account_id,
                    const char *platform, kw_account *out);

/* Cost, latest result (has_result 0 when none) and metrics of one deliverable. */
typedef struct deliverable_figures {
    kw_cost cost;
    kw_deliverable_result result;
    int has_result;
    kw_metrics metrics;
} deliverable_figures;

int figures_deliverable(kw_store *s, const kw_deliverable *d, const char *objective,
                        deliverable_figures *out);

/* Add the metrics and ratios of m to a JSON object (null where unknown). */
void figures_json(cJSON *o, const kw_metrics *m);

#endif
