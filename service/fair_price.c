/*
 * Benchmarks from the team's own results. A benchmark is a median, so one
 * odd deal does not move it; it is in the currency of the past deals, and
 * deals in another currency than the quote are left out rather than
 * converted at a guessed rate.
 */
#include "fair_price.h"
#include "campaign_figures.h"

#include "kolwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sample {
    char platform[16], tier[32], deliverable[16], currency[4];
    int64_t cpm, cpe;
} sample;

struct fair_price {
    sample *v;
    size_t n;
    double margin;
    kw_cli *cli;
};

static void tier_of(kw_cli *cli, const char *platform, int64_t followers, char *out, size_t size)
{
    kw_tiers t;
    const char *label = NULL;
    if (followers >= 0 && cli_tiers(cli, platform, &t) == 0)
        label = kw_tier_of(&t, followers);
    snprintf(out, size, "%s", label ? label : "");
}

int fair_price_load(kw_cli *cli, kw_store *s, fair_price **out)
{
    kw_deliverable *ds = NULL;
    size_t n = 0;
    fair_price *fp = calloc(1, sizeof *fp);
    if (!fp)
        return kw_error_set(KW_ENOMEM, "out of memory");
    fp->cli = cli;
    fp->margin = kw_config_double(cli->config, "registry.fair_price_margin");
    int rc = kw_store_deliverable_list(s, 0, &ds, &n);
    if (rc)
        goto fail;
    if (n && !(fp->v = calloc(n, sizeof *fp->v))) {
        rc = kw_error_set(KW_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        kw_campaign camp;
        deliverable_figures f;
        kw_account acc;
        kw_ratios r;
        if ((rc = kw_store_campaign_get(s, ds[i].campaign_id, &camp)) ||
            (rc = figures_deliverable(s, &ds[i], camp.objective, &f)))
            goto fail;
        if (!f.has_result || f.cost.total <= 0)
            continue;
        kw_metrics_ratios(&f.metrics, &r);
        sample *sm = &fp->v[fp->n];
        snprintf(sm->platform, sizeof sm->platform, "%s", ds[i].platform);
        snprintf(sm->deliverable, sizeof sm->deliverable, "%s", ds[i].deliverable);
        snprintf(sm->currency, sizeof sm->currency, "%s", ds[i].currency);
        int64_t followers = figures_account(s, ds[i].partner_id, 0, ds[i].platform, &acc)
                                ? acc.followers : -1;
        tier_of(cli, ds[i].platform, followers, sm->tier, sizeof sm->tier);
        sm->cpm = r.cpm;
        sm->cpe = r.cpe;
        if (sm->cpm >= 0 || sm->cpe >= 0)
            fp->n++;
    }
    free(ds);
    *out = fp;
    return 0;
fail:
    free(ds);
    fair_price_free(fp);
    return rc;
}

void fair_price_free(fair_price *fp)
{
    if (fp) {
        free(fp->v);
        free(fp);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Median of the matching samples' CPM (which = 0) or CPE (1); -1 if none. */
static int64_t median(const fair_price *fp, const kw_quote *q, const char *tier, int which,
                      int64_t *count)
{
    int64_t *vals = malloc((fp->n ? fp->n : 1) * sizeof *vals), m = -1;
    size_t k = 0;
    if (!vals)
        return -1;
    for (size_t i = 0; i < fp->n; i++) {
        const sample *sm = &fp->v[i];
        int64_t v = which ? sm->cpe : sm->cpm;
        if (v >= 0 && strcmp(sm->platform, q->platform) == 0 &&
            strcmp(sm->deliverable, q->deliverable) == 0 && strcmp(sm->tier, tier) == 0 &&
            strcmp(sm->currency, q->currency) == 0)
            vals[k++] = v;
    }
    if (k) {
        qsort(vals, k, sizeof *vals, cmp_i64);
        m = k % 2 ? vals[k / 2] : (vals[k / 2 - 1] + vals[k / 2] + 1) / 2;
    }
    *count = (int64_t)k;
    free(vals);
    return m;
}

void fair_price_judge(const fair_price *fp, kw_store *s, const kw_quote *q,
                      const kw_expected *e, fair_quote *out)
{
    kw_account acc;
    int has_acc = figures_account(s, q->partner_id, q->account_id, q->platform, &acc);
    memset(out, 0, sizeof *out);
    out->expected = *e;
    kw_expected_fill(&out->expected, has_acc ? &acc : NULL);
    tier_of(fp->cli, q->platform, has_acc ? acc.followers : -1, out->tier, sizeof out->tier);
    kw_quote_cost(q, out->expected.gmv, &out->cost);
    out->cpm = kw_cpm(out->cost.total, out->expected.reach);
    out->cpe = kw_cpe(out->cost.total, out->expected.engagements);
    int64_t n1 = 0, n2 = 0;
    out->benchmark_cpm = median(fp, q, out->tier, 0, &n1);
    out->benchmark_cpe = median(fp, q, out->tier, 1, &n2);
    out->benchmark_n = n1 > n2 ? n1 : n2;
    out->above_pct = out->cpm >= 0 && out->benchmark_cpm > 0
                         ? 100.0 * (double)(out->cpm - out->benchmark_cpm) / (double)out->benchmark_cpm
                         : NAN;
    out->above_cpe_pct = out->cpe >= 0 && out->benchmark_cpe > 0
                             ? 100.0 * (double)(out->cpe - out->benchmark_cpe) / (double)out->benchmark_cpe
                             : NAN;
    out->flagged = (!isnan(out->above_pct) && out->above_pct > 100.0 * fp->margin) ||
                   (!isnan(out->above_cpe_pct) && out->above_cpe_pct > 100.0 * fp->margin);
}
