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
enum { TOPN = 8 }; /* partner slots the relaxation models (see relaxation) */

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

/* One segment of a partner's upper hull (value against cost), from one of
 * its options to the next more expensive one. */
typedef struct ginc {
    size_t group;
    int64_t dc;  /* extra cost, >= 0 */
    int64_t dv;  /* extra value, > 0 */
    i128 dw;     /* extra score */
    size_t to;   /* the option it leads to (index within its group) */
    int from_pl; /* platform of the option it leaves (-2: none), for the subgradient */
    int to_pl;   /* platform of the option it leads to */
} ginc;

typedef struct solver {
    bitem *it;
    size_t m;                 /* eligible items */
    int64_t *sufmin;          /* sufmin[i]: least cost among it[i..m-1]; [m] = INT64_MAX */
    int kpart, kplat;
    int *pcount;              /* items taken per dense partner */
    uint64_t *stamp;          /* per partner: the relaxation scan that set topc */
    int64_t *topc;            /* per partner: its TOPN largest costs seen in that scan */
    unsigned char *topn;      /* per partner: how many of them */
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
    /* Partner groups, used when max_per_partner is 1 (see gsearch). */
    int grouped;
    size_t ng;                /* dense partners */
    size_t *gstart;           /* ng+1: options of g are gopt[gstart[g] .. gstart[g+1]) */
    size_t *gopt;             /* item indices, each group's by score descending */
    size_t *gorder;           /* groups with options, in branching order */
    size_t nbranch;
    size_t *gch;              /* per depth: the slot being tried (see slot_option) */
    size_t *gfirst;           /* per depth: the option tried first */
    size_t *optidx;           /* item index -> option index within its group */
    unsigned char *gdone;     /* decided on the current search path */
    unsigned char *gfix;      /* holds an item fixed in by the tie-break pass */
    struct ginc *hull;        /* hull segments of all groups, by slope */
    size_t nhull;
    size_t *gcost;            /* each group's items by cost ascending */
    size_t *hstk;             /* scratch: hull under construction */
    /* Platform limits in the bound (see lagrange_init): the hulls again
     * with each option's value lowered by its platform's mu. */
    int lagr;
    struct ginc *lhull;
    size_t nlhull;
    int64_t mu[KW_BUDGET_MAX_PLATFORMS];
    int64_t qcap[KW_BUDGET_MAX_PLATFORMS]; /* min(limit, eligible items on it): keeps
                                            * the sum of mu * scale * qcap below 2^120 */
    int lq[KW_BUDGET_MAX_PLATFORMS]; /* platforms with mu > 0 */
    int nlq;
    size_t npartners;
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
 * A partner with a slots left (1 <= a <= TOPN) takes at most a items, so
 * among its items seen so far in density order its fractional choices spend
 * at most the sum of the a largest costs. Each item therefore adds only the
 * growth of that sum, at its own density: nested limits per partner and
 * one budget, for which filling by density is optimal, and a relaxation of
 * the real limit. Larger allowances and platform limits are relaxed.
 * Partial segments are rounded up, so the bound is never below the best
 * integer completion.
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
        int a = s->kpart > 0 ? s->kpart - s->pcount[b->partner] : 0;
        if (b->cost > 0 && a >= 1 && a <= TOPN) {
            size_t p = b->partner;
            int64_t *top = &s->topc[p * TOPN];
            if (s->stamp[p] != s->scan) {
                s->stamp[p] = s->scan;
                s->topn[p] = 0;
            }
            if (s->topn[p] < a) {
                top[s->topn[p]++] = b->cost;
            } else {
                int lo = 0;
                for (int k = 1; k < a; k++)
                    if (top[k] < top[lo])
                        lo = k;
                if (b->cost <= top[lo])
                    continue;
                len = b->cost - top[lo];
                top[lo] = b->cost;
                w = fraction_up(b->w, len, b->cost);
            }
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

/* ---- partner groups (max_per_partner == 1) ----
 *
 * With one item per partner the problem is a multiple-choice knapsack. Its
 * linear relaxation is exact and cheap: each partner's options, as points
 * (cost, value) with "none" at the origin, are replaced by the segments of
 * their upper concave hull, and a fractional knapsack over all segments by
 * slope never takes a later segment of a partner before an earlier one. The
 * search branches on one partner at a time (each option, then none).
 */

typedef struct gkey {
    size_t group;
    i128 w;
    int64_t cost, value, quote_id;
    size_t pos;
} gkey;

static int cmp_gkey_score(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->quote_id < y->quote_id ? -1 : (x->quote_id > y->quote_id);
}

static int cmp_gkey_cost(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->quote_id < y->quote_id ? -1 : (x->quote_id > y->quote_id);
}

static int cmp_ginc(const void *a, const void *b)
{
    const ginc *x = a, *y = b;
    /* slope of the score is scale * dv / dc - 1: order by dv / dc */
    i128 l = (i128)x->dv * y->dc, r = (i128)y->dv * x->dc;
    if (x->dc == 0 || y->dc == 0) {
        if (x->dc != y->dc)
            return x->dc == 0 ? -1 : 1;
    } else if (l != r) {
        return l > r ? -1 : 1;
    }
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->dc < y->dc ? -1 : (x->dc > y->dc);
}

static const i128 *order_key;
static int cmp_gorder(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (order_key[x] != order_key[y])
        return order_key[x] > order_key[y] ? -1 : 1;
    return x < y ? -1 : (x > y);
}

static int64_t penalised(const solver *s, const int64_t *mu, size_t e)
{
    const bitem *b = &s->it[e];
    return mu && b->platform >= 0 ? b->value - mu[b->platform] : b->value;
}

/* The upper concave hull of each group's options (value lowered by mu of
 * the option's platform, if mu is given), from the origin ("none"), as
 * segments sorted by slope into out. Options worth nothing after the
 * penalty drop out. */
static void build_hulls(solver *s, const int64_t *mu, ginc *out, size_t *nout)
{
    size_t n = 0;
    for (size_t g = 0; g < s->ng; g++) {
        size_t top = 0, *h = s->hstk;
        for (size_t k = s->gstart[g]; k < s->gstart[g + 1]; k++) {
            size_t e = s->gcost[k];
            int64_t c = s->it[e].cost, v = penalised(s, mu, e);
            if (v <= (top ? penalised(s, mu, h[top - 1]) : 0))
                continue; /* as dear or dearer, and not better */
            while (top >= 1) {
                int64_t c0 = top >= 2 ? s->it[h[top - 2]].cost : 0;
                int64_t v0 = top >= 2 ? penalised(s, mu, h[top - 2]) : 0;
                int64_t c1 = s->it[h[top - 1]].cost, v1 = penalised(s, mu, h[top - 1]);
                /* drop the last point unless strictly above the line from
                 * the one before it to the new one */
                i128 cross = (i128)(c1 - c0) * (v - v0) - (i128)(v1 - v0) * (c - c0);
                if (cross >= 0)
                    top--;
                else
                    break;
            }
            h[top++] = e;
        }
        int64_t pc = 0, pv = 0;
        int ppl = -2;
        for (size_t k = 0; k < top; k++) {
            ginc *in = &out[n++];
            int64_t v = penalised(s, mu, h[k]);
            in->group = g;
            in->dc = s->it[h[k]].cost - pc;
            in->dv = v - pv;
            in->dw = (i128)in->dv * s->scale - in->dc;
            in->to = s->optidx[h[k]];
            in->from_pl = ppl;
            in->to_pl = s->it[h[k]].platform;
            pc = s->it[h[k]].cost;
            pv = v;
            ppl = in->to_pl;
        }
    }
    qsort(out, n, sizeof *out, cmp_ginc);
    *nout = n;
}

static int groups_init(solver *s, size_t npartners)
{
    int rc = 0;
    gkey *keys = NULL;
    i128 *best = NULL;
    size_t m = s->m;

    s->grouped = 1;
    s->ng = npartners;
    s->gstart = calloc(npartners + 1, sizeof *s->gstart);
    s->gopt = malloc((m ? m : 1) * sizeof *s->gopt);
    s->gorder = malloc((npartners ? npartners : 1) * sizeof *s->gorder);
    s->gch = malloc((npartners + 1) * sizeof *s->gch);
    s->gfirst = malloc((npartners + 1) * sizeof *s->gfirst);
    s->optidx = malloc((m ? m : 1) * sizeof *s->optidx);
    s->gdone = calloc(npartners ? npartners : 1, 1);
    s->gfix = calloc(npartners ? npartners : 1, 1);
    s->hull = malloc((m ? m : 1) * sizeof *s->hull);
    s->gcost = malloc((m ? m : 1) * sizeof *s->gcost);
    s->hstk = malloc((m ? m : 1) * sizeof *s->hstk);
    keys = malloc((m ? m : 1) * sizeof *keys);
    best = calloc(npartners ? npartners : 1, sizeof *best);
    if (!s->gstart || !s->gopt || !s->gorder || !s->gch || !s->gfirst || !s->optidx || !s->gdone || !s->gfix || !s->hull || !s->gcost || !s->hstk ||
        !keys || !best) {
        rc = kw_error_set(KW_ENOMEM, "budget: out of memory for %zu partners", npartners);
        goto cleanup;
    }
    for (size_t i = 0; i < m; i++) {
        const bitem *b = &s->it[i];
        keys[i] = (gkey){b->partner, b->w, b->cost, b->value, b->quote_id, i};
    }
    qsort(keys, m, sizeof *keys, cmp_gkey_score);
    for (size_t i = 0; i < m; i++) {
        s->gopt[i] = keys[i].pos;
        s->gstart[keys[i].group + 1]++;
    }
    for (size_t g = 0; g < npartners; g++)
        s->gstart[g + 1] += s->gstart[g];
    for (size_t i = 0; i < m; i++)
        s->optidx[keys[i].pos] = i - s->gstart[keys[i].group];

    for (size_t g = 0; g < npartners; g++) {
        size_t a = s->gstart[g], z = s->gstart[g + 1];
        if (a == z)
            continue;
        best[g] = keys[a].w;
        s->gorder[s->nbranch++] = g;
        qsort(keys + a, z - a, sizeof *keys, cmp_gkey_cost);
        for (size_t k = a; k < z; k++)
            s->gcost[k] = keys[k].pos;
    }
    build_hulls(s, NULL, s->hull, &s->nhull);
    /* Branch on the partners with the most at stake first: the bound
     * tightens fastest when the large decisions are made early. */
    order_key = best;
    qsort(s->gorder, s->nbranch, sizeof *s->gorder, cmp_gorder);
    order_key = NULL;

cleanup:
    free(keys);
    free(best);
    return rc;
}

/* The multiple-choice relaxation over the groups not yet decided. Groups
 * are relaxed as a whole: options fixed out or on a full platform stay in
 * the hull, which only makes the bound larger. If choice is given, it
 * receives the option the relaxation settles on for group gq, rounded down
 * (its option count for "none"). */
static i128 glp_over(const solver *s, const ginc *hull, size_t nhull, int64_t R, size_t gq,
                     size_t *choice, double *cnt)
{
    i128 sum = 0;
    if (choice)
        *choice = s->gstart[gq + 1] - s->gstart[gq];
    for (size_t k = 0; k < nhull; k++) {
        const ginc *in = &hull[k];
        double f = 1.0;
        if (s->gdone[in->group] || s->gfix[in->group])
            continue;
        if (in->dc <= R) {
            sum += in->dw;
            R -= in->dc;
            if (choice && in->group == gq)
                *choice = in->to;
        } else {
            sum += fraction_up(in->dw, R, in->dc);
            f = (double)R / (double)in->dc;
        }
        if (cnt) {
            if (in->to_pl >= 0)
                cnt[in->to_pl] += f;
            if (in->from_pl >= 0)
                cnt[in->from_pl] -= f;
        }
        if (f < 1.0)
            break;
    }
    return sum;
}

static i128 glp(const solver *s, int64_t R, size_t gq, size_t *choice)
{
    return glp_over(s, s->hull, s->nhull, R, gq, choice, NULL);
}

/* The bound of the current node: the relaxation, and when platform limits
 * are penalised, the Lagrangian bound if lower (see lagrange_init). */
static i128 node_bound(const solver *s, size_t gq, size_t *choice)
{
    i128 b = s->cur_w + glp(s, s->R, gq, choice);
    if (s->lagr) {
        i128 l = s->cur_w + glp_over(s, s->lhull, s->nlhull, s->R, 0, NULL, NULL);
        for (int k = 0; k < s->nlq; k++) {
            int q = s->lq[k];
            l += (i128)s->mu[q] * s->scale * (s->qcap[q] - s->qcount[q]);
        }
        if (l < b)
            b = l;
    }
    return b;
}

/*
 * Platform limits in the bound. For any mu >= 0 (per platform, in value
 * units), lowering each option's value by mu of its platform and adding back
 * mu times the slots the platform has left is an upper bound (Lagrangian
 * relaxation of the platform limits). A short subgradient search at the root
 * picks mu; the search then uses the lower of both bounds at every node.
 */
static int lagrange_init(solver *s)
{
    double mud[KW_BUDGET_MAX_PLATFORMS] = {0}, cnt[KW_BUDGET_MAX_PLATFORMS];
    int64_t mu[KW_BUDGET_MAX_PLATFORMS] = {0};
    unsigned char present[KW_BUDGET_MAX_PLATFORMS] = {0};
    double theta = 0.03;
    int stall = 0;

    s->lhull = malloc((s->m ? s->m : 1) * sizeof *s->lhull);
    if (!s->lhull)
        return kw_error_set(KW_ENOMEM, "budget: out of memory");
    memset(s->qcap, 0, sizeof s->qcap);
    for (size_t i = 0; i < s->m; i++)
        if (s->it[i].platform >= 0) {
            present[s->it[i].platform] = 1;
            s->qcap[s->it[i].platform]++;
        }
    for (int q = 0; q < KW_BUDGET_MAX_PLATFORMS; q++)
        if (s->qcap[q] > s->kplat)
            s->qcap[q] = s->kplat;
    i128 best_l = glp(s, s->R, 0, NULL);
    for (int iter = 0; iter < 60; iter++) {
        build_hulls(s, mu, s->lhull, &s->nlhull);
        memset(cnt, 0, sizeof cnt);
        i128 l = glp_over(s, s->lhull, s->nlhull, s->R, 0, NULL, cnt);
        for (int q = 0; q < KW_BUDGET_MAX_PLATFORMS; q++)
            if (present[q])
                l += (i128)mu[q] * s->scale * s->qcap[q];
        if (l < best_l) {
            best_l = l;
            memcpy(s->mu, mu, sizeof mu);
            s->lagr = 1;
            stall = 0;
        } else if (++stall >= 4) {
            theta /= 2;
            stall = 0;
        }
        double norm = 0, g[KW_BUDGET_MAX_PLATFORMS];
        for (int q = 0; q < KW_BUDGET_MAX_PLATFORMS; q++) {
            g[q] = present[q] ? cnt[q] - (double)s->qcap[q] : 0;
            if (mud[q] <= 0 && g[q] < 0)
                g[q] = 0;
            norm += g[q] * g[q];
        }
        double gap = (double)(l - s->best_w) / (double)s->scale;
        if (norm < 1e-9 || gap <= 0)
            break;
        for (int q = 0; q < KW_BUDGET_MAX_PLATFORMS; q++) {
            if (!present[q])
                continue;
            mud[q] += theta * gap / norm * g[q];
            if (mud[q] < 0)
                mud[q] = 0;
            if (mud[q] > (double)KW_BUDGET_MAX_VALUE)
                mud[q] = (double)KW_BUDGET_MAX_VALUE;
            mu[q] = (int64_t)(mud[q] + 0.5);
        }
    }
    if (s->lagr) {
        build_hulls(s, s->mu, s->lhull, &s->nlhull);
        for (int q = 0; q < KW_BUDGET_MAX_PLATFORMS; q++)
            if (s->mu[q] > 0)
                s->lq[s->nlq++] = q;
    }
    return 0;
}

/* Slot k of a node: slot 0 is the option tried first, then the others in
 * score order, "none" (index m) among them. */
static size_t slot_option(size_t k, size_t first)
{
    if (k == 0)
        return first;
    return k - 1 >= first ? k : k - 1;
}

static int option_fits(const solver *s, size_t e)
{
    return s->status[e] == FREE && can_take(s, e) && s->it[e].cost <= s->R;
}

/*
 * Depth-first branch and bound over the groups in gorder, iterative: gch[d]
 * is the option tried at depth d (gstart-relative; the group's option count
 * means "none", beyond it the node is done). Same modes, pruning, limits
 * and unwinding as search().
 */
static int gsearch(solver *s, int mode, i128 target, i128 *open_ub)
{
    const size_t START = (size_t)-1, D = s->nbranch;
    size_t d = 0;
    int found = 0;

    s->gch[0] = START;
    for (;;) {
        size_t g = d < D ? s->gorder[d] : 0;
        size_t m = d < D ? s->gstart[g + 1] - s->gstart[g] : 0;
        size_t k, o;
        if (s->gch[d] == START) {
            if (mode == MODE_FIND && s->cur_w >= target) {
                record(s);
                found = 1;
                break;
            }
            if (d == D) {
                if (mode == MODE_BEST && s->cur_w > s->best_w)
                    record(s);
                goto up;
            }
            if (s->gfix[g]) {
                s->gfirst[d] = m; /* pass through as "none" (slot 0), nothing after */
                s->gch[d] = 0;
                s->gch[++d] = START;
                continue;
            }
            if (tick(s)) {
                if (open_ub) {
                    i128 b = node_bound(s, 0, NULL);
                    if (b > *open_ub)
                        *open_ub = b;
                }
                break;
            }
            size_t first;
            i128 bound = node_bound(s, g, &first);
            if (mode == MODE_BEST ? bound <= s->best_w : bound < target)
                goto up;
            s->gdone[g] = 1;
            s->gfirst[d] = first;
            k = 0;
        } else {
            if (s->gfix[g])
                goto up;
            k = s->gch[d];
            o = slot_option(k, s->gfirst[d]);
            if (o < m)
                untake(s, s->gopt[s->gstart[g] + o]);
            k++;
        }
        for (; k <= m; k++) {
            o = slot_option(k, s->gfirst[d]);
            if (o == m || option_fits(s, s->gopt[s->gstart[g] + o]))
                break;
        }
        s->gch[d] = k;
        if (k <= m) {
            if (o < m)
                take(s, s->gopt[s->gstart[g] + o]);
            s->gch[++d] = START;
            continue;
        }
        s->gdone[g] = 0;
    up:
        if (d == 0)
            break;
        d--;
    }
    /* Unwind; on a limit, every untried sibling is an unexplored node. */
    while (d > 0) {
        d--;
        size_t g = s->gorder[d], m = s->gstart[g + 1] - s->gstart[g], k = s->gch[d];
        size_t o = slot_option(k, s->gfirst[d]);
        if (o < m)
            untake(s, s->gopt[s->gstart[g] + o]);
        if (s->stopped && open_ub && !s->gfix[g]) {
            for (size_t k2 = k + 1; k2 <= m; k2++) {
                size_t o2 = slot_option(k2, s->gfirst[d]);
                i128 b;
                if (o2 < m) {
                    size_t e = s->gopt[s->gstart[g] + o2];
                    if (!option_fits(s, e))
                        continue;
                    take(s, e);
                    b = node_bound(s, 0, NULL);
                    untake(s, e);
                } else {
                    b = node_bound(s, 0, NULL);
                }
                if (b > *open_ub)
                    *open_ub = b;
            }
        }
        s->gdone[g] = 0;
    }
    return found;
}

static int run(solver *s, int mode, i128 target, i128 *open_ub)
{
    return s->grouped ? gsearch(s, mode, target, open_ub) : search(s, mode, target, open_ub);
}

/* The greedy plan by value per cost, as the first incumbent. */
static void greedy_incumbent(solver *s)
{
    for (size_t i = 0; i < s->m; i++)
        if (can_take(s, i) && s->it[i].cost <= s->R)
            take(s, i);
    if (s->cur_w > s->best_w)
        record(s);
    for (size_t i = 0; i < s->m; i++)
        if (s->inc[i])
            untake(s, i);
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
    free(s->topc);
    free(s->topn);
    free(s->status);
    free(s->inc);
    free(s->best);
    free(s->stack);
    free(s->gstart);
    free(s->gopt);
    free(s->gorder);
    free(s->gch);
    free(s->gfirst);
    free(s->optidx);
    free(s->gdone);
    free(s->gfix);
    free(s->hull);
    free(s->gcost);
    free(s->hstk);
    free(s->lhull);
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
    s->topc = calloc(n * TOPN, sizeof *s->topc);
    s->topn = calloc(n, 1);
    s->status = calloc(n, 1);
    s->inc = calloc(n, 1);
    s->best = calloc(n, 1);
    s->stack = malloc(n * sizeof *s->stack);
    if (!byid || !bypartner || !dense || !s->it || !s->sufmin || !s->pcount || !s->stamp || !s->topc || !s->topn || !s->status ||
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
        s->npartners = d + 1;
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
    unsigned char *chosen = calloc(n ? n : 1, 1);
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

    if (s.kpart == 1 && (rc = groups_init(&s, s.npartners)) < 0)
        goto cleanup;

    /* Phase 1: the best score (value first, then cheapness). */
    i128 open_ub = 0;
    greedy_incumbent(&s);
    if (s.grouped && s.kplat > 0 && (rc = lagrange_init(&s)) < 0)
        goto cleanup;
    run(&s, MODE_BEST, 0, &open_ub);
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
                if (s.grouped)
                    s.gfix[s.it[e].partner] = 1;
                continue;
            }
            if (!can_take(&s, e) || s.it[e].cost > s.R) {
                s.status[e] = FIXED_OUT;
                continue;
            }
            s.status[e] = FIXED_IN;
            take(&s, e);
            if (s.grouped)
                s.gfix[s.it[e].partner] = 1;
            if (!run(&s, MODE_FIND, s.best_w, NULL)) {
                untake(&s, e);
                s.status[e] = FIXED_OUT;
                if (s.grouped)
                    s.gfix[s.it[e].partner] = 0;
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
    if (s.kpart == 1 && (rc = groups_init(&s, s.npartners)) < 0)
        goto cleanup;
    i128 root = s.grouped ? glp(&s, s.R, 0, NULL) : relaxation(&s, 0, s.R);
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
