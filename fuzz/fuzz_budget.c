/*
 * Fuzz target: the budget optimiser on small instances read from the bytes.
 * Every plan must be feasible with value <= upper_bound; a plan claimed
 * optimal must match a brute-force enumeration in value and cost.
 *
 * Layout: byte 0 -> item count (1..12), 1-2 -> budget, 3 -> per-partner
 * limit (0..2), 4 -> per-platform limit (0..3), then 4 bytes per item:
 * partner, platform, cost, value (quote id = item index, reversed).
 */
#include "kolwatch/budget.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 12

static void check_feasible(const kw_budget_item *items, size_t n, const kw_budget_limits *l,
                           const kw_budget_plan *p)
{
    int64_t cost = 0, value = 0;
    int pc[256] = {0}, qc[KW_BUDGET_MAX_PLATFORMS] = {0};
    for (size_t k = 0; k < p->n_selected; k++) {
        size_t i = p->selected[k];
        if (i >= n || p->reasons[i] != KW_BUDGET_SELECTED || items[i].value == 0)
            abort();
        if (k > 0 && items[p->selected[k - 1]].quote_id >= items[i].quote_id)
            abort();
        cost += items[i].cost;
        value += items[i].value;
        if (l->max_per_partner > 0 && ++pc[items[i].partner_id & 255] > l->max_per_partner)
            abort();
        if (l->max_per_platform > 0 && items[i].platform >= 0 &&
            ++qc[items[i].platform] > l->max_per_platform)
            abort();
    }
    if (cost != p->total_cost || value != p->value || cost > l->budget ||
        p->remaining != l->budget - cost || p->upper_bound < p->value)
        abort();
    if (p->optimal && p->upper_bound != p->value)
        abort();
}

/* Best (value, then lowest cost) over all subsets. */
static void brute(const kw_budget_item *items, size_t n, const kw_budget_limits *l,
                  int64_t *best_value, int64_t *best_cost)
{
    *best_value = 0;
    *best_cost = 0;
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        int64_t cost = 0, value = 0;
        int pc[4] = {0}, qc[4] = {0}, ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!(mask >> i & 1))
                continue;
            cost += items[i].cost;
            value += items[i].value;
            if (items[i].value == 0)
                ok = 0;
            if (l->max_per_partner > 0 && ++pc[items[i].partner_id] > l->max_per_partner)
                ok = 0;
            if (l->max_per_platform > 0 && items[i].platform >= 0 &&
                ++qc[items[i].platform] > l->max_per_platform)
                ok = 0;
        }
        if (!ok || cost > l->budget)
            continue;
        if (value > *best_value || (value == *best_value && cost < *best_cost)) {
            *best_value = value;
            *best_cost = cost;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_budget_item items[MAXN];
    kw_budget_limits l;
    kw_budget_plan *p = NULL, *g = NULL;
    if (size < 5)
        return 0;
    size_t n = 1 + data[0] % MAXN;
    if (size < 5 + 4 * n)
        n = (size - 5) / 4;
    if (n == 0)
        return 0;
    kw_budget_limits_default(&l);
    l.budget = (int64_t)data[1] << 8 | data[2];
    l.max_per_partner = data[3] % 3;
    l.max_per_platform = data[4] % 4;
    l.time_limit = 0;
    l.max_nodes = 100000;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *b = data + 5 + 4 * i;
        items[i].quote_id = (int64_t)(n - i);
        items[i].partner_id = b[0] % 4;
        items[i].platform = (int)(b[1] % 4) - 1;
        items[i].cost = (int64_t)b[2] * (1 + (b[1] >> 4)) * 16;
        items[i].value = b[3] % 32 == 0 ? 0 : b[3];
    }
    if (kw_budget_optimise(&p, items, n, &l) != 0 || kw_budget_greedy(&g, items, n, &l) != 0)
        abort();
    check_feasible(items, n, &l, p);
    check_feasible(items, n, &l, g);
    if (g->value > p->upper_bound || (p->optimal && g->value > p->value))
        abort();
    if (p->optimal) {
        int64_t v, c;
        brute(items, n, &l, &v, &c);
        if (v != p->value || c != p->total_cost)
            abort();
    }
    kw_budget_plan_free(p);
    kw_budget_plan_free(g);
    return 0;
}
