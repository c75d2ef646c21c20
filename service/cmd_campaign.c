/* `kolwatch campaign ...`: campaigns, budgets and candidate quotes. */
#include "cli.h"
#include "cli_args.h"

#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  kolwatch campaign add --brand B --name N --objective reach|engagement|conversions\n"
    "                        --budget AMOUNT [--currency CNY] [--start DATE --end DATE]\n"
    "  kolwatch campaign list [--format table|json]\n"
    "  kolwatch campaign show CAMPAIGN [--format table|json]\n"
    "  kolwatch campaign candidate add CAMPAIGN QUOTE_ID [--expected-reach N]\n"
    "                        [--expected-engagements N] [--expected-conversions N]\n"
    "                        [--expected-gmv AMOUNT]\n\n"
    "CAMPAIGN and QUOTE_ID are ids. The budget and an expected GMV are in the\n"
    "campaign's currency. Expected figures left out are estimated from the\n"
    "partner's account when the budget is compared (`kolwatch budget`).\n";

static const char *const objectives[] = {"reach", "engagement", "conversions", NULL};

enum { O_BRAND = 1, O_NAME, O_OBJ, O_BUDGET, O_CUR, O_START, O_END, O_ER, O_EE, O_EC, O_EG,
       O_FORMAT, O_HELP };

static cJSON *date_json(int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_TIME_NONE)
        return cJSON_CreateNull();
    kw_time_format(buf, sizeof buf, t);
    buf[10] = '\0';
    return cJSON_CreateString(buf);
}

static cJSON *count_json(int64_t v) { return v < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)v); }

static cJSON *campaign_json(const kw_campaign *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddNumberToObject(o, "brand_id", (double)c->brand_id);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "objective", c->objective);
    cJSON_AddNumberToObject(o, "budget", (double)c->budget);
    cJSON_AddStringToObject(o, "currency", c->currency);
    cJSON_AddItemToObject(o, "start", date_json(c->start_date));
    cJSON_AddItemToObject(o, "end", date_json(c->end_date));
    return o;
}

static void print_json(cJSON *o)
{
    char *t = cJSON_PrintUnformatted(o);
    puts(t ? t : "");
    free(t);
    cJSON_Delete(o);
}

int cmd_campaign(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"brand", required_argument, 0, O_BRAND},   {"name", required_argument, 0, O_NAME},
        {"objective", required_argument, 0, O_OBJ}, {"budget", required_argument, 0, O_BUDGET},
        {"currency", required_argument, 0, O_CUR},  {"start", required_argument, 0, O_START},
        {"end", required_argument, 0, O_END},
        {"expected-reach", required_argument, 0, O_ER},
        {"expected-engagements", required_argument, 0, O_EE},
        {"expected-conversions", required_argument, 0, O_EC},
        {"expected-gmv", required_argument, 0, O_EG},
        {"format", required_argument, 0, O_FORMAT}, {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    const char *brand = NULL, *budget = NULL, *gmv = NULL, *format = NULL;
    const char *currency = kw_config_str(cli->config, "registry.currency");
    kw_campaign camp = {.start_date = KW_TIME_NONE, .end_date = KW_TIME_NONE};
    kw_candidate cand = {.expected_reach = -1, .expected_engagements = -1,
                         .expected_conversions = -1, .expected_gmv = -1};
    kw_store *s = NULL;
    int c, rc = EXIT_OK;
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    int is_cand = strcmp(sub, "candidate") == 0, skip = is_cand ? 2 : 1;
    if (is_cand && (argc < 3 || strcmp(argv[2], "add") != 0))
        return cli_usage_error("campaign", "candidate takes add");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - skip, argv + skip, ":", opts, NULL)) != -1) {
        const char *flag = (argv + skip)[optind - 1];
        switch (c) {
        case O_BRAND: brand = optarg; break;
        case O_NAME:
            if (kw_store_text_field(camp.name, sizeof camp.name, optarg, "--name"))
                return cli_usage_error("campaign", "%s", kw_error_last());
            break;
        case O_OBJ:
            if (arg_choice("campaign", "--objective", optarg, objectives))
                return EXIT_USAGE;
            snprintf(camp.objective, sizeof camp.objective, "%s", optarg);
            break;
        case O_BUDGET: budget = optarg; break;
        case O_CUR: currency = optarg; break;
        case O_START:
            if (arg_date("campaign", "--start", optarg, &camp.start_date))
                return EXIT_USAGE;
            break;
        case O_END:
            if (arg_date("campaign", "--end", optarg, &camp.end_date))
                return EXIT_USAGE;
            break;
        case O_ER:
            if (arg_int("campaign", "--expected-reach", optarg, 0, &cand.expected_reach))
                return EXIT_USAGE;
            break;
        case O_EE:
            if (arg_int("campaign", "--expected-engagements", optarg, 0, &cand.expected_engagements))
                return EXIT_USAGE;
            break;
        case O_EC:
            if (arg_int("campaign", "--expected-conversions", optarg, 0, &cand.expected_conversions))
                return EXIT_USAGE;
            break;
        case O_EG: gmv = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("campaign", "%s needs a value", flag);
        default: return cli_usage_error("campaign", "unknown option '%s'", flag);
        }
    }
    char **rest = argv + skip + optind;
    int nrest = argc - skip - optind, json = cli_format(format);
    int64_t id = 0;
    if (json < 0)
        return cli_usage_error("campaign", "--format takes table or json");

    if (is_cand) {
        if (nrest != 2 || arg_id("campaign", "CAMPAIGN", rest[0], &cand.campaign_id) ||
            arg_id("campaign", "QUOTE_ID", rest[1], &cand.quote_id))
            return nrest != 2 ? cli_usage_error("campaign", "candidate add takes CAMPAIGN QUOTE_ID")
                              : EXIT_USAGE;
        if ((rc = cli_open_store(cli, &s, 0, 0)))
            return rc;
        if (kw_store_campaign_get(s, cand.campaign_id, &camp)) {
            rc = cli_fail("campaign candidate add: %s", kw_error_last());
        } else if (gmv && arg_money("campaign", "--expected-gmv", gmv, camp.currency,
                                    &cand.expected_gmv)) {
            rc = EXIT_USAGE;
        } else if (kw_store_candidate_add(s, &cand, &id)) {
            rc = cli_fail("campaign candidate add: %s", kw_error_last());
        } else {
            printf("%lld\n", (long long)id);
        }
        kw_store_free(s);
        return rc;
    }

    if (strcmp(sub, "add") == 0) {
        if (nrest)
            return cli_usage_error("campaign", "add takes no arguments");
        if (!brand || !camp.name[0] || !camp.objective[0] || !budget)
            return cli_usage_error("campaign", "add needs --brand, --name, --objective and --budget");
        if ((camp.start_date == KW_TIME_NONE) != (camp.end_date == KW_TIME_NONE))
            return cli_usage_error("campaign", "--start and --end go together");
        if (kw_currency_digits(currency) < 0)
            return cli_usage_error("campaign", "--currency: %s", kw_error_last());
        snprintf(camp.currency, sizeof camp.currency, "%s", currency);
        if (arg_money("campaign", "--budget", budget, currency, &camp.budget))
            return EXIT_USAGE;
        if ((rc = cli_open_store(cli, &s, 0, 0)))
            return rc;
        kw_brand *b = NULL;
        if (kw_store_brand_find(s, brand, &b)) {
            rc = cli_fail("campaign add: %s", kw_error_last());
        } else {
            camp.brand_id = b->id;
            kw_brand_free(b);
            if (kw_store_campaign_add(s, &camp, &id))
                rc = cli_fail("campaign add: %s", kw_error_last());
            else
                printf("%lld\n", (long long)id);
        }
        kw_store_free(s);
        return rc;
    }
    int is_list = strcmp(sub, "list") == 0, is_show = strcmp(sub, "show") == 0;
    if (!is_list && !is_show)
        return cli_usage_error("campaign", "unknown subcommand '%s'", sub);
    if (is_list ? nrest != 0 : (nrest != 1 || arg_id("campaign", "CAMPAIGN", rest[0], &id)))
        return cli_usage_error("campaign", "%s takes %s", sub, is_list ? "no arguments" : "one CAMPAIGN id");
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (is_list) {
        kw_campaign *list = NULL;
        size_t n = 0;
        if (kw_store_campaign_list(s, &list, &n)) {
            rc = cli_fail("campaign list: %s", kw_error_last());
        } else if (json) {
            cJSON *o = cJSON_CreateObject(), *items = cJSON_CreateArray();
            for (size_t i = 0; i < n; i++)
                cJSON_AddItemToArray(items, campaign_json(&list[i]));
            cJSON_AddItemToObject(o, "items", items);
            cJSON_AddNullToObject(o, "next_cursor");
            print_json(o);
        } else {
            printf("%-6s %-28s %-12s %16s\n", "ID", "NAME", "OBJECTIVE", "BUDGET");
            for (size_t i = 0; i < n; i++) {
                char m[32];
                kw_money_format(m, sizeof m, list[i].budget, list[i].currency);
                printf("%-6lld %-28s %-12s %12s %s\n", (long long)list[i].id, list[i].name,
                       list[i].objective, m, list[i].currency);
            }
        }
        free(list);
    } else {
        kw_candidate *cs = NULL;
        size_t n = 0;
        if (kw_store_campaign_get(s, id, &camp) || kw_store_candidate_list(s, id, &cs, &n)) {
            rc = cli_fail("campaign show: %s", kw_error_last());
        } else {
            cJSON *o = campaign_json(&camp), *items = cJSON_CreateArray();
            for (size_t i = 0; i < n; i++) {
                cJSON *ci = cJSON_CreateObject();
                cJSON_AddNumberToObject(ci, "id", (double)cs[i].id);
                cJSON_AddNumberToObject(ci, "quote_id", (double)cs[i].quote_id);
                cJSON_AddNumberToObject(ci, "partner_id", (double)cs[i].partner_id);
                cJSON_AddStringToObject(ci, "state", cs[i].state);
                cJSON_AddItemToObject(ci, "expected_reach", count_json(cs[i].expected_reach));
                cJSON_AddItemToObject(ci, "expected_engagements", count_json(cs[i].expected_engagements));
                cJSON_AddItemToObject(ci, "expected_conversions", count_json(cs[i].expected_conversions));
                cJSON_AddItemToObject(ci, "expected_gmv", count_json(cs[i].expected_gmv));
                cJSON_AddItemToArray(items, ci);
            }
            cJSON_AddItemToObject(o, "candidates", items);
            if (json) {
                print_json(o);
            } else {
                char m[32];
                kw_money_format(m, sizeof m, camp.budget, camp.currency);
                printf("campaign %lld: %s (objective %s, budget %s %s)\n", (long long)camp.id,
                       camp.name, camp.objective, m, camp.currency);
                printf("%-6s %-8s %-8s %-10s\n", "ID", "QUOTE", "PARTNER", "STATE");
                for (size_t i = 0; i < n; i++)
                    printf("%-6lld %-8lld %-8lld %-10s\n", (long long)cs[i].id,
                           (long long)cs[i].quote_id, (long long)cs[i].partner_id, cs[i].state);
                cJSON_Delete(o);
            }
        }
        free(cs);
    }
    kw_store_free(s);
    return rc;
}
