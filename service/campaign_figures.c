/* Per-deliverable figures, computed the same way wherever they are shown. */
#include "campaign_figures.h"
#include "json_out.h"

#include "kolwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int figures_account(kw_store *s, int64_t partner_id, int64_t account_id,
                    const char *platform, kw_account *out)
{
    kw_account *list = NULL;
    size_t n = 0;
    int found = 0;
    if (account_id > 0 && kw_store_account_get(s, account_id, out) == 0)
        return 1;
    if (kw_store_account_list(s, partner_id, &list, &n))
        return 0;
    for (size_t i = 0; i < n && !found; i++)
        if (strcmp(list[i].platform, platform) == 0)
            *out = list[i], found = 1;
    free(list);
    return found;
}

int figures_deliverable(kw_store *s, const kw_deliverable *d, const char *objective,
                        deliverable_figures *out)
{
    kw_account acc;
    kw_quote q;
    int rc = kw_store_result_latest(s, d->id, &out->result);
    if (rc && rc != KW_ENOTFOUND)
        return rc;
    out->has_result = rc == 0;
    int64_t account_id = d->quote_id && kw_store_quote_get(s, d->quote_id, &q) == 0 ? q.account_id : 0;
    int64_t followers = figures_account(s, d->partner_id, account_id, d->platform, &acc)
                            ? acc.followers
                            : -1;
    kw_deliverable_cost(d, out->has_result ? &out->result : NULL, objective, &out->cost);
    kw_metrics_init(&out->metrics);
    kw_metrics_add(&out->metrics, &out->cost, out->has_result ? &out->result : NULL, followers);
    return 0;
}


void figures_json(cJSON *o, const kw_metrics *m)
{
    kw_ratios r;
    kw_metrics_ratios(m, &r);
    cJSON_AddNumberToObject(o, "spend", (double)m->spend);
    cJSON_AddNumberToObject(o, "spend_cash", (double)m->cash);
    cJSON_AddNumberToObject(o, "spend_product", (double)m->product);
    cJSON_AddNumberToObject(o, "spend_commission", (double)m->commission);
    cJSON_AddNumberToObject(o, "spend_bonus", (double)m->bonus);
    cJSON_AddItemToObject(o, "impressions", jnum(m->impressions));
    cJSON_AddItemToObject(o, "views", jnum(m->views));
    cJSON_AddItemToObject(o, "engagements", jnum(m->engagements));
    cJSON_AddItemToObject(o, "clicks", jnum(m->clicks));
    cJSON_AddItemToObject(o, "conversions", jnum(m->conversions));
    cJSON_AddItemToObject(o, "gmv", jnum(m->gmv));
    cJSON_AddItemToObject(o, "cpm", jnum(r.cpm));
    cJSON_AddItemToObject(o, "cpe", jnum(r.cpe));
    cJSON_AddItemToObject(o, "cpc", jnum(r.cpc));
    cJSON_AddItemToObject(o, "cpa", jnum(r.cpa));
    cJSON_AddItemToObject(o, "roi", jreal(r.roi));
    cJSON_AddItemToObject(o, "roi_net", jreal(r.roi_net));
    cJSON_AddItemToObject(o, "engagement_rate", jreal(r.engagement_rate));
}
