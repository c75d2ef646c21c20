/* `kolwatch brand add|list|show|edit|rm`: the brands kolwatch listens for. */
#include "cli.h"
#include "json_out.h"

#include "kolwatch/error.h"
#include "kolwatch/query.h"
#include "kolwatch/sentiment.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "Usage:\n"
    "  kolwatch brand add NAME [--query EXPR] [--alias A]... [--competitor-of BRAND]\n"
    "  kolwatch brand list [--format table|json]\n"
    "  kolwatch brand show BRAND [--format table|json]\n"
    "  kolwatch brand edit BRAND [--name N] [--query EXPR] [--alias A]...\n"
    "                      [--clear-aliases] [--competitor-of BRAND | --no-competitor]\n"
    "  kolwatch brand rm BRAND [--force]\n\n"
    "BRAND is a brand's name or id. `add` prints the new id. The query selects\n"
    "the items that mention the brand (default: below); it is\n"
    "checked (`kolwatch query --help` has the syntax) and stored as written.\n"
    "Without --query a brand's query is its name and aliases as phrases, joined\n"
    "by OR, and follows them when `edit` changes the name or the aliases.\n"
    "`rm` removes the brand, its links and buckets, and the mentions no other\n"
    "brand holds; it asks for --force when there are any.\n";

enum { O_QUERY = 1, O_ALIAS, O_COMP, O_NOCOMP, O_CLEAR, O_NAME, O_FORMAT, O_FORCE, O_HELP };

static const struct option opts[] = {
    {"query", required_argument, 0, O_QUERY},
    {"alias", required_argument, 0, O_ALIAS},
    {"competitor-of", required_argument, 0, O_COMP},
    {"no-competitor", no_argument, 0, O_NOCOMP},
    {"clear-aliases", no_argument, 0, O_CLEAR},
    {"name", required_argument, 0, O_NAME},
    {"format", required_argument, 0, O_FORMAT},
    {"force", no_argument, 0, O_FORCE},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

typedef struct args {
    const char *query, *comp, *name, *format;
    char **aliases;
    size_t n_aliases;
    int no_comp, clear, force, help;
} args;

static cJSON *brand_json(kw_store *s, const kw_brand *b)
{
    cJSON *o = cJSON_CreateObject(), *al = cJSON_CreateArray();
    char t[KW_TIME_TEXT];
    int64_t n = 0;
    cJSON_AddNumberToObject(o, "id", (double)b->id);
    cJSON_AddStringToObject(o, "name", b->name);
    cJSON_AddStringToObject(o, "query", b->query);
    for (size_t i = 0; i < b->n_aliases; i++)
        cJSON_AddItemToArray(al, cJSON_CreateString(b->aliases[i]));
    cJSON_AddItemToObject(o, "aliases", al);
    if (b->competitor_of)
        cJSON_AddNumberToObject(o, "competitor_of", (double)b->competitor_of);
    else
        cJSON_AddNullToObject(o, "competitor_of");
    kw_time_format(t, sizeof t, b->created_at);
    cJSON_AddStringToObject(o, "created_at", t);
    if (kw_store_mention_count(s, b->id, &n) == 0)
        cJSON_AddNumberToObject(o, "mentions", (double)n);
    else
        cJSON_AddNullToObject(o, "mentions");
    return o;
}


static int resolve_competitor(kw_store *s, const char *ref, int64_t *out)
{
    kw_brand *c = NULL;
    if (kw_store_brand_find(s, ref, &c))
        return cli_fail("--competitor-of: %s", kw_error_last());
    *out = c->id;
    kw_brand_free(c);
    return 0;
}

/* 0 when expr is a valid brand query; otherwise prints why (naming the
 * byte offset, with a caret under it as `query test` shows it) and returns
 * EXIT_FAIL. */
static int check_query(const char *what, const char *expr)
{
    kw_query *q = NULL;
    size_t at = 0;
    if (kw_query_compile(&q, expr, &at))
        return cli_query_error(what, expr, at);
    kw_query_free(q);
    return 0;
}

/* The query a brand gets when none is given: its name and every alias as
 * phrases, joined by OR ("\"Lumi\" OR \"露米\""). An alias that makes no
 * query on its own (punctuation only) is left out. Caller frees *out. */
static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int default_query(char **out, const char *name, char *const *aliases, size_t n)
{
    size_t len = 0, cap = 0;
    char *q = NULL;
    /* aliases in one order, however they were given or stored */
    const char **sorted = calloc(n + 1, sizeof *sorted);
    *out = NULL;
    if (!sorted)
        return KW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        sorted[i] = aliases[i];
    qsort(sorted, n, sizeof *sorted, by_text);
    for (size_t i = 0; i <= n; i++) {
        char *phrase = NULL;
        kw_query *check = NULL;
        if (kw_query_phrase(&phrase, i == 0 ? name : sorted[i - 1])) {
            free(q);
            free(sorted);
            return KW_ENOMEM;
        }
        if (kw_query_compile(&check, phrase, NULL) != 0) {
            free(phrase);
            continue;
        }
        kw_query_free(check);
        size_t pl = strlen(phrase), need = len + (len ? 4 : 0) + pl + 1;
        if (need > cap) {
            char *nq = realloc(q, cap = 2 * need);
            if (!nq) {
                free(phrase);
                free(q);
                free(sorted);
                return KW_ENOMEM;
            }
            q = nq;
        }
        len += (size_t)sprintf(q + len, "%s%s", len ? " OR " : "", phrase);
        free(phrase);
    }
    free(sorted);
    if (!q) /* nothing makes a query: the name's phrase, for the caller to refuse */
        return kw_query_phrase(out, name) ? KW_ENOMEM : 0;
    *out = q;
    return 0;
}

/* Whether two names are one to a query: the same once folded (case,
 * full-width forms, traditional characters). */
static int same_folded(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), na = 0, nb = 0;
    kw_folded_char *fa = malloc((la + 1) * sizeof *fa), *fb = malloc((lb + 1) * sizeof *fb);
    int same = fa && fb && kw_text_fold(fa, la + 1, &na, a, la) == 0 &&
               kw_text_fold(fb, lb + 1, &nb, b, lb) == 0 && na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = fa[i].cp == fb[i].cp;
    free(fa);
    free(fb);
    return same;
}

static int do_add(kw_store *s, const char *name, args *a)
{
    kw_brand b = {.name = (char *)name, .aliases = a->aliases, .n_aliases = a->n_aliases};
    char *deflt = NULL;
    int64_t id;
    int rc = EXIT_FAIL;
    if (!*name)
        return cli_usage_error("brand", "the brand name is empty");
    if (name[strspn(name, " \t\r\n")] == '\0')
        return cli_usage_error("brand", "the brand name is blank");
    size_t nlen = strlen(name);
    if (isspace((unsigned char)name[0]) || isspace((unsigned char)name[nlen - 1]))
        return cli_usage_error("brand", "the brand name '%s' begins or ends with a blank", name);
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7F)
            return cli_usage_error("brand", "the brand name holds a control character (a "
                                            "line break?)");
    /* names that differ only in case match the same posts; a name of
     * digits reads as that brand where BRAND is asked for, not as the id */
    kw_brand **list = NULL;
    size_t n = 0;
    char *end, shadowed[300] = "";
    long long as_id = strtoll(name, &end, 10);
    if (kw_store_brand_list(s, &list, &n))
        return cli_fail("brand add: %s", kw_error_last());
    for (size_t i = 0; i < n; i++) {
        if (same_folded(list[i]->name, name) && strcmp(list[i]->name, name) != 0) {
            rc = cli_fail("brand add: a brand '%s' exists already, and names that differ only "
                          "in case or width (Lumi, ＬＵＭＩ) match the same posts (change it "
                          "with `brand edit`)",
                          list[i]->name);
            kw_brand_list_free(list, n);
            return rc;
        }
        if (*end == '\0' && name[0] >= '1' && name[0] <= '9' && as_id == list[i]->id)
            snprintf(shadowed, sizeof shadowed, "%s", list[i]->name);
    }
    kw_brand_list_free(list, n);
    if (!a->query) {
        if (default_query(&deflt, name, a->aliases, a->n_aliases))
            return cli_fail("brand add: out of memory");
        a->query = deflt;
        if (check_query("brand add: the name makes no query (give --query)", a->query))
            goto cleanup;
    } else if (check_query("brand add: --query", a->query)) {
        goto cleanup;
    }
    b.query = (char *)a->query;
    if (a->comp && resolve_competitor(s, a->comp, &b.competitor_of))
        goto cleanup;
    if (kw_store_brand_add(s, &b, &id)) {
        rc = cli_fail("brand add: %s", kw_error_last());
        goto cleanup;
    }
    kw_store_audit(s, "cli", "brand.add", name, a->query);
    printf("%lld\n", (long long)id);
    if (shadowed[0])
        fprintf(stderr, "kolwatch: brand add: note: where a BRAND is asked for, '%s' now means "
                        "this brand; brand %lld (%s) is reached by its name\n",
                name, as_id, shadowed);
    rc = EXIT_OK;
cleanup:
    if (a->query == deflt)
        a->query = NULL;
    free(deflt);
    return rc;
}

static int do_list(kw_store *s, int json)
{
    kw_brand **list = NULL;
    size_t n = 0;
    if (kw_store_brand_list(s, &list, &n))
        return cli_fail("brand list: %s", kw_error_last());
    if (json) {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(items, brand_json(s, list[i]));
        cJSON_AddItemToObject(o, "items", items);
        cJSON_AddNullToObject(o, "next_cursor");
        jprint(o);
    } else {
        printf("%-5s %-24s %-9s %-11s %s\n", "ID", "NAME", "MENTIONS", "COMPETES", "QUERY");
        for (size_t i = 0; i < n; i++) {
            int64_t m = 0;
            char comp[24] = "-";
            kw_store_mention_count(s, list[i]->id, &m);
            if (list[i]->competitor_of)
                snprintf(comp, sizeof comp, "%lld", (long long)list[i]->competitor_of);
            char name[512];
            printf("%-5lld %s %-9lld %-11s %s\n", (long long)list[i]->id,
                   cli_cell(name, sizeof name, list[i]->name, -1, 24, 0), (long long)m, comp,
                   list[i]->query);
        }
    }
    kw_brand_list_free(list, n);
    return EXIT_OK;
}

static int do_show(kw_store *s, const char *ref, int json)
{
    kw_brand *b = NULL;
    if (kw_store_brand_find(s, ref, &b))
        return cli_fail("brand show: %s", kw_error_last());
    cJSON *o = brand_json(s, b);
    if (json) {
        jprint(o);
    } else {
        cJSON *m = cJSON_GetObjectItem(o, "mentions");
        printf("id:            %lld\nname:          %s\nquery:         %s\naliases:      ",
               (long long)b->id, b->name, b->query);
        for (size_t i = 0; i < b->n_aliases; i++)
            printf(" %s", b->aliases[i]);
        printf("%s\n", b->n_aliases ? "" : " -");
        if (b->competitor_of)
            printf("competitor of: %lld\n", (long long)b->competitor_of);
        printf("created:       %s\nmentions:      %.0f\n",
               cJSON_GetObjectItem(o, "created_at")->valuestring,
               cJSON_IsNumber(m) ? m->valuedouble : 0.0);
        cJSON_Delete(o);
    }
    kw_brand_free(b);
    return EXIT_OK;
}

static int do_edit(kw_store *s, const char *ref, args *a)
{
    kw_brand *b = NULL;
    int rc = EXIT_OK;
    if (kw_store_brand_find(s, ref, &b))
        return cli_fail("brand edit: %s", kw_error_last());
    if (a->query && check_query("brand edit: --query", a->query)) {
        kw_brand_free(b);
        return EXIT_FAIL;
    }
    kw_brand nb = *b;
    char *old_default = NULL, *old_name_only = NULL, *new_default = NULL;
    if (a->name)
        nb.name = (char *)a->name;
    if (a->query)
        nb.query = (char *)a->query;
    if (a->clear || a->n_aliases) {
        nb.aliases = a->aliases;
        nb.n_aliases = a->n_aliases;
    }
    /* A query that was the default (name and aliases, or, for brands made
     * before aliases counted, the name alone) follows a new name or new
     * aliases; one written by hand is kept. */
    if (!a->query && (a->name || a->clear || a->n_aliases) &&
        default_query(&old_default, b->name, b->aliases, b->n_aliases) == 0 &&
        default_query(&old_name_only, b->name, NULL, 0) == 0 &&
        (strcmp(b->query, old_default) == 0 || strcmp(b->query, old_name_only) == 0) &&
        default_query(&new_default, nb.name, nb.aliases, nb.n_aliases) == 0) {
        if (check_query("brand edit: the new name makes no query (give --query)", new_default))
            rc = EXIT_FAIL;
        nb.query = new_default;
    }
    if (a->no_comp)
        nb.competitor_of = 0;
    if (rc) {
        /* said why above */
    } else if (a->comp && resolve_competitor(s, a->comp, &nb.competitor_of)) {
        rc = EXIT_FAIL;
    } else if (kw_store_brand_update(s, &nb)) {
        rc = cli_fail("brand edit: %s", kw_error_last());
    } else {
        kw_store_audit(s, "cli", "brand.edit", nb.name, nb.query);
    }
    free(old_default);
    free(old_name_only);
    free(new_default);
    kw_brand_free(b);
    return rc;
}

static int do_rm(kw_store *s, const char *ref, int force)
{
    kw_brand *b = NULL;
    int64_t n = 0;
    int rc = EXIT_OK;
    if (kw_store_brand_find(s, ref, &b))
        return cli_fail("brand rm: %s", kw_error_last());
    if (kw_store_mention_count(s, b->id, &n)) {
        rc = cli_fail("brand rm: %s", kw_error_last());
    } else if (n > 0 && !force) {
        rc = cli_fail("brand rm: '%s' has %lld mention%s; add --force to remove them "
                      "with it",
                      b->name, (long long)n, n == 1 ? "" : "s");
    } else if (kw_store_brand_remove(s, b->id)) {
        rc = cli_fail("brand rm: %s", kw_error_last());
    } else {
        kw_store_audit(s, "cli", "brand.rm", b->name, NULL);
        fprintf(stderr, "kolwatch: removed brand '%s' (%lld mention link%s)\n", b->name,
                (long long)n, n == 1 ? "" : "s");
    }
    kw_brand_free(b);
    return rc;
}

int cmd_brand(kw_cli *cli, int argc, char **argv)
{
    args a = {0};
    kw_store *s = NULL;
    int c, rc;
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    if (!(a.aliases = calloc((size_t)argc, sizeof *a.aliases)))
        return cli_fail("out of memory");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_QUERY: a.query = optarg; break;
        case O_ALIAS: a.aliases[a.n_aliases++] = optarg; break;
        case O_COMP: a.comp = optarg; break;
        case O_NOCOMP: a.no_comp = 1; break;
        case O_CLEAR: a.clear = 1; break;
        case O_NAME: a.name = optarg; break;
        case O_FORMAT: a.format = optarg; break;
        case O_FORCE: a.force = 1; break;
        case O_HELP: a.help = 1; break;
        case ':':
            free(a.aliases);
            return cli_usage_error("brand", "%s needs a value", (argv + 1)[optind - 1]);
        default:
            free(a.aliases);
            return cli_usage_error("brand", "unknown option '%s'", (argv + 1)[optind - 1]);
        }
    }
    if (a.help) {
        free(a.aliases);
        return fputs(usage, stdout), EXIT_OK;
    }
    /* getopt permuted argv + 1: operands now start at optind (after "sub"). */
    char **rest = argv + 1 + optind;
    int nrest = argc - 1 - optind;
    int json = cli_format(a.format);
    int is_add = strcmp(sub, "add") == 0, is_list = strcmp(sub, "list") == 0;
    int is_show = strcmp(sub, "show") == 0, is_edit = strcmp(sub, "edit") == 0;
    int is_rm = strcmp(sub, "rm") == 0;
    rc = EXIT_USAGE;
    if (!(is_add || is_list || is_show || is_edit || is_rm))
        cli_usage_error("brand", "unknown subcommand '%s'", sub);
    else if (json < 0)
        cli_usage_error("brand", "--format takes table or json");
    else if (is_list ? nrest != 0 : nrest != 1)
        cli_usage_error("brand", is_list ? "list takes no arguments"
                                         : "%s takes exactly one NAME or BRAND", sub);
    else if (a.comp && a.no_comp)
        cli_usage_error("brand", "--competitor-of and --no-competitor exclude each other");
    else
        rc = EXIT_OK;
    if (rc == EXIT_OK && (rc = cli_open_store(cli, &s, 0, 0)) == EXIT_OK) {
        if (is_add)
            rc = do_add(s, rest[0], &a);
        else if (is_list)
            rc = do_list(s, json);
        else if (is_show)
            rc = do_show(s, rest[0], json);
        else if (is_edit)
            rc = do_edit(s, rest[0], &a);
        else
            rc = do_rm(s, rest[0], a.force);
    }
    kw_store_free(s);
    free(a.aliases);
    return rc;
}
