/*
 * kolwatch brand queries: the expression that selects the items mentioning
 * a brand, compiled once and matched against many items.
 *
 * Usage:
 *
 *     kw_query *q;
 *     size_t at;
 *     if (kw_query_compile(&q, "\"Lumi\" OR 露米 NOT title:招聘", &at))
 *         fail(kw_error_last());          // names the byte offset `at`
 *     kw_query_match_result r;
 *     kw_query_match_result_init(&r);
 *     for (each item) {
 *         kw_query_doc d = {.title = t, .text = body, .author = a, .platform = "weibo"};
 *         if (kw_query_match(q, &d, &r) == 0 && r.match)
 *             ...;                        // r.spans say where
 *     }
 *     kw_query_match_result_release(&r);
 *     kw_query_free(q);
 *
 * Grammar (crawler/QUERY.md has the long form):
 *
 *     query   := or
 *     or      := and ("OR" and)*
 *     and     := unary (["AND"] unary)*          adjacency means AND
 *     unary   := ("NOT" | "-") unary | near
 *     near    := primary ["NEAR/" n primary]     both sides words or phrases
 *     primary := "(" or ")" | FIELD ":" primary | WORD | '"' PHRASE '"'
 *     FIELD   := title | text | author | platform
 *
 * Precedence is NOT > AND > OR; NEAR/n binds two terms tighter than NOT.
 * Operators are upper-case; "and", "or", "not" are ordinary words. In a
 * phrase, \" is a quotation mark and \\ a backslash; “ and ” also quote.
 * A term without a field searches the title and the text.
 *
 * Matching is on text folded as the scorer folds it (kw_text_fold): full-
 * and half-width forms, upper and lower case, traditional and simplified
 * Chinese are the same. A term is split into words (runs of Latin, Greek,
 * Cyrillic letters and digits) and CJK characters; punctuation and blanks
 * only separate. Words match whole words ("ace" does not match "Acme"),
 * CJK characters match anywhere, and a term's pieces must follow each other
 * in the text with only blanks or punctuation between, except that CJK
 * characters written together must be together in the text.
 *
 * A kw_query is immutable after kw_query_compile: any number of threads may
 * match with one query at once, each with its own kw_query_match_result.
 */
#ifndef KOLWATCH_QUERY_H
#define KOLWATCH_QUERY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of an expression; going over one is an error naming the place. */
#define KW_QUERY_MAX_LEN 4096   /* bytes */
#define KW_QUERY_MAX_DEPTH 64   /* nested parentheses, NOTs and field groups */
#define KW_QUERY_MAX_TERMS 256  /* words, phrases and platform ids written */
#define KW_QUERY_MAX_NEAR 1000  /* the largest n of NEAR/n */
/* Limits of matching. */
#define KW_QUERY_MAX_SPANS 32           /* spans one match reports */
#define KW_QUERY_MAX_FIELD (1u << 30)   /* bytes of one field of a document */

typedef struct kw_query kw_query;

/* Compile the NUL-terminated expression expr. Returns 0 and *out (caller
 * frees with kw_query_free), or:
 *   KW_EINVAL  the expression is invalid or over a limit: kw_error_last()
 *              says what is wrong and where ("query: byte 7: unknown field
 *              'titel' ..."), and *err_offset (when err_offset is not NULL)
 *              gets that byte offset into expr. Invalid UTF-8, unbalanced
 *              parentheses, an operator missing a side, an empty phrase or
 *              a term with no letter, digit or CJK character, an unknown
 *              field or platform id, a bad NEAR/n, too long, too deep, too
 *              many terms, and a query that would match items mentioning
 *              none of its terms (only NOT terms) are refused.
 *   KW_ENOMEM
 * The expression is copied; expr may be freed afterwards. */
int kw_query_compile(kw_query **out, const char *expr, size_t *err_offset);

/* Free q; NULL is a no-op. */
void kw_query_free(kw_query *q);

/* The expression q was compiled from. Borrowed, valid until kw_query_free. */
const char *kw_query_expr(const kw_query *q);

/* The expression that matches text as one phrase: text in quotation marks,
 * with a backslash before every quotation mark (", “, ”, full-width ＂) and
 * backslash in it. A text with no letter, digit or CJK character makes
 * no valid query; kw_query_compile says so. Caller frees *out with free().
 * Returns 0 or KW_ENOMEM. */
int kw_query_phrase(char **out, const char *text);

/* An item to match. Every field is a NUL-terminated string in UTF-8 (bad
 * bytes count as U+FFFD) and may be NULL, which matches nothing. platform
 * is compared exactly with platform:ID terms ("weibo"). All borrowed. */
typedef struct kw_query_doc {
    const char *title;
    const char *text;
    const char *author;
    const char *platform;
} kw_query_doc;

typedef enum kw_query_field {
    KW_QUERY_TITLE = 0,
    KW_QUERY_TEXT,
    KW_QUERY_AUTHOR,
    KW_QUERY_PLATFORM
} kw_query_field;

/* "title", "text", "author" or "platform". */
const char *kw_query_field_name(kw_query_field f);

/* Where a term matched. */
typedef struct kw_query_span {
    kw_query_field field;
    size_t offset;       /* byte offset in the raw field string */
    size_t length;       /* bytes: field[offset, offset+length) is the match
                            exactly as written in the item */
    const char *term;    /* the query's term as written in the expression */
    size_t term_len;     /* (not NUL-terminated; borrowed from the query) */
} kw_query_span;

typedef struct kw_query_match_result {
    int match;              /* 1 when the item matches the query */
    /* When it matches: where the terms that made it match were found (not
     * the terms under NOT, nor those of an OR branch that failed), title
     * first, then text, author and platform, each in text order; at most
     * KW_QUERY_MAX_SPANS of them, the first in that order. */
    kw_query_span spans[KW_QUERY_MAX_SPANS];
    size_t nspans;
    int truncated;          /* 1 when there were more spans than shown */
    void *work;             /* private reusable buffers; they also keep the
                             * last document's folded fields, so matching
                             * several queries against one document with
                             * one result folds its text once */
} kw_query_match_result;

/* Prepare r for use (no allocation). */
void kw_query_match_result_init(kw_query_match_result *r);
/* Free r's buffers; r may be reused after kw_query_match_result_init. */
void kw_query_match_result_release(kw_query_match_result *r);

/* Match doc against q into out. The buffers in out are reused from call to
 * call, so matching allocates nothing once they have grown to the longest
 * document seen. Work is at most proportional to the length of the document
 * times the length of the query's terms; nothing backtracks. Returns 0, or KW_ETOOBIG (a field over
 * KW_QUERY_MAX_FIELD bytes), KW_ENOMEM, KW_EINVAL (q, doc or out NULL); on
 * failure out->match is 0 and there are no spans. The spans' term pointers
 * are valid until q is freed. */
int kw_query_match(const kw_query *q, const kw_query_doc *doc, kw_query_match_result *out);

/* The folded text (kw_text_fold) of field f (title, text or author) of the
 * document last matched into r, when that field was the string `raw` (the
 * same pointer) and was read whole; else NULL. *n gets its length. Valid
 * until r's next match: the pipeline hands it to kw_copy_check_new_folded
 * instead of folding the text again. */
struct kw_folded_char;
const struct kw_folded_char *kw_query_match_folded(const kw_query_match_result *r,
                                                   kw_query_field f, const char *raw,
                                                   size_t *n);

#ifdef __cplusplus
}
#endif
#endif
