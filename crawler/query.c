/*
 * Brand queries (crawler/QUERY.md): an expression compiled into a small tree
 * over folded terms, matched against an item's title, text, author and
 * platform. Whatever the expression or the text, compiling is bounded by the
 * limits of query.h, and matching never backtracks: its work is at most the
 * text's pieces times the query's pieces.
 */
#include "kolwatch/query.h"

#include "kolwatch/error.h"
#include "kolwatch/platform.h"
#include "kolwatch/sentiment.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Field bits; the first three are the text fields, in report order. */
enum { F_TITLE = 1, F_TEXT = 2, F_AUTHOR = 4, F_PLATFORM = 8, F_DEFAULT = F_TITLE | F_TEXT };
#define NTEXTFIELDS 3

/* One piece of a term: a word, or one CJK character. */
typedef struct qtok {
    uint32_t cp0, ncp; /* its folded code points: q->cps[cp0, +ncp) */
    uint32_t hash;
    uint8_t cjk;
    uint8_t tight;     /* a CJK character written right after another one:
                          they must be adjacent in the text too */
} qtok;

typedef struct qterm {
    uint32_t tok0, ntok;     /* pieces: q->toks[tok0, +ntok) */
    uint32_t raw_off, raw_len; /* as written in the expression */
    uint8_t fields;          /* fields searched for it as a plain term */
    uint8_t cjk;             /* has a CJK piece: NEAR/n counts characters */
    uint8_t platform;        /* a platform id, compared exactly */
} qterm;

enum { N_TERM, N_NEAR, N_NOT, N_AND, N_OR, N_DEAD };

typedef struct qnode {
    uint8_t type;
    uint8_t fields;  /* TERM, NEAR: the fields it applies to */
    uint16_t dist;   /* NEAR */
    int32_t a, b;    /* TERM: a = term; NEAR: a, b = terms; NOT: a = child;
                        AND, OR: a = first child */
    int32_t next;    /* next child of the parent AND / OR, or -1 */
    uint32_t offset; /* byte offset in the expression */
} qnode;

struct kw_query {
    char *expr;
    size_t len;
    qnode *nodes;
    size_t nnodes;
    qterm *terms;
    size_t nterms;
    qtok *toks;
    size_t ntoks;
    uint32_t *cps;
    size_t ncps;
    int32_t root;
};

static inline uint32_t hash_cp(uint32_t h, uint32_t cp)
{
    h = (h ^ cp) * 0x9E3779B1u; /* one multiply a character: this runs on every one */
    return h ^ (h >> 15);
}
#define HASH_INIT 2166136261u

/* ------------------------------------------------------------------------
 * Lexer: the expression is folded first (so that full-width brackets,
 * quotes, colons and blanks work), but operators and field names are
 * recognised on the raw bytes: "ＡＮＤ" and "and" are words.
 */

enum { L_END, L_WORD, L_PHRASE, L_LPAREN, L_RPAREN, L_AND, L_OR, L_NOT, L_NEAR, L_FIELD };

typedef struct ltok {
    int type;
    size_t a, b;    /* WORD, PHRASE: folded chars [a, b) of the content */
    size_t off;     /* byte offset of the token */
    size_t end;     /* byte offset just after it */
    int value;      /* NEAR: the distance; FIELD: its F_ bit */
} ltok;

typedef struct parser {
    kw_query *q;
    const char *s;
    size_t len;
    kw_folded_char *fc;
    size_t nfc;
    ltok *lt;
    size_t nlt, pos;
    int depth;
    uint8_t field;       /* field of the enclosing field group, 0 if none */
    size_t nwritten;     /* terms written, for the limit */
    size_t err_off;
} parser;

static int fail(parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(parser *p, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->err_off = off;
    return kw_error_set(KW_EINVAL, "query: byte %zu: %s", off, msg);
}

static int is_blank(uint32_t cp, uint8_t kind)
{
    return kind == KW_FOLD_SPACE || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' ||
           cp == '\f';
}

static int is_quote(uint32_t cp)
{
    return cp == '"' || cp == 0x201C || cp == 0x201D;
}

static int ends_word(const kw_folded_char *c)
{
    return is_blank(c->cp, c->kind) || c->cp == '(' || c->cp == ')' || is_quote(c->cp);
}

/* The byte just after folded chars [a, b) (b > a). */
static size_t raw_end(const parser *p, size_t b)
{
    return b > 0 ? p->fc[b - 1].offset + p->fc[b - 1].len : 0;
}

static int raw_is(const parser *p, size_t off, size_t end, const char *word)
{
    size_t n = strlen(word);
    return end - off == n && memcmp(p->s + off, word, n) == 0;
}

static const struct {
    const char *name;
    int bit;
} field_names[] = {
    {"title", F_TITLE}, {"text", F_TEXT}, {"author", F_AUTHOR}, {"platform", F_PLATFORM}};

static const char *field_label(int bit)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (field_names[i].bit == bit)
            return field_names[i].name;
    return "?";
}

/* A word that starts with Latin letters (ASCII or full-width, as an input
 * method in full-width mode types them) and a colon may be a field:
 * returns its F_ bit, 0 when the letters are no field name, -1 when the
 * word does not have that shape. Compared folded: case and width aside. */
static int field_prefix(const parser *p, size_t a, size_t colon)
{
    char name[16];
    size_t n = colon - a;
    int wide = 0; /* written in full-width letters */
    if (n == 0)
        return -1;
    for (size_t i = a; i < colon; i++) {
        uint32_t c = p->fc[i].cp;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return -1;
        wide |= p->fc[i].len > 1;
        if (i - a < sizeof name - 1)
            name[i - a] = (char)(c | 0x20);
    }
    if (n < sizeof name) {
        name[n] = '\0';
        for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
            if (strcmp(name, field_names[i].name) == 0)
                return field_names[i].bit;
    }
    /* an unknown name in full-width letters is a word, as it always was
     * (queries stored before full-width field names were read) */
    return wide ? -1 : 0;
}

/* At most 64 bytes of s[0, n) for a message, cut between characters. */
static int clip(const char *s, size_t n)
{
    if (n <= 64)
        return (int)n;
    n = 64;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static int lex_near(parser *p, ltok *t)
{
    const char *w = p->s + t->off;
    size_t n = t->end - t->off;
    if (n == 4)
        return fail(p, t->off, "NEAR needs a distance: NEAR/n with n from 0 to %d",
                    KW_QUERY_MAX_NEAR);
    long v = 0;
    size_t i = 5;
    if (i == n)
        return fail(p, t->off, "bad NEAR/n: no number after 'NEAR/' (n from 0 to %d)",
                    KW_QUERY_MAX_NEAR);
    for (; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return fail(p, t->off, "bad NEAR/n: '%.*s' is not a number from 0 to %d",
                        clip(w + 5, n - 5), w + 5, KW_QUERY_MAX_NEAR);
        v = v * 10 + (w[i] - '0');
        if (v > KW_QUERY_MAX_NEAR)
            return fail(p, t->off, "bad NEAR/n: the distance is over %d", KW_QUERY_MAX_NEAR);
    }
    t->type = L_NEAR;
    t->value = (int)v;
    return 0;
}

/* Split the whole expression into tokens, into p->lt. */
static int lex(parser *p)
{
    size_t i = 0;
    p->nlt = 0;
    for (;;) {
        while (i < p->nfc && is_blank(p->fc[i].cp, p->fc[i].kind))
            i++;
        ltok *t = &p->lt[p->nlt++];
        memset(t, 0, sizeof *t);
        if (i == p->nfc) {
            t->type = L_END;
            t->off = t->end = p->len;
            return 0;
        }
        const kw_folded_char *c = &p->fc[i];
        t->off = c->offset;
        t->end = c->offset + c->len;
        if (c->cp == '(' || c->cp == ')') {
            t->type = c->cp == '(' ? L_LPAREN : L_RPAREN;
            i++;
            continue;
        }
        if (is_quote(c->cp)) {
            size_t j = i + 1;
            while (j < p->nfc && !is_quote(p->fc[j].cp))
                j += p->fc[j].cp == '\\' && j + 1 < p->nfc ? 2 : 1;
            if (j >= p->nfc)
                return fail(p, t->off, "unterminated phrase: this quotation mark is never "
                                       "closed");
            t->type = L_PHRASE;
            t->a = i + 1;
            t->b = j;
            t->end = p->fc[j].offset + p->fc[j].len;
            i = j + 1;
            continue;
        }
        if (c->cp == '-' && i + 1 < p->nfc && !is_blank(p->fc[i + 1].cp, p->fc[i + 1].kind) &&
            p->fc[i + 1].cp != ')') {
            t->type = L_NOT; /* -term, -"phrase", -(group) */
            i++;
            continue;
        }
        size_t j = i;
        int shape_checked = 0;
        for (; j < p->nfc && !ends_word(&p->fc[j]); j++) {
            if (p->fc[j].cp == ':' && !shape_checked) {
                shape_checked = 1;
                int f = field_prefix(p, i, j);
                if (f == 0)
                    return fail(p, t->off,
                                "unknown field '%.*s' (fields are title, text, author and "
                                "platform; put the term in quotation marks to search for "
                                "it as written)",
                                clip(p->s + t->off, p->fc[j].offset - t->off), p->s + t->off);
                if (f > 0) {
                    t->type = L_FIELD;
                    t->value = f;
                    t->end = p->fc[j].offset + p->fc[j].len;
                    break;
                }
            }
        }
        if (t->type == L_FIELD) {
            i = j + 1;
            continue;
        }
        t->type = L_WORD;
        t->a = i;
        t->b = j;
        t->end = raw_end(p, j);
        if (raw_is(p, t->off, t->end, "AND"))
            t->type = L_AND;
        else if (raw_is(p, t->off, t->end, "OR"))
            t->type = L_OR;
        else if (raw_is(p, t->off, t->end, "NOT"))
            t->type = L_NOT;
        else if (raw_is(p, t->off, t->end, "NEAR") ||
                 (t->end - t->off >= 5 && memcmp(p->s + t->off, "NEAR/", 5) == 0)) {
            if (lex_near(p, t))
                return KW_EINVAL;
        }
        i = j;
    }
}

/* ------------------------------------------------------------------------
 * Parser: recursive descent, depth bounded by KW_QUERY_MAX_DEPTH.
 */

static const char *tok_name(const ltok *t)
{
    switch (t->type) {
    case L_AND: return "AND";
    case L_OR: return "OR";
    case L_NOT: return "NOT";
    case L_NEAR: return "NEAR/n";
    default: return "?";
    }
}

static const ltok *peek(const parser *p)
{
    return &p->lt[p->pos];
}

static int starts_operand(const ltok *t)
{
    return t->type == L_WORD || t->type == L_PHRASE || t->type == L_LPAREN ||
           t->type == L_NOT || t->type == L_FIELD;
}

static int32_t new_node(parser *p, int type, uint32_t offset)
{
    kw_query *q = p->q;
    qnode *n = &q->nodes[q->nnodes];
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)type;
    n->a = n->b = n->next = -1;
    n->offset = offset;
    return (int32_t)q->nnodes++;
}

/* Append the pieces of folded chars [a, b) to the query; *ntok gets their
 * number and *cjk whether one is a CJK character. */
static void split_term(parser *p, size_t a, size_t b, uint32_t *ntok, uint8_t *cjk)
{
    kw_query *q = p->q;
    size_t i = a, prev_end = (size_t)-1;
    int prev_cjk = 0;
    *ntok = 0;
    *cjk = 0;
    while (i < b) {
        const kw_folded_char *c = &p->fc[i];
        if (c->kind != KW_FOLD_WORD && c->kind != KW_FOLD_CJK) {
            i++;
            continue;
        }
        qtok *t = &q->toks[q->ntoks++];
        size_t j = i + 1;
        if (c->kind == KW_FOLD_WORD)
            while (j < b && p->fc[j].kind == KW_FOLD_WORD)
                j++;
        t->cp0 = (uint32_t)q->ncps;
        t->ncp = (uint32_t)(j - i);
        t->hash = HASH_INIT;
        for (size_t k = i; k < j; k++) {
            q->cps[q->ncps++] = p->fc[k].cp;
            t->hash = hash_cp(t->hash, p->fc[k].cp);
        }
        t->cjk = c->kind == KW_FOLD_CJK;
        t->tight = t->cjk && prev_cjk && prev_end == i;
        *cjk |= t->cjk;
        prev_cjk = t->cjk;
        prev_end = j;
        (*ntok)++;
        i = j;
    }
}

static int same_pieces(const kw_query *q, const qterm *x, const qterm *y)
{
    if (x->ntok != y->ntok || x->platform || y->platform)
        return 0;
    for (uint32_t i = 0; i < x->ntok; i++) {
        const qtok *s = &q->toks[x->tok0 + i], *t = &q->toks[y->tok0 + i];
        if (s->hash != t->hash || s->ncp != t->ncp || s->tight != t->tight ||
            memcmp(q->cps + s->cp0, q->cps + t->cp0, s->ncp * sizeof(uint32_t)) != 0)
            return 0;
    }
    return 1;
}

/* A TERM node for a WORD or PHRASE token in the current field. */
static int32_t make_term(parser *p, const ltok *t)
{
    kw_query *q = p->q;
    if (++p->nwritten > KW_QUERY_MAX_TERMS)
        return fail(p, t->off, "too many terms: the limit is %d", KW_QUERY_MAX_TERMS), -1;
    /* as written: a word whole, a phrase between its quotation marks */
    size_t roff = t->type == L_PHRASE ? t->off + p->fc[t->a - 1].len : t->off;
    size_t rend = t->type == L_PHRASE ? p->fc[t->b].offset : t->end;
    qterm *nt = &q->terms[q->nterms];
    memset(nt, 0, sizeof *nt);
    nt->raw_off = (uint32_t)roff;
    nt->raw_len = (uint32_t)(rend - roff);
    if (p->field == F_PLATFORM) {
        char id[64];
        if (rend - roff >= sizeof id || rend == roff)
            return fail(p, t->off, "unknown platform '%.*s'", clip(p->s + roff, rend - roff),
                        p->s + roff), -1;
        memcpy(id, p->s + roff, rend - roff);
        id[rend - roff] = '\0';
        if (!kw_platform_valid(id))
            return fail(p, t->off, "unknown platform '%s' (platforms are ids such as weibo, "
                                   "xiaohongshu, douyin, news; see QUERY.md)", id), -1;
        nt->platform = 1;
        nt->fields = F_PLATFORM;
    } else {
        size_t tok0 = q->ntoks, cp0 = q->ncps;
        nt->tok0 = (uint32_t)tok0;
        split_term(p, t->a, t->b, &nt->ntok, &nt->cjk);
        if (nt->ntok == 0) {
            int blank = 1;
            for (size_t i = t->a; i < t->b; i++)
                blank &= is_blank(p->fc[i].cp, p->fc[i].kind);
            if (t->type == L_PHRASE && blank)
                return fail(p, t->off, "empty phrase"), -1;
            return fail(p, t->off, "term '%.*s' has no letter, digit or CJK character",
                        clip(p->s + roff, rend - roff), p->s + roff), -1;
        }
        /* the same pieces written twice share one term */
        for (size_t i = 0; i < q->nterms; i++) {
            if (same_pieces(q, &q->terms[i], nt)) {
                q->ntoks = tok0;
                q->ncps = cp0;
                int32_t n = new_node(p, N_TERM, (uint32_t)t->off);
                q->nodes[n].a = (int32_t)i;
                q->nodes[n].fields = p->field ? p->field : F_DEFAULT;
                return n;
            }
        }
    }
    int32_t n = new_node(p, N_TERM, (uint32_t)t->off);
    q->nodes[n].a = (int32_t)q->nterms++;
    q->nodes[n].fields = p->field ? p->field : F_DEFAULT;
    return n;
}

static int32_t parse_or(parser *p);

static int32_t parse_primary(parser *p)
{
    const ltok *t = peek(p);
    switch (t->type) {
    case L_WORD:
    case L_PHRASE:
        p->pos++;
        return make_term(p, t);
    case L_LPAREN: {
        if (++p->depth > KW_QUERY_MAX_DEPTH)
            return fail(p, t->off, "too deeply nested: the limit is %d levels",
                        KW_QUERY_MAX_DEPTH), -1;
        p->pos++;
        if (peek(p)->type == L_RPAREN)
            return fail(p, t->off, "empty parentheses"), -1;
        int32_t n = parse_or(p);
        if (n < 0)
            return -1;
        if (peek(p)->type != L_RPAREN)
            return fail(p, t->off, "unbalanced parenthesis: this '(' is never closed"), -1;
        p->pos++;
        p->depth--;
        return n;
    }
    case L_FIELD: {
        if (p->field && p->field != t->value)
            return fail(p, t->off, "'%s:' inside '%s:'", field_label(t->value),
                        field_label(p->field)), -1;
        p->pos++;
        const ltok *n = peek(p);
        if (n->type != L_WORD && n->type != L_PHRASE && n->type != L_LPAREN)
            return fail(p, t->off, "'%s:' needs a word, a phrase or a parenthesis right "
                                   "after it", field_label(t->value)), -1;
        uint8_t saved = p->field;
        p->field = (uint8_t)t->value;
        int32_t r = parse_primary(p);
        p->field = saved;
        return r;
    }
    case L_RPAREN:
        return fail(p, t->off, "unbalanced parenthesis: ')' has no '(' before it"), -1;
    case L_END:
        if (p->pos == 0)
            return fail(p, 0, "empty query"), -1;
        return fail(p, t->off, "a term is missing at the end"), -1;
    default:
        return fail(p, t->off, "dangling operator: '%s' has no term before it", tok_name(t)),
               -1;
    }
}

static int32_t parse_near(parser *p)
{
    int32_t l = parse_primary(p);
    if (l < 0 || peek(p)->type != L_NEAR)
        return l;
    const ltok *op = peek(p);
    kw_query *q = p->q;
    if (q->nodes[l].type != N_TERM)
        return fail(p, op->off, "NEAR/%d needs a word or phrase on each side, not a group",
                    op->value), -1;
    p->pos++;
    const ltok *rt = peek(p);
    if (rt->type == L_NOT)
        return fail(p, rt->off, "NEAR/%d needs a word or phrase on each side, not NOT "
                                "(write a NEAR/%d b NOT c)",
                    op->value, op->value), -1;
    if (rt->type != L_WORD && rt->type != L_PHRASE && rt->type != L_FIELD &&
        rt->type != L_LPAREN)
        return fail(p, op->off, "dangling operator: 'NEAR/%d' has no term after it",
                    op->value), -1;
    int32_t r = parse_primary(p);
    if (r < 0)
        return -1;
    if (q->nodes[r].type != N_TERM)
        return fail(p, op->off, "NEAR/%d needs a word or phrase on each side, not a group",
                    op->value), -1;
    if (peek(p)->type == L_NEAR)
        return fail(p, peek(p)->off, "NEAR/n cannot be chained: write a NEAR/n b AND b "
                                     "NEAR/n c"), -1;
    qnode *ln = &q->nodes[l], *rn = &q->nodes[r];
    if (q->terms[ln->a].platform || q->terms[rn->a].platform)
        return fail(p, op->off, "NEAR/%d does not apply to platform:", op->value), -1;
    uint8_t f = ln->fields & rn->fields;
    if (!f)
        return fail(p, op->off, "NEAR/%d joins terms of different fields", op->value), -1;
    ln->type = N_NEAR;
    ln->b = rn->a;
    ln->fields = f;
    ln->dist = (uint16_t)op->value;
    ln->offset = (uint32_t)op->off;
    rn->type = N_DEAD;
    return l;
}

static int32_t parse_unary(parser *p)
{
    const ltok *t = peek(p);
    if (t->type != L_NOT)
        return parse_near(p);
    if (++p->depth > KW_QUERY_MAX_DEPTH)
        return fail(p, t->off, "too deeply nested: the limit is %d levels",
                    KW_QUERY_MAX_DEPTH), -1;
    p->pos++;
    if (!starts_operand(peek(p)))
        return fail(p, t->off, "dangling operator: 'NOT' has no term after it"), -1;
    int32_t c = parse_unary(p);
    if (c < 0)
        return -1;
    p->depth--;
    int32_t n = new_node(p, N_NOT, (uint32_t)t->off);
    p->q->nodes[n].a = c;
    return n;
}

/* One AND or OR node over children parsed by sub, joined by op (and, for
 * AND, by adjacency). */
static int32_t parse_list(parser *p, int op, int32_t (*sub)(parser *))
{
    kw_query *q = p->q;
    uint32_t off = (uint32_t)peek(p)->off;
    int32_t first = sub(p), last = first, n = 1;
    if (first < 0)
        return -1;
    for (;;) {
        const ltok *t = peek(p);
        if (t->type == op) {
            p->pos++;
            const ltok *u = peek(p);
            if (!starts_operand(u))
                return fail(p, t->off, "dangling operator: '%s' has no term after it",
                            tok_name(t)), -1;
        } else if (!(op == L_AND && starts_operand(t))) {
            break;
        }
        int32_t c = sub(p);
        if (c < 0)
            return -1;
        q->nodes[last].next = c;
        last = c;
        n++;
    }
    if (n == 1)
        return first;
    int32_t node = new_node(p, op == L_AND ? N_AND : N_OR, off);
    q->nodes[node].a = first;
    return node;
}

static int32_t parse_and(parser *p)
{
    return parse_list(p, L_AND, parse_unary);
}

static int32_t parse_or(parser *p)
{
    return parse_list(p, L_OR, parse_and);
}

/* Whether node n being true (want 1) or false (want 0) means that the item
 * mentions one of the query's terms. A platform: term says where the item
 * was posted, not what it mentions: never. */
static int positive(const kw_query *q, int32_t n, int want)
{
    const qnode *nd = &q->nodes[n];
    int all = (nd->type == N_AND) != want; /* AND false, OR true: every child */
    switch (nd->type) {
    case N_TERM:
        return nd->fields == F_PLATFORM ? 0 : want;
    case N_NEAR:
        return want;
    case N_NOT:
        return positive(q, nd->a, !want);
    case N_AND:
    case N_OR:
        for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
            if (positive(q, c, want) != all)
                return !all;
        return all;
    default:
        return 0;
    }
}

/* The NOT or platform: term that makes node n (not positive) match
 * without any term: in a list of ANDs, a platform: term first (with one,
 * a term beside it is what is missing), then a NOT. */
static int32_t negative_at(const kw_query *q, int32_t n)
{
    const qnode *nd = &q->nodes[n];
    if (nd->type == N_AND) {
        for (int k = 0; k < 2; k++)
            for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
                if (k ? q->nodes[c].type == N_NOT
                      : q->nodes[c].type == N_TERM && q->nodes[c].fields == F_PLATFORM)
                    return c;
        return negative_at(q, nd->a);
    }
    if (nd->type == N_OR)
        for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
            if (!positive(q, c, 1))
                return negative_at(q, c);
    return n;
}

static int check_utf8(parser *p)
{
    for (size_t i = 0; i < p->nfc; i++) {
        const kw_folded_char *c = &p->fc[i];
        if (c->cp == 0xFFFD && !(c->len == 3 && memcmp(p->s + c->offset, "\xEF\xBF\xBD", 3) == 0))
            return fail(p, c->offset, "invalid UTF-8");
    }
    return 0;
}

int kw_query_compile(kw_query **out, const char *expr, size_t *err_offset)
{
    parser p = {0};
    kw_query *q = NULL;
    int rc = KW_ENOMEM;
    size_t len;
    *out = NULL;
    if (err_offset)
        *err_offset = 0;
    if (!expr) {
        rc = kw_error_set(KW_EINVAL, "query: no expression");
        goto cleanup;
    }
    len = strnlen(expr, KW_QUERY_MAX_LEN + 1);
    if (len > KW_QUERY_MAX_LEN) {
        rc = fail(&p, KW_QUERY_MAX_LEN, "the expression is too long: the limit is %d bytes",
                  KW_QUERY_MAX_LEN);
        goto cleanup;
    }
    if (!(q = calloc(1, sizeof *q)) || !(q->expr = malloc(len + 1)))
        goto nomem;
    memcpy(q->expr, expr, len + 1);
    q->len = len;
    p.q = q;
    p.s = q->expr;
    p.len = len;
    if (!(p.fc = malloc((len + 1) * sizeof *p.fc)) ||
        !(p.lt = malloc((len + 2) * sizeof *p.lt)) ||
        !(q->nodes = malloc((2 * len + 4) * sizeof *q->nodes)) ||
        !(q->terms = malloc((len + 1) * sizeof *q->terms)) ||
        !(q->toks = malloc((len + 1) * sizeof *q->toks)) ||
        !(q->cps = malloc((len + 1) * sizeof *q->cps)))
        goto nomem;
    if (kw_text_fold(p.fc, len + 1, &p.nfc, q->expr, len)) {
        rc = kw_error_set(KW_EINVAL, "query: cannot fold the expression");
        goto cleanup;
    }
    if ((rc = check_utf8(&p)) || (rc = lex(&p)))
        goto cleanup;
    q->root = parse_or(&p);
    if (q->root < 0) {
        rc = KW_EINVAL;
        goto cleanup;
    }
    if (peek(&p)->type == L_RPAREN) {
        rc = fail(&p, peek(&p)->off, "unbalanced parenthesis: ')' has no '(' before it");
        goto cleanup;
    }
    if (!positive(q, q->root, 1)) {
        const qnode *bad = &q->nodes[negative_at(q, q->root)];
        rc = bad->type == N_TERM
                 ? fail(&p, bad->offset,
                        "platform: says where an item was posted, not that it mentions the "
                        "brand, so this matches items that mention none of the query's terms; "
                        "add a term beside it (brand platform:weibo)")
                 : fail(&p, bad->offset,
                        "this NOT lets the query match items that mention none of its terms; "
                        "add a term outside NOT (brand NOT spam)");
        goto cleanup;
    }
    for (size_t i = 0; i < q->nnodes; i++)
        if (q->nodes[i].type == N_TERM)
            q->terms[q->nodes[i].a].fields |= q->nodes[i].fields;
    *out = q;
    q = NULL;
    rc = 0;
    goto cleanup;
nomem:
    rc = kw_error_set(KW_ENOMEM, "query: out of memory");
cleanup:
    if (rc == KW_EINVAL && err_offset)
        *err_offset = p.err_off;
    free(p.fc);
    free(p.lt);
    kw_query_free(q);
    return rc;
}

void kw_query_free(kw_query *q)
{
    if (!q)
        return;
    free(q->expr);
    free(q->nodes);
    free(q->terms);
    free(q->toks);
    free(q->cps);
    free(q);
}

const char *kw_query_expr(const kw_query *q)
{
    return q ? q->expr : NULL;
}

int kw_query_phrase(char **out, const char *text)
{
    /* escape what the lexer reads as a quotation mark or a backslash once
     * folded: ", \, “, ”, and their full-width forms */
    size_t len = strlen(text), nfc = 0;
    kw_folded_char *fc = malloc((len + 1) * sizeof *fc);
    char *r = malloc(2 * len + 3), *w = r;
    int rc = KW_ENOMEM;
    *out = NULL;
    if (!fc || !r)
        goto cleanup;
    kw_text_fold(fc, len + 1, &nfc, text, len);
    *w++ = '"';
    size_t done = 0;
    for (size_t i = 0; i < nfc; i++) {
        if (fc[i].cp != '\\' && !is_quote(fc[i].cp))
            continue;
        memcpy(w, text + done, fc[i].offset - done);
        w += fc[i].offset - done;
        *w++ = '\\';
        done = fc[i].offset;
    }
    memcpy(w, text + done, len - done);
    w += len - done;
    *w++ = '"';
    *w = '\0';
    *out = r;
    r = NULL;
    rc = 0;
cleanup:
    free(fc);
    free(r);
    if (rc)
        kw_error_set(rc, "query: out of memory");
    return rc;
}

const char *kw_query_field_name(kw_query_field f)
{
    switch (f) {
    case KW_QUERY_TITLE: return "title";
    case KW_QUERY_TEXT: return "text";
    case KW_QUERY_AUTHOR: return "author";
    case KW_QUERY_PLATFORM: return "platform";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * Matching. Each text field is folded (kw_text_fold) and split into pieces
 * as terms are; a term matches where its pieces equal consecutive pieces of
 * the text. Every scan below is one pass over a field's pieces per term.
 */

typedef struct ttok {
    uint32_t c0, c1; /* folded chars [c0, c1) of the field */
    uint32_t hash;
} ttok;

typedef struct fieldbuf {
    const char *raw;
    kw_folded_char *fc;
    size_t cap_fc, nfc;
    ttok *tt;
    size_t cap_tt, ntt;
    /* The text fc and tt were made from: several queries matched against
     * one document (every brand against one item) fold it once. */
    char *seen;
    size_t cap_seen, seen_len;
    int seen_ok;
} fieldbuf;

typedef struct work {
    fieldbuf f[NTEXTFIELDS];
    uint8_t *marks; /* per piece of a field: NEAR/n's "a starts here", "b starts here" */
    size_t cap_marks;
    uint8_t *flags; /* the arrays below, in one block */
    size_t cap_flags;
    uint8_t *tfound, *tcontrib; /* per term: fields where found, where it counts */
    uint8_t *nfound, *ncontrib, *nval; /* per node */
    kw_query_span *cand; /* spans found in one field before sorting */
    size_t cap_cand, ncand, quota;
} work;

void kw_query_match_result_init(kw_query_match_result *r)
{
    memset(r, 0, sizeof *r);
}

void kw_query_match_result_release(kw_query_match_result *r)
{
    work *w = r ? r->work : NULL;
    if (w) {
        for (int i = 0; i < NTEXTFIELDS; i++) {
            free(w->f[i].fc);
            free(w->f[i].tt);
            free(w->f[i].seen);
        }
        free(w->marks);
        free(w->flags);
        free(w->cand);
        free(w);
    }
    if (r)
        memset(r, 0, sizeof *r);
}

/* Make *p hold at least need elements of size bytes. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap && *p)
        return 0;
    size_t n = need ? need : 1;
    void *np = realloc(*p, n * size);
    if (!np)
        return -1;
    *p = np;
    *cap = n;
    return 0;
}

/* Fold and split one field. */
static int prepare_field(fieldbuf *fb, const char *raw)
{
    size_t len = strlen(raw);
    fb->raw = raw;
    if (fb->seen_ok && fb->seen_len == len && memcmp(fb->seen, raw, len) == 0)
        return 0;
    fb->seen_ok = 0;
    fb->ntt = fb->nfc = 0;
    if (len > KW_QUERY_MAX_FIELD)
        return kw_error_set(KW_ETOOBIG, "query: a field of %zu bytes is over the limit of %u",
                            len, KW_QUERY_MAX_FIELD);
    if (grow((void **)&fb->fc, &fb->cap_fc, len, sizeof *fb->fc))
        return kw_error_set(KW_ENOMEM, "query: out of memory");
    if (kw_text_fold(fb->fc, fb->cap_fc, &fb->nfc, raw, len))
        return KW_ENOMEM; /* cannot happen: never more chars than bytes */
    /* pieces: at most one per folded char */
    if (grow((void **)&fb->tt, &fb->cap_tt, fb->nfc, sizeof *fb->tt))
        return kw_error_set(KW_ENOMEM, "query: out of memory");
    size_t i = 0, n = 0, nfc = fb->nfc;
    const kw_folded_char *fc = fb->fc;
    while (i < nfc) {
        uint8_t k = fc[i].kind;
        if (k != KW_FOLD_WORD && k != KW_FOLD_CJK) {
            i++;
            continue;
        }
        size_t j = i + 1;
        uint32_t h = hash_cp(HASH_INIT, fc[i].cp);
        if (k == KW_FOLD_WORD)
            for (; j < nfc && fc[j].kind == KW_FOLD_WORD; j++)
                h = hash_cp(h, fc[j].cp);
        fb->tt[n].c0 = (uint32_t)i;
        fb->tt[n].c1 = (uint32_t)j;
        fb->tt[n].hash = h;
        n++;
        i = j;
    }
    fb->ntt = n;
    if (grow((void **)&fb->seen, &fb->cap_seen, len, 1) == 0) {
        memcpy(fb->seen, raw, len);
        fb->seen_len = len;
        fb->seen_ok = 1;
    }
    return 0;
}

/* Whether term t occurs at piece i of the field. */
static int term_at(const kw_query *q, const qterm *t, const fieldbuf *fb, size_t i)
{
    if (t->ntok > fb->ntt - i)
        return 0;
    const qtok *qt = q->toks + t->tok0;
    const ttok *tt = fb->tt + i;
    for (uint32_t j = 0; j < t->ntok; j++) {
        if (tt[j].hash != qt[j].hash || tt[j].c1 - tt[j].c0 != qt[j].ncp)
            return 0;
        if (j && qt[j].tight && tt[j].c0 != tt[j - 1].c1)
            return 0;
        const uint32_t *cp = q->cps + qt[j].cp0;
        const kw_folded_char *fc = fb->fc + tt[j].c0;
        for (uint32_t k = 0; k < qt[j].ncp; k++)
            if (fc[k].cp != cp[k])
                return 0;
    }
    return 1;
}

static int span_cmp(const void *x, const void *y)
{
    const kw_query_span *a = x, *b = y;
    if (a->field != b->field)
        return a->field < b->field ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    if (a->length != b->length)
        return a->length < b->length ? -1 : 1;
    return a->term < b->term ? -1 : a->term > b->term;
}

/* Record a span for pieces [i, i+n) of field fi; returns 1 when the quota
 * of the current scan is used up. */
static int emit(work *w, const kw_query *q, const qterm *t, int fi, size_t i)
{
    const fieldbuf *fb = &w->f[fi];
    if (w->ncand >= w->cap_cand)
        return 1;
    const kw_folded_char *first = &fb->fc[fb->tt[i].c0];
    const kw_folded_char *last = &fb->fc[fb->tt[i + t->ntok - 1].c1 - 1];
    kw_query_span *s = &w->cand[w->ncand];
    s->field = (kw_query_field)fi;
    s->offset = first->offset;
    s->length = last->offset + last->len - first->offset;
    s->term = q->expr + t->raw_off;
    s->term_len = t->raw_len;
    /* NEAR/n gives an occurrence again as the partner of the next one:
     * a repeat of one of the last two spans costs no quota */
    for (size_t k = 1; k <= 2 && k <= w->ncand; k++)
        if (span_cmp(s, &w->cand[w->ncand - k]) == 0)
            return 0;
    w->ncand++;
    return w->quota == 0 || --w->quota == 0;
}

/* NEAR/n in field fi: whether a and b occur with at most n words (or, with
 * a CJK term, n characters) between the end of one and the start of the
 * other. With spans, records the pairs found (the closest earlier partner of
 * each occurrence) until the quota is used up. One pass: marks[i] remembers
 * which term starts at piece i, and la / lb the last occurrence of each that
 * ended before the current piece. */
static int near_scan(work *w, const kw_query *q, const qnode *nd, int fi, int spans)
{
    const fieldbuf *fb = &w->f[fi];
    const qterm *A = &q->terms[nd->a], *B = &q->terms[nd->b];
    size_t ka = A->ntok, kb = B->ntok, n = fb->ntt;
    const size_t NONE = (size_t)-1;
    size_t la = NONE, lb = NONE;
    int chars = A->cjk || B->cjk, found = 0;
    uint8_t *marks = w->marks;
    for (size_t i = 0; i < n; i++) {
        uint8_t m = (uint8_t)(term_at(q, A, fb, i) | (term_at(q, B, fb, i) << 1));
        marks[i] = m;
        if (i >= ka && (marks[i - ka] & 1))
            la = i - ka;
        if (i >= kb && (marks[i - kb] & 2))
            lb = i - kb;
        for (int side = 0; side < 2; side++) {
            /* side 0: b starts here after an a; side 1: a after a b */
            size_t prev = side ? lb : la, k = side ? kb : ka;
            if (!(m & (side ? 1 : 2)) || prev == NONE)
                continue;
            size_t gap = chars ? fb->tt[i].c0 - fb->tt[prev + k - 1].c1 : i - prev - k;
            if (gap > nd->dist)
                continue;
            found = 1;
            if (!spans)
                return 1;
            if (emit(w, q, side ? B : A, fi, prev) || emit(w, q, side ? A : B, fi, i))
                return 1;
        }
    }
    return found;
}

static int eval(const kw_query *q, work *w, int32_t n)
{
    const qnode *nd = &q->nodes[n];
    int v = 0;
    switch (nd->type) {
    case N_TERM: v = (w->tfound[nd->a] & nd->fields) != 0; break;
    case N_NEAR: v = w->nfound[n] != 0; break;
    case N_NOT: v = !eval(q, w, nd->a); break;
    case N_AND:
        v = 1;
        for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
            v &= eval(q, w, c);
        break;
    case N_OR:
        for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
            v |= eval(q, w, c);
        break;
    default: break;
    }
    w->nval[n] = (uint8_t)v;
    return v;
}

/* Mark what made a true node true. */
static void contrib(const kw_query *q, work *w, int32_t n)
{
    const qnode *nd = &q->nodes[n];
    if (!w->nval[n])
        return;
    switch (nd->type) {
    case N_TERM: w->tcontrib[nd->a] |= w->tfound[nd->a] & nd->fields; break;
    case N_NEAR: w->ncontrib[n] = w->nfound[n]; break;
    case N_AND:
    case N_OR:
        for (int32_t c = nd->a; c >= 0; c = q->nodes[c].next)
            contrib(q, w, c);
        break;
    default: break;
    }
}

/* Add the candidates, sorted and without repeats, to out. */
static void flush_spans(work *w, kw_query_match_result *out)
{
    qsort(w->cand, w->ncand, sizeof *w->cand, span_cmp);
    for (size_t i = 0; i < w->ncand; i++) {
        if (i && span_cmp(&w->cand[i], &w->cand[i - 1]) == 0)
            continue;
        if (out->nspans == KW_QUERY_MAX_SPANS) {
            out->truncated = 1;
            break;
        }
        out->spans[out->nspans++] = w->cand[i];
    }
    w->ncand = 0;
}

static void collect_spans(const kw_query *q, work *w, const kw_query_doc *doc,
                          kw_query_match_result *out)
{
    for (int fi = 0; fi < NTEXTFIELDS; fi++) {
        uint8_t bit = (uint8_t)(1u << fi);
        const fieldbuf *fb = &w->f[fi];
        if (!fb->raw)
            continue;
        /* the terms, piece by piece: the first spans in text order */
        w->quota = KW_QUERY_MAX_SPANS + 1;
        int done = 0;
        for (size_t i = 0; i < fb->ntt && !done; i++)
            for (size_t t = 0; t < q->nterms && !done; t++)
                if ((w->tcontrib[t] & bit) && term_at(q, &q->terms[t], fb, i))
                    done = emit(w, q, &q->terms[t], fi, i);
        for (size_t n = 0; n < q->nnodes; n++) {
            if (q->nodes[n].type != N_NEAR || !(w->ncontrib[n] & bit))
                continue;
            w->quota = KW_QUERY_MAX_SPANS + 2;
            near_scan(w, q, &q->nodes[n], fi, 1);
            if (w->quota == 0) /* stopped before its end: there may be more */
                out->truncated = 1;
        }
        flush_spans(w, out);
    }
    for (size_t t = 0; t < q->nterms; t++) {
        if (!(w->tcontrib[t] & F_PLATFORM) || w->ncand >= w->cap_cand)
            continue;
        kw_query_span *s = &w->cand[w->ncand++];
        s->field = KW_QUERY_PLATFORM;
        s->offset = 0;
        s->length = strlen(doc->platform);
        s->term = q->expr + q->terms[t].raw_off;
        s->term_len = q->terms[t].raw_len;
    }
    flush_spans(w, out);
}

const kw_folded_char *kw_query_match_folded(const kw_query_match_result *r, kw_query_field f,
                                            const char *raw, size_t *n)
{
    const work *w = r ? r->work : NULL;
    if (!w || !raw || (unsigned)f >= NTEXTFIELDS || w->f[f].raw != raw)
        return NULL;
    *n = w->f[f].nfc;
    return w->f[f].fc;
}

int kw_query_match(const kw_query *q, const kw_query_doc *doc, kw_query_match_result *out)
{
    work *w;
    int rc = 0;
    if (!out)
        return kw_error_set(KW_EINVAL, "query: no result to match into");
    out->match = 0;
    out->nspans = 0;
    out->truncated = 0;
    if (!q || !doc)
        return kw_error_set(KW_EINVAL, "query: no query or no document to match");
    if (!out->work && !(out->work = calloc(1, sizeof(work))))
        return kw_error_set(KW_ENOMEM, "query: out of memory");
    w = out->work;

    size_t nnear = 0, maxtt = 0;
    for (size_t n = 0; n < q->nnodes; n++)
        nnear += q->nodes[n].type == N_NEAR;
    size_t nflags = 2 * q->nterms + 3 * q->nnodes;
    if (grow((void **)&w->flags, &w->cap_flags, nflags, 1) ||
        grow((void **)&w->cand, &w->cap_cand, (KW_QUERY_MAX_SPANS + 2) * (1 + nnear) + q->nterms,
             sizeof *w->cand))
        return kw_error_set(KW_ENOMEM, "query: out of memory");
    memset(w->flags, 0, nflags);
    w->tfound = w->flags;
    w->tcontrib = w->tfound + q->nterms;
    w->nfound = w->tcontrib + q->nterms;
    w->ncontrib = w->nfound + q->nnodes;
    w->nval = w->ncontrib + q->nnodes;
    w->ncand = 0;

    const char *raw[NTEXTFIELDS] = {doc->title, doc->text, doc->author};
    for (int fi = 0; fi < NTEXTFIELDS; fi++) {
        w->f[fi].raw = NULL;
        if (raw[fi] && (rc = prepare_field(&w->f[fi], raw[fi]))) {
            w->f[fi].raw = NULL; /* not folded */
            return rc;
        }
        if (w->f[fi].raw && w->f[fi].ntt > maxtt)
            maxtt = w->f[fi].ntt;
    }
    if (nnear && grow((void **)&w->marks, &w->cap_marks, maxtt, 1))
        return kw_error_set(KW_ENOMEM, "query: out of memory");

    for (size_t t = 0; t < q->nterms; t++) {
        const qterm *qt = &q->terms[t];
        if (qt->platform) {
            if (doc->platform && strlen(doc->platform) == qt->raw_len &&
                memcmp(doc->platform, q->expr + qt->raw_off, qt->raw_len) == 0)
                w->tfound[t] = F_PLATFORM;
            continue;
        }
        for (int fi = 0; fi < NTEXTFIELDS; fi++) {
            const fieldbuf *fb = &w->f[fi];
            if (!fb->raw || !(qt->fields & (1u << fi)))
                continue;
            const uint32_t first = q->toks[qt->tok0].hash; /* ntok >= 1 */
            for (size_t i = 0; i < fb->ntt; i++) {
                if (fb->tt[i].hash == first && term_at(q, qt, fb, i)) {
                    w->tfound[t] |= (uint8_t)(1u << fi);
                    break;
                }
            }
        }
    }
    for (size_t n = 0; n < q->nnodes; n++) {
        const qnode *nd = &q->nodes[n];
        if (nd->type != N_NEAR)
            continue;
        for (int fi = 0; fi < NTEXTFIELDS; fi++)
            if (w->f[fi].raw && (nd->fields & (1u << fi)) && near_scan(w, q, nd, fi, 0))
                w->nfound[n] |= (uint8_t)(1u << fi);
    }
    out->match = eval(q, w, q->root);
    if (out->match) {
        contrib(q, w, q->root);
        collect_spans(q, w, doc, out);
    }
    return 0;
}
