/*
 * `kolwatch rescore`: score stored mentions again after a lexicon change.
 * One transaction per batch, so an interrupted rescore leaves every
 * mention and bucket consistent and can simply be run again.
 */
#include "cli.h"
#include "cli_args.h"
#include "scoring.h"

#include "kolwatch/error.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch rescore [--brand B] [--since DATE] [--until DATE]\n"
    "         [--lexicon PATH[:FORMAT]]... [--no-builtin] [--threshold X]\n\n"
    "Score stored mentions again (all, or a brand's, or those published in a\n"
    "time range) with the current lexicons, update their labels, explanations\n"
    "and the brand buckets, and say how many labels changed. --lexicon,\n"
    "--no-builtin and --threshold work as in `kolwatch score`.\n";

#define BATCH 500

typedef struct rescorer {
    kw_store *s;
    kw_scorer *scorer;
    kw_result r;
    int64_t done, changed, last_id, to[3];
    int failed;
} rescorer;

static int one(void *ctx, const kw_mention *m, const char *const *brands, size_t nb)
{
    rescorer *rs = ctx;
    kw_mention upd = {0};
    char *explanation = NULL;
    int changed = 0;
    (void)brands, (void)nb;
    rs->last_id = m->id;
    if (cli_score_mention(rs->scorer, &rs->r, m->text, &upd, &explanation) ||
        kw_store_mention_rescore(rs->s, m->id, &upd, &changed)) {
        free(explanation);
        rs->failed = 1;
        return 1;
    }
    free(explanation);
    rs->done++;
    if (changed) {
        rs->changed++;
        rs->to[upd.label[0] == 'p' ? 0 : upd.label[0] == 'n' && upd.label[2] == 'g' ? 1 : 2]++;
    }
    return 0;
}

int cmd_rescore(kw_cli *cli, int argc, char **argv)
{
    enum { O_BRAND = 1, O_SINCE, O_UNTIL, O_LEX, O_NOB, O_THR, O_HELP };
    static const struct option opts[] = {
        {"brand", required_argument, 0, O_BRAND}, {"since", required_argument, 0, O_SINCE},
        {"until", required_argument, 0, O_UNTIL}, {"lexicon", required_argument, 0, O_LEX},
        {"no-builtin", no_argument, 0, O_NOB},    {"threshold", required_argument, 0, O_THR},
        {"help", no_argument, 0, O_HELP},         {0, 0, 0, 0}};
    kw_mention_filter f = {.since = KW_TIME_NONE, .until = KW_TIME_NONE, .limit = BATCH};
    rescorer rs = {0};
    const char *brand = NULL;
    const char **specs = calloc((size_t)argc + 1, sizeof *specs);
    size_t nspecs = 0;
    int c, rc = EXIT_OK, no_builtin = 0, tty = isatty(STDERR_FILENO);
    if (!specs)
        return cli_fail("out of memory");
    kw_result_init(&rs.r);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        switch (c) {
        case O_BRAND: brand = optarg; break;
        case O_SINCE:
            if (arg_date("rescore", "--since", optarg, &f.since))
                rc = EXIT_USAGE;
            break;
        case O_UNTIL:
            if (arg_date("rescore", "--until", optarg, &f.until))
                rc = EXIT_USAGE;
            break;
        case O_LEX: specs[nspecs++] = optarg; break;
        case O_NOB: no_builtin = 1; break;
        case O_THR:
            if (kw_config_set(cli->config, "sentiment.threshold", optarg, SRC_FLAG))
                rc = cli_usage_error("rescore", "--threshold: %s", kw_error_last());
            break;
        case O_HELP:
            fputs(usage, stdout);
            goto cleanup;
        case ':': rc = cli_usage_error("rescore", "%s needs a value", flag); break;
        default: rc = cli_usage_error("rescore", "unknown option '%s'", flag); break;
        }
        if (rc)
            goto cleanup;
    }
    if (optind < argc) {
        rc = cli_usage_error("rescore", "unexpected argument '%s'", argv[optind]);
        goto cleanup;
    }
    if ((rc = cli_open_store(cli, &rs.s, 0, 0)) ||
        (rc = cli_scorer(cli, specs, nspecs, no_builtin, &rs.scorer)))
        goto cleanup;
    if (brand) {
        kw_brand *b = NULL;
        if (kw_store_brand_find(rs.s, brand, &b)) {
            rc = cli_fail("rescore: %s", kw_error_last());
            goto cleanup;
        }
        f.brand_id = b->id;
        kw_brand_free(b);
    }
    for (;;) {
        int64_t before = rs.done;
        f.after_id = rs.last_id;
        if (kw_store_begin(rs.s)) {
            rc = cli_fail("rescore: %s", kw_error_last());
            break;
        }
        int erc = kw_store_mention_each(rs.s, &f, one, &rs);
        if (erc || rs.failed) {
            char msg[KW_ERROR_MAX];
            snprintf(msg, sizeof msg, "%s", kw_error_last());
            kw_store_rollback(rs.s);
            rc = cli_fail("rescore: %s (batches before this one are stored; run it again to "
                          "finish)", msg);
            break;
        }
        if (kw_store_commit(rs.s)) {
            rc = cli_fail("rescore: %s", kw_error_last());
            break;
        }
        if (tty)
            fprintf(stderr, "\r%lld mentions scored, %lld labels changed", (long long)rs.done,
                    (long long)rs.changed);
        if (rs.done - before < BATCH)
            break;
    }
    if (tty)
        fputc('\n', stderr);
    if (!rc)
        fprintf(stderr,
                "kolwatch: rescore: %lld mentions scored, %lld labels changed (now %lld "
                "positive, %lld negative, %lld neutral among them)\n",
                (long long)rs.done, (long long)rs.changed, (long long)rs.to[0],
                (long long)rs.to[1], (long long)rs.to[2]);
cleanup:
    kw_result_release(&rs.r);
    kw_scorer_free(rs.scorer);
    kw_store_free(rs.s);
    free(specs);
    return rc;
}
