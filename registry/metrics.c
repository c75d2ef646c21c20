/*
 * Results into figures: what each deliverable spent under its mode, and
 * the unit costs a campaign is judged by. Sums stay in integers; only the
 * final ratios are computed in floating point.
 */
#include "kolwatch/registry.h"

#include <math.h>
#include <string.h>

static int64_t known(int64_t v) { return v > 0 ? v : 0; }

static void add(int64_t *sum, int64_t v)
{
    if (v < 0)
        return;
    *sum = *sum < 0 ? v : *sum + v;
}

static int64_t engagements(const kw_deliverable_result *r)
{
    if (r->likes < 0 && r->comments < 0 && r->shares < 0 && r->saves < 0)
        return -1;
    return known(r->likes) + known(r->comments) + known(r->shares) + known(r->saves);
}

void kw_metrics_init(kw_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->impressions = m->views = m->engagements = m->clicks = m->conversions = m->gmv =
        m->followers = -1;
}

void kw_deliverable_cost(const kw_deliverable *d, const kw_deliverable_result *r, const char *objective,
                         kw_cost *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(d->state, "contracted") != 0 && strcmp(d->state, "published") != 0 &&
        strcmp(d->state, "paid") != 0)
        return;
    int hybrid = strcmp(d->mode, "hybrid") == 0;
    if (strcmp(d->mode, "fee") == 0 || hybrid)
        out->cash = known(d->agreed_price);
    if (strcmp(d->mode, "barter") == 0 || hybrid)
        out->product = known(d->product_value) + known(d->shipping);
    if ((strcmp(d->mode, "commission") == 0 || hybrid) && !isnan(d->commission_rate)) {
        if (r && r->gmv >= 0)
            out->commission = (int64_t)llround((double)r->gmv * d->commission_rate);
        else
            out->commission_unknown = 1;
    }
    if (hybrid && d->bonus > 0 && d->bonus_threshold >= 0 && r) {
        int64_t result = -1;
        if (strcmp(objective, "reach") == 0)
            result = r->impressions >= 0 ? r->impressions : r->views;
        else if (strcmp(objective, "engagement") == 0)
            result = engagements(r);
        else
            result = r->conversions;
        if (result >= d->bonus_threshold)
            out->bonus_reserved = d->bonus;
    }
    out->total = out->cash + out->product + out->commission + out->bonus_reserved;
}

void kw_metrics_add(kw_metrics *m, const kw_cost *c, const kw_deliverable_result *r, int64_t followers)
{
    m->deliverables++;
    m->spend += c->total;
    m->cash += c->cash;
    m->product += c->product;
    m->commission += c->commission;
    m->bonus += c->bonus_reserved;
    add(&m->followers, followers);
    if (!r)
        return;
    add(&m->impressions, r->impressions);
    add(&m->views, r->views);
    add(&m->engagements, engagements(r));
    add(&m->clicks, r->clicks);
    add(&m->conversions, r->conversions);
    add(&m->gmv, r->gmv);
}

void kw_metrics_merge(kw_metrics *a, const kw_metrics *b)
{
    a->deliverables += b->deliverables;
    a->spend += b->spend;
    a->cash += b->cash;
    a->product += b->product;
    a->commission += b->commission;
    a->bonus += b->bonus;
    add(&a->impressions, b->impressions);
    add(&a->views, b->views);
    add(&a->engagements, b->engagements);
    add(&a->clicks, b->clicks);
    add(&a->conversions, b->conversions);
    add(&a->gmv, b->gmv);
    add(&a->followers, b->followers);
}

static int64_t per(int64_t spend, int64_t n, double scale)
{
    return n > 0 ? (int64_t)llround((double)spend * scale / (double)n) : -1;
}

void kw_metrics_ratios(const kw_metrics *m, kw_ratios *out)
{
    int64_t imp = m->impressions > 0 ? m->impressions : m->views;
    out->cpm = per(m->spend, imp, 1000.0);
    out->cpe = per(m->spend, m->engagements, 1.0);
    out->cpc = per(m->spend, m->clicks, 1.0);
    out->cpa = per(m->spend, m->conversions, 1.0);
    out->roi = m->spend > 0 && m->gmv >= 0 ? (double)m->gmv / (double)m->spend : NAN;
    out->roi_net = m->spend > 0 && m->gmv >= 0 ? (double)(m->gmv - m->spend) / (double)m->spend : NAN;
    out->engagement_rate = m->followers > 0 && m->engagements >= 0
                               ? (double)m->engagements / (double)m->followers
                               : NAN;
}
