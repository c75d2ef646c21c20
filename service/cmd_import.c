/*
 * `kolwatch import mentions FILE.jsonl`: the hand-loading path for mentions.
 * Each line is checked whole before anything is written; good lines go in
 * one transaction per batch, so a crash loses at most the open batch and a
 * second run of the same file adds exactly what the first did not.
 */
#include "cli.h"
#include "import_csv.h"
#include "mention_json.h"
#include "scoring.h"

#include "kolwatch/crawl.h"
#include "kolwatch/error.h"
#include "kolwatch/store.h"
#include "kolwatch/textio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch import mentions FILE.jsonl   (FILE may be - for stdin)\n"
    "       kolwatch import partners FILE.csv\n"
    "       kolwatch import quotes FILE.csv\n\n"
    "Load mentions, one JSON object a line:\n"
    "  brand (name or id, required), url (http/https, required), text (required),\n"
    "  title, author, platform (default other), published_at (RFC 3339),\n"
    "  likes, comments, shares, views (whole numbers >= 0).\n"
    "A mention is unique by its canonical URL: importing a file again adds\n"
    "nothing; a known URL imported for another brand is linked to that brand.\n"
    "Bad lines are reported with their number and reason and skipped; the good\n"
    "lines go in, one transaction per import.batch_size lines, each mention\n"
    "scored for sentiment as it is stored. The summary goes\n"
    "to standard error. Exit status 1 if any line was bad.\n\n"
    "partners and quotes read a spreadsheet's CSV (UTF-8, header row first, English\n"
    "or Chinese headers; see the README). Every bad row is reported with its row\n"
    "number, and then nothing is imported: the file goes in whole or not at all.\n"
    "Partners are matched by name: a row naming a known partner adds an account.\n";

#define MAX_BRAND_CACHE 256

typedef struct importer {
    kw_store *s;
    kw_scorer *scorer;
    kw_result scored;
    const char *file;
    struct {
        char *name;
        int64_t id;
    } brands[MAX_BRAND_CACHE];
    int n_brands;
    long lines, bad, added, linked, same, in_batch;
} importer;

static int bad_line(importer *im, long lineno, const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail);
    fprintf(stderr, "kolwatch: %s:%ld: %s\n", im->file, lineno, msg);
    im->bad++;
    return 0;
}

static int brand_id(importer *im, const char *ref, int64_t *out)
{
    kw_brand *b = NULL;
    for (int i = 0; i < im->n_brands; i++)
        if (strcmp(im->brands[i].name, ref) == 0)
            return *out = im->brands[i].id, 0;
    int rc = kw_store_brand_find(im->s, ref, &b);
    if (rc)
        return rc;
    *out = b->id;
    kw_brand_free(b);
    if (im->n_brands < MAX_BRAND_CACHE && (im->brands[im->n_brands].name = strdup(ref)))
        im->brands[im->n_brands++].id = *out;
    return 0;
}

/* Check one line and store it. Returns 0 (line stored or reported bad) or a
 * negative KW_E code for a database failure that ends the import. */
static int import_line(importer *im, const char *line, size_t len, long lineno)
{
    mention_line ml;
    char why[512];
    int64_t bid;
    int result, rc;
    int got = mention_line_parse(&ml, line, len, why, sizeof why);
    if (got == LINE_BLANK)
        return 0; /* blank lines are allowed and not counted */
    im->lines++;
    if (got == LINE_BAD)
        return bad_line(im, lineno, "%s", why);
    if ((rc = brand_id(im, ml.brand_ref, &bid))) {
        if (rc == KW_ENOTFOUND)
            rc = bad_line(im, lineno, "%s", kw_error_last());
        mention_line_free(&ml);
        return rc;
    }
    char *explanation = NULL;
    if (ml.m.author &&
        (rc = kw_store_partner_by_account(im->s, ml.m.platform, ml.m.author, &ml.m.partner_id))) {
        mention_line_free(&ml);
        return rc;
    }
    kw_copy_check *check = NULL;
    if ((rc = kw_copy_check_new(&check, ml.m.text, strlen(ml.m.text)))) {
        mention_line_free(&ml);
        return rc;
    }
    ml.m.has_signature = kw_copy_check_signature(check, ml.m.signature);
    if ((rc = cli_score_mention(im->scorer, &im->scored, ml.m.text, &ml.m, &explanation))) {
        kw_copy_check_free(check);
        mention_line_free(&ml);
        return rc;
    }
    ml.m.is_copy = kw_copy_check_is;
    ml.m.is_copy_ctx = check;
    rc = kw_store_mention_put(im->s, &ml.m, &bid, 1, &result, NULL);
    kw_copy_check_free(check);
    free(explanation);
    mention_line_free(&ml);
    if (rc)
        return rc;
    im->in_batch++;
    if (result == KW_PUT_NEW)
        im->added++;
    else if (result == KW_PUT_LINKED)
        im->linked++;
    else
        im->same++;
    return 0;
}

static void progress(importer *im, double t0, int final)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double dt = ts.tv_sec + ts.tv_nsec / 1e9 - t0;
    fprintf(stderr, "\r%ld lines, %ld new, %ld bad, %.0f lines/s%s", im->lines,
            im->added, im->bad, dt > 0 ? im->lines / dt : 0.0, final ? "\n" : "");
}

int cmd_import(kw_cli *cli, int argc, char **argv)
{
    importer im = {0};
    kw_linereader *lr = NULL;
    FILE *f = NULL;
    int rc = EXIT_OK, tty = isatty(STDERR_FILENO), db_rc = 0;
    long batch = (long)kw_config_int(cli->config, "import.batch_size");
    struct timespec ts;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return fputs(usage, stdout), EXIT_OK;
    if (argc < 2)
        return cli_usage_error("import", "expected 'mentions FILE.jsonl'");
    if (strcmp(argv[1], "partners") == 0 || strcmp(argv[1], "quotes") == 0) {
        if (argc != 3)
            return cli_usage_error("import", "expected one FILE.csv after '%s'", argv[1]);
        return import_csv(cli, argv[1], argv[2]);
    }
    if (strcmp(argv[1], "mentions") != 0)
        return cli_usage_error("import", "unknown kind '%s' (mentions, partners or quotes)",
                               argv[1]);
    if (argc != 3)
        return cli_usage_error("import", "expected one FILE.jsonl after 'mentions'");
    im.file = argv[2];
    kw_result_init(&im.scored);
    f = strcmp(im.file, "-") == 0 ? stdin : fopen(im.file, "rb");
    if (!f)
        return cli_fail("import: cannot read %s: %s", im.file, strerror(errno));
    if ((rc = cli_open_store(cli, &im.s, 0, 0)) || (rc = cli_scorer(cli, NULL, 0, 0, &im.scorer)))
        goto cleanup;
    if (kw_linereader_new(&lr, f, (size_t)kw_config_int(cli->config, "import.max_line"))) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double t0 = ts.tv_sec + ts.tv_nsec / 1e9;
    char *line;
    size_t len;
    long lineno = 0;
    int got;
    if ((db_rc = kw_store_begin(im.s)))
        goto db_failed;
    while ((got = kw_linereader_next(lr, &line, &len, &lineno)) != 0) {
        if (got == KW_ETOOBIG) {
            im.lines++;
            bad_line(&im, lineno, "%s", "line longer than import.max_line");
            continue;
        }
        if (got < 0) {
            kw_store_rollback(im.s);
            rc = cli_fail("import: %s: %s", im.file, kw_error_last());
            goto summary;
        }
        if ((db_rc = import_line(&im, line, len, lineno)))
            goto db_failed;
        if (im.in_batch >= batch) {
            if ((db_rc = kw_store_commit(im.s)) || (db_rc = kw_store_begin(im.s)))
                goto db_failed;
            im.in_batch = 0;
            if (tty)
                progress(&im, t0, 0);
        }
    }
    if ((db_rc = kw_store_commit(im.s)))
        goto db_failed;
    kw_store_audit(im.s, "cli", "import.mentions", im.file, NULL);
    if (tty)
        progress(&im, t0, 1);
    goto summary;
db_failed : {
    char msg[KW_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s", kw_error_last());
    kw_store_rollback(im.s);
    im.added = im.linked = im.same = -1;
    rc = cli_fail("import: %s: stopped at line %ld: %s (the batch in progress was "
                  "rolled back; earlier batches are stored; run the same import "
                  "again to finish)",
                  im.file, lineno, msg);
    goto cleanup;
}
summary:
    fprintf(stderr,
            "kolwatch: import %s: %ld lines: %ld new, %ld linked to another brand, %ld "
            "already stored, %ld rejected\n",
            im.file, im.lines, im.added, im.linked, im.same, im.bad);
    if (im.bad && rc == EXIT_OK)
        rc = EXIT_FAIL;
cleanup:
    for (int i = 0; i < im.n_brands; i++)
        free(im.brands[i].name);
    kw_linereader_free(lr);
    kw_result_release(&im.scored);
    kw_scorer_free(im.scorer);
    kw_store_free(im.s);
    if (f && f != stdin)
        fclose(f);
    return rc;
}
