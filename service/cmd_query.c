/*
 * `kolwatch query test`: try a brand query on a text before storing it, and
 * see whether and where it matches. It only reads its arguments; an invalid
 * expression is a run-time input error (exit 1), a bad flag a usage error.
 */
#include "cli.h"
#include "json_out.h"

#include "kolwatch/error.h"
#include "kolwatch/platform.h"
#include "kolwatch/query.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch query test EXPR [--text TEXT] [--title T] [--author A]\n"
    "                               [--platform P] [--format table|json]\n\n"
    "Match the brand query EXPR against one item and show whether it matches and\n"
    "where: for each term that made it match, the field, the byte offset and\n"
    "length of the match in that field as given, and the term. Give at least one\n"
    "of the fields. JSON: {\"match\":true,\"spans\":[{\"field\":\"text\",\"offset\":12,\n"
    "\"length\":6,\"term\":\"...\",\"text\":\"...\"}],\"truncated\":false}.\n\n"
    "Exit status 0 when EXPR is valid, whether it matches or not; 1 when EXPR is\n"
    "invalid (the message names the byte offset); 2 for bad flags.\n\n"
    "Syntax: words and \"quoted phrases\"; AND (or nothing), OR, NOT or -term;\n"
    "( ); a NEAR/n b (at most n words apart, n characters for Chinese); title:,\n"
    "text:, author:, platform:ID. Matching ignores case, full-width forms and\n"
    "traditional/simplified differences; Latin words match whole words.\n";

enum { O_TEXT = 1, O_TITLE, O_AUTHOR, O_PLATFORM, O_FORMAT, O_HELP };

static const struct option opts[] = {
    {"text", required_argument, 0, O_TEXT},
    {"title", required_argument, 0, O_TITLE},
    {"author", required_argument, 0, O_AUTHOR},
    {"platform", required_argument, 0, O_PLATFORM},
    {"format", required_argument, 0, O_FORMAT},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

/* Length of the valid UTF-8 sequence at s (n > 0 bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n <= need)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        return 0;
    return need + 1;
}

/* A JSON string of n bytes at s; invalid UTF-8 becomes U+FFFD so that the
 * output stays valid JSON (offsets still count the raw bytes). */
static cJSON *jbytes(const char *s, size_t n)
{
    char *b = malloc(3 * n + 1), *w = b;
    if (!b)
        return cJSON_CreateNull();
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0) {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3;
            i++;
        } else {
            memcpy(w, s + i, k);
            w += k;
            i += k;
        }
    }
    *w = '\0';
    cJSON *j = cJSON_CreateString(b);
    free(b);
    return j;
}

/* Columns the expression takes on a terminal up to byte off, roughly: wide
 * CJK and full-width forms count two. -1 when a control character makes a
 * caret line pointless. */
static int columns(const char *s, size_t off)
{
    int col = 0;
    for (size_t i = 0; i < off;) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t k = utf8_seq(p, off - i);
        uint32_t cp = p[0];
        if (k == 0)
            return -1;
        if (k == 2)
            cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        else if (k == 3)
            cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        else if (k == 4)
            cp = 0x20000;
        if (cp < 0x20 || cp == 0x7F)
            return -1;
        int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
        col += wide ? 2 : 1;
        i += k;
    }
    return col;
}

/* The field's text as given, for showing a span. */
static const char *field_text(const kw_query_doc *d, kw_query_field f)
{
    switch (f) {
    case KW_QUERY_TITLE: return d->title;
    case KW_QUERY_TEXT: return d->text;
    case KW_QUERY_AUTHOR: return d->author;
    case KW_QUERY_PLATFORM: return d->platform;
    }
    return NULL;
}

static void print_json(const kw_query_doc *d, const kw_query_match_result *r)
{
    cJSON *o = cJSON_CreateObject(), *spans = cJSON_CreateArray();
    cJSON_AddBoolToObject(o, "match", r->match);
    for (size_t i = 0; i < r->nspans; i++) {
        const kw_query_span *s = &r->spans[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "field", kw_query_field_name(s->field));
        cJSON_AddNumberToObject(j, "offset", (double)s->offset);
        cJSON_AddNumberToObject(j, "length", (double)s->length);
        cJSON_AddItemToObject(j, "term", jbytes(s->term, s->term_len));
        cJSON_AddItemToObject(j, "text", jbytes(field_text(d, s->field) + s->offset, s->length));
        cJSON_AddItemToArray(spans, j);
    }
    cJSON_AddItemToObject(o, "spans", spans);
    cJSON_AddBoolToObject(o, "truncated", r->truncated);
    jprint(o);
}

static void print_table(const kw_query_doc *d, const kw_query_match_result *r)
{
    printf("match: %s\n", r->match ? "yes" : "no");
    if (!r->nspans)
        return;
    printf("%-9s %-7s %-7s %-24s %s\n", "FIELD", "OFFSET", "LENGTH", "TERM", "TEXT");
    for (size_t i = 0; i < r->nspans; i++) {
        const kw_query_span *s = &r->spans[i];
        size_t size = s->term_len + 32; /* the whole term and its padding */
        char *term = malloc(size);
        printf("%-9s %-7zu %-7zu %s %.*s\n", kw_query_field_name(s->field), s->offset,
               s->length, term ? cli_cell(term, size, s->term, (int)s->term_len, 24, 0) : "?",
               (int)s->length, field_text(d, s->field) + s->offset);
        free(term);
    }
    if (r->truncated)
        printf("(more matches not shown)\n");
}

int cli_query_error(const char *what, const char *expr, size_t at)
{
    int rc = what ? cli_fail("%s: %s", what, kw_error_last()) : cli_fail("%s", kw_error_last());
    int col = columns(expr, at);
    if (col >= 0 && strlen(expr) <= 200)
        fprintf(stderr, "  %s\n  %*s^\n", expr, col, "");
    return rc;
}

static int run_test(const char *expr, const kw_query_doc *d, int json)
{
    kw_query *q = NULL;
    kw_query_match_result r;
    size_t at = 0;
    int rc;
    kw_query_match_result_init(&r);
    if ((rc = kw_query_compile(&q, expr, &at)) != 0) {
        rc = cli_query_error(NULL, expr, at);
        goto cleanup;
    }
    if (kw_query_match(q, d, &r)) {
        rc = cli_fail("query test: %s", kw_error_last());
        goto cleanup;
    }
    if (json)
        print_json(d, &r);
    else
        print_table(d, &r);
    rc = EXIT_OK;
cleanup:
    kw_query_match_result_release(&r);
    kw_query_free(q);
    return rc;
}

int cmd_query(kw_cli *cli, int argc, char **argv)
{
    kw_query_doc d = {0};
    const char *format = NULL;
    int c, help = 0;
    (void)cli;
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
        return fputs(usage, sub ? stdout : stderr), sub ? EXIT_OK : EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_TEXT: d.text = optarg; break;
        case O_TITLE: d.title = optarg; break;
        case O_AUTHOR: d.author = optarg; break;
        case O_PLATFORM: d.platform = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_HELP: help = 1; break;
        case ':':
            return cli_usage_error("query", "%s needs a value", (argv + 1)[optind - 1]);
        default:
            return cli_usage_error("query", "unknown option '%s'", (argv + 1)[optind - 1]);
        }
    }
    if (help)
        return fputs(usage, stdout), EXIT_OK;
    char **rest = argv + 1 + optind;
    int nrest = argc - 1 - optind;
    int json = cli_format(format);
    if (strcmp(sub, "test") != 0)
        return cli_usage_error("query", "unknown subcommand '%s'", sub);
    if (json < 0)
        return cli_usage_error("query", "--format takes table or json");
    if (nrest != 1)
        return cli_usage_error("query", "test takes exactly one EXPR (quote it for the shell)");
    if (!d.text && !d.title && !d.author && !d.platform)
        return cli_usage_error("query", "give the item to match: --text, --title, --author "
                                        "or --platform");
    if (d.platform && !kw_platform_valid(d.platform))
        return cli_usage_error("query", "--platform: unknown platform '%s'", d.platform);
    return run_test(rest[0], &d, json);
}
