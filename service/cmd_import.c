/*
 * `kolwatch import mentions FILE.jsonl`: the hand-loading path for mentions.
 * Each line is checked whole before anything is written; good lines go in
 * one transaction per batch, so a crash loses at most the open batch and a
 * second run of the same file adds exactly what the first did not.
 */
#include "cli.h"

#include "kolwatch/error.h"
#include "kolwatch/platform.h"
#include "kolwatch/store.h"
#include "kolwatch/textio.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch import mentions FILE.jsonl   (FILE may be - for stdin)\n\n"
    "Load mentions, one JSON object a line:\n"
    "  brand (name or id, required), url (http/https, required), text (required),\n"
    "  title, author, platform (default other), published_at (RFC 3339),\n"
    "  likes, comments, shares, views (whole numbers >= 0).\n"
    "A mention is unique by its canonical URL: importing a file again adds\n"
    "nothing; a known URL imported for another brand is linked to that brand.\n"
    "Bad lines are reported with their number and reason and skipped; the good\n"
    "lines go in, one transaction per import.batch_size lines. The summary goes\n"
    "to standard error. Exit status 1 if any line was bad.\n";

#define MAX_BRAND_CACHE 256

typedef struct importer {
    kw_store *s;
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

/* Optional string field: NULL when absent; -1 when present but not a string. */
static int opt_string(cJSON *o, const char *key, const char **out)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    *out = v->valuestring;
    return 0;
}

static int opt_count(cJSON *o, const char *key, int64_t *out)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = -1;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9e15 ||
        floor(v->valuedouble) != v->valuedouble)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

/* Check one line and store it. Returns 0 (line stored or reported bad) or a
 * negative KW_E code for a database failure that ends the import. */
static int import_line(importer *im, const char *line, size_t len, long lineno)
{
    const char *brand = NULL, *url = NULL, *text = NULL, *title, *author, *platform;
    const char *published = NULL;
    char canon[4096], hash[65];
    int64_t bid, pub = KW_TIME_NONE;
    kw_mention m = {0};
    int result, rc = 0;

    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    if (len == 0)
        return 0; /* blank lines are allowed and not counted */
    im->lines++;
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!o) {
        char where[64];
        const char *at = cJSON_GetErrorPtr();
        snprintf(where, sizeof where, "%ld", at && at >= line && at <= line + len
                                                 ? (long)(at - line) + 1 : 1L);
        return bad_line(im, lineno, "not valid JSON (error at byte %s)", where);
    }
    if (!cJSON_IsObject(o)) {
        bad_line(im, lineno, "expected a JSON object%s", "");
        goto done;
    }
    if (opt_string(o, "brand", &brand) || !brand || !*brand) {
        cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "brand");
        if (cJSON_IsNumber(b) && b->valuedouble >= 1 && b->valuedouble < 1e15) {
            static char idbuf[32];
            snprintf(idbuf, sizeof idbuf, "%lld", (long long)b->valuedouble);
            brand = idbuf;
        } else {
            bad_line(im, lineno, "'brand' is missing or not a brand name or id%s", "");
            goto done;
        }
    }
    if (opt_string(o, "url", &url) || !url || !*url) {
        bad_line(im, lineno, "'url' is missing or not a string%s", "");
        goto done;
    }
    if (opt_string(o, "text", &text) || !text || !*text) {
        bad_line(im, lineno, "'text' is missing, empty or not a string%s", "");
        goto done;
    }
    if (opt_string(o, "title", &title) || opt_string(o, "author", &author) ||
        opt_string(o, "platform", &platform) ||
        opt_string(o, "published_at", &published)) {
        bad_line(im, lineno, "title, author, platform and published_at must be "
                             "strings%s", "");
        goto done;
    }
    if (!platform)
        platform = "other";
    if (!kw_platform_valid(platform)) {
        bad_line(im, lineno, "unknown platform '%.40s' (weibo, xiaohongshu, douyin, "
                             "bilibili, zhihu, wechat, kuaishou, x, instagram, tiktok, "
                             "youtube, reddit, news, blog, forum, other)", platform);
        goto done;
    }
    if (published && kw_time_parse(&pub, published)) {
        bad_line(im, lineno, "published_at: %s", kw_error_last());
        goto done;
    }
    if (opt_count(o, "likes", &m.likes) || opt_count(o, "comments", &m.comments) ||
        opt_count(o, "shares", &m.shares) || opt_count(o, "views", &m.views)) {
        bad_line(im, lineno, "likes, comments, shares and views must be whole numbers "
                             "of 0 or more%s", "");
        goto done;
    }
    if (kw_url_canonical(canon, sizeof canon, url)) {
        bad_line(im, lineno, "url: %s", kw_error_last());
        goto done;
    }
    if ((rc = brand_id(im, brand, &bid))) {
        if (rc != KW_ENOTFOUND)
            goto done;
        rc = 0;
        bad_line(im, lineno, "%s", kw_error_last());
        goto done;
    }
    kw_sha256_hex(hash, text, strlen(text));
    m.url = url;
    m.canonical_url = canon;
    m.content_hash = hash;
    m.platform = platform;
    m.author = author;
    m.title = title;
    m.text = text;
    m.published_at = pub;
    m.fetched_at = KW_TIME_NONE;
    m.reach = m.views;
    if ((rc = kw_store_mention_put(im->s, &m, &bid, 1, &result, NULL)))
        goto done;
    im->in_batch++;
    if (result == KW_PUT_NEW)
        im->added++;
    else if (result == KW_PUT_LINKED)
        im->linked++;
    else
        im->same++;
done:
    cJSON_Delete(o);
    return rc;
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
    if (strcmp(argv[1], "mentions") != 0)
        return cli_usage_error("import", "unknown kind '%s' (only 'mentions')", argv[1]);
    if (argc != 3)
        return cli_usage_error("import", "expected one FILE.jsonl after 'mentions'");
    im.file = argv[2];
    f = strcmp(im.file, "-") == 0 ? stdin : fopen(im.file, "rb");
    if (!f)
        return cli_fail("import: cannot read %s: %s", im.file, strerror(errno));
    if ((rc = cli_open_store(cli, &im.s, 0, 0)))
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
    kw_store_free(im.s);
    if (f && f != stdin)
        fclose(f);
    return rc;
}
