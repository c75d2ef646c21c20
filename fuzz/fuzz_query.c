/*
 * Fuzz target for brand queries: the input is EXPR, or EXPR NUL TEXT. EXPR
 * is compiled; a valid one is matched against TEXT (as title, text and
 * author), an invalid one must name a byte inside it. TEXT is also matched
 * by a fixed query using every construct. Checks that spans lie inside
 * their field, are ordered, hold a match of their term, and that matching
 * twice gives the same result.
 */
#include "kolwatch/error.h"
#include "kolwatch/query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The raw text of a span must be a match of its term on its own. */
static void check_span_text(const kw_query_span *s, const char *f)
{
    static kw_query_match_result r2;
    char *term = strndup(s->term, s->term_len), *phrase = NULL;
    char *raw = strndup(f + s->offset, s->length);
    kw_query *t = NULL;
    if (!term || !raw || kw_query_phrase(&phrase, term) || strlen(phrase) > KW_QUERY_MAX_LEN)
        goto cleanup;
    if (kw_query_compile(&t, phrase, NULL))
        abort(); /* it compiled inside the query */
    kw_query_doc d = {.text = raw};
    if (kw_query_match(t, &d, &r2) == 0 && !r2.match)
        abort();
cleanup:
    kw_query_free(t);
    free(phrase);
    free(term);
    free(raw);
}

static void check(const kw_query *q, const kw_query_doc *d, kw_query_match_result *r)
{
    if (kw_query_match(q, d, r))
        return;
    if (r->nspans > KW_QUERY_MAX_SPANS || (!r->match && r->nspans))
        abort();
    const char *expr = kw_query_expr(q);
    size_t elen = strlen(expr);
    for (size_t i = 0; i < r->nspans; i++) {
        const kw_query_span *s = &r->spans[i];
        const char *f = s->field == KW_QUERY_TITLE    ? d->title
                        : s->field == KW_QUERY_TEXT   ? d->text
                        : s->field == KW_QUERY_AUTHOR ? d->author
                                                      : d->platform;
        if (!f || s->length == 0 || s->offset > strlen(f) || s->length > strlen(f) - s->offset)
            abort();
        if (s->term < expr || s->term + s->term_len > expr + elen)
            abort();
        if (s->field != KW_QUERY_PLATFORM)
            check_span_text(s, f);
        if (i && (s->field < r->spans[i - 1].field ||
                  (s->field == r->spans[i - 1].field && s->offset < r->spans[i - 1].offset)))
            abort();
    }
    int m = r->match;
    size_t n = r->nspans;
    kw_query_span first = n ? r->spans[0] : (kw_query_span){0};
    if (kw_query_match(q, d, r) || r->match != m || r->nspans != n ||
        (n && (r->spans[0].offset != first.offset || r->spans[0].length != first.length)))
        abort();
}

/* Inputs starting with 0x01 are token streams: each byte picks a piece of
 * expression (first half) or of text (second half) from small vocabularies,
 * so that valid queries and matches are common. Without NOT, a match must
 * survive text appended after it. */
static const char *const expr_vocab[] = {
    "lumi", "cream", "露米", "质量", "ＡＣＭＥ", "acme", "\"lumi cream\"", "\"露米 质量\"",
    "\"露米质量\"", " AND ", " OR ", " NOT ", " -", " (", ") ", " NEAR/0 ", " NEAR/2 ",
    " NEAR/5 ", "title:", "author:", "text:", "platform:weibo", " ", "a", "b", "\"a b\"",
    "產品", "产品", "“", "”", "\\", "ace"};
static const char *const text_vocab[] = {
    "Lumi", " ", "cream", "露", "米", "質量", "质", "量", ",", "ＡＣＭＥ", "acme", "a", "b",
    "-", "产品", "產品", "\xff", "\xe9\x9c", "LUMI", "Acme", "。", "ace", "\"", "c"};
#define NV(v) (sizeof(v) / sizeof((v)[0]))

static void token_mode(const uint8_t *data, size_t size, kw_query_match_result *r)
{
    char expr[2048] = "", text[2048] = "", more[4200];
    size_t half = size / 2, el = 0, tl = 0;
    int negative = 0;
    for (size_t i = 1; i < size; i++) {
        int in_expr = i <= half;
        const char *w = in_expr ? expr_vocab[data[i] % NV(expr_vocab)]
                                : text_vocab[data[i] % NV(text_vocab)];
        char *dst = in_expr ? expr : text;
        size_t *len = in_expr ? &el : &tl, n = strlen(w);
        if (*len + n >= sizeof expr)
            break;
        memcpy(dst + *len, w, n + 1);
        *len += n;
        if (in_expr && (strstr(w, "NOT") || strchr(w, '-')))
            negative = 1;
    }
    kw_query *q = NULL;
    if (kw_query_compile(&q, expr, NULL))
        return;
    kw_query_doc d = {.title = text, .text = text, .author = text, .platform = "weibo"};
    check(q, &d, r);
    if (!negative && r->match) {
        snprintf(more, sizeof more, "%s 。 %s", text, expr);
        kw_query_doc d2 = {.title = d.title, .text = more, .author = d.author,
                           .platform = d.platform};
        if (kw_query_match(q, &d2, r) == 0 && !r->match)
            abort();
    }
    kw_query_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kw_query *fixed;
    static kw_query_match_result r;
    if (!fixed) {
        if (kw_query_compile(&fixed,
                             "(\"lumi cream\" OR 露米 OR ＡＣＭＥ) -title:招聘 "
                             "(质量 NEAR/3 好 OR \"bad\" NEAR/2 lumi OR author:(fan OR 粉丝)) "
                             "OR platform:weibo a",
                             NULL))
            abort();
        kw_query_match_result_init(&r);
    }
    if (size > 0 && data[0] == 1) {
        token_mode(data, size, &r);
        return 0;
    }
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *expr = buf;
    size_t elen = strlen(buf);
    const char *text = elen < size ? buf + elen + 1 : "Lumi cream 露米的質量很好 ACME";
    kw_query_doc d = {.title = text, .text = text, .author = text, .platform = "weibo"};

    kw_query *q = NULL;
    size_t at = (size_t)-1;
    int rc = kw_query_compile(&q, expr, &at);
    if (rc == 0) {
        if (!q || strcmp(kw_query_expr(q), expr) != 0)
            abort();
        check(q, &d, &r);
        kw_query_free(q);
    } else if (rc == KW_EINVAL) {
        char byte[40];
        snprintf(byte, sizeof byte, "byte %zu", at);
        if (q || at > elen || !strstr(kw_error_last(), byte))
            abort();
    } else if (rc != KW_ENOMEM) {
        abort();
    }
    kw_query_doc t = {.title = expr, .text = text, .author = NULL, .platform = NULL};
    check(fixed, &t, &r);

    /* the phrase of any text compiles, or is refused for having no word */
    char *phrase = NULL;
    if (kw_query_phrase(&phrase, expr) == 0) {
        rc = kw_query_compile(&q, phrase, NULL);
        if (rc == 0) {
            kw_query_doc self = {.text = expr};
            kw_query_match(q, &self, &r);
            /* a phrase always finds the text it was made from */
            if (!r.match)
                abort();
            kw_query_free(q);
        } else if (rc == KW_EINVAL && strlen(phrase) <= KW_QUERY_MAX_LEN &&
                   !strstr(kw_error_last(), "no letter") &&
                   !strstr(kw_error_last(), "empty phrase") &&
                   !strstr(kw_error_last(), "invalid UTF-8")) {
            abort();
        }
        free(phrase);
    }
    free(buf);
    return 0;
}
