/* Per-deliverable figures, computed the same way wherever they are shown. */
#include "campaign_figures.h"

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

static cJSON *num(int64_t v) { return v < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)v); }
static cJSON *real(double v) { return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v); }

void figures_json(cJSON *o, const kw_metrics *m)
{
    kw_ratios r;
    kw_metrics_ratios(m, &r);
    cJSON_AddNumberToObject(o, "spend", (double)m->spend);
    cJSON_AddNumberToObject(o, "spend_cash", (double)m->cash);
    cJSON_AddNumberToObject(o, "spend_product", (double)m->product);
    cJSON_AddNumberToObject(o, "spend_commission", (double)m->commission);
    cJSON_AddNumberToObject(o, "spend_bonus", (double)m->bonus);
    cJSON_AddItemToObject(o, "impressions", num(m->impressions));
    cJSON_AddItemToObject(o, "views", num(m->views));
    cJSON_AddItemToObject(o, "engagements", num(m->engagements));
    cJSON_AddItemToObject(o, "clicks", num(m->clicks));
    cJSON_AddItemToObject(o, "conversions", num(m->conversions));
    cJSON_AddItemToObject(o, "gmv", num(m->gmv));
    cJSON_AddItemToObject(o, "cpm", num(r.cpm));
    cJSON_AddItemToObject(o, "cpe", num(r.cpe));
    cJSON_AddItemToObject(o, "cpc", num(r.cpc));
    cJSON_AddItemToObject(o, "cpa", num(r.cpa));
    cJSON_AddItemToObject(o, "roi", real(r.roi));
    cJSON_AddItemToObject(o, "roi_net", real(r.roi_net));
    cJSON_AddItemToObject(o, "engagement_rate", real(r.engagement_rate));
}
