/*
 * An article page's main text (article mode), found in one walk of the
 * fast parser's tree.
 *
 * Text is weighed by what it says: a Chinese, Japanese or Korean character
 * weighs 3, any other visible character 1, blanks nothing. A block (a
 * paragraph, a div or section holding text of its own, a list item, a
 * cell) whose own text, its inline elements' included, weighs PROSE_MIN or
 * more is prose; headings are not. Each element scores the prose inside
 * it, less twice the text of its links, leaving out what is no part of an
 * article: navigation, asides, footers, forms' controls, and elements
 * whose class or id says comments, sidebar, related, share, ... (unless
 * it also says article, content, main, ...). The main text is the
 * deepest element that scores at least 85 % of the best score: the
 * article's own container rather than the page around it (which adds
 * links and a byline), but not one section of an article spread over
 * several. Its visible text is the main text, without its <h1> (the
 * title is a field of its own) or the parts left out above.
 */
#include "html_dom.h"
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROSE_MIN 20
#define LINK_COST 2
#define DEPTH_MAX (KW_HDOC_MAX_DEPTH + 8)

static int name_in(const char *name, const char *const *list)
{
    for (const char *const *w = list; *w; w++)
        if (**w == *name && strcmp(name, *w) == 0)
            return 1;
    return 0;
}

int ex_is_block(const char *name)
{
    static const char *const blocks[] = {
        "p",     "div",  "br",      "li",      "tr",         "td",   "th",         "h1",
        "h2",    "h3",   "h4",      "h5",      "h6",         "section", "article", "blockquote",
        "pre",   "ul",   "ol",      "dl",      "dt",         "dd",   "table",      "header",
        "footer", "main", "figure", "figcaption", "address", "body", "center",     NULL};
    return name_in(name, blocks);
}

int ex_is_hidden(const char *name)
{
    static const char *const hidden[] = {"script", "style", "noscript", "template", NULL};
    return name_in(name, hidden);
}

typedef struct word {
    const char *w;
    size_t len;
} word;
#define W(s) {s, sizeof s - 1}

/* What a class or id token says by the words it holds. */
enum { S_NAV = 1, S_CONTENT = 2, S_NOISE = 4 };

typedef struct part {
    const char *w;
    size_t len; /* 2 or more */
    int says;
} part;
#define P(s, says) {s, sizeof s - 1, says}

static const part parts[] = {
    /* "top-nav", "nav_main", "main-menu": navigation as part of a token */
    P("-nav", S_NAV), P("_nav", S_NAV), P("nav-", S_NAV), P("nav_", S_NAV), P("-menu", S_NAV),
    P("_menu", S_NAV), P("menu-", S_NAV), P("menu_", S_NAV),
    /* the text's own */
    P("article", S_CONTENT), P("content", S_CONTENT), P("main", S_CONTENT),
    P("story", S_CONTENT), P("body", S_CONTENT),
    /* no part of the text */
    P("comment", S_NOISE), P("cmnt", S_NOISE), P("reply", S_NOISE), P("replies", S_NOISE),
    P("sidebar", S_NOISE), P("side-bar", S_NOISE), P("side_bar", S_NOISE),
    P("sidebox", S_NOISE), P("side-box", S_NOISE), P("side_box", S_NOISE),
    P("related", S_NOISE), P("recommend", S_NOISE), P("breadcrumb", S_NOISE),
    P("share", S_NOISE), P("social", S_NOISE), P("advert", S_NOISE), P("sponsor", S_NOISE),
    P("banner", S_NOISE), P("popup", S_NOISE), P("cookie", S_NOISE), P("login", S_NOISE),
    P("signup", S_NOISE), P("subscribe", S_NOISE), P("footer", S_NOISE),
    P("navbar", S_NOISE), P("toolbar", S_NOISE), P("copyright", S_NOISE),
    P("widget", S_NOISE), P("rank", S_NOISE), P("keyword", S_NOISE), P("hotnews", S_NOISE),
    P("hot-news", S_NOISE), P("hot_news", S_NOISE),
};
#define N_PARTS (sizeof parts / sizeof parts[0])
_Static_assert(N_PARTS < 256, "a part's index + 1 fits in a byte");

/* The parts by their first two bytes: a chain each (index + 1, 0 ends).
 * A token is read once, at each byte only the parts that begin so: a
 * token of one letter over and over ("sss...") cost a comparison with
 * every part at every byte (a memcmp for each beginning so), seconds for a
 * page of such classes. */
static unsigned char part_head[1 << 16], part_next[N_PARTS];
static pthread_once_t parts_once = PTHREAD_ONCE_INIT;

static unsigned bigram(const char *s)
{
    return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static void parts_index(void)
{
    for (size_t i = N_PARTS; i-- > 0;) {
        unsigned b = bigram(parts[i].w);
        part_next[i] = part_head[b];
        part_head[b] = (unsigned char)(i + 1);
    }
}

/* What the lower-cased token t (n bytes) holds: S_ bits. */
static int token_says(const char *t, size_t n)
{
    int says = 0;
    for (size_t i = 0; i + 1 < n; i++)
        for (unsigned k = part_head[bigram(t + i)]; k; k = part_next[k - 1]) {
            const part *p = &parts[k - 1];
            if (p->len <= n - i && memcmp(t + i + 2, p->w + 2, p->len - 2) == 0)
                says |= p->says;
        }
    return says;
}

/* whole tokens only: short words that are parts of others */
static const word noise_tokens[] = {W("nav"),  W("menu"),  W("ad"),
                                    W("ads"),  W("tags"),  W("tools"),
                                    W("rich_media_tool"), {NULL, 0}};

/* Each class token and the id, lower-cased: what they say of the element
 * (1: no part of the text, -1: the text's own, 0: nothing); the first
 * token to say navigation or the text's own decides. */
static int class_says(const char *v)
{
    int says = 0;
    pthread_once(&parts_once, parts_index);
    while (v && *v) {
        while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\f')
            v++;
        char t[64];
        size_t n = 0;
        for (; *v && *v != ' ' && *v != '\t' && *v != '\n' && *v != '\r' && *v != '\f'; v++)
            if (n < sizeof t)
                t[n++] = (char)(*v >= 'A' && *v <= 'Z' ? *v + 32 : *v);
        if (n == 0 || n == sizeof t)
            continue;
        int holds = token_says(t, n);
        /* navigation is never the text ("main-nav"); "comment-content" is a
         * comment's text, and the comments around it are left out anyway */
        if (holds & S_NAV)
            return 1;
        for (const word *w = noise_tokens; w->w; w++)
            if (w->len == n && memcmp(w->w, t, n) == 0)
                return 1;
        if (holds & S_CONTENT)
            return -1;
        if (holds & S_NOISE)
            says = 1;
    }
    return says;
}

int ex_is_noise(const kw_hnode *n)
{
    static const char *const tags[] = {"nav",    "aside",    "footer", "button", "select",
                                       "textarea", "iframe", "svg",    "dialog", "menu",
                                       "input",  "object",   "embed",  "canvas", NULL};
    if (n->type != KW_HELEM)
        return 0;
    if (ex_is_hidden(n->name) || name_in(n->name, tags))
        return 1;
    static const char *const never[] = {"html", "body", "main", "article", NULL};
    if (name_in(n->name, never))
        return 0;
    const char *c = kw_hnode_attr(n, "class"), *id = kw_hnode_attr(n, "id");
    int a = c ? class_says(c) : 0, b = id ? class_says(id) : 0;
    return a >= 0 && b >= 0 && (a > 0 || b > 0);
}

/* The weight of n bytes of text (see the top). */
static long weight(const char *s, size_t n)
{
    long w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            w += c > ' ';
        } else if (c >= 0xC0) { /* a character's first byte */
            unsigned char c1 = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            if ((c == 0xE3 && c1 >= 0x81) || (c >= 0xE4 && c <= 0xED))
                w += 3; /* kana, CJK ideographs, Hangul */
            else if (!(c == 0xC2 && c1 == 0xA0) && !(c == 0xE3 && c1 == 0x80 &&
                                                     i + 2 < n && (unsigned char)s[i + 2] == 0x80))
                w += 1; /* not a no-break or ideographic space */
        }
    }
    return w;
}

typedef struct frame {
    const kw_hnode *n;
    long prose, link; /* in the subtree so far */
    long own;         /* a block's own text: its text and its inline elements' */
    int blk;          /* the frame of the nearest block (this one, for a block) */
    int in_link;
} frame;

typedef struct scored {
    const kw_hnode *n;
    long score;
    int depth;
} scored;

#define SCORED_LOCAL 64 /* scored elements kept in the walk itself */

typedef struct walk {
    frame st[DEPTH_MAX];
    int sp;
    scored *sc; /* local, then the heap when a page has more */
    size_t nsc, cap;
    int oom;
    scored local[SCORED_LOCAL];
} walk;

static int is_heading(const char *name)
{
    return name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2];
}

/* The top frame is done: its score noted, its counts passed up. */
static void pop(walk *w)
{
    frame *f = &w->st[--w->sp];
    if (f->blk == w->sp && f->own >= PROSE_MIN && !is_heading(f->n->name))
        f->prose += f->own;
    long score = f->prose - LINK_COST * f->link;
    if (score > 0) {
        if (w->nsc == w->cap) {
            size_t nc = w->cap * 2;
            scored *ns = w->sc == w->local ? malloc(nc * sizeof *ns)
                                           : realloc(w->sc, nc * sizeof *ns);
            if (!ns) {
                w->oom = 1;
                return;
            }
            if (w->sc == w->local)
                memcpy(ns, w->local, sizeof w->local);
            w->sc = ns;
            w->cap = nc;
        }
        w->sc[w->nsc++] = (scored){f->n, score, w->sp};
    }
    if (w->sp > 0) {
        w->st[w->sp - 1].prose += f->prose;
        w->st[w->sp - 1].link += f->link;
    }
}

static void push(walk *w, const kw_hnode *n)
{
    frame *up = w->sp ? &w->st[w->sp - 1] : NULL;
    frame *f = &w->st[w->sp];
    *f = (frame){n, 0, 0, 0, w->sp, 0};
    if (up && !ex_is_block(n->name))
        f->blk = up->blk;
    f->in_link = (up && up->in_link) || strcmp(n->name, "a") == 0;
    w->sp++;
}

const kw_hnode *ex_main_container(const kw_hnode *top)
{
    /* On the stack, and not zeroed: a malloc of its 13 KiB cost more than
     * the walk of a small page (glibc tidies its free lists for a block that
     * size), and so did zeroing it; a frame is written by push before it is
     * read, a scored element by pop. */
    walk ws, *w = &ws;
    w->sp = 0;
    w->sc = w->local;
    w->nsc = 0;
    w->cap = SCORED_LOCAL;
    w->oom = 0;
    push(w, top);
    for (const kw_hnode *n = top->first; n && !w->oom;) {
        while (w->sp > 0 && w->st[w->sp - 1].n != n->parent)
            pop(w);
        if (w->sp == 0)
            break; /* out of top's subtree */
        if (n->type == KW_HTEXT) {
            frame *f = &w->st[w->sp - 1];
            long k = weight(n->text, n->len);
            w->st[f->blk].own += k;
            if (f->in_link)
                f->link += k;
            n = kw_hnode_next(n, 1);
        } else if (ex_is_noise(n) || w->sp == DEPTH_MAX) {
            n = kw_hnode_next(n, 1);
        } else {
            push(w, n);
            n = kw_hnode_next(n, 0);
        }
    }
    while (w->sp > 0 && !w->oom)
        pop(w);
    const kw_hnode *best = NULL;
    long max = 0;
    for (size_t i = 0; i < w->nsc; i++)
        if (w->sc[i].score > max)
            max = w->sc[i].score;
    int depth = -1;
    long at = 0;
    for (size_t i = 0; i < w->nsc; i++) { /* post-order: a tie goes to the one that ends first */
        const scored *s = &w->sc[i];
        if (s->score * 100 >= max * 85 && (s->depth > depth || (s->depth == depth && s->score > at)))
            best = s->n, depth = s->depth, at = s->score;
    }
    if (w->sc != w->local)
        free(w->sc);
    return best;
}

/* The text of top's subtree (see ex_node_text), read no further than max
 * bytes of it or nodes nodes; cut to max bytes. */
static char *node_text(const kw_hnode *top, int main_only, size_t max, size_t nodes)
{
    kw_sbuf b = {0};
    if (top->type == KW_HTEXT)
        return ex_tidy(strdup(top->text));
    if (strcmp(top->name, "br") == 0)
        return NULL;
    const kw_hnode *n = top->first;
    for (; n && b.n < max && nodes > 0; nodes--) {
        if (n->type == KW_HTEXT) {
            ex_sb_add(&b, n->text, n->len);
        } else if (!ex_is_hidden(n->name) &&
                   !(main_only && (ex_is_noise(n) || strcmp(n->name, "h1") == 0))) {
            if (ex_is_block(n->name))
                ex_sb_add(&b, "\n", 1);
            if (n->first) {
                n = n->first;
                continue;
            }
            if (ex_is_block(n->name))
                ex_sb_add(&b, "\n", 1);
        }
        /* on to the next node, closing the blocks climbed out of */
        while (n != top && !n->next) {
            n = n->parent;
            if (n != top && ex_is_block(n->name))
                ex_sb_add(&b, "\n", 1);
        }
        n = n == top ? NULL : n->next;
    }
    if (b.n > max) { /* cut, never inside a UTF-8 sequence */
        size_t k = max;
        while (k > 0 && ((unsigned char)b.p[k] & 0xC0) == 0x80)
            k--;
        b.p[k] = '\0';
    }
    char *t = ex_tidy(b.p);
    if (main_only && t) { /* paragraphs a line each, as the text's own */
        size_t o = 0;
        for (size_t i = 0; t[i]; i++)
            if (!(t[i] == '\n' && o > 0 && t[o - 1] == '\n'))
                t[o++] = t[i];
        t[o] = '\0';
    }
    return t;
}

char *ex_node_text(const kw_hnode *top, int main_only)
{
    return node_text(top, main_only, KW_EX_MAX_FIELD, SIZE_MAX);
}

char *ex_node_text_head(const kw_hnode *top, size_t max, size_t nodes)
{
    return node_text(top, 0, max, nodes);
}
