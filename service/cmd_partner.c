/* `kolwatch partner ...`: KOLs and KOCs, their accounts and tiers. */
#include "cli.h"
#include "json_out.h"
#include "cli_args.h"

#include "kolwatch/error.h"
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
    "Usage:\n"
    "  kolwatch partner add --name NAME --type kol|koc [--agency A] [--tag T]...\n"
    "                       [--contact C] [--status S] [--notes TEXT]\n"
    "  kolwatch partner list [--format table|json]\n"
    "  kolwatch partner show PARTNER_ID [--format table|json]\n"
    "  kolwatch partner edit PARTNER_ID [--name N] [--type T] [--agency A] [--contact C]\n"
    "                       [--status S] [--notes TEXT] [--tag T]... [--clear-tags]\n"
    "  kolwatch partner rm PARTNER_ID\n"
    "  kolwatch partner account add PARTNER_ID --platform P --handle H [--url U]\n"
    "                       [--followers N] [--avg-views N] [--engagement-rate R]\n"
    "  kolwatch partner account edit ACCOUNT_ID [--url U] [--followers N]\n"
    "                       [--avg-views N] [--engagement-rate R]\n\n"
    "Status is prospect (default), active, paused or blocked. The engagement rate\n"
    "is a fraction (0.035 = 3.5%). A changed follower count is kept in the\n"
    "account's history. Tiers come from followers, per platform (registry.tiers_*).\n"
    "Commands that create something print the new id.\n";

enum { O_NAME = 1, O_TYPE, O_AGENCY, O_TAG, O_CONTACT, O_STATUS, O_NOTES, O_CLEAR, O_FORMAT,
       O_PLATFORM, O_HANDLE, O_URL, O_FOLLOWERS, O_VIEWS, O_ER, O_HELP };

static const struct option opts[] = {
    {"name", required_argument, 0, O_NAME},      {"type", required_argument, 0, O_TYPE},
    {"agency", required_argument, 0, O_AGENCY},  {"tag", required_argument, 0, O_TAG},
    {"contact", required_argument, 0, O_CONTACT}, {"status", required_argument, 0, O_STATUS},
    {"notes", required_argument, 0, O_NOTES},    {"clear-tags", no_argument, 0, O_CLEAR},
    {"format", required_argument, 0, O_FORMAT},  {"platform", required_argument, 0, O_PLATFORM},
    {"handle", required_argument, 0, O_HANDLE},  {"url", required_argument, 0, O_URL},
    {"followers", required_argument, 0, O_FOLLOWERS},
    {"avg-views", required_argument, 0, O_VIEWS},
    {"engagement-rate", required_argument, 0, O_ER},
    {"help", no_argument, 0, O_HELP},            {0, 0, 0, 0}};

typedef struct args {
    const char *name, *type, *agency, *contact, *status, *notes, *format, *platform, *handle,
        *url;
    const char *tags[KW_MAX_TAGS];
    int n_tags, clear_tags, set_tags;
    int64_t followers, avg_views;
    double er;
} args;

static const char *const types[] = {"kol", "koc", NULL};
static const char *const statuses[] = {"prospect", "active", "paused", "blocked", NULL};


static cJSON *account_json(kw_cli *cli, kw_store *s, const kw_account *a)
{
    cJSON *o = cJSON_CreateObject(), *hist = cJSON_CreateArray();
    int64_t *at = NULL, *fl = NULL;
    size_t nh = 0;
    kw_tiers t;
    char ts[KW_TIME_TEXT];
    const char *tier = cli_tiers(cli, a->platform, &t) == 0 ? kw_tier_of(&t, a->followers) : NULL;
    cJSON_AddNumberToObject(o, "id", (double)a->id);
    cJSON_AddNumberToObject(o, "partner_id", (double)a->partner_id);
    cJSON_AddStringToObject(o, "platform", a->platform);
    cJSON_AddStringToObject(o, "handle", a->handle);
    cJSON_AddItemToObject(o, "url", jstr(a->url));
    cJSON_AddItemToObject(o, "followers", jnum(a->followers));
    cJSON_AddItemToObject(o, "avg_views", jnum(a->avg_views));
    cJSON_AddItemToObject(o, "engagement_rate", jreal(a->engagement_rate));
    cJSON_AddItemToObject(o, "tier", tier ? cJSON_CreateString(tier) : cJSON_CreateNull());
    kw_time_format(ts, sizeof ts, a->updated_at);
    cJSON_AddStringToObject(o, "updated_at", ts);
    if (kw_store_account_history(s, a->id, &at, &fl, &nh) == 0)
        for (size_t i = 0; i < nh; i++) {
            cJSON *h = cJSON_CreateObject();
            cJSON_AddItemToObject(h, "at", jtime(at[i]));
            cJSON_AddNumberToObject(h, "followers", (double)fl[i]);
            cJSON_AddItemToArray(hist, h);
        }
    free(at);
    free(fl);
    cJSON_AddItemToObject(o, "follower_history", hist);
    return o;
}

static cJSON *partner_json(const kw_partner *p)
{
    cJSON *o = cJSON_CreateObject(), *tags = cJSON_CreateArray();
    char ts[KW_TIME_TEXT];
    cJSON_AddNumberToObject(o, "id", (double)p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "type", p->type);
    cJSON_AddItemToObject(o, "agency", jstr(p->agency));
    cJSON_AddItemToObject(o, "contact", jstr(p->contact));
    cJSON_AddStringToObject(o, "status", p->status);
    cJSON_AddItemToObject(o, "notes", jstr(p->notes));
    for (int i = 0; i < p->n_tags; i++)
        cJSON_AddItemToArray(tags, cJSON_CreateString(p->tags[i]));
    cJSON_AddItemToObject(o, "tags", tags);
    kw_time_format(ts, sizeof ts, p->created_at);
    cJSON_AddStringToObject(o, "created_at", ts);
    return o;
}


static int fill_partner(kw_partner *p, const args *a)
{
    if ((a->name && kw_store_text_field(p->name, sizeof p->name, a->name, "--name")) ||
        (a->type && kw_store_text_field(p->type, sizeof p->type, a->type, "--type")) ||
        (a->agency && kw_store_text_field(p->agency, sizeof p->agency, a->agency, "--agency")) ||
        (a->contact && kw_store_text_field(p->contact, sizeof p->contact, a->contact, "--contact")) ||
        (a->status && kw_store_text_field(p->status, sizeof p->status, a->status, "--status")) ||
        (a->notes && kw_store_text_field(p->notes, sizeof p->notes, a->notes, "--notes")))
        return cli_fail("partner: %s", kw_error_last());
    if (a->set_tags || a->clear_tags) {
        p->n_tags = 0;
        for (int i = 0; i < a->n_tags; i++)
            if (kw_store_text_field(p->tags[p->n_tags++], sizeof p->tags[0], a->tags[i], "--tag"))
                return cli_fail("partner: %s", kw_error_last());
    }
    return 0;
}

static int fill_account(kw_account *acc, const args *a)
{
    if ((a->platform && kw_store_text_field(acc->platform, sizeof acc->platform, a->platform, "--platform")) ||
        (a->handle && kw_store_text_field(acc->handle, sizeof acc->handle, a->handle, "--handle")) ||
        (a->url && kw_store_text_field(acc->url, sizeof acc->url, a->url, "--url")))
        return cli_fail("partner account: %s", kw_error_last());
    acc->followers = a->followers;
    acc->avg_views = a->avg_views;
    acc->engagement_rate = a->er;
    return 0;
}

static int add_mentions(void *ctx, const char *brand, int64_t total, int64_t negative)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "brand", brand);
    cJSON_AddNumberToObject(o, "mentions", (double)total);
    cJSON_AddNumberToObject(o, "negative", (double)negative);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

static int do_show(kw_cli *cli, kw_store *s, int64_t id, int json)
{
    kw_partner p;
    kw_account *acc = NULL;
    kw_quote *q = NULL;
    size_t na = 0, nq = 0;
    if (kw_store_partner_get(s, id, &p) || kw_store_account_list(s, id, &acc, &na) ||
        kw_store_quote_list(s, id, &q, &nq)) {
        free(acc);
        return cli_fail("partner show: %s", kw_error_last());
    }
    cJSON *o = partner_json(&p), *accounts = cJSON_CreateArray();
    for (size_t i = 0; i < na; i++)
        cJSON_AddItemToArray(accounts, account_json(cli, s, &acc[i]));
    cJSON_AddItemToObject(o, "accounts", accounts);
    cJSON_AddNumberToObject(o, "quotes", (double)nq);
    cJSON *written = cJSON_CreateArray(), *w;
    int risk = 0;
    if (kw_store_partner_mentions(s, id, add_mentions, written)) {
        cJSON_Delete(written);
        cJSON_Delete(o);
        free(acc);
        free(q);
        return cli_fail("partner show: %s", kw_error_last());
    }
    cJSON_ArrayForEach(w, written)
        risk |= cJSON_GetObjectItem(w, "negative")->valuedouble > 0;
    cJSON_AddItemToObject(o, "mentions_written", written);
    cJSON_AddBoolToObject(o, "risk", risk);
    if (json) {
        jprint(o);
    } else {
        printf("partner %lld: %s (%s, %s)%s%s\n", (long long)p.id, p.name, p.type, p.status,
               p.agency[0] ? ", agency " : "", p.agency);
        for (int i = 0; i < p.n_tags; i++)
            printf("%s%s", i ? ", " : "tags: ", p.tags[i]);
        if (p.n_tags)
            putchar('\n');
        cJSON *a;
        printf("%-6s %-12s %-24s %12s %10s %8s  %s\n", "ACCT", "PLATFORM", "HANDLE",
               "FOLLOWERS", "AVG VIEWS", "ER", "TIER");
        cJSON_ArrayForEach(a, accounts)
        {
            cJSON *f = cJSON_GetObjectItem(a, "followers"), *v = cJSON_GetObjectItem(a, "avg_views");
            cJSON *er = cJSON_GetObjectItem(a, "engagement_rate"), *t = cJSON_GetObjectItem(a, "tier");
            char fs[24] = "-", vs[24] = "-", ers[24] = "-";
            if (cJSON_IsNumber(f))
                snprintf(fs, sizeof fs, "%.0f", f->valuedouble);
            if (cJSON_IsNumber(v))
                snprintf(vs, sizeof vs, "%.0f", v->valuedouble);
            if (cJSON_IsNumber(er))
                snprintf(ers, sizeof ers, "%.2f%%", er->valuedouble * 100);
            char handle[512];
            printf("%-6.0f %-12s %s %12s %10s %8s  %s\n",
                   cJSON_GetObjectItem(a, "id")->valuedouble,
                   cJSON_GetObjectItem(a, "platform")->valuestring,
                   cli_cell(handle, sizeof handle, cJSON_GetObjectItem(a, "handle")->valuestring,
                            -1, 24, 0),
                   fs, vs, ers,
                   cJSON_IsString(t) ? t->valuestring : "-");
        }
        printf("%zu quote%s (see `kolwatch quote list --partner %lld`)\n", nq, nq == 1 ? "" : "s",
               (long long)p.id);
        cJSON_ArrayForEach(w, written)
        {
            double neg = cJSON_GetObjectItem(w, "negative")->valuedouble;
            printf("%sabout %s: %.0f mention%s, %.0f negative\n", neg > 0 ? "RISK " : "",
                   cJSON_GetObjectItem(w, "brand")->valuestring,
                   cJSON_GetObjectItem(w, "mentions")->valuedouble,
                   cJSON_GetObjectItem(w, "mentions")->valuedouble == 1 ? "" : "s", neg);
        }
        cJSON_Delete(o);
    }
    free(acc);
    free(q);
    return EXIT_OK;
}

static int do_list(kw_store *s, int json)
{
    kw_partner *p = NULL;
    size_t n = 0;
    if (kw_store_partner_list(s, &p, &n))
        return cli_fail("partner list: %s", kw_error_last());
    if (json) {
        cJSON *items = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(items, partner_json(&p[i]));
        jprint_items(items);
    } else {
        printf("%-6s %-24s %-4s %-9s %s\n", "ID", "NAME", "TYPE", "STATUS", "AGENCY");
        for (size_t i = 0; i < n; i++) {
            char name[512];
            printf("%-6lld %s %-4s %-9s %s\n", (long long)p[i].id,
                   cli_cell(name, sizeof name, p[i].name, -1, 24, 0), p[i].type, p[i].status,
                   p[i].agency[0] ? p[i].agency : "-");
        }
    }
    free(p);
    return EXIT_OK;
}

int cmd_partner(kw_cli *cli, int argc, char **argv)
{
    args a = {.followers = -1, .avg_views = -1, .er = NAN};
    kw_store *s = NULL;
    int c, rc = EXIT_OK;
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    int is_account = strcmp(sub, "account") == 0;
    int skip = is_account ? 2 : 1; /* argv words before the options */
    if (is_account && argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
        return fputs(usage, stdout), EXIT_OK; /* `partner account --help` */
    if (is_account && argc < 3)
        return cli_usage_error("partner", "account needs add or edit");
    const char *asub = is_account ? argv[2] : NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - skip, argv + skip, ":", opts, NULL)) != -1) {
        const char *flag = (argv + skip)[optind - 1];
        switch (c) {
        case O_NAME: a.name = optarg; break;
        case O_TYPE:
            if (arg_choice("partner", "--type", optarg, types))
                return EXIT_USAGE;
            a.type = optarg;
            break;
        case O_AGENCY: a.agency = optarg; break;
        case O_TAG:
            if (a.n_tags == KW_MAX_TAGS)
                return cli_usage_error("partner", "at most %d tags", KW_MAX_TAGS);
            a.tags[a.n_tags++] = optarg;
            a.set_tags = 1;
            break;
        case O_CONTACT: a.contact = optarg; break;
        case O_STATUS:
            if (arg_choice("partner", "--status", optarg, statuses))
                return EXIT_USAGE;
            a.status = optarg;
            break;
        case O_NOTES: a.notes = optarg; break;
        case O_CLEAR: a.clear_tags = 1; break;
        case O_FORMAT: a.format = optarg; break;
        case O_PLATFORM:
            if (arg_choice("partner", "--platform", optarg, kw_platforms))
                return EXIT_USAGE;
            a.platform = optarg;
            break;
        case O_HANDLE: a.handle = optarg; break;
        case O_URL: a.url = optarg; break;
        case O_FOLLOWERS:
            if (arg_int("partner", "--followers", optarg, 0, &a.followers))
                return EXIT_USAGE;
            break;
        case O_VIEWS:
            if (arg_int("partner", "--avg-views", optarg, 0, &a.avg_views))
                return EXIT_USAGE;
            break;
        case O_ER:
            if (arg_rate("partner", "--engagement-rate", optarg, &a.er))
                return EXIT_USAGE;
            break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("partner", "%s needs a value", flag);
        default: return cli_usage_error("partner", "unknown option '%s'", flag);
        }
    }
    char **rest = argv + skip + optind;
    int nrest = argc - skip - optind;
    int json = cli_format(a.format);
    int64_t id = 0;
    if (json < 0)
        return cli_usage_error("partner", "--format takes table or json");

    if (is_account) {
        if (strcmp(asub, "add") != 0 && strcmp(asub, "edit") != 0)
            return cli_usage_error("partner", "account takes add or edit, not '%s'", asub);
        if (nrest != 1 || arg_id("partner", strcmp(asub, "add") == 0 ? "PARTNER_ID" : "ACCOUNT_ID",
                                 rest[0], &id))
            return nrest != 1 ? cli_usage_error("partner", "account %s takes one id", asub)
                              : EXIT_USAGE;
        if (strcmp(asub, "add") == 0 && (!a.platform || !a.handle))
            return cli_usage_error("partner", "account add needs --platform and --handle");
        if ((rc = cli_open_store(cli, &s, 0, 0)))
            return rc;
        kw_account acc = {.partner_id = id};
        if (strcmp(asub, "add") == 0) {
            int64_t aid;
            if (!(rc = fill_account(&acc, &a))) {
                if (kw_store_account_add(s, &acc, &aid))
                    rc = cli_fail("partner account add: %s", kw_error_last());
                else
                    printf("%lld\n", (long long)aid);
            }
        } else {
            acc.id = id;
            if (!(rc = fill_account(&acc, &a)) && kw_store_account_update(s, &acc))
                rc = cli_fail("partner account edit: %s", kw_error_last());
        }
        kw_store_free(s);
        return rc;
    }

    int is_add = strcmp(sub, "add") == 0, is_list = strcmp(sub, "list") == 0;
    int is_show = strcmp(sub, "show") == 0, is_edit = strcmp(sub, "edit") == 0;
    int is_rm = strcmp(sub, "rm") == 0;
    if (!(is_add || is_list || is_show || is_edit || is_rm))
        return cli_usage_error("partner", "unknown subcommand '%s'", sub);
    if ((is_add || is_list) ? nrest != 0 : nrest != 1)
        return cli_usage_error("partner", "%s takes %s", sub,
                               (is_add || is_list) ? "no arguments" : "one PARTNER_ID");
    if (!(is_add || is_list) && arg_id("partner", "PARTNER_ID", rest[0], &id))
        return EXIT_USAGE;
    if (is_add && (!a.name || !a.type))
        return cli_usage_error("partner", "add needs --name and --type kol|koc");
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (is_add) {
        kw_partner p = {0};
        snprintf(p.status, sizeof p.status, "prospect");
        if (!(rc = fill_partner(&p, &a))) {
            if (kw_store_partner_add(s, &p, &id))
                rc = cli_fail("partner add: %s", kw_error_last());
            else
                printf("%lld\n", (long long)id), kw_store_audit(s, "cli", "partner.add", p.name, NULL);
        }
    } else if (is_list) {
        rc = do_list(s, json);
    } else if (is_show) {
        rc = do_show(cli, s, id, json);
    } else if (is_edit) {
        kw_partner p;
        if (kw_store_partner_get(s, id, &p))
            rc = cli_fail("partner edit: %s", kw_error_last());
        else if (!(rc = fill_partner(&p, &a)) && kw_store_partner_update(s, &p))
            rc = cli_fail("partner edit: %s", kw_error_last());
    } else {
        if (kw_store_partner_remove(s, id))
            rc = cli_fail("partner rm: %s", kw_error_last());
        else
            kw_store_audit(s, "cli", "partner.rm", rest[0], NULL);
    }
    kw_store_free(s);
    return rc;
}
