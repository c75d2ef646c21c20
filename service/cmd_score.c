/*
 * `kolwatch score`: texts on standard input, one JSON object per line on
 * standard output, in input order. A bad line becomes an error object in
 * place and the run goes on (exit 1); it never stops the stream.
 */
#include "cli.h"
#include "scoring.h"

#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch score [--input lines|jsonl] [--lexicon PATH[:FORMAT]]...\n"
    "                      [--no-builtin] [--explain] [--threshold X]\n"
    "       kolwatch score --text TEXT [--lexicon ...] [--no-builtin] [--threshold X]\n\n"
    "Score texts read from standard input for sentiment; write one JSON object\n"
    "a line: {\"id\":...,\"score\":S,\"label\":\"positive|negative|neutral\",\"pos\":P,\n"
    "\"neg\":N,\"neu\":U}, plus \"hits\" (the terms found and why they count) with\n"
    "--explain. A bad input line gives {\"line\":N,\"error\":\"...\"} and exit status 1.\n\n"
    "  --input lines    each line is one text; id is the line number (default)\n"
    "  --input jsonl    each line is {\"id\": ..., \"text\": \"...\"}; id is echoed\n"
    "  --lexicon SPEC   add a lexicon PATH[:FORMAT], FORMAT kw (default), vader,\n"
    "                   afinn, words+ or words-; repeatable, later ones win\n"
    "                   (also sentiment.lexicons, comma-separated)\n"
    "  --no-builtin     drop the built-in valence lexicons (rule lists stay)\n"
    "  --explain        add the hits to each object\n"
    "  --threshold X    |score| >= X is positive/negative (default 0.05;\n"
    "                   sentiment.threshold)\n"
    "  --text TEXT      score one text and explain it for a person to read\n\n"
    "Lines longer than sentiment.max_line bytes (default 1M) are errors.\n";

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > nc)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q)
            return -1;
        b->p = q, b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static void fmt_num(char *out, size_t size, double v)
{
    if (!isfinite(v))
        v = 0;
    snprintf(out, size, "%.4f", v);
    size_t n = strlen(out);
    while (n >= 2 && out[n - 1] == '0' && out[n - 2] != '.')
        out[--n] = '\0';
    if (strcmp(out, "-0.0") == 0)
        snprintf(out, size, "0.0");
}

/* --- a small validating JSON reader for one input line ------------------ */

typedef struct jp {
    const char *s, *p, *end;
    char err[160];
} jp;

static int jfail(jp *j, const char *what)
{
    if (!j->err[0])
        snprintf(j->err, sizeof j->err, "invalid JSON at byte %zu: %s",
                 (size_t)(j->p - j->s) + 1, what);
    return -1;
}

static void jws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
        j->p++;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    return buf_put(b, u, n);
}

/* A string at j->p; decoded into out when out is not NULL. */
static int jstring(jp *j, buf *out)
{
    if (j->p >= j->end || *j->p != '"')
        return jfail(j, "expected a string");
    j->p++;
    while (j->p < j->end) {
        const char *q = j->p;
        while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        if (out && q > j->p && buf_put(out, j->p, (size_t)(q - j->p)))
            return jfail(j, "out of memory");
        j->p = q;
        if (q >= j->end)
            break;
        if (*q == '"') {
            j->p++;
            return 0;
        }
        if ((unsigned char)*q < 0x20)
            return jfail(j, "control character in a string");
        /* escape */
        if (q + 1 >= j->end)
            break;
        char c = q[1];
        const char *simple = strchr("\"\\/bfnrt", c);
        if (c != '\0' && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            char ch = map[simple - "\"\\/bfnrt"];
            if (out && buf_put(out, &ch, 1))
                return jfail(j, "out of memory");
            j->p = q + 2;
            continue;
        }
        if (c != 'u')
            return jfail(j, "bad escape in a string");
        uint32_t cp, lo;
        if (j->end - q < 6 || hex4(q + 2, &cp))
            return jfail(j, "bad \\u escape");
        j->p = q + 6;
        if (cp >= 0xD800 && cp < 0xDC00) {
            if (j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
                !hex4(j->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                j->p += 6;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xDC00 && cp < 0xE000) {
            cp = 0xFFFD;
        }
        if (out && put_utf8(out, cp))
            return jfail(j, "out of memory");
    }
    return jfail(j, "unterminated string");
}

static int jvalue(jp *j, int depth)
{
    if (depth > 64)
        return jfail(j, "nested deeper than 64 levels");
    jws(j);
    if (j->p >= j->end)
        return jfail(j, "expected a value");
    char c = *j->p;
    if (c == '"')
        return jstring(j, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        jws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                jws(j);
                if (jstring(j, NULL))
                    return -1;
                jws(j);
                if (j->p >= j->end || *j->p != ':')
                    return jfail(j, "expected ':'");
                j->p++;
            }
            if (jvalue(j, depth + 1))
                return -1;
            jws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == close) {
                j->p++;
                return 0;
            }
            return jfail(j, c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    static const char *const lits[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t l = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= l && memcmp(j->p, lits[i], l) == 0) {
            j->p += l;
            return 0;
        }
    }
    /* number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    const char *p = j->p;
    if (p < j->end && *p == '-')
        p++;
    if (p < j->end && *p == '0')
        p++;
    else if (p < j->end && *p >= '1' && *p <= '9')
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    else
        return jfail(j, "expected a value");
    if (p < j->end && *p == '.') {
        p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return jfail(j, "bad number");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < j->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return jfail(j, "bad number");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    j->p = p;
    return 0;
}

/* Parse {"id": ..., "text": "..."}: the raw id span (or none) and the
 * decoded text. */
static int parse_record(jp *j, const char **id, size_t *idlen, buf *text, int *has_text)
{
    buf key = {0};
    int rc = -1;
    *id = NULL, *idlen = 0, *has_text = 0;
    jws(j);
    if (j->p >= j->end || *j->p != '{') {
        jfail(j, "expected an object {\"id\": ..., \"text\": \"...\"}");
        goto cleanup;
    }
    j->p++;
    jws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            jws(j);
            key.n = 0;
            if (jstring(j, &key))
                goto cleanup;
            jws(j);
            if (j->p >= j->end || *j->p != ':') {
                jfail(j, "expected ':'");
                goto cleanup;
            }
            j->p++;
            jws(j);
            int is_id = key.p && key.n == 2 && memcmp(key.p, "id", 2) == 0 && !*id;
            int is_text = key.p && key.n == 4 && memcmp(key.p, "text", 4) == 0 && !*has_text;
            const char *start = j->p;
            if (is_text && j->p < j->end && *j->p == '"') {
                text->n = 0;
                if (buf_put(text, "", 0) || jstring(j, text))
                    goto cleanup;
                *has_text = 1;
            } else {
                if (is_text) {
                    jfail(j, "\"text\" is not a string");
                    goto cleanup;
                }
                if (jvalue(j, 1))
                    goto cleanup;
                if (is_id)
                    *id = start, *idlen = (size_t)(j->p - start);
            }
            jws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == '}') {
                j->p++;
                break;
            }
            jfail(j, "expected ',' or '}'");
            goto cleanup;
        }
    }
    jws(j);
    if (j->p != j->end) {
        jfail(j, "text after the object");
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(key.p);
    return rc;
}

/* --- output ------------------------------------------------------------- */

static void print_error(FILE *out, size_t line, const char *msg)
{
    fprintf(out, "{\"line\":%zu,\"error\":\"", line);
    for (const char *c = msg; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u == '"' || u == '\\')
            fputc('\\', out), fputc(u, out);
        else if (u < 0x20 || u >= 0x7F)
            fprintf(out, "\\u%04x", u < 0x20 ? u : 0xFFFD);
        else
            fputc(u, out);
    }
    fputs("\"}\n", out);
}

static int print_result(FILE *out, const char *id, size_t idlen, const kw_result *r,
                        const char *text, size_t len, int explain)
{
    char s[32], p[32], n[32], u[32];
    fmt_num(s, sizeof s, r->score);
    fmt_num(p, sizeof p, r->pos);
    fmt_num(n, sizeof n, r->neg);
    fmt_num(u, sizeof u, r->neu);
    fputs("{\"id\":", out);
    if (id)
        fwrite(id, 1, idlen, out);
    else
        fputs("null", out);
    fprintf(out, ",\"score\":%s,\"label\":\"%s\",\"pos\":%s,\"neg\":%s,\"neu\":%s", s,
            kw_label_name(r->label), p, n, u);
    if (explain) {
        char *hits = NULL;
        if (kw_result_hits_json(&hits, r, text, len))
            return -1;
        fprintf(out, ",\"hits\":%s", hits);
        free(hits);
    }
    fputs("}\n", out);
    return 0;
}

static void print_human(FILE *out, const kw_result *r, const char *text, size_t len,
                        double threshold)
{
    char s[32], p[32], n[32], u[32], t[32];
    fmt_num(s, sizeof s, r->score);
    fmt_num(p, sizeof p, r->pos);
    fmt_num(n, sizeof n, r->neg);
    fmt_num(u, sizeof u, r->neu);
    fmt_num(t, sizeof t, threshold);
    fprintf(out, "score %s: %s (threshold +/-%s)\n", s, kw_label_name(r->label), t);
    fprintf(out, "proportions: positive %s, negative %s, neutral %s\n", p, n, u);
    if (r->nhits == 0) {
        fputs("no lexicon term found: nothing counts either way\n", out);
        return;
    }
    fputs("why:\n", out);
    for (size_t i = 0; i < r->nhits; i++) {
        const kw_hit *h = &r->hits[i];
        char v[32], c[32];
        fmt_num(v, sizeof v, h->valence);
        fmt_num(c, sizeof c, h->contribution);
        fputs("  \"", out);
        if (h->offset <= len && h->len <= len - h->offset)
            fwrite(text + h->offset, 1, h->len, out);
        fprintf(out, "\" at byte %zu: valence %s%s", h->offset, h->valence > 0 ? "+" : "", v);
        for (int m = 0; m < h->nmods; m++) {
            char mod[64];
            fprintf(out, "%s%s", m ? ", " : "; ", kw_modifier_format(mod, sizeof mod, &h->mods[m]));
        }
        fprintf(out, " -> %s%s\n", h->contribution > 0 ? "+" : "", c);
    }
}

/* --- input -------------------------------------------------------------- */

typedef struct reader {
    FILE *in;
    char chunk[65536];
    size_t pos, fill;
    int eof;
} reader;

/* Next line into line (without \n or a final \r). Returns 1 for a line, 0
 * at end of input, -1 on a read error; *too_long when the line went over
 * max (the rest of it is skipped). */
static int read_line(reader *rd, buf *line, size_t max, int *too_long)
{
    int any = 0;
    line->n = 0;
    *too_long = 0;
    if (buf_put(line, "", 0))
        return -1;
    for (;;) {
        if (rd->pos == rd->fill) {
            if (rd->eof)
                break;
            rd->fill = fread(rd->chunk, 1, sizeof rd->chunk, rd->in);
            rd->pos = 0;
            if (rd->fill == 0) {
                rd->eof = 1;
                if (ferror(rd->in))
                    return -1;
                break;
            }
        }
        any = 1;
        char *start = rd->chunk + rd->pos;
        char *nl = memchr(start, '\n', rd->fill - rd->pos);
        size_t take = nl ? (size_t)(nl - start) : rd->fill - rd->pos;
        if (!*too_long) {
            if (line->n + take > max + 1) {
                *too_long = 1;
            } else if (buf_put(line, start, take)) {
                return -1;
            }
        }
        rd->pos += take;
        if (nl) {
            rd->pos++;
            break;
        }
    }
    if (!any)
        return 0;
    if (!*too_long && line->n > 0 && line->p[line->n - 1] == '\r')
        line->p[--line->n] = '\0';
    if (line->n > max)
        *too_long = 1;
    return 1;
}

int cmd_score(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"input", required_argument, 0, 'i'}, {"lexicon", required_argument, 0, 'l'},
        {"no-builtin", no_argument, 0, 'n'},  {"explain", no_argument, 0, 'e'},
        {"threshold", required_argument, 0, 't'}, {"text", required_argument, 0, 'x'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char **specs = NULL;
    size_t nspecs = 0;
    const char *text = NULL;
    int jsonl = 0, explain = 0, c, rc = EXIT_OK;
    kw_scorer *scorer = NULL;
    kw_scorer_options o;
    kw_result r;
    buf line = {0}, dec = {0};
    reader *rd = NULL;

    kw_result_init(&r);
    kw_scorer_options_init(&o);
    specs = calloc((size_t)argc + 64, sizeof *specs);
    if (!specs)
        return cli_fail("out of memory");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            goto cleanup;
        case 'i':
            if (strcmp(optarg, "lines") == 0)
                jsonl = 0;
            else if (strcmp(optarg, "jsonl") == 0)
                jsonl = 1;
            else {
                rc = cli_usage_error("score", "--input takes lines or jsonl, not '%s'", optarg);
                goto cleanup;
            }
            break;
        case 'l':
            specs[nspecs++] = optarg;
            break;
        case 'n':
            o.no_builtin = 1;
            break;
        case 'e':
            explain = 1;
            break;
        case 't':
            if (kw_config_set(cli->config, "sentiment.threshold", optarg, SRC_FLAG)) {
                rc = cli_usage_error("score", "--threshold: %s", kw_error_last());
                goto cleanup;
            }
            break;
        case 'x':
            text = optarg;
            break;
        default:
            rc = cli_usage_error("score", "unknown option or missing value: %s",
                                 argv[optind - 1]);
            goto cleanup;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error("score", "unexpected argument '%s'", argv[optind]);
        goto cleanup;
    }
    o.threshold = kw_config_double(cli->config, "sentiment.threshold");
    if ((rc = cli_scorer(cli, specs, nspecs, o.no_builtin, &scorer)))
        goto cleanup;
    if (text) {
        size_t len = strlen(text);
        if (kw_score(scorer, text, len, &r)) {
            rc = cli_fail("score: %s", kw_error_last());
            goto cleanup;
        }
        print_human(stdout, &r, text, len, o.threshold);
        goto cleanup;
    }

    size_t max = (size_t)kw_config_int(cli->config, "sentiment.max_line");
    if (!(rd = calloc(1, sizeof *rd))) {
        rc = cli_fail("out of memory");
        goto cleanup;
    }
    rd->in = stdin;
    size_t lineno = 0;
    int got, too_long;
    while ((got = read_line(rd, &line, jsonl ? max * 6 + 64 : max, &too_long)) == 1) {
        char idbuf[32];
        const char *id = idbuf, *t = line.p;
        size_t idlen, tlen = line.n;
        lineno++;
        idlen = (size_t)snprintf(idbuf, sizeof idbuf, "%zu", lineno);
        if (too_long) {
            char msg[128];
            snprintf(msg, sizeof msg, "line %zu is longer than %zu bytes (sentiment.max_line)",
                     lineno, max);
            print_error(stdout, lineno, msg);
            rc = EXIT_FAIL;
            continue;
        }
        if (jsonl) {
            jp j = {line.p, line.p, line.p + line.n, {0}};
            if (lineno == 1 && line.n >= 3 && memcmp(line.p, "\xEF\xBB\xBF", 3) == 0)
                j.s = j.p = line.p + 3; /* a byte-order mark before the first record */
            int has_text;
            jws(&j);
            if (j.p == j.end)
                continue; /* a blank line carries no record */
            if (parse_record(&j, &id, &idlen, &dec, &has_text) || !has_text) {
                char msg[256];
                snprintf(msg, sizeof msg, "line %zu: %s", lineno,
                         j.err[0] ? j.err : "no \"text\" string");
                print_error(stdout, lineno, msg);
                rc = EXIT_FAIL;
                continue;
            }
            t = dec.p, tlen = dec.n;
            if (tlen > max) {
                char msg[128];
                snprintf(msg, sizeof msg, "line %zu: text is longer than %zu bytes "
                         "(sentiment.max_line)", lineno, max);
                print_error(stdout, lineno, msg);
                rc = EXIT_FAIL;
                continue;
            }
        }
        if (kw_score(scorer, t ? t : "", tlen, &r) ||
            print_result(stdout, id, idlen, &r, t ? t : "", tlen, explain)) {
            char msg[KW_ERROR_MAX + 32];
            snprintf(msg, sizeof msg, "line %zu: %s", lineno, kw_error_last());
            print_error(stdout, lineno, msg);
            rc = EXIT_FAIL;
        }
    }
    if (got < 0) {
        rc = cli_fail("score: reading standard input failed after line %zu", lineno);
        goto cleanup;
    }
    if (fflush(stdout) || ferror(stdout))
        rc = cli_fail("score: writing standard output failed");
cleanup:
    kw_result_release(&r);
    kw_scorer_free(scorer);
    free(specs);
    free(line.p);
    free(dec.p);
    free(rd);
    return rc;
}
