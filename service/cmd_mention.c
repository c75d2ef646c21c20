/* `kolwatch mention list`: stored mentions, newest stored first. */
#include "cli.h"
#include "json_out.h"

#include "kolwatch/error.h"
#include "kolwatch/platform.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch mention list [--brand B] [--since DATE] [--until DATE]\n"
    "         [--label positive|negative|neutral] [--platform P] [--limit N]\n"
    "         [--cursor C] [--format table|json]\n\n"
    "List stored mentions, the most recently stored first (default limit 50).\n"
    "--since and --until take a DATE or an RFC 3339 time and filter on the\n"
    "published time (the fetch time when a mention has none); --until is\n"
    "exclusive. JSON output is {\"items\":[...],\"next_cursor\":...}; pass\n"
    "next_cursor to --cursor for the next page.\n";

typedef struct lister {
    int json, first;
    int64_t count, limit, last_id;
} lister;


/* Proportions to four places, as `kolwatch score` prints them. */
static double round4(double v) { return round(v * 10000.0) / 10000.0; }

/* Print s in at most `cols` terminal columns, "…" where it was cut; what a
 * terminal would act on is shown, not acted on (cli_cell). */
static void print_clipped(const char *s, int cols)
{
    char cut[400], more[400];
    cli_cell(cut, sizeof cut, s, -1, 0, cols);
    cli_cell(more, sizeof more, s, -1, 0, cols + 2); /* a wide character may follow */
    fputs(cut, stdout);
    if (strlen(more) > strlen(cut))
        fputs("\xe2\x80\xa6", stdout);
}

static int print_one(void *ctx, const kw_mention *m, const char *const *brands, size_t nb)
{
    lister *l = ctx;
    if (++l->count > l->limit)
        return 0; /* the extra row only tells that there is a next page */
    l->last_id = m->id;
    if (!l->json) {
        char t[KW_TIME_TEXT] = "-";
        int64_t when = m->published_at != KW_TIME_NONE ? m->published_at : m->fetched_at;
        if (when != KW_TIME_NONE)
            kw_time_format(t, sizeof t, when);
        char score[16] = "-";
        if (m->scored)
            snprintf(score, sizeof score, "%+.2f", m->score);
        char names[1200];
        printf("%-6lld %-20s %-11s %-8s %6s  %s  ", (long long)m->id, t, m->platform,
               m->scored ? m->label : "-", score,
               cli_names_cell(names, sizeof names, brands, nb, 16));
        print_clipped(m->title && *m->title ? m->title : m->text, 60);
        putchar('\n');
        return 0;
    }
    cJSON *o = cJSON_CreateObject(), *b = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "id", (double)m->id);
    cJSON_AddItemToObject(o, "url", jstr(m->url));
    cJSON_AddItemToObject(o, "canonical_url", jstr(m->canonical_url));
    cJSON_AddItemToObject(o, "platform", jstr(m->platform));
    for (size_t i = 0; i < nb; i++)
        cJSON_AddItemToArray(b, cJSON_CreateString(brands[i]));
    cJSON_AddItemToObject(o, "brands", b);
    cJSON_AddItemToObject(o, "author", jstr(m->author));
    cJSON_AddItemToObject(o, "title", jstr(m->title));
    cJSON_AddItemToObject(o, "text", jstr(m->text));
    cJSON_AddItemToObject(o, "published_at", jtime(m->published_at));
    cJSON_AddItemToObject(o, "fetched_at", jtime(m->fetched_at));
    cJSON_AddItemToObject(o, "likes", jnum(m->likes));
    cJSON_AddItemToObject(o, "comments", jnum(m->comments));
    cJSON_AddItemToObject(o, "shares", jnum(m->shares));
    cJSON_AddItemToObject(o, "views", jnum(m->views));
    cJSON_AddItemToObject(o, "reach", jnum(m->reach));
    cJSON_AddItemToObject(o, "repost_of", m->repost_of ? cJSON_CreateNumber((double)m->repost_of)
                                                       : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "score", m->scored ? cJSON_CreateNumber(m->score) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "label", jstr(m->scored ? m->label : NULL));
    cJSON_AddItemToObject(o, "pos", m->scored ? cJSON_CreateNumber(round4(m->pos)) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "neg", m->scored ? cJSON_CreateNumber(round4(m->neg)) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "neu", m->scored ? cJSON_CreateNumber(round4(m->neu)) : cJSON_CreateNull());
    cJSON *hits = m->scored && m->explanation ? cJSON_Parse(m->explanation) : NULL;
    cJSON_AddItemToObject(o, "hits", hits ? hits : cJSON_CreateNull());
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return kw_error_set(KW_ENOMEM, "out of memory");
    fputs(l->first ? "" : ",", stdout);
    fputs(text, stdout);
    free(text);
    l->first = 0;
    return 0;
}

static int parse_time_opt(const char *opt, const char *v, int64_t *out)
{
    if (kw_time_parse(out, v))
        return cli_usage_error("mention", "%s: %s", opt, kw_error_last());
    return 0;
}

int cmd_mention(kw_cli *cli, int argc, char **argv)
{
    enum { O_BRAND = 1, O_SINCE, O_UNTIL, O_LABEL, O_PLATFORM, O_LIMIT, O_CURSOR, O_FORMAT, O_HELP };
    static const struct option opts[] = {
        {"brand", required_argument, 0, O_BRAND},   {"since", required_argument, 0, O_SINCE},
        {"until", required_argument, 0, O_UNTIL},   {"label", required_argument, 0, O_LABEL},
        {"platform", required_argument, 0, O_PLATFORM}, {"limit", required_argument, 0, O_LIMIT},
        {"cursor", required_argument, 0, O_CURSOR}, {"format", required_argument, 0, O_FORMAT},
        {"help", no_argument, 0, O_HELP},           {0, 0, 0, 0}};
    kw_mention_filter f = {.since = KW_TIME_NONE, .until = KW_TIME_NONE, .newest_first = 1};
    const char *brand = NULL, *format = NULL;
    lister l = {.first = 1, .limit = 50};
    kw_store *s = NULL;
    int c, rc;
    char *end;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(usage, argc < 2 ? stderr : stdout), argc < 2 ? EXIT_USAGE : EXIT_OK;
    if (strcmp(argv[1], "list") != 0)
        return cli_usage_error("mention", "unknown subcommand '%s'", argv[1]);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_BRAND: brand = optarg; break;
        case O_SINCE:
            if (parse_time_opt("--since", optarg, &f.since))
                return EXIT_USAGE;
            break;
        case O_UNTIL:
            if (parse_time_opt("--until", optarg, &f.until))
                return EXIT_USAGE;
            break;
        case O_LABEL:
            if (strcmp(optarg, "positive") && strcmp(optarg, "negative") &&
                strcmp(optarg, "neutral"))
                return cli_usage_error("mention", "--label takes positive, negative or "
                                                  "neutral");
            f.label = optarg;
            break;
        case O_PLATFORM:
            if (!kw_platform_valid(optarg))
                return cli_usage_error("mention", "unknown platform '%s'", optarg);
            f.platform = optarg;
            break;
        case O_LIMIT:
        case O_CURSOR: {
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (errno || *end || v < 1)
                return cli_usage_error("mention", "%s takes a whole number of 1 or more",
                                       c == O_LIMIT ? "--limit" : "--cursor");
            if (c == O_LIMIT)
                l.limit = v;
            else
                f.after_id = v;
            break;
        }
        case O_FORMAT: format = optarg; break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':':
            return cli_usage_error("mention", "%s needs a value", (argv + 1)[optind - 1]);
        default:
            return cli_usage_error("mention", "unknown option '%s'", (argv + 1)[optind - 1]);
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error("mention", "unexpected argument '%s'", argv[optind + 1]);
    if ((l.json = cli_format(format)) < 0)
        return cli_usage_error("mention", "--format takes table or json");
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        return rc;
    if (brand) {
        kw_brand *b = NULL;
        if (kw_store_brand_find(s, brand, &b)) {
            rc = cli_fail("mention list: %s", kw_error_last());
            goto cleanup;
        }
        f.brand_id = b->id;
        kw_brand_free(b);
    }
    f.limit = l.limit + 1;
    if (l.json)
        fputs("{\"items\":[", stdout);
    else
        printf("%-6s %-20s %-11s %-8s %6s  %-16s  %s\n", "ID", "TIME", "PLATFORM", "LABEL",
               "SCORE", "BRANDS", "TITLE/TEXT");
    if (kw_store_mention_each(s, &f, print_one, &l)) {
        if (l.json)
            fputs("]}\n", stdout);
        rc = cli_fail("mention list: %s", kw_error_last());
        goto cleanup;
    }
    if (l.json) {
        if (l.count > l.limit)
            printf("],\"next_cursor\":\"%lld\"}\n", (long long)(l.last_id));
        else
            fputs("],\"next_cursor\":null}\n", stdout);
    } else if (l.count > l.limit) {
        fprintf(stderr, "kolwatch: more mentions follow; --limit raises the count\n");
    }
cleanup:
    kw_store_free(s);
    return rc;
}
