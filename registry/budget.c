/*
 * The exact budget optimiser (see include/kolwatch/budget.h for the contract).
 * It must never return an infeasible plan, never call a plan optimal that it
 * has not proven, and never allocate per search node or recurse per item.
 */
#include "kolwatch/budget.h"

#include "kolwatch/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Scores are value * scale - cost with scale > any plan's cost, so that one
 * integer comparison ranks plans by value and then by cheapness. With the
 * input bounds of budget.h a score sum stays below 2^120. */
__extension__ typedef __int128 i128;

enum { FREE = 0, FIXED_IN = 1, FIXED_OUT = 2 };
enum { MODE_BEST, MODE_FIND };

/* An eligible item, in the solver's order (value per cost, descending). */
typedef struct bitem {
    i128 w;          /* score: value * scale - cost, >= 1 */
    int64_t cost;
    int64_t value;
    int64_t quote_id;
    size_t orig;     /* index in the caller's array */
    size_t partner;  /* dense partner index */
    int platform;    /* -1 or 0..KW_BUDGET_MAX_PLATFORMS-1 */
} bitem;

typedef struct solver {
    bitem *it;
    size_t m;                 /* eligible items */
    int64_t *sufmin;          /* sufmin[i]: least cost among it[i..m-1]; [m] = INT64_MAX */
    int kpart, kplat;
    int *pcount;              /* items taken per dense partner */
    uint64_t *stamp;          /* per partner: the relaxation scan that set runmax */
    int64_t *runmax;          /* per partner: largest cost seen in that scan */
    uint64_t scan;
    int qcount[KW_BUDGET_MAX_PLATFORMS];
    unsigned char *status;    /* FREE, FIXED_IN, FIXED_OUT */
    unsigned char *inc;       /* taken on the current path (or fixed in) */
    unsigned char *best;      /* the incumbent plan */
    size_t *stack;            /* path: indices of items taken by the search */
    size_t sp;
    int64_t R;                /* budget left on the current path */
    i128 cur_w;               /* score of the current path */
    i128 best_w;              /* score of the incumbent (0: empty plan) */
    i128 scale;
    /* limits */
    struct timespec t0;
    double time_limit;
    int64_t max_nodes;
    int64_t nodes;
    int stopped;
} solver;

typedef struct keyidx {
    int64_t key;
    size_t idx;
} keyidx;

static int cmp_keyidx(const void *a, const void *b)
{
    const keyidx *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Value per cost descending (free items first), then cheaper, then lower
 * quote id: a total order, so the search is the same on every run. */
static int cmp_density(const void *a, const void *b)
{
    const bitem *x = a, *y = b;
    i128 l = (i128)x->value * y->cost, r = (i128)y->value * x->cost;
    if (l != r)
        return l > r ? -1 : 1;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return x->quote_id < y->quote_id ? -1 : (x->quote_id > y->quote_id);
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int can_take(const solver *s, size_t i)
{
    const bitem *b = &s->it[i];
    if (s->kpart > 0 && s->pcount[b->partner] >= s->kpart)
        return 0;
    if (s->kplat > 0 && b->platform >= 0 && s->qcount[b->platform] >= s->kplat)
        return 0;
    return 1;
}

static void take(solver *s, size_t i)
{
    const bitem *b = &s->it[i];
    s->R -= b->cost;
    s->cur_w += b->w;
    s->pcount[b->partner]++;
    if (b->platform >= 0)
        s->qcount[b->platform]++;
    s->inc[i] = 1;
}

static void untake(solver *s, size_t i)
{
    const bitem *b = &s->it[i];
    s->R += b->cost;
    s->cur_w -= b->w;
    s->pcount[b->partner]--;
    if (b->platform >= 0)
        s->qcount[b->platform]--;
    s->inc[i] = 0;
}

/* ceil(w * r / c) for 0 <= r <= c, c > 0, without overflowing: w = q*c + rest. */
static i128 fraction_up(i128 w, int64_t r, int64_t c)
{
    i128 q = w / c, rest = w % c;
    return q * r + (rest * r + c - 1) / c;
}

/*
 * An upper bound on the score the free items from i on can add with budget
 * R: a fractional knapsack in density order over "segments".
 *
 * Items whose partner or platform is full on the current path are left out.
 * A partner with one slot left can contribute at most one item, so its
 * fractional choices spend at most the largest cost among its items seen so
 * far; an item of such a partner therefore adds only the part of its cost
 * above that running maximum, at its own density (a concave envelope above
 * every one of the partner's options, hence above their hull). Partners with
 * more slots, and platform limits, are relaxed. Partial segments are rounded
 * up, so the bound is never below the best integer completion.
 */
static i128 relaxation(solver *s, size_t i, int64_t R)
{
    i128 sum = 0;
    s->scan++;
    for (; i < s->m; i++) {
        if (s->status[i] != FREE || !can_take(s, i))
            continue;
        const bitem *b = &s->it[i];
        int64_t len = b->cost;
        i128 w = b->w;
        if (b->cost > 0 && s->kpart > 0 && s->kpart - s->pcount[b->partner] == 1) {
            size_t p = b->partner;
            if (s->stamp[p] != s->scan) {
                s->stamp[p] = s->scan;
                s->runmax[p] = 0;
            }
            if (b->cost <= s->runmax[p])
                continue;
            len = b->cost - s->runmax[p];
            s->runmax[p] = b->cost;
            if (len < b->cost)
                w = fraction_up(b->w, len, b->cost);
        }
        if (len <= R) {
            sum += w;
            R -= len;
        } else {
            sum += fraction_up(b->w, R, b->cost);
            break;
        }
    }
    return sum;
}

/* Count a node; say whether a limit has been reached. */
static int tick(solver *s)
{
    s->nodes++;
    if (s->max_nodes > 0 && s->nodes >= s->max_nodes)
        s->stopped = 1;
    else if (s->time_limit > 0 && (s->nodes & 255) == 0 && elapsed(&s->t0) >= s->time_limit)
        s->stopped = 1;
    return s->stopped;
}

static void record(solver *s)
{
    memcpy(s->best, s->inc, s->m);
    s->best_w = s->cur_w;
}

/*
 * Depth-first branch and bound over the free items, iterative: the path is
 * the stack of taken items, and backtracking turns the deepest "take" into
 * "leave". Taking the next item while it fits keeps the relaxation's
 * solution, so the bound is recomputed only after a "leave".
 *
 * MODE_BEST improves the incumbent (prunes bound <= best_w). MODE_FIND looks
 * for any plan of score >= target (prunes bound < target) and returns 1 when
 * it finds one (then recorded as incumbent). On a limit, *open_ub (if given)
 * is raised to the largest bound among the nodes left unexplored. The path
 * is always unwound: the state is as before the call.
 */
static int search(solver *s, int mode, i128 target, i128 *open_ub)
{
    size_t i = 0;
    int need = 1, found = 0;
    const size_t base = s->sp;

    for (;;) {
        if (need) {
            if (tick(s)) {
                if (open_ub) {
                    i128 b = s->cur_w + relaxation(s, i, s->R);
                    if (b > *open_ub)
                        *open_ub = b;
                }
                break;
            }
            i128 bound = s->cur_w + relaxation(s, i, s->R);
            need = 0;
            if (mode == MODE_BEST ? bound <= s->best_w : bound < target)
                goto back;
        }
        while (i < s->m && s->status[i] != FREE)
            i++;
        if (i < s->m && s->R < s->sufmin[i])
            i = s->m; /* nothing further fits */
        if (i == s->m) {
            if (mode == MODE_BEST && s->cur_w > s->best_w) {
                record(s);
            } else if (mode == MODE_FIND && s->cur_w >= target) {
                record(s);
                found = 1;
                break;
            }
            goto back;
        }
        if (can_take(s, i)) {
            if (s->it[i].cost <= s->R) {
                take(s, i);
                s->stack[s->sp++] = i;
                /* A partner or platform just filled up: its other items
                 * leave the relaxation, so the bound may drop. */
                if ((s->kpart > 0 && s->pcount[s->it[i].partner] >= s->kpart) ||
                    (s->kplat > 0 && s->it[i].platform >= 0 &&
                     s->qcount[s->it[i].platform] >= s->kplat))
                    need = 1;
                i++;
                continue;
            }
            need = 1; /* the relaxation used part of it: leaving it changes the bound */
        }
        i++;
        continue;
    back:
        if (s->sp == base)
            break;
        i = s->stack[--s->sp];
        untake(s, i);
        i++;
        need = 1;
    }
    /* Unwind; each pending "leave" branch is an unexplored node. */
    while (s->sp > base) {
        size_t j = s->stack[--s->sp];
        untake(s, j);
        if (s->stopped && open_ub) {
            i128 b = s->cur_w + relaxation(s, j + 1, s->R);
            if (b > *open_ub)
                *open_ub = b;
        }
    }
    return found;
}

static int64_t score_to_value_ub(i128 w, i128 scale)
{
    /* value * scale - cost <= w and cost < scale give value <= ceil(w / scale) */
    if (w <= 0)
        return 0;
    return (int64_t)((w + scale - 1) / scale);
}

static int validate(const kw_budget_item *items, size_t n, const kw_budget_limits *lim)
{
    if (!items)
        return kw_error_set(KW_EINVAL, "budget: items is NULL");
    if (!lim)
        return kw_error_set(KW_EINVAL, "budget: limits is NULL");
    if (n == 0)
        return kw_error_set(KW_EINVAL, "budget: no candidates (n = 0)");
    if (n > KW_BUDGET_MAX_ITEMS)
        return kw_error_set(KW_EINVAL, "budget: %zu candidates, more than the limit of %d", n,
                            KW_BUDGET_MAX_ITEMS);
    if (lim->budget < 0)
        return kw_error_set(KW_EINVAL, "budget: budget %lld cents is negative",
                            (long long)lim->budget);
    if (lim->max_per_partner < 0)
        return kw_error_set(KW_EINVAL, "budget: max_per_partner %d is negative",
                            lim->max_per_partner);
    if (lim->max_per_platform < 0)
        return kw_error_set(KW_EINVAL, "budget: max_per_platform %d is negative",
                            lim->max_per_platform);
    if (!(lim->time_limit >= 0 && lim->time_limit <= KW_BUDGET_MAX_TIME_LIMIT))
        return kw_error_set(KW_EINVAL, "budget: time limit %g s is not in 0..%g", lim->time_limit,
                            KW_BUDGET_MAX_TIME_LIMIT);
    if (lim->max_nodes < 0)
        return kw_error_set(KW_EINVAL, "budget: max_nodes %lld is negative",
                            (long long)lim->max_nodes);
    for (size_t i = 0; i < n; i++) {
        const kw_budget_item *t = &items[i];
        if (t->cost < 0 || t->cost > KW_BUDGET_MAX_COST)
            return kw_error_set(KW_EINVAL, "budget: item %zu (quote %lld): cost %lld not in 0..%lld",
                                i, (long long)t->quote_id, (long long)t->cost,
                                (long long)KW_BUDGET_MAX_COST);
        if (t->value < 0 || t->value > KW_BUDGET_MAX_VALUE)
            return kw_error_set(KW_EINVAL,
                                "budget: item %zu (quote %lld): value %lld not in 0..%lld", i,
                                (long long)t->quote_id, (long long)t->value,
                                (long long)KW_BUDGET_MAX_VALUE);
        if (t->platform < -1 || t->platform >= KW_BUDGET_MAX_PLATFORMS)
            return kw_error_set(KW_EINVAL,
                                "budget: item %zu (quote %lld): platform %d not in -1..%d", i,
                                (long long)t->quote_id, t->platform,
                                KW_BUDGET_MAX_PLATFORMS - 1);
    }
    return 0;
}

static void solver_free(solver *s)
{
    free(s->it);
    free(s->sufmin);
    free(s->pcount);
    free(s->stamp);
    free(s->runmax);
    free(s->status);
    free(s->inc);
    free(s->best);
    free(s->stack);
}

/* Check the input, keep the eligible items in density order, map partners
 * to dense indices. byid receives all n indices sorted by quote id. */
static int solver_init(solver *s, const kw_budget_item *items, size_t n,
                       const kw_budget_limits *lim, keyidx **byid_out)
{
    int rc = 0;
    keyidx *byid = NULL, *bypartner = NULL;
    size_t *dense = NULL;

    memset(s, 0, sizeof *s);
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    if ((rc = validate(items, n, lim)) < 0)
        goto cleanup;
    s->kpart = lim->max_per_partner;
    s->kplat = lim->max_per_platform;
    s->time_limit = lim->time_limit;
    s->max_nodes = lim->max_nodes;

    byid = malloc(n * sizeof *byid);
    bypartner = malloc(n * sizeof *bypartner);
    dense = malloc(n * sizeof *dense);
    s->it = malloc(n * sizeof *s->it);
    s->sufmin = malloc((n + 1) * sizeof *s->sufmin);
    s->pcount = calloc(n, sizeof *s->pcount);
    s->stamp = calloc(n, sizeof *s->stamp);
    s->runmax = calloc(n, sizeof *s->runmax);
    s->status = calloc(n, 1);
    s->inc = calloc(n, 1);
    s->best = calloc(n, 1);
    s->stack = malloc(n * sizeof *s->stack);
    if (!byid || !bypartner || !dense || !s->it || !s->sufmin || !s->pcount || !s->stamp || !s->runmax || !s->status ||
        !s->inc || !s->best || !s->stack) {
        rc = kw_error_set(KW_ENOMEM, "budget: out of memory for %zu candidates", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        byid[i] = (keyidx){items[i].quote_id, i};
        bypartner[i] = (keyidx){items[i].partner_id, i};
    }
    qsort(byid, n, sizeof *byid, cmp_keyidx);
    for (size_t i = 1; i < n; i++)
        if (byid[i].key == byid[i - 1].key) {
            rc = kw_error_set(KW_EINVAL, "budget: items %zu and %zu have the same quote id %lld",
                              byid[i - 1].idx, byid[i].idx, (long long)byid[i].key);
            goto cleanup;
        }
    qsort(bypartner, n, sizeof *bypartner, cmp_keyidx);
    for (size_t i = 0, d = 0; i < n; i++) {
        if (i > 0 && bypartner[i].key != bypartner[i - 1].key)
            d++;
        dense[bypartner[i].idx] = d;
    }

    /* Eligible: some value, and affordable on its own. */
    int64_t costsum = 0;
    for (size_t i = 0; i < n; i++) {
        const kw_budget_item *t = &items[i];
        if (t->cost > lim->budget || t->value == 0)
            continue;
        bitem *b = &s->it[s->m++];
        b->cost = t->cost;
        b->value = t->value;
        b->quote_id = t->quote_id;
        b->orig = i;
        b->partner = dense[i];
        b->platform = t->platform;
        costsum += t->cost; /* <= n * KW_BUDGET_MAX_COST < 2^63 */
    }
    s->scale = (i128)(costsum < lim->budget ? costsum : lim->budget) + 1;
    for (size_t i = 0; i < s->m; i++)
        s->it[i].w = (i128)s->it[i].value * s->scale - s->it[i].cost;
    qsort(s->it, s->m, sizeof *s->it, cmp_density);
    s->sufmin[s->m] = INT64_MAX;
    for (size_t i = s->m; i-- > 0;)
        s->sufmin[i] = s->it[i].cost < s->sufmin[i + 1] ? s->it[i].cost : s->sufmin[i + 1];
    s->R = lim->budget;
    *byid_out = byid;
    byid = NULL;

cleanup:
    free(byid);
    free(bypartner);
    free(dense);
    if (rc < 0)
        solver_free(s);
    return rc;
}

/* Turn the incumbent into the caller's plan, with a reason for each item. */
static int make_plan(kw_budget_plan **out, const solver *s, const kw_budget_item *items,
                     size_t n, const kw_budget_limits *lim, const keyidx *byid)
{
    int rc = 0;
    kw_budget_plan *p = calloc(1, sizeof *p);
    unsigned char *chosen = calloc(n, 1);
    int *pc = calloc(n, sizeof *pc);
    int qc[KW_BUDGET_MAX_PLATFORMS] = {0};
    size_t *dense = malloc(n * sizeof *dense);

    if (!p || !chosen || !pc || !dense) {
        rc = kw_error_set(KW_ENOMEM, "budget: out of memory for the plan");
        goto cleanup;
    }
    p->reasons = malloc(n * sizeof *p->reasons);
    p->n_items = n;
    for (size_t i = 0; i < s->m; i++)
        if (s->best[i]) {
            chosen[s->it[i].orig] = 1;
            p->n_selected++;
            p->total_cost += s->it[i].cost;
            p->value += s->it[i].value;
        }
    p->selected = malloc((p->n_selected ? p->n_selected : 1) * sizeof *p->selected);
    if (!p->reasons || !p->selected) {
        rc = kw_error_set(KW_ENOMEM, "budget: out of memory for the plan");
        goto cleanup;
    }
    for (size_t i = 0, k = 0; i < n; i++)
        if (chosen[byid[i].idx])
            p->selected[k++] = byid[i].idx;
    p->remaining = lim->budget - p->total_cost;

    /* Dense partners of all items (eligible or not) for the limit reasons. */
    for (size_t i = 0; i < n; i++)
        dense[i] = (size_t)-1;
    for (size_t i = 0; i < s->m; i++)
        dense[s->it[i].orig] = s->it[i].partner;
    for (size_t i = 0; i < n; i++)
        if (chosen[i]) {
            pc[dense[i]]++;
            if (items[i].platform >= 0)
                qc[items[i].platform]++;
        }
    for (size_t i = 0; i < n; i++) {
        const kw_budget_item *t = &items[i];
        kw_budget_reason r;
        if (chosen[i])
            r = KW_BUDGET_SELECTED;
        else if (t->cost > lim->budget)
            r = KW_BUDGET_OVER_BUDGET;
        else if (t->value == 0)
            r = KW_BUDGET_NO_VALUE;
        else if (lim->max_per_partner > 0 && pc[dense[i]] >= lim->max_per_partner)
            r = KW_BUDGET_PARTNER_LIMIT;
        else if (lim->max_per_platform > 0 && t->platform >= 0 &&
                 qc[t->platform] >= lim->max_per_platform)
            r = KW_BUDGET_PLATFORM_LIMIT;
        else if (t->cost > p->remaining)
            r = KW_BUDGET_NO_ROOM;
        else
            r = KW_BUDGET_NOT_CHOSEN;
        p->reasons[i] = r;
    }
    *out = p;
    p = NULL;

cleanup:
    kw_budget_plan_free(p);
    free(chosen);
    free(pc);
    free(dense);
    return rc;
}

void kw_budget_limits_default(kw_budget_limits *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->budget = 0;
    out->max_per_partner = 1;
    out->max_per_platform = 0;
    out->time_limit = 2.0;
    out->max_nodes = 0;
}

int kw_budget_optimise(kw_budget_plan **out, const kw_budget_item *items, size_t n,
                       const kw_budget_limits *limits)
{
    int rc = 0, ties_done = 0;
    solver s;
    keyidx *byid = NULL;
    size_t *pos = NULL;

    if (!out)
        return kw_error_set(KW_EINVAL, "budget: out is NULL");
    *out = NULL;
    if ((rc = solver_init(&s, items, n, limits, &byid)) < 0)
        return rc;

    /* Phase 1: the best score (value first, then cheapness). */
    i128 open_ub = 0;
    search(&s, MODE_BEST, 0, &open_ub);
    int proven = !s.stopped;

    /*
     * Phase 2: among plans of that score, the lowest quote ids. In quote-id
     * order, fix each item in if some best-score plan agrees with everything
     * fixed so far and contains it, else fix it out; the incumbent is always
     * such a plan, so items in it are fixed in without a search.
     */
    if (proven) {
        pos = malloc(n * sizeof *pos);
        if (!pos) {
            rc = kw_error_set(KW_ENOMEM, "budget: out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++)
            pos[i] = (size_t)-1;
        for (size_t i = 0; i < s.m; i++)
            pos[s.it[i].orig] = i;
        ties_done = 1;
        for (size_t k = 0; k < n; k++) {
            size_t e = pos[byid[k].idx];
            if (e == (size_t)-1)
                continue;
            if (s.best[e]) {
                s.status[e] = FIXED_IN;
                take(&s, e);
                continue;
            }
            if (!can_take(&s, e) || s.it[e].cost > s.R) {
                s.status[e] = FIXED_OUT;
                continue;
            }
            s.status[e] = FIXED_IN;
            take(&s, e);
            if (!search(&s, MODE_FIND, s.best_w, NULL)) {
                untake(&s, e);
                s.status[e] = FIXED_OUT;
            }
            if (s.stopped) {
                ties_done = 0;
                break;
            }
        }
    }

    if ((rc = make_plan(out, &s, items, n, limits, byid)) < 0)
        goto cleanup;
    if (proven) {
        (*out)->upper_bound = (*out)->value;
        (*out)->optimal = ties_done;
    } else {
        int64_t ub = score_to_value_ub(open_ub > s.best_w ? open_ub : s.best_w, s.scale);
        (*out)->upper_bound = ub > (*out)->value ? ub : (*out)->value;
        (*out)->optimal = 0;
    }
    (*out)->nodes = s.nodes;
    (*out)->seconds = elapsed(&s.t0);

cleanup:
    free(pos);
    free(byid);
    solver_free(&s);
    return rc;
}

int kw_budget_greedy(kw_budget_plan **out, const kw_budget_item *items, size_t n,
                     const kw_budget_limits *limits)
{
    int rc = 0;
    solver s;
    keyidx *byid = NULL;

    if (!out)
        return kw_error_set(KW_EINVAL, "budget: out is NULL");
    *out = NULL;
    if ((rc = solver_init(&s, items, n, limits, &byid)) < 0)
        return rc;
    i128 root = relaxation(&s, 0, s.R);
    for (size_t i = 0; i < s.m; i++)
        if (can_take(&s, i) && s.it[i].cost <= s.R)
            take(&s, i);
    record(&s);
    if ((rc = make_plan(out, &s, items, n, limits, byid)) < 0)
        goto cleanup;
    int64_t ub = score_to_value_ub(root, s.scale);
    (*out)->upper_bound = ub > (*out)->value ? ub : (*out)->value;
    (*out)->optimal = 0;
    (*out)->seconds = elapsed(&s.t0);

cleanup:
    free(byid);
    solver_free(&s);
    return rc;
}

void kw_budget_plan_free(kw_budget_plan *plan)
{
    if (!plan)
        return;
    free(plan->selected);
    free(plan->reasons);
    free(plan);
}

const char *kw_budget_reason_name(kw_budget_reason reason)
{
    switch (reason) {
    case KW_BUDGET_SELECTED:
        return "selected";
    case KW_BUDGET_OVER_BUDGET:
        return "over budget alone";
    case KW_BUDGET_NO_VALUE:
        return "no objective value";
    case KW_BUDGET_PARTNER_LIMIT:
        return "partner limit reached by a better candidate";
    case KW_BUDGET_PLATFORM_LIMIT:
        return "platform limit reached by better candidates";
    case KW_BUDGET_NO_ROOM:
        return "does not fit in the remaining budget";
    case KW_BUDGET_NOT_CHOSEN:
        return "not in the best plan found";
    }
    return "unknown";
}
