/* `kolwatch parse-feed`: one RSS, Atom or JSON feed in, one JSON object out. */
#include "cli.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch parse-feed [--base URL] [--charset LABEL] FILE|-\n\n"
    "Parse an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document (the format\n"
    "is detected from the content) and print one JSON object:\n"
    "  {\"version\":\"rss20|rss10|rss09x|atom10|atom03|json11\",\n"
    "   \"encoding\":\"utf-8\", \"bozo\":false,\n"
    "   \"feed\":{\"title\",\"link\",\"subtitle\",\"author\",\"updated\"},\n"
    "   \"entries\":[{\"id\",\"title\",\"link\",\"author\",\"published\",\"updated\",\n"
    "                \"summary\",\"content\"}]}\n"
    "Every key is present, null when unknown. Times are RFC 3339 UTC; text is\n"
    "plain text. bozo is true when the document was not well-formed or its\n"
    "declared charset was wrong, yet it was read (the reason goes to stderr).\n\n"
    "  --base URL       resolve relative links against URL (default: the feed's link)\n"
    "  --charset LABEL  the charset an HTTP header gave (e.g. gbk, big5)\n"
    "FILE - reads standard input. Input that is no feed exits 1.\n";

static int read_all(FILE *f, const char *name, size_t max, char **out, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return kw_error_set(KW_ENOMEM, "%s: out of memory", name);
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                return kw_error_set(KW_ETOOBIG, "%s: over the limit of %zu bytes", name, max);
            }
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return kw_error_set(KW_ENOMEM, "%s: out of memory", name);
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return kw_error_set(KW_EIO, "%s: cannot read it: %s", name, strerror(errno));
    }
    if (n > max) {
        free(buf);
        return kw_error_set(KW_ETOOBIG, "%s: over the limit of %zu bytes", name, max);
    }
    *out = buf;
    *len = n;
    return 0;
}

static cJSON *jstr(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static cJSON *jtime(int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_FEED_NO_TIME)
        return cJSON_CreateNull();
    kw_time_format(buf, sizeof buf, t);
    return cJSON_CreateString(buf);
}

static cJSON *feed_json(const kw_feed *f)
{
    cJSON *o = cJSON_CreateObject(), *feed = cJSON_CreateObject(), *entries = cJSON_CreateArray();
    if (!o || !feed || !entries) {
        cJSON_Delete(o);
        cJSON_Delete(feed);
        cJSON_Delete(entries);
        return NULL;
    }
    cJSON_AddItemToObject(o, "version", cJSON_CreateString(kw_feed_version_name(f->version)));
    cJSON_AddItemToObject(o, "encoding", jstr(f->encoding));
    cJSON_AddItemToObject(o, "bozo", cJSON_CreateBool(f->bozo));
    cJSON_AddItemToObject(feed, "title", jstr(f->title));
    cJSON_AddItemToObject(feed, "link", jstr(f->link));
    cJSON_AddItemToObject(feed, "subtitle", jstr(f->subtitle));
    cJSON_AddItemToObject(feed, "author", jstr(f->author));
    cJSON_AddItemToObject(feed, "updated", jtime(f->updated));
    cJSON_AddItemToObject(o, "feed", feed);
    for (size_t i = 0; i < f->n_entries; i++) {
        const kw_feed_entry *e = &f->entries[i];
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddItemToObject(j, "id", jstr(e->id));
        cJSON_AddItemToObject(j, "title", jstr(e->title));
        cJSON_AddItemToObject(j, "link", jstr(e->link));
        cJSON_AddItemToObject(j, "author", jstr(e->author));
        cJSON_AddItemToObject(j, "published", jtime(e->published));
        cJSON_AddItemToObject(j, "updated", jtime(e->updated));
        cJSON_AddItemToObject(j, "summary", jstr(e->summary));
        cJSON_AddItemToObject(j, "content", jstr(e->content));
        cJSON_AddItemToArray(entries, j);
    }
    cJSON_AddItemToObject(o, "entries", entries);
    return o;
}

/* scheme "://" ...: the scheme a letter, then letters, digits, '+', '-', '.' */
static bool absolute_url(const char *u)
{
    const char *p = u;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    return strncmp(p, "://", 3) == 0 && p[3];
}

int cmd_parse_feed(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"base", required_argument, 0, 'b'},
                                         {"charset", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    kw_feed_options fo = {0};
    char *body = NULL, *text = NULL;
    size_t len = 0;
    kw_feed *feed = NULL;
    cJSON *json = NULL;
    int c, rc = EXIT_FAIL;
    (void)cli;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h')
            return fputs(usage, stdout), EXIT_OK;
        else if (c == 'b')
            fo.base = optarg;
        else if (c == 'c')
            fo.charset = optarg;
        else
            return cli_usage_error("parse-feed", "unknown option or missing value: %s",
                                   argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_usage_error("parse-feed", "give exactly one FILE (or - for standard input)");
    if (fo.charset && !kw_charset_canonical(fo.charset))
        return cli_usage_error("parse-feed", "unknown charset label '%s'", fo.charset);
    if (fo.base && !absolute_url(fo.base))
        return cli_usage_error("parse-feed", "--base must be an absolute URL, not '%s'", fo.base);
    const char *path = argv[optind];
    bool from_stdin = strcmp(path, "-") == 0;
    fo.name = from_stdin ? "standard input" : path;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return cli_fail("parse-feed: %s: %s", path, strerror(errno));
    int r = read_all(f, fo.name, KW_FEED_MAX_BYTES, &body, &len);
    if (!from_stdin)
        fclose(f);
    if (r)
        return cli_fail("parse-feed: %s", kw_error_last());
    if (kw_feed_parse(&feed, body, len, &fo)) {
        rc = cli_fail("parse-feed: %s", kw_error_last());
        goto cleanup;
    }
    if (feed->bozo_message)
        fprintf(stderr, "kolwatch: parse-feed: %s: warning: %s\n", fo.name, feed->bozo_message);
    json = feed_json(feed);
    text = json ? cJSON_PrintUnformatted(json) : NULL;
    if (!text) {
        rc = cli_fail("parse-feed: out of memory");
        goto cleanup;
    }
    puts(text);
    rc = fflush(stdout) == 0 ? EXIT_OK : cli_fail("parse-feed: cannot write the output");
cleanup:
    free(text);
    cJSON_Delete(json);
    kw_feed_free(feed);
    free(body);
    return rc;
}
