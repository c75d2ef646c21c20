/*
 * bench/budget: the exact optimiser on 1,000 and 10,000 candidates against
 * the greedy value-per-cost baseline measured in the same run. It prints
 * figures and never fails on speed.
 *
 * Instances look like a campaign's quotes: partners with 1-5 quotes on four
 * platforms, audiences spread over three orders of magnitude, value (expected
 * reach) from audience and platform, cost roughly proportional to value with
 * +-50% noise, prices rounded to whole dollars. Seeds are fixed.
 */
#include "kolwatch/budget.h"
#include "kolwatch/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* n quotes; returns the sum of their costs. */
static int64_t make_instance(kw_budget_item *items, size_t n, uint64_t seed)
{
    static const double reach_rate[4] = {0.12, 0.30, 0.08, 0.20}; /* per platform */
    static const double cpm_cents[4] = {900, 1400, 700, 1100};      /* price per 1,000 reached */
    int64_t sum = 0;
    size_t i = 0;
    int64_t partner = 0;
    rng = seed;
    while (i < n) {
        partner++;
        double audience = 1000.0 * pow(1000.0, uniform()); /* 1k .. 1M followers */
        size_t quotes = 1 + (size_t)(next() % 5);
        for (size_t k = 0; k < quotes && i < n; k++, i++) {
            int pl = (int)(next() % 4);
            double reach = audience * reach_rate[pl] * (0.5 + uniform()) * (k + 1.0) / 1.5;
            double cost = reach / 1000.0 * cpm_cents[pl] * (0.5 + uniform());
            int64_t c = ((int64_t)cost / 100 + 1) * 100; /* whole dollars, at least $1 */
            items[i] = (kw_budget_item){(int64_t)(100000 + next() % 900000) * 100 + (int64_t)i % 100,
                                        partner, pl, c, (int64_t)reach + 1};
            sum += c;
        }
    }
    return sum;
}

static void run(size_t n, double budget_share, int per_partner, int per_platform, uint64_t seed)
{
    kw_budget_item *items = malloc(n * sizeof *items);
    kw_budget_plan *opt = NULL, *greedy = NULL;
    if (!items) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    int64_t total = make_instance(items, n, seed);
    /* quote ids must be unique: make them so deterministically */
    for (size_t i = 0; i < n; i++)
        items[i].quote_id = items[i].quote_id * 1000000 + (int64_t)i;
    kw_budget_limits l;
    kw_budget_limits_default(&l);
    l.budget = (int64_t)((double)total * budget_share);
    l.max_per_partner = per_partner;
    l.max_per_platform = per_platform;
    l.time_limit = 2.0;

    if (kw_budget_greedy(&greedy, items, n, &l) < 0 || kw_budget_optimise(&opt, items, n, &l) < 0) {
        fprintf(stderr, "budget: %s\n", kw_error_last());
        exit(1);
    }
    printf("n=%zu budget=%.0f%% of all quotes (%lld cents) per_partner=%d per_platform=%d\n", n,
           budget_share * 100, (long long)l.budget, per_partner, per_platform);
    printf("  optimiser: %8.3f s  value=%lld  cost=%lld  selected=%zu  optimal=%s  "
           "upper_bound=%lld  nodes=%lld\n",
           opt->seconds, (long long)opt->value, (long long)opt->total_cost, opt->n_selected,
           opt->optimal ? "true" : "false", (long long)opt->upper_bound, (long long)opt->nodes);
    printf("  greedy:    %8.3f s  value=%lld  cost=%lld  selected=%zu  (relaxation at the root: %lld)\n",
           greedy->seconds, (long long)greedy->value, (long long)greedy->total_cost,
           greedy->n_selected, (long long)greedy->upper_bound);
    printf("  ratio optimiser/greedy objective: %.5f   gap to upper bound: %.5f%%\n",
           greedy->value ? (double)opt->value / (double)greedy->value : 0.0,
           opt->upper_bound ? 100.0 * (double)(opt->upper_bound - opt->value) /
                                  (double)opt->upper_bound
                            : 0.0);
    kw_budget_plan_free(opt);
    kw_budget_plan_free(greedy);
    free(items);
}

int main(void)
{
    /* the default: one deliverable per partner */
    run(1000, 0.10, 1, 0, 1);
    run(1000, 0.10, 1, 60, 2);
    run(1000, 0.02, 1, 0, 3);
    run(10000, 0.10, 1, 0, 4);
    run(10000, 0.02, 1, 500, 5);
    /* no partner limit, and two per partner (the item-by-item search) */
    run(1000, 0.10, 0, 0, 1);
    run(1000, 0.10, 2, 0, 1);
    run(10000, 0.10, 0, 0, 4);
    return 0;
}
