/*
 * Feeds: each format from a fixture in tests/crawler/fixtures/, charsets
 * right, wrong and missing, not well-formed input read as bozo, and
 * hostile input (billion laughs, XXE, deep nesting, huge lines, oversized)
 * handled within bounds.
 */
#include "testsupport.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *slurp(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/crawler/fixtures/%s", KW_TEST_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static kw_feed *parse_fixture(const char *name, const char *base, const char *charset)
{
    size_t len;
    char *data = slurp(name, &len);
    kw_feed_options opt = {.name = name, .base = base, .charset = charset};
    kw_feed *f = NULL;
    if (kw_feed_parse(&f, data, len, &opt) != 0)
        fail_msg("%s: %s", name, kw_error_last());
    free(data);
    return f;
}

static kw_feed *parse_text(const char *text)
{
    kw_feed *f = NULL;
    kw_feed_options opt = {.name = "inline"};
    if (kw_feed_parse(&f, text, strlen(text), &opt) != 0)
        fail_msg("inline: %s", kw_error_last());
    return f;
}

static int64_t utc(const char *s)
{
    int64_t t;
    assert_int_equal(kw_time_parse(&t, s), 0);
    return t;
}

static void rss20_fields_html_to_text_and_relative_links(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss20.xml", NULL, NULL);
    assert_int_equal(f->version, KW_FEED_RSS20);
    assert_string_equal(kw_feed_version_name(f->version), "rss20");
    assert_string_equal(f->encoding, "utf-8");
    assert_false(f->bozo);
    assert_string_equal(f->title, "Example Brand News");
    assert_string_equal(f->link, "https://news.example.com/");
    assert_string_equal(f->subtitle, "All about Example & co.");
    assert_int_equal(f->updated, utc("2004-01-01T19:48:21Z"));
    assert_int_equal(f->n_entries, 2);
    kw_feed_entry *e = &f->entries[0];
    assert_string_equal(e->id, "post-1");
    assert_string_equal(e->link, "https://news.example.com/posts/1");
    assert_string_equal(e->author, "Zhang San");
    assert_int_equal(e->published, utc("2004-01-01T11:48:21Z"));
    assert_true(e->updated == KW_FEED_NO_TIME);
    assert_string_equal(e->summary, "Hello world & friends"); /* script and style gone */
    assert_string_equal(e->content, "Para one.\nPara & two");
    e = &f->entries[1];
    /* A permalink guid stands in for the link; a bad date is null. */
    assert_string_equal(e->link, "https://news.example.com/posts/2");
    assert_true(e->published == KW_FEED_NO_TIME);
    assert_string_equal(e->summary, "Plain text, 5 < 6.");
    assert_null(e->content);
    assert_null(e->author);
    kw_feed_free(f);
}

static void base_option_wins_over_the_feed_link(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss20.xml", "https://mirror.example.net/x/", NULL);
    assert_string_equal(f->entries[0].link, "https://mirror.example.net/posts/1");
    kw_feed_free(f);
}

static void rss10_items_beside_the_channel(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss10.xml", NULL, NULL);
    assert_int_equal(f->version, KW_FEED_RSS10);
    assert_string_equal(f->title, "RDF Site");
    assert_int_equal(f->updated, utc("2004-01-01T11:48:21Z"));
    assert_int_equal(f->n_entries, 1);
    assert_string_equal(f->entries[0].id, "https://example.org/a");
    assert_string_equal(f->entries[0].link, "https://example.org/a");
    assert_string_equal(f->entries[0].author, "Wang Wu");
    assert_int_equal(f->entries[0].published, utc("2004-01-02T00:00:00Z"));
    kw_feed_free(f);
}

static void rss090_and_rss091_report_rss09x(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss090.xml", NULL, NULL);
    assert_string_equal(kw_feed_version_name(f->version), "rss09x");
    assert_int_equal(f->n_entries, 2);
    assert_string_equal(f->entries[1].title, "Bugzilla Reorganized");
    assert_string_equal(f->entries[1].link, "http://www.mozilla.org/bugs/");
    kw_feed_free(f);
    f = parse_fixture("rss091.xml", NULL, NULL);
    assert_string_equal(kw_feed_version_name(f->version), "rss09x");
    assert_string_equal(f->entries[0].title, "Caf\xC3\xA9 opens");
    assert_string_equal(f->subtitle, "Caf\xC3\xA9 news");
    kw_feed_free(f);
}

static void atom10_text_constructs_xml_base_and_inherited_author(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("atom10.xml", NULL, NULL);
    assert_int_equal(f->version, KW_FEED_ATOM10);
    assert_string_equal(f->title, "Example Blog");
    assert_string_equal(f->subtitle, "Brand watching");
    assert_string_equal(f->link, "https://blog.example.com/"); /* alternate, not self */
    assert_string_equal(f->author, "John Doe");
    assert_int_equal(f->updated, utc("2003-12-13T18:30:02Z"));
    assert_int_equal(f->n_entries, 2);
    kw_feed_entry *e = &f->entries[0];
    assert_string_equal(e->title, "Atom draft 1");
    assert_string_equal(e->link, "https://blog.example.com/2003/12/13/atom03");
    assert_string_equal(e->author, "John Doe");
    assert_int_equal(e->published, utc("2003-12-13T12:29:29Z"));
    assert_string_equal(e->summary, "Some text.");
    assert_string_equal(e->content, "This is XHTML content.");
    e = &f->entries[1];
    assert_string_equal(e->link, "https://other.example.net/dir/page.html");
    assert_string_equal(e->author, "Jane Roe");
    assert_int_equal(e->updated, utc("2003-12-14T02:00:00Z"));
    assert_true(e->published == KW_FEED_NO_TIME);
    assert_string_equal(e->content, "Hi & bye");
    kw_feed_free(f);
}

static void atom03_modified_issued_and_escaped_content(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("atom03.xml", NULL, NULL);
    assert_int_equal(f->version, KW_FEED_ATOM03);
    assert_string_equal(f->subtitle, "A lot of effort went into making this effortless");
    assert_int_equal(f->updated, utc("2003-12-13T18:30:02Z"));
    kw_feed_entry *e = &f->entries[0];
    assert_int_equal(e->published, utc("2003-12-13T12:29:29Z"));
    assert_int_equal(e->updated, utc("2003-12-13T18:30:02Z"));
    assert_string_equal(e->content, "Escaped HTML");
    assert_string_equal(e->link, "http://diveintomark.org/2003/12/13/atom03");
    kw_feed_free(f);
}

static void json_feed_items_ids_and_html_content(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("jsonfeed11.json", NULL, NULL);
    assert_int_equal(f->version, KW_FEED_JSON11);
    assert_string_equal(f->title, "My Example Feed");
    assert_string_equal(f->link, "https://example.org/");
    assert_string_equal(f->author, "Chen Liu");
    assert_int_equal(f->n_entries, 2);
    assert_string_equal(f->entries[0].id, "2");
    assert_null(f->entries[0].title);
    assert_string_equal(f->entries[0].content, "This is a second item.");
    assert_int_equal(f->entries[0].published, utc("2024-03-05T02:20:00Z"));
    assert_string_equal(f->entries[1].id, "1"); /* a number is kept as its digits */
    assert_string_equal(f->entries[1].content, "Hello, world!");
    assert_string_equal(f->entries[1].link, "https://example.org/initial-post");
    assert_string_equal(f->entries[1].author, "Zhao Qi");
    kw_feed_free(f);
}

/* Numeric ids past what a double holds exactly (2^53, and the 19-digit
 * ids of many platforms) keep every digit; the same digits inside a
 * string are left alone, and small numbers read as before. */
static void json_feed_long_numeric_ids_keep_their_digits(void **state)
{
    (void)state;
    kw_feed *f = parse_text("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
                            "{\"id\":9007199254740993,\"content_text\":\"a 12345678901234567 b\"},"
                            "{\"id\" : -1789012345678901234 ,\"content_text\":\"x\"},"
                            "{\"id\":12,\"content_text\":\"y\\\"1234567890123456789\"},"
                            "{\"id\":1.5e3,\"content_text\":\"z\"}]}");
    assert_int_equal(f->n_entries, 4);
    assert_string_equal(f->entries[0].id, "9007199254740993");
    assert_string_equal(f->entries[0].content, "a 12345678901234567 b");
    assert_string_equal(f->entries[1].id, "-1789012345678901234");
    assert_string_equal(f->entries[2].id, "12");
    assert_string_equal(f->entries[2].content, "y\"1234567890123456789");
    assert_string_equal(f->entries[3].id, "1500");
    kw_feed_free(f);
}

static void inline_markup_loses_its_scripts_and_keeps_its_blocks(void **state)
{
    (void)state;
    /* Atom's XHTML with a prefix (RFC 4287 3.1.1.3 writes it so), Atom
     * 0.3's content in its default mode="xml", and HTML an RSS feed wrote
     * unescaped: scripts go, paragraphs are lines, as for escaped HTML */
    kw_feed *f = parse_text(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id><title>t</title>"
        "<content type=\"xhtml\"><xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"
        "<xhtml:p>Less: <xhtml:em> &lt; </xhtml:em></xhtml:p><xhtml:script>evil()</xhtml:script>"
        "<xhtml:p>b<xhtml:br/>c</xhtml:p></xhtml:div></content></entry></feed>");
    assert_string_equal(f->entries[0].content, "Less: <\nb\nc");
    kw_feed_free(f);
    f = parse_text("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><id>1</id>"
                   "<content type=\"text/html\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
                   "<p>one</p><script>bad()</script><p>two</p></div></content></entry></feed>");
    assert_int_equal(f->version, KW_FEED_ATOM03);
    assert_string_equal(f->entries[0].content, "one\ntwo");
    kw_feed_free(f);
    f = parse_text("<rss version=\"2.0\"><channel><item><title>t</title><description><p>x</p>"
                   "<script>alert(1)</script><style>p{}</style>y &amp; z</description>"
                   "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                   "<p>c</p><script>no()</script></content:encoded></item></channel></rss>");
    assert_string_equal(f->entries[0].summary, "x\ny & z");
    assert_string_equal(f->entries[0].content, "c");
    kw_feed_free(f);
}

static void atom_ids_are_iris_and_sources_lend_their_authors(void **state)
{
    (void)state;
    /* an id is an IRI, never HTML; an entry without an author takes its
     * source's before the feed's (RFC 4287 4.2.1); rel may be written as
     * the IANA IRI of its name (4.2.7.2) */
    kw_feed *f = parse_text(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><author><name>F</name></author>"
        "<entry><id>http://e.example/?a=1&amp;copy;=2&amp;lt;</id><title>t</title>"
        "<source><author><name>S</name></author></source>"
        "<link rel=\"http://www.iana.org/assignments/relation/alternate\" href=\"http://e.example/a\"/>"
        "</entry><entry><id>2</id></entry></feed>");
    assert_string_equal(f->entries[0].id, "http://e.example/?a=1&copy;=2&lt;");
    assert_string_equal(f->entries[0].author, "S");
    assert_string_equal(f->entries[0].link, "http://e.example/a");
    assert_string_equal(f->entries[1].author, "F");
    kw_feed_free(f);
}

static void nul_bytes_and_text_after_json_are_bozo(void **state)
{
    (void)state;
    static const char xml[] = "<rss version=\"2.0\"><channel><title>a\0b</title></channel></rss>";
    kw_feed *f = NULL;
    kw_feed_options opt = {.name = "inline"};
    assert_int_equal(kw_feed_parse(&f, xml, sizeof xml - 1, &opt), 0);
    assert_true(f->bozo);
    assert_string_equal(f->title, "a b");
    kw_feed_free(f);
    f = parse_text("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"x\"} {\"y\":1}");
    assert_true(f->bozo);
    assert_non_null(strstr(f->bozo_message, "byte 59"));
    assert_string_equal(f->title, "x");
    kw_feed_free(f);
    f = parse_text("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"x\"}\r\n ");
    assert_false(f->bozo);
    kw_feed_free(f);
}

static void json_feed_half_surrogates_and_nul_escapes_are_read(void **state)
{
    (void)state;
    /* an emoji cut in half by a backend, and a \u0000: the feed is read,
     * the one a U+FFFD, the other a blank, the text not cut there */
    kw_feed *f = parse_text("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
                            "{\"id\":\"1\",\"title\":\"a\\ud83db\",\"content_text\":\"x\\u0000y\"},"
                            "{\"id\":\"2\",\"title\":\"\\ud83d\\ude00\\udc00\"}]}");
    assert_int_equal(f->n_entries, 2);
    assert_string_equal(f->entries[0].title, "a\xEF\xBF\xBD" "b");
    assert_string_equal(f->entries[0].content, "x y");
    assert_string_equal(f->entries[1].title, "\xF0\x9F\x98\x80\xEF\xBF\xBD");
    kw_feed_free(f);
}

static void json_feed_1_0_author_object_and_external_url(void **state)
{
    (void)state;
    kw_feed *f = parse_text("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"Old\","
                            "\"author\":{\"name\":\"Sun Ba\"},\"items\":[{\"id\":\"a\","
                            "\"external_url\":\"https://elsewhere.example/x\","
                            "\"content_text\":\"  text  \",\"date_published\":\"junk\"}]}");
    assert_int_equal(f->version, KW_FEED_JSON11);
    assert_string_equal(f->author, "Sun Ba");
    assert_string_equal(f->entries[0].link, "https://elsewhere.example/x");
    assert_string_equal(f->entries[0].author, "Sun Ba");
    assert_string_equal(f->entries[0].content, "text");
    assert_true(f->entries[0].published == KW_FEED_NO_TIME);
    assert_null(f->link);
    kw_feed_free(f);
}

static void gbk_feed_declared_gb2312_is_read_as_gb18030(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss20-gbk.xml", NULL, NULL);
    assert_string_equal(f->encoding, "gb18030");
    assert_false(f->bozo);
    /* 品牌新闻, and 镕 喆 堃, which GB2312 lacks */
    assert_string_equal(f->title, "\xE5\x93\x81\xE7\x89\x8C\xE6\x96\xB0\xE9\x97\xBB");
    assert_non_null(strstr(f->entries[0].title, "\xE9\x95\x95"));
    assert_non_null(strstr(f->entries[0].title, "\xE5\x96\x86"));
    assert_non_null(strstr(f->entries[0].title, "\xE5\xA0\x83"));
    kw_feed_free(f);
}

static void big5_feed_labelled_gbk_is_read_and_bozo(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("atom-big5-labelled-gbk.xml", NULL, NULL);
    assert_string_equal(f->encoding, "big5-hkscs");
    assert_true(f->bozo);
    assert_non_null(strstr(f->bozo_message, "charset"));
    /* 我們的品牌新聞 */
    assert_string_equal(f->title, "\xE6\x88\x91\xE5\x80\x91\xE7\x9A\x84\xE5\x93\x81\xE7\x89\x8C"
                                  "\xE6\x96\xB0\xE8\x81\x9E");
    kw_feed_free(f);
}

static void unlabelled_gb18030_is_detected(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss20-gb18030-unlabelled.xml", NULL, NULL);
    assert_string_equal(f->encoding, "gb18030");
    assert_false(f->bozo);
    assert_non_null(strstr(f->entries[0].title, "\xF0\xA0\x80\x80")); /* U+20000 */
    kw_feed_free(f);
}

static void an_http_label_is_used_and_a_wrong_one_overruled(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("rss20-gbk.xml", NULL, "GBK");
    assert_string_equal(f->encoding, "gb18030");
    assert_false(f->bozo);
    kw_feed_free(f);
    f = parse_fixture("rss20-gbk.xml", NULL, "big5");
    assert_string_equal(f->encoding, "gb18030");
    assert_true(f->bozo);
    kw_feed_free(f);
}

/* A base with characters a URI may not hold as they are (a Chinese path,
 * a blank) resolves relative links with them percent-encoded, not mangled
 * into "http%3A/..." as libxml2 did with such a document URL. */
static void a_base_with_unsafe_characters_resolves_links(void **state)
{
    (void)state;
    static const char doc[] = "<rss version=\"2.0\"><channel><title>t</title><item>"
                              "<link>a/b?x=1</link></item><item><link>/帖子/9.html</link>"
                              "</item></channel></rss>";
    kw_feed_options opt = {.name = "inline", .base = "http://x.example/路径/f.xml"};
    kw_feed *f = NULL;
    assert_int_equal(kw_feed_parse(&f, doc, strlen(doc), &opt), 0);
    assert_string_equal(f->entries[0].link, "http://x.example/%E8%B7%AF%E5%BE%84/a/b?x=1");
    assert_string_equal(f->entries[1].link, "http://x.example/%E5%B8%96%E5%AD%90/9.html");
    kw_feed_free(f);
    opt.base = "http://x.example/a b/";
    assert_int_equal(kw_feed_parse(&f, doc, strlen(doc), &opt), 0);
    assert_string_equal(f->entries[0].link, "http://x.example/a%20b/a/b?x=1");
    kw_feed_free(f);
}

/* Atom 0.3's mode="base64" text constructs are their text (plain or HTML,
 * as their type says); binary ones (an image) have none. */
static void atom03_base64_text_is_decoded_binary_is_not(void **state)
{
    (void)state;
    kw_feed *f = parse_text(
        "<?xml version=\"1.0\"?><feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
        "<title>t</title><entry><title mode=\"base64\" type=\"text/plain\">UsOpc3Vtw6kg"
        "dGl0bGU=</title><summary mode=\"base64\" type=\"text/html\">PHA+SGVsbG8gPGI+d29y"
        "bGQ8L2I+PC9wPg==</summary><content mode=\"base64\" type=\"image/png\">iVBORw0KGgo="
        "</content></entry><entry><title mode=\"base64\">not base64!</title></entry></feed>");
    assert_int_equal(f->version, KW_FEED_ATOM03);
    assert_int_equal(f->n_entries, 2);
    assert_string_equal(f->entries[0].title, "R\xc3\xa9sum\xc3\xa9 title");
    assert_string_equal(f->entries[0].summary, "Hello world");
    assert_null(f->entries[0].content);
    assert_null(f->entries[1].title);
    kw_feed_free(f);
}

/* A declaration that a BOM or the HTTP header overrides was wrong: the feed
 * is read in the charset that won, and is bozo; one that agrees is not. */
static void an_overridden_declaration_makes_the_feed_bozo(void **state)
{
    (void)state;
    static const char bom[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"gbk\"?>"
                              "<rss version=\"2.0\"><channel><title>\xe9\x9c\xb2</title>"
                              "</channel></rss>";
    kw_feed *f = parse_text(bom);
    assert_string_equal(f->encoding, "utf-8");
    assert_true(f->bozo);
    assert_string_equal(f->title, "\xe9\x9c\xb2");
    kw_feed_free(f);
    kw_feed_options opt = {.name = "inline", .charset = "text/xml; charset=utf-8"};
    static const char agree[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\">"
                                "<channel><title>\xe9\x9c\xb2</title></channel></rss>";
    assert_int_equal(kw_feed_parse(&f, agree, strlen(agree), &opt), 0);
    assert_false(f->bozo);
    kw_feed_free(f);
    static const char other[] = "<?xml version=\"1.0\" encoding=\"big5\"?><rss version=\"2.0\">"
                                "<channel><title>\xe9\x9c\xb2</title></channel></rss>";
    assert_int_equal(kw_feed_parse(&f, other, strlen(other), &opt), 0);
    assert_string_equal(f->encoding, "utf-8");
    assert_true(f->bozo);
    kw_feed_free(f);
}

/* RSS 0.91's DTD declares HTML's character entities (&eacute;, &copy;):
 * they are those characters, not dropped; other entities stay unexpanded. */
static void rss091_html_character_entities_are_their_characters(void **state)
{
    (void)state;
    kw_feed *f = parse_text(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS "
        "0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version="
        "\"0.91\"><channel><title>Caf&eacute; &copy; 2002</title><link>http://x/</link>"
        "<description>d</description><item><title>R&eacute;sum&eacute;s &amp; more &lol;"
        "</title></item></channel></rss>");
    assert_string_equal(f->title, "Caf\xc3\xa9 \xc2\xa9 2002");
    assert_string_equal(f->entries[0].title, "R\xc3\xa9sum\xc3\xa9s & more");
    kw_feed_free(f);
}

/* Feeds written as HTML use its references with no DTD to declare them:
 * they are still those characters (the feed bozo, as it is not
 * well-formed), in text and in attributes, but not inside CDATA, where
 * "&eacute;" is those eight characters. */
static void html_references_without_a_dtd_are_their_characters(void **state)
{
    (void)state;
    kw_feed *f = parse_text(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>caf&eacute; "
        "cr&egrave;me &amp;&nbsp;co</title><link>http://x/</link><item><title>&euro;5"
        "</title><link>"
        "http://x/?q=caf&eacute;</link></item></channel></rss>");
    assert_string_equal(f->title, "caf\xc3\xa9 cr\xc3\xa8me &\xc2\xa0" "co");
    assert_string_equal(f->entries[0].title, "\xe2\x82\xac" "5");
    assert_true(f->bozo);
    assert_non_null(strstr(f->bozo_message, "named references"));
    kw_feed_free(f);
    /* inside CDATA the characters are as written (an Atom id is no HTML) */
    f = parse_text("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T&eacute;</title>"
                   "<entry><id><![CDATA[tag:x.example,2026:&eacute;]]></id><title>e</title>"
                   "</entry></feed>");
    assert_string_equal(f->title, "T\xc3\xa9");
    assert_string_equal(f->entries[0].id, "tag:x.example,2026:&eacute;");
    kw_feed_free(f);
    /* a feed with none is as it was: well-formed */
    f = parse_text("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>caf&#233; "
                   "&amp; co</title><link>http://x/</link></channel></rss>");
    assert_string_equal(f->title, "caf\xc3\xa9 & co");
    assert_false(f->bozo);
    kw_feed_free(f);
}

/* A text field longer than its 4 MiB is cut there, between characters,
 * not dropped. */
static void a_field_over_its_limit_is_cut_not_dropped(void **state)
{
    (void)state;
    const char *head = "<rss version=\"2.0\"><channel><title>t</title><item><title>";
    const char *tail = "</title></item></channel></rss>";
    size_t reps = 1500000, n = strlen(head) + 3 * reps + strlen(tail) + 1; /* 4.5 MB */
    char *xml = malloc(n);
    assert_non_null(xml);
    size_t k = (size_t)sprintf(xml, "%s", head);
    for (size_t i = 0; i < reps; i++, k += 3)
        memcpy(xml + k, "\xe9\x9c\xb2", 3); /* 露 */
    strcpy(xml + k, tail);
    kw_feed *f = parse_text(xml);
    assert_non_null(f->entries[0].title);
    size_t len = strlen(f->entries[0].title);
    assert_true(len > 4000000 && len <= 4u << 20);
    assert_int_equal(len % 3, 0); /* whole characters */
    kw_feed_free(f);
    free(xml);
}

/* Links with dot segments are resolved (RFC 3986 5.2), absolute-path ones
 * too, which libxml2 leaves as written. */
static void links_with_dot_segments_are_resolved(void **state)
{
    (void)state;
    kw_feed *f = NULL;
    static const char dots[] = "<rss version=\"2.0\"><channel><title>t</title><link>/a/../b"
                               "</link><item><title>i</title><link>/./g/../h?q=/../x</link>"
                               "</item></channel></rss>";
    kw_feed_options opt = {.name = "dots", .base = "https://base.example/x/"};
    assert_int_equal(kw_feed_parse(&f, dots, sizeof dots - 1, &opt), 0);
    assert_string_equal(f->link, "https://base.example/b");
    assert_string_equal(f->entries[0].link, "https://base.example/h?q=/../x");
    kw_feed_free(f);
}

/* A UTF-8 label (HTTP header or XML declaration) that not one of the
 * bytes agrees with is overruled, and the feed is bozo; a UTF-8 feed with a
 * few bad bytes stays UTF-8, bozo too (bytes of no character make the
 * document not well-formed), its bad bytes U+FFFD. */
static void a_utf8_label_the_bytes_contradict_is_overruled_and_bozo(void **state)
{
    (void)state;
    static const char latin[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\">"
                                "<channel><title>caf\xe9 cr\xe8me</title></channel></rss>";
    kw_feed *f = parse_text(latin);
    assert_string_equal(f->encoding, "windows-1252");
    assert_true(f->bozo);
    assert_string_equal(f->title, "caf\xc3\xa9 cr\xc3\xa8me");
    kw_feed_free(f);
    kw_feed_options opt = {.name = "inline", .charset = "text/xml; charset=utf-8"};
    static const char no_decl[] = "<rss version=\"2.0\"><channel><title>caf\xe9</title>"
                                  "</channel></rss>";
    assert_int_equal(kw_feed_parse(&f, no_decl, strlen(no_decl), &opt), 0);
    assert_string_equal(f->encoding, "windows-1252");
    assert_true(f->bozo);
    kw_feed_free(f);
    static const char mostly[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\">"
                                 "<channel><title>\xe9\x9c\xb2\xe7\xb1\xb3 \xff ok</title>"
                                 "</channel></rss>";
    f = parse_text(mostly);
    assert_string_equal(f->encoding, "utf-8");
    assert_true(f->bozo);
    assert_non_null(strstr(f->bozo_message, "1 bytes could not be read as utf-8"));
    assert_string_equal(f->title, "\xe9\x9c\xb2\xe7\xb1\xb3 \xef\xbf\xbd ok");
    kw_feed_free(f);
}

static void not_well_formed_is_read_and_flagged_bozo(void **state)
{
    (void)state;
    kw_feed *f = parse_fixture("broken.xml", NULL, NULL);
    assert_true(f->bozo);
    assert_non_null(strstr(f->bozo_message, "line"));
    assert_int_equal(f->n_entries, 1);
    assert_string_equal(f->entries[0].title, "Still readable");
    kw_feed_free(f);
    /* Truncated in the middle of an item. */
    f = parse_text("<rss version=\"2.0\"><channel><title>T</title><item><title>A</title>"
                   "</item><item><title>B</ti");
    assert_true(f->bozo);
    assert_string_equal(f->title, "T");
    assert_true(f->n_entries >= 1);
    kw_feed_free(f);
}

static void input_that_is_no_feed_is_an_error_naming_it(void **state)
{
    (void)state;
    const char *cases[] = {"<html><body>hi</body></html>", "", "just text",
                           "{\"items\":[]}", "{\"version\":", "[1,2]",
                           "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kw_feed *f = (kw_feed *)1;
        kw_feed_options opt = {.name = "page.html"};
        assert_int_equal(kw_feed_parse(&f, cases[i], strlen(cases[i]), &opt), KW_EINVAL);
        assert_null(f);
        assert_non_null(strstr(kw_error_last(), "page.html"));
        assert_non_null(strstr(kw_error_last(), "not a feed"));
    }
}

static void billion_laughs_is_not_expanded(void **state)
{
    (void)state;
    const char *lol =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<rss version=\"2.0\"><channel><title>&lol9;&lol9;&lol9;</title>"
        "<item><title>x&lol9;</title></item></channel></rss>\n";
    clock_t start = clock();
    kw_feed *f = NULL;
    int rc = kw_feed_parse(&f, lol, strlen(lol), NULL);
    double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    /* Either refused or read without the expansion; never gigabytes. */
    if (rc == 0) {
        assert_true(f->title == NULL || strlen(f->title) < 1000);
        for (size_t i = 0; i < f->n_entries; i++)
            assert_true(!f->entries[i].title || strlen(f->entries[i].title) < 1000);
        kw_feed_free(f);
    }
    assert_true(secs < 10);
}

static void external_entities_are_never_loaded(void **state)
{
    (void)state;
    char *dir = kwt_tempdir(), path[1024], doc[4096];
    assert_true(strlen(dir) < 900);
    snprintf(path, sizeof path, "%s/secret.txt", dir);
    kwt_write_file(path, "TOP-SECRET-VALUE", (size_t)-1);
    snprintf(doc, sizeof doc,
             "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://%s\">\n"
             "<!ENTITY %% pe SYSTEM \"file://%s\"> %%pe;]>\n"
             "<rss version=\"2.0\"><channel><title>a&xxe;b</title>"
             "<item><description>&xxe;</description></item></channel></rss>",
             path, path);
    kw_feed *f = NULL;
    if (kw_feed_parse(&f, doc, strlen(doc), NULL) == 0) {
        assert_true(!f->title || !strstr(f->title, "TOP-SECRET"));
        assert_true(!f->entries[0].summary || !strstr(f->entries[0].summary, "TOP-SECRET"));
        kw_feed_free(f);
    }
    kwt_rmtree(dir);
    free(dir);
}

static void deep_nesting_and_huge_lines_stay_bounded(void **state)
{
    (void)state;
    size_t depth = 100000;
    size_t n = depth * 7 + 200;
    char *doc = malloc(n);
    assert_non_null(doc);
    size_t k = (size_t)snprintf(doc, n, "<rss version=\"2.0\"><channel><title>deep</title>");
    for (size_t i = 0; i < depth; i++, k += 3)
        memcpy(doc + k, "<a>", 3);
    doc[k] = '\0';
    kw_feed *f = NULL;
    if (kw_feed_parse(&f, doc, k, NULL) == 0) {
        assert_true(f->bozo); /* past libxml2's depth limit */
        kw_feed_free(f);
    }
    free(doc);
    /* A 4 MiB description on one line. */
    size_t big = 4u << 20;
    doc = malloc(big + 200);
    assert_non_null(doc);
    k = (size_t)snprintf(doc, 200, "<rss version=\"2.0\"><channel><item><description>");
    memset(doc + k, 'x', big);
    k += big;
    k += (size_t)snprintf(doc + k, 200, "</description></item></channel></rss>");
    assert_int_equal(kw_feed_parse(&f, doc, k, NULL), 0);
    assert_non_null(f->entries[0].summary);
    kw_feed_free(f);
    /* Deep HTML in a description: the text walk does not recurse. */
    k = (size_t)snprintf(doc, 200, "<rss version=\"2.0\"><channel><item><description>");
    for (size_t i = 0; i < 200000; i++, k += 9)
        memcpy(doc + k, "&lt;b&gt;", 9);
    k += (size_t)snprintf(doc + k, 200, "x</description></item></channel></rss>");
    assert_int_equal(kw_feed_parse(&f, doc, k, NULL), 0);
    kw_feed_free(f);
    free(doc);
}

static void deep_json_is_refused_and_oversized_input_too(void **state)
{
    (void)state;
    char doc[4096];
    size_t k = (size_t)snprintf(doc, sizeof doc, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"x\":");
    for (int i = 0; i < 1000; i++)
        doc[k++] = '[';
    doc[k] = '\0';
    kw_feed *f = NULL;
    assert_int_equal(kw_feed_parse(&f, doc, k, NULL), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "deeper"));
    kw_feed_options opt = {.name = "big.xml", .max_bytes = 10};
    const char *small = "<rss version=\"2.0\"><channel/></rss>";
    assert_int_equal(kw_feed_parse(&f, small, strlen(small), &opt), KW_ETOOBIG);
    assert_non_null(strstr(kw_error_last(), "big.xml"));
}

static void entries_past_the_limit_are_dropped(void **state)
{
    (void)state;
    const char *doc = "<rss version=\"2.0\"><channel><item><title>1</title></item>"
                      "<item><title>2</title></item><item><title>3</title></item></channel></rss>";
    kw_feed *f = NULL;
    kw_feed_options opt = {.max_entries = 2};
    assert_int_equal(kw_feed_parse(&f, doc, strlen(doc), &opt), 0);
    assert_int_equal(f->n_entries, 2);
    kw_feed_free(f);
}

static void html_to_text_drops_scripts_and_decodes_entities(void **state)
{
    (void)state;
    char *t = NULL;
    const char *html = "<div>Caf&eacute; &amp; <i>bar</i><script>var a = '<p>';</script>"
                       "<style>.x{}</style><!-- note --></div><p>next&nbsp;line</p>"
                       "<ul><li>one</li><li>two</li></ul>a<br>b";
    assert_int_equal(kw_html_to_text(&t, html, strlen(html)), 0);
    assert_string_equal(t, "Caf\xC3\xA9 & bar\nnext line\none\ntwo\na\nb");
    free(t);
    assert_int_equal(kw_html_to_text(&t, "", 0), 0);
    assert_string_equal(t, "");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rss20_fields_html_to_text_and_relative_links),
        cmocka_unit_test(base_option_wins_over_the_feed_link),
        cmocka_unit_test(rss10_items_beside_the_channel),
        cmocka_unit_test(rss090_and_rss091_report_rss09x),
        cmocka_unit_test(atom10_text_constructs_xml_base_and_inherited_author),
        cmocka_unit_test(atom03_modified_issued_and_escaped_content),
        cmocka_unit_test(json_feed_items_ids_and_html_content),
        cmocka_unit_test(json_feed_long_numeric_ids_keep_their_digits),
        cmocka_unit_test(inline_markup_loses_its_scripts_and_keeps_its_blocks),
        cmocka_unit_test(atom_ids_are_iris_and_sources_lend_their_authors),
        cmocka_unit_test(nul_bytes_and_text_after_json_are_bozo),
        cmocka_unit_test(json_feed_half_surrogates_and_nul_escapes_are_read),
        cmocka_unit_test(json_feed_1_0_author_object_and_external_url),
        cmocka_unit_test(gbk_feed_declared_gb2312_is_read_as_gb18030),
        cmocka_unit_test(big5_feed_labelled_gbk_is_read_and_bozo),
        cmocka_unit_test(unlabelled_gb18030_is_detected),
        cmocka_unit_test(an_http_label_is_used_and_a_wrong_one_overruled),
        cmocka_unit_test(not_well_formed_is_read_and_flagged_bozo),
        cmocka_unit_test(a_utf8_label_the_bytes_contradict_is_overruled_and_bozo),
        cmocka_unit_test(rss091_html_character_entities_are_their_characters),
        cmocka_unit_test(html_references_without_a_dtd_are_their_characters),
        cmocka_unit_test(links_with_dot_segments_are_resolved),
        cmocka_unit_test(a_field_over_its_limit_is_cut_not_dropped),
        cmocka_unit_test(an_overridden_declaration_makes_the_feed_bozo),
        cmocka_unit_test(atom03_base64_text_is_decoded_binary_is_not),
        cmocka_unit_test(a_base_with_unsafe_characters_resolves_links),
        cmocka_unit_test(input_that_is_no_feed_is_an_error_naming_it),
        cmocka_unit_test(billion_laughs_is_not_expanded),
        cmocka_unit_test(external_entities_are_never_loaded),
        cmocka_unit_test(deep_nesting_and_huge_lines_stay_bounded),
        cmocka_unit_test(deep_json_is_refused_and_oversized_input_too),
        cmocka_unit_test(entries_past_the_limit_are_dropped),
        cmocka_unit_test(html_to_text_drops_scripts_and_decodes_entities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
