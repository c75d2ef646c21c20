/*
 * Article mode: a page without rules is one item. Title, author, date and
 * canonical link come from the first usable of several candidates (each
 * written below as the XPath expression it stands for); the main text is
 * the paragraphs of the element whose <p> children hold the most text,
 * else the whole body. Runs on the fast parser (html_dom.c): a page costs
 * one parse and one walk.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/extract.h"

#include "html_dom.h"
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NO_TIME INT64_MIN

typedef struct cand {
    const char *elem;           /* element name, NULL for any element */
    const char *attr, *value;   /* attribute that must equal value */
    const char *attr2, *value2; /* or this one (NULL: none) */
    const char *attr3, *value3; /* or this one (NULL: none) */
    const char *want;           /* attribute to read, NULL for the text */
} cand;

static const cand cands[] = {
    /* titles */
    /* string(//meta[@property='og:title']/@content) */
    {"meta", "property", "og:title", NULL, NULL, NULL, NULL, "content"},
    /* (//h1)[1], //title */
    {"h1", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {"title", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    /* authors */
    /* string(//meta[@name='author']/@content) */
    {"meta", "name", "author", NULL, NULL, NULL, NULL, "content"},
    /* string(//meta[@property='article:author']/@content) */
    {"meta", "property", "article:author", NULL, NULL, NULL, NULL, "content"},
    /* (// *[@rel='author' or @itemprop='author'])[1], any element */
    {NULL, "rel", "author", "itemprop", "author", NULL, NULL, NULL},
    /* times */
    /* string(//meta[@property='article:published_time']/@content) */
    {"meta", "property", "article:published_time", NULL, NULL, NULL, NULL, "content"},
    /* string(// *[@itemprop='datePublished']/@content), any element */
    {NULL, "itemprop", "datePublished", NULL, NULL, NULL, NULL, "content"},
    /* string((//time[@datetime])[1]/@datetime) */
    {"time", NULL, NULL, NULL, NULL, NULL, NULL, "datetime"},
    /* string(//meta[@name='pubdate' or @name='publishdate' or @name='date']/@content) */
    {"meta", "name", "pubdate", "name", "publishdate", "name", "date", "content"},
    /* links */
    /* string(//link[@rel='canonical']/@href) */
    {"link", "rel", "canonical", NULL, NULL, NULL, NULL, "href"},
    /* string(//meta[@property='og:url']/@content) */
    {"meta", "property", "og:url", NULL, NULL, NULL, NULL, "content"},
    /* what the links resolve against: string((//base[@href])[1]/@href) */
    {"base", NULL, NULL, NULL, NULL, NULL, NULL, "href"},
};
enum { A_TITLE = 0, A_AUTHOR = 3, A_TIME = 6, A_LINK = 10, A_BASE = 12, A_COUNT = 13 };

/* Every attribute the candidates above read: the parser keeps no other. */
static const char *const read_attrs[] = {"content", "datetime", "href", "itemprop",
                                         "name", "property", "rel", NULL};

static int attr_is(const kw_hnode *n, const char *name, const char *value)
{
    const char *v = name ? kw_hnode_attr(n, name) : NULL;
    return v && strcmp(v, value) == 0;
}

static int cand_matches(const cand *k, const kw_hnode *n)
{
    if (k->elem && (*k->elem != *n->name || strcmp(n->name, k->elem) != 0))
        return 0;
    if (k->attr && !attr_is(n, k->attr, k->value) && !attr_is(n, k->attr2, k->value2) &&
        !attr_is(n, k->attr3, k->value3))
        return 0;
    return !k->want || kw_hnode_attr(n, k->want) != NULL;
}

/* ---- text of a subtree ------------------------------------------------------ */

static int is_block(const char *name)
{
    static const char *const blocks[] = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4",
                                         "h5", "h6", "section", "article", "blockquote",
                                         "pre", "ul", "ol", "table", "header", "footer", NULL};
    for (const char *const *b = blocks; *b; b++)
        if (**b == *name && strcmp(name, *b) == 0)
            return 1;
    return 0;
}

static int skipped(const char *name)
{
    return !strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "noscript") ||
           !strcmp(name, "template");
}

/* Text of n's subtree, blocks on their own lines, scripts and styles left
 * out; walked without recursion. */
static char *text_of(const kw_hnode *top)
{
    kw_sbuf b = {0};
    if (top->type == KW_HTEXT)
        return ex_tidy(strdup(top->text));
    if (strcmp(top->name, "br") == 0)
        return NULL;
    const kw_hnode *n = top->first;
    while (n && b.n < KW_EX_MAX_FIELD) {
        if (n->type == KW_HTEXT) {
            ex_sb_add(&b, n->text, n->len);
        } else if (!skipped(n->name)) {
            if (is_block(n->name))
                ex_sb_add(&b, "\n", 1);
            if (n->first) {
                n = n->first;
                continue;
            }
            if (is_block(n->name))
                ex_sb_add(&b, "\n", 1);
        }
        /* on to the next node, closing the blocks climbed out of */
        while (n != top && !n->next) {
            n = n->parent;
            if (n != top && is_block(n->name))
                ex_sb_add(&b, "\n", 1);
        }
        n = n == top ? NULL : n->next;
    }
    return ex_tidy(b.p);
}

/* ---- the heuristics ------------------------------------------------------------ */

typedef struct article_nodes {
    const kw_hnode *first[A_COUNT]; /* the first element each candidate selects */
    const kw_hnode **ps;            /* every <p>, in document order */
    size_t np, cap;
    int oom;
    int open[A_COUNT], nopen;           /* candidates with no element yet */
    int open_bare[A_COUNT], nopen_bare; /* ... of them, those that need no attribute */
    const kw_hnode *ld[JSONLD_MAX_SCRIPTS]; /* <script type="application/ld+json"> */
    size_t nld;
} article_nodes;

/* Candidate i has its element: the walk no longer tries it. */
static void close_cand(article_nodes *an, int i)
{
    for (int j = 0; j < an->nopen; j++)
        if (an->open[j] == i) {
            an->open[j] = an->open[--an->nopen];
            break;
        }
    for (int j = 0; j < an->nopen_bare; j++)
        if (an->open_bare[j] == i) {
            an->open_bare[j] = an->open_bare[--an->nopen_bare];
            break;
        }
}

static void visit(article_nodes *an, const kw_hnode *n)
{
    /* most elements have none of the attributes read: only the
     * candidates that need none can select them */
    int *open = n->attrs ? an->open : an->open_bare;
    int *nopen = n->attrs ? &an->nopen : &an->nopen_bare;
    for (int j = 0; j < *nopen; j++) {
        int i = open[j];
        if (cand_matches(&cands[i], n)) {
            an->first[i] = n;
            close_cand(an, i);
            j--; /* open[j] is another candidate now */
        }
    }
    /* a script whose text is a JSON object or array: JSON-LD, as no
     * script of code starts so (its type attribute is not kept: a page has
     * many attributes beginning with 't') */
    if (n->name[0] == 's' && n->name[1] == 'c' && an->nld < JSONLD_MAX_SCRIPTS &&
        strcmp(n->name, "script") == 0 && n->first && n->first->type == KW_HTEXT) {
        const char *t = n->first->text;
        t += strspn(t, " \t\r\n");
        if (*t == '{' || *t == '[')
            an->ld[an->nld++] = n;
    }
    if (n->name[0] == 'p' && n->name[1] == '\0') {
        if (an->np == an->cap) {
            size_t nc = an->cap ? an->cap * 2 : 32;
            const kw_hnode **np = realloc(an->ps, nc * sizeof *np);
            if (!np) {
                an->oom = 1;
                return;
            }
            an->ps = np;
            an->cap = nc;
        }
        an->ps[an->np++] = n;
    }
}

static char *cand_value(const article_nodes *an, int which)
{
    const kw_hnode *n = an->first[which];
    if (!n)
        return NULL;
    if (!cands[which].want)
        return text_of(n);
    const char *v = kw_hnode_attr(n, cands[which].want);
    return ex_tidy(strdup(v ? v : ""));
}

/* The main text: best's paragraphs, subheadings, quotes and lists, each
 * <p>'s text as already read into ptext when it was kept (ps and ptext:
 * every <p> of the page in document order, and its text or NULL). */
static char *main_text(const kw_hnode *best, const kw_hnode *const *ps, char *const *ptext,
                       size_t np)
{
    kw_sbuf b = {0};
    size_t k = 0;
    for (const kw_hnode *c = best->first; c && b.n < KW_EX_MAX_FIELD; c = c->next) {
        if (c->type != KW_HELEM)
            continue;
        int is_p = strcmp(c->name, "p") == 0;
        if (!is_p && strcmp(c->name, "h2") && strcmp(c->name, "h3") &&
            strcmp(c->name, "blockquote") && strcmp(c->name, "ul") && strcmp(c->name, "ol"))
            continue;
        char *own = NULL;
        const char *t;
        if (is_p) {
            while (k < np && ps[k] != c)
                k++;
            t = k < np ? ptext[k] : NULL;
            if (!t) /* not kept (or empty): read again */
                t = own = text_of(c);
        } else {
            t = own = text_of(c);
        }
        if (t) {
            if (b.n)
                ex_sb_add(&b, "\n", 1);
            ex_sb_add(&b, t, strlen(t));
        }
        free(own);
    }
    return ex_tidy(b.p);
}

/* The element whose <p> children hold the most text (the first such in
 * document order), NULL when no <p> has any; ptext[i] gets the text of
 * ps[i], or NULL once PTEXT_KEPT_MAX bytes are kept (a <p> nested in a <p>,
 * through a button or a table cell, holds the text of all those inside it,
 * so a hostile page could make the copies hundreds of MiB). 0, or
 * KW_ENOMEM. */
#define PTEXT_KEPT_MAX (1u << 20)
/* Nor is more than this read in all: each <p> of such a nest reads all the
 * text inside it again (up to a field's 1 MiB), and 256 levels of them on
 * a 10 MiB page were seconds of work; the <p>s past it weigh nothing. */
#define PTEXT_READ_MAX (16u << 20)
static int weigh(const kw_hnode *const *ps, size_t np, char **ptext, const kw_hnode **best)
{
    /* Each parent is weighed once: a set of those seen, by address, with
     * the sum of its paragraphs' lengths. */
    size_t cap = 2, best_len = 0;
    while (cap < 2 * np + 2)
        cap <<= 1;
    const kw_hnode **seen = calloc(cap, sizeof *seen);
    size_t *sum = calloc(cap, sizeof *sum), *order = malloc((np ? np : 1) * sizeof *order);
    size_t nparents = 0;
    *best = NULL;
    if (!seen || !sum || !order) {
        free(seen), free(sum), free(order);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    size_t kept = 0, read = 0;
    for (size_t i = 0; i < np && read <= PTEXT_READ_MAX; i++) {
        ptext[i] = text_of(ps[i]);
        size_t len = ptext[i] ? strlen(ptext[i]) : 0;
        read += len;
        if (kept + len > PTEXT_KEPT_MAX) { /* nested <p>s repeat their text: not kept */
            free(ptext[i]);
            ptext[i] = NULL;
        } else {
            kept += len;
        }
        const kw_hnode *parent = ps[i]->parent;
        if (!parent)
            continue;
        size_t h = ((uintptr_t)parent >> 4) & (cap - 1);
        while (seen[h] && seen[h] != parent)
            h = (h + 1) & (cap - 1);
        if (!seen[h]) {
            seen[h] = parent;
            order[nparents++] = h;
        }
        sum[h] += len;
    }
    for (size_t i = 0; i < nparents; i++)
        if (sum[order[i]] > best_len)
            *best = seen[order[i]], best_len = sum[order[i]];
    free(seen), free(sum), free(order);
    return 0;
}

static int article(kw_extracted *out, const kw_hdoc *doc, const char *base)
{
    article_nodes an = {.oom = 0};
    for (int i = 0; i < A_COUNT; i++) {
        an.open[an.nopen++] = i;
        if (!cands[i].attr && !cands[i].want)
            an.open_bare[an.nopen_bare++] = i;
    }
    kw_extracted_item *it = ex_new_item(out);
    if (!it)
        return kw_error_set(KW_ENOMEM, "out of memory");
    for (const kw_hnode *n = kw_hdoc_root(doc); n && !an.oom; n = kw_hnode_next(n, 0))
        if (n->type == KW_HELEM)
            visit(&an, n);
    if (an.oom) {
        free(an.ps);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    for (int i = A_TITLE; i < A_AUTHOR && !it->title; i++)
        it->title = cand_value(&an, i);
    for (int i = A_AUTHOR; i < A_TIME && !it->author; i++)
        it->author = cand_value(&an, i);
    for (int i = A_TIME; i < A_LINK && it->published == NO_TIME; i++) {
        char *t = cand_value(&an, i);
        it->published = ex_parse_time(t, &it->published_local);
        if (it->published == NO_TIME && t && !it->time_text)
            it->time_text = t, t = NULL; /* maybe "5分钟前" */
        free(t);
    }
    if (!it->author || it->published == NO_TIME || !it->title) {
        /* what the page's JSON-LD says, where its markup says nothing */
        jsonld_facts ld;
        jsonld_read(an.ld, an.nld, &ld);
        if (!it->author)
            it->author = ld.author, ld.author = NULL;
        if (!it->title)
            it->title = ld.headline, ld.headline = NULL;
        if (it->published == NO_TIME && ld.published)
            it->published = ex_parse_time(ld.published, &it->published_local);
        jsonld_free(&ld);
    }
    if (it->published != NO_TIME) {
        free(it->time_text);
        it->time_text = NULL;
    }
    char *href = cand_value(&an, A_BASE), *doc_base = ex_base_url(href, base);
    free(href);
    for (int i = A_LINK; i < A_BASE && !it->link; i++) {
        char *l = cand_value(&an, i);
        it->link = ex_resolve(l, doc_base ? doc_base : base);
        it->link_declared = it->link != NULL;
        free(l);
    }
    free(doc_base);
    if (!it->link && base)
        it->link = strdup(base);
    const kw_hnode *best = NULL;
    char **ptext = calloc(an.np ? an.np : 1, sizeof *ptext);
    int rc = ptext ? weigh(an.ps, an.np, ptext, &best)
                   : kw_error_set(KW_ENOMEM, "out of memory");
    if (rc == 0 && best)
        it->text = main_text(best, an.ps, ptext, an.np);
    for (size_t i = 0; ptext && i < an.np; i++)
        free(ptext[i]);
    free(ptext);
    free(an.ps);
    if (rc)
        return rc;
    if (!it->text) {
        const kw_hnode *body = kw_hdoc_body(doc);
        it->text = text_of(body ? body : kw_hdoc_root(doc));
    }
    return 0;
}

int kw_extract_article(kw_extracted *out, const char *html, size_t len, const char *base)
{
    kw_hdoc *doc = NULL;
    size_t i = 0;
    while (i < len && (html[i] == ' ' || html[i] == '\t' || html[i] == '\n' || html[i] == '\r' ||
                       html[i] == '\f'))
        i++;
    if (i == len)
        return kw_error_set(KW_EINVAL, "the page is empty");
    int rc = kw_hdoc_parse(&doc, html, len, read_attrs);
    if (rc == 0)
        rc = article(out, doc, base);
    kw_hdoc_free(doc);
    return rc;
}
