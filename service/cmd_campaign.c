/* `kolwatch campaign ...`: campaigns, candidates, deliverables, results. */
#include "campaign_figures.h"
#include "cli.h"
#include "json_out.h"
#include "cli_args.h"

#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  kolwatch campaign add --brand B --name N --objective reach|engagement|conversions\n"
    "                        --budget AMOUNT [--currency CNY] [--start DATE --end DATE]\n"
    "  kolwatch campaign list [--format table|json]\n"
    "  kolwatch campaign show CAMPAIGN [--format table|json]\n"
    "  kolwatch campaign candidate add CAMPAIGN QUOTE_ID [EXPECTED]\n"
    "  kolwatch campaign deliverable add CAMPAIGN QUOTE_ID [--price AMOUNT] [EXPECTED]\n"
    "  kolwatch campaign deliverable set DELIVERABLE_ID --state contracted|published|paid\n"
    "                        [--post-url URL] [--at TIME]\n"
    "  kolwatch campaign result add DELIVERABLE_ID [--impressions N] [--views N]\n"
    "                        [--likes N] [--comments N] [--shares N] [--saves N]\n"
    "                        [--clicks N] [--conversions N] [--gmv AMOUNT] [--at TIME]\n"
    "  kolwatch campaign results CAMPAIGN [--by deliverable|partner|platform|campaign]\n"
    "                        [--format table|json]\n\n"
    "EXPECTED: [--expected-reach N] [--expected-engagements N]\n"
    "          [--expected-conversions N] [--expected-gmv AMOUNT]\n\n"
    "A candidate is compared in `kolwatch budget`; a deliverable is planned, then\n"
    "contracted, published (with the post URL) and paid, in that order.\n"
    "`deliverable add` on a candidate's quote plans that candidate. Money is in\n"
    "the campaign's currency. A published post is tracked as an html source (see\n"
    "`kolwatch source list`). Results are snapshots: the latest counts. Spend =\n"
    "cash + product + commission (rate x GMV) + a hybrid bonus once earned;\n"
    "CPM, CPE, CPC, CPA, ROI (GMV / spend) and engagement rate follow from it.\n";

static const char *const objectives[] = {"reach", "engagement", "conversions", NULL};
static const char *const forward_states[] = {"contracted", "published", "paid", NULL};
static const char *const groupings[] = {"deliverable", "partner", "platform", "campaign", NULL};
static const char *const state_order[] = {"candidate", "planned", "contracted", "published",
                                          "paid", NULL};

enum { O_BRAND = 1, O_NAME, O_OBJ, O_BUDGET, O_CUR, O_START, O_END, O_ER, O_EE, O_EC, O_EG,
       O_PRICE, O_STATE, O_POST, O_AT, O_IMP, O_VIEWS, O_LIKES, O_COMMENTS, O_SHARES, O_SAVES,
       O_CLICKS, O_CONV, O_GMV, O_BY, O_FORMAT, O_HELP };

static const struct option opts[] = {
    {"brand", required_argument, 0, O_BRAND},   {"name", required_argument, 0, O_NAME},
    {"objective", required_argument, 0, O_OBJ}, {"budget", required_argument, 0, O_BUDGET},
    {"currency", required_argument, 0, O_CUR},  {"start", required_argument, 0, O_START},
    {"end", required_argument, 0, O_END},
    {"expected-reach", required_argument, 0, O_ER},
    {"expected-engagements", required_argument, 0, O_EE},
    {"expected-conversions", required_argument, 0, O_EC},
    {"expected-gmv", required_argument, 0, O_EG},
    {"price", required_argument, 0, O_PRICE},   {"state", required_argument, 0, O_STATE},
    {"post-url", required_argument, 0, O_POST}, {"at", required_argument, 0, O_AT},
    {"impressions", required_argument, 0, O_IMP}, {"views", required_argument, 0, O_VIEWS},
    {"likes", required_argument, 0, O_LIKES},   {"comments", required_argument, 0, O_COMMENTS},
    {"shares", required_argument, 0, O_SHARES}, {"saves", required_argument, 0, O_SAVES},
    {"clicks", required_argument, 0, O_CLICKS}, {"conversions", required_argument, 0, O_CONV},
    {"gmv", required_argument, 0, O_GMV},       {"by", required_argument, 0, O_BY},
    {"format", required_argument, 0, O_FORMAT}, {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0}};

typedef struct args {
    const char *brand, *budget, *currency, *expected_gmv, *price, *state, *post_url, *gmv,
        *by, *format;
    kw_campaign camp;
    kw_deliverable deliv;
    kw_deliverable_result result;
    int64_t at;
} args;

static int state_rank(const char *s)
{
    for (int i = 0; state_order[i]; i++)
        if (strcmp(state_order[i], s) == 0)
            return i;
    return -1;
}


static cJSON *campaign_json(const kw_campaign *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddNumberToObject(o, "brand_id", (double)c->brand_id);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "objective", c->objective);
    cJSON_AddNumberToObject(o, "budget", (double)c->budget);
    cJSON_AddStringToObject(o, "currency", c->currency);
    cJSON_AddItemToObject(o, "start", jdate(c->start_date));
    cJSON_AddItemToObject(o, "end", jdate(c->end_date));
    return o;
}

static cJSON *deliverable_json(const kw_deliverable *d, const deliverable_figures *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)d->id);
    cJSON_AddNumberToObject(o, "quote_id", (double)d->quote_id);
    cJSON_AddNumberToObject(o, "partner_id", (double)d->partner_id);
    cJSON_AddStringToObject(o, "platform", d->platform);
    cJSON_AddStringToObject(o, "deliverable", d->deliverable);
    cJSON_AddStringToObject(o, "mode", d->mode);
    cJSON_AddStringToObject(o, "state", d->state);
    cJSON_AddItemToObject(o, "agreed_price", jnum(d->agreed_price));
    cJSON_AddItemToObject(o, "expected_reach", jnum(d->expected_reach));
    cJSON_AddItemToObject(o, "expected_engagements", jnum(d->expected_engagements));
    cJSON_AddItemToObject(o, "expected_conversions", jnum(d->expected_conversions));
    cJSON_AddItemToObject(o, "expected_gmv", jnum(d->expected_gmv));
    cJSON_AddItemToObject(o, "post_url", jstr(d->post_url));
    cJSON_AddItemToObject(o, "published_at", jtime(d->published_at));
    cJSON_AddItemToObject(o, "paid_at", jtime(d->paid_at));
    if (f)
        figures_json(o, &f->metrics);
    return o;
}


static int do_add(kw_store *s, args *a)
{
    kw_brand *b = NULL;
    int64_t id;
    if (kw_store_brand_find(s, a->brand, &b))
        return cli_fail("campaign add: %s", kw_error_last());
    a->camp.brand_id = b->id;
    kw_brand_free(b);
    if (kw_store_campaign_add(s, &a->camp, &id))
        return cli_fail("campaign add: %s", kw_error_last());
    printf("%lld\n", (long long)id);
    return EXIT_OK;
}

static int do_list(kw_store *s, int json)
{
    kw_campaign *list = NULL;
    size_t n = 0;
    if (kw_store_campaign_list(s, &list, &n))
        return cli_fail("campaign list: %s", kw_error_last());
    if (json) {
        cJSON *items = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(items, campaign_json(&list[i]));
        jprint_items(items);
    } else {
        printf("%-6s %-28s %-12s %16s\n", "ID", "NAME", "OBJECTIVE", "BUDGET");
        for (size_t i = 0; i < n; i++) {
            char m[32];
            kw_money_format(m, sizeof m, list[i].budget, list[i].currency);
            char name[512];
            printf("%-6lld %s %-12s %12s %s\n", (long long)list[i].id,
                   cli_cell(name, sizeof name, list[i].name, -1, 28, 0), list[i].objective, m,
                   list[i].currency);
        }
    }
    free(list);
    return EXIT_OK;
}

/* Group key of a deliverable for `results --by`. */
static void group_key(const char *by, const kw_deliverable *d, char *key, size_t size)
{
    if (strcmp(by, "partner") == 0)
        snprintf(key, size, "%lld", (long long)d->partner_id);
    else if (strcmp(by, "platform") == 0)
        snprintf(key, size, "%s", d->platform);
    else if (strcmp(by, "campaign") == 0)
        snprintf(key, size, "%lld", (long long)d->campaign_id);
    else
        snprintf(key, size, "%lld", (long long)d->id);
}

static int do_show(kw_store *s, int64_t id, int json, const char *by)
{
    kw_campaign camp;
    kw_deliverable *ds = NULL;
    deliverable_figures *fs = NULL;
    size_t n = 0;
    int rc = EXIT_OK;
    if (kw_store_campaign_get(s, id, &camp) || kw_store_deliverable_list(s, id, &ds, &n))
        return cli_fail("campaign: %s", kw_error_last());
    if (!(fs = calloc(n ? n : 1, sizeof *fs))) {
        free(ds);
        return cli_fail("out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (figures_deliverable(s, &ds[i], camp.objective, &fs[i])) {
            rc = cli_fail("campaign: %s", kw_error_last());
            goto done;
        }
    kw_metrics total;
    kw_metrics_init(&total);
    for (size_t i = 0; i < n; i++)
        kw_metrics_merge(&total, &fs[i].metrics);

    if (!by) { /* show */
        cJSON *o = campaign_json(&camp), *items = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(items, deliverable_json(&ds[i], &fs[i]));
        cJSON_AddItemToObject(o, "deliverables", items);
        cJSON *tot = cJSON_CreateObject();
        figures_json(tot, &total);
        cJSON_AddItemToObject(o, "totals", tot);
        if (json) {
            jprint(o);
        } else {
            char m[32], sp[32];
            kw_money_format(m, sizeof m, camp.budget, camp.currency);
            kw_money_format(sp, sizeof sp, total.spend, camp.currency);
            printf("campaign %lld: %s (objective %s, budget %s %s, spent %s)\n",
                   (long long)camp.id, camp.name, camp.objective, m, camp.currency, sp);
            printf("%-6s %-6s %-8s %-12s %-12s %-10s %-11s %14s\n", "ID", "QUOTE", "PARTNER",
                   "PLATFORM", "DELIVERABLE", "MODE", "STATE", "SPEND");
            for (size_t i = 0; i < n; i++) {
                kw_money_format(sp, sizeof sp, fs[i].cost.total, camp.currency);
                printf("%-6lld %-6lld %-8lld %-12s %-12s %-10s %-11s %14s\n",
                       (long long)ds[i].id, (long long)ds[i].quote_id, (long long)ds[i].partner_id,
                       ds[i].platform, ds[i].deliverable, ds[i].mode, ds[i].state, sp);
            }
            cJSON_Delete(o);
        }
        goto done;
    }
    /* results --by: merge per key, in first-seen order. */
    cJSON *groups = cJSON_CreateArray();
    kw_metrics *gm = calloc(n ? n : 1, sizeof *gm);
    char (*keys)[64] = calloc(n ? n : 1, sizeof *keys);
    size_t ng = 0;
    for (size_t i = 0; gm && keys && i < n; i++) {
        char key[64];
        size_t g = 0;
        group_key(by, &ds[i], key, sizeof key);
        while (g < ng && strcmp(keys[g], key) != 0)
            g++;
        if (g == ng) {
            snprintf(keys[ng], sizeof keys[0], "%s", key);
            kw_metrics_init(&gm[ng++]);
        }
        kw_metrics_merge(&gm[g], &fs[i].metrics);
    }
    if (strcmp(by, "campaign") == 0 && ng == 0) {
        snprintf(keys[0], sizeof keys[0], "%lld", (long long)camp.id);
        gm[0] = total;
        ng = 1;
    }
    for (size_t g = 0; g < ng; g++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "by", by);
        if (strcmp(by, "platform") == 0)
            cJSON_AddStringToObject(o, "key", keys[g]);
        else
            cJSON_AddNumberToObject(o, "key", strtod(keys[g], NULL));
        cJSON_AddNumberToObject(o, "deliverables", (double)gm[g].deliverables);
        figures_json(o, &gm[g]);
        cJSON_AddItemToArray(groups, o);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "campaign", (double)camp.id);
        cJSON_AddStringToObject(o, "currency", camp.currency);
        cJSON_AddItemToObject(o, "items", groups);
        cJSON_AddNullToObject(o, "next_cursor");
        jprint(o);
    } else {
        printf("%-14s %5s %12s %10s %10s %10s %10s %8s %8s\n", strcmp(by, "platform") ? "ID" : "PLATFORM",
               "N", "SPEND", "CPM", "CPE", "CPC", "CPA", "ROI", "ER");
        for (size_t g = 0; g < ng; g++) {
            kw_ratios r;
            char sp[32], cpm[32] = "-", cpe[32] = "-", cpc[32] = "-", cpa[32] = "-";
            kw_metrics_ratios(&gm[g], &r);
            kw_money_format(sp, sizeof sp, gm[g].spend, camp.currency);
            if (r.cpm >= 0)
                kw_money_format(cpm, sizeof cpm, r.cpm, camp.currency);
            if (r.cpe >= 0)
                kw_money_format(cpe, sizeof cpe, r.cpe, camp.currency);
            if (r.cpc >= 0)
                kw_money_format(cpc, sizeof cpc, r.cpc, camp.currency);
            if (r.cpa >= 0)
                kw_money_format(cpa, sizeof cpa, r.cpa, camp.currency);
            printf("%-14s %5lld %12s %10s %10s %10s %10s %8.2f %7.2f%%\n", keys[g],
                   (long long)gm[g].deliverables, sp, cpm, cpe, cpc, cpa,
                   isnan(r.roi) ? 0.0 : r.roi,
                   isnan(r.engagement_rate) ? 0.0 : 100 * r.engagement_rate);
        }
        cJSON_Delete(groups);
    }
    free(gm);
    free(keys);
done:
    free(fs);
    free(ds);
    return rc;
}

static int do_deliverable_add(kw_store *s, args *a, int is_candidate)
{
    kw_campaign camp;
    kw_deliverable existing;
    int64_t id;
    if (kw_store_campaign_get(s, a->deliv.campaign_id, &camp))
        return cli_fail("campaign: %s", kw_error_last());
    if (a->expected_gmv &&
        arg_money("campaign", "--expected-gmv", a->expected_gmv, camp.currency, &a->deliv.expected_gmv))
        return EXIT_USAGE;
    if (a->price && arg_money("campaign", "--price", a->price, camp.currency, &a->deliv.agreed_price))
        return EXIT_USAGE;
    snprintf(a->deliv.state, sizeof a->deliv.state, "%s", is_candidate ? "candidate" : "planned");
    int rc = kw_store_deliverable_find(s, a->deliv.campaign_id, a->deliv.quote_id, &existing);
    if (rc == 0 && !is_candidate && strcmp(existing.state, "candidate") == 0) {
        /* Plan the candidate, keeping what it had unless given anew. */
        snprintf(existing.state, sizeof existing.state, "planned");
        if (a->deliv.agreed_price >= 0)
            existing.agreed_price = a->deliv.agreed_price;
        if (a->deliv.expected_reach >= 0)
            existing.expected_reach = a->deliv.expected_reach;
        if (a->deliv.expected_engagements >= 0)
            existing.expected_engagements = a->deliv.expected_engagements;
        if (a->deliv.expected_conversions >= 0)
            existing.expected_conversions = a->deliv.expected_conversions;
        if (a->deliv.expected_gmv >= 0)
            existing.expected_gmv = a->deliv.expected_gmv;
        if (kw_store_deliverable_update(s, &existing))
            return cli_fail("campaign deliverable add: %s", kw_error_last());
        printf("%lld\n", (long long)existing.id);
        return EXIT_OK;
    }
    if (kw_store_deliverable_add(s, &a->deliv, &id))
        return cli_fail("campaign %s add: %s", is_candidate ? "candidate" : "deliverable",
                        kw_error_last());
    printf("%lld\n", (long long)id);
    return EXIT_OK;
}

static int do_deliverable_set(kw_store *s, int64_t id, args *a)
{
    kw_deliverable d;
    if (kw_store_deliverable_get(s, id, &d))
        return cli_fail("campaign deliverable set: %s", kw_error_last());
    int from = state_rank(d.state), to = state_rank(a->state);
    if (to <= from)
        return cli_fail("campaign deliverable set: deliverable %lld is %s; it can only move on "
                        "(planned, contracted, published, paid)", (long long)id, d.state);
    if (from == 0)
        return cli_fail("campaign deliverable set: deliverable %lld is a candidate; plan it "
                        "first with `campaign deliverable add %lld %lld`", (long long)id,
                        (long long)d.campaign_id, (long long)d.quote_id);
    int64_t at = a->at != KW_TIME_NONE ? a->at : kw_time_now();
    if (to >= state_rank("published")) {
        if (a->post_url)
            snprintf(d.post_url, sizeof d.post_url, "%s", a->post_url);
        if (!d.post_url[0])
            return cli_usage_error("campaign", "a published deliverable needs --post-url");
        if (d.published_at == KW_TIME_NONE)
            d.published_at = at;
    }
    if (to == state_rank("paid"))
        d.paid_at = at;
    snprintf(d.state, sizeof d.state, "%s", a->state);
    if (kw_store_deliverable_update(s, &d))
        return cli_fail("campaign deliverable set: %s", kw_error_last());
    if (to >= state_rank("published")) {
        /* Track the published post: an html source without rules is read as
         * one article by the crawler, every six hours. */
        kw_source src = {.every_s = 6 * 3600, .enabled = 1};
        int64_t sid;
        snprintf(src.kind, sizeof src.kind, "html");
        snprintf(src.url, sizeof src.url, "%s", d.post_url);
        snprintf(src.platform, sizeof src.platform, "%s", d.platform);
        if (kw_store_source_find(s, "html", d.post_url, &src) == 0)
            return EXIT_OK;
        if (kw_store_source_add(s, &src, &sid))
            return cli_fail("campaign deliverable set: tracking the post: %s", kw_error_last());
        fprintf(stderr, "kolwatch: the post is tracked as source %lld\n", (long long)sid);
    }
    return EXIT_OK;
}

static int do_result_add(kw_store *s, int64_t id, args *a)
{
    kw_deliverable d;
    kw_campaign camp;
    int64_t rid;
    if (kw_store_deliverable_get(s, id, &d) || kw_store_campaign_get(s, d.campaign_id, &camp))
        return cli_fail("campaign result add: %s", kw_error_last());
    if (a->gmv && arg_money("campaign", "--gmv", a->gmv, camp.currency, &a->result.gmv))
        return EXIT_USAGE;
    a->result.deliverable_id = id;
    a->result.recorded_at = a->at;
    if (kw_store_result_add(s, &a->result, &rid))
        return cli_fail("campaign result add: %s", kw_error_last());
    printf("%lld\n", (long long)rid);
    return EXIT_OK;
}

int cmd_campaign(kw_cli *cli, int argc, char **argv)
{
    args a = {.currency = kw_config_str(cli->config, "registry.currency"), .at = KW_TIME_NONE};
    kw_store *s = NULL;
    int c, rc = EXIT_OK;
    a.camp.start_date = a.camp.end_date = KW_TIME_NONE;
    a.deliv.agreed_price = a.deliv.expected_reach = a.deliv.expected_engagements = -1;
    a.deliv.expected_conversions = a.deliv.expected_gmv = -1;
    a.result.impressions = a.result.views = a.result.likes = a.result.comments = -1;
    a.result.shares = a.result.saves = a.result.clicks = a.result.conversions = a.result.gmv = -1;

    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    int two = strcmp(sub, "candidate") == 0 || strcmp(sub, "deliverable") == 0 ||
              strcmp(sub, "result") == 0;
    const char *verb = two && argc > 2 ? argv[2] : "";
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)
        return fputs(usage, stdout), EXIT_OK; /* `campaign deliverable --help` */
    int skip = two ? 2 : 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - skip, argv + skip, ":", opts, NULL)) != -1) {
        const char *flag = (argv + skip)[optind - 1];
        int64_t *count = NULL;
        switch (c) {
        case O_BRAND: a.brand = optarg; break;
        case O_NAME:
            if (kw_store_text_field(a.camp.name, sizeof a.camp.name, optarg, "--name"))
                return cli_usage_error("campaign", "%s", kw_error_last());
            break;
        case O_OBJ:
            if (arg_choice("campaign", "--objective", optarg, objectives))
                return EXIT_USAGE;
            snprintf(a.camp.objective, sizeof a.camp.objective, "%s", optarg);
            break;
        case O_BUDGET: a.budget = optarg; break;
        case O_CUR: a.currency = optarg; break;
        case O_START:
            if (arg_date("campaign", "--start", optarg, &a.camp.start_date))
                return EXIT_USAGE;
            break;
        case O_END:
            if (arg_date("campaign", "--end", optarg, &a.camp.end_date))
                return EXIT_USAGE;
            break;
        case O_ER: count = &a.deliv.expected_reach; break;
        case O_EE: count = &a.deliv.expected_engagements; break;
        case O_EC: count = &a.deliv.expected_conversions; break;
        case O_EG: a.expected_gmv = optarg; break;
        case O_PRICE: a.price = optarg; break;
        case O_STATE:
            if (arg_choice("campaign", "--state", optarg, forward_states))
                return EXIT_USAGE;
            a.state = optarg;
            break;
        case O_POST: a.post_url = optarg; break;
        case O_AT:
            if (arg_date("campaign", "--at", optarg, &a.at))
                return EXIT_USAGE;
            break;
        case O_IMP: count = &a.result.impressions; break;
        case O_VIEWS: count = &a.result.views; break;
        case O_LIKES: count = &a.result.likes; break;
        case O_COMMENTS: count = &a.result.comments; break;
        case O_SHARES: count = &a.result.shares; break;
        case O_SAVES: count = &a.result.saves; break;
        case O_CLICKS: count = &a.result.clicks; break;
        case O_CONV: count = &a.result.conversions; break;
        case O_GMV: a.gmv = optarg; break;
        case O_BY:
            if (arg_choice("campaign", "--by", optarg, groupings))
                return EXIT_USAGE;
            a.by = optarg;
            break;
        case O_FORMAT: a.format = optarg; break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("campaign", "%s needs a value", flag);
        default: return cli_usage_error("campaign", "unknown option '%s'", flag);
        }
        if (count && arg_int("campaign", flag, optarg, 0, count))
            return EXIT_USAGE;
    }
    char **rest = argv + skip + optind;
    int nrest = argc - skip - optind, json = cli_format(a.format);
    int64_t id = 0;
    if (json < 0)
        return cli_usage_error("campaign", "--format takes table or json");

    if (strcmp(sub, "add") == 0) {
        if (nrest)
            return cli_usage_error("campaign", "add takes no arguments");
        if (!a.brand || !a.camp.name[0] || !a.camp.objective[0] || !a.budget)
            return cli_usage_error("campaign", "add needs --brand, --name, --objective and --budget");
        if ((a.camp.start_date == KW_TIME_NONE) != (a.camp.end_date == KW_TIME_NONE))
            return cli_usage_error("campaign", "--start and --end go together");
        if (kw_currency_digits(a.currency) < 0)
            return cli_usage_error("campaign", "--currency: %s", kw_error_last());
        snprintf(a.camp.currency, sizeof a.camp.currency, "%s", a.currency);
        if (arg_money("campaign", "--budget", a.budget, a.currency, &a.camp.budget))
            return EXIT_USAGE;
    } else if (strcmp(sub, "list") == 0) {
        if (nrest)
            return cli_usage_error("campaign", "list takes no arguments");
    } else if (strcmp(sub, "show") == 0 || strcmp(sub, "results") == 0) {
        if (nrest != 1 || arg_id("campaign", "CAMPAIGN", rest[0], &id))
            return nrest != 1 ? cli_usage_error("campaign", "%s takes one CAMPAIGN id", sub) : EXIT_USAGE;
        if (strcmp(sub, "results") == 0 && !a.by)
            a.by = "deliverable";
    } else if ((strcmp(sub, "candidate") == 0 && strcmp(verb, "add") == 0) ||
               (strcmp(sub, "deliverable") == 0 && strcmp(verb, "add") == 0)) {
        if (nrest != 2 || arg_id("campaign", "CAMPAIGN", rest[0], &a.deliv.campaign_id) ||
            arg_id("campaign", "QUOTE_ID", rest[1], &a.deliv.quote_id))
            return nrest != 2 ? cli_usage_error("campaign", "%s add takes CAMPAIGN QUOTE_ID", sub)
                              : EXIT_USAGE;
    } else if ((strcmp(sub, "deliverable") == 0 && strcmp(verb, "set") == 0) ||
               (strcmp(sub, "result") == 0 && strcmp(verb, "add") == 0)) {
        if (nrest != 1 || arg_id("campaign", "DELIVERABLE_ID", rest[0], &id))
            return nrest != 1 ? cli_usage_error("campaign", "%s %s takes one DELIVERABLE_ID", sub, verb)
                              : EXIT_USAGE;
        if (sub[0] == 'd' && !a.state)
            return cli_usage_error("campaign", "deliverable set needs --state");
    } else {
        return cli_usage_error("campaign", "unknown subcommand '%s%s%s'", sub, two ? " " : "", verb);
    }

    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (strcmp(sub, "add") == 0)
        rc = do_add(s, &a);
    else if (strcmp(sub, "list") == 0)
        rc = do_list(s, json);
    else if (strcmp(sub, "show") == 0)
        rc = do_show(s, id, json, NULL);
    else if (strcmp(sub, "results") == 0)
        rc = do_show(s, id, json, a.by);
    else if (strcmp(verb, "add") == 0 && sub[0] != 'r')
        rc = do_deliverable_add(s, &a, sub[0] == 'c');
    else if (strcmp(verb, "set") == 0)
        rc = do_deliverable_set(s, id, &a);
    else
        rc = do_result_add(s, id, &a);
    kw_store_free(s);
    return rc;
}
