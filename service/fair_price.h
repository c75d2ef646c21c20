/*
 * Fair price: a quote's expected CPM and CPE against the median of the
 * team's own past results for the same platform, tier and deliverable.
 */
#ifndef KOLWATCH_SERVICE_FAIR_PRICE_H
#define KOLWATCH_SERVICE_FAIR_PRICE_H

#include "cli.h"

#include "kolwatch/registry.h"
#include "kolwatch/store.h"

typedef struct fair_price fair_price;

/* Gather past results (deliverables with spend and a latest result). */
int fair_price_load(kw_cli *cli, kw_store *s, fair_price **out);
void fair_price_free(fair_price *fp);

typedef struct fair_quote {
    char tier[32];           /* "" when the account's followers are unknown */
    kw_expected expected;    /* given figures, else estimated from the account */
    kw_cost cost;            /* in the quote's currency */
    int64_t cpm, cpe;        /* -1 unknown */
    int64_t benchmark_cpm, benchmark_cpe; /* -1 when no past results compare */
    int64_t benchmark_n;     /* how many past results the medians rest on */
    double above_pct;        /* CPM over its benchmark, in %; NAN unknown */
    double above_cpe_pct;
    int flagged;             /* above the benchmark by more than the margin */
} fair_quote;

/* Judge quote q with expected figures e (fields -1 to estimate). */
void fair_price_judge(const fair_price *fp, kw_store *s, const kw_quote *q,
                      const kw_expected *e, fair_quote *out);

#endif
