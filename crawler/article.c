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

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    /* times (then JSON-LD's, and a <time> or a shown date near the text) */
    /* string(//meta[@property='article:published_time']/@content) */
    {"meta", "property", "article:published_time", NULL, NULL, NULL, NULL, "content"},
    /* string(// *[@itemprop='datePublished']/@content), any element */
    {NULL, "itemprop", "datePublished", NULL, NULL, NULL, NULL, "content"},
    /* string(//meta[@name='pubdate' or @name='publishdate' or @name='date']/@content) */
    {"meta", "name", "pubdate", "name", "publishdate", "name", "date", "content"},
    /* string(// *[@itemprop='datePublished']), its text */
    {NULL, "itemprop", "datePublished", NULL, NULL, NULL, NULL, NULL},
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
static const char *const read_attrs[] = {"class", "content", "datetime", "href", "id",
                                         "itemprop", "name", "property", "rel", NULL};

/* Attribute values are compared as HTML compares these: without regard to
 * case; rel is a list of words ("canonical shortlink"). */
static int attr_is(const kw_hnode *n, const char *name, const char *value)
{
    const char *v = name ? kw_hnode_attr(n, name) : NULL;
    if (!v)
        return 0;
    if (strcmp(name, "rel") != 0)
        return strcasecmp(v, value) == 0;
    size_t k = strlen(value);
    for (const char *w = v; *w;) {
        w += strspn(w, " \t\n\r\f");
        size_t len = strcspn(w, " \t\n\r\f");
        if (len == k && strncasecmp(w, value, k) == 0)
            return 1;
        w += len;
    }
    return 0;
}

/* Does s hold word (lower case), without regard to ASCII case? */
static int has_word(const char *s, const char *word)
{
    size_t k = strlen(word);
    for (; s && *s; s++)
        if ((*s | 32) == *word && strncasecmp(s, word, k) == 0)
            return 1;
    return 0;
}

/* A site's name set as a heading (<h1 class="logo"><a href="/">Site</a>),
 * not the article's title. */
static int logo_like(const kw_hnode *n)
{
    for (int up = 0; n && n->type == KW_HELEM && up < 4; n = n->parent, up++) {
        const char *c = kw_hnode_attr(n, "class"), *id = kw_hnode_attr(n, "id");
        if (has_word(c, "logo") || has_word(id, "logo") ||
            (up == 0 && (has_word(c, "site") || has_word(id, "site"))))
            return 1;
    }
    return 0;
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

/* ---- the heuristics ------------------------------------------------------------ */

/* Headings passed over as a site's logo before the title gives up on
 * <h1>: each costs a look at the classes of four elements, which a page of
 * thousands of <h1>s under one huge class made quadratic. */
#define LOGOS_MAX 8

typedef struct article_nodes {
    const kw_hnode *first[A_COUNT]; /* the first element each candidate selects */
    int logos;                      /* <h1>s passed over as logos */
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
    /* most elements have none of the attributes read but class and id
     * (kept for the main text): only the candidates that need none can
     * select them */
    int read = 0;
    for (const kw_hattr *a = n->attrs; a && !read; a = a->next)
        read = !(a->name[0] == 'c' && strcmp(a->name, "class") == 0) &&
               !(a->name[0] == 'i' && a->name[1] == 'd' && !a->name[2]);
    int *open = read ? an->open : an->open_bare;
    int *nopen = read ? &an->nopen : &an->nopen_bare;
    for (int j = 0; j < *nopen; j++) {
        int i = open[j];
        if (!cand_matches(&cands[i], n))
            continue;
        if (i == A_TITLE + 1 && logo_like(n)) {
            if (++an->logos < LOGOS_MAX)
                continue;
        } else {
            an->first[i] = n;
        }
        close_cand(an, i);
        j--; /* open[j] is another candidate now */
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
}

static char *cand_value(const article_nodes *an, int which)
{
    const kw_hnode *n = an->first[which];
    if (!n)
        return NULL;
    if (!cands[which].want)
        return ex_node_text(n, 0);
    const char *v = kw_hnode_attr(n, cands[which].want);
    return ex_tidy(strdup(v ? v : ""));
}

/* The labels a byline without a class of its own is known by. */
static const char *const byline_labels[] = {"作者：", "作者:", "文/", "文｜", "By ", NULL};

/* Whether n's own text starts with one of byline_labels (its first
 * child's text, after blanks): only such an element is read for a name. */
static int starts_byline(const kw_hnode *n)
{
    const kw_hnode *f = n->first;
    if (!f || f->type != KW_HTEXT)
        return 0;
    const char *s = f->text + strspn(f->text, " \t\r\n\f");
    for (const char *const *l = byline_labels; *l; l++)
        if (strncmp(s, *l, strlen(*l)) == 0)
            return 1;
    return 0;
}

/* A date the page shows where its markup names none, and how surely it is
 * the article's: 1 a <time>; 2 an element whose class or id says date,
 * time, publish or byline ("date-source", "publish_time"); 3 one whose
 * text begins with a date's label ("发布时间：2026-12-06 14:30"); 4 one
 * whose text begins with a byline's ("作者：张三 2026-12-06 14:30"); 0 none. */
static int shows_date(const kw_hnode *n)
{
    if (n->name[0] == 't' && strcmp(n->name, "time") == 0)
        return 1;
    static const char *const words[] = {"date", "time", "publish", "byline", NULL};
    for (const kw_hattr *a = n->attrs; a; a = a->next)
        if ((a->name[0] == 'c' && strcmp(a->name, "class") == 0) ||
            (a->name[0] == 'i' && a->name[1] == 'd' && !a->name[2]))
            for (const char *const *w = words; *w; w++)
                if (has_word(a->value, *w))
                    return 2;
#define L(s) {s, sizeof s - 1}
    static const struct {
        const char *s;
        size_t n;
    } labels[] = {L("发布时间"), L("发表时间"), L("发布于"), L("发表于"), L("更新时间"),
                  L("时间："),   L("时间:"),    L("日期："), L("日期:"),   L("Published"),
                  L("Posted")};
#undef L
    const kw_hnode *t = n->first;
    if (!t || t->type != KW_HTEXT)
        return 0;
    const char *s = t->text;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (*s == *labels[i].s && strncmp(s, labels[i].s, labels[i].n) == 0)
            return 3;
    return starts_byline(n) ? 4 : 0;
}

/* What is looked for near the text: see reads an element and says
 * whether the search is over; found says whether it found what it wanted
 * in the scope just walked. */
typedef struct near_search {
    int (*see)(struct near_search *q, const kw_hnode *n);
    int found;
    int tried; /* elements read in full: at most 64 */
    int rank;  /* dates: how sure the one found is (see shows_date) */
    int local;
    int64_t t;
    char *author;
    char *undated; /* the text of the first date shown that reads as none ("3小时前") */
} near_search;

/* An element's text as far as a date or a name is read from it: its
 * start (a dated element may hold the whole page: 64 of them nested cost
 * seconds). */
#define NEAR_TEXT_MAX 1024
#define NEAR_NODES_MAX 256

/* scope's subtree in document order, less skip's (a scope walked before)
 * and what is no part of the article (a sidebar, comments), each element
 * put to q until it says the search is over. */
static void walk_scope(const kw_hnode *scope, const kw_hnode *skip, near_search *q)
{
    for (const kw_hnode *n = scope; n && q->tried < 64;) {
        int out = n != scope && (n == skip || ex_is_noise(n));
        if (!out && n->type == KW_HELEM && q->see(q, n))
            return;
        if (!out && n->first) {
            n = n->first;
            continue;
        }
        while (n != scope && !n->next)
            n = n->parent;
        n = n == scope ? NULL : n->next;
    }
}

/* Near the text: its container, then the two around it (a byline beside
 * the text), then the whole body; the nearest scope that has it, each
 * walked less the one before it (an element is read at most once). */
static void search_near(const kw_hnode *best, const kw_hnode *body, near_search *q)
{
    const kw_hnode *scope = best, *done = NULL;
    for (int up = 0; scope && up < 3; up++, done = scope, scope = scope->parent) {
        walk_scope(scope, done, q);
        if (q->found || scope == body)
            return;
    }
    if (body)
        walk_scope(body, done, q);
}

/* The surest date of a scope (see shows_date; the first of each kind). */
static int see_date(near_search *q, const kw_hnode *n)
{
    int r = shows_date(n);
    if (!r || r >= q->rank)
        return 0;
    q->tried++;
    const char *dt = kw_hnode_attr(n, "datetime");
    char *text = dt ? NULL : ex_node_text_head(n, NEAR_TEXT_MAX, NEAR_NODES_MAX);
    int local = 0;
    int64_t t = ex_parse_time(dt ? dt : text, &local);
    if (t != NO_TIME)
        q->t = t, q->rank = r, q->local = local, q->found = 1;
    else if (!q->undated && text && strlen(text) <= 64 && r < 4)
        q->undated = text, text = NULL; /* maybe "3小时前": read against the fetch */
    free(text);
    return q->found && r == 1;
}

/* The length of the name v starts with after an unclassed byline's label,
 * 0 for none: after "By ", two to four capitalised words ("By the end of
 * the month" and "By Lumi's standards" are sentences); after a Chinese
 * label, 1 to 16 characters up to a blank or a bar, with no punctuation
 * ("作者：这款产品真的很好用，..." is a sentence). */
/* Whether the word s[0..n) names a month ("May", "Dec."): a date after the
 * name, not more of it. */
static int month_word(const char *s, size_t n)
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
    if (n > 3 && s[n - 1] == '.')
        n--;
    for (size_t i = 0; i < 12; i++)
        if ((n == 3 || n == strlen(months[i])) && strncmp(s, months[i], n) == 0)
            return 1;
    return 0;
}

static size_t byline_name(const char *v, int english)
{
    const unsigned char *p = (const unsigned char *)v;
    size_t i = 0, end = 0, n = strlen(v);
    uint32_t cp;
    if (english) {
        int words = 0;
        while (p[i] >= 'A' && p[i] <= 'Z') {
            size_t from = i;
            for (size_t k; i < n; i += k) { /* letters (María), '.', '\'', '-' */
                k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i, &cp);
                if (p[i] < 0x80 ? !((unsigned)((p[i] | 32) - 'a') < 26u || p[i] == '.' ||
                                    p[i] == '\'' || p[i] == '-')
                                : !k || cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || cp >= 0x2000)
                    break;
            }
            if (words >= 2 && month_word(v + from, i - from))
                break; /* "By Jane Doe May 1, 2024" */
            end = i;
            if (++words > 4)
                return 0;
            if (p[i] != ' ')
                break;
            i++;
        }
        return words >= 2 ? end : 0; /* whatever follows: ", staff", " · May 1" */
    }
    int chars = 0;
    while (p[i] && p[i] != ' ' && p[i] != '|' && p[i] != '/') {
        size_t k = utf8_seq(p + i, n - i, &cp);
        if (k && (cp == 0x3000 || cp == 0xA0 || cp == 0xFF5C))
            break; /* an ideographic or no-break space, a full-width bar */
        if (!k || ++chars > 16 || (cp < 0x80 && ispunct((int)cp) && cp != '.') ||
            (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
            (cp >= 0xFF1A && cp <= 0xFF20))
            return 0;
        i += k;
    }
    return i;
}

/* An author the page shows where its markup names none: the short text
 * of an element whose class or id says author ("post-author", "author"),
 * a label before it dropped ("作者：", "By"); or the name after a label
 * that starts an element's own text ("<p>作者：张三 发布时间：...</p>",
 * "<span>By Jane Doe</span>"). */
static int see_author(near_search *q, const kw_hnode *n)
{
    const char *c = kw_hnode_attr(n, "class"), *id = kw_hnode_attr(n, "id");
    int classed = has_word(c, "author") || has_word(id, "author");
    if (!classed && !starts_byline(n))
        return 0;
    q->tried++;
    char *t = ex_node_text_head(n, NEAR_TEXT_MAX, NEAR_NODES_MAX);
    static const char *const labels[] = {"作者：", "作者:", "作者", "记者", "文/", "文｜",
                                         "By ",    "by ",   "Posted by ", NULL};
    const char *v = t, *label = NULL;
    for (const char *const *l = labels; v && *l; l++)
        if (strncmp(v, *l, strlen(*l)) == 0) {
            label = *l;
            v += strlen(*l);
            v += strspn(v, " ");
            break;
        }
    if (classed && v && *v && strlen(v) <= 80 && !strchr(v, '\n')) {
        q->author = strdup(v);
        q->found = q->author != NULL;
    } else if (!classed && label && strlen(t) <= 160) {
        size_t k = byline_name(v, label[0] == 'B');
        if (k) {
            q->author = strndup(v, k);
            q->found = q->author != NULL;
        }
    }
    free(t);
    return q->found;
}

/* The date, from the first source that gives one: the markup made for it
 * (Open Graph, microdata), JSON-LD, a date <meta>, then what the page
 * shows near the text (a <time>, a date by its class). */
/* The date time candidates [from, to) give, the first that reads; the
 * first value that reads as none kept as the item's time text (maybe
 * "5分钟前", read against the fetch). */
static void cand_dates(kw_extracted_item *it, const article_nodes *an, int from, int to)
{
    for (int i = from; i < to && it->published == NO_TIME; i++) {
        char *t = cand_value(an, i);
        it->published = ex_parse_time(t, &it->published_local);
        if (it->published == NO_TIME && t && !it->time_text)
            it->time_text = t, t = NULL;
        free(t);
    }
}

static void article_date(kw_extracted_item *it, const article_nodes *an, jsonld_facts *ld,
                         const kw_hnode *best, const kw_hnode *body)
{
    cand_dates(it, an, A_TIME, A_TIME + 2); /* Open Graph, microdata */
    if (it->published == NO_TIME && ld->published)
        it->published = ex_parse_time(ld->published, &it->published_local);
    cand_dates(it, an, A_TIME + 2, A_LINK); /* a date <meta>, microdata as text */
    const kw_hnode *from = best ? best : body;
    if (it->published == NO_TIME && from) {
        near_search q = {.see = see_date, .rank = 5, .t = NO_TIME};
        search_near(from, body, &q);
        it->published = q.t;
        it->published_local = q.local;
        if (q.t == NO_TIME && !it->time_text)
            it->time_text = q.undated, q.undated = NULL;
        free(q.undated);
    }
    if (it->published != NO_TIME) {
        free(it->time_text);
        it->time_text = NULL;
    }
}

static int article(kw_extracted *out, const kw_hdoc *doc, const char *base)
{
    article_nodes an = {.nopen = 0};
    for (int i = 0; i < A_COUNT; i++) {
        an.open[an.nopen++] = i;
        if (!cands[i].attr && !cands[i].want)
            an.open_bare[an.nopen_bare++] = i;
    }
    kw_extracted_item *it = ex_new_item(out);
    if (!it)
        return kw_error_set(KW_ENOMEM, "out of memory");
    for (const kw_hnode *n = kw_hdoc_root(doc); n; n = kw_hnode_next(n, 0))
        if (n->type == KW_HELEM)
            visit(&an, n);
    const kw_hnode *body = kw_hdoc_body(doc), *top = body ? body : kw_hdoc_root(doc);
    const kw_hnode *best = ex_main_container(top);
    for (int i = A_TITLE; i < A_AUTHOR && !it->title; i++)
        it->title = cand_value(&an, i);
    for (int i = A_AUTHOR; i < A_TIME && !it->author; i++)
        it->author = cand_value(&an, i);
    /* what the page's JSON-LD says, where its markup says nothing */
    jsonld_facts ld = {0};
    if (!it->author || !it->title || (!an.first[A_TIME] && !an.first[A_TIME + 1]))
        jsonld_read(an.ld, an.nld, &ld);
    if (!it->author)
        it->author = ld.author, ld.author = NULL;
    if (!it->author && (best || body)) {
        near_search q = {.see = see_author};
        search_near(best ? best : body, body, &q);
        it->author = q.author;
    }
    if (!it->title)
        it->title = ld.headline, ld.headline = NULL;
    article_date(it, &an, &ld, best, body);
    jsonld_free(&ld);
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
    if (best)
        it->text = ex_node_text(best, 1);
    if (!it->text) /* no prose anywhere: all the page shows */
        it->text = ex_node_text(top, 1);
    if (!it->text) /* not even that: a heading, a page of links */
        it->text = ex_node_text(top, 0);
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
