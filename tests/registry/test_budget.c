/* The budget optimiser: hand-made instances whose best plan a reader can
 * check, and random small instances against a brute-force enumerator. */
#include "testsupport.h"

#include "kolwatch/budget.h"
#include "kolwatch/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM(q, p, pl, c, v) {(q), (p), (pl), (c), (v)}
#define N(a) (sizeof(a) / sizeof((a)[0]))

static kw_budget_limits limits(int64_t budget, int per_partner, int per_platform)
{
    kw_budget_limits l;
    kw_budget_limits_default(&l);
    l.budget = budget;
    l.max_per_partner = per_partner;
    l.max_per_platform = per_platform;
    l.time_limit = 0;
    return l;
}

/* The plan respects the budget and limits, its totals add up, its selection
 * is in ascending quote id and agrees with the reasons. */
static void assert_feasible(const kw_budget_item *items, size_t n, const kw_budget_limits *l,
                            const kw_budget_plan *p)
{
    int64_t cost = 0, value = 0;
    assert_int_equal(p->n_items, n);
    for (size_t k = 0; k < p->n_selected; k++) {
        size_t i = p->selected[k];
        assert_true(i < n);
        assert_int_equal(p->reasons[i], KW_BUDGET_SELECTED);
        if (k > 0)
            assert_true(items[p->selected[k - 1]].quote_id < items[i].quote_id);
        cost += items[i].cost;
        value += items[i].value;
        int same_partner = 0, same_platform = 0;
        for (size_t j = 0; j < p->n_selected; j++) {
            const kw_budget_item *o = &items[p->selected[j]];
            same_partner += o->partner_id == items[i].partner_id;
            same_platform += items[i].platform >= 0 && o->platform == items[i].platform;
        }
        if (l->max_per_partner > 0)
            assert_true(same_partner <= l->max_per_partner);
        if (l->max_per_platform > 0)
            assert_true(same_platform <= l->max_per_platform);
    }
    size_t nsel = 0;
    for (size_t i = 0; i < n; i++)
        nsel += p->reasons[i] == KW_BUDGET_SELECTED;
    assert_int_equal(nsel, p->n_selected);
    assert_int_equal(cost, p->total_cost);
    assert_int_equal(value, p->value);
    assert_true(cost <= l->budget);
    assert_int_equal(p->remaining, l->budget - cost);
    assert_true(p->upper_bound >= p->value);
    if (p->optimal)
        assert_int_equal(p->upper_bound, p->value);
}

static kw_budget_plan *solve(const kw_budget_item *items, size_t n, const kw_budget_limits *l)
{
    kw_budget_plan *p = NULL;
    int rc = kw_budget_optimise(&p, items, n, l);
    if (rc != 0)
        fail_msg("kw_budget_optimise: %s", kw_error_last());
    assert_non_null(p);
    assert_feasible(items, n, l, p);
    return p;
}

/* The selected quote ids as text, "1,3,5", for readable assertions. */
static const char *ids(const kw_budget_item *items, const kw_budget_plan *p)
{
    static char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < p->n_selected && len < sizeof buf; k++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", k ? "," : "",
                                (long long)items[p->selected[k]].quote_id);
    return buf;
}

static void best_pair_beats_the_densest_single_item(void **state)
{
    (void)state;
    /* Greedy by value per cost takes A (100) and nothing else fits; B+C is 130. */
    const kw_budget_item items[] = {ITEM(1, 10, 0, 60, 100), ITEM(2, 20, 0, 50, 70),
                                    ITEM(3, 30, 0, 50, 60)};
    kw_budget_limits l = limits(100, 1, 0);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "2,3");
    assert_int_equal(p->value, 130);
    assert_int_equal(p->total_cost, 100);
    assert_int_equal(p->remaining, 0);
    assert_true(p->optimal);
    assert_int_equal(p->upper_bound, 130);
    assert_int_equal(p->reasons[0], KW_BUDGET_NO_ROOM);

    kw_budget_plan *g = NULL;
    assert_int_equal(kw_budget_greedy(&g, items, N(items), &l), 0);
    assert_feasible(items, N(items), &l, g);
    assert_string_equal(ids(items, g), "1");
    assert_int_equal(g->value, 100);
    assert_false(g->optimal);
    assert_true(g->upper_bound >= 130);
    kw_budget_plan_free(g);
    kw_budget_plan_free(p);
}

static void equal_value__cheaper_plan_wins(void **state)
{
    (void)state;
    /* One item alone: both are worth 10, quote 8 is cheaper. */
    const kw_budget_item one[] = {ITEM(7, 1, 0, 50, 10), ITEM(8, 2, 0, 40, 10)};
    kw_budget_limits l = limits(60, 1, 0);
    kw_budget_plan *p = solve(one, N(one), &l);
    assert_string_equal(ids(one, p), "8");
    assert_int_equal(p->total_cost, 40);
    kw_budget_plan_free(p);

    /* {1} is worth 10 for 30; {2,3} is worth 10 for 20 and wins although
     * quote 1 is lower. */
    const kw_budget_item sets[] = {ITEM(1, 1, 0, 30, 10), ITEM(2, 2, 0, 10, 5),
                                   ITEM(3, 3, 0, 10, 5)};
    l = limits(30, 1, 0);
    p = solve(sets, N(sets), &l);
    assert_string_equal(ids(sets, p), "2,3");
    assert_int_equal(p->value, 10);
    assert_int_equal(p->total_cost, 20);
    assert_int_equal(p->remaining, 10);
    assert_int_equal(p->reasons[0], KW_BUDGET_NO_ROOM);
    kw_budget_plan_free(p);
}

static void equal_value_and_cost__lower_quote_ids_win(void **state)
{
    (void)state;
    /* Four identical quotes, room for two: the two lowest ids. */
    const kw_budget_item same[] = {ITEM(9, 1, 0, 10, 5), ITEM(4, 2, 0, 10, 5),
                                   ITEM(2, 3, 0, 10, 5), ITEM(5, 4, 0, 10, 5)};
    kw_budget_limits l = limits(20, 1, 0);
    kw_budget_plan *p = solve(same, N(same), &l);
    assert_string_equal(ids(same, p), "2,4");
    assert_true(p->optimal);
    kw_budget_plan_free(p);

    /* {1} against {2,3}, both worth 10 for 20: [1] < [2,3]. */
    const kw_budget_item a[] = {ITEM(2, 2, 0, 10, 5), ITEM(3, 3, 0, 10, 5),
                                ITEM(1, 1, 0, 20, 10)};
    l = limits(20, 1, 0);
    p = solve(a, N(a), &l);
    assert_string_equal(ids(a, p), "1");
    kw_budget_plan_free(p);

    /* {4} against {2,3}: [2,3] < [4]. */
    const kw_budget_item b[] = {ITEM(4, 1, 0, 20, 10), ITEM(2, 2, 0, 10, 5),
                                ITEM(3, 3, 0, 10, 5)};
    p = solve(b, N(b), &l);
    assert_string_equal(ids(b, p), "2,3");
    kw_budget_plan_free(p);

    /* {1,9} against {2,3}: compare the smallest ids first, [1,9] < [2,3]. */
    const kw_budget_item c[] = {ITEM(9, 9, 0, 15, 6), ITEM(3, 3, 0, 10, 5),
                                ITEM(2, 2, 0, 10, 5), ITEM(1, 1, 0, 5, 4)};
    p = solve(c, N(c), &l);
    assert_string_equal(ids(c, p), "1,9");
    assert_int_equal(p->value, 10);
    assert_int_equal(p->total_cost, 20);
    kw_budget_plan_free(p);
}

static void partner_limit__best_quote_of_each_partner(void **state)
{
    (void)state;
    /* Partner 100 has quotes 1 and 2, partner 200 has quote 3. */
    const kw_budget_item items[] = {ITEM(1, 100, 0, 10, 10), ITEM(2, 100, 1, 10, 9),
                                    ITEM(3, 200, 0, 10, 5)};
    kw_budget_limits l = limits(30, 1, 0);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,3");
    assert_int_equal(p->reasons[1], KW_BUDGET_PARTNER_LIMIT);
    kw_budget_plan_free(p);

    l = limits(30, 2, 0);
    p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,2,3");
    kw_budget_plan_free(p);

    l = limits(30, 0, 0);
    p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,2,3");
    kw_budget_plan_free(p);

    /* The densest quote of a partner is not always its best: 1 is worth 10
     * for 1, 2 is worth 100 for 20; with room for 20 only 2 is right. */
    const kw_budget_item trap[] = {ITEM(1, 7, 0, 1, 10), ITEM(2, 7, 0, 20, 100)};
    l = limits(20, 1, 0);
    p = solve(trap, N(trap), &l);
    assert_string_equal(ids(trap, p), "2");
    assert_int_equal(p->value, 100);
    assert_int_equal(p->reasons[0], KW_BUDGET_PARTNER_LIMIT);
    kw_budget_plan_free(p);
}

static void platform_limit__same_n_for_each_platform(void **state)
{
    (void)state;
    const kw_budget_item items[] = {ITEM(1, 1, 0, 10, 10), ITEM(2, 2, 0, 10, 9),
                                    ITEM(3, 3, 0, 10, 8),  ITEM(4, 4, 1, 10, 1),
                                    ITEM(5, 5, -1, 10, 2), ITEM(6, 6, -1, 10, 2)};
    kw_budget_limits l = limits(100, 1, 1);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,4,5,6");
    assert_int_equal(p->reasons[1], KW_BUDGET_PLATFORM_LIMIT);
    assert_int_equal(p->reasons[2], KW_BUDGET_PLATFORM_LIMIT);
    kw_budget_plan_free(p);

    l = limits(100, 1, 2);
    p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,2,4,5,6");
    kw_budget_plan_free(p);
}

static void zero_budget__only_free_items_with_value(void **state)
{
    (void)state;
    const kw_budget_item items[] = {ITEM(1, 1, 0, 0, 5), ITEM(2, 2, 0, 1, 100),
                                    ITEM(3, 3, 0, 0, 0), ITEM(4, 4, 0, 0, 1)};
    kw_budget_limits l = limits(0, 1, 0);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,4");
    assert_int_equal(p->value, 6);
    assert_int_equal(p->total_cost, 0);
    assert_int_equal(p->remaining, 0);
    assert_true(p->optimal);
    assert_int_equal(p->reasons[1], KW_BUDGET_OVER_BUDGET);
    assert_int_equal(p->reasons[2], KW_BUDGET_NO_VALUE);
    kw_budget_plan_free(p);
}

static void free_items_are_taken_when_the_limits_allow(void **state)
{
    (void)state;
    /* Partner 1: a free post worth 3 or a paid one worth 20 (limit 1);
     * partner 2: a free post worth 1, always taken. */
    const kw_budget_item items[] = {ITEM(1, 1, 0, 0, 3), ITEM(2, 1, 0, 10, 20),
                                    ITEM(3, 2, 0, 0, 1)};
    kw_budget_limits l = limits(10, 1, 0);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "2,3");
    assert_int_equal(p->reasons[0], KW_BUDGET_PARTNER_LIMIT);
    kw_budget_plan_free(p);

    /* Budget 9: the paid post is out of reach alone. */
    l = limits(9, 1, 0);
    p = solve(items, N(items), &l);
    assert_string_equal(ids(items, p), "1,3");
    assert_int_equal(p->reasons[1], KW_BUDGET_OVER_BUDGET);
    kw_budget_plan_free(p);
}

static void everything_over_budget__empty_optimal_plan(void **state)
{
    (void)state;
    const kw_budget_item items[] = {ITEM(1, 1, 0, 6, 5), ITEM(2, 2, 1, 100, 50)};
    kw_budget_limits l = limits(5, 1, 0);
    kw_budget_plan *p = solve(items, N(items), &l);
    assert_int_equal(p->n_selected, 0);
    assert_int_equal(p->value, 0);
    assert_int_equal(p->upper_bound, 0);
    assert_int_equal(p->remaining, 5);
    assert_true(p->optimal);
    assert_int_equal(p->reasons[0], KW_BUDGET_OVER_BUDGET);
    assert_int_equal(p->reasons[1], KW_BUDGET_OVER_BUDGET);
    kw_budget_plan_free(p);
}

/* A subset-sum-like instance (value == cost): the relaxation is useless and
 * the search has to enumerate, far beyond any small limit. */
static kw_budget_item *hard_instance(size_t n, int64_t *budget)
{
    kw_budget_item *items = calloc(n, sizeof *items);
    uint64_t x = 88172645463325252ULL;
    int64_t sum = 0;
    assert_non_null(items);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t c = 1000000 + (int64_t)(x % 1000000000);
        items[i] = (kw_budget_item){(int64_t)i + 1, (int64_t)i + 1, -1, c, c};
        sum += c;
    }
    *budget = sum / 2 + 1;
    return items;
}

static void limits_reached__best_plan_so_far_with_upper_bound(void **state)
{
    (void)state;
    int64_t budget;
    kw_budget_item *items = hard_instance(60, &budget);
    kw_budget_limits l = limits(budget, 1, 0);

    l.time_limit = 1e-6;
    kw_budget_plan *p = solve(items, 60, &l);
    assert_false(p->optimal);
    assert_true(p->upper_bound >= p->value);
    assert_true(p->value > 0);
    assert_true(p->seconds < 1.0);
    kw_budget_plan_free(p);

    /* The node limit cuts reproducibly, in both searches (one per partner;
     * no limit or two per partner) and with platform limits. */
    const int lim[][2] = {{1, 0}, {0, 0}, {2, 0}, {1, 7}, {0, 7}};
    for (size_t k = 0; k < N(lim); k++) {
        for (size_t i = 0; i < 60; i++) {
            items[i].partner_id = (int64_t)(i / 2);
            items[i].platform = lim[k][1] ? (int)(i % 3) : -1;
        }
        l = limits(budget, lim[k][0], lim[k][1]);
        l.max_nodes = 5000;
        p = solve(items, 60, &l);
        kw_budget_plan *q = solve(items, 60, &l);
        assert_false(p->optimal);
        assert_true(p->upper_bound >= p->value);
        assert_true(p->upper_bound <= budget);
        assert_true(p->value > 0);
        assert_int_equal(p->value, q->value);
        assert_int_equal(p->upper_bound, q->upper_bound);
        assert_string_equal(ids(items, p), ids(items, q));
        kw_budget_plan_free(p);
        kw_budget_plan_free(q);
    }
    free(items);
}

/* ---- random instances against brute force ---- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

typedef struct brute {
    int64_t value, cost;
    uint32_t mask; /* over the items sorted by quote id */
} brute;

/* Every subset; best value, then cost, then lowest quote ids (with bits in
 * quote-id order the lower set is the one holding the lowest differing bit). */
static brute brute_force(const kw_budget_item *byid, size_t n, const kw_budget_limits *l)
{
    brute best = {0, 0, 0};
    for (uint32_t mask = 1; mask < (1u << n); mask++) {
        int64_t cost = 0, value = 0;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!(mask >> i & 1))
                continue;
            if (byid[i].value == 0) {
                ok = 0;
                break;
            }
            cost += byid[i].cost;
            value += byid[i].value;
            int pc = 0, qc = 0;
            for (size_t j = 0; j < n; j++) {
                if (!(mask >> j & 1))
                    continue;
                pc += byid[j].partner_id == byid[i].partner_id;
                qc += byid[i].platform >= 0 && byid[j].platform == byid[i].platform;
            }
            if ((l->max_per_partner > 0 && pc > l->max_per_partner) ||
                (l->max_per_platform > 0 && qc > l->max_per_platform))
                ok = 0;
        }
        if (!ok || cost > l->budget)
            continue;
        int better;
        if (value != best.value)
            better = value > best.value;
        else if (cost != best.cost)
            better = cost < best.cost;
        else {
            uint32_t d = mask ^ best.mask;
            better = d != 0 && (mask & (d & (~d + 1))) != 0;
        }
        if (better)
            best = (brute){value, cost, mask};
    }
    return best;
}

static int cmp_quote(const void *a, const void *b)
{
    const kw_budget_item *x = a, *y = b;
    return x->quote_id < y->quote_id ? -1 : (x->quote_id > y->quote_id);
}

static void random_instance(kw_budget_item *items, size_t n, kw_budget_limits *l, int big)
{
    int64_t partners = rnd_in(1, (int64_t)n);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        /* unique quote ids in shuffled order */
        items[i].quote_id = (int64_t)(i * 7 + 3) % 101 + 1000 * (int64_t)(rnd() % 2);
        items[i].partner_id = 500 + rnd_in(1, partners);
        items[i].platform = (int)rnd_in(-1, 2);
        if (big) {
            items[i].cost = rnd_in(0, 9) == 0 ? 0 : rnd_in(1000, 1000000);
            items[i].value = rnd_in(0, 9) == 0 ? 0 : rnd_in(1, 5000000);
        } else {
            items[i].cost = rnd_in(0, 12);
            items[i].value = rnd_in(0, 8);
        }
        total += items[i].cost;
    }
    /* quote ids must be unique: i*7+3 mod 101 is, for n <= 101, and the
     * +1000 keeps them so */
    *l = limits(rnd_in(0, total + 2) * 2 / 3, (int)rnd_in(0, 2), (int)rnd_in(0, 3));
}

static void check_against_brute_force(size_t n, int big)
{
    kw_budget_item items[20], byid[20];
    kw_budget_limits l;
    random_instance(items, n, &l, big);
    memcpy(byid, items, n * sizeof *items);
    qsort(byid, n, sizeof *byid, cmp_quote);
    brute b = brute_force(byid, n, &l);

    kw_budget_plan *p = solve(items, n, &l);
    assert_true(p->optimal);
    assert_int_equal(p->value, b.value);
    assert_int_equal(p->total_cost, b.cost);
    assert_int_equal(p->upper_bound, b.value);
    char want[512];
    size_t len = 0;
    want[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (b.mask >> i & 1)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s%lld", len ? "," : "",
                                    (long long)byid[i].quote_id);
    assert_string_equal(ids(items, p), want);
    /* Only a plan cut short may leave an item that would fit. */
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(p->reasons[i], KW_BUDGET_NOT_CHOSEN);

    kw_budget_plan *g = NULL;
    assert_int_equal(kw_budget_greedy(&g, items, n, &l), 0);
    assert_feasible(items, n, &l, g);
    assert_true(g->value <= b.value);
    assert_true(g->upper_bound >= b.value);
    kw_budget_plan_free(g);
    kw_budget_plan_free(p);
}

static void random_small_instances_with_many_ties_match_brute_force(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 600; seed++) {
        rng_state = seed * 0x9E3779B97F4A7C15ULL;
        check_against_brute_force((size_t)rnd_in(1, 13), 0);
    }
}

static void random_instances_with_large_numbers_match_brute_force(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        rng_state = seed * 0xD1B54A32D192ED03ULL;
        check_against_brute_force((size_t)rnd_in(1, 13), 1);
    }
}

static void random_instances_of_18_items_match_brute_force(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        rng_state = seed * 0x2545F4914F6CDD1DULL;
        check_against_brute_force(18, (int)(seed % 2));
    }
}

static void a_thousand_candidates__same_plan_twice_and_not_worse_than_greedy(void **state)
{
    (void)state;
    size_t n = 1000;
    kw_budget_item *items = calloc(n, sizeof *items);
    assert_non_null(items);
    rng_state = 12345;
    for (size_t i = 0; i < n; i++) {
        int64_t v = rnd_in(100, 100000);
        items[i] = (kw_budget_item){(int64_t)(n - i), (int64_t)(i / 3), (int)(i % 4),
                                    v * rnd_in(80, 120) / 10, v};
    }
    kw_budget_limits l = limits(2000000, 1, 0);
    l.time_limit = 10;
    kw_budget_plan *p = solve(items, n, &l), *q = solve(items, n, &l), *g = NULL;
    assert_int_equal(kw_budget_greedy(&g, items, n, &l), 0);
    assert_feasible(items, n, &l, g);
    assert_true(p->value >= g->value);
    assert_true(g->upper_bound >= p->value);
    if (p->optimal && q->optimal) {
        assert_int_equal(p->value, q->value);
        assert_int_equal(p->total_cost, q->total_cost);
        assert_int_equal(p->n_selected, q->n_selected);
        assert_memory_equal(p->selected, q->selected, p->n_selected * sizeof *p->selected);
    }
    kw_budget_plan_free(p);
    kw_budget_plan_free(q);
    kw_budget_plan_free(g);
    free(items);
}

static void bad_input__einval_with_a_message(void **state)
{
    (void)state;
    kw_budget_item ok[] = {ITEM(1, 1, 0, 10, 10), ITEM(2, 2, 0, 10, 10)};
    kw_budget_limits l = limits(100, 1, 0);
    kw_budget_plan *p = (kw_budget_plan *)&l; /* must be reset to NULL */

    assert_int_equal(kw_budget_optimise(NULL, ok, 2, &l), KW_EINVAL);
    assert_int_equal(kw_budget_optimise(&p, NULL, 2, &l), KW_EINVAL);
    assert_null(p);
    assert_int_equal(kw_budget_optimise(&p, ok, 2, NULL), KW_EINVAL);
    assert_int_equal(kw_budget_optimise(&p, ok, 0, &l), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "n = 0"));
    assert_int_equal(kw_budget_greedy(&p, ok, 0, &l), KW_EINVAL);

    struct {
        kw_budget_item item;
        const char *says;
    } bad[] = {
        {ITEM(2, 2, 0, -1, 10), "cost -1"},
        {ITEM(2, 2, 0, 10, -5), "value -5"},
        {ITEM(2, 2, 0, KW_BUDGET_MAX_COST + 1, 10), "cost"},
        {ITEM(2, 2, 0, 10, INT64_MAX), "value"},
        {ITEM(2, 2, 256, 10, 10), "platform 256"},
        {ITEM(2, 2, -2, 10, 10), "platform -2"},
        {ITEM(1, 2, 0, 10, 10), "same quote id 1"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        kw_budget_item two[] = {ok[0], bad[i].item};
        assert_int_equal(kw_budget_optimise(&p, two, 2, &l), KW_EINVAL);
        assert_null(p);
        assert_non_null(strstr(kw_error_last(), bad[i].says));
    }

    kw_budget_limits w = l;
    w.budget = -1;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "budget -1"));
    w = l;
    w.max_per_partner = -1;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    w = l;
    w.max_per_platform = -3;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    w = l;
    w.time_limit = NAN;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    w.time_limit = -1;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    w.time_limit = 1e9;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    w = l;
    w.max_nodes = -1;
    assert_int_equal(kw_budget_optimise(&p, ok, 2, &w), KW_EINVAL);
    assert_null(p);
    kw_budget_plan_free(NULL);
}

static void defaults_and_reason_names(void **state)
{
    (void)state;
    kw_budget_limits l;
    kw_budget_limits_default(&l);
    assert_int_equal(l.max_per_partner, 1);
    assert_int_equal(l.max_per_platform, 0);
    assert_true(l.time_limit == 2.0);
    for (int r = KW_BUDGET_SELECTED; r <= KW_BUDGET_NOT_CHOSEN; r++) {
        assert_string_not_equal(kw_budget_reason_name((kw_budget_reason)r), "unknown");
        for (int s = KW_BUDGET_SELECTED; s < r; s++)
            assert_string_not_equal(kw_budget_reason_name((kw_budget_reason)r),
                                    kw_budget_reason_name((kw_budget_reason)s));
    }
    assert_string_equal(kw_budget_reason_name(KW_BUDGET_SELECTED), "selected");
}

static void extreme_values__no_overflow(void **state)
{
    (void)state;
    /* Costs and values at their maximum, an enormous budget, many platforms:
     * the sanitizer build checks every sum. */
    enum { NX = 40 };
    kw_budget_item items[NX];
    for (size_t i = 0; i < NX; i++)
        items[i] = (kw_budget_item){INT64_MAX - (int64_t)i, INT64_MIN + (int64_t)(i % 7),
                                    (int)(i % 5) * 50, KW_BUDGET_MAX_COST - (int64_t)(i % 3),
                                    KW_BUDGET_MAX_VALUE - (int64_t)(i % 4)};
    const int lim[][2] = {{1, 0}, {1, 2}, {0, 0}, {2, 3}, {0, 1}};
    const int64_t budgets[] = {INT64_MAX, KW_BUDGET_MAX_COST * 5, KW_BUDGET_MAX_COST - 1};
    for (size_t k = 0; k < N(lim); k++)
        for (size_t b = 0; b < N(budgets); b++) {
            kw_budget_limits l = limits(budgets[b], lim[k][0], lim[k][1]);
            l.max_nodes = 20000;
            kw_budget_plan *p = solve(items, NX, &l), *g = NULL;
            assert_int_equal(kw_budget_greedy(&g, items, NX, &l), 0);
            assert_feasible(items, NX, &l, g);
            assert_true(p->value >= g->value || !p->optimal);
            kw_budget_plan_free(g);
            kw_budget_plan_free(p);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(best_pair_beats_the_densest_single_item),
        cmocka_unit_test(equal_value__cheaper_plan_wins),
        cmocka_unit_test(equal_value_and_cost__lower_quote_ids_win),
        cmocka_unit_test(partner_limit__best_quote_of_each_partner),
        cmocka_unit_test(platform_limit__same_n_for_each_platform),
        cmocka_unit_test(zero_budget__only_free_items_with_value),
        cmocka_unit_test(free_items_are_taken_when_the_limits_allow),
        cmocka_unit_test(everything_over_budget__empty_optimal_plan),
        cmocka_unit_test(limits_reached__best_plan_so_far_with_upper_bound),
        cmocka_unit_test(random_small_instances_with_many_ties_match_brute_force),
        cmocka_unit_test(random_instances_with_large_numbers_match_brute_force),
        cmocka_unit_test(random_instances_of_18_items_match_brute_force),
        cmocka_unit_test(a_thousand_candidates__same_plan_twice_and_not_worse_than_greedy),
        cmocka_unit_test(extreme_values__no_overflow),
        cmocka_unit_test(bad_input__einval_with_a_message),
        cmocka_unit_test(defaults_and_reason_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
