/*
 * Feeds: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed, detected from the
 * content, read into kw_feed with plain-text fields and UTC times.
 * XML goes through libxml2 with the network, external entities and DTD
 * loading off and its built-in limits on (never XML_PARSE_NOENT, DTDLOAD,
 * DTDVALID or HUGE); entity references are never expanded by us either.
 * A feed that is not well-formed is still read, and flagged bozo.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include "internal.h"

#include <cjson/cJSON.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <string.h>

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS20 "http://backend.userland.com/rss2"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

/* Most text kept from one field; a feed is already capped as a whole. */
#define FIELD_MAX (4u * 1024 * 1024)
/* JSON nested deeper than this is refused before cJSON sees it. */
#define JSON_MAX_DEPTH 64

typedef struct reader {
    kw_feed *feed;
    const char *name;
    const char *base; /* opt->base */
    xmlDocPtr doc;
    size_t max_entries, cap_entries;
    int rc;
} reader;

const char *kw_feed_version_name(kw_feed_version v)
{
    switch (v) {
    case KW_FEED_RSS20: return "rss20";
    case KW_FEED_RSS10: return "rss10";
    case KW_FEED_RSS09X: return "rss09x";
    case KW_FEED_ATOM10: return "atom10";
    case KW_FEED_ATOM03: return "atom03";
    case KW_FEED_JSON11: return "json11";
    }
    return "unknown";
}

static void entry_clear(kw_feed_entry *e)
{
    free(e->id);
    free(e->title);
    free(e->link);
    free(e->author);
    free(e->summary);
    free(e->content);
}

void kw_feed_free(kw_feed *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_entries; i++)
        entry_clear(&f->entries[i]);
    free(f->entries);
    free(f->bozo_message);
    free(f->title);
    free(f->link);
    free(f->subtitle);
    free(f->author);
    free(f);
}

/* ---- text helpers ---------------------------------------------------- */

static bool is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Trim; with collapse, runs of white space become one space. NULL for an
 * empty result. Takes ownership of s. */
static char *tidy(char *s, bool collapse)
{
    if (!s)
        return NULL;
    char *w = s, *r = s;
    bool space = false;
    while (*r && is_ws(*r))
        r++;
    for (; *r; r++) {
        if (collapse && is_ws(*r)) {
            space = true;
            continue;
        }
        if (space)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    while (w > s && is_ws(w[-1]))
        w--;
    *w = '\0';
    if (!*s) {
        free(s);
        return NULL;
    }
    return s;
}

static bool looks_like_html(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '<' && (p[1] == '/' || p[1] == '!' || (p[1] >= 'a' && p[1] <= 'z') ||
                          (p[1] >= 'A' && p[1] <= 'Z')))
            return true;
        if (*p == '&') {
            const char *q = p + 1;
            if (*q == '#')
                q++;
            const char *w = q;
            while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
                q++;
            if (q > w && *q == ';')
                return true;
        }
    }
    return false;
}

static char *html_text(reader *rd, char *html)
{
    char *t = NULL;
    if (!html)
        return NULL;
    int rc = kw_html_to_text(&t, html, strlen(html));
    free(html);
    if (rc) {
        rd->rc = rc;
        return NULL;
    }
    return tidy(t, false);
}

/* Text and CDATA below node, at most FIELD_MAX bytes. Entity references
 * are never expanded, but one that names an HTML character (&eacute;,
 * &copy;, &nbsp;: RSS 0.91's DTD declares them, and feeds written as HTML
 * use them) is that character. Walks without recursion. */
static char *raw_text(reader *rd, xmlNode *node)
{
    kw_buf b;
    buf_init(&b, FIELD_MAX);
    xmlNode *n = node->children;
    while (n) {
        int rc = 0;
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
            rc = buf_append_cut(&b, n->content, strlen((const char *)n->content));
            if (rc == KW_ETOOBIG)
                break; /* the field is cut at its limit, not dropped */
        } else if (n->type == XML_ENTITY_REF_NODE && n->name) {
            const htmlEntityDesc *e = htmlEntityLookup(n->name);
            if (e)
                rc = buf_put_cp(&b, e->value);
        }
        if (rc == KW_ENOMEM) {
            rd->rc = KW_ENOMEM;
            break;
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && n != node && !n->next)
            n = n->parent;
        if (!n || n == node)
            break;
        n = n->next;
    }
    return buf_take(&b);
}

static bool has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

static bool is_void_element(const char *name)
{
    static const char *const v[] = {"br", "hr", "img", "input", "meta", "link", "area", "base",
                                    "col", "embed", "param", "source", "track", "wbr", NULL};
    for (const char *const *p = v; *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

static int put_escaped_text(kw_buf *b, const char *s)
{
    int rc = 0;
    for (const char *p = s; *p && rc == 0; p++)
        rc = *p == '&' ? buf_append(b, "&amp;", 5)
           : *p == '<' ? buf_append(b, "&lt;", 4)
           : *p == '>' ? buf_append(b, "&gt;", 4)
                       : buf_putc(b, *p);
    return rc;
}

static int put_tag(kw_buf *b, const xmlNode *n, bool close)
{
    int rc = buf_append(b, close ? "</" : "<", close ? 2 : 1);
    if (rc == 0)
        rc = buf_append(b, n->name, strlen((const char *)n->name));
    return rc ? rc : buf_putc(b, '>');
}

/* The markup below node as HTML for html_text: elements by their local
 * name (Atom's XHTML is often written <xhtml:p>, RFC 4287's own example,
 * which an HTML parser would not know for a paragraph or a script), text
 * escaped, references kept for the HTML parser to decode. For inline
 * XHTML (Atom type="xhtml", Atom 0.3's mode="xml") and for markup written
 * unescaped where HTML was due. Walks without recursion. */
static char *markup_of(reader *rd, xmlNode *node)
{
    kw_buf b;
    int rc = 0;
    buf_init(&b, FIELD_MAX);
    xmlNode *n = node->children;
    while (n && rc == 0) {
        if (n->type == XML_ELEMENT_NODE) {
            rc = put_tag(&b, n, false);
            if (rc == 0 && n->children) {
                n = n->children;
                continue;
            }
            if (rc == 0 && !is_void_element((const char *)n->name))
                rc = put_tag(&b, n, true);
        } else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
                   n->content) {
            rc = put_escaped_text(&b, (const char *)n->content);
        } else if (n->type == XML_ENTITY_REF_NODE && n->name) {
            const htmlEntityDesc *e = htmlEntityLookup(n->name);
            if (e)
                rc = buf_put_cp(&b, e->value);
        }
        /* on to the next node, closing the elements left on the way up */
        while (rc == 0 && n != node && !n->next) {
            n = n->parent;
            if (n && n != node)
                rc = put_tag(&b, n, true);
        }
        if (!n || n == node)
            break;
        n = n->next;
    }
    if (rc == KW_ENOMEM)
        rd->rc = KW_ENOMEM;
    return buf_take(&b);
}

/* ---- XML navigation --------------------------------------------------- */

static const char *ns_of(const xmlNode *n) { return n->ns ? (const char *)n->ns->href : NULL; }

static bool ns_eq(const xmlNode *n, const char *ns)
{
    const char *h = ns_of(n);
    return ns ? h && strcmp(h, ns) == 0 : h == NULL;
}

/* RSS elements: no namespace, or one of the RSS namespaces. */
static bool rss_ns(const xmlNode *n)
{
    const char *h = ns_of(n);
    return !h || strcmp(h, NS_RSS10) == 0 || strcmp(h, NS_RSS090) == 0 ||
           strcmp(h, NS_RSS20) == 0;
}

static bool atom_ns(const xmlNode *n)
{
    const char *h = ns_of(n);
    return h && (strcmp(h, NS_ATOM10) == 0 || strcmp(h, NS_ATOM03) == 0);
}

typedef enum { IN_RSS, IN_ATOM, IN_NS } ns_kind;

static bool is_el(const xmlNode *n, ns_kind k, const char *ns, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    switch (k) {
    case IN_RSS: return rss_ns(n);
    case IN_ATOM: return atom_ns(n) || (!ns_of(n) && !ns);
    case IN_NS: return ns_eq(n, ns);
    }
    return false;
}

static xmlNode *child(xmlNode *parent, ns_kind k, const char *ns, const char *name)
{
    for (xmlNode *c = parent->children; c; c = c->next)
        if (is_el(c, k, ns, name))
            return c;
    return NULL;
}

/* The text of an attribute value; entity references in it stay
 * unexpanded (xmlGetProp would expand them). */
static char *attr_text(xmlAttr *a)
{
    kw_buf b;
    buf_init(&b, FIELD_MAX);
    for (xmlNode *c = a ? a->children : NULL; c; c = c->next)
        if (c->type == XML_TEXT_NODE && c->content &&
            buf_append(&b, c->content, strlen((const char *)c->content)) == KW_ENOMEM)
            break;
    return a ? buf_take(&b) : NULL;
}

static char *prop(xmlNode *n, const char *name)
{
    return attr_text(xmlHasProp(n, (const xmlChar *)name));
}

static char *ns_prop(xmlNode *n, const char *name, const char *ns)
{
    return attr_text(xmlHasNsProp(n, (const xmlChar *)name, (const xmlChar *)ns));
}

/* A text element read as plain text; HTML inside is turned into text. */
static char *text_of(reader *rd, xmlNode *n, bool collapse)
{
    if (!n)
        return NULL;
    if (has_element_child(n)) /* HTML written unescaped: markup, not text */
        return tidy(html_text(rd, markup_of(rd, n)), collapse);
    char *s = raw_text(rd, n);
    if (s && looks_like_html(s))
        return tidy(html_text(rd, s), collapse);
    return tidy(s, collapse);
}

static char *text_child(reader *rd, xmlNode *parent, ns_kind k, const char *ns,
                        const char *name, bool collapse)
{
    return text_of(rd, child(parent, k, ns, name), collapse);
}

/* Atom 0.3's mode="base64" text: the bytes, when they are valid UTF-8
 * without NUL (a text, not an image); NULL otherwise. Blanks are skipped. */
static char *base64_text(const char *s)
{
    size_t n = s ? strlen(s) : 0, o = 0;
    char *out = s ? malloc(n / 4 * 3 + 4) : NULL;
    uint32_t acc = 0;
    int bits = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        unsigned char c = (unsigned char)s[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (v < 0) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                continue;
            free(out);
            return NULL; /* not base64 */
        }
        acc = (acc << 6) | (uint32_t)v;
        if ((bits += 6) >= 8)
            out[o++] = (char)(acc >> (bits -= 8));
    }
    out[o] = '\0';
    for (size_t i = 0; i < o;) {
        uint32_t cp;
        size_t k = utf8_seq((const unsigned char *)out + i, o - i, &cp);
        if (!k || cp == 0) {
            free(out);
            return NULL;
        }
        i += k;
    }
    return out;
}

/* An Atom text construct: type text, html or xhtml (Atom 0.3: mode
 * escaped/xml/base64 and MIME types). */
static char *atom_text(reader *rd, xmlNode *n, bool collapse)
{
    if (!n)
        return NULL;
    char *type = prop(n, "type"), *mode = prop(n, "mode"), *src = prop(n, "src");
    char *out = NULL;
    bool html = type && (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0);
    bool xhtml = type && (strcmp(type, "xhtml") == 0 || strcmp(type, "application/xhtml+xml") == 0);
    if (mode && strcmp(mode, "escaped") == 0)
        html = true, xhtml = false;
    else if (mode && strcmp(mode, "xml") == 0)
        xhtml = true, html = false;
    if (src)
        out = NULL; /* out of line: no text to give */
    else if (mode && strcmp(mode, "base64") == 0) { /* text in base64, else no text */
        bool textual = !type || strncmp(type, "text/", 5) == 0 || html || xhtml;
        char *raw = textual ? raw_text(rd, n) : NULL, *dec = base64_text(raw);
        free(raw);
        out = tidy(html || xhtml ? html_text(rd, dec) : dec, collapse);
    } else if (xhtml || (html && has_element_child(n))) /* Atom 0.3: mode="xml" by default */
        out = tidy(html_text(rd, markup_of(rd, n)), collapse);
    else if (html)
        out = tidy(html_text(rd, raw_text(rd, n)), collapse);
    else
        out = tidy(raw_text(rd, n), collapse);
    free(type);
    free(mode);
    free(src);
    return out;
}

/* The date in node n, or KW_FEED_NO_TIME; *local (may be NULL) gets
 * whether it was written without a zone (and so read as UTC). */
static int64_t date_of_zone(reader *rd, xmlNode *n, bool *local)
{
    int64_t t;
    bool zoned = true;
    if (local)
        *local = false;
    if (!n)
        return KW_FEED_NO_TIME;
    char *s = raw_text(rd, n);
    int rc = s ? kw_date_parse_zone(&t, s, 0, &zoned) : KW_EINVAL;
    free(s);
    if (rc == 0 && local)
        *local = !zoned;
    return rc == 0 ? t : KW_FEED_NO_TIME;
}

static int64_t date_of(reader *rd, xmlNode *n) { return date_of_zone(rd, n, NULL); }

/* The base for links at node: xml:base on the way up (resolved against
 * opt->base), then the feed's own link. Caller frees with xmlFree. */
static xmlChar *base_at(reader *rd, xmlNode *node)
{
    xmlChar *b = xmlNodeGetBase(rd->doc, node);
    const char *feed_link = rd->feed->link;
    if (feed_link && (!b || !xmlStrstr(b, (const xmlChar *)"://"))) {
        xmlChar *r = b ? uri_build((const char *)b, feed_link)
                       : xmlStrdup((const xmlChar *)feed_link);
        xmlFree(b);
        b = r;
    }
    return b;
}

/* href resolved against the base at node, as ex_resolve resolves links.
 * Takes ownership of href. */
static char *resolve(reader *rd, xmlNode *node, char *href)
{
    href = tidy(href, false);
    if (!href || uri_has_scheme(href))
        return href; /* absolute: no base to find */
    xmlChar *base = base_at(rd, node);
    char *abs = ex_resolve(href, (const char *)base);
    xmlFree(base);
    if (!abs)
        return href; /* out of memory: kept as written */
    free(href);
    return abs;
}

/* Atom: the rel="alternate" (or rel-less) link, text/html preferred. */
static char *atom_link(reader *rd, xmlNode *parent)
{
    xmlNode *pick = NULL;
    bool pick_html = false;
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (!is_el(c, IN_ATOM, NULL, "link"))
            continue;
        char *rel = prop(c, "rel"), *type = prop(c, "type");
        /* RFC 4287 4.2.7.2: a registered name and its IANA IRI are one */
        bool alt = !rel || strcmp(rel, "alternate") == 0 ||
                   strcmp(rel, "http://www.iana.org/assignments/relation/alternate") == 0;
        bool html = !type || strcmp(type, "text/html") == 0;
        if (alt && (!pick || (html && !pick_html))) {
            pick = c;
            pick_html = html;
        }
        free(rel);
        free(type);
    }
    return pick ? resolve(rd, pick, prop(pick, "href")) : NULL;
}

static char *atom_person(reader *rd, xmlNode *parent)
{
    xmlNode *a = child(parent, IN_ATOM, NULL, "author");
    if (!a)
        return NULL;
    char *name = text_child(rd, a, IN_ATOM, NULL, "name", true);
    return name ? name : text_child(rd, a, IN_ATOM, NULL, "email", true);
}

/* ---- entries ------------------------------------------------------------ */

static kw_feed_entry *new_entry(reader *rd)
{
    kw_feed *f = rd->feed;
    if (f->n_entries >= rd->max_entries) {
        f->n_dropped++;
        return NULL;
    }
    if (f->n_entries == rd->cap_entries) { /* doubling, not one more each time */
        size_t nc = rd->cap_entries ? 2 * rd->cap_entries : 8;
        kw_feed_entry *ne = realloc(f->entries, nc * sizeof *ne);
        if (!ne) {
            rd->rc = KW_ENOMEM;
            return NULL;
        }
        f->entries = ne;
        rd->cap_entries = nc;
    }
    kw_feed_entry *e = &f->entries[f->n_entries++];
    memset(e, 0, sizeof *e);
    e->published = e->updated = KW_FEED_NO_TIME;
    return e;
}

static void rss_item(reader *rd, xmlNode *it)
{
    kw_feed_entry *e = new_entry(rd);
    if (!e)
        return;
    xmlNode *guid = child(it, IN_RSS, NULL, "guid");
    e->id = guid ? tidy(raw_text(rd, guid), false) : NULL;
    if (!e->id && rd->feed->version == KW_FEED_RSS10) {
        e->id = tidy(ns_prop(it, "about", NS_RDF), false);
    }
    e->title = text_child(rd, it, IN_RSS, NULL, "title", true);
    xmlNode *link = child(it, IN_RSS, NULL, "link");
    if (link)
        e->link = resolve(rd, link, raw_text(rd, link));
    if (!e->link && guid && e->id) {
        char *perma = prop(guid, "isPermaLink");
        bool is_perma = !perma || strcmp(perma, "false") != 0;
        free(perma);
        if (is_perma && (strncmp(e->id, "http://", 7) == 0 || strncmp(e->id, "https://", 8) == 0))
            e->link = strdup(e->id);
    }
    if (!e->link && e->id && rd->feed->version == KW_FEED_RSS10)
        e->link = strdup(e->id);
    e->author = text_child(rd, it, IN_RSS, NULL, "author", true);
    if (!e->author)
        e->author = text_child(rd, it, IN_NS, NS_DC, "creator", true);
    xmlNode *pub = child(it, IN_RSS, NULL, "pubDate");
    e->published = date_of_zone(rd, pub ? pub : child(it, IN_NS, NS_DC, "date"),
                                &e->published_local);
    xmlNode *upd = child(it, IN_NS, NS_ATOM10, "updated");
    e->updated = date_of_zone(rd, upd ? upd : child(it, IN_NS, NS_DCTERMS, "modified"),
                              &e->updated_local);
    e->summary = text_child(rd, it, IN_RSS, NULL, "description", false);
    xmlNode *enc = child(it, IN_NS, NS_CONTENT, "encoded");
    if (enc)
        e->content = html_text(rd, has_element_child(enc) ? markup_of(rd, enc) : raw_text(rd, enc));
}

static void atom_entry(reader *rd, xmlNode *en, bool v03)
{
    kw_feed_entry *e = new_entry(rd);
    if (!e)
        return;
    /* an IRI, not text: "&copy;" or "<" in it are not HTML */
    xmlNode *idn = child(en, IN_ATOM, NULL, "id");
    e->id = idn ? tidy(raw_text(rd, idn), false) : NULL;
    e->title = atom_text(rd, child(en, IN_ATOM, NULL, "title"), true);
    e->link = atom_link(rd, en);
    e->author = atom_person(rd, en);
    xmlNode *src = child(en, IN_ATOM, NULL, "source");
    if (!e->author && src) /* RFC 4287 4.2.1: the source's authors, then the feed's */
        e->author = atom_person(rd, src);
    if (!e->author) /* an entry without an author has the feed's */
        e->author = rd->feed->author ? strdup(rd->feed->author) : NULL;
    if (v03) {
        xmlNode *p = child(en, IN_ATOM, NULL, "issued");
        e->published = date_of_zone(rd, p ? p : child(en, IN_ATOM, NULL, "created"),
                                    &e->published_local);
        e->updated = date_of_zone(rd, child(en, IN_ATOM, NULL, "modified"), &e->updated_local);
    } else {
        e->published = date_of_zone(rd, child(en, IN_ATOM, NULL, "published"),
                                    &e->published_local);
        e->updated = date_of_zone(rd, child(en, IN_ATOM, NULL, "updated"), &e->updated_local);
    }
    e->summary = atom_text(rd, child(en, IN_ATOM, NULL, "summary"), false);
    e->content = atom_text(rd, child(en, IN_ATOM, NULL, "content"), false);
}

/* ---- feeds -------------------------------------------------------------- */

static void read_rss(reader *rd, xmlNode *root)
{
    kw_feed *f = rd->feed;
    /* RSS 0.9x/2.0 hold items in the channel, RDF-based ones beside it. */
    xmlNode *ch = child(root, IN_RSS, NULL, "channel");
    xmlNode *holder = f->version == KW_FEED_RSS20 || (f->version == KW_FEED_RSS09X &&
                                                      !ns_eq(root, NS_RDF)) ? ch : root;
    if (ch) {
        f->title = text_child(rd, ch, IN_RSS, NULL, "title", true);
        xmlNode *link = child(ch, IN_RSS, NULL, "link");
        if (link) {
            char *href = tidy(raw_text(rd, link), false);
            if (href) {
                xmlChar *b = xmlNodeGetBase(rd->doc, link);
                xmlChar *abs = uri_build(href, (const char *)b);
                if (abs) {
                    free(href);
                    href = strdup((const char *)abs);
                }
                xmlFree(abs);
                xmlFree(b);
            }
            f->link = href;
        }
        f->subtitle = text_child(rd, ch, IN_RSS, NULL, "description", false);
        f->author = text_child(rd, ch, IN_RSS, NULL, "managingEditor", true);
        if (!f->author)
            f->author = text_child(rd, ch, IN_NS, NS_DC, "creator", true);
        xmlNode *u = child(ch, IN_RSS, NULL, "lastBuildDate");
        if (!u)
            u = child(ch, IN_RSS, NULL, "pubDate");
        if (!u)
            u = child(ch, IN_NS, NS_DC, "date");
        f->updated = date_of(rd, u);
    }
    if (!holder)
        return;
    for (xmlNode *c = holder->children; c && rd->rc == 0; c = c->next)
        if (is_el(c, IN_RSS, NULL, "item"))
            rss_item(rd, c);
}

static void read_atom(reader *rd, xmlNode *root, bool v03)
{
    kw_feed *f = rd->feed;
    f->title = atom_text(rd, child(root, IN_ATOM, NULL, "title"), true);
    /* The feed's link is resolved with xml:base and opt->base only. */
    char *saved = f->link;
    f->link = NULL;
    f->link = atom_link(rd, root);
    free(saved);
    f->subtitle = atom_text(rd, child(root, IN_ATOM, NULL, v03 ? "tagline" : "subtitle"), false);
    if (!f->subtitle && !v03)
        f->subtitle = atom_text(rd, child(root, IN_ATOM, NULL, "tagline"), false);
    f->author = atom_person(rd, root);
    f->updated = date_of(rd, child(root, IN_ATOM, NULL, v03 ? "modified" : "updated"));
    for (xmlNode *c = root->children; c && rd->rc == 0; c = c->next)
        if (is_el(c, IN_ATOM, NULL, "entry"))
            atom_entry(rd, c, v03);
}

/* Silences libxml2's own printing while one document is parsed. */
static void quiet(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

static int set_bozo(kw_feed *f, const char *why)
{
    char msg[512];
    f->bozo = true;
    if (f->bozo_message)
        return 0;
    snprintf(msg, sizeof msg, "%s", why);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    f->bozo_message = strdup(msg);
    return f->bozo_message ? 0 : KW_ENOMEM;
}

static int parse_xml(reader *rd, const char *text, size_t len)
{
    kw_feed *f = rd->feed;
    size_t flood = markup_attr_flood(text, len, MARKUP_MAX_ATTRS, false);
    if (flood < len)
        return kw_error_set(KW_EINVAL, "%s: not read: the tag at line %d has more than %d "
                                       "attributes, which no feed has",
                            rd->name, markup_line_at(text, flood), MARKUP_MAX_ATTRS);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    xmlDocPtr doc = NULL;
    int rc = 0;
    if (!ctxt)
        return kw_error_set(KW_ENOMEM, "%s: out of memory", rd->name);
    xmlStructuredErrorFunc saved = xmlStructuredError;
    void *saved_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, quiet);
    /* The text is UTF-8 already; the declaration's encoding is ignored.
     * The base is given with the characters a URI may not hold escaped:
     * libxml2 would mangle "http://x.example/路径/" into a relative path. */
    char *safe_base = rd->base ? uri_escaped(rd->base) : NULL;
    size_t refs = 0, refs_len = 0;
    bool doctype = false;
    char *with_refs = xml_html_refs(text, len, &refs_len, &refs, &doctype);
    if (with_refs)
        text = with_refs, len = refs_len;
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, safe_base ? safe_base : rd->base, "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                                XML_PARSE_IGNORE_ENC |
                                XML_PARSE_COMPACT); /* the tree is read, never changed */
    free(safe_base);
    free(with_refs);
    xmlSetStructuredErrorFunc(saved_ctx, saved);
    xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
    char msg[300] = "";
    if (err && err->message) { /* libxml2 ends its messages with a newline */
        snprintf(msg, sizeof msg, "%s", err->message);
        for (size_t n = strlen(msg); n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '); n--)
            msg[n - 1] = '\0';
        utf8_scrub(msg); /* it may quote the document, cut at a byte limit */
    }
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        rc = kw_error_set(KW_EINVAL, "%s: not a feed: %s%s (line %d)", rd->name,
                          msg[0] ? "XML does not parse: " : "no XML root element", msg,
                          err ? err->line : 0);
        goto cleanup;
    }
    const char *nm = (const char *)root->name;
    const char *ns = ns_of(root);
    if (strcmp(nm, "rss") == 0) {
        char *v = prop(root, "version");
        f->version = v && strncmp(v, "0.9", 3) == 0 ? KW_FEED_RSS09X : KW_FEED_RSS20;
        free(v);
    } else if (strcmp(nm, "RDF") == 0 && ns && strcmp(ns, NS_RDF) == 0) {
        xmlNode *ch = NULL;
        for (xmlNode *c = root->children; c && !ch; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "channel") == 0)
                ch = c;
        if (!ch) {
            rc = kw_error_set(KW_EINVAL, "%s: not a feed: RDF document without a channel",
                              rd->name);
            goto cleanup;
        }
        f->version = ns_eq(ch, NS_RSS090) ? KW_FEED_RSS09X : KW_FEED_RSS10;
    } else if (strcmp(nm, "feed") == 0 && (!ns || atom_ns(root))) {
        char *v = prop(root, "version");
        bool v03 = (ns && strcmp(ns, NS_ATOM03) == 0) || (!ns && v && strcmp(v, "0.3") == 0);
        free(v);
        f->version = v03 ? KW_FEED_ATOM03 : KW_FEED_ATOM10;
    } else {
        char root_name[65], root_ns[129]; /* cut to a length, then to whole characters */
        snprintf(root_name, sizeof root_name, "%s", nm);
        snprintf(root_ns, sizeof root_ns, "%s", ns ? ns : "");
        utf8_scrub(root_name);
        utf8_scrub(root_ns);
        rc = kw_error_set(KW_EINVAL, "%s: not a feed: the root element is <%s>%s%s", rd->name,
                          root_name, ns ? " in namespace " : "", root_ns);
        goto cleanup;
    }
    if (!ctxt->wellFormed) {
        char why[400];
        snprintf(why, sizeof why, "not well-formed XML: line %d: %s", err ? err->line : 0,
                 msg[0] ? msg : "error");
        /* recovering, libxml2 reads on after an error, except where it
         * halts, and then all SAX is off */
        f->halted = ctxt->disableSAX != 0;
        if ((rc = set_bozo(f, why)))
            goto cleanup;
    }
    if (refs && !doctype && (rc = set_bozo(f, "not well-formed XML: HTML's named references "
                                              "(&eacute;) with no DTD to declare them, read as "
                                              "the characters they name")))
        goto cleanup;
    rd->doc = doc;
    if (f->version == KW_FEED_ATOM10 || f->version == KW_FEED_ATOM03)
        read_atom(rd, root, f->version == KW_FEED_ATOM03);
    else
        read_rss(rd, root);
    if (rd->rc)
        rc = kw_error_set(rd->rc, "%s: %s", rd->name, kw_error_name(rd->rc));
cleanup:
    rd->doc = NULL;
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ---- JSON Feed ---------------------------------------------------------- */

static char *jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v) && v->valuestring)
        return strdup(v->valuestring);
    return NULL;
}

static char *jtext(const cJSON *obj, const char *key, bool collapse)
{
    return tidy(jstr(obj, key), collapse);
}

static int64_t jdate(const cJSON *obj, const char *key, bool *local)
{
    int64_t t;
    bool zoned = true;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *local = false;
    if (cJSON_IsString(v) && v->valuestring &&
        kw_date_parse_zone(&t, v->valuestring, 0, &zoned) == 0) {
        *local = !zoned;
        return t;
    }
    return KW_FEED_NO_TIME;
}

/* "authors":[{"name":...}] (1.1) or "author":{"name":...} (1.0). */
static char *jauthor(const cJSON *obj)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "authors");
    if (cJSON_IsArray(a)) {
        const cJSON *x;
        cJSON_ArrayForEach(x, a)
        {
            char *n = jtext(x, "name", true);
            if (n)
                return n;
        }
    }
    a = cJSON_GetObjectItemCaseSensitive(obj, "author");
    return cJSON_IsObject(a) ? jtext(a, "name", true) : NULL;
}

static char *jlink(reader *rd, const cJSON *obj, const char *key)
{
    char *href = jtext(obj, key, false);
    const char *base = rd->base ? rd->base : rd->feed->link;
    if (!href || !base)
        return href;
    xmlChar *abs = uri_build(href, base);
    if (abs) {
        char *s = strdup((const char *)abs);
        xmlFree(abs);
        if (s) {
            free(href);
            return s;
        }
    }
    return href;
}

static int parse_json(reader *rd, const char *text, size_t len)
{
    kw_feed *f = rd->feed;
    size_t at = json_nested_over(text, len, JSON_MAX_DEPTH);
    if (at)
        return kw_error_set(KW_EINVAL, "%s: not a feed: JSON nested deeper than %d at byte %zu",
                            rd->name, JSON_MAX_DEPTH, at);
    /* a lone surrogate escape (an emoji a backend cut in half) reads as
     * U+FFFD and \u0000 as a blank, as in JSON sources: cJSON refuses the
     * one and cuts the text at the other */
    int nomem;
    size_t bad_at;
    char *mended = ex_json_mend(text, len, &nomem, &bad_at);
    if (nomem)
        return kw_error_set(KW_ENOMEM, "%s: out of memory", rd->name);
    if (bad_at != SIZE_MAX)
        return kw_error_set(KW_EINVAL, "%s: not a feed: a \\u escape without four hex digits "
                                       "at byte %zu", rd->name, bad_at);
    if (mended)
        text = mended;
    const char *parse_end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &parse_end, 0);
    if (!root) {
        const char *e = cJSON_GetErrorPtr();
        size_t off = e && e >= text && e <= text + len ? (size_t)(e - text) : 0;
        free(mended);
        return kw_error_set(KW_EINVAL, "%s: not a feed: JSON does not parse near byte %zu",
                            rd->name, off);
    }
    root = json_exact_ints(root, text, len); /* ids keep their digits */
    free(mended);
    int rc = 0;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsObject(root) || !cJSON_IsString(ver) ||
        !strstr(ver->valuestring, "jsonfeed.org/version/")) {
        rc = kw_error_set(KW_EINVAL, "%s: not a feed: JSON without a JSON Feed \"version\"",
                          rd->name);
        goto cleanup;
    }
    f->version = KW_FEED_JSON11;
    /* text after the document: not well-formed, read all the same */
    size_t tail = parse_end && parse_end >= text && parse_end <= text + len
                      ? (size_t)(parse_end - text) : len;
    while (tail < len && is_ws((unsigned char)text[tail]))
        tail++;
    if (tail < len) {
        char why[96];
        snprintf(why, sizeof why, "not well-formed JSON: text after the document at byte %zu",
                 tail);
        if ((rc = set_bozo(f, why)))
            goto cleanup;
    }
    f->title = jtext(root, "title", true);
    char *home = jtext(root, "home_page_url", false);
    if (home && rd->base) {
        xmlChar *abs = uri_build(home, rd->base);
        if (abs) {
            free(home);
            home = strdup((const char *)abs);
            xmlFree(abs);
        }
    }
    f->link = home;
    f->subtitle = jtext(root, "description", false);
    f->author = jauthor(root);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
    if (items && !cJSON_IsArray(items)) {
        rc = kw_error_set(KW_EINVAL, "%s: JSON Feed \"items\" is not an array", rd->name);
        goto cleanup;
    }
    cJSON_ArrayForEach(it, items)
    {
        if (!cJSON_IsObject(it))
            continue;
        kw_feed_entry *e = new_entry(rd);
        if (!e && rd->rc)
            break;
        if (!e)
            continue; /* past the cap: counted */
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsNumber(id)) {
            char num[32];
            snprintf(num, sizeof num, "%.17g", id->valuedouble);
            e->id = strdup(num);
        } else {
            e->id = jtext(it, "id", false);
        }
        e->title = jtext(it, "title", true);
        e->link = jlink(rd, it, "url");
        if (!e->link)
            e->link = jlink(rd, it, "external_url");
        e->author = jauthor(it);
        if (!e->author && f->author)
            e->author = strdup(f->author);
        e->published = jdate(it, "date_published", &e->published_local);
        e->updated = jdate(it, "date_modified", &e->updated_local);
        e->summary = jtext(it, "summary", false);
        e->content = jtext(it, "content_text", false);
        if (!e->content) {
            char *h = jstr(it, "content_html");
            e->content = h ? html_text(rd, h) : NULL;
        }
    }
    if (rd->rc)
        rc = kw_error_set(rd->rc, "%s: %s", rd->name, kw_error_name(rd->rc));
cleanup:
    cJSON_Delete(root);
    return rc;
}

int kw_feed_parse(kw_feed **out, const void *data, size_t len, const kw_feed_options *opt)
{
    kw_feed_options none = {0};
    kw_decoded dec = {0};
    kw_feed *f = NULL;
    int rc;
    if (!opt)
        opt = &none;
    reader rd = {.name = opt->name ? opt->name : "feed",
                 .base = opt->base,
                 .max_entries = opt->max_entries ? opt->max_entries : KW_FEED_MAX_ENTRIES};
    size_t max = opt->max_bytes ? opt->max_bytes : KW_FEED_MAX_BYTES;
    *out = NULL;
    if (!data)
        len = 0;
    if (len > max)
        return kw_error_set(KW_ETOOBIG, "%s: %zu bytes, over the limit of %zu", rd.name, len,
                            max);
    if (len > (size_t)INT32_MAX / 4)
        return kw_error_set(KW_ETOOBIG, "%s: %zu bytes is too large", rd.name, len);
    f = calloc(1, sizeof *f);
    if (!f)
        return kw_error_set(KW_ENOMEM, "%s: out of memory", rd.name);
    f->updated = KW_FEED_NO_TIME;
    rd.feed = f;
    /* JSON starts with '{' (after a BOM and blanks); anything else is XML. */
    const unsigned char *p = data;
    size_t i = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && is_ws(p[i]))
        i++;
    bool json = i < len && p[i] == '{';
    if ((rc = kw_charset_decode(&dec, data, len, opt->charset, json ? KW_DOC_TEXT : KW_DOC_XML,
                                max))) {
        char why[KW_ERROR_MAX];
        snprintf(why, sizeof why, "%s", kw_error_last()); /* not formatted into itself */
        kw_error_set(rc, "%s: %s", rd.name, why);
        goto cleanup;
    }
    f->encoding = dec.charset;
    if (json)
        rc = parse_json(&rd, dec.text, dec.len);
    else
        rc = parse_xml(&rd, dec.text, dec.len);
    if (rc)
        goto cleanup;
    if (dec.label_wrong) {
        char why[128];
        snprintf(why, sizeof why, "the declared charset was wrong; read as %s", dec.charset);
        rc = set_bozo(f, why);
    } else if (!f->bozo && strcmp(dec.charset, "utf-16le") != 0 &&
               strcmp(dec.charset, "utf-16be") != 0 && memchr(data, '\0', len)) {
        /* no XML or JSON document holds a NUL (read as a blank) */
        rc = set_bozo(f, "not well-formed: NUL bytes, read as blanks");
    } else if (dec.replaced && !f->bozo) { /* not well-formed: bytes of no character */
        char why[160];
        snprintf(why, sizeof why, "%zu bytes could not be read as %s (each is U+FFFD)",
                 dec.replaced, dec.charset);
        rc = set_bozo(f, why);
    }
cleanup:
    kw_decoded_free(&dec);
    if (rc) {
        kw_feed_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
