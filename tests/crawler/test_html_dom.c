/*
 * The crawler's fast HTML parser (crawler/html_dom.c): the tree it builds
 * for the markup real pages use, written out compactly as
 * name[attr=value](children) with text in quotes.
 */
#include "testsupport.h"

#include "../../crawler/html_dom.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dump(const kw_hnode *n, char *out, size_t size)
{
    size_t len = strlen(out);
    for (; n; n = n->next) {
        if (n->type == KW_HTEXT) {
            len += (size_t)snprintf(out + len, size - len, "'%s'", n->text);
            continue;
        }
        len += (size_t)snprintf(out + len, size - len, "%s", n->name);
        for (const kw_hattr *a = n->attrs; a; a = a->next)
            len += (size_t)snprintf(out + len, size - len, "[%s=%s]", a->name, a->value);
        if (n->first) {
            len += (size_t)snprintf(out + len, size - len, "(");
            dump(n->first, out, size);
            len = strlen(out);
            len += (size_t)snprintf(out + len, size - len, ")");
        }
        assert_true(len < size);
    }
}

static void expect_tree(const char *html, const char *want)
{
    kw_hdoc *d = NULL;
    char got[4096] = "";
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), NULL), 0);
    dump(kw_hdoc_root(d), got, sizeof got);
    kw_hdoc_free(d);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  gave %s\n  want %s", html, got, want);
}

static void head_and_body_are_implied(void **state)
{
    (void)state;
    expect_tree("<title>T</title><meta name=author content=Ann>Hello",
                "html(head(title('T')meta[name=author][content=Ann])body('Hello'))");
    expect_tree("<!doctype html><HTML><Head></head>\n<BODY><P>x</body></html>",
                "html(headbody(p('x')))");
    expect_tree("", "html");
    expect_tree("  \n ", "html");
    /* text before the body tag starts the body; a second body is ignored */
    expect_tree("{% x %}<body class=a><p>y", "html(body('{% x %}'p('y')))");
}

static void entities_in_text_and_attributes(void **state)
{
    (void)state;
    expect_tree("<p title='a&quot;b&amp;c'>Caf&eacute; &lt;&#x4e2d;&#20013;&gt; &bogus; &amp x",
                "html(body(p[title=a\"b&c]('Caf\xC3\xA9 <\xE4\xB8\xAD\xE4\xB8\xAD> &bogus; & x')))");
    /* HTML's legacy references need no ';': the longest such name is read
     * in text; in an attribute not before a letter, a digit or '=' */
    expect_tree("<p>AT&amp T &ampx; &copy2026 &notit; &notin; x&nbsp&nbspy &LT &frac12&frac34 &ab",
                "html(body(p('AT& T &x; \xC2\xA9" "2026 \xC2\xACit; \xE2\x88\x89 "
                "x\xC2\xA0\xC2\xA0y < \xC2\xBD\xC2\xBE &ab')))");
    /* the upper-case ones have a ';' form too, all of it the reference */
    expect_tree("<p>&AMP; &LT;&GT; &QUOT;x&QUOT; &COPY; &REG;",
                "html(body(p('& <> \"x\" \xC2\xA9 \xC2\xAE')))");
    expect_tree("<a href='/x?a=1&copy=2&amp;b=3&not&lt'>l</a>",
                "html(body(a[href=/x?a=1&copy=2&b=3\xC2\xAC<]('l')))");
    /* &#128; to &#159; are read as windows-1252, as browsers do */
    expect_tree("<p>&#128;5 &#x93;q&#148; &#129;",
                "html(body(p('\xE2\x82\xAC" "5 \xE2\x80\x9Cq\xE2\x80\x9D \xC2\x81')))");
    /* code points no text may hold become U+FFFD */
    expect_tree("<p>&#0;&#xD800;&#1114112;", "html(body(p('\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD')))");
}

static void scripts_styles_titles_and_textareas_hold_raw_text(void **state)
{
    (void)state;
    expect_tree("<script>if (a<b) x='<p>&amp;';</SCRIPT ><p>after",
                "html(head(script('if (a<b) x='<p>&amp;';'))body(p('after')))");
    expect_tree("<title>A &amp; <b>B</b></title>", "html(head(title('A & <b>B</b>')))");
    expect_tree("<p><style>p{}</style>x", "html(body(p(style('p{}')'x')))");
    /* a NUL in raw text is a blank, as in other text */
    static const char nul[] = "<xmp>a\0b</xmp>";
    kw_hdoc *d = NULL;
    char got[256] = "";
    assert_int_equal(kw_hdoc_parse(&d, nul, sizeof nul - 1, NULL), 0);
    dump(kw_hdoc_root(d), got, sizeof got);
    kw_hdoc_free(d);
    assert_string_equal(got, "html(body(xmp('a b')))");
    /* unclosed: the rest of the page is the script's */
    expect_tree("<p>a<script>b<p>c", "html(body(p('a'script('b<p>c'))))");
}

static void elements_html_closes_implicitly(void **state)
{
    (void)state;
    expect_tree("<p>one<div>two</div><p>three<p>four",
                "html(body(p('one')div('two')p('three')p('four')))");
    expect_tree("<ul><li>a<li>b<ul><li>c</ul><li>d</ul>",
                "html(body(ul(li('a')li('b'ul(li('c')))li('d'))))");
    expect_tree("<table><tr><td>a<td>b<tr><td>c</table>",
                "html(body(table(tr(td('a')td('b'))tr(td('c')))))");
    expect_tree("<dl><dt>t<dd>d<dt>u</dl>", "html(body(dl(dt('t')dd('d')dt('u'))))");
    expect_tree("<h5>x</h3><p>y", "html(body(h5('x')p('y')))");
    /* </p> with none open is an empty paragraph; </br> a line break */
    expect_tree("a</p>b</br>c", "html(body('a'p'b'br'c'))");
    /* an end tag with nothing to close is ignored */
    expect_tree("<b>x</i>y</b>z", "html(body(b('x''y')'z'))");
}

static void void_elements_and_self_closing_tags(void **state)
{
    (void)state;
    expect_tree("<p>a<br>b<img src=x.png>c<div/>d<hr/>e",
                "html(body(p('a'br'b'img[src=x.png]'c')div'd'hr'e'))");
}

static void attributes_lower_cased_first_wins_any_quoting(void **state)
{
    (void)state;
    expect_tree("<a HREF=/x/ Rel=\"author\" rel='no' checked data-v = 'a b'>t</a>",
                "html(body(a[href=/x/][rel=author][checked=][data-v=a b]('t')))");
}

static void comments_doctypes_and_junk_are_dropped(void **state)
{
    (void)state;
    expect_tree("<p>a<!-- <b>x</b> -->b<!-->c<!--->d<?pi?>e<![CDATA[z]]>f</>g",
                "html(body(p('abcdefg')))");
    expect_tree("<p>a<!-- never closed <p>b", "html(body(p('a')))");
    expect_tree("<p>1 < 2 and 3 <= 4", "html(body(p('1 < 2 and 3 <= 4')))");
}

/* unit n times, then tail; malloc'd */
static char *repeated(const char *unit, size_t n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * n + t + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + u * i, unit, u);
    memcpy(s + u * n, tail, t + 1);
    return s;
}

static void deep_nesting_is_bounded(void **state)
{
    (void)state;
    size_t n = 100000;
    char *html = repeated("<div>", n, "x");
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), NULL), 0);
    /* every element is there, none deeper than the bound, the text last */
    const kw_hnode *text = NULL;
    size_t elements = 0;
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0)) {
        int depth = 0;
        for (const kw_hnode *up = k; up->parent; up = up->parent)
            depth++;
        assert_true(depth <= KW_HDOC_MAX_DEPTH);
        elements += k->type == KW_HELEM && strcmp(k->name, "div") == 0;
        if (k->type == KW_HTEXT)
            text = k;
    }
    assert_int_equal(elements, n);
    assert_non_null(text);
    assert_string_equal(text->text, "x");
    kw_hdoc_free(d);
    free(html);
}

/* Implied closing looks down the open elements no further than its scope
 * (a table, a cell, a button, a list for a <li>, ...), knowing for each
 * depth where the nearest of each kind is: a page of </p>s, each making an
 * empty <p>, under 255 open elements costs no walk of them. */
static void implied_closing_stops_at_its_scope(void **state)
{
    (void)state;
    expect_tree("<p>a<table><tr><td>b<p>c<div>d</div></td><td>e</p>f</table>g<div>h",
                "html(body(p('a')table(tr(td('b'p('c')div('d'))td('e'p'f')))'g'div('h')))");
    expect_tree("<ul><li>a<div><li>b</div><ol><li>c<li>d</ol><li>e</ul>",
                "html(body(ul(li('a'div)li('b'ol(li('c')li('d')))li('e'))))");
    expect_tree("<dl><dt>a<dd>b<div><dt>c</div><dl><dd>d</dl><dt>e</dl>",
                "html(body(dl(dt('a')dd('b'div)dt('c'dl(dd('d')))dt('e'))))");
    expect_tree("<table><tr><td>a<tr><th>b<tbody><tr><td>c<thead><td>d<tfoot><tr>e</table>",
                "html(body(table(tr(td('a'))tr(th('b'tbody))tr(td('c'thead)td('d'tfoot))tr('e'))))");
    expect_tree("<a>x<b><a>y<button><a>z</button><a>w",
                "html(body(a('x'b)a('y'button(a('z')))a('w')))");
    expect_tree("<p><button></p>x</button></p>y",
                "html(body(p(button(p'x'))'y'))");
    expect_tree("<p>a<marquee><p>b</marquee>c<object><h1>d</h1></object>e",
                "html(body(p('a'marquee(p('b'))'c'object(h1('d'))'e')))");
    size_t n = 500000;
    char *ps = repeated("</p>", n, "");
    char *html = malloc(strlen(ps) + 1000);
    assert_non_null(html);
    strcpy(html, "<body>");
    for (int i = 0; i < 300; i++)
        strcat(html, "<x>");
    strcat(html, ps);
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), NULL), 0);
    size_t empty = 0;
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0))
        empty += k->type == KW_HELEM && strcmp(k->name, "p") == 0 && !k->first;
    assert_int_equal(empty, n);
    kw_hdoc_free(d);
    free(html);
    free(ps);
}

/* The references are looked up in the parser's own tables, searched in
 * halves (HTML 4's names, and the legacy ones read without a ';'): the
 * same code points libxml2's table gives, and a page of unknown names
 * costs no walk of a table for each. */
static void entities_from_the_parsers_own_tables(void **state)
{
    (void)state;
    expect_tree("<p>&AElig;&yuml;&thetasym;&diams;&apos;&hellip;&Yuml;&zwnj;&lang;&rang;",
                "html(body(p('\xC3\x86\xC3\xBF\xCF\x91\xE2\x99\xA6'\xE2\x80\xA6\xC5\xB8"
                "\xE2\x80\x8C\xE2\x8C\xA9\xE2\x8C\xAA')))");
    /* legacy names, the first and last of the table and a 6-letter one,
     * need no ';'; HTML 4's others do */
    expect_tree("<p>&AEligx &yumlx &Aacute1 &thetasym &zwnj &aacutex;",
                "html(body(p('\xC3\x86x \xC3\xBFx \xC3\x81" "1 &thetasym &zwnj \xC3\xA1x;')))");
    expect_tree("<p>&zzzzzz; &zz; &AElig2; &Z;",
                "html(body(p('&zzzzzz; &zz; \xC3\x86" "2; &Z;')))");
    /* a page of references no table has: cheap (each was 1,500 string
     * comparisons in libxml2's table) */
    size_t n = 500000;
    char *html = repeated("&zzzzzz;", n, "");
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), NULL), 0);
    kw_hdoc_free(d);
    free(html);
}

/* An end tag closes the open element of its name, found by the one string
 * every element of that name shares; one of a name no element has changes
 * nothing, and costs no walk of the open elements. */
static void end_tags_of_elements_without_rules(void **state)
{
    (void)state;
    expect_tree("<x-a><X-B>t</x-a>u<x-b>v</X-b>w</x-never>",
                "html(body(x-a(x-b('t'))'u'x-b('v')'w'))");
    expect_tree("<averyveryverylongname><p>x</AVERYVERYVERYLONGNAME>y",
                "html(body(averyveryverylongname(p('x'))'y'))");
    /* </xy> under 255 <x>s, its name seen once */
    size_t n = 300000;
    char *body = repeated("</xy>", n, "z");
    size_t len = strlen(body);
    char *html = malloc(len + 5000);
    assert_non_null(html);
    strcpy(html, "<xy></xy>");
    for (int i = 0; i < 300; i++)
        strcat(html, "<x>");
    strcat(html, body);
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), NULL), 0);
    kw_hdoc_free(d);
    /* and a name never seen; then a document of its own that closes one
     * the last document had open */
    assert_int_equal(kw_hdoc_parse(&d, body, len, NULL), 0);
    kw_hdoc_free(d);
    expect_tree("</xy>a<xy>b", "html(body('a'xy('b')))");
    free(html);
    free(body);
}

/* A reader that names the attributes it reads gets those (any case, the
 * first of a name, decoded) and no other; the tree is otherwise the same. */
static void only_the_attributes_asked_for_are_kept(void **state)
{
    (void)state;
    static const char html[] =
        "<a HREF='/x?a=1&amp;b=2' title='More &amp; more' data-x=1 href=/second>link</a>"
        "<span class=meta>3 min</span><time datetime=2026-11-20>today</time>";
    static const char *const keep[] = {"href", "datetime", NULL};
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, strlen(html), keep), 0);
    int seen = 0;
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0)) {
        if (k->type != KW_HELEM)
            continue;
        if (strcmp(k->name, "a") == 0) {
            assert_string_equal(kw_hnode_attr(k, "href"), "/x?a=1&b=2");
            assert_null(kw_hnode_attr(k, "title"));
            assert_null(kw_hnode_attr(k, "data-x"));
            seen++;
        } else if (strcmp(k->name, "span") == 0) {
            assert_null(k->attrs);
            seen++;
        } else if (strcmp(k->name, "time") == 0) {
            assert_string_equal(kw_hnode_attr(k, "datetime"), "2026-11-20");
            seen++;
        }
    }
    assert_int_equal(seen, 3);
    kw_hdoc_free(d);

    /* The cap of 64 attributes a tag counts those not kept too, as a
     * reader that keeps all would see it; a name ends at a NUL. */
    char many[4096];
    size_t n = (size_t)snprintf(many, sizeof many, "<meta property=og:title");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, " data-a%d=x", i);
    n += (size_t)snprintf(many + n, sizeof many - n, " content=late><p>x</p>");
    static const char *const meta_keep[] = {"property", "content", NULL};
    assert_int_equal(kw_hdoc_parse(&d, many, n, meta_keep), 0);
    const kw_hnode *meta = NULL;
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0))
        if (k->type == KW_HELEM && strcmp(k->name, "meta") == 0)
            meta = k;
    assert_non_null(meta);
    assert_string_equal(kw_hnode_attr(meta, "property"), "og:title");
    assert_null(kw_hnode_attr(meta, "content"));
    kw_hdoc_free(d);
    static const char nul_name[] = "<meta content\0x=kept property=p>";
    assert_int_equal(kw_hdoc_parse(&d, nul_name, sizeof nul_name - 1, meta_keep), 0);
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0))
        if (k->type == KW_HELEM && strcmp(k->name, "meta") == 0)
            assert_string_equal(kw_hnode_attr(k, "content"), "kept");
    kw_hdoc_free(d);
}

/* A start tag's name ends at a NUL, as its end tag's does: a script so
 * named is still raw text. */
static void a_nul_ends_a_tag_name(void **state)
{
    (void)state;
    static const char html[] = "<p>one<script\0>var a=\"<p>SECRET</p>\";</script>two";
    kw_hdoc *d = NULL;
    assert_int_equal(kw_hdoc_parse(&d, html, sizeof html - 1, NULL), 0);
    int scripts = 0, ps = 0;
    for (const kw_hnode *k = kw_hdoc_root(d); k; k = kw_hnode_next(k, 0)) {
        if (k->type == KW_HELEM && strcmp(k->name, "script") == 0) {
            scripts++;
            assert_non_null(k->first); /* one raw text, the <p> in it */
            assert_non_null(strstr(k->first->text, "<p>SECRET</p>"));
        }
        ps += k->type == KW_HELEM && strcmp(k->name, "p") == 0;
    }
    assert_int_equal(scripts, 1);
    assert_int_equal(ps, 1);
    kw_hdoc_free(d);
}

/* The parser keeps a thread's last document for the next parse: a page
 * parsed after another (a big one, one still open, one from another
 * thread) is its own tree, with nothing of the others in it. */
typedef struct thread_run {
    int id, wrong; /* documents whose tree was not their own (no asserting off the main thread) */
} thread_run;

static void *parse_many(void *arg)
{
    thread_run *t = arg;
    for (int i = 0; i < 200; i++) {
        char html[128];
        kw_hdoc *d = NULL;
        snprintf(html, sizeof html, "<p class=c%d>t%d-%d<b>x</b></p>", t->id, t->id, i);
        if (kw_hdoc_parse(&d, html, strlen(html), NULL) != 0) {
            t->wrong++;
            continue;
        }
        const kw_hnode *p = kw_hdoc_body(d) ? kw_hdoc_body(d)->first : NULL;
        char cls[16], text[32];
        snprintf(cls, sizeof cls, "c%d", t->id);
        snprintf(text, sizeof text, "t%d-%d", t->id, i);
        if (!p || p->type != KW_HELEM || strcmp(p->name, "p") != 0 || !kw_hnode_attr(p, "class") ||
            strcmp(kw_hnode_attr(p, "class"), cls) != 0 || !p->first ||
            p->first->type != KW_HTEXT || strcmp(p->first->text, text) != 0 || p->next)
            t->wrong++;
        kw_hdoc_free(d);
    }
    return NULL;
}

static void each_document_is_its_own_when_memory_is_reused(void **state)
{
    (void)state;
    /* a big page: many blocks of nodes and a long text */
    char *big = repeated("<i>abcdef</i>", 40000, "");
    kw_hdoc *a = NULL, *b = NULL;
    assert_int_equal(kw_hdoc_parse(&a, big, strlen(big), NULL), 0);
    /* a second document while the first is open, then both freed */
    const char *small = "<title>T</title><p id=x>one &amp; two";
    assert_int_equal(kw_hdoc_parse(&b, small, strlen(small), NULL), 0);
    kw_hdoc_free(a);
    kw_hdoc_free(b);
    /* the next ones start from the kept memory */
    expect_tree(small, "html(head(title('T'))body(p[id=x]('one & two')))");
    expect_tree("", "html");
    expect_tree("<ul><li>a<li>b</ul>", "html(body(ul(li('a')li('b'))))");
    free(big);
    /* threads keep their own, and give it back when they end */
    pthread_t th[4];
    thread_run runs[4] = {{0, 0}, {1, 0}, {2, 0}, {3, 0}};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, parse_many, &runs[i]), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(runs[i].wrong, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_and_body_are_implied),
        cmocka_unit_test(entities_in_text_and_attributes),
        cmocka_unit_test(scripts_styles_titles_and_textareas_hold_raw_text),
        cmocka_unit_test(elements_html_closes_implicitly),
        cmocka_unit_test(void_elements_and_self_closing_tags),
        cmocka_unit_test(attributes_lower_cased_first_wins_any_quoting),
        cmocka_unit_test(comments_doctypes_and_junk_are_dropped),
        cmocka_unit_test(deep_nesting_is_bounded),
        cmocka_unit_test(implied_closing_stops_at_its_scope),
        cmocka_unit_test(entities_from_the_parsers_own_tables),
        cmocka_unit_test(end_tags_of_elements_without_rules),
        cmocka_unit_test(only_the_attributes_asked_for_are_kept),
        cmocka_unit_test(a_nul_ends_a_tag_name),
        cmocka_unit_test(each_document_is_its_own_when_memory_is_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
