/*
 * The partner registry's logic: tiers from follower counts, the cost of a
 * deal under each cooperation mode, currency conversion at a given rate,
 * expected results estimated from an account, and cost-per-result figures.
 * Pure functions over the records of store.h; nothing here touches a
 * database.
 */
#ifndef KOLWATCH_REGISTRY_H
#define KOLWATCH_REGISTRY_H

#include "kolwatch/store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Tiers -------------------------------------------------------------- */

#define KW_MAX_TIERS 12

/* Bands by follower count; each band includes its lower bound. */
typedef struct kw_tiers {
    int n;
    struct {
        char label[32];
        int64_t min; /* followers, inclusive */
    } band[KW_MAX_TIERS];
} kw_tiers;

/* Parse "LABEL:MIN,LABEL:MIN,..." (MIN ascending, the first 0), e.g.
 * "KOC:0,初级:5000,腰部:50000,头部:500000". KW_EINVAL names the problem. */
int kw_tiers_parse(kw_tiers *out, const char *spec);
/* The default spec for a platform: Xiaohongshu and Douyin have their own,
 * every other platform the Western nano..mega bands. */
const char *kw_tiers_default(const char *platform);
/* The label of the band holding followers, or NULL when followers < 0. */
const char *kw_tier_of(const kw_tiers *t, int64_t followers);

/* ---- Cost of a deal ----------------------------------------------------- */

typedef struct kw_cost {
    int64_t cash;          /* net price paid (fee, hybrid) */
    int64_t product;       /* product value plus shipping (barter, hybrid) */
    int64_t commission;    /* rate x expected GMV (commission, hybrid) */
    int64_t bonus_reserved;/* hybrid bonus, reserved at its maximum */
    int64_t total;         /* what the budget must hold */
    int commission_unknown;/* a commission with no expected GMV counts 0 */
} kw_cost;

/* The expected cost of quote q in its own currency, with expected_gmv
 * (minor units, -1 unknown) for commission modes. */
int kw_quote_cost(const kw_quote *q, int64_t expected_gmv, kw_cost *out);

/* ---- Currencies ---------------------------------------------------------- */

#define KW_MAX_RATES 16

/* Conversion rates into one target currency: 1 unit of code = rate units
 * of the target. */
typedef struct kw_rates {
    char target[4];
    int n;
    struct {
        char code[4];
        double rate;
    } r[KW_MAX_RATES];
} kw_rates;

/* Add "CUR=RATE" (e.g. "USD=7.10"); KW_EINVAL names the problem. */
int kw_rates_add(kw_rates *rates, const char *spec);
/* Convert minor units of `from` into minor units of rates->target,
 * rounding half away from zero. The same currency needs no rate; another
 * without a rate is KW_EINVAL saying which rate to give. */
int kw_money_convert(const kw_rates *rates, int64_t amount, const char *from, int64_t *out);

/* ---- Expected results --------------------------------------------------- */

typedef struct kw_expected {
    int64_t reach, engagements, conversions, gmv; /* -1 unknown */
    int reach_estimated, engagements_estimated;    /* filled from the account */
} kw_expected;

/* Fill what the candidate leaves unknown from the account (may be NULL):
 * reach from average views (else followers), engagements from the
 * engagement rate times followers (else times reach). */
void kw_expected_fill(kw_expected *e, const kw_account *account);

/* cost / reach x 1000 and cost / engagements, in minor units rounded to
 * the nearest; -1 when the divisor is unknown or zero. */
int64_t kw_cpm(int64_t cost, int64_t reach);
int64_t kw_cpe(int64_t cost, int64_t engagements);

/* ---- Results and unit costs ---------------------------------------------- */

/* Sums over one or more deliverables; -1 stands for "no figure at all". */
typedef struct kw_metrics {
    int64_t deliverables;
    int64_t spend, cash, product, commission, bonus; /* minor units */
    int64_t impressions, views, engagements, clicks, conversions, gmv, followers;
} kw_metrics;

/* Start empty sums (every figure unknown). */
void kw_metrics_init(kw_metrics *m);
/* What deliverable d spent, given its latest result r (may be NULL) and the
 * campaign's objective: nothing before it is contracted; the agreed cash
 * (fee, hybrid), product value plus shipping (barter, hybrid), the
 * commission rate times the GMV recorded (commission, hybrid), and the
 * bonus of a hybrid deal once the objective's result (impressions, else
 * views, for reach; likes + comments + shares + saves for engagement;
 * conversions for conversions) reaches its threshold. */
void kw_deliverable_cost(const kw_deliverable *d, const kw_deliverable_result *r, const char *objective,
                         kw_cost *out);
/* Add a deliverable's cost and result to m; followers of its account, or
 * -1. Engagements are likes + comments + shares + saves. */
void kw_metrics_add(kw_metrics *m, const kw_cost *c, const kw_deliverable_result *r, int64_t followers);
/* Merge b into a. */
void kw_metrics_merge(kw_metrics *a, const kw_metrics *b);

/* Derived figures: -1 (money) or NAN (ratios) when a divisor is unknown or
 * zero. cpm = spend / impressions (else views) x 1000; cpe = spend /
 * engagements; cpc = spend / clicks; cpa = spend / conversions; roi = GMV /
 * spend (the definition, also called ROAS); roi_net = (GMV - spend)
 * / spend; engagement_rate = engagements / followers. */
typedef struct kw_ratios {
    int64_t cpm, cpe, cpc, cpa;
    double roi, roi_net, engagement_rate;
} kw_ratios;
void kw_metrics_ratios(const kw_metrics *m, kw_ratios *out);

#ifdef __cplusplus
}
#endif
#endif
