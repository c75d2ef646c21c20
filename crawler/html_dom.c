/*
 * The fast HTML parser (see html_dom.h): one pass over the bytes, a stack
 * of open elements, everything allocated from one arena that goes in one
 * free. Tree construction follows the common cases of HTML's rules (head
 * and body implied, p/li/dt/dd/tr/td/option closed implicitly, void
 * elements, raw text in script and style, entities in title and textarea)
 * and otherwise stays simple: an end tag closes the nearest open element of
 * its name, or is ignored.
 */
#include "html_dom.h"

#include "kolwatch/error.h"

#include "internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK_SIZE 32768
#define MAX_ATTRS 64

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(16) char data[];
} block;

struct kw_hdoc {
    size_t first_block; /* size of the arena's first block */
    block *blocks;
    kw_hnode *html, *head, *body;
    int depth;
    kw_buf text; /* text not yet put in the tree */
    const char *const *keep_attrs; /* NULL: all */
    uint64_t keep_first[4];        /* the first letters of keep_attrs, a bit each */
    bool oom;
    /* The names of elements not in the table below, one copy of each (see
     * intern): open addressing, while a page is parsed. */
    const char **names;
    size_t names_cap, names_n;
    kw_hnode *stack[KW_HDOC_MAX_DEPTH]; /* [0, depth) in use: not zeroed */
    /* near[i][k]: the index of the deepest of stack[0..i] with flag
     * near_flags[k], 0 for none (written by push, as stack is) */
    unsigned char near[KW_HDOC_MAX_DEPTH][12];
};

static void *arena(kw_hdoc *d, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    block *b = d->blocks;
    if (!b || b->cap - b->used < n) {
        /* the first block fits the document (a feed summary needs little) */
        size_t want = b ? BLOCK_SIZE : d->first_block, cap = n > want / 4 ? n : want;
        block *nb = malloc(sizeof *nb + cap);
        if (!nb) {
            d->oom = true;
            return NULL;
        }
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != want) { /* a big one: keep filling the current block */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            d->blocks = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_str(kw_hdoc *d, const char *s, size_t n, bool lower)
{
    char *p = arena(d, n + 1);
    if (!p)
        return NULL;
    if (!lower) {
        memcpy(p, s, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            p[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        }
    }
    p[n] = '\0';
    return p;
}

static kw_hnode *new_elem(kw_hdoc *d, const char *name)
{
    kw_hnode *n = arena(d, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->type = KW_HELEM;
    n->name = name;
    return n;
}

static void append(kw_hnode *parent, kw_hnode *n)
{
    n->parent = parent;
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
}

static kw_hnode *cur(kw_hdoc *d) { return d->stack[d->depth - 1]; }

/* Byte classes, one table lookup a byte in the loops that scan tags. */
enum {
    B_SPACE = 1,    /* HTML's blanks */
    B_NAME_END = 2, /* ends a tag name: a blank, '/' or '>' */
    B_ATTR_END = 4, /* ends an attribute name: those and '=' */
    B_BARE_END = 8, /* ends an unquoted value: a blank or '>' */
    B_GAP = 16,     /* between attributes: a blank or '/' */
    B_TEXT_END = 32, /* text taken as it is stops here: '&' or NUL */
};
#define SPACE_BITS (B_SPACE | B_NAME_END | B_ATTR_END | B_BARE_END | B_GAP)
static const unsigned char byte_class[256] = {
    [' '] = SPACE_BITS, ['\t'] = SPACE_BITS, ['\n'] = SPACE_BITS, ['\r'] = SPACE_BITS,
    ['\f'] = SPACE_BITS, ['/'] = B_NAME_END | B_ATTR_END | B_GAP,
    ['>'] = B_NAME_END | B_ATTR_END | B_BARE_END, ['='] = B_ATTR_END,
    ['&'] = B_TEXT_END, ['\0'] = B_TEXT_END,
};
static bool is_alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static bool is_space(unsigned char c) { return (byte_class[c] & B_SPACE) != 0; }
static bool ends(unsigned char c, unsigned what) { return (byte_class[c] & what) != 0; }
static char lower_of(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* What the tree builder needs to know of an element, by name. */
enum {
    T_VOID = 1 << 0,     /* never has content */
    T_HEAD = 1 << 1,     /* belongs in <head> before the body starts */
    T_CLOSES_P = 1 << 2, /* starting it closes an open <p> */
    T_RAW = 1 << 3,      /* its content is text up to its end tag */
    T_RCDATA = 1 << 4,   /* ... with entities decoded */
    T_HEADING = 1 << 5,
    T_SCOPE = 1 << 6, /* implied closing looks no further down than this */
    T_P = 1 << 7,
    T_LI = 1 << 8,
    T_LIST = 1 << 9, /* ul, ol, menu */
    T_DTDD = 1 << 10,
    T_DL = 1 << 11,
    T_TR = 1 << 12,
    T_TABLE = 1 << 13,
    T_CELL = 1 << 14,
    T_TSECT = 1 << 15, /* thead, tbody, tfoot */
    T_OPTION = 1 << 16,
    T_OPTGROUP = 1 << 17,
    T_A = 1 << 18,
    T_HTML = 1 << 19,
    T_HEADTAG = 1 << 20,
    T_BODY = 1 << 21,
    T_BR = 1 << 22,
};

static const struct tag {
    const char *name;
    unsigned flags;
} tags[] = { /* the elements with rules of their own, then some without */
    {"a", T_A},
    {"address", T_CLOSES_P},
    {"applet", T_SCOPE},
    {"area", T_VOID},
    {"article", T_CLOSES_P},
    {"aside", T_CLOSES_P},
    {"base", T_VOID | T_HEAD},
    {"basefont", T_VOID | T_HEAD},
    {"bgsound", T_VOID | T_HEAD},
    {"blockquote", T_CLOSES_P},
    {"body", T_BODY | T_SCOPE},
    {"br", T_VOID | T_BR},
    {"button", T_SCOPE},
    {"caption", T_SCOPE},
    {"center", T_CLOSES_P},
    {"col", T_VOID},
    {"dd", T_CLOSES_P | T_DTDD},
    {"details", T_CLOSES_P},
    {"dialog", T_CLOSES_P},
    {"dir", T_CLOSES_P},
    {"div", T_CLOSES_P},
    {"dl", T_CLOSES_P | T_DL},
    {"dt", T_CLOSES_P | T_DTDD},
    {"embed", T_VOID},
    {"fieldset", T_CLOSES_P},
    {"figcaption", T_CLOSES_P},
    {"figure", T_CLOSES_P},
    {"footer", T_CLOSES_P},
    {"form", T_CLOSES_P},
    {"frame", T_VOID},
    {"h1", T_CLOSES_P | T_HEADING},
    {"h2", T_CLOSES_P | T_HEADING},
    {"h3", T_CLOSES_P | T_HEADING},
    {"h4", T_CLOSES_P | T_HEADING},
    {"h5", T_CLOSES_P | T_HEADING},
    {"h6", T_CLOSES_P | T_HEADING},
    {"head", T_HEADTAG},
    {"header", T_CLOSES_P},
    {"hgroup", T_CLOSES_P},
    {"hr", T_CLOSES_P | T_VOID},
    {"html", T_HTML | T_SCOPE},
    {"iframe", T_RAW},
    {"img", T_VOID},
    {"input", T_VOID},
    {"keygen", T_VOID},
    {"li", T_CLOSES_P | T_LI},
    {"link", T_VOID | T_HEAD},
    {"listing", T_CLOSES_P},
    {"main", T_CLOSES_P},
    {"marquee", T_SCOPE},
    {"menu", T_CLOSES_P | T_LIST},
    {"meta", T_VOID | T_HEAD},
    {"nav", T_CLOSES_P},
    {"noembed", T_RAW},
    {"noframes", T_RAW},
    {"noscript", T_HEAD},
    {"object", T_SCOPE},
    {"ol", T_CLOSES_P | T_LIST},
    {"optgroup", T_OPTGROUP},
    {"option", T_OPTION},
    {"p", T_CLOSES_P | T_P},
    {"param", T_VOID},
    {"plaintext", T_CLOSES_P},
    {"pre", T_CLOSES_P},
    {"script", T_HEAD | T_RAW},
    {"section", T_CLOSES_P},
    {"source", T_VOID},
    {"style", T_HEAD | T_RAW},
    {"summary", T_CLOSES_P},
    {"table", T_CLOSES_P | T_TABLE | T_SCOPE},
    {"tbody", T_TSECT},
    {"td", T_CELL | T_SCOPE},
    {"template", T_HEAD | T_SCOPE},
    {"textarea", T_RAW | T_RCDATA},
    {"tfoot", T_TSECT},
    {"th", T_CELL | T_SCOPE},
    {"thead", T_TSECT},
    {"title", T_HEAD | T_RAW | T_RCDATA},
    {"tr", T_TR},
    {"track", T_VOID},
    {"ul", T_CLOSES_P | T_LIST},
    {"wbr", T_VOID},
    {"xmp", T_CLOSES_P | T_RAW},
    /* elements with no rule of their own, listed so that their names are
     * the table's strings rather than copies */
    {"abbr", 0},
    {"b", 0},
    {"cite", 0},
    {"code", 0},
    {"del", 0},
    {"em", 0},
    {"font", 0},
    {"i", 0},
    {"ins", 0},
    {"label", 0},
    {"mark", 0},
    {"picture", 0},
    {"q", 0},
    {"s", 0},
    {"small", 0},
    {"span", 0},
    {"strong", 0},
    {"sub", 0},
    {"sup", 0},
    {"svg", 0},
    {"time", 0},
    {"u", 0},
    {"video", 0},
};

/* The flags implied closing looks for, each with the index of its deepest
 * open element kept for each depth (kw_hdoc's near): a start tag finds the
 * <p> it closes, or that there is none in scope, without a walk down the
 * open elements (a page of </p>s or <div>s under 255 open elements cost
 * two walks of all of them each, seconds for a page). */
static const unsigned near_flags[] = {T_SCOPE, T_P,   T_LI,    T_LIST, T_DTDD, T_DL,
                                      T_TR,    T_TABLE, T_CELL, T_TSECT, T_A,  T_BODY};
_Static_assert(sizeof near_flags / sizeof near_flags[0] == 12, "kw_hdoc's near");
enum { near_any = T_SCOPE | T_P | T_LI | T_LIST | T_DTDD | T_DL | T_TR | T_TABLE | T_CELL |
                  T_TSECT | T_A | T_BODY };
_Static_assert(KW_HDOC_MAX_DEPTH <= 256, "an index of the stack fits in a byte");

static void push(kw_hdoc *d, kw_hnode *n)
{
    if (d->depth >= KW_HDOC_MAX_DEPTH)
        return;
    int i = d->depth;
    if (i > 0)
        memcpy(d->near[i], d->near[i - 1], sizeof d->near[i]);
    else
        memset(d->near[i], 0, sizeof d->near[i]);
    if (n->flags & near_any) /* most elements are of none of these kinds */
        for (size_t k = 0; k < sizeof near_flags / sizeof near_flags[0]; k++)
            if (n->flags & near_flags[k])
                d->near[i][k] = (unsigned char)i;
    d->stack[d->depth++] = n;
}

/* The index of the deepest open element with a flag in mask, 0 for none
 * (or the root's). */
static int nearest(const kw_hdoc *d, unsigned mask)
{
    int at = 0;
    const unsigned char *near = d->near[d->depth - 1];
    for (size_t k = 0; mask & near_any; k++) /* the flags asked for only */
        if (near_flags[k] & mask) {
            mask &= ~near_flags[k];
            if (near[k] > at)
                at = near[k];
        }
    return at;
}

/* The table by a hash of the name's length and first and last letters:
 * one probe for most names, built once. */
#define TAG_SLOTS 512
static const struct tag *tag_slots[TAG_SLOTS];
static unsigned char tag_len[sizeof tags / sizeof tags[0]];
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static unsigned tag_hash(const char *s, size_t n)
{
    return ((unsigned char)s[0] * 31u + (unsigned char)s[n - 1] * 7u + (unsigned)n * 131u) &
           (TAG_SLOTS - 1);
}

static void tag_index(void)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        tag_len[i] = (unsigned char)strlen(tags[i].name);
        unsigned h = tag_hash(tags[i].name, tag_len[i]);
        while (tag_slots[h])
            h = (h + 1) & (TAG_SLOTS - 1);
        tag_slots[h] = &tags[i];
    }
}

/* The index is built by kw_hdoc_parse before anything looks it up. */
static const struct tag *tag_lookup(const char *name, size_t n)
{
    const struct tag *t;
    if (n == 0)
        return NULL;
    for (unsigned h = tag_hash(name, n); (t = tag_slots[h]) != NULL; h = (h + 1) & (TAG_SLOTS - 1))
        if (tag_len[t - tags] == n) {
            size_t i = 0; /* names are short: no call to memcmp */
            while (i < n && t->name[i] == name[i])
                i++;
            if (i == n)
                return t;
        }
    return NULL;
}

/* Every element's name is one string per name, the table's or the one
 * copy interned here, so that an end tag finds its open element by
 * pointer: a page of end tags of names not open ("</xy>" under 255 <x>s)
 * otherwise cost a strcmp with every open element for each, seconds for a
 * page, and an end tag of a name no element has needs no walk at all. */
static size_t name_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (size_t)(h ^ h >> 29);
}

/* The interned copy of the lower-case name s[0..n), or NULL. */
static const char *interned(const kw_hdoc *d, const char *s, size_t n)
{
    if (!d->names)
        return NULL;
    for (size_t i = name_hash(s, n) & (d->names_cap - 1); d->names[i];
         i = (i + 1) & (d->names_cap - 1))
        if (strncmp(d->names[i], s, n) == 0 && d->names[i][n] == '\0')
            return d->names[i];
    return NULL;
}

/* The interned copy of name (lower case, NUL-ended, in the arena), which
 * becomes it if there was none; NULL when out of memory. */
static const char *intern(kw_hdoc *d, const char *name)
{
    size_t n = strlen(name);
    const char *had = interned(d, name, n);
    if (had)
        return had;
    if (2 * (d->names_n + 1) > d->names_cap) {
        size_t cap = d->names_cap ? 2 * d->names_cap : 64;
        const char **t = calloc(cap, sizeof *t);
        if (!t) {
            d->oom = true;
            return NULL;
        }
        for (size_t j = 0; j < d->names_cap; j++)
            if (d->names[j]) {
                size_t i = name_hash(d->names[j], strlen(d->names[j])) & (cap - 1);
                while (t[i])
                    i = (i + 1) & (cap - 1);
                t[i] = d->names[j];
            }
        free(d->names);
        d->names = t;
        d->names_cap = cap;
    }
    size_t i = name_hash(name, n) & (d->names_cap - 1);
    while (d->names[i])
        i = (i + 1) & (d->names_cap - 1);
    d->names[i] = name;
    d->names_n++;
    return name;
}

/* The table's own string for a name it has (a literal one's, for one). */
static const char *known(const char *name)
{
    const struct tag *t = tag_lookup(name, strlen(name));
    return t ? t->name : name;
}

/* A start tag's name, lower case: the table's own string for a known
 * element (no copy), else its one interned copy in the arena. */
static const char *tag_name(kw_hdoc *d, const char *s, size_t n, unsigned *flags)
{
    char lower[16];
    *flags = 0;
    size_t i = 0;
    for (; i < n && i < sizeof lower && s[i]; i++)
        lower[i] = lower_of(s[i]);
    if (i < n && i < sizeof lower) /* a name is read up to a NUL, as end tags read it */
        n = i;
    else if (i < n) {
        const char *nul = memchr(s, '\0', n);
        n = nul ? (size_t)(nul - s) : n;
    }
    if (n < sizeof lower) {
        lower[n] = '\0';
        const struct tag *t = tag_lookup(lower, n);
        if (t) {
            *flags = t->flags;
            return t->name;
        }
    }
    const char *copy = arena_str(d, s, n, true);
    return copy ? intern(d, copy) : NULL;
}

/* Close the nearest open element with a flag in `what`, looking down the
 * stack no further than an element with a flag in `edges` (or the body). */
static void close_open(kw_hdoc *d, unsigned what, unsigned edges)
{
    int at = nearest(d, what);
    if (at >= 1 && at >= nearest(d, edges | T_BODY))
        d->depth = at;
}

static void ensure_head(kw_hdoc *d)
{
    if (!d->head && (d->head = new_elem(d, known("head")))) {
        d->head->flags = T_HEADTAG;
        append(d->html, d->head);
    }
    if (d->head && cur(d) == d->html)
        push(d, d->head);
}

static void ensure_body(kw_hdoc *d)
{
    if (d->body)
        return;
    if (!(d->body = new_elem(d, known("body"))))
        return;
    d->body->flags = T_BODY | T_SCOPE;
    d->depth = 1;
    append(d->html, d->body);
    push(d, d->body);
}

static bool all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f')
            return false;
    return true;
}

/* A text node of s[0..len) in the open element: blanks before the body
 * are dropped, other text there starts the body. */
static void text_node(kw_hdoc *d, const char *s, size_t len)
{
    kw_hnode *at = cur(d);
    if (at == d->html || at == d->head) {
        if (all_blank(s, len))
            return;
        ensure_body(d);
        at = cur(d);
    }
    kw_hnode *n = arena(d, sizeof *n);
    char *t = n ? arena_str(d, s, len, false) : NULL;
    if (t) {
        memset(n, 0, sizeof *n);
        n->type = KW_HTEXT;
        n->text = t;
        n->len = len;
        append(at, n);
    }
}

/* Put the pending text in the tree. */
static void flush(kw_hdoc *d)
{
    if (d->text.len == 0)
        return;
    text_node(d, d->text.data, d->text.len);
    d->text.len = 0;
}

/* Whether s[0..n) holds no '&' and no NUL: text to be taken as it is. */
static bool plain(const char *s, size_t n)
{
    if (n > 64)
        return !memchr(s, '&', n) && !memchr(s, '\0', n);
    for (size_t i = 0; i < n; i++)
        if (ends((unsigned char)s[i], B_TEXT_END))
            return false;
    return true;
}

static void add_text(kw_hdoc *d, const char *s, size_t n)
{
    if (buf_append(&d->text, s, n) == KW_ENOMEM)
        d->oom = true;
}

static void add_cp(kw_hdoc *d, uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (buf_put_cp(&d->text, cp) == KW_ENOMEM)
        d->oom = true;
}


/* A name and its code point, in tables sorted as strcmp sorts them and
 * searched in halves: libxml2's htmlEntityLookup walks all of its 253
 * names, which made a page of unknown references ("&zzzzzz;", one lookup
 * for the name and one for each prefix of it that might be a legacy name)
 * cost seconds. */
typedef struct named_cp {
    const char *name;
    uint32_t cp;
} named_cp;

static uint32_t named_lookup(const named_cp *t, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, t[mid].name);
        if (c == 0)
            return t[mid].cp;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* The code point of one of the references HTML reads without a ';' (its
 * "legacy" ones: amp, lt, gt, quot, their upper-case forms, COPY, REG, and
 * HTML 4's Latin-1 names, nbsp to yuml), or 0. */
static uint32_t legacy_entity(const char *name)
{
    static const named_cp legacy[] = {
        {"AElig", 0xC6}, {"AMP", 0x26}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0},
        {"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"COPY", 0xA9}, {"Ccedil", 0xC7},
        {"ETH", 0xD0}, {"Eacute", 0xC9}, {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Euml", 0xCB},
        {"GT", 0x3E}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iuml", 0xCF},
        {"LT", 0x3C}, {"Ntilde", 0xD1}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2},
        {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"QUOT", 0x22}, {"REG", 0xAE},
        {"THORN", 0xDE}, {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9}, {"Uuml", 0xDC},
        {"Yacute", 0xDD}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6},
        {"agrave", 0xE0}, {"amp", 0x26}, {"aring", 0xE5}, {"atilde", 0xE3}, {"auml", 0xE4},
        {"brvbar", 0xA6}, {"ccedil", 0xE7}, {"cedil", 0xB8}, {"cent", 0xA2}, {"copy", 0xA9},
        {"curren", 0xA4}, {"deg", 0xB0}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA},
        {"egrave", 0xE8}, {"eth", 0xF0}, {"euml", 0xEB}, {"frac12", 0xBD}, {"frac14", 0xBC},
        {"frac34", 0xBE}, {"gt", 0x3E}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1},
        {"igrave", 0xEC}, {"iquest", 0xBF}, {"iuml", 0xEF}, {"laquo", 0xAB}, {"lt", 0x3C},
        {"macr", 0xAF}, {"micro", 0xB5}, {"middot", 0xB7}, {"nbsp", 0xA0}, {"not", 0xAC},
        {"ntilde", 0xF1}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"ograve", 0xF2}, {"ordf", 0xAA},
        {"ordm", 0xBA}, {"oslash", 0xF8}, {"otilde", 0xF5}, {"ouml", 0xF6}, {"para", 0xB6},
        {"plusmn", 0xB1}, {"pound", 0xA3}, {"quot", 0x22}, {"raquo", 0xBB}, {"reg", 0xAE},
        {"sect", 0xA7}, {"shy", 0xAD}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3},
        {"szlig", 0xDF}, {"thorn", 0xFE}, {"times", 0xD7}, {"uacute", 0xFA}, {"ucirc", 0xFB},
        {"ugrave", 0xF9}, {"uml", 0xA8}, {"uuml", 0xFC}, {"yacute", 0xFD}, {"yen", 0xA5},
        {"yuml", 0xFF},
    };
    return named_lookup(legacy, sizeof legacy / sizeof legacy[0], name);
}

/* The code point of an HTML 4 character reference's name (libxml2 2.9's
 * table: HTML 4.01's 252 and &apos;), or 0. */
uint32_t html_entity_cp(const char *name)
{
    static const named_cp html4[] = {
        {"AElig", 0xC6}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0}, {"Alpha", 0x391},
        {"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392}, {"Ccedil", 0xC7},
        {"Chi", 0x3A7}, {"Dagger", 0x2021}, {"Delta", 0x394}, {"ETH", 0xD0}, {"Eacute", 0xC9},
        {"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395}, {"Eta", 0x397}, {"Euml", 0xCB},
        {"Gamma", 0x393}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iota", 0x399},
        {"Iuml", 0xCF}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1},
        {"Nu", 0x39D}, {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2},
        {"Omega", 0x3A9}, {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5},
        {"Ouml", 0xD6}, {"Phi", 0x3A6}, {"Pi", 0x3A0}, {"Prime", 0x2033}, {"Psi", 0x3A8},
        {"Rho", 0x3A1}, {"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE}, {"Tau", 0x3A4},
        {"Theta", 0x398}, {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9},
        {"Upsilon", 0x3A5}, {"Uuml", 0xDC}, {"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178},
        {"Zeta", 0x396}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6},
        {"agrave", 0xE0}, {"alefsym", 0x2135}, {"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227},
        {"ang", 0x2220}, {"apos", 0x27}, {"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3},
        {"auml", 0xE4}, {"bdquo", 0x201E}, {"beta", 0x3B2}, {"brvbar", 0xA6}, {"bull", 0x2022},
        {"cap", 0x2229}, {"ccedil", 0xE7}, {"cedil", 0xB8}, {"cent", 0xA2}, {"chi", 0x3C7},
        {"circ", 0x2C6}, {"clubs", 0x2663}, {"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5},
        {"cup", 0x222A}, {"curren", 0xA4}, {"dArr", 0x21D3}, {"dagger", 0x2020},
        {"darr", 0x2193}, {"deg", 0xB0}, {"delta", 0x3B4}, {"diams", 0x2666}, {"divide", 0xF7},
        {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8}, {"empty", 0x2205},
        {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5}, {"equiv", 0x2261},
        {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC}, {"exist", 0x2203},
        {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD}, {"frac14", 0xBC},
        {"frac34", 0xBE}, {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265}, {"gt", 0x3E},
        {"hArr", 0x21D4}, {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026},
        {"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1}, {"igrave", 0xEC}, {"image", 0x2111},
        {"infin", 0x221E}, {"int", 0x222B}, {"iota", 0x3B9}, {"iquest", 0xBF}, {"isin", 0x2208},
        {"iuml", 0xEF}, {"kappa", 0x3BA}, {"lArr", 0x21D0}, {"lambda", 0x3BB}, {"lang", 0x2329},
        {"laquo", 0xAB}, {"larr", 0x2190}, {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264},
        {"lfloor", 0x230A}, {"lowast", 0x2217}, {"loz", 0x25CA}, {"lrm", 0x200E},
        {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C}, {"macr", 0xAF}, {"mdash", 0x2014},
        {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212}, {"mu", 0x3BC}, {"nabla", 0x2207},
        {"nbsp", 0xA0}, {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"not", 0xAC},
        {"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0xF1}, {"nu", 0x3BD}, {"oacute", 0xF3},
        {"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2}, {"oline", 0x203E},
        {"omega", 0x3C9}, {"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228}, {"ordf", 0xAA},
        {"ordm", 0xBA}, {"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297}, {"ouml", 0xF6},
        {"para", 0xB6}, {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5}, {"phi", 0x3C6},
        {"pi", 0x3C0}, {"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"prime", 0x2032},
        {"prod", 0x220F}, {"prop", 0x221D}, {"psi", 0x3C8}, {"quot", 0x22}, {"rArr", 0x21D2},
        {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0xBB}, {"rarr", 0x2192},
        {"rceil", 0x2309}, {"rdquo", 0x201D}, {"real", 0x211C}, {"reg", 0xAE},
        {"rfloor", 0x230B}, {"rho", 0x3C1}, {"rlm", 0x200F}, {"rsaquo", 0x203A},
        {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"scaron", 0x161}, {"sdot", 0x22C5},
        {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3}, {"sigmaf", 0x3C2}, {"sim", 0x223C},
        {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286}, {"sum", 0x2211}, {"sup", 0x2283},
        {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"supe", 0x2287}, {"szlig", 0xDF},
        {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8}, {"thetasym", 0x3D1},
        {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC}, {"times", 0xD7},
        {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191},
        {"ucirc", 0xFB}, {"ugrave", 0xF9}, {"uml", 0xA8}, {"upsih", 0x3D2}, {"upsilon", 0x3C5},
        {"uuml", 0xFC}, {"weierp", 0x2118}, {"xi", 0x3BE}, {"yacute", 0xFD}, {"yen", 0xA5},
        {"yuml", 0xFF}, {"zeta", 0x3B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
    };
    return named_lookup(html4, sizeof html4 / sizeof html4[0], name);
}

/* An entity at p ('&'); its code point in *cp and its length, 0 if none.
 * Without its ';' (or when the name with one is unknown) the longest legacy
 * name it starts with is read, as HTML does ("&amp T", "&copy2026",
 * "&notit;" is "\u00ACit;"); in an attribute not when a letter, a digit
 * or '=' follows it ("?a=1&copy=2" is a URL's query, not "\u00A9=2"). */
static size_t entity(const char *p, const char *end, uint32_t *cp, bool in_attr)
{
    const char *q = p + 1;
    if (q < end && *q == '#') {
        uint32_t v = 0;
        bool hex = q + 1 < end && (q[1] | 32) == 'x', any = false;
        for (q += hex ? 2 : 1; q < end; q++, any = true) {
            unsigned char c = (unsigned char)*q;
            unsigned dv = c >= '0' && c <= '9'      ? c - '0'
                          : hex && (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                                       : 99;
            if (dv == 99)
                break;
            v = v > 0x10FFFF ? v : v * (hex ? 16 : 10) + dv;
        }
        if (!any)
            return 0;
        if (q < end && *q == ';')
            q++;
        /* &#128; to &#159; are windows-1252's characters, as HTML reads them */
        static const uint16_t w1252[32] = {
            0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021,
            0x2C6,  0x2030, 0x160,  0x2039, 0x152,  0x8D,   0x17D,  0x8F,
            0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};
        if (v >= 0x80 && v <= 0x9F)
            v = w1252[v - 0x80];
        *cp = v;
        return (size_t)(q - p);
    }
    char name[33];
    size_t n = 0;
    for (; q < end && n < 32 && (is_alpha((unsigned char)*q) || (*q >= '0' && *q <= '9'));
         q++)
        name[n++] = *q;
    if (n == 0)
        return 0;
    name[n] = '\0';
    if (q >= end || *q != ';') {
    legacy:
        /* the longest legacy name at the start (they are 2 to 6 letters) */
        for (size_t k = n < 6 ? n : 6; k >= 2; k--) {
            char c = name[k];
            name[k] = '\0';
            uint32_t v = legacy_entity(name);
            name[k] = c;
            if (!v)
                continue;
            const char *after = p + 1 + k;
            if (in_attr && after < end &&
                (*after == '=' || is_alpha((unsigned char)*after) || (*after >= '0' && *after <= '9')))
                return 0;
            *cp = v;
            /* "&AMP;", "&COPY;": HTML names them with a ';' too, which
             * is part of the reference, not text after it */
            if (k == n && after < end && *after == ';')
                return k + 2;
            return k + 1;
        }
        return 0;
    }
    /* the common ones first, without the search in halves */
    static const struct {
        const char *name;
        uint32_t cp;
    } common[] = {{"amp", '&'},      {"nbsp", 0xA0},    {"quot", '"'},    {"lt", '<'},
                  {"gt", '>'},       {"middot", 0xB7},  {"hellip", 0x2026}, {"mdash", 0x2014},
                  {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"copy", 0xA9}};
    uint32_t v = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0] && !v; i++)
        if (common[i].name[0] == name[0] && strcmp(common[i].name, name) == 0)
            v = common[i].cp;
    if (!v && !(v = html_entity_cp(name)))
        goto legacy;
    *cp = v;
    return (size_t)(q + 1 - p);
}

/* Text with entities decoded into the pending text. */
static void decode_into(kw_hdoc *d, const char *p, const char *end, bool in_attr)
{
    while (p < end) {
        const char *run = p, *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end, *nul = memchr(p, '\0', (size_t)(stop - p));
        p = nul ? nul : stop;
        if (p > run)
            add_text(d, run, (size_t)(p - run));
        if (p >= end)
            break;
        uint32_t cp;
        size_t k = *p == '&' ? entity(p, end, &cp, in_attr) : 0;
        if (k) {
            add_cp(d, cp);
            p += k;
        } else {
            add_text(d, *p == '\0' ? " " : "&", 1);
            p++;
        }
    }
}

/* Where the raw text of element `name` ends: at "</name" followed by a
 * blank, '/' or '>', or at the end of the input. */
static const char *raw_end(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
        if ((size_t)(end - p) >= n + 2 && p[1] == '/' && strncasecmp(p + 2, name, n) == 0 &&
            ((size_t)(end - p) == n + 2 || is_space((unsigned char)p[n + 2]) ||
             p[n + 2] == '/' || p[n + 2] == '>'))
            return p;
    }
    return end;
}

/* Whether the attribute named s[0..n) (any case) is one the reader keeps:
 * the reader's own spelling of its name (so that it needs no copy), ""
 * when the reader keeps all, NULL when not. */
static const char *kept(const kw_hdoc *d, const char *s, size_t n)
{
    if (!d->keep_attrs)
        return "";
    unsigned char c0 = (unsigned char)lower_of(s[0]);
    if (!(d->keep_first[c0 >> 6] >> (c0 & 63) & 1))
        return NULL; /* no kept name starts so */
    const char *nul = memchr(s, '\0', n);
    if (nul) /* a name is read up to a NUL, as the kept name would be */
        n = (size_t)(nul - s);
    if (n == 0)
        return NULL; /* no kept name is empty */
    char first = s[0] >= 'A' && s[0] <= 'Z' ? (char)(s[0] + 32) : s[0];
    for (const char *const *k = d->keep_attrs; *k; k++) {
        const char *w = *k;
        if (w[0] != first)
            continue;
        size_t i = 1;
        for (; i < n && w[i]; i++) {
            char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
            if (c != w[i])
                break;
        }
        if (i == n && w[n] == '\0')
            return w;
    }
    return NULL;
}

/* Parse the attributes of a tag from p; stops after '>' (or at the end).
 * *self gets whether the tag ended with "/>". */
static const char *attributes(kw_hdoc *d, const char *p, const char *end, kw_hattr **out,
                              bool *self)
{
    kw_hattr *first = NULL, *last = NULL;
    int count = 0;
    *self = false;
    while (p < end) {
        for (; p < end && ends((unsigned char)*p, B_GAP); p++)
            *self = *p == '/';
        if (p >= end)
            break;
        if (*p == '>') {
            p++;
            break;
        }
        *self = false;
        const char *ns = p;
        for (p++; p < end && !ends((unsigned char)*p, B_ATTR_END); p++)
            ;
        const char *ne = p, *vs = NULL, *ve = NULL;
        while (p < end && is_space((unsigned char)*p))
            p++;
        if (p < end && *p == '=') {
            for (p++; p < end && is_space((unsigned char)*p); p++)
                ;
            if (p < end && (*p == '"' || *p == '\'')) {
                char q = *p++;
                vs = p;
                const char *close = memchr(p, q, (size_t)(end - p));
                ve = close ? close : end;
                p = close ? close + 1 : end;
            } else {
                vs = p;
                while (p < end && !ends((unsigned char)*p, B_BARE_END))
                    p++;
                ve = p;
            }
        }
        if (count >= MAX_ATTRS)
            continue;
        const char *name = kept(d, ns, (size_t)(ne - ns));
        if (!name) {
            count++; /* counted all the same: the cap is on what the tag has */
            continue;
        }
        if (!*name)
            name = arena_str(d, ns, (size_t)(ne - ns), true);
        if (!name)
            return end;
        bool dup = false;
        for (kw_hattr *a = first; a && !dup; a = a->next)
            dup = strcmp(a->name, name) == 0;
        if (dup)
            continue;
        kw_hattr *a = arena(d, sizeof *a);
        if (!a)
            return end;
        a->name = name;
        a->next = NULL;
        if (vs && !memchr(vs, '&', (size_t)(ve - vs)) && !memchr(vs, '\0', (size_t)(ve - vs))) {
            a->value = arena_str(d, vs, (size_t)(ve - vs), false); /* nothing to decode */
        } else {
            /* The value, decoded, by way of the text buffer (empty here). */
            size_t keep = d->text.len;
            if (vs)
                decode_into(d, vs, ve, true);
            a->value = arena_str(d, d->text.data ? d->text.data + keep : "", d->text.len - keep,
                                 false);
            d->text.len = keep;
            if (d->text.data)
                d->text.data[keep] = '\0';
        }
        if (!a->value)
            return end;
        if (last)
            last->next = a;
        else
            first = a;
        last = a;
        count++;
    }
    *out = first;
    return p;
}

static void start_tag(kw_hdoc *d, const char *name, unsigned f, kw_hattr *attrs, bool self)
{
    if (f & T_HTML)
        return;
    if (f & T_HEADTAG) {
        if (!d->body)
            ensure_head(d);
        return;
    }
    if (f & T_BODY) {
        ensure_body(d);
        return;
    }
    if (!d->body) {
        if (f & T_HEAD)
            ensure_head(d);
        else
            ensure_body(d);
    }
    if (f & T_CLOSES_P)
        close_open(d, T_P, T_SCOPE);
    if (f & T_LI)
        close_open(d, T_LI, T_LIST | T_SCOPE);
    else if (f & T_DTDD)
        close_open(d, T_DTDD, T_DL | T_SCOPE);
    else if (f & T_TR)
        close_open(d, T_TR, T_TABLE);
    else if (f & T_CELL)
        close_open(d, T_CELL, T_TR | T_TABLE);
    else if (f & T_TSECT)
        close_open(d, T_TSECT, T_TABLE);
    else if ((f & (T_OPTION | T_OPTGROUP)) && (cur(d)->flags & T_OPTION))
        d->depth--;
    else if (f & T_A)
        close_open(d, T_A, T_SCOPE);
    if ((f & T_HEADING) && (cur(d)->flags & T_HEADING))
        d->depth--;
    kw_hnode *n = new_elem(d, name);
    if (!n)
        return;
    n->flags = f;
    n->attrs = attrs;
    append(cur(d), n);
    if (!self && !(f & T_VOID))
        push(d, n);
}

/* An end tag, its name lower-cased, n bytes. */
static void end_tag(kw_hdoc *d, const char *name, size_t n)
{
    const struct tag *t = tag_lookup(name, n);
    unsigned f = t ? t->flags : 0;
    /* the string the open element has as its name (see intern) */
    if (!(name = t ? t->name : interned(d, name, n)))
        return; /* no element has that name */
    if (f & (T_HTML | T_BODY))
        return;
    if (f & T_BR) { /* </br> is read as <br>, as browsers do */
        start_tag(d, name, f, NULL, true);
        return;
    }
    if (f & T_P) { /* </p> with no <p> open makes an empty one */
        int at = nearest(d, T_P);
        if (at < 1 || at < nearest(d, T_SCOPE)) {
            start_tag(d, name, f, NULL, true);
            return;
        }
    }
    for (int i = d->depth - 1; i >= 1; i--) {
        /* </h3> closes an open <h5> too */
        if (((f & T_HEADING) && (d->stack[i]->flags & T_HEADING)) || d->stack[i]->name == name) {
            d->depth = i;
            return;
        }
        if (d->stack[i] == d->body)
            return;
    }
}

/* The raw text of a script, style, title or textarea just opened. */
static const char *raw_text(kw_hdoc *d, const char *p, const char *end, const char *name,
                            unsigned f)
{
    const char *stop = raw_end(p, end, name);
    bool rcdata = (f & T_RCDATA) != 0;
    if (rcdata) {
        decode_into(d, p, stop, false);
    } else { /* as written, but a NUL is a blank, as in other text */
        for (const char *q = p, *nul; q < stop; q = nul + 1) {
            nul = memchr(q, '\0', (size_t)(stop - q));
            add_text(d, q, (size_t)((nul ? nul : stop) - q));
            if (!nul)
                break;
            add_text(d, " ", 1);
        }
    }
    if (d->text.len) {
        /* straight into the element: no implied body for a title's text */
        kw_hnode *at = cur(d), *n = arena(d, sizeof *n);
        char *t = n ? arena_str(d, d->text.data, d->text.len, false) : NULL;
        if (t && strcmp(at->name, name) == 0) {
            memset(n, 0, sizeof *n);
            n->type = KW_HTEXT;
            n->text = t;
            n->len = d->text.len;
            append(at, n);
        }
        d->text.len = 0;
    }
    if (strcmp(cur(d)->name, name) == 0)
        d->depth--;
    if (stop == end)
        return end;
    const char *gt = memchr(stop, '>', (size_t)(end - stop));
    return gt ? gt + 1 : end;
}


/* A thread's last freed document, kept for its next parse: a page then
 * costs no large allocation (each one large enough to make malloc tidy its
 * free lists first). */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static void forget_names(kw_hdoc *d)
{
    free(d->names);
    d->names = NULL;
    d->names_cap = d->names_n = 0;
}

static void destroy(kw_hdoc *d)
{
    forget_names(d);
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    buf_release(&d->text);
    free(d);
}
static void destroy_spare(void *d) { destroy(d); }
static void spare_init(void)
{
    if (pthread_key_create(&spare_key, destroy_spare) != 0)
        spare_key = (pthread_key_t)-1; /* none: every parse allocates */
}
#define SPARE_TEXT_MAX (256u << 10) /* a bigger pending-text buffer is not kept */

static kw_hdoc *take_spare(void)
{
    pthread_once(&spare_once, spare_init);
    if (spare_key == (pthread_key_t)-1)
        return NULL;
    kw_hdoc *d = pthread_getspecific(spare_key);
    if (d)
        pthread_setspecific(spare_key, NULL);
    return d;
}

int kw_hdoc_parse(kw_hdoc **out, const char *html, size_t len, const char *const *keep_attrs)
{
    kw_hdoc *d = take_spare();
    *out = NULL;
    if (d) { /* its one block and its text buffer, emptied */
        d->html = d->head = d->body = NULL;
        d->depth = 0;
        d->oom = false;
        d->text.len = 0;
        d->text.full = false;
        d->text.max = len + 64;
        if (d->blocks)
            d->blocks->used = 0;
    } else {
        if (!(d = malloc(sizeof *d)))
            return kw_error_set(KW_ENOMEM, "out of memory");
        memset(d, 0, offsetof(kw_hdoc, stack));
        buf_init(&d->text, len + 64);
    }
    pthread_once(&tag_once, tag_index);
    d->keep_attrs = keep_attrs;
    memset(d->keep_first, 0, sizeof d->keep_first);
    for (const char *const *k = keep_attrs; k && *k; k++) {
        unsigned char c0 = (unsigned char)**k;
        d->keep_first[c0 >> 6] |= 1ull << (c0 & 63);
    }
    d->first_block = len < (BLOCK_SIZE - 2048) / 4 ? len * 4 + 2048 : BLOCK_SIZE;
    if (!(d->html = new_elem(d, known("html")))) {
        kw_hdoc_free(d);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    d->html->flags = T_HTML | T_SCOPE;
    push(d, d->html);
    const char *p = html, *end = html + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end && !d->oom) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        const char *stop = lt ? lt : end;
        unsigned char c = stop + 1 < end ? (unsigned char)stop[1] : 0;
        bool tag = stop < end &&
                   (is_alpha(c) || (c == '/' && stop + 2 < end && is_alpha((unsigned char)stop[2])));
        if (stop > p) {
            /* Text that a tag or the end of input ends, with nothing pending
             * before it and nothing to decode, goes in the tree as it is. */
            if (d->text.len == 0 && (tag || stop == end) && plain(p, (size_t)(stop - p)))
                text_node(d, p, (size_t)(stop - p));
            else
                decode_into(d, p, stop, false);
        }
        p = stop;
        if (p >= end)
            break;
        if (tag) {
            bool closing = c == '/';
            const char *ns = p + (closing ? 2 : 1), *ne = ns;
            while (ne < end && !ends((unsigned char)*ne, B_NAME_END))
                ne++;
            flush(d);
            if (closing) {
                char lower[64];
                size_t n = (size_t)(ne - ns);
                const char *gt = ne < end ? memchr(ne, '>', (size_t)(end - ne)) : NULL;
                p = gt ? gt + 1 : end;
                if (n < sizeof lower) { /* longer: no element has such a name */
                    size_t k = 0; /* read up to a NUL */
                    for (; k < n && ns[k]; k++)
                        lower[k] = lower_of(ns[k]);
                    lower[k] = '\0';
                    end_tag(d, lower, k);
                }
                continue;
            }
            unsigned f;
            const char *name = tag_name(d, ns, (size_t)(ne - ns), &f);
            if (!name)
                break;
            kw_hattr *attrs = NULL;
            bool self;
            p = attributes(d, ne, end, &attrs, &self);
            start_tag(d, name, f, attrs, self);
            if (!self && (f & T_RAW))
                p = raw_text(d, p, end, name, f);
        } else if (c == '!' && end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *q = p + 4;
            if (q < end && *q == '>')
                p = q + 1; /* <!--> */
            else if (end - q >= 2 && memcmp(q, "->", 2) == 0)
                p = q + 2; /* <!---> */
            else {
                const char *close = NULL;
                for (const char *r = q; (r = memchr(r, '-', (size_t)(end - r))) != NULL; r++)
                    if (end - r >= 3 && r[1] == '-' && r[2] == '>') {
                        close = r;
                        break;
                    }
                p = close ? close + 3 : end;
            }
        } else if (c == '!' || c == '?' || c == '/') {
            const char *gt = memchr(p + 1, '>', (size_t)(end - p - 1));
            p = gt ? gt + 1 : end;
        } else {
            add_text(d, "<", 1);
            p++;
        }
    }
    flush(d);
    forget_names(d); /* the tree is built */
    d->text.len = 0; /* its memory stays for the next parse (see kw_hdoc_free) */
    if (d->oom) {
        kw_hdoc_free(d);
        return kw_error_set(KW_ENOMEM, "out of memory parsing HTML");
    }
    *out = d;
    return 0;
}

void kw_hdoc_free(kw_hdoc *d)
{
    if (!d)
        return;
    pthread_once(&spare_once, spare_init);
    if (spare_key == (pthread_key_t)-1 || pthread_getspecific(spare_key)) {
        destroy(d);
        return;
    }
    /* Kept for the thread's next parse, with one ordinary block. */
    block *keep = NULL;
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        if (!keep && b->cap <= BLOCK_SIZE)
            keep = b;
        else
            free(b);
    }
    d->blocks = keep;
    if (keep)
        keep->next = NULL;
    if (d->text.cap > SPARE_TEXT_MAX) {
        buf_release(&d->text);
        buf_init(&d->text, 0);
    }
    if (pthread_setspecific(spare_key, d) != 0)
        destroy(d);
}

const kw_hnode *kw_hdoc_root(const kw_hdoc *d) { return d->html; }
const kw_hnode *kw_hdoc_body(const kw_hdoc *d) { return d->body; }

const char *kw_hnode_attr(const kw_hnode *n, const char *name)
{
    for (const kw_hattr *a = n->attrs; a; a = a->next)
        if (a->name[0] == name[0] && strcmp(a->name, name) == 0)
            return a->value;
    return NULL;
}

const kw_hnode *kw_hnode_next(const kw_hnode *n, int skip_children)
{
    if (!skip_children && n->first)
        return n->first;
    while (n && !n->next)
        n = n->parent;
    return n ? n->next : NULL;
}
