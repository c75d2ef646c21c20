/*
 * The budget optimiser of the partner registry: which quotes to buy so that
 * the campaign's objective is as large as possible within the budget.
 *
 * It is a pure function of its input (no database, no I/O, no globals apart
 * from the thread-local error message). The command `kolwatch budget` turns
 * quotes into kw_budget_item rows, calls kw_budget_optimise and prints the
 * plan; the benchmark compares it with kw_budget_greedy.
 *
 * The problem. Choose a set S of items that maximises sum(value) subject to
 *   - sum(cost) <= budget,
 *   - at most max_per_partner items of S share a partner_id (0: no limit),
 *   - at most max_per_platform items of S share a platform (0: no limit;
 *     items with platform -1 are not counted against any platform).
 * Among sets of equal value it takes the one of smaller total cost, and
 * among sets of equal value and cost the one whose ascending list of quote
 * ids is lexicographically smaller (compare the smallest ids first). Items of
 * value 0 are never selected: they add nothing and only cost.
 *
 * The method is exact: depth-first branch and bound with linear-relaxation
 * bounds. With one item per partner (the default) it branches per partner
 * over the partner's hull relaxation (multiple-choice knapsack), with a
 * Lagrangian bound for platform limits; otherwise it branches per item in
 * order of value per cost. Then a pass settles ties among equally good plans
 * in quote-id order. See registry/README.md for figures. With no time limit reached the plan is the one named above
 * and `optimal` is 1. When the time limit (or node limit) is reached first it
 * returns the best plan found so far, `optimal` 0 and a proven upper bound
 * on the objective. The same input always gives the same plan, except that
 * where a time limit was reached the result depends on the machine's speed
 * (use max_nodes for a reproducible cut-off).
 */
#ifndef KOLWATCH_BUDGET_H
#define KOLWATCH_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input bounds; anything outside is KW_EINVAL. They keep every sum the
 * optimiser forms well inside 64 bits (128 bits for its internal scores). */
#define KW_BUDGET_MAX_ITEMS 1000000           /* candidates per call */
#define KW_BUDGET_MAX_COST INT64_C(1000000000000)  /* cents, per item */
#define KW_BUDGET_MAX_VALUE INT64_C(1000000000000) /* objective units, per item */
#define KW_BUDGET_MAX_PLATFORMS 256           /* platform indices 0..255 */
#define KW_BUDGET_MAX_TIME_LIMIT 86400.0      /* seconds */

/* One candidate deliverable (a quote). */
typedef struct kw_budget_item {
    int64_t quote_id;   /* unique among the items; the last tie-break */
    int64_t partner_id; /* any value; items with the same one share the partner limit */
    int platform;       /* 0..KW_BUDGET_MAX_PLATFORMS-1, or -1 for none */
    int64_t cost;       /* cents, 0..KW_BUDGET_MAX_COST (0 is allowed: a free post) */
    int64_t value;      /* objective value (reach, engagements, conversions), 0..KW_BUDGET_MAX_VALUE */
} kw_budget_item;

/* The limits of one run. Start from kw_budget_limits_default. */
typedef struct kw_budget_limits {
    int64_t budget;       /* cents, >= 0 */
    int max_per_partner;  /* >= 0; 0 = no limit; default 1 */
    int max_per_platform; /* >= 0; 0 = no limit (the same N for every platform); default 0 */
    double time_limit;    /* seconds of wall time (CLOCK_MONOTONIC), 0 = none;
                           * at most KW_BUDGET_MAX_TIME_LIMIT; default 2 */
    int64_t max_nodes;    /* search nodes before giving up as on a time limit;
                           * 0 = none; default 0. Reproducible, unlike time. */
} kw_budget_limits;

/* Why an item was taken or left out; the table form of `kolwatch budget`
 * prints kw_budget_reason_name of it. */
typedef enum kw_budget_reason {
    KW_BUDGET_SELECTED = 0,    /* in the plan */
    KW_BUDGET_OVER_BUDGET,     /* costs more than the whole budget on its own */
    KW_BUDGET_NO_VALUE,        /* its objective value is 0 */
    KW_BUDGET_PARTNER_LIMIT,   /* its partner already has max_per_partner items in the plan */
    KW_BUDGET_PLATFORM_LIMIT,  /* its platform already has max_per_platform items in the plan */
    KW_BUDGET_NO_ROOM,         /* does not fit in what the plan leaves of the budget */
    KW_BUDGET_NOT_CHOSEN       /* would fit, but was not in the best plan found (only
                                * possible when optimal is 0) */
} kw_budget_reason;

/* A plan. Owned by the caller, freed with kw_budget_plan_free; read-only. */
typedef struct kw_budget_plan {
    size_t *selected;        /* indices into the caller's items, ascending quote id */
    size_t n_selected;
    kw_budget_reason *reasons; /* one per input item, in input order */
    size_t n_items;
    int64_t total_cost;      /* cents, sum of the selected costs */
    int64_t value;           /* objective value of the plan */
    int64_t remaining;       /* budget - total_cost */
    int64_t upper_bound;     /* proven: no feasible plan has a larger value;
                              * >= value, and == value when optimal */
    int optimal;             /* 1: the plan is the one the contract names (best
                              * value, then cheapest, then lowest quote ids);
                              * 0: a limit was reached first (then upper_bound
                              * may exceed value; if it equals value, the value
                              * is proven but the tie-break was not finished) */
    int64_t nodes;           /* search nodes visited */
    double seconds;          /* wall time spent */
} kw_budget_plan;

/* Fill *out with the defaults: budget 0, max_per_partner 1, max_per_platform
 * 0, time_limit 2 s, max_nodes 0. */
void kw_budget_limits_default(kw_budget_limits *out);

/* The exact optimiser (see the top of this file). items: n >= 1 candidates
 * (borrowed, only read during the call). On success *out is a new plan;
 * caller frees with kw_budget_plan_free. Errors: KW_EINVAL for NULL
 * arguments, n == 0 or too large, a value or cost out of range, a platform
 * out of range, a repeated quote id, or limits out of range (the message
 * names the item index and field); KW_ENOMEM. *out is NULL on error. */
int kw_budget_optimise(kw_budget_plan **out, const kw_budget_item *items, size_t n,
                       const kw_budget_limits *limits);

/* The baseline: walk the items by value per cost (free items first, then
 * cheaper, then lower quote id on equal ratio) and take each one that fits
 * the remaining budget and the limits. Same arguments, errors and ownership
 * as kw_budget_optimise; optimal is always 0 and upper_bound is the bound of
 * the linear relaxation. time_limit and max_nodes are not used. */
int kw_budget_greedy(kw_budget_plan **out, const kw_budget_item *items, size_t n,
                     const kw_budget_limits *limits);

/* Free a plan; NULL is a no-op. */
void kw_budget_plan_free(kw_budget_plan *plan);

/* A short fixed text for a reason ("selected", "over budget alone", ...);
 * "unknown" for anything else. */
const char *kw_budget_reason_name(kw_budget_reason reason);

#ifdef __cplusplus
}
#endif
#endif
