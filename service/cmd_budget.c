/*
 * `kolwatch budget CAMPAIGN`: which candidates the campaign can afford.
 * Every candidate is costed in the campaign's currency under its
 * cooperation mode, valued by the objective, judged against past results,
 * and the exact optimiser picks the plan.
 */
#include "cli.h"
#include "json_out.h"
#include "cli_args.h"
#include "fair_price.h"

#include "kolwatch/budget.h"
#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/platform.h"
#include "kolwatch/registry.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch budget CAMPAIGN [--budget AMOUNT] [--objective reach|engagement|\n"
    "         conversions] [--max-per-partner N] [--max-per-platform N]\n"
    "         [--rate CUR=RATE]... [--time-limit 2s] [--format table|json|csv]\n\n"
    "Compare the campaign's candidates (`campaign candidate add`) against its\n"
    "budget and choose the plan that maximises the objective within it: at most\n"
    "--max-per-partner deliverables per partner (default 1) and --max-per-platform\n"
    "per platform (default no limit). The plan is exact (branch and bound); if\n"
    "--time-limit runs out first it is the best found, with \"optimal\":false and\n"
    "the proven upper bound. Equal plans: the cheaper, then lower quote ids.\n"
    "Costs follow each quote's mode (fee: net price; barter: product value plus\n"
    "shipping; commission: rate x expected GMV; hybrid: fee plus commission plus\n"
    "the bonus, reserved). A quote in another currency than the budget needs\n"
    "--rate CUR=RATE (1 CUR in the budget's currency). Expected figures not given\n"
    "are estimated from the partner's account and marked \"estimated\".\n"
    "The table says why each candidate was taken or left out.\n";

static const char *const objectives[] = {"reach", "engagement", "conversions", NULL};

typedef struct cand {
    kw_deliverable d;
    kw_quote q;
    kw_partner p;
    fair_quote fair;
    int64_t cost;          /* campaign currency */
    int64_t value;
    int64_t cpm, cpe, bench_cpm; /* campaign currency, -1 unknown */
} cand;


static int platform_index(const char *p)
{
    for (int i = 0; kw_platforms[i]; i++)
        if (strcmp(kw_platforms[i], p) == 0)
            return i;
    return -1;
}

/* Convert a per-unit figure from the quote's currency, keeping -1. */
static int64_t convert_or_unknown(const kw_rates *r, int64_t v, const char *cur)
{
    int64_t out;
    if (v < 0 || kw_money_convert(r, v, cur, &out))
        return -1;
    return out;
}

static void csv_field(const char *v, int last)
{
    if (strpbrk(v, ",\"\n")) {
        putchar('"');
        for (; *v; v++) {
            if (*v == '"')
                putchar('"');
            putchar(*v);
        }
        putchar('"');
    } else {
        fputs(v, stdout);
    }
    putchar(last ? '\n' : ',');
}

int cmd_budget(kw_cli *cli, int argc, char **argv)
{
    enum { O_BUDGET = 1, O_OBJ, O_MPP, O_MPL, O_RATE, O_TIME, O_FORMAT, O_HELP };
    static const struct option opts[] = {
        {"budget", required_argument, 0, O_BUDGET}, {"objective", required_argument, 0, O_OBJ},
        {"max-per-partner", required_argument, 0, O_MPP},
        {"max-per-platform", required_argument, 0, O_MPL},
        {"rate", required_argument, 0, O_RATE},     {"time-limit", required_argument, 0, O_TIME},
        {"format", required_argument, 0, O_FORMAT}, {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    const char *budget_text = NULL, *objective = NULL, *format = NULL;
    const char *rates_text[KW_MAX_RATES];
    int n_rates = 0, c, rc = EXIT_OK;
    int64_t mpp = 1, mpl = 0, time_limit = 2, campaign_id;
    kw_budget_limits lim;
    kw_store *s = NULL;
    kw_campaign camp;
    kw_deliverable *ds = NULL;
    cand *cs = NULL;
    kw_budget_item *items = NULL;
    kw_budget_plan *plan = NULL;
    fair_price *fp = NULL;
    size_t nd = 0, n = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        switch (c) {
        case O_BUDGET: budget_text = optarg; break;
        case O_OBJ:
            if (arg_choice("budget", "--objective", optarg, objectives))
                return EXIT_USAGE;
            objective = optarg;
            break;
        case O_MPP:
            if (arg_int("budget", "--max-per-partner", optarg, 0, &mpp))
                return EXIT_USAGE;
            break;
        case O_MPL:
            if (arg_int("budget", "--max-per-platform", optarg, 0, &mpl))
                return EXIT_USAGE;
            break;
        case O_RATE:
            if (n_rates == KW_MAX_RATES)
                return cli_usage_error("budget", "at most %d --rate", KW_MAX_RATES);
            rates_text[n_rates++] = optarg;
            break;
        case O_TIME:
            if (kw_duration_parse(&time_limit, optarg))
                return cli_usage_error("budget", "--time-limit: %s", kw_error_last());
            break;
        case O_FORMAT: format = optarg; break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("budget", "%s needs a value", flag);
        default: return cli_usage_error("budget", "unknown option '%s'", flag);
        }
    }
    int fmt = !format ? cli_format(NULL) /* 0 table, 1 json */
              : strcmp(format, "json") == 0 ? 1
              : strcmp(format, "table") == 0 ? 0
              : strcmp(format, "csv") == 0  ? 2
                                            : -1;
    if (fmt < 0)
        return cli_usage_error("budget", "--format takes table, json or csv");
    if (optind + 1 != argc || arg_id("budget", "CAMPAIGN", argv[optind], &campaign_id))
        return optind + 1 != argc ? cli_usage_error("budget", "expected one CAMPAIGN id") : EXIT_USAGE;
    if (mpp > 1000000 || mpl > 1000000)
        return cli_usage_error("budget", "limits over 1000000 make no sense");

    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (kw_store_campaign_get(s, campaign_id, &camp) ||
        kw_store_deliverable_list(s, campaign_id, &ds, &nd) || fair_price_load(cli, s, &fp)) {
        rc = cli_fail("budget: %s", kw_error_last());
        goto cleanup;
    }
    kw_rates rates = {0};
    snprintf(rates.target, sizeof rates.target, "%s", camp.currency);
    for (int i = 0; i < n_rates; i++)
        if (kw_rates_add(&rates, rates_text[i])) {
            rc = cli_usage_error("budget", "%s", kw_error_last());
            goto cleanup;
        }
    if (!objective)
        objective = camp.objective;
    int64_t budget = camp.budget;
    if (budget_text && arg_money("budget", "--budget", budget_text, camp.currency, &budget)) {
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if (!(cs = calloc(nd ? nd : 1, sizeof *cs)) || !(items = calloc(nd ? nd : 1, sizeof *items))) {
        rc = cli_fail("out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nd; i++) {
        cand *k = &cs[n];
        if (strcmp(ds[i].state, "candidate") != 0 || !ds[i].quote_id)
            continue;
        k->d = ds[i];
        if (kw_store_quote_get(s, ds[i].quote_id, &k->q) ||
            kw_store_partner_get(s, ds[i].partner_id, &k->p)) {
            rc = cli_fail("budget: %s", kw_error_last());
            goto cleanup;
        }
        /* The expected GMV is in the campaign's currency; the cost rule
         * works in the quote's, so convert it there first when they differ. */
        kw_expected e = {.reach = ds[i].expected_reach, .engagements = ds[i].expected_engagements,
                         .conversions = ds[i].expected_conversions, .gmv = ds[i].expected_gmv};
        if (e.gmv >= 0 && strcmp(k->q.currency, camp.currency) != 0) {
            kw_rates back = {0};
            int found = 0;
            snprintf(back.target, sizeof back.target, "%s", k->q.currency);
            for (int r = 0; r < rates.n; r++)
                if (strcmp(rates.r[r].code, k->q.currency) == 0) {
                    char spec[40];
                    snprintf(spec, sizeof spec, "%s=%.12g", camp.currency, 1.0 / rates.r[r].rate);
                    found = kw_rates_add(&back, spec) == 0;
                }
            if (!found || kw_money_convert(&back, e.gmv, camp.currency, &e.gmv))
                e.gmv = -1;
        }
        fair_price_judge(fp, s, &k->q, &e, &k->fair);
        if (kw_money_convert(&rates, k->fair.cost.total, k->q.currency, &k->cost)) {
            rc = cli_fail("budget: quote %lld: %s", (long long)k->q.id, kw_error_last());
            goto cleanup;
        }
        int64_t v = strcmp(objective, "reach") == 0        ? k->fair.expected.reach
                    : strcmp(objective, "engagement") == 0 ? k->fair.expected.engagements
                                                           : k->fair.expected.conversions;
        k->value = v > 0 ? v : 0;
        k->cpm = kw_cpm(k->cost, k->fair.expected.reach);
        k->cpe = kw_cpe(k->cost, k->fair.expected.engagements);
        k->bench_cpm = convert_or_unknown(&rates, k->fair.benchmark_cpm, k->q.currency);
        items[n] = (kw_budget_item){.quote_id = k->q.id, .partner_id = k->q.partner_id,
                                    .platform = platform_index(k->q.platform),
                                    .cost = k->cost, .value = k->value};
        n++;
    }
    kw_budget_limits_default(&lim);
    lim.budget = budget;
    lim.max_per_partner = (int)mpp;
    lim.max_per_platform = (int)mpl;
    lim.time_limit = (double)time_limit;
    if (n > 0 && kw_budget_optimise(&plan, items, n, &lim)) {
        rc = cli_fail("budget: %s", kw_error_last());
        goto cleanup;
    }

    if (fmt == 1) {
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *pl = cJSON_CreateObject();
        cJSON *sel = cJSON_CreateArray();
        cJSON_AddNumberToObject(o, "campaign", (double)camp.id);
        cJSON_AddStringToObject(o, "currency", camp.currency);
        cJSON_AddNumberToObject(o, "budget", (double)budget);
        cJSON_AddStringToObject(o, "objective", objective);
        for (size_t i = 0; i < n; i++) {
            cand *k = &cs[i];
            cJSON *ci = cJSON_CreateObject();
            cJSON_AddNumberToObject(ci, "quote_id", (double)k->q.id);
            cJSON_AddStringToObject(ci, "partner", k->p.name);
            cJSON_AddStringToObject(ci, "platform", k->q.platform);
            cJSON_AddStringToObject(ci, "deliverable", k->q.deliverable);
            cJSON_AddStringToObject(ci, "mode", k->q.mode);
            cJSON_AddNumberToObject(ci, "expected_cost", (double)k->cost);
            cJSON_AddItemToObject(ci, "expected_reach", jnum(k->fair.expected.reach));
            cJSON_AddItemToObject(ci, "expected_engagements", jnum(k->fair.expected.engagements));
            cJSON_AddItemToObject(ci, "expected_conversions", jnum(k->fair.expected.conversions));
            cJSON_AddItemToObject(ci, "cpm", jnum(k->cpm));
            cJSON_AddItemToObject(ci, "cpe", jnum(k->cpe));
            cJSON_AddItemToObject(ci, "benchmark_cpm", jnum(k->bench_cpm));
            cJSON_AddItemToObject(ci, "above_benchmark_pct",
                                  isnan(k->fair.above_pct) ? cJSON_CreateNull()
                                                           : cJSON_CreateNumber(k->fair.above_pct));
            cJSON_AddBoolToObject(ci, "over_budget", k->cost > budget);
            cJSON_AddBoolToObject(ci, "reach_estimated", k->fair.expected.reach_estimated);
            cJSON_AddBoolToObject(ci, "engagements_estimated", k->fair.expected.engagements_estimated);
            cJSON_AddBoolToObject(ci, "commission_unknown", k->fair.cost.commission_unknown);
            cJSON_AddBoolToObject(ci, "selected", plan && plan->reasons[i] == KW_BUDGET_SELECTED);
            cJSON_AddStringToObject(ci, "reason", plan ? kw_budget_reason_name(plan->reasons[i]) : "");
            cJSON_AddItemToArray(arr, ci);
        }
        cJSON_AddItemToObject(o, "candidates", arr);
        for (size_t i = 0; plan && i < plan->n_selected; i++)
            cJSON_AddItemToArray(sel, cJSON_CreateNumber((double)items[plan->selected[i]].quote_id));
        cJSON_AddItemToObject(pl, "selected", sel);
        cJSON_AddNumberToObject(pl, "total_cost", plan ? (double)plan->total_cost : 0);
        cJSON_AddNumberToObject(pl, "objective_value", plan ? (double)plan->value : 0);
        cJSON_AddNumberToObject(pl, "remaining", plan ? (double)plan->remaining : (double)budget);
        cJSON_AddBoolToObject(pl, "optimal", plan ? plan->optimal : 1);
        cJSON_AddNumberToObject(pl, "upper_bound", plan ? (double)plan->upper_bound : 0);
        cJSON_AddItemToObject(o, "plan", pl);
        char *t = cJSON_PrintUnformatted(o);
        puts(t ? t : "");
        free(t);
        cJSON_Delete(o);
    } else if (fmt == 2) {
        const char *head[] = {"quote_id", "partner", "platform", "deliverable", "mode",
                              "expected_cost", "expected_reach", "expected_engagements",
                              "expected_conversions", "cpm", "cpe", "benchmark_cpm",
                              "above_benchmark_pct", "over_budget", "selected", "reason"};
        for (size_t h = 0; h < 16; h++)
            csv_field(head[h], h == 15);
        for (size_t i = 0; i < n; i++) {
            cand *k = &cs[i];
            char b[12][40];
            int64_t v[] = {k->q.id, k->cost, k->fair.expected.reach, k->fair.expected.engagements,
                           k->fair.expected.conversions, k->cpm, k->cpe, k->bench_cpm};
            for (int j = 0; j < 8; j++) {
                b[j][0] = '\0';
                if (v[j] >= 0)
                    snprintf(b[j], sizeof b[j], "%lld", (long long)v[j]);
            }
            csv_field(b[0], 0);
            csv_field(k->p.name, 0);
            csv_field(k->q.platform, 0);
            csv_field(k->q.deliverable, 0);
            csv_field(k->q.mode, 0);
            for (int j = 1; j < 8; j++)
                csv_field(b[j], 0);
            b[8][0] = '\0';
            if (!isnan(k->fair.above_pct))
                snprintf(b[8], sizeof b[8], "%.1f", k->fair.above_pct);
            csv_field(b[8], 0);
            csv_field(k->cost > budget ? "true" : "false", 0);
            csv_field(plan && plan->reasons[i] == KW_BUDGET_SELECTED ? "true" : "false", 0);
            csv_field(plan ? kw_budget_reason_name(plan->reasons[i]) : "", 1);
        }
    } else {
        char bt[32], tc[32], rem[32];
        kw_money_format(bt, sizeof bt, budget, camp.currency);
        printf("campaign %lld \"%s\": budget %s %s, objective %s, %zu candidate%s\n",
               (long long)camp.id, camp.name, bt, camp.currency, objective, n, n == 1 ? "" : "s");
        printf("%-6s %-16s %-12s %-12s %-10s %14s %12s %10s %-10s %s\n", "QUOTE", "PARTNER",
               "PLATFORM", "DELIVERABLE", "MODE", "COST", "VALUE", "CPM", "VS PAST", "DECISION");
        for (size_t i = 0; i < n; i++) {
            cand *k = &cs[i];
            char cost[32], cpm[32] = "-", past[32] = "-", val[32];
            kw_money_format(cost, sizeof cost, k->cost, camp.currency);
            if (k->cpm >= 0)
                kw_money_format(cpm, sizeof cpm, k->cpm, camp.currency);
            if (!isnan(k->fair.above_pct))
                snprintf(past, sizeof past, "%+.0f%%%s", k->fair.above_pct, k->fair.flagged ? "!" : "");
            snprintf(val, sizeof val, "%lld%s", (long long)k->value,
                     (strcmp(objective, "reach") == 0 && k->fair.expected.reach_estimated) ||
                             (strcmp(objective, "engagement") == 0 && k->fair.expected.engagements_estimated)
                         ? "~" : "");
            char name[512];
            printf("%-6lld %s %-12s %-12s %-10s %14s %12s %10s %-10s %s\n", (long long)k->q.id,
                   cli_cell(name, sizeof name, k->p.name, -1, 16, 0), k->q.platform,
                   k->q.deliverable, k->q.mode, cost, val, cpm, past,
                   plan ? kw_budget_reason_name(plan->reasons[i]) : "-");
        }
        kw_money_format(tc, sizeof tc, plan ? plan->total_cost : 0, camp.currency);
        kw_money_format(rem, sizeof rem, plan ? plan->remaining : budget, camp.currency);
        printf("plan: %zu selected, cost %s, %s %lld, %s left; %s\n",
               plan ? plan->n_selected : 0, tc, objective, plan ? (long long)plan->value : 0LL, rem,
               !plan || plan->optimal ? "proven optimal"
                                      : "time limit reached (best found; bound below)");
        if (plan && !plan->optimal)
            printf("upper bound on %s: %lld\n", objective, (long long)plan->upper_bound);
        printf("(~ = estimated from the account; ! = above past results by more than the margin)\n");
    }
cleanup:
    kw_budget_plan_free(plan);
    fair_price_free(fp);
    free(items);
    free(cs);
    free(ds);
    kw_store_free(s);
    return rc;
}
