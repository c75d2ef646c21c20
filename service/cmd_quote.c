/* `kolwatch quote add|list`: prices per deliverable, never overwritten. */
#include "cli.h"
#include "json_out.h"
#include "cli_args.h"
#include "fair_price.h"

#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/platform.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  kolwatch quote add PARTNER_ID --platform P --deliverable D --price AMOUNT\n"
    "         [--net AMOUNT] [--currency CNY] [--mode fee|barter|commission|hybrid]\n"
    "         [--product-value AMOUNT] [--shipping AMOUNT] [--commission-rate R]\n"
    "         [--bonus AMOUNT --bonus-threshold N] [--account ACCOUNT_ID]\n"
    "         [--usage-rights TEXT] [--exclusivity TEXT] [--valid-from DATE]\n"
    "         [--valid-until DATE]\n"
    "  kolwatch quote list [--partner PARTNER_ID] [--flagged] [--format table|json]\n\n"
    "--price is the list price (刊例价), --net the price actually paid (净价;\n"
    "default the list price); the rebate (返点) is (list - net) / list. AMOUNT is a\n"
    "decimal in the currency's unit (12000 or 12000.50). Deliverables: note,\n"
    "video_short (1-20 s), video_mid (21-60 s), video_long, live, post, repost,\n"
    "story, article. Modes: fee (cash = net price), barter (product value plus\n"
    "shipping), commission (rate x GMV), hybrid (fee plus commission, with an\n"
    "optional bonus once a result passes --bonus-threshold). A new quote never\n"
    "replaces an old one: `quote list` shows how a partner's price moved.\n\n"
    "Fair price: `quote list` gives each quote's expected CPM and CPE (reach and\n"
    "engagements estimated from the account's average views, followers and\n"
    "engagement rate) against the median of the team's own past results for\n"
    "the same platform, tier and deliverable, and flags a quote above it by more\n"
    "than registry.fair_price_margin (20%); --flagged shows only those.\n";

static const char *const modes[] = {"fee", "barter", "commission", "hybrid", NULL};

enum { O_PLATFORM = 1, O_DELIV, O_PRICE, O_NET, O_CUR, O_MODE, O_PV, O_SHIP, O_CR, O_BONUS,
       O_BT, O_ACCOUNT, O_RIGHTS, O_EXCL, O_FROM, O_UNTIL, O_PARTNER, O_FORMAT, O_FLAGGED, O_HELP };




static void fair_json(cJSON *o, const fair_quote *f)
{
    cJSON_AddItemToObject(o, "tier", jstr(f->tier));
    cJSON_AddItemToObject(o, "expected_reach", jnum(f->expected.reach));
    cJSON_AddItemToObject(o, "expected_engagements", jnum(f->expected.engagements));
    cJSON_AddBoolToObject(o, "reach_estimated", f->expected.reach_estimated);
    cJSON_AddNumberToObject(o, "expected_cost", (double)f->cost.total);
    cJSON_AddItemToObject(o, "cpm", jnum(f->cpm));
    cJSON_AddItemToObject(o, "cpe", jnum(f->cpe));
    cJSON_AddItemToObject(o, "benchmark_cpm", jnum(f->benchmark_cpm));
    cJSON_AddItemToObject(o, "benchmark_cpe", jnum(f->benchmark_cpe));
    cJSON_AddNumberToObject(o, "benchmark_results", (double)f->benchmark_n);
    cJSON_AddItemToObject(o, "above_benchmark_pct", jreal(f->above_pct));
    cJSON_AddItemToObject(o, "above_benchmark_cpe_pct", jreal(f->above_cpe_pct));
    cJSON_AddBoolToObject(o, "flagged", f->flagged);
}

static cJSON *quote_json(const kw_quote *q)
{
    cJSON *o = cJSON_CreateObject();
    char ts[KW_TIME_TEXT];
    int64_t net = q->net_price >= 0 ? q->net_price : q->list_price;
    cJSON_AddNumberToObject(o, "id", (double)q->id);
    cJSON_AddNumberToObject(o, "partner_id", (double)q->partner_id);
    cJSON_AddItemToObject(o, "account_id", q->account_id ? cJSON_CreateNumber((double)q->account_id) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "platform", q->platform);
    cJSON_AddStringToObject(o, "deliverable", q->deliverable);
    cJSON_AddStringToObject(o, "currency", q->currency);
    cJSON_AddStringToObject(o, "mode", q->mode);
    cJSON_AddNumberToObject(o, "list_price", (double)q->list_price);
    cJSON_AddNumberToObject(o, "net_price", (double)net);
    cJSON_AddItemToObject(o, "rebate", q->list_price > 0 ? cJSON_CreateNumber((double)(q->list_price - net) / (double)q->list_price) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "product_value", jnum(q->product_value));
    cJSON_AddItemToObject(o, "shipping", jnum(q->shipping));
    cJSON_AddItemToObject(o, "commission_rate", jreal(q->commission_rate));
    cJSON_AddItemToObject(o, "bonus", jnum(q->bonus));
    cJSON_AddItemToObject(o, "bonus_threshold", jnum(q->bonus_threshold));
    cJSON_AddItemToObject(o, "usage_rights", jstr(q->usage_rights));
    cJSON_AddItemToObject(o, "exclusivity", jstr(q->exclusivity));
    cJSON_AddItemToObject(o, "valid_from", jdate(q->valid_from));
    cJSON_AddItemToObject(o, "valid_until", jdate(q->valid_until));
    kw_time_format(ts, sizeof ts, q->quoted_at);
    cJSON_AddStringToObject(o, "quoted_at", ts);
    return o;
}

int cmd_quote(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, O_PLATFORM}, {"deliverable", required_argument, 0, O_DELIV},
        {"price", required_argument, 0, O_PRICE},       {"net", required_argument, 0, O_NET},
        {"currency", required_argument, 0, O_CUR},      {"mode", required_argument, 0, O_MODE},
        {"product-value", required_argument, 0, O_PV},  {"shipping", required_argument, 0, O_SHIP},
        {"commission-rate", required_argument, 0, O_CR}, {"bonus", required_argument, 0, O_BONUS},
        {"bonus-threshold", required_argument, 0, O_BT}, {"account", required_argument, 0, O_ACCOUNT},
        {"usage-rights", required_argument, 0, O_RIGHTS}, {"exclusivity", required_argument, 0, O_EXCL},
        {"valid-from", required_argument, 0, O_FROM},   {"valid-until", required_argument, 0, O_UNTIL},
        {"partner", required_argument, 0, O_PARTNER},   {"format", required_argument, 0, O_FORMAT},
        {"flagged", no_argument, 0, O_FLAGGED},
        {"help", no_argument, 0, O_HELP},               {0, 0, 0, 0}};
    const char *price = NULL, *net = NULL, *pv = NULL, *ship = NULL, *bonus = NULL, *format = NULL;
    const char *currency = kw_config_str(cli->config, "registry.currency");
    kw_quote q = {.net_price = -1, .product_value = -1, .shipping = -1, .bonus = -1,
                  .bonus_threshold = -1, .commission_rate = NAN, .valid_from = KW_TIME_NONE,
                  .valid_until = KW_TIME_NONE, .quoted_at = KW_TIME_NONE};
    int64_t partner = 0;
    int flagged_only = 0;
    kw_store *s = NULL;
    int c, rc;
    snprintf(q.mode, sizeof q.mode, "fee");
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":", opts, NULL)) != -1) {
        const char *flag = (argv + 1)[optind - 1];
        switch (c) {
        case O_PLATFORM:
            if (arg_choice("quote", "--platform", optarg, kw_platforms))
                return EXIT_USAGE;
            snprintf(q.platform, sizeof q.platform, "%s", optarg);
            break;
        case O_DELIV:
            if (arg_choice("quote", "--deliverable", optarg, kw_deliverables))
                return EXIT_USAGE;
            snprintf(q.deliverable, sizeof q.deliverable, "%s", optarg);
            break;
        case O_PRICE: price = optarg; break;
        case O_NET: net = optarg; break;
        case O_CUR: currency = optarg; break;
        case O_MODE:
            if (arg_choice("quote", "--mode", optarg, modes))
                return EXIT_USAGE;
            snprintf(q.mode, sizeof q.mode, "%s", optarg);
            break;
        case O_PV: pv = optarg; break;
        case O_SHIP: ship = optarg; break;
        case O_CR:
            if (arg_rate("quote", "--commission-rate", optarg, &q.commission_rate))
                return EXIT_USAGE;
            break;
        case O_BONUS: bonus = optarg; break;
        case O_BT:
            if (arg_int("quote", "--bonus-threshold", optarg, 0, &q.bonus_threshold))
                return EXIT_USAGE;
            break;
        case O_ACCOUNT:
            if (arg_id("quote", "--account", optarg, &q.account_id))
                return EXIT_USAGE;
            break;
        case O_RIGHTS: snprintf(q.usage_rights, sizeof q.usage_rights, "%s", optarg); break;
        case O_EXCL: snprintf(q.exclusivity, sizeof q.exclusivity, "%s", optarg); break;
        case O_FROM:
            if (arg_date("quote", "--valid-from", optarg, &q.valid_from))
                return EXIT_USAGE;
            break;
        case O_UNTIL:
            if (arg_date("quote", "--valid-until", optarg, &q.valid_until))
                return EXIT_USAGE;
            break;
        case O_PARTNER:
            if (arg_id("quote", "--partner", optarg, &partner))
                return EXIT_USAGE;
            break;
        case O_FORMAT: format = optarg; break;
        case O_FLAGGED: flagged_only = 1; break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("quote", "%s needs a value", flag);
        default: return cli_usage_error("quote", "unknown option '%s'", flag);
        }
    }
    char **rest = argv + 1 + optind;
    int nrest = argc - 1 - optind, json = cli_format(format);
    if (json < 0)
        return cli_usage_error("quote", "--format takes table or json");
    if (strcmp(sub, "list") == 0) {
        if (nrest)
            return cli_usage_error("quote", "list takes no arguments (use --partner)");
        kw_quote *list = NULL;
        size_t n = 0;
        fair_price *fp = NULL;
        fair_quote *fq = NULL;
        if ((rc = cli_open_store(cli, &s, 0, 0)))
            return rc;
        if (kw_store_quote_list(s, partner, &list, &n) || fair_price_load(cli, s, &fp) ||
            !(fq = calloc(n ? n : 1, sizeof *fq))) {
            rc = cli_fail("quote list: %s", kw_error_last());
            n = 0;
        }
        for (size_t i = 0; i < n; i++) {
            kw_expected none = {.reach = -1, .engagements = -1, .conversions = -1, .gmv = -1};
            fair_price_judge(fp, s, &list[i], &none, &fq[i]);
        }
        if (rc) {
            /* reported above */
        } else if (json) {
            cJSON *o = cJSON_CreateObject(), *items = cJSON_CreateArray();
            for (size_t i = 0; i < n; i++) {
                if (flagged_only && !fq[i].flagged)
                    continue;
                cJSON *qj = quote_json(&list[i]);
                fair_json(qj, &fq[i]);
                cJSON_AddItemToArray(items, qj);
            }
            cJSON_AddItemToObject(o, "items", items);
            cJSON_AddNullToObject(o, "next_cursor");
            char *t = cJSON_PrintUnformatted(o);
            puts(t ? t : "");
            free(t);
            cJSON_Delete(o);
        } else {
            printf("%-6s %-8s %-12s %-12s %-10s %14s %14s %7s  %-20s %s\n", "ID", "PARTNER",
                   "PLATFORM", "DELIVERABLE", "MODE", "LIST", "NET", "REBATE", "QUOTED", "FAIR PRICE");
            for (size_t i = 0; i < n; i++) {
                if (flagged_only && !fq[i].flagged)
                    continue;
                char l[32], nt[32], ts[KW_TIME_TEXT];
                int64_t nv = list[i].net_price >= 0 ? list[i].net_price : list[i].list_price;
                kw_money_format(l, sizeof l, list[i].list_price, list[i].currency);
                kw_money_format(nt, sizeof nt, nv, list[i].currency);
                kw_time_format(ts, sizeof ts, list[i].quoted_at);
                char fair[96] = "no past results";
                if (!isnan(fq[i].above_pct))
                    snprintf(fair, sizeof fair, "%sCPM %+.0f%% vs median of %lld", fq[i].flagged ? "FLAG " : "",
                             fq[i].above_pct, (long long)fq[i].benchmark_n);
                else if (!isnan(fq[i].above_cpe_pct))
                    snprintf(fair, sizeof fair, "%sCPE %+.0f%% vs median of %lld", fq[i].flagged ? "FLAG " : "",
                             fq[i].above_cpe_pct, (long long)fq[i].benchmark_n);
                printf("%-6lld %-8lld %-12s %-12s %-10s %10s %-3s %10s %-3s %6.1f%%  %-20s %s\n",
                       (long long)list[i].id, (long long)list[i].partner_id, list[i].platform,
                       list[i].deliverable, list[i].mode, l, list[i].currency, nt,
                       list[i].currency,
                       list[i].list_price > 0 ? 100.0 * (double)(list[i].list_price - nv) / (double)list[i].list_price : 0.0,
                       ts, fair);
            }
        }
        free(fq);
        fair_price_free(fp);
        free(list);
        kw_store_free(s);
        return rc;
    }
    if (strcmp(sub, "add") != 0)
        return cli_usage_error("quote", "unknown subcommand '%s'", sub);
    if (nrest != 1 || arg_id("quote", "PARTNER_ID", rest[0], &q.partner_id))
        return nrest != 1 ? cli_usage_error("quote", "add takes one PARTNER_ID") : EXIT_USAGE;
    if (!q.platform[0] || !q.deliverable[0] || !price)
        return cli_usage_error("quote", "add needs --platform, --deliverable and --price");
    if (kw_currency_digits(currency) < 0)
        return cli_usage_error("quote", "--currency: %s", kw_error_last());
    snprintf(q.currency, sizeof q.currency, "%s", currency);
    if (arg_money("quote", "--price", price, currency, &q.list_price) ||
        (net && arg_money("quote", "--net", net, currency, &q.net_price)) ||
        (pv && arg_money("quote", "--product-value", pv, currency, &q.product_value)) ||
        (ship && arg_money("quote", "--shipping", ship, currency, &q.shipping)) ||
        (bonus && arg_money("quote", "--bonus", bonus, currency, &q.bonus)))
        return EXIT_USAGE;
    int commission = strcmp(q.mode, "commission") == 0 || strcmp(q.mode, "hybrid") == 0;
    if (commission && isnan(q.commission_rate))
        return cli_usage_error("quote", "--mode %s needs --commission-rate", q.mode);
    if (strcmp(q.mode, "barter") == 0 && q.product_value < 0)
        return cli_usage_error("quote", "--mode barter needs --product-value");
    if ((q.bonus >= 0) != (q.bonus_threshold >= 0))
        return cli_usage_error("quote", "--bonus and --bonus-threshold go together");
    if (q.bonus >= 0 && strcmp(q.mode, "hybrid") != 0)
        return cli_usage_error("quote", "a bonus belongs to --mode hybrid");
    if (q.valid_from != KW_TIME_NONE && q.valid_until != KW_TIME_NONE && q.valid_until < q.valid_from)
        return cli_usage_error("quote", "--valid-until is before --valid-from");
    if (q.net_price > q.list_price)
        fprintf(stderr, "kolwatch: note: the net price is above the list price\n");
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (q.account_id) {
        kw_account acc;
        if (kw_store_account_get(s, q.account_id, &acc))
            rc = cli_fail("quote add: %s", kw_error_last());
        else if (acc.partner_id != q.partner_id)
            rc = cli_fail("quote add: account %lld belongs to partner %lld, not %lld",
                          (long long)acc.id, (long long)acc.partner_id, (long long)q.partner_id);
    }
    int64_t id;
    if (!rc) {
        if (kw_store_quote_add(s, &q, &id))
            rc = cli_fail("quote add: %s", kw_error_last());
        else
            printf("%lld\n", (long long)id);
    }
    kw_store_free(s);
    return rc;
}
