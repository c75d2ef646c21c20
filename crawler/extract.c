/*
 * Item extraction from HTML (XPath rules or article heuristics) and JSON
 * (JSON Pointer rules). Bounded everywhere: at most KW_EXTRACT_MAX_ITEMS
 * items, at most MAX_FIELD bytes of text per field, no network, no
 * entity expansion, no recursion deeper than the document parsers allow.
 */
#include "kolwatch/extract.h"
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/url.h"
#include "kolwatch/textio.h"

#include "internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELD KW_EX_MAX_FIELD
#define NO_TIME INT64_MIN

static const char *const field_keys[] = {"title", "text", "author", "time", "link"};
enum { F_TITLE, F_TEXT, F_AUTHOR, F_TIME, F_LINK, F_COUNT };

void kw_extracted_free(kw_extracted *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->items[i].title);
        free(e->items[i].text);
        free(e->items[i].author);
        free(e->items[i].link);
        free(e->items[i].time_text);
    }
    free(e->items);
    free(e->next);
    memset(e, 0, sizeof *e);
}

kw_extracted_item *ex_new_item(kw_extracted *e)
{
    if (e->n == KW_EXTRACT_MAX_ITEMS)
        return NULL;
    if (e->n == e->cap) { /* doubling: one more each time copied them all */
        size_t nc = e->cap ? 2 * e->cap : 8;
        kw_extracted_item *ni = realloc(e->items, nc * sizeof *ni);
        if (!ni)
            return NULL;
        e->items = ni;
        e->cap = nc;
    }
    kw_extracted_item *ni = e->items;
    memset(&ni[e->n], 0, sizeof ni[0]);
    ni[e->n].published = NO_TIME;
    return &ni[e->n++];
}

/* Trim, collapse runs of blanks, cap the length; takes ownership of s. */
char *ex_tidy(char *s)
{
    /* 1: blank, 2: newline, 3: the end; 0: a byte kept as it is */
    static const unsigned char cls[256] = {[0] = 3,   ['\n'] = 2, [' '] = 1, ['\t'] = 1,
                                           ['\v'] = 1, ['\f'] = 1,  ['\r'] = 1};
    if (!s)
        return NULL;
    size_t o = 0, i = 0;
    int space = 1;
    while (o < MAX_FIELD) {
        /* a run of kept bytes moves down as one block */
        size_t j = i;
        while (!cls[(unsigned char)s[j]])
            j++;
        if (j > i) {
            size_t n = j - i < MAX_FIELD - o ? j - i : MAX_FIELD - o;
            if (o != i)
                memmove(s + o, s + i, n);
            o += n;
            space = 0;
            if (o == MAX_FIELD)
                break;
        }
        unsigned char c = (unsigned char)s[j];
        if (!c)
            break;
        i = j + 1;
        if (c == '\n') {
            while (o > 0 && s[o - 1] == ' ')
                o--;
            if (o > 0 && !(o > 1 && s[o - 1] == '\n' && s[o - 2] == '\n'))
                s[o++] = '\n';
        } else if (!space) {
            s[o++] = ' ';
        }
        space = 1;
    }
    {
        /* Never end in half a UTF-8 sequence, whatever cut the text (the
         * limit here or one before): drop an incomplete last sequence. */
        size_t k = o;
        while (k > 0 && o - k < 3 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && (unsigned char)s[k - 1] >= 0xC0) {
            unsigned char lead = (unsigned char)s[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (o - (k - 1) < need)
                o = k - 1;
        }
    }
    while (o > 0 && (s[o - 1] == ' ' || s[o - 1] == '\n'))
        o--;
    s[o] = '\0';
    if (o == 0) {
        free(s);
        return NULL;
    }
    return s;
}

char *ex_resolve(const char *link, const char *base)
{
    if (!link || !*link)
        return NULL;
    char *out;
    if (uri_has_scheme(link)) {
        out = strdup(link); /* what xmlBuildURI would give, without parsing two URIs */
    } else if (!(out = uri_join_abs_path(base, link))) { /* "/a/b": the same, cheaper */
        xmlChar *u = uri_build(link, base);
        out = strdup(u ? (const char *)u : link);
        xmlFree(u);
    }
    kw_url_drop_dots(out); /* "/a/../b", which xmlBuildURI leaves so */
    return out;
}

char *ex_base_url(const char *href, const char *page)
{
    char *b = ex_resolve(href, page);
    if (b && strncasecmp(b, "http://", 7) && strncasecmp(b, "https://", 8)) {
        free(b);
        return NULL;
    }
    return b;
}

int64_t ex_parse_time(const char *v, int *local)
{
    int64_t t;
    bool zoned = true;
    int ok = v && (kw_date_parse_zone(&t, v, 0, &zoned) == 0 ||
                   date_in_words(&t, v, 0, &zoned) == 0);
    if (ok && local)
        *local = !zoned;
    return ok ? t : NO_TIME;
}

/* ---- HTML ------------------------------------------------------------------ */

void ex_sb_add(kw_sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > MAX_FIELD + 1) {
        /* over the limit: cut, never inside a UTF-8 sequence */
        n = b->n < MAX_FIELD ? MAX_FIELD - b->n : 0;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np)
            return;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static int is_block(const char *name)
{
    static const char *const blocks[] = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4",
                                         "h5", "h6", "section", "article", "blockquote",
                                         "pre", "ul", "ol", "table", "header", "footer"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcasecmp(name, blocks[i]) == 0)
            return 1;
    return 0;
}

/* Text of a subtree, skipping scripts and styles, blocks on their own lines. */
static void node_text(xmlNodePtr n, kw_sbuf *b, int depth)
{
    for (; n && depth < 200 && b->n < MAX_FIELD; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                ex_sb_add(b, (const char *)n->content, strlen((const char *)n->content));
        } else if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (!strcasecmp(name, "script") || !strcasecmp(name, "style") ||
                !strcasecmp(name, "noscript") || !strcasecmp(name, "template"))
                continue;
            int block = is_block(name);
            if (block)
                ex_sb_add(b, "\n", 1);
            node_text(n->children, b, depth + 1);
            if (block)
                ex_sb_add(b, "\n", 1);
        }
    }
}

static char *text_of(xmlNodePtr n)
{
    kw_sbuf b = {0};
    if (n->type == XML_ATTRIBUTE_NODE || n->type == XML_TEXT_NODE) {
        xmlChar *c = xmlNodeGetContent(n);
        char *s = c ? strdup((const char *)c) : NULL;
        xmlFree(c);
        return ex_tidy(s);
    }
    if (n->type == XML_ELEMENT_NODE) {
        if (!strcasecmp((const char *)n->name, "br"))
            return NULL;
        node_text(n->children, &b, 0);
    }
    return ex_tidy(b.p);
}

/* The value of an XPath result for a field. */
static char *xpath_value(xmlXPathObjectPtr r, int field)
{
    if (!r)
        return NULL;
    if (r->type == XPATH_STRING)
        return ex_tidy(strdup((const char *)r->stringval));
    if (r->type == XPATH_NUMBER) {
        if (field == F_LINK || !isfinite(r->floatval))
            return NULL; /* a count is no link; 1 div 0 says nothing */
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", r->floatval);
        return strdup(buf);
    }
    if (r->type != XPATH_NODESET || !r->nodesetval || r->nodesetval->nodeNr == 0)
        return NULL;
    xmlNodePtr n = r->nodesetval->nodeTab[0];
    if (n->type == XML_ELEMENT_NODE) {
        const char *attr = field == F_LINK ? "href" : field == F_TIME ? "datetime" : NULL;
        xmlChar *a = attr ? xmlGetProp(n, (const xmlChar *)attr) : NULL;
        if (a) {
            char *s = strdup((const char *)a);
            xmlFree(a);
            return ex_tidy(s);
        }
    }
    if (field == F_TEXT && r->nodesetval->nodeNr > 1) {
        kw_sbuf b = {0};
        for (int i = 0; i < r->nodesetval->nodeNr && b.n < MAX_FIELD; i++) {
            char *t = text_of(r->nodesetval->nodeTab[i]);
            if (t) {
                if (b.n)
                    ex_sb_add(&b, "\n", 1);
                ex_sb_add(&b, t, strlen(t));
                free(t);
            }
        }
        return ex_tidy(b.p);
    }
    return text_of(n);
}

static void quiet(void *ctx, const char *msg, ...) { (void)ctx, (void)msg; }

static const char *const html_rule_keys[] = {"item", "title", "text", "author", "time", "link", "next", NULL};
static const char *const json_rule_keys[] = {"items", "title", "text", "author", "time", "link", "next", NULL};

static int one_of(const char *const *list, const char *v)
{
    for (; *list; list++)
        if (strcmp(*list, v) == 0)
            return 1;
    return 0;
}

/* RFC 6901: "" or "/..." with ~ only as ~0 or ~1. */
static int json_pointer_ok(const char *p)
{
    if (*p && *p != '/')
        return 0;
    for (; *p; p++)
        if (*p == '~' && p[1] != '0' && p[1] != '1')
            return 0;
    return 1;
}

int kw_extract_rule_check(const char *kind, const char *key, const char *expr)
{
    if (strcmp(kind, "html") == 0) {
        if (!one_of(html_rule_keys, key))
            return kw_error_set(KW_EINVAL, "html rule '%s' is not one of item, title, text, "
                                           "author, time, link, next", key);
        xmlSetGenericErrorFunc(NULL, quiet);
        xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)expr);
        xmlSetGenericErrorFunc(NULL, NULL);
        if (!c)
            return kw_error_set(KW_EINVAL, "rule %s: '%s' is not a valid XPath expression", key, expr);
        xmlXPathFreeCompExpr(c);
        return ex_xpath_check(key, expr);
    }
    if (strcmp(kind, "json") == 0) {
        if (!one_of(json_rule_keys, key))
            return kw_error_set(KW_EINVAL, "json rule '%s' is not one of items, title, text, "
                                           "author, time, link, next", key);
        if (!json_pointer_ok(expr))
            return kw_error_set(KW_EINVAL, "rule %s: '%s' is not a JSON Pointer (e.g. /data/list)",
                                key, expr);
        return 0;
    }
    return kw_error_set(KW_EINVAL, "a %s source takes no rules (the format is detected)", kind);
}

int kw_rules_have_pages(const char *rules)
{
    if (!rules || !*rules || strcmp(rules, "{}") == 0)
        return 0;
    cJSON *r = cJSON_Parse(rules);
    int has = cJSON_IsObject(r) && cJSON_GetObjectItemCaseSensitive(r, "next") != NULL;
    cJSON_Delete(r);
    return has;
}

/* Set field f of it to v (taken). A link resolves against base, but one
 * that is only a fragment ("#pid1") against the page: it names a place on
 * the page, whatever its <base href> (forums set the site's root there). */
static void set_field(kw_extracted_item *it, int f, char *v, const char *base, const char *page)
{
    switch (f) {
    case F_TITLE: it->title = v; break;
    case F_TEXT: it->text = v; break;
    case F_AUTHOR: it->author = v; break;
    case F_TIME:
        it->published = ex_parse_time(v, &it->published_local);
        if (it->published == NO_TIME && v && !it->time_text)
            it->time_text = v; /* "5分钟前": for the caller, who knows when */
        else
            free(v);
        break;
    case F_LINK:
        it->link = ex_resolve(v, v && v[0] == '#' && page ? page : base);
        free(v);
        break;
    }
}

/* Items that a field rule from the page's root gives the same value before
 * it is taken as the page's, and read no more. */
#define ROOTED_SAME 15

/* libxml2's HTML parser reads elements this deep at most, the rest of the
 * page not at all. */
#define XPATH_MAX_DEPTH 256

/* How deep doc's elements nest, walked without recursion. */
static int tree_depth(xmlDocPtr doc)
{
    int depth = 0, max = 0;
    xmlNodePtr n = xmlDocGetRootElement(doc);
    while (n) {
        if (n->type == XML_ELEMENT_NODE && depth + 1 > max)
            max = depth + 1;
        if (n->children && n->type == XML_ELEMENT_NODE) {
            n = n->children, depth++;
            continue;
        }
        while (n && !n->next && depth > 0)
            n = n->parent, depth--;
        n = n && depth > 0 ? n->next : NULL;
    }
    return max;
}

/* Rules without item=: the page is one article (article mode reads it)
 * and each field a rule names is taken from the rule instead, where it
 * finds something. */
static int rules_article(kw_extracted *out, xmlDocPtr doc, xmlXPathContextPtr ctx,
                         xmlXPathCompExprPtr *comp, const char *html, size_t len,
                         const char *page, const char *base, const char *name)
{
    kw_extracted art = {0};
    int rc = kw_extract_article(&art, html, len, page);
    if (rc) {
        kw_extracted_free(&art);
        return rc == KW_EINVAL ? kw_error_set(rc, "%s: not an HTML page", name) : rc;
    }
    out->items = art.items, out->n = art.n, out->cap = art.cap;
    kw_extracted_item *it = &out->items[0];
    for (int f = 0; f < F_COUNT; f++) {
        if (!comp[f])
            continue;
        xmlXPathSetContextNode(xmlDocGetRootElement(doc), ctx);
        xmlXPathObjectPtr o = xmlXPathCompiledEval(comp[f], ctx);
        char *v = xpath_value(o, f);
        xmlXPathFreeObject(o);
        if (!v)
            continue; /* the article's own */
        char **old = f == F_TITLE ? &it->title : f == F_TEXT ? &it->text
                   : f == F_AUTHOR ? &it->author : f == F_LINK ? &it->link : &it->time_text;
        free(*old);
        *old = NULL;
        if (f == F_TIME)
            it->published = NO_TIME, it->published_local = 0;
        if (f == F_LINK)
            it->link_declared = 0; /* the rule's, not the page's claim */
        set_field(it, f, v, base, page);
    }
    return 0;
}

int kw_extract_html(kw_extracted *out, const char *html, size_t len, const char *rules,
                    const char *base, const char *name)
{
    cJSON *r = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathCompExprPtr comp[F_COUNT] = {0}, item = NULL, next = NULL;
    char *first_val[F_COUNT] = {0}; /* a rule from the page's root: its first value */
    char *doc_base = NULL;
    const char *page = base; /* base may become the page's <base href> */
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!name)
        name = "page";
    if (rules && *rules && strcmp(rules, "{}") != 0) {
        r = cJSON_Parse(rules);
        if (!cJSON_IsObject(r)) {
            cJSON_Delete(r);
            return kw_error_set(KW_EINVAL, "%s: the rules are not a JSON object", name);
        }
    }
    xmlSetGenericErrorFunc(NULL, quiet);
    if (r) {
        const char *names[F_COUNT + 2] = {"title", "text", "author", "time", "link", "item", "next"};
        for (int i = 0; i < F_COUNT + 2; i++) {
            cJSON *v = cJSON_GetObjectItemCaseSensitive(r, names[i]);
            if (!v)
                continue;
            xmlXPathCompExprPtr c = cJSON_IsString(v) ? xmlXPathCompile((const xmlChar *)v->valuestring) : NULL;
            if (!c) {
                rc = kw_error_set(KW_EINVAL, "%s: rule %s is not a valid XPath expression", name,
                                  names[i]);
                goto cleanup;
            }
            if (i < F_COUNT)
                comp[i] = c;
            else if (i == F_COUNT)
                item = c;
            else
                next = c;
        }
    }
    if (len > INT32_MAX) {
        rc = kw_error_set(KW_ETOOBIG, "%s: page too large", name);
        goto cleanup;
    }
    if (!r) { /* no rules: one article, read with the fast parser */
        if ((rc = kw_extract_article(out, html, len, base)) == KW_EINVAL) {
            char why[KW_ERROR_MAX];
            snprintf(why, sizeof why, "%s", kw_error_last());
            kw_error_set(rc, "%s: not an HTML page (%s)", name, why);
        }
        goto cleanup;
    }
    size_t flood = markup_attr_flood(html, len, MARKUP_MAX_ATTRS, true);
    if (flood < len) {
        rc = kw_error_set(KW_EINVAL, "%s: not read: the tag at line %d has more than %d "
                                     "attributes, which no page has",
                          name, markup_line_at(html, flood), MARKUP_MAX_ATTRS);
        goto cleanup;
    }
    doc = htmlReadMemory(html, (int)len, base, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
    if (!doc || !(ctx = xmlXPathNewContext(doc))) {
        rc = kw_error_set(KW_EINVAL, "%s: not an HTML page", name);
        goto cleanup;
    }
    { /* links resolve against the page's <base href>, when it has one */
        xmlXPathObjectPtr b = xmlXPathEvalExpression(BAD_CAST "(//base[@href])[1]/@href", ctx);
        char *href = xpath_value(b, F_LINK);
        xmlXPathFreeObject(b);
        if ((doc_base = ex_base_url(href, base)))
            base = doc_base;
        free(href);
    }
    if (next) {
        xmlXPathObjectPtr nr = xmlXPathCompiledEval(next, ctx);
        char *v = xpath_value(nr, F_LINK);
        out->next = ex_resolve(v, base);
        free(v);
        xmlXPathFreeObject(nr);
    }
    if (!item) { /* no item rule: one article, with the rules' fields */
        rc = rules_article(out, doc, ctx, comp, html, len, page, base, name);
        goto cleanup;
    }
    xmlXPathObjectPtr items = xmlXPathCompiledEval(item, ctx);
    int nitems = items && items->type == XPATH_NODESET && items->nodesetval
                     ? items->nodesetval->nodeNr : 0;
    if (nitems == 0) { /* a site that changed its layout must not go quiet */
        int not_nodes = !items || items->type != XPATH_NODESET;
        xmlXPathFreeObject(items);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "item");
        if (not_nodes && ex_xpath_check("item", v->valuestring))
            rc = kw_error_set(KW_EINVAL, "%s: %s", name, kw_error_last()); /* the rule, not the site */
        else if (tree_depth(doc) >= XPATH_MAX_DEPTH)
            rc = kw_error_set(KW_ENOTFOUND, "%s: rule item=%.200s finds nothing: the page nests "
                                         "elements deeper than %d, past what XPath rules read "
                                         "(without rules it is read as one article)",
                              name, v->valuestring, XPATH_MAX_DEPTH);
        else
            rc = kw_error_set(KW_ENOTFOUND, "%s: rule item=%.200s finds nothing (has the page's "
                                         "layout changed? `kolwatch source test` shows what it "
                                         "reads)",
                              name, v->valuestring);
        goto cleanup;
    }
    /* Items' fields hold a part of the page each: far more text than the
     * page has means a field rule reads the whole page for every item
     * (text=//div for .//div), which would store the page as many times as
     * it has items, each read costing a pass over the page. */
    size_t budget = 4 * len + ((size_t)4 << 20), used = 0, per[F_COUNT] = {0};
    /* A field rule from the page's root (author=//span) gives the first
     * items one value: a page-wide value (a thread's title), or a slip for
     * .//span; either way it is read once, not once an item over the whole
     * page (20,000 posts took 22 s). */
    int rooted[F_COUNT] = {0}, same[F_COUNT] = {0};
    for (int f = 0; f < F_COUNT; f++) {
        cJSON *fv = comp[f] ? cJSON_GetObjectItemCaseSensitive(r, field_keys[f]) : NULL;
        const char *e = cJSON_IsString(fv) ? fv->valuestring : "";
        e += strspn(e, " \t(");
        rooted[f] = *e == '/';
    }
    int i = 0;
    for (; i < nitems && out->n < KW_EXTRACT_MAX_ITEMS; i++) {
        xmlNodePtr node = items->nodesetval->nodeTab[i];
        kw_extracted_item *it = ex_new_item(out);
        if (!it) {
            rc = kw_error_set(KW_ENOMEM, "out of memory");
            break;
        }
        for (int f = 0; f < F_COUNT; f++) {
            if (!comp[f])
                continue;
            char *val;
            if (same[f] >= ROOTED_SAME) {
                val = first_val[f] ? strdup(first_val[f]) : NULL;
            } else {
                xmlXPathSetContextNode(node, ctx);
                xmlXPathObjectPtr v = xmlXPathCompiledEval(comp[f], ctx);
                val = xpath_value(v, f);
                xmlXPathFreeObject(v);
                if (rooted[f] && i == 0) {
                    first_val[f] = val ? strdup(val) : NULL;
                } else if (rooted[f]) {
                    int eq = val && first_val[f] ? strcmp(val, first_val[f]) == 0
                                                 : !val && !first_val[f];
                    rooted[f] = eq; /* differs: read for each item, as written */
                    same[f] += eq;
                }
            }
            set_field(it, f, val, base, page);
        }
        if (!comp[F_TEXT] && node)
            it->text = text_of(node);
        const char *got[F_COUNT] = {it->title, it->text, it->author, it->time_text, it->link};
        for (int f = 0; f < F_COUNT; f++) {
            size_t k = got[f] ? strlen(got[f]) : 0;
            per[f] += k, used += k;
        }
        if (used > budget) {
            int f = 0;
            for (int g = 1; g < F_COUNT; g++)
                f = per[g] > per[f] ? g : f;
            cJSON *fv = cJSON_GetObjectItemCaseSensitive(r, field_keys[f]);
            if (cJSON_IsString(fv))
                rc = kw_error_set(KW_EINVAL,
                                  "%s: the rules read %zu MiB of text from a page of %zu KiB by "
                                  "item %d, most of it by %s=%.200s: a field rule that starts at "
                                  "the page's root (//div) reads the whole page for every item; "
                                  "start it at the item (.//div)",
                                  name, used >> 20, len >> 10, i + 1, field_keys[f],
                                  fv->valuestring);
            else
                rc = kw_error_set(KW_EINVAL,
                                  "%s: the items' own text comes to %zu MiB from a page of %zu "
                                  "KiB by item %d: item=%.200s selects elements inside one "
                                  "another; select the posts alone, or give a text= rule",
                                  name, used >> 20, len >> 10, i + 1,
                                  cJSON_GetObjectItemCaseSensitive(r, "item")->valuestring);
            break;
        }
    }
    if (!rc)
        out->dropped = (size_t)(nitems - i);
    xmlXPathFreeObject(items);
cleanup:
    for (int f = 0; f < F_COUNT; f++) {
        xmlXPathFreeCompExpr(comp[f]);
        free(first_val[f]);
    }
    xmlXPathFreeCompExpr(item);
    xmlXPathFreeCompExpr(next);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(doc_base);
    xmlSetGenericErrorFunc(NULL, NULL);
    cJSON_Delete(r);
    if (rc)
        kw_extracted_free(out);
    return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

/* Follow an RFC 6901 pointer; NULL when it leads nowhere. */
static const cJSON *pointer(const cJSON *root, const char *p)
{
    const cJSON *cur = root;
    char tok[256];
    if (!p || !*p)
        return root;
    if (*p != '/')
        return NULL;
    while (*p == '/' && cur) {
        size_t n = 0;
        for (p++; *p && *p != '/'; p++) {
            char c = *p;
            if (c == '~') {
                if (p[1] == '0')
                    c = '~';
                else if (p[1] == '1')
                    c = '/';
                else
                    return NULL;
                p++;
            }
            if (n + 1 >= sizeof tok)
                return NULL;
            tok[n++] = c;
        }
        tok[n] = '\0';
        if (cJSON_IsArray(cur)) {
            char *end;
            if (!n || (tok[0] == '0' && n > 1) || !isdigit((unsigned char)tok[0]))
                return NULL;
            long idx = strtol(tok, &end, 10);
            if (*end || idx < 0 || idx >= cJSON_GetArraySize(cur))
                return NULL;
            cur = cJSON_GetArrayItem(cur, (int)idx);
        } else if (cJSON_IsObject(cur)) {
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        } else {
            return NULL;
        }
    }
    return cur;
}

static char *json_value(const cJSON *v, int field)
{
    char buf[64];
    if (cJSON_IsString(v)) {
        if (field == F_TEXT || field == F_TITLE) {
            if (strchr(v->valuestring, '<')) {
                char *t = NULL;
                if (kw_html_to_text(&t, v->valuestring, strlen(v->valuestring)) == 0)
                    return ex_tidy(t);
            }
        }
        return ex_tidy(strdup(v->valuestring));
    }
    if (cJSON_IsNumber(v) && field != F_LINK) { /* as written where a double holds it: 4.5,
                                                   0.1, 1700000000; a number is no link */
        double d = v->valuedouble;
        if (d > -1e18 && d < 1e18 && d == (double)(long long)d) /* cast only in range */
            snprintf(buf, sizeof buf, "%lld", (long long)d);
        else
            for (int prec = 15; prec <= 17; prec++)
                if (snprintf(buf, sizeof buf, "%.*g", prec, d) > 0 && strtod(buf, NULL) == d)
                    break;
        return strdup(buf);
    }
    return NULL;
}

/* Escapes cJSON refuses, or reads to a cut string, made ones it reads, in
 * place of the same length (offsets in messages stay right): a lone
 * surrogate (an emoji cut in half by a backend counting UTF-16 units) is
 * U+FFFD, as a bad byte is; \u0000, which would end the string there, is
 * a blank, as other control characters become. NULL when none is found
 * (json is read as it is), else a copy to free. */
static unsigned hex4(const char *p, int *ok)
{
    unsigned v = 0;
    for (int k = 0; k < 4 && *ok; k++) {
        unsigned char h = (unsigned char)p[k];
        *ok = isxdigit(h) != 0;
        v = v * 16 + (unsigned)(isdigit(h) ? h - '0' : (h | 32) - 'a' + 10);
    }
    return v;
}

char *ex_json_mend(const char *json, size_t len, int *nomem, size_t *bad_at)
{
    char *copy = NULL;
    int in_string = 0;
    *nomem = 0;
    *bad_at = SIZE_MAX;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (!in_string || c == '"') {
            in_string = !in_string ? c == '"' : 0;
            continue;
        }
        if (c != '\\' || i + 1 >= len)
            continue;
        if (json[i + 1] != 'u' || i + 6 > len) {
            i++; /* a one-character escape */
            continue;
        }
        int ok = 1, pair = 0;
        unsigned cp = hex4(json + i + 2, &ok);
        if (!ok) { /* cJSON would end the text there without a word */
            *bad_at = i;
            free(copy);
            return NULL;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= len && json[i + 6] == '\\' &&
            json[i + 7] == 'u') {
            unsigned lo = hex4(json + i + 8, &ok);
            pair = ok && lo >= 0xDC00 && lo <= 0xDFFF;
        }
        const char *with = cp == 0                                   ? "\\u0020"
                           : cp >= 0xD800 && cp <= 0xDFFF && !pair ? "\\ufffd"
                                                                   : NULL;
        if (with) {
            if (!copy) {
                if (!(copy = malloc(len + 1))) {
                    *nomem = 1;
                    return NULL;
                }
                memcpy(copy, json, len);
                copy[len] = '\0';
            }
            memcpy(copy + i, with, 6);
        }
        i += pair ? 11 : 5;
    }
    return copy;
}

static int check_pointer(const char *name, const char *key, const cJSON *v)
{
    if (!cJSON_IsString(v) || !json_pointer_ok(v->valuestring))
        return kw_error_set(KW_EINVAL, "%s: rule %s is not a JSON Pointer", name, key);
    return 0;
}

int kw_extract_json(kw_extracted *out, const char *json, size_t len, const char *rules,
                    const char *base, const char *name)
{
    cJSON *r = NULL, *doc = NULL;
    char *mended = NULL; /* json with escapes cJSON refuses made good */
    size_t text_not_text = 0; /* items whose text= found an object or an array */
    const char *ptr[F_COUNT] = {0}, *items_ptr = "", *next_ptr = NULL;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!name)
        name = "document";
    if (rules && *rules) {
        r = cJSON_Parse(rules);
        if (!cJSON_IsObject(r)) {
            rc = kw_error_set(KW_EINVAL, "%s: the rules are not a JSON object", name);
            goto cleanup;
        }
        for (int f = 0; f < F_COUNT; f++) {
            cJSON *v = cJSON_GetObjectItemCaseSensitive(r, field_keys[f]);
            if (v && (rc = check_pointer(name, field_keys[f], v)))
                goto cleanup;
            ptr[f] = v ? v->valuestring : NULL;
        }
        cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "items");
        if (v && (rc = check_pointer(name, "items", v)))
            goto cleanup;
        if (v)
            items_ptr = v->valuestring;
        v = cJSON_GetObjectItemCaseSensitive(r, "next");
        if (v && (rc = check_pointer(name, "next", v)))
            goto cleanup;
        if (v)
            next_ptr = v->valuestring;
    }
    const char *end = NULL;
    int nomem;
    size_t bad_at;
    mended = ex_json_mend(json, len, &nomem, &bad_at);
    if (nomem) {
        rc = kw_error_set(KW_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (bad_at != SIZE_MAX) {
        rc = kw_error_set(KW_EINVAL, "%s: not JSON (a \\u escape without four hex digits at "
                                     "byte %zu)", name, bad_at);
        goto cleanup;
    }
    if (mended)
        json = mended;
    doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!doc) {
        const char *at = cJSON_GetErrorPtr();
        size_t deep = json_nested_over(json, len, CJSON_NESTING_LIMIT);
        if (deep && (!at || at < json || at >= json + deep - 1)) /* cJSON's limit, no syntax error */
            rc = kw_error_set(KW_EINVAL, "%s: JSON nested deeper than %d at byte %zu, which "
                                         "cJSON does not read", name, CJSON_NESTING_LIMIT, deep);
        else
            rc = kw_error_set(KW_EINVAL, "%s: not JSON (error at byte %ld)", name,
                              at && at >= json && at <= json + len ? (long)(at - json) : 0L);
        goto cleanup;
    }
    doc = json_exact_ints(doc, json, len); /* numbers keep their digits */
    if (next_ptr) {
        char *v = json_value(pointer(doc, next_ptr), F_LINK);
        out->next = ex_resolve(v, base);
        free(v);
    }
    const cJSON *items = pointer(doc, items_ptr), *one;
    if (!items) {
        rc = kw_error_set(KW_ENOTFOUND, "%s: rule items=%s finds nothing", name, items_ptr);
        goto cleanup;
    }
    /* items are objects: a pointer at a string, or at an array of strings
     * or of arrays, is a rule that no longer fits (a site that changed its
     * layout does not go quiet) */
    const cJSON *first_other = NULL;
    int objects = cJSON_IsObject(items);
    for (one = cJSON_IsArray(items) ? items->child : NULL; one && !objects; one = one->next)
        if (!(objects = cJSON_IsObject(one)) && !first_other)
            first_other = one;
    if (!objects && (!cJSON_IsArray(items) || first_other)) {
        const cJSON *what = first_other ? first_other : items;
        int k = cJSON_IsString(what) ? 0 : cJSON_IsNumber(what) ? 1 : cJSON_IsArray(what) ? 2
                : cJSON_IsBool(what) ? 3 : 4;
        static const char *const one_kind[] = {"a string", "a number", "an array",
                                               "true or false", "null"};
        static const char *const many[] = {"an array of strings", "an array of numbers",
                                           "an array of arrays", "an array of true and false",
                                           "an array of nulls"};
        rc = kw_error_set(KW_ENOTFOUND,
                          "%s: rule items=%s finds %s, not objects: point items= at the array "
                          "whose elements are the posts (`kolwatch source test` shows what it "
                          "reads)",
                          name, *items_ptr ? items_ptr : "(the root)",
                          first_other ? many[k] : one_kind[k]);
        goto cleanup;
    }
    /* an array's elements in turn (cJSON_GetArrayItem walks from the first
     * each time), or one object */
    one = cJSON_IsArray(items) ? items->child : items;
    for (; one && out->n < KW_EXTRACT_MAX_ITEMS; one = cJSON_IsArray(items) ? one->next : NULL) {
        if (!cJSON_IsObject(one))
            continue;
        kw_extracted_item *it = ex_new_item(out);
        if (!it) {
            rc = kw_error_set(KW_ENOMEM, "out of memory");
            goto cleanup;
        }
        for (int f = 0; f < F_COUNT; f++) {
            if (!ptr[f])
                continue;
            const cJSON *v = pointer(one, ptr[f]);
            if (f == F_TEXT && (cJSON_IsObject(v) || cJSON_IsArray(v)))
                text_not_text++;
            set_field(it, f, json_value(v, f), base, base);
        }
    }
    /* a text= pointer at what holds the text (an object, an array) on every
     * item: a rule that says nothing, said as such */
    if (out->n > 0 && text_not_text == out->n) {
        rc = kw_error_set(KW_ENOTFOUND, "%s: rule text=%s finds %s, not text, on every item: "
                                        "point it at the string inside (text=%s/...)",
                          name, ptr[F_TEXT], "an object or an array", ptr[F_TEXT]);
        goto cleanup;
    }
    for (; one; one = one->next) /* past the cap: counted, not read */
        out->dropped += cJSON_IsObject(one);
cleanup:
    cJSON_Delete(doc);
    cJSON_Delete(r);
    free(mended);
    if (rc)
        kw_extracted_free(out);
    return rc;
}

/* ---- A fetched body, by source kind ---------------------------------------- */


/* How many of the first 4 KiB of decoded text s are U+FFFD (bytes the
 * charset could not read) or control characters no text has, against the
 * characters read: a binary file served as a page is mostly such (browsers
 * sniff the first 1,445 bytes for the same). */
static int not_text(const char *s, size_t n, size_t *bad, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t end = n < 4096 ? n : 4096, i = 0;
    *bad = *chars = 0;
    while (i < end) {
        size_t stop = end;
        if (i + 8 <= end) { /* eight bytes at once while none can be bad */
            uint64_t w, ef;
            memcpy(&w, p + i, 8);
            ef = w ^ (0xEF * ones);
            if (!(((w - 0x20 * ones) & ~w & highs) | ((ef - ones) & ~ef & highs))) {
                uint64_t cont = (w & ~(w << 1) & highs) >> 7; /* 1 a byte inside a character */
                *chars += 8 - (size_t)((cont * ones) >> 56);
                i += 8;
                continue;
            }
            stop = i + 8; /* a control byte or a 0xEF among them: one by one */
        }
        for (; i < stop; i++) {
            unsigned char c = p[i];
            if ((c & 0xC0) == 0x80)
                continue; /* inside a character */
            (*chars)++;
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ||
                (c == 0xEF && i + 2 < n && p[i + 1] == 0xBF && p[i + 2] == 0xBD))
                (*bad)++;
        }
    }
    return *bad >= 32 && *bad * 20 > *chars; /* over 5 %: a page has next to none */
}

/* Control characters a page's text may hold made blanks: no use to a
 * reader, and a terminal would obey them. */
static void scrub_items(kw_extracted *out)
{
    for (size_t i = 0; i < out->n; i++) {
        kw_controls_replace(out->items[i].title, ' ');
        kw_controls_replace(out->items[i].text, ' ');
        kw_controls_replace(out->items[i].author, ' ');
    }
}

static int extract_body(kw_extracted *out, const char *kind, const char *rules, const void *body,
                        size_t len, const char *content_type, const char *url,
                        const char **charset)
{
    kw_decoded d = {0};
    int rc;
    memset(out, 0, sizeof *out);
    if (strcmp(kind, "feed") == 0) {
        kw_feed *f = NULL;
        kw_feed_options o = {.name = url, .base = url, .charset = content_type};
        if ((rc = kw_feed_parse(&f, body, len, &o)))
            return rc;
        if (f->halted) {
            /* not silence, and not the items read so far, the last of them
             * maybe cut: an error the source's health shows */
            rc = kw_error_set(KW_EINVAL, "%s: the feed could not be read to its end: %s",
                              url ? url : "feed",
                              f->bozo_message ? f->bozo_message : "not well-formed XML");
            kw_feed_free(f);
            return rc;
        }
        if (charset)
            *charset = f->encoding;
        for (size_t i = 0; i < f->n_entries && out->n < KW_EXTRACT_MAX_ITEMS; i++) {
            kw_feed_entry *e = &f->entries[i];
            kw_extracted_item *it = ex_new_item(out);
            if (!it) {
                kw_feed_free(f);
                kw_extracted_free(out);
                return kw_error_set(KW_ENOMEM, "out of memory");
            }
            /* the entry's strings move to the item (the feed is freed next) */
            char **text = e->content ? &e->content : &e->summary;
            it->title = e->title, e->title = NULL;
            it->text = *text, *text = NULL;
            it->author = e->author, e->author = NULL;
            it->link = e->link, e->link = NULL;
            it->published = e->published != KW_FEED_NO_TIME ? e->published
                            : e->updated != KW_FEED_NO_TIME ? e->updated
                                                            : NO_TIME;
            it->published_local = e->published != KW_FEED_NO_TIME ? e->published_local
                                  : e->updated != KW_FEED_NO_TIME ? e->updated_local
                                                                  : 0;
        }
        out->dropped = f->n_dropped + (f->n_entries - out->n);
        kw_feed_free(f);
        return 0;
    }
    int html = strcmp(kind, "html") == 0;
    if (!html && strcmp(kind, "json") != 0)
        return kw_error_set(KW_EINVAL, "unknown source kind '%s'", kind);
    if ((rc = kw_charset_decode(&d, body, len, content_type, html ? KW_DOC_HTML : KW_DOC_TEXT, 0)))
        return rc;
    if (charset)
        *charset = d.charset;
    size_t bad, chars;
    bool is_text = !not_text(d.text, d.len, &bad, &chars);
    if (is_text && strncmp(d.charset, "utf-16", 6) != 0) {
        /* NULs were made blanks by the decoding: counted from the bytes */
        size_t head = len < 4096 ? len : 4096, nuls = 0;
        for (const char *p = body, *end = p + head; (p = memchr(p, '\0', (size_t)(end - p)));
             p++)
            nuls++;
        if (nuls >= 32 && nuls * 20 > head)
            is_text = false, bad = nuls, chars = head;
    }
    if (!is_text) {
        kw_decoded_free(&d);
        return kw_error_set(KW_EINVAL, "%s: not text: %zu of its first %zu characters are "
                                       "undecodable bytes or control characters (a binary file "
                                       "served as %s?)",
                            url ? url : "page", bad, chars, content_type ? content_type : "text");
    }
    rc = html ? kw_extract_html(out, d.text, d.len, rules, url, url)
              : kw_extract_json(out, d.text, d.len, rules, url, url);
    kw_decoded_free(&d);
    return rc;
}

int kw_extract_body(kw_extracted *out, const char *kind, const char *rules, const void *body,
                    size_t len, const char *content_type, const char *url, const char **charset)
{
    int rc = extract_body(out, kind, rules, body, len, content_type, url, charset);
    if (rc == 0)
        scrub_items(out);
    return rc;
}
