/*
 * What a deal costs under its cooperation mode, conversion between
 * currencies at a rate the user gives, expected results and unit costs.
 * All money is integer minor units; no float touches an amount except a
 * rate, and then it is rounded once.
 */
#include "kolwatch/registry.h"
#include "kolwatch/error.h"
#include "kolwatch/money.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int64_t pos(int64_t v) { return v > 0 ? v : 0; }

/* a * r rounded half away from zero, saturating far below INT64_MAX. */
static int64_t scale(int64_t a, double r)
{
    double v = (double)a * r;
    if (v > 9e15)
        return (int64_t)9e15;
    return (int64_t)llround(v);
}

int kw_quote_cost(const kw_quote *q, int64_t expected_gmv, kw_cost *out)
{
    memset(out, 0, sizeof *out);
    int64_t net = q->net_price >= 0 ? q->net_price : q->list_price;
    int64_t product = pos(q->product_value) + pos(q->shipping);
    int commission = strcmp(q->mode, "commission") == 0, hybrid = strcmp(q->mode, "hybrid") == 0;
    if (strcmp(q->mode, "fee") == 0) {
        out->cash = net;
    } else if (strcmp(q->mode, "barter") == 0) {
        out->product = product;
    } else if (commission || hybrid) {
        if (hybrid) {
            out->cash = net;
            out->product = product;
            out->bonus_reserved = pos(q->bonus);
        }
        if (isnan(q->commission_rate) || expected_gmv < 0)
            out->commission_unknown = !isnan(q->commission_rate) && q->commission_rate > 0;
        else
            out->commission = scale(expected_gmv, q->commission_rate);
    } else {
        return kw_error_set(KW_EINVAL, "quote %lld has an unknown mode '%s'",
                            (long long)q->id, q->mode);
    }
    out->total = out->cash + out->product + out->commission + out->bonus_reserved;
    return 0;
}

int kw_rates_add(kw_rates *rates, const char *spec)
{
    const char *eq = spec ? strchr(spec, '=') : NULL;
    char code[8], *end;
    if (!eq || eq - spec != 3)
        return kw_error_set(KW_EINVAL, "--rate takes CUR=RATE (e.g. USD=7.10), not '%.40s'",
                            spec ? spec : "");
    memcpy(code, spec, 3);
    code[3] = '\0';
    if (kw_currency_digits(code) < 0)
        return KW_EINVAL;
    errno = 0;
    double r = strtod(eq + 1, &end);
    if (errno || end == eq + 1 || *end || !(r > 0) || !isfinite(r))
        return kw_error_set(KW_EINVAL, "--rate %s: '%s' is not a positive number", code, eq + 1);
    for (int i = 0; i < rates->n; i++)
        if (strcmp(rates->r[i].code, code) == 0) {
            rates->r[i].rate = r;
            return 0;
        }
    if (rates->n == KW_MAX_RATES)
        return kw_error_set(KW_EINVAL, "more than %d rates", KW_MAX_RATES);
    memcpy(rates->r[rates->n].code, code, 4);
    rates->r[rates->n++].rate = r;
    return 0;
}

int kw_money_convert(const kw_rates *rates, int64_t amount, const char *from, int64_t *out)
{
    if (strcmp(from, rates->target) == 0) {
        *out = amount;
        return 0;
    }
    for (int i = 0; i < rates->n; i++) {
        if (strcmp(rates->r[i].code, from) != 0)
            continue;
        int df = kw_currency_digits(from), dt = kw_currency_digits(rates->target);
        if (df < 0 || dt < 0)
            return KW_EINVAL;
        *out = scale(amount, rates->r[i].rate * pow(10, dt - df));
        return 0;
    }
    return kw_error_set(KW_EINVAL, "an amount in %s against a budget in %s needs a rate: "
                        "add --rate %s=RATE (1 %s in %s)",
                        from, rates->target, from, from, rates->target);
}

void kw_expected_fill(kw_expected *e, const kw_account *a)
{
    if (!a)
        return;
    if (e->reach < 0) {
        if (a->avg_views >= 0)
            e->reach = a->avg_views, e->reach_estimated = 1;
        else if (a->followers >= 0)
            e->reach = a->followers, e->reach_estimated = 1;
    }
    if (e->engagements < 0 && !isnan(a->engagement_rate)) {
        int64_t base = a->followers >= 0 ? a->followers : e->reach;
        if (base >= 0)
            e->engagements = scale(base, a->engagement_rate), e->engagements_estimated = 1;
    }
}

int64_t kw_cpm(int64_t cost, int64_t reach)
{
    if (reach <= 0 || cost < 0)
        return -1;
    return (int64_t)llround((double)cost * 1000.0 / (double)reach);
}

int64_t kw_cpe(int64_t cost, int64_t engagements)
{
    if (engagements <= 0 || cost < 0)
        return -1;
    return (int64_t)llround((double)cost / (double)engagements);
}
