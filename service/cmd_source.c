/* `kolwatch source add|list|show|edit|rm`: what the crawler collects. */
#include "cli.h"
#include "cli_args.h"
#include "crawl_fetch.h"
#include "json_out.h"
#include "scoring.h"

#include "kolwatch/crawl.h"
#include "kolwatch/error.h"
#include "kolwatch/extract.h"
#include "kolwatch/fetch.h"
#include "kolwatch/platform.h"
#include "kolwatch/query.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  kolwatch source add --kind feed|html|json --url URL --platform NAME [--every 15m]\n"
    "                      [--tz ZONE] [--rule KEY=EXPR]...\n"
    "  kolwatch source list [--format table|json]\n"
    "  kolwatch source show SOURCE_ID [--format table|json]\n"
    "  kolwatch source edit SOURCE_ID [--kind K] [--url URL] [--platform NAME] [--every D]\n"
    "                      [--tz ZONE] [--rule KEY=EXPR]... [--clear-rules]\n"
    "                      [--enable|--disable]\n"
    "  kolwatch source rm SOURCE_ID\n"
    "  kolwatch source test SOURCE_ID | --url URL [--kind K] [--tz ZONE] [--rule KEY=EXPR]...\n"
    "                      [--format table|json]\n\n"
    "feed: RSS, Atom or JSON Feed, detected from the content; no rules.\n"
    "html: rules are XPath expressions: item=, title=, text=, author=, time=, link=,\n"
    "      next= (paging), relative to each item; without rules the page is read as\n"
    "      one article (a partner's published post is tracked this way).\n"
    "json: rules are JSON Pointers (RFC 6901): items=/data/list, text=/content, ...\n"
    "--tz: the zone of dates the source writes without one (\"2026-11-20 10:30\"):\n"
    "      +08:00 for most Chinese sites; UTC when not given.\n"
    "`source list` shows each source's health: last status, last error,\n"
    "consecutive failures and the next attempt. `add` prints the new id.\n"
    "`test` fetches the source now (robots.txt and politeness as in a crawl),\n"
    "extracts its items, scores them, shows which brands' queries they match,\n"
    "and stores nothing; with --url and no --kind it reads a feed if the body is\n"
    "one, else the page as one article.\n";

static const char *const kinds[] = {"feed", "html", "json", NULL};

/* Check KEY=EXPR for the kind and add it to the rules object. */
static int add_rule(cJSON *rules, const char *kind, const char *spec)
{
    const char *eq = strchr(spec, '=');
    char key[32];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof key)
        return cli_usage_error("source", "--rule takes KEY=EXPR, not '%s'", spec);
    snprintf(key, sizeof key, "%.*s", (int)(eq - spec), spec);
    const char *expr = eq + 1;
    if (kw_extract_rule_check(kind, key, expr))
        return cli_usage_error("source", "%s", kw_error_last());
    cJSON_DeleteItemFromObjectCaseSensitive(rules, key);
    cJSON_AddStringToObject(rules, key, expr);
    return 0;
}

/* The rules a source keeps must fit its kind (an edited kind keeps the
 * rules it had), and a json source needs a text= or title= pointer: its
 * items have nothing to say without one. */
static int rules_fit(const cJSON *rules, const char *kind, int kind_changed)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, rules)
    {
        if (!cJSON_IsString(r) || kw_extract_rule_check(kind, r->string, r->valuestring))
            return cli_usage_error("source", "%s%s", kw_error_last(),
                                   kind_changed ? "; give the rules of the new kind with "
                                                  "--clear-rules --rule KEY=EXPR..."
                                                : "");
    }
    if (strcmp(kind, "json") == 0 && !cJSON_GetObjectItemCaseSensitive(rules, "text") &&
        !cJSON_GetObjectItemCaseSensitive(rules, "title"))
        return cli_usage_error("source", "a json source needs a text= or title= rule (a JSON "
                                         "Pointer into each item, e.g. --rule text=/content)");
    /* a field rule from the page's root gives every item the same value:
     * most likely .//div was meant (a page-wide title for every post, a
     * thread's, may be meant, and is not said) */
    static const char *const per_item[] = {"text", "author", "time", "link"};
    for (int k = 0; k < 4 && strcmp(kind, "html") == 0 &&
                    cJSON_GetObjectItemCaseSensitive(rules, "item");
         k++) {
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(rules, per_item[k]);
        if (cJSON_IsString(fr) &&
            (fr->valuestring[0] == '/' || strncmp(fr->valuestring, "(/", 2) == 0))
            fprintf(stderr, "kolwatch: source: note: rule %s=%s starts at the page's root, so "
                            "every item gets the same %s; to read within each item, start it "
                            "with . (.%s)\n",
                    per_item[k], fr->valuestring, per_item[k],
                    fr->valuestring[0] == '/' ? fr->valuestring : "//...");
    }
    return 0;
}

static cJSON *source_json(const kw_source *src)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)src->id);
    cJSON_AddStringToObject(o, "kind", src->kind);
    cJSON_AddStringToObject(o, "url", src->url);
    cJSON_AddStringToObject(o, "platform", src->platform);
    cJSON *rules = cJSON_Parse(src->rules);
    cJSON_AddItemToObject(o, "rules", rules ? rules : cJSON_CreateObject());
    cJSON_AddNumberToObject(o, "every_s", (double)src->every_s);
    char tz[16];
    kw_utc_offset_format(tz, sizeof tz, src->utc_offset);
    cJSON_AddStringToObject(o, "utc_offset", tz);
    cJSON_AddBoolToObject(o, "enabled", src->enabled);
    cJSON_AddItemToObject(o, "last_status", jnum(src->last_status));
    cJSON_AddItemToObject(o, "last_error", jstr(src->last_error));
    cJSON_AddItemToObject(o, "last_fetched_at", jtime(src->last_fetched_at));
    cJSON_AddNumberToObject(o, "consecutive_failures", (double)src->consecutive_failures);
    cJSON_AddItemToObject(o, "next_attempt_at", jtime(src->next_attempt_at));
    /* a crawler's live claim: due or not, no other crawler fetches it */
    int claimed = src->lease_owner[0] && src->lease_until != KW_TIME_NONE &&
                  src->lease_until > kw_time_now();
    cJSON_AddItemToObject(o, "claimed_by", claimed ? jstr(src->lease_owner) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "claimed_until",
                          claimed ? jtime(src->lease_until) : cJSON_CreateNull());
    return o;
}

static void print_table(const kw_source *list, size_t n)
{
    printf("%-5s %-5s %-11s %-8s %-6s %-6s %-5s %-20s %s\n", "ID", "KIND", "PLATFORM", "EVERY",
           "TZ", "STATUS", "FAILS", "NEXT ATTEMPT", "URL / LAST ERROR");
    for (size_t i = 0; i < n; i++) {
        char every[32], status[24] = "-", next[KW_TIME_TEXT] = "due", tz[16];
        kw_utc_offset_format(tz, sizeof tz, list[i].utc_offset);
        snprintf(every, sizeof every, "%llds", (long long)list[i].every_s);
        if (list[i].every_s % 86400 == 0)
            snprintf(every, sizeof every, "%lldd", (long long)(list[i].every_s / 86400));
        else if (list[i].every_s % 3600 == 0)
            snprintf(every, sizeof every, "%lldh", (long long)(list[i].every_s / 3600));
        else if (list[i].every_s % 60 == 0)
            snprintf(every, sizeof every, "%lldm", (long long)(list[i].every_s / 60));
        if (list[i].last_status >= 0)
            snprintf(status, sizeof status, "%lld", (long long)list[i].last_status);
        if (!list[i].enabled)
            snprintf(next, sizeof next, "disabled");
        else if (list[i].lease_owner[0] && list[i].lease_until != KW_TIME_NONE &&
                 list[i].lease_until > kw_time_now())
            snprintf(next, sizeof next, "claimed"); /* by a crawler: `source show` says whose */
        else if (list[i].next_attempt_at != KW_TIME_NONE)
            kw_time_format(next, sizeof next, list[i].next_attempt_at);
        char err[sizeof list[i].last_error]; /* one line a source */
        size_t k = 0;
        for (const char *p = list[i].last_error; *p && k + 1 < sizeof err; p++)
            err[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
        err[k] = '\0';
        printf("%-5lld %-5s %-11s %-8s %-6s %-6s %-5lld %-20s %s%s%s\n", (long long)list[i].id,
               list[i].kind, list[i].platform, every, tz, status,
               (long long)list[i].consecutive_failures, next, list[i].url, err[0] ? "  ! " : "",
               err);
    }
}

typedef struct fetched {
    int status, error;
    char text[300], ctype[256], final[2048];
    char *body;
    size_t len;
} fetched;

static void keep_response(void *ctx, const kw_fetch_response *r)
{
    fetched *g = ctx;
    g->status = r->status;
    g->error = r->error;
    snprintf(g->text, sizeof g->text, "%s", r->error_text);
    snprintf(g->ctype, sizeof g->ctype, "%s", r->content_type ? r->content_type : "");
    snprintf(g->final, sizeof g->final, "%s", r->final_url ? r->final_url : "");
    if (!r->error && (g->body = malloc(r->body_len + 1))) {
        memcpy(g->body, r->body, r->body_len);
        g->body[r->body_len] = '\0';
        g->len = r->body_len;
    }
}

/* `source test`: fetch, extract and score now; store nothing. */
/* The brands whose queries an item matches, as a JSON array of names. */
typedef struct brand_set {
    kw_brand **list;
    kw_query **q;
    size_t n;
    kw_query_match_result m;
} brand_set;

static void brands_load(kw_cli *cli, brand_set *b)
{
    kw_store *s = NULL;
    kw_store_options opt = {0};
    memset(b, 0, sizeof *b);
    kw_query_match_result_init(&b->m);
    /* No database is fine for an ad-hoc test: there are no brands then. */
    if (kw_store_open(&s, kw_config_str(cli->config, "core.db"), &opt))
        return;
    if (kw_store_brand_list(s, &b->list, &b->n) == 0 && (b->q = calloc(b->n + 1, sizeof *b->q)))
        for (size_t i = 0; i < b->n; i++)
            if (kw_query_compile(&b->q[i], b->list[i]->query, NULL))
                b->q[i] = NULL;
    kw_store_free(s);
}

static cJSON *brands_of(brand_set *b, const kw_query_doc *doc)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; b->q && i < b->n; i++)
        if (b->q[i] && kw_query_match(b->q[i], doc, &b->m) == 0 && b->m.match)
            cJSON_AddItemToArray(arr, cJSON_CreateString(b->list[i]->name));
    return arr;
}

static void brands_free(brand_set *b)
{
    for (size_t i = 0; b->q && i < b->n; i++)
        kw_query_free(b->q[i]);
    free(b->q);
    kw_brand_list_free(b->list, b->n);
    kw_query_match_result_release(&b->m);
}

static int do_test(kw_cli *cli, const kw_source *src, int json)
{
    brand_set bs;
    kw_fetcher *f = NULL;
    kw_scorer *sc = NULL;
    kw_result r;
    kw_extracted e = {0};
    fetched g = {0};
    const char *charset = "";
    char why[2600];
    int allowed = 0, rc;
    kw_result_init(&r);
    brands_load(cli, &bs);
    if ((rc = cli_fetcher(cli, &f)) || (rc = cli_scorer(cli, NULL, 0, 0, &sc)))
        goto cleanup;
    if (cli_robots_allows(cli, f, src->url, &allowed, why, sizeof why)) {
        rc = cli_fail("source test: %s", kw_error_last());
        goto cleanup;
    }
    if (!allowed) {
        rc = cli_fail("source test: not fetched: %s", why);
        goto cleanup;
    }
    kw_fetcher_on_redirect(f, cli_redirect_check, cli);
    kw_fetch_request q = {.url = src->url};
    if (kw_fetcher_add(f, &q) || kw_fetcher_run(f, keep_response, &g)) {
        rc = cli_fail("source test: %s", kw_error_last());
        goto cleanup;
    }
    if (g.error) {
        rc = cli_fail("source test: %s: %s", src->url, g.text);
        goto cleanup;
    }
    if (g.status != 200) {
        rc = cli_fail("source test: %s answered HTTP %d", src->url, g.status);
        goto cleanup;
    }
    const char *kind = src->kind;
    if (!kind[0]) {
        /* No --kind: a feed if it reads as one, else the page as an article. */
        kind = "feed";
        if (kw_extract_body(&e, kind, "{}", g.body, g.len, g.ctype[0] ? g.ctype : NULL,
                            g.final[0] ? g.final : src->url, &charset) == 0)
            goto extracted;
        /* JSON that is no JSON Feed: an API, which needs its rules */
        const char *b = g.body ? g.body : "";
        if (strncmp(b, "\xef\xbb\xbf", 3) == 0)
            b += 3;
        b += strspn(b, " \t\r\n");
        if (*b == '{' || *b == '[' || strstr(g.ctype, "json")) {
            rc = cli_fail("source test: %s is JSON, not a feed or a page: give --kind json and "
                          "its rules (--rule items=/data/list --rule text=/content, JSON "
                          "Pointers to the posts and their fields)",
                          src->url);
            goto cleanup;
        }
        kind = "html";
    }
    if (kw_extract_body(&e, kind, src->rules, g.body, g.len, g.ctype[0] ? g.ctype : NULL,
                        g.final[0] ? g.final : src->url, &charset)) {
        rc = cli_fail("source test: %s", kw_error_last());
        goto cleanup;
    }
extracted:;
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < e.n; i++) {
        kw_extracted_item *it = &e.items[i];
        kw_mention m = {0};
        char *expl = NULL;
        const char *text = it->text ? it->text : it->title ? it->title : "";
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "title", jstr(it->title));
        cJSON_AddItemToObject(o, "author", jstr(it->author));
        cJSON_AddItemToObject(o, "link", jstr(it->link));
        cJSON_AddItemToObject(o, "published_at", jtime(kw_crawl_item_time(src, it, kw_time_now())));
        cJSON_AddItemToObject(o, "text", jstr(it->text));
        if (cli_score_mention(sc, &r, text, &m, &expl) == 0) {
            cJSON_AddNumberToObject(o, "score", m.score);
            cJSON_AddStringToObject(o, "label", m.label);
        } else {
            cJSON_AddNullToObject(o, "score");
            cJSON_AddNullToObject(o, "label");
        }
        free(expl);
        kw_query_doc doc = {.title = it->title, .text = it->text, .author = it->author,
                            .platform = src->platform[0] ? src->platform : "other"};
        cJSON_AddItemToObject(o, "brands", brands_of(&bs, &doc));
        cJSON_AddItemToArray(items, o);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "url", src->url);
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddStringToObject(o, "encoding", charset ? charset : "");
        cJSON_AddItemToObject(o, "next", jstr(e.next));
        cJSON_AddNumberToObject(o, "dropped", (double)e.dropped);
        cJSON_AddItemToObject(o, "items", items);
        jprint(o);
    } else {
        cJSON *o;
        printf("%s %s: %zu item%s (%s)%s%s\n", kind, src->url, e.n, e.n == 1 ? "" : "s",
               charset ? charset : "?", e.next ? ", next page " : "", e.next ? e.next : "");
        if (e.dropped)
            printf("  (and %zu more the page holds past a page's limit of %d items: not read; "
                   "split the source, or page it with next=)\n",
                   e.dropped, KW_EXTRACT_MAX_ITEMS);
        cJSON_ArrayForEach(o, items)
        {
            cJSON *t = cJSON_GetObjectItem(o, "title"), *l = cJSON_GetObjectItem(o, "label");
            cJSON *sc2 = cJSON_GetObjectItem(o, "score"), *tx = cJSON_GetObjectItem(o, "text");
            const char *show = cJSON_IsString(t) ? t->valuestring
                               : cJSON_IsString(tx) ? tx->valuestring : "";
            cJSON *bl = cJSON_GetObjectItem(o, "brands"), *bn;
            const char *names[64];
            size_t nn = 0;
            cJSON_ArrayForEach(bn, bl) if (nn < 64) names[nn++] = bn->valuestring;
            char bcell[1200], scell[400]; /* cut at whole characters, by columns */
            printf("  %-8s %+.2f  %s %s\n", cJSON_IsString(l) ? l->valuestring : "-",
                   cJSON_IsNumber(sc2) ? sc2->valuedouble : 0.0,
                   nn ? cli_names_cell(bcell, sizeof bcell, names, nn, 16)
                      : cli_cell(bcell, sizeof bcell, "-", -1, 16, 16),
                   cli_cell(scell, sizeof scell, show, -1, 0, 80));
        }
        cJSON_Delete(items);
    }
cleanup:
    brands_free(&bs);
    kw_extracted_free(&e);
    free(g.body);
    kw_result_release(&r);
    kw_scorer_free(sc);
    kw_fetcher_free(f);
    return rc;
}

int cmd_source(kw_cli *cli, int argc, char **argv)
{
    enum { O_KIND = 1, O_URL, O_PLATFORM, O_EVERY, O_RULE, O_CLEAR, O_ENABLE, O_DISABLE,
           O_FORMAT, O_TZ, O_HELP };
    static const struct option opts[] = {
        {"kind", required_argument, 0, O_KIND},     {"url", required_argument, 0, O_URL},
        {"platform", required_argument, 0, O_PLATFORM}, {"every", required_argument, 0, O_EVERY},
        {"rule", required_argument, 0, O_RULE},     {"clear-rules", no_argument, 0, O_CLEAR},
        {"enable", no_argument, 0, O_ENABLE},       {"disable", no_argument, 0, O_DISABLE},
        {"format", required_argument, 0, O_FORMAT}, {"tz", required_argument, 0, O_TZ},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    const char *kind = NULL, *url = NULL, *platform = NULL, *format = NULL;
    const char **rules = calloc((size_t)argc + 1, sizeof *rules);
    int nrules = 0, clear = 0, enable = -1, c, rc = EXIT_OK;
    int64_t every = -1, id = 0, tz = 0;
    int tz_given = 0;
    kw_store *s = NULL;
    cJSON *robj = NULL;
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!rules)
        return cli_fail("out of memory");
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        free(rules);
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":", opts, NULL)) != -1) {
        const char *flag = (argv + 1)[optind - 1];
        switch (c) {
        case O_KIND:
            if (arg_choice("source", "--kind", optarg, kinds))
                rc = EXIT_USAGE;
            kind = optarg;
            break;
        case O_URL: url = optarg; break;
        case O_PLATFORM:
            if (arg_choice("source", "--platform", optarg, kw_platforms))
                rc = EXIT_USAGE;
            platform = optarg;
            break;
        case O_EVERY:
            if (kw_duration_parse(&every, optarg))
                rc = cli_usage_error("source", "--every: %s", kw_error_last());
            break;
        case O_RULE: rules[nrules++] = optarg; break;
        case O_TZ:
            if (kw_utc_offset_parse(&tz, optarg))
                rc = cli_usage_error("source", "--tz: %s", kw_error_last());
            tz_given = 1;
            break;
        case O_CLEAR: clear = 1; break;
        case O_ENABLE:
        case O_DISABLE:
            if (enable == (c == O_ENABLE ? 0 : 1))
                rc = cli_usage_error("source", "--enable and --disable exclude each other");
            enable = c == O_ENABLE;
            break;
        case O_FORMAT: format = optarg; break;
        case O_HELP:
            fputs(usage, stdout);
            goto cleanup;
        case ':': rc = cli_usage_error("source", "%s needs a value", flag); break;
        default: rc = cli_usage_error("source", "unknown option '%s'", flag); break;
        }
        if (rc)
            goto cleanup;
    }
    char **rest = argv + 1 + optind;
    int nrest = argc - 1 - optind, json = cli_format(format);
    int is_add = strcmp(sub, "add") == 0, is_list = strcmp(sub, "list") == 0;
    int is_show = strcmp(sub, "show") == 0, is_edit = strcmp(sub, "edit") == 0;
    int is_rm = strcmp(sub, "rm") == 0, is_test = strcmp(sub, "test") == 0;
    if (is_test && nrest == 0) {
        /* An ad-hoc source: --kind and --url on the command line. */
        kw_source adhoc = {.every_s = 900, .enabled = 1};
        cJSON *ro = cJSON_CreateObject();
        if (json < 0 || !url || (nrules > 0 && !kind)) {
            cJSON_Delete(ro);
            rc = cli_usage_error("source", "test takes a SOURCE_ID, or --url (and --kind "
                                           "with --rule)");
            goto cleanup;
        }
        char canon[4096];
        if (kw_url_canonical(canon, sizeof canon, url)) {
            cJSON_Delete(ro);
            rc = cli_usage_error("source", "--url: %s", kw_error_last());
            goto cleanup;
        }
        snprintf(adhoc.kind, sizeof adhoc.kind, "%s", kind ? kind : "");
        adhoc.utc_offset = tz;
        snprintf(adhoc.url, sizeof adhoc.url, "%s", url);
        for (int i = 0; i < nrules; i++)
            if ((rc = add_rule(ro, kind, rules[i]))) {
                cJSON_Delete(ro);
                goto cleanup;
            }
        char *rt = cJSON_PrintUnformatted(ro);
        cJSON_Delete(ro);
        snprintf(adhoc.rules, sizeof adhoc.rules, "%s", rt ? rt : "{}");
        free(rt);
        rc = do_test(cli, &adhoc, json);
        goto cleanup;
    }
    if (is_test) {
        if (url || kind || platform || nrules || clear || tz_given || every >= 0 || enable >= 0) {
            rc = cli_usage_error("source", "test takes a SOURCE_ID or --url URL with its "
                                           "settings, not both (a stored source is tested "
                                           "as it is stored)");
            goto cleanup;
        }
        if (nrest != 1 || arg_id("source", "SOURCE_ID", rest[0], &id)) {
            rc = nrest != 1 ? cli_usage_error("source", "test takes one SOURCE_ID") : EXIT_USAGE;
            goto cleanup;
        }
        kw_source stored;
        if ((rc = cli_open_store(cli, &s, 0, 0)))
            goto cleanup;
        if (kw_store_source_get(s, id, &stored)) {
            rc = cli_fail("source test: %s", kw_error_last());
            goto cleanup;
        }
        rc = do_test(cli, &stored, json < 0 ? 0 : json);
        goto cleanup;
    }
    if (json < 0)
        rc = cli_usage_error("source", "--format takes table or json");
    else if (!(is_add || is_list || is_show || is_edit || is_rm))
        rc = cli_usage_error("source", "unknown subcommand '%s'", sub);
    else if ((is_add || is_list) ? nrest != 0 : nrest != 1)
        rc = cli_usage_error("source", "%s takes %s", sub,
                             (is_add || is_list) ? "no arguments" : "one SOURCE_ID");
    else if (!(is_add || is_list) && arg_id("source", "SOURCE_ID", rest[0], &id))
        rc = EXIT_USAGE;
    else if (is_add && (!kind || !url || !platform))
        rc = cli_usage_error("source", "add needs --kind, --url and --platform");
    else if (every >= 0 && every < 60)
        rc = cli_usage_error("source", "--every must be at least 1m");
    else if (every > 365 * 86400) /* the next attempt stays a date the store can hold */
        rc = cli_usage_error("source", "--every must be at most 365d (disable a source with "
                                       "`source edit ID --disable`)");
    else if (is_edit && !(url || kind || platform || nrules || clear || tz_given || every >= 0 ||
                          enable >= 0))
        rc = cli_usage_error("source", "edit: nothing to change (give --url, --kind, "
                                       "--platform, --every, --rule, --tz, --enable or "
                                       "--disable)");
    if (rc)
        goto cleanup;
    if (url) {
        char canon[4096];
        if (kw_url_canonical(canon, sizeof canon, url)) {
            rc = cli_usage_error("source", "--url: %s", kw_error_last());
            goto cleanup;
        }
    }
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        goto cleanup;

    kw_source src = {.every_s = 900, .enabled = 1};
    if (is_edit && kw_store_source_get(s, id, &src)) {
        rc = cli_fail("source edit: %s", kw_error_last());
        goto cleanup;
    }
    if (is_add || is_edit) {
        if ((kind && kw_store_text_field(src.kind, sizeof src.kind, kind, "--kind")) ||
            (url && kw_store_text_field(src.url, sizeof src.url, url, "--url")) ||
            (platform && kw_store_text_field(src.platform, sizeof src.platform, platform, "--platform"))) {
            rc = cli_fail("source: %s", kw_error_last());
            goto cleanup;
        }
        if (every >= 0)
            src.every_s = every;
        if (tz_given)
            src.utc_offset = tz;
        if (enable >= 0)
            src.enabled = enable;
        robj = clear || !src.rules[0] ? cJSON_CreateObject() : cJSON_Parse(src.rules);
        if (!robj)
            robj = cJSON_CreateObject();
        for (int i = 0; i < nrules; i++)
            if ((rc = add_rule(robj, src.kind, rules[i])))
                goto cleanup;
        /* what an edit leaves alone is not checked again: an older source
         * can still be disabled or rescheduled */
        if ((is_add || kind || nrules || clear) && (rc = rules_fit(robj, src.kind, is_edit && kind)))
            goto cleanup;
        char *text = cJSON_PrintUnformatted(robj);
        if (!text || kw_store_text_field(src.rules, sizeof src.rules, text, "the rules")) {
            free(text);
            rc = cli_fail("source: %s", text ? kw_error_last() : "out of memory");
            goto cleanup;
        }
        free(text);
        if (is_add) {
            if (kw_store_source_add(s, &src, &id))
                rc = cli_fail("source add: %s", kw_error_last());
            else
                printf("%lld\n", (long long)id);
        } else if (kw_store_source_update(s, &src)) {
            rc = cli_fail("source edit: %s", kw_error_last());
        }
    } else if (is_list) {
        kw_source *list = NULL;
        size_t n = 0;
        if (kw_store_source_list(s, &list, &n)) {
            rc = cli_fail("source list: %s", kw_error_last());
        } else if (json) {
            cJSON *items = cJSON_CreateArray();
            for (size_t i = 0; i < n; i++)
                cJSON_AddItemToArray(items, source_json(&list[i]));
            jprint_items(items);
        } else {
            print_table(list, n);
        }
        free(list);
    } else if (is_show) {
        if (kw_store_source_get(s, id, &src))
            rc = cli_fail("source show: %s", kw_error_last());
        else if (json)
            jprint(source_json(&src));
        else
            print_table(&src, 1), printf("rules: %s\n", src.rules);
    } else if (kw_store_source_remove(s, id)) {
        rc = cli_fail("source rm: %s", kw_error_last());
    }
cleanup:
    cJSON_Delete(robj);
    kw_store_free(s);
    free(rules);
    return rc;
}
