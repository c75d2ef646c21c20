/* Items from pages: XPath rules, article mode, JSON Pointer rules. */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/crawl.h"
#include "kolwatch/extract.h"
#include "kolwatch/timeutil.h"
#include "../../crawler/internal.h"

#include <libxml/uri.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char forum[] =
    "<html><head><title>Forum</title><script>var x = '<div class=post>';</script></head>"
    "<body><div class='post'><h2><a href='/t/1'>Lumi 面霜过敏</a></h2>"
    "<span class='by'>阿杰</span><time datetime='2026-10-03T11:40:00+08:00'>昨天</time>"
    "<p>用了之后起了红疹，</p><p>要求退款！</p><style>p{}</style></div>"
    "<div class='post'><h2><a href='https://other.example.com/x'>Second &amp; last</a></h2>"
    "<p>Fine.</p></div>"
    "<a class='next' href='?page=2'>next</a></body></html>";

static const char rules[] =
    "{\"item\":\"//div[@class='post']\",\"title\":\".//h2\",\"link\":\".//h2/a\","
    "\"author\":\".//span[@class='by']\",\"time\":\".//time\",\"text\":\".//p\","
    "\"next\":\"//a[@class='next']\"}";

static void html_rules__items_fields_links_and_next(void **state)
{
    (void)state;
    kw_extracted e;
    int64_t t;
    assert_int_equal(kw_extract_html(&e, forum, sizeof forum - 1, rules,
                                     "https://bbs.example.com/f/7", "forum"), 0);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.items[0].title, "Lumi 面霜过敏");
    assert_string_equal(e.items[0].link, "https://bbs.example.com/t/1");
    assert_string_equal(e.items[0].author, "阿杰");
    assert_int_equal(kw_time_parse(&t, "2026-10-03T03:40:00Z"), 0);
    assert_int_equal(e.items[0].published, t);
    assert_non_null(strstr(e.items[0].text, "要求退款"));
    assert_null(strstr(e.items[0].text, "p{}")); /* styles dropped */
    assert_string_equal(e.items[1].title, "Second & last"); /* entities decoded */
    assert_string_equal(e.items[1].link, "https://other.example.com/x");
    assert_null(e.items[1].author);
    assert_int_equal(e.items[1].published, INT64_MIN);
    assert_string_equal(e.next, "https://bbs.example.com/f/7?page=2");
    kw_extracted_free(&e);
}

static void html_rules__a_bad_xpath_names_the_rule(void **state)
{
    (void)state;
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, forum, sizeof forum - 1, "{\"item\":\"//div[\"}",
                                     NULL, "forum"), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "item"));
    assert_int_equal(kw_extract_html(&e, forum, sizeof forum - 1, "[1,2]", NULL, "forum"),
                     KW_EINVAL);
}

static const char post[] =
    "<html><head><title>Lumi serum, one month in | Dana's blog</title>"
    "<meta property='og:title' content='Lumi serum, one month in'>"
    "<meta name='author' content='Dana K.'>"
    "<meta property='article:published_time' content='2026-10-08T09:00:00Z'>"
    "<link rel='canonical' href='/skin/lumi-serum-review'></head><body>"
    "<nav><p>Home</p><p>About</p></nav>"
    "<article><h1>Lumi serum, one month in</h1>"
    "<p>The texture is lovely and it layers well under makeup.</p>"
    "<p>Not a miracle, but a solid everyday serum.</p></article>"
    "<footer><p>© Dana</p></footer><script>track()</script></body></html>";

static void article_mode__title_author_date_link_and_main_text(void **state)
{
    (void)state;
    kw_extracted e;
    int64_t t;
    assert_int_equal(kw_extract_html(&e, post, sizeof post - 1, NULL,
                                     "https://blog.example.com/skin/lumi?utm_source=x", "post"), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.items[0].title, "Lumi serum, one month in");
    assert_string_equal(e.items[0].author, "Dana K.");
    assert_int_equal(kw_time_parse(&t, "2026-10-08T09:00:00Z"), 0);
    assert_int_equal(e.items[0].published, t);
    assert_string_equal(e.items[0].link, "https://blog.example.com/skin/lumi-serum-review");
    assert_non_null(strstr(e.items[0].text, "solid everyday serum"));
    assert_null(strstr(e.items[0].text, "Home"));  /* navigation left out */
    assert_null(strstr(e.items[0].text, "track")); /* scripts left out */
    kw_extracted_free(&e);
}

/* Rules without item= read the page as one article, as a page without
 * rules is read (not the whole page, navigation and footer included), with
 * each field a rule names taken from the rule where it finds something. */
static void html_rules__without_item_read_one_article_with_the_rules_fields(void **state)
{
    (void)state;
    kw_extracted e;
    static const char page[] =
        "<html><head><title>Lumi serum | Blog</title>"
        "<link rel='canonical' href='/skin/lumi'></head><body>"
        "<nav><p>Home</p><p>Glowa shop</p></nav><article><h1>Lumi serum</h1>"
        "<p>The texture is lovely and it layers well under makeup.</p>"
        "<p>Not a miracle, but a solid everyday serum.</p></article>"
        "<div id='by'>Dana</div><footer><p>Glowa ads</p></footer>"
        "<a class='next' href='/skin/lumi?page=2'>下一页</a></body></html>";
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1,
                                     "{\"next\":\"//a[@class='next']\"}",
                                     "https://blog.example.com/skin/lumi", "post"), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.items[0].title, "Lumi serum");
    assert_string_equal(e.items[0].link, "https://blog.example.com/skin/lumi");
    assert_non_null(strstr(e.items[0].text, "solid everyday serum"));
    assert_null(strstr(e.items[0].text, "Glowa"));  /* navigation and footer left out */
    assert_null(strstr(e.items[0].text, "下一页"));
    assert_string_equal(e.next, "https://blog.example.com/skin/lumi?page=2");
    kw_extracted_free(&e);
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1,
                                     "{\"author\":\"//div[@id='by']\",\"title\":\"//h2\","
                                     "\"text\":\"//article/p[2]\"}",
                                     "https://blog.example.com/skin/lumi", "post"), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.items[0].author, "Dana");
    assert_string_equal(e.items[0].title, "Lumi serum"); /* no h2: the article's */
    assert_string_equal(e.items[0].text, "Not a miracle, but a solid everyday serum.");
    kw_extracted_free(&e);
}

/* An item= rule that finds nothing is an error naming the rule, as a json
 * items= pointer that finds nothing is: a source whose site changed its
 * layout shows it in its health instead of going quiet. */
static void html_rules__an_item_rule_finding_nothing_is_an_error(void **state)
{
    (void)state;
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, forum, sizeof forum - 1,
                                     "{\"item\":\"//div[@class='nope']\"}",
                                     "https://bbs.example.com/f/7", "forum"),
                     KW_ENOTFOUND);
    assert_non_null(strstr(kw_error_last(), "forum: rule item=//div[@class='nope'] finds nothing"));
    assert_non_null(strstr(kw_error_last(), "layout changed"));
    /* a page nested past what libxml2 reads says so, not that its layout changed */
    size_t cap = 600 * 11 + 200, n = 0;
    char *deep = malloc(cap);
    assert_non_null(deep);
    n += (size_t)snprintf(deep + n, cap - n, "<html><body>");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(deep + n, cap - n, "<div>");
    n += (size_t)snprintf(deep + n, cap - n, "<p>Lumi deep</p></body></html>");
    assert_int_equal(kw_extract_html(&e, deep, n, "{\"item\":\"//p\"}", NULL, "deep"), KW_ENOTFOUND);
    assert_non_null(strstr(kw_error_last(), "deeper than 256"));
    assert_int_equal(kw_extract_html(&e, deep, n, NULL, NULL, "deep"), 0); /* as one article */
    assert_string_equal(e.items[0].text, "Lumi deep");
    kw_extracted_free(&e);
    free(deep);
}

/* The link of the first item extracted from html read at page. */
static char *first_link(const char *html, const char *rules, const char *page)
{
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, html, strlen(html), rules, page, "page"), 0);
    assert_true(e.n >= 1);
    char *link = e.items[0].link ? strdup(e.items[0].link) : NULL;
    kw_extracted_free(&e);
    return link;
}

/* A page's <base href> is what its links resolve against, as in a browser:
 * item links, the next= page and an article's canonical link. A base that
 * is itself relative resolves against the page; one that is no web address
 * is ignored, and only the first <base> with an href counts. */
static void base_href__links_resolve_against_it(void **state)
{
    (void)state;
    kw_extracted e;
    static const char page[] =
        "<html><head><base target='_top'><base href='/forum/'><base href='/other/'>"
        "<title>F</title></head><body>"
        "<div class='post'><h2><a href='thread-1.html'>Lumi one</a></h2><p>x</p></div>"
        "<div class='post'><h2><a href='/abs.html'>Lumi two</a></h2><p>y</p></div>"
        "<a class='next' href='page2.html'>next</a></body></html>";
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1, rules,
                                     "https://bbs.example.com/f/index.php?x=1", "forum"), 0);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.items[0].link, "https://bbs.example.com/forum/thread-1.html");
    assert_string_equal(e.items[1].link, "https://bbs.example.com/abs.html");
    assert_string_equal(e.next, "https://bbs.example.com/forum/page2.html");
    kw_extracted_free(&e);
    char *link = first_link("<html><head><base href='https://cdn.example.com/blog/'>"
                            "<link rel='canonical' href='canon.html'></head><body><article>"
                            "<p>Lumi serum is lovely and it layers well under makeup.</p>"
                            "</article></body></html>",
                            NULL, "https://blog.example.com/p/1");
    assert_string_equal(link, "https://cdn.example.com/blog/canon.html");
    free(link);
    /* a link that is only a fragment names a place on the page itself,
     * whatever the base (forums set the site's root there) */
    link = first_link("<html><head><base href='https://bbs.example.com/'></head><body>"
                      "<div class='post'><h2><a href='#pid1'>Lumi one</a></h2><p>x</p></div>"
                      "</body></html>",
                      rules, "https://bbs.example.com/thread-5-1.html");
    assert_string_equal(link, "https://bbs.example.com/thread-5-1.html#pid1");
    free(link);
    link = first_link("<html><head><base href='javascript:void(0)'><link rel='canonical' "
                      "href='c.html'></head><body><p>Lumi.</p></body></html>",
                      NULL, "https://blog.example.com/p/1");
    assert_string_equal(link, "https://blog.example.com/p/c.html");
    free(link);
}

/* Each heuristic takes the first element, in document order, that has what
 * it reads: a <meta> without content or a <time> without datetime is passed
 * over for a later one, and an empty value falls through to the next rule. */
static void article_mode__first_usable_candidate_in_document_order(void **state)
{
    (void)state;
    static const char page[] =
        "<html><head><meta property='og:title'><meta property='og:title' content='  '>"
        "<link rel='canonical'><meta property='og:url' content='https://m.example.com/p/1'>"
        "</head><body><h1> First   <b>heading</b></h1><h1>Second</h1>"
        "<p>By <span itemprop='author'>Li Wei</span></p><a rel='author'>Later</a>"
        "<time>yesterday</time><time datetime='2026-03-04T05:06:07+08:00'>x</time>"
        "<div><p>short</p></div><section><p>A longer paragraph that is the text.</p>"
        "<p>And its second paragraph.</p></section></body></html>";
    kw_extracted e;
    int64_t t;
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1, NULL, "https://e.example.com/x", "p"), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.items[0].title, "First heading");
    assert_string_equal(e.items[0].author, "Li Wei");
    assert_int_equal(kw_time_parse(&t, "2026-03-03T21:06:07Z"), 0);
    assert_int_equal(e.items[0].published, t);
    assert_string_equal(e.items[0].link, "https://m.example.com/p/1");
    assert_string_equal(e.items[0].text,
                        "A longer paragraph that is the text.\nAnd its second paragraph.");
    kw_extracted_free(&e);
}

/* A date written without a zone is read as UTC and said to be local, so
 * that the crawler can apply the source's zone. */
/* A news page that names its author and date in JSON-LD alone (schema.org
 * NewsArticle, in @graph or not, the author a Person or a list). */
static void article_mode__author_and_date_from_json_ld(void **state)
{
    (void)state;
    static const char *const pages[] = {
        "<html><head><title>Lumi recall</title><script type=\"application/ld+json\">"
        "{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":\"Lumi "
        "recall\",\"datePublished\":\"2026-11-21T09:15:00+08:00\",\"author\":{\"@type\":"
        "\"Person\",\"name\":\"Jane Reporter\"}}</script></head><body><p>Lumi said on Friday "
        "it would recall a batch.</p></body></html>",
        "<html><head><script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"WebPage\"},"
        "{\"@type\":[\"BlogPosting\"],\"datePublished\":\"2026-11-21T01:15:00Z\",\"author\":"
        "[{\"name\":\"Jane Reporter\"},{\"name\":\"Other\"}]}]}</script></head><body><p>Lumi "
        "said on Friday it would recall a batch.</p></body></html>",
        /* the author named by @id elsewhere in the graph, as SEO plugins write */
        "<html><head><script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"Article\","
        "\"author\":{\"@id\":\"https://n.example.com/#p\"},\"datePublished\":"
        "\"2026-11-21T01:15:00Z\"},{\"@type\":\"Person\",\"@id\":\"https://n.example.com/#p\","
        "\"name\":\"Jane Reporter\"}]}</script></head><body><p>Lumi said on Friday it would "
        "recall a batch.</p></body></html>",
        /* half an emoji in the headline leaves the rest readable */
        "<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
        "\"headline\":\"Recall \\ud83d\",\"author\":\"Jane Reporter\",\"datePublished\":"
        "\"2026-11-21T01:15:00Z\"}</script></head><body><p>Lumi said on Friday it would recall "
        "a batch.</p></body></html>",
    };
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-11-21T01:15:00Z"), 0);
    for (int i = 0; i < 4; i++) {
        kw_extracted e;
        assert_int_equal(kw_extract_html(&e, pages[i], strlen(pages[i]), NULL,
                                         "https://news.example.com/a", "page"),
                         0);
        assert_string_equal(e.items[0].author, "Jane Reporter");
        assert_int_equal(e.items[0].published, want);
        assert_non_null(strstr(e.items[0].text, "recall a batch"));
        assert_null(strstr(e.items[0].text, "schema.org")); /* the script is no text */
        kw_extracted_free(&e);
    }
    /* JSON-LD that is broken, or of no article, says nothing */
    static const char broken[] =
        "<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",</script>"
        "<script type=\"application/ld+json\">{\"@type\":\"Organization\",\"author\":\"X\"}"
        "</script></head><body><p>Lumi text here.</p></body></html>";
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, broken, sizeof broken - 1, NULL, NULL, "page"), 0);
    assert_null(e.items[0].author);
    assert_true(e.items[0].published == INT64_MIN);
    kw_extracted_free(&e);
}

/* The article of a page without rules, from the text a user would call
 * the article: extract one and check what is in and what is out. */
static char *article_text(const char *page, kw_extracted *e)
{
    assert_int_equal(kw_extract_html(e, page, strlen(page), NULL, "https://n.example.com/a",
                                     "page"),
                     0);
    assert_int_equal(e->n, 1);
    assert_non_null(e->items[0].text);
    return e->items[0].text;
}

/* A news page: navigation, a byline, the article, keywords, share
 * buttons, readers' comments, a sidebar of other stories, a footer. */
static void article_mode__the_text_is_the_article_not_the_comments_or_the_sidebar(void **state)
{
    (void)state;
    static const char page[] =
        "<html><head><title>露米发布新款扫地机器人_科技_新闻网</title></head><body>"
        "<div class='top-nav'><ul><li><a href='/'>首页</a></li><li><a href='/tech'>科技</a>"
        "</li></ul></div><div class='main'><div class='left'>"
        "<h1 class='main-title'>露米发布新款扫地机器人</h1>"
        "<div class='date-source'><span class='date'>2026年12月06日 14:30</span> "
        "<a href='/'>新闻网</a></div><div class='article' id='artibody'>"
        "<p>家电品牌露米今天在北京发布了新款扫地机器人，续航时间比上一代提升了四成。</p>"
        "<p>据介绍，新款产品采用了全新的激光导航系统，能够更准确地识别家具和障碍物。</p>"
        "<div class='img_wrapper'><img src='/p.jpg'><span>露米 S9 外观</span></div>"
        "<p>业内人士认为，扫地机器人市场竞争激烈，售后服务将是新品成败的关键。</p>"
        "<p class='article-editor'>责任编辑：赵六</p></div>"
        "<div class='keywords'>文章关键词：<a href='/t/1'>露米</a></div>"
        "<div class='share'><a>分享到微博</a></div><div class='comment-area'><h3>网友评论</h3>"
        "<div class='cmnt-item'><p>上一代用了半年就坏了，售后也很差，客服态度极其恶劣，不会再买了，"
        "大家慎重购买。打了十几次电话都没解决问题，真的很失望。</p></div></div></div>"
        "<div class='right'><div class='side-box'><h2>热门推荐</h2><ul><li><a href='/a1'>"
        "格洛娃回应质量问题：将全面召回</a></li></ul></div></div></div>"
        "<div class='footer'><p>Copyright 1996-2026 Example Corporation, All Rights Reserved, "
        "新闻网 版权所有</p></div></body></html>";
    kw_extracted e;
    const char *t = article_text(page, &e);
    assert_string_equal(e.items[0].title, "露米发布新款扫地机器人"); /* the <h1> */
    assert_non_null(strstr(t, "家电品牌露米今天"));
    assert_non_null(strstr(t, "售后服务将是新品成败的关键")); /* the last paragraph too */
    assert_non_null(strstr(t, "露米 S9 外观"));              /* a caption is the article's */
    assert_null(strstr(t, "客服态度"));                       /* a reader's comment is not */
    assert_null(strstr(t, "格洛娃"));                         /* nor the sidebar */
    assert_null(strstr(t, "首页"));
    assert_null(strstr(t, "Copyright"));
    assert_null(strstr(t, "分享"));
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-12-06T14:30:00Z"), 0);
    assert_int_equal(e.items[0].published, want); /* the byline's, in the source's zone */
    assert_int_equal(e.items[0].published_local, 1);
    kw_extracted_free(&e);
}

/* Text written in a <div> with <br>s between its paragraphs, before
 * comments written in <p>s; a short article before longer comments. */
static void article_mode__text_in_a_div_or_short_is_still_the_article(void **state)
{
    (void)state;
    static const char *const pages[] = {
        "<html><body><h1>露米发布新品</h1><div class='article'>露米今天发布了新款扫地机器人，"
        "续航提升四成，大家都说很好。<br><br>新品售价2999元，12月12日开售。</div>"
        "<div class='comments'><div class='c'><p>上一代用了半年就坏了，售后也很差，不会再买了。"
        "</p></div></div></body></html>",
        "<html><body><div class='post'><p>露米今天发布了新款扫地机器人，大家都说很好。</p>"
        "</div><div id='comments'><p>上一代用了半年就坏了，售后也很差，不会再买了，客服电话"
        "永远打不通。</p><p>第二代也一样，用了三个月电池就不行了，退货还要自己出运费，太差了。"
        "</p></div></body></html>",
    };
    for (int i = 0; i < 2; i++) {
        kw_extracted e;
        const char *t = article_text(pages[i], &e);
        assert_non_null(strstr(t, "大家都说很好"));
        assert_null(strstr(t, "坏了"));
        if (i == 0)
            assert_non_null(strstr(t, "12月12日开售")); /* after the <br>s */
        kw_extracted_free(&e);
    }
}

/* A post whose paragraphs sit in sibling sections (as WeChat writes
 * them), and an article of more than paragraphs: the whole of each. */
static void article_mode__the_whole_article_however_it_is_laid_out(void **state)
{
    (void)state;
    static const char sections[] =
        "<html><body><div class='rich_media_wrp'><h1 class='rich_media_title'>用了三个月露米"
        "扫地机</h1><div class='rich_media_meta_list'><a href='javascript:void(0)'>小鹿家居"
        "</a></div><div class='rich_media_content' id='js_content'>"
        "<section><p><span>大家好，我是小鹿。三个月前入手了露米的扫地机器人，说说感受。</span>"
        "</p></section><section><p><span>先说优点：吸力很强，地毯上的头发都能吸干净，噪音也比之前"
        "用的那台小很多，APP 也很好用，可以划分区域清扫，定时清扫也很方便。</span></p></section>"
        "<section><p><span>再说缺点：边角清理不干净，经常卡住，很失望。</span></p></section>"
        "</div><div class='rich_media_tool'><a>阅读原文</a> 阅读 10万+</div></div></body></html>";
    kw_extracted e;
    const char *t = article_text(sections, &e);
    assert_non_null(strstr(t, "大家好"));
    assert_non_null(strstr(t, "吸力很强"));
    assert_non_null(strstr(t, "很失望")); /* the last section, the negative one */
    assert_null(strstr(t, "阅读原文"));
    assert_null(strstr(t, "用了三个月露米扫地机")); /* the title is a field of its own */
    assert_string_equal(e.items[0].title, "用了三个月露米扫地机");
    kw_extracted_free(&e);
    /* a page that shows only its heading still has it for its text */
    static const char heading[] = "<html><body><h1>Lumi serum, a photo review</h1>"
                                  "<img src='/1.jpg'></body></html>";
    assert_int_equal(kw_extract_html(&e, heading, sizeof heading - 1, NULL,
                                     "https://n.example.com/a", "page"), 0);
    assert_string_equal(e.items[0].text, "Lumi serum, a photo review");
    kw_extracted_free(&e);
    static const char mixed[] =
        "<html><body><div class='content'>Lumi launched its new serum today, and early "
        "reviews are warm.<br>Second line of the same paragraph, still about the serum.<p>"
        "A paragraph that says the texture is light and it layers well.</p><h4>Prices</h4>"
        "<table><tr><td>Model</td><td>S9</td></tr></table><pre>code sample</pre><div>A last "
        "word in a div: the pump broke after a week.</div></div></body></html>";
    t = article_text(mixed, &e);
    static const char *const parts[] = {"early reviews are warm", "Second line", "texture",
                                        "Prices", "S9", "code sample", "the pump broke"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        assert_non_null(strstr(t, parts[i]));
    kw_extracted_free(&e);
}

/* Titles, authors and links as pages really write them: a site's logo in
 * an <h1>, attribute values in any case, rel as a list of words. */
static void article_mode__logo_headings_and_attribute_case(void **state)
{
    (void)state;
    static const char page[] =
        "<html><head><title>露米新品评测：续航惊人 - 值得买</title>"
        "<META NAME='Author' CONTENT='王五'><link rel='Canonical shortlink' href='/p/9'></head>"
        "<body><h1 class='logo'><a href='/'>值得买</a></h1><div class='content'><p>露米这次的"
        "新品续航确实惊人，一次充电可以用三天，不过价格偏贵，需要等活动。</p></div></body></html>";
    kw_extracted e;
    article_text(page, &e);
    assert_string_equal(e.items[0].title, "露米新品评测：续航惊人 - 值得买");
    assert_string_equal(e.items[0].author, "王五");
    assert_string_equal(e.items[0].link, "https://n.example.com/p/9");
    kw_extracted_free(&e);
}

/* The date a page gives for its article, where it gives it: JSON-LD before
 * a <time> in a sidebar, microdata written as text, a labelled date. */
static void article_mode__the_articles_date_not_the_sidebars(void **state)
{
    (void)state;
    static const char *const pages[] = {
        "<html><head><script type='application/ld+json'>{\"@type\":\"NewsArticle\","
        "\"datePublished\":\"2026-12-06T14:30:00+08:00\"}</script></head><body><aside><ul><li>"
        "<a href='/old'>旧闻</a> <time datetime='2019-01-01T00:00:00Z'>2019</time></li></ul>"
        "</aside><div class='content'><p>露米今天发布了新款产品，现场反响热烈，大家都觉得很不错。"
        "</p></div></body></html>",
        "<html><body><div class='list'><time datetime='2019-01-01T00:00:00Z'>2019</time></div>"
        "<div class='post'><time datetime='2026-12-06T06:30:00Z'>today</time><p>露米今天发布了"
        "新款产品，现场反响热烈，大家都觉得很不错。</p></div></body></html>",
        "<html><body><span itemprop='datePublished'>2026-12-06 06:30</span><div class='content'>"
        "<p>露米今天发布了新款产品，现场反响热烈，大家都觉得很不错。</p></div></body></html>",
        "<html><body><div class='info'>发布时间：2026-12-06 06:30　来源：人民网</div><div "
        "class='content'><p>露米今天发布了新款产品，现场反响热烈，大家都觉得很不错。</p></div>"
        "</body></html>",
    };
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-12-06T06:30:00Z"), 0);
    for (int i = 0; i < 4; i++) {
        kw_extracted e;
        article_text(pages[i], &e);
        assert_int_equal(e.items[0].published, want);
        kw_extracted_free(&e);
    }
    /* a time the page shows against the reading ("3小时前"): read by the
     * crawler, which knows when it fetched the page */
    static const char ago[] =
        "<html><body><span class='time'>发表于 3小时前</span><div class='content'><p>露米今天"
        "发布了新款产品，现场反响热烈，大家都觉得很不错。</p></div></body></html>";
    kw_extracted e;
    article_text(ago, &e);
    assert_true(e.items[0].published == INT64_MIN);
    kw_source src = {.utc_offset = 8 * 3600};
    assert_int_equal(kw_crawl_item_time(&src, &e.items[0], want), want - 3 * 3600);
    kw_extracted_free(&e);
}

/* An author the page shows only in its byline, by class: a label before
 * the name is dropped; a long "about the author" is no name. */
static void article_mode__the_author_a_byline_shows(void **state)
{
    (void)state;
    static const struct {
        const char *page, *author;
    } cases[] = {
        {"<html><body><div class='meta'><span class='post-author'>By <a href='/u/1'>Jane Doe"
         "</a></span></div><div class='entry'><p>Lumi's new serum layers well and the texture "
         "is light, a solid everyday pick.</p></div></body></html>",
         "Jane Doe"},
        {"<html><body><h1>露米发布新品</h1><div class='info'><span class='author'>记者 李明</span>"
         "</div><div class='article'><p>家电品牌露米今天在北京发布了新款扫地机器人，续航提升四成。</p>"
         "</div></body></html>",
         "李明"},
        {"<html><body><div class='content'><p>露米今天发布了新款扫地机器人，续航提升四成，大家都说"
         "很好。</p></div><div class='author-bio'>李明是一位有二十年经验的科技记者，长期关注家电行业，"
         "曾获多项新闻奖项，著有多本关于智能家居的书籍。</div></body></html>",
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kw_extracted e;
        article_text(cases[i].page, &e);
        if (cases[i].author)
            assert_string_equal(e.items[0].author, cases[i].author);
        else
            assert_null(e.items[0].author);
        kw_extracted_free(&e);
    }
}

/* A byline with no class that says so, known by its label: "作者：",
 * "文/", "By " and a name (two to four capitalised words in English,
 * a short run without punctuation in Chinese), the date beside it still
 * read; a sentence that starts so is no byline. */
static void article_mode__an_unclassed_byline_by_its_label(void **state)
{
    (void)state;
    static const char body[] = "<div class='article'><p>家电品牌露米今天在北京发布了新款扫地机器人，"
                               "续航提升四成，用户反响热烈。</p></div>";
    static const struct {
        const char *byline, *author;
    } cases[] = {
        {"<p>作者：张三</p>", "张三"},
        {"<p class='meta'>文/王五 发布时间：2024-05-01 10:00</p>", "王五"},
        {"<div><span>By Jane Doe</span> · <span>May 1, 2024</span></div>", "Jane Doe"},
        {"<p>By <a href='/u/7'>Ana María López</a>, staff writer</p>", "Ana María López"},
        {"<p>作者：<a href='/u/9'>买买提·艾力</a>　来源：新华网</p>", "买买提·艾力"},
        {"<div><span>By Jane Doe\u00a0\u00b7 May 1</span></div>", "Jane Doe"},
        {"<p>By Jane Doe May 1, 2024</p>", "Jane Doe"},
        {"<p>作者：这款产品真的很好用，我已经推荐给了身边的朋友</p>", NULL},
        {"<p>By the end of the month it was gone.</p>", NULL},
        {"<p>By Lumi's standards, this serum is a quiet launch.</p>", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char page[1024];
        snprintf(page, sizeof page, "<html><body><h1>露米发布新品</h1>%s%s</body></html>",
                 cases[i].byline, body);
        kw_extracted e;
        article_text(page, &e);
        if (cases[i].author)
            assert_string_equal(e.items[0].author, cases[i].author);
        else
            assert_null(e.items[0].author);
        if (i == 1) { /* the date beside the name, in the source's zone */
            int64_t want;
            assert_int_equal(kw_time_parse(&want, "2024-05-01T10:00:00Z"), 0);
            assert_int_equal(e.items[0].published, want);
            assert_int_equal(e.items[0].published_local, 1);
        } else if (!strpbrk(cases[i].byline, "0123456789")) {
            assert_int_equal(e.items[0].published, INT64_MIN); /* "By Jane Doe" is no date */
            assert_null(e.items[0].time_text);
        }
        kw_extracted_free(&e);
    }
}

/* Pages made to be slow read in time linear in their size: thousands of
 * <h1>s a logo's under one huge class (each looked at its ancestors'
 * classes: quadratic), 64 nested dated elements over many empty ones
 * (each read its whole subtree for a date), classes of one letter over
 * and over. A page that is all logos has <title> for a title; a dated
 * element's date is read from the start of its text. */
static void article_mode__pathological_pages_cost_linear_time(void **state)
{
    (void)state;
    size_t cls = 512 * 1024, h1s = 30000, cap = cls + h1s * 10 + 4096, k = 0;
    char *page = malloc(cap);
    assert_non_null(page);
    k += (size_t)snprintf(page, cap, "<title>T</title><body><div class='logo'><div class='");
    memset(page + k, 'x', cls);
    k += cls;
    k += (size_t)snprintf(page + k, cap - k, "'>");
    for (size_t i = 0; i < h1s; i++)
        k += (size_t)snprintf(page + k, cap - k, "<h1></h1>");
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, page, k, NULL, "https://n.example.com/a", "p"), 0);
    assert_string_equal(e.items[0].title, "T");
    kw_extracted_free(&e);
    free(page);

    size_t empty = 200000;
    cap = empty * 7 + 64 * 20 + 4096, k = 0;
    page = malloc(cap);
    assert_non_null(page);
    k += (size_t)snprintf(page, cap, "<body>");
    for (int i = 0; i < 64; i++)
        k += (size_t)snprintf(page + k, cap - k, "<div class='date'>");
    k += (size_t)snprintf(page + k, cap - k, "<p>Lumi launched its new serum today, and early "
                                             "reviews are warm.</p>");
    for (size_t i = 0; i < empty; i++)
        k += (size_t)snprintf(page + k, cap - k, "<b></b>");
    assert_int_equal(kw_extract_html(&e, page, k, NULL, "https://n.example.com/a", "p"), 0);
    assert_int_equal(e.items[0].published, INT64_MIN);
    kw_extracted_free(&e);
    free(page);

    size_t tags = 40000;
    cap = tags * 220 + 4096, k = 0;
    page = malloc(cap);
    assert_non_null(page);
    k += (size_t)snprintf(page, cap, "<body><p>Lumi launched its new serum today.</p>");
    for (size_t i = 0; i < tags; i++) {
        k += (size_t)snprintf(page + k, cap - k, "<i class='");
        for (int t = 0; t < 3; t++) {
            memset(page + k, "sic"[t], 63);
            k += 63;
            page[k++] = ' ';
        }
        k += (size_t)snprintf(page + k, cap - k, "'></i>");
    }
    assert_int_equal(kw_extract_html(&e, page, k, NULL, "https://n.example.com/a", "p"), 0);
    kw_extracted_free(&e);
    free(page);

    /* seven logos, then the title */
    static const char logos[] =
        "<title>T</title><body><div class='logo'><h1>a</h1><h1>b</h1><h1>c</h1><h1>d</h1>"
        "<h1>e</h1><h1>f</h1><h1>g</h1></div><h1>Lumi's serum</h1><p>Lumi launched its new "
        "serum today, and early reviews are warm.</p>";
    assert_int_equal(kw_extract_html(&e, logos, sizeof logos - 1, NULL, "https://n.example.com/a",
                                     "p"), 0);
    assert_string_equal(e.items[0].title, "Lumi's serum");
    kw_extracted_free(&e);
    static const char dated[] =
        "<body><div class='post'><div class='date'>发布时间：2026-12-06 06:30 <span>来源：人民网"
        "</span></div><p>露米今天发布了新款产品，现场反响热烈，大家都觉得很不错。</p></div>";
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-12-06T06:30:00Z"), 0);
    assert_int_equal(kw_extract_html(&e, dated, sizeof dated - 1, NULL, "https://n.example.com/a",
                                     "p"), 0);
    assert_int_equal(e.items[0].published, want);
    kw_extracted_free(&e);
}

static void dates_without_a_zone_are_flagged_local(void **state)
{
    (void)state;
    kw_extracted e;
    static const char page[] = "<time datetime='2026-11-20 10:30'>x</time><p>Lumi</p>";
    static const char zoned[] = "<time datetime='2026-11-20T10:30:00+08:00'>x</time><p>Lumi</p>";
    int64_t t;
    assert_int_equal(kw_time_parse(&t, "2026-11-20T10:30:00Z"), 0);
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1, NULL, NULL, "p"), 0);
    assert_int_equal(e.items[0].published, t);
    assert_int_equal(e.items[0].published_local, 1);
    kw_extracted_free(&e);
    assert_int_equal(kw_extract_html(&e, zoned, sizeof zoned - 1, NULL, NULL, "p"), 0);
    assert_int_equal(e.items[0].published, t - 8 * 3600);
    assert_int_equal(e.items[0].published_local, 0);
    kw_extracted_free(&e);
    static const char json[] = "[{\"t\":\"2026-11-20 10:30\",\"x\":\"a\"},"
                               "{\"t\":1795516200,\"x\":\"b\"}]";
    assert_int_equal(kw_extract_json(&e, json, sizeof json - 1, "{\"time\":\"/t\",\"text\":\"/x\"}",
                                     NULL, "j"), 0);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.items[0].published_local, 1);
    assert_int_equal(e.items[1].published_local, 0); /* a Unix time is UTC */
    assert_int_equal(e.items[1].published, 1795516200);
    kw_extracted_free(&e);
}

/* Forums write the date inside words ("发表于 2026-11-20 10:30"), with
 * dots, or in Chinese: read, as a zoneless local time; words with no date
 * stay no date. */
static void dates_inside_words_are_found(void **state)
{
    (void)state;
    static const char page[] =
        "<div class=p><p>Lumi a</p><em>\xe5\x8f\x91\xe8\xa1\xa8\xe4\xba\x8e 2026-11-20 10:30</em></div>"
        "<div class=p><p>Lumi b</p><em>\xe4\xbd\x9c\xe8\x80\x85\xef\xbc\x9a\xe5\xb0\x8f\xe9\xb9\xbf "
        "\xe5\x8f\x91\xe5\xb8\x83\xe4\xba\x8e 2026\xe5\xb9\xb4" "11\xe6\x9c\x88" "20\xe6\x97\xa5 10:30</em></div>"
        "<div class=p><p>Lumi c</p><em>2026.11.20 10:30:15</em></div>"
        "<div class=p><p>Lumi d</p><em>posted 2026/11/20</em></div>"
        "<div class=p><p>Lumi e</p><em>post #12026 of 3000-11</em></div>"
        "<div class=p><p>Lumi f</p><em>2026-13-40 10:30</em></div>"
        "<div class=p><p>Lumi g</p><em>ref 2026-13-40, posted 2026-11-20 10:30</em></div>";
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1,
                                     "{\"item\":\"//div\",\"text\":\".//p\",\"time\":\".//em\"}",
                                     "https://bbs.example.cn/t", "forum"), 0);
    assert_int_equal(e.n, 7);
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-11-20T10:30:00Z"), 0);
    assert_int_equal(e.items[0].published, want);
    assert_int_equal(e.items[0].published_local, 1);
    assert_int_equal(e.items[1].published, want);
    assert_int_equal(e.items[2].published, want + 15);
    assert_int_equal(kw_time_parse(&want, "2026-11-20T00:00:00Z"), 0);
    assert_int_equal(e.items[3].published, want);
    assert_true(e.items[4].published == INT64_MIN);
    assert_true(e.items[5].published == INT64_MIN); /* no such month: no date */
    assert_int_equal(kw_time_parse(&want, "2026-11-20T10:30:00Z"), 0);
    assert_int_equal(e.items[6].published, want); /* the first that is a date */
    kw_extracted_free(&e);
}

/* What a time= rule reads from the text of an element: 0 when it gives
 * want (RFC 3339, UTC; NULL for no date) and, for a date, says whether it
 * was written without a zone as `local` does; else 1, the difference shown. */
static int time_rule_misreads(const char *text, const char *want, int local)
{
    char page[512];
    snprintf(page, sizeof page, "<div><p>Lumi</p><em>%s</em></div>", text);
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, page, strlen(page),
                                     "{\"item\":\"//div\",\"text\":\".//p\",\"time\":\".//em\"}",
                                     "https://bbs.example.cn/t", "forum"), 0);
    assert_int_equal(e.n, 1);
    int64_t got = e.items[0].published, t = INT64_MIN;
    int got_local = e.items[0].published_local;
    kw_extracted_free(&e);
    if (want)
        assert_int_equal(kw_time_parse(&t, want), 0);
    if (got == t && (got == INT64_MIN || got_local == local))
        return 0;
    char g[KW_TIME_TEXT] = "null";
    if (got != INT64_MIN)
        kw_time_format(g, sizeof g, got);
    print_message("'%s' gave %s%s, want %s%s\n", text, g,
                  got != INT64_MIN && got_local ? " (local)" : "", want ? want : "null",
                  want && local ? " (local)" : "");
    return 1;
}

/* A date inside other words is read with the time and the zone written
 * after it, as a whole date would be: the zone is not dropped for the
 * source's, nor the time for midnight. A zoneless one stays local (the
 * crawler applies the source's zone); "2:30 PM" and "下午2:30" are 14:30. */
static void time_rule__a_date_in_words_keeps_its_time_and_zone(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
        int local;
    } cases[] = {
        {"2026-12-06 14:30:00 +0800 CST", "2026-12-06T06:30:00Z", 0}, /* Go's layout */
        /* CST alone is China's or America's: the source's zone applies */
        {"2026-12-06 14:30:00 CST", "2026-12-06T14:30:00Z", 1},
        {"发布于 2026-12-06 14:30 (CST)", "2026-12-06T14:30:00Z", 1},
        {"更新于 2026-12-06 14:30:00 +0800", "2026-12-06T06:30:00Z", 0},
        {"2026-12-06 14:30 UTC+8", "2026-12-06T06:30:00Z", 0},
        {"2026-12-06T14:30:00 GMT+8", "2026-12-06T06:30:00Z", 0},
        {"2026-12-06T14:30:00+08:00 (北京时间)", "2026-12-06T06:30:00Z", 0},
        {"2026-12-06 2:30 PM", "2026-12-06T14:30:00Z", 1},
        {"2026年12月6日 下午2:30", "2026-12-06T14:30:00Z", 1},
        {"2026年12月06日 14时30分", "2026-12-06T14:30:00Z", 1},
        {"2026年12月06日 14点30分", "2026-12-06T14:30:00Z", 1},
        {"2026年12月06日 14点30", "2026-12-06T14:30:00Z", 1},
        {"发布时间：2026-12-06 14:30", "2026-12-06T14:30:00Z", 1},
        /* each zone form, after words */
        {"发布于 2026-12-06 06:30Z", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06T06:30:00z", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 +0800", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30+08:00", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 +8", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 06:30 UTC", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 06:30 GMT", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 GMT+08:00", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 01:30 UTC-5", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 (北京时间)", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 北京时间", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30 (UTC+8)", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 01:30 EST", "2026-12-06T06:30:00Z", 0}, /* as RFC 822 has it */
        {"发布于 2026-12-06 14:30:00.250+08:00", "2026-12-06T06:30:00Z", 0},
        {"发布于 2026-12-06 14:30:00,5 +0800", "2026-12-06T06:30:00Z", 0},
        /* one-digit months, days and hours */
        {"发表于 2026-1-5 9:05", "2026-01-05T09:05:00Z", 1},
        {"2026/1/5 9:05:07", "2026-01-05T09:05:07Z", 1},
        {"2026.1.5", "2026-01-05T00:00:00Z", 1},
        /* the 12-hour clock */
        {"posted 2026-12-06 12:15 AM", "2026-12-06T00:15:00Z", 1},
        {"posted 2026-12-06 12:15 pm", "2026-12-06T12:15:00Z", 1},
        {"posted 2026-12-06 2:30PM GMT+8", "2026-12-06T06:30:00Z", 0},
        {"posted 2026-12-06 9:05 a.m.", "2026-12-06T09:05:00Z", 1},
        {"2026年12月6日 上午9:05", "2026-12-06T09:05:00Z", 1},
        {"2026年12月6日早上7点", "2026-12-06T07:00:00Z", 1},
        {"2026年12月6日 凌晨12:30", "2026-12-06T00:30:00Z", 1},
        {"2026年12月6日 凌晨1:00", "2026-12-06T01:00:00Z", 1},
        {"2026年12月6日 晚上8点", "2026-12-06T20:00:00Z", 1},
        {"2026年12月6日 中午12:00", "2026-12-06T12:00:00Z", 1},
        {"2026年12月6日 中午1点", "2026-12-06T13:00:00Z", 1},
        {"2026年12月6日 下午 14:30", "2026-12-06T14:30:00Z", 1}, /* says it twice */
        {"2026-12-06 下午2:30", "2026-12-06T14:30:00Z", 1},
        {"2026年12月6日 14时30分15秒", "2026-12-06T14:30:15Z", 1},
        {"2026年12月6日 下午2点半", "2026-12-06T14:30:00Z", 1},
        {"2026年12月6日14时", "2026-12-06T14:00:00Z", 1},
        {"发布于 2026-12-06 14:30 GMT+5:30", "2026-12-06T09:00:00Z", 0},
        {"发布于 2026-12-06 14:30 ( UTC+8 )", "2026-12-06T06:30:00Z", 0},
        {"发表于 2026-12-06 14：30", "2026-12-06T14:30:00Z", 1}, /* a full-width colon */
        /* words after the date or its time are no part of it */
        {"2026-12-06 14:30 回复 3", "2026-12-06T14:30:00Z", 1},
        {"2026-12-06 14:30 (edited)", "2026-12-06T14:30:00Z", 1},
        {"2026-12-06 by admin", "2026-12-06T00:00:00Z", 1},
        {"posted 2026/12/06, 12 replies", "2026-12-06T00:00:00Z", 1},
        {"2026-12-06 14:30 - 阅读 120", "2026-12-06T14:30:00Z", 1},
        /* a time or a zone that is there but cannot be read: no date */
        {"2026-12-06 25:61", NULL, 0},
        {"2026-12-06 14:61", NULL, 0},
        {"2026-12-06 14:30:61", NULL, 0},
        {"2026-12-06 14:3", NULL, 0},
        {"2026-12-06 14:305", NULL, 0},
        {"2026-12-06 14:30 +25:00", NULL, 0},
        {"2026-12-06 14:30 UTC+99", NULL, 0},
        {"2026-12-06 14:30 GMT+", NULL, 0},
        {"2026-12-06 14:30 +08001", NULL, 0},
        {"2026-12-06 13:30 AM", NULL, 0},
        {"2026-12-06 0:30 PM", NULL, 0},
        {"2026年12月6日 上午14:30", NULL, 0},
        {"2026年12月6日 下午", NULL, 0},
        {"2026年12月6日 晚上12点", NULL, 0}, /* midnight, but of which day */
        {"2026年12月6日 25时", NULL, 0},
        {"2026-12-06T14:30:60Z", NULL, 0}, /* second 60 is for 23:59:60 UTC only */
        {"2026-12-06 14:30 +08:0", NULL, 0},
        {"2026-12-06 14:30 +5:3", NULL, 0},
        {"2026-12-06 14:30 (UTC+8", NULL, 0},
        /* the first date whose time cannot be read is no date; a later one
         * (its edit) is not taken for it */
        {"2026-12-06 25:61 (edited 2026-12-07 10:00)", NULL, 0},
        {"更新于 2026-12-06 14:30:60", NULL, 0},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += time_rule_misreads(cases[i].text, cases[i].want, cases[i].local);
    assert_int_equal(bad, 0);
}

/* Article mode reads its <meta> and <time> dates as a time= rule does. */
static void article_mode__a_meta_date_keeps_its_zone(void **state)
{
    (void)state;
    static const char *const pages[] = {
        "<meta property='article:published_time' content='2026-12-06T14:30:00 GMT+8'>"
        "<p>Lumi</p>",
        "<time datetime='2026-12-06 14:30:00 +0800 CST'>x</time><p>Lumi</p>",
        "<meta name='pubdate' content='更新于 2026-12-06T14:30:00+08:00 (北京时间)'><p>Lumi</p>",
    };
    int64_t want;
    assert_int_equal(kw_time_parse(&want, "2026-12-06T06:30:00Z"), 0);
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        kw_extracted e;
        assert_int_equal(kw_extract_html(&e, pages[i], strlen(pages[i]), NULL, NULL, "p"), 0);
        assert_int_equal(e.n, 1);
        if (e.items[0].published != want || e.items[0].published_local) {
            char g[KW_TIME_TEXT] = "null";
            if (e.items[0].published != INT64_MIN)
                kw_time_format(g, sizeof g, e.items[0].published);
            kw_extracted_free(&e);
            fail_msg("%s gave %s", pages[i], g);
        }
        kw_extracted_free(&e);
    }
}

/* Forums write "5分钟前": the item keeps the text, and the crawler reads it
 * against the fetch time and the source's zone. */
static void relative_times_are_kept_for_the_crawler_to_read(void **state)
{
    (void)state;
    static const char page[] =
        "<div class=p><p>Lumi 不错</p><span class=t>5分钟前</span></div>"
        "<div class=p><p>Lumi 一般</p><span class=t>昨天 23:05</span></div>"
        "<div class=p><p>Lumi 还行</p><span class=t>2026-11-20 10:30</span></div>";
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1,
                                     "{\"item\":\"//div\",\"text\":\".//p\",\"time\":\".//span\"}",
                                     "https://bbs.example.cn/t", "forum"), 0);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.items[0].time_text, "5分钟前");
    assert_true(e.items[0].published == INT64_MIN);
    assert_null(e.items[2].time_text);
    kw_source src = {.utc_offset = 8 * 3600};
    int64_t now, want;
    assert_int_equal(kw_time_parse(&now, "2026-11-22T04:00:00Z"), 0);
    assert_int_equal(kw_crawl_item_time(&src, &e.items[0], now), now - 300);
    assert_int_equal(kw_time_parse(&want, "2026-11-21T15:05:00Z"), 0);
    assert_int_equal(kw_crawl_item_time(&src, &e.items[1], now), want);
    assert_int_equal(kw_time_parse(&want, "2026-11-20T02:30:00Z"), 0);
    assert_int_equal(kw_crawl_item_time(&src, &e.items[2], now), want);
    kw_extracted_free(&e);
}

/* Text is capped at 1 MiB, and the cap never splits a character, whatever
 * blanks before it were collapsed (found in review). */
static void capped_text_ends_on_a_whole_character(void **state)
{
    (void)state;
    const char *prefixes[] = {"abc  ", "a  ", "abcd  ", "ab"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = 450000, l = 0;
        char *h = malloc(3 * n + 64);
        assert_non_null(h);
        l += (size_t)sprintf(h, "<html><body><div><p>%s", prefixes[i]);
        for (size_t k = 0; k < n; k++, l += 3)
            memcpy(h + l, "\xE4\xB8\xAD", 3);
        kw_extracted e;
        assert_int_equal(kw_extract_html(&e, h, l, NULL, NULL, "big"), 0);
        const unsigned char *t = (const unsigned char *)e.items[0].text;
        size_t tl = strlen((const char *)t);
        assert_true(tl <= 1024 * 1024 && tl > 1000000);
        /* the last character is whole: a lead byte of 0xE4 three from the end */
        assert_int_equal(t[tl - 3], 0xE4);
        kw_extracted_free(&e);
        free(h);
    }
}

static void hostile_html__never_crashes_and_gives_at_most_one_article(void **state)
{
    (void)state;
    const char *pages[] = {"", "<", "<<<<>>>>", "<html><body><p>unclosed", "\xff\xfe\x00\x01",
                           "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><p>&b;</p>"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        kw_extracted e;
        int rc = kw_extract_html(&e, pages[i], strlen(pages[i]), NULL, NULL, "x");
        assert_true(rc == 0 || rc == KW_EINVAL);
        if (rc == 0) {
            assert_true(e.n <= 1);
            kw_extracted_free(&e);
        }
    }
}

static const char api[] =
    "{\"data\":{\"list\":[{\"content\":\"Glowa 防晒<b>不油</b>\",\"user\":{\"name\":\"晒不黑\"},"
    "\"created_at\":1791350400,\"url\":\"/p/1\",\"a/b\":\"slash\"},"
    "{\"content\":\"second\",\"user\":{},\"created_at\":\"2026-10-07T16:45:00Z\"},"
    "\"not an object\"]},\"paging\":{\"next\":\"/api?page=2\"}}";

static void json_pointers__items_fields_escapes_and_next(void **state)
{
    (void)state;
    kw_extracted e;
    int64_t t;
    assert_int_equal(kw_extract_json(&e, api, sizeof api - 1,
                                     "{\"items\":\"/data/list\",\"text\":\"/content\","
                                     "\"author\":\"/user/name\",\"time\":\"/created_at\","
                                     "\"link\":\"/url\",\"title\":\"/a~1b\",\"next\":\"/paging/next\"}",
                                     "https://api.example.com/v1/list", "api"), 0);
    assert_int_equal(e.n, 2); /* the string in the list is no item */
    assert_string_equal(e.items[0].text, "Glowa 防晒不油"); /* HTML in text made plain */
    assert_string_equal(e.items[0].author, "晒不黑");
    assert_int_equal(e.items[0].published, 1791350400);
    assert_string_equal(e.items[0].link, "https://api.example.com/p/1");
    assert_string_equal(e.items[0].title, "slash"); /* ~1 is / */
    assert_null(e.items[1].author);
    assert_int_equal(kw_time_parse(&t, "2026-10-07T16:45:00Z"), 0);
    assert_int_equal(e.items[1].published, t);
    assert_string_equal(e.next, "https://api.example.com/api?page=2");
    kw_extracted_free(&e);
}

/* A binary file served as a page is refused as no text (it was stored as
 * a mention of a brand named at its end, scored from noise), whatever the
 * charset it seems to be in; a real page with a few bad bytes is read. */
static void a_binary_body_is_no_text_a_few_bad_bytes_are_read(void **state)
{
    (void)state;
    size_t n = 200000;
    char *b = malloc(n + 16);
    assert_non_null(b);
    static const char *const types[] = {"text/html", "text/html; charset=gbk",
                                        "text/html; charset=big5", "text/html; charset=utf-8",
                                        NULL};
    for (unsigned seed = 1; seed <= 8; seed++) {
        unsigned x = seed * 2654435761u;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (char)(x >> 16);
        }
        memcpy(b + n, " Lumi ", 6);
        kw_extracted e;
        assert_int_equal(kw_extract_body(&e, "html", NULL, b, n + 6, types[seed % 4],
                                         "https://e.example.com/x", NULL), KW_EINVAL);
        assert_non_null(strstr(kw_error_last(), "not text"));
    }
    free(b);
    char page[4096];
    size_t k = (size_t)snprintf(page, sizeof page, "<html><body><article><p>");
    for (int i = 0; i < 60; i++)
        k += (size_t)snprintf(page + k, sizeof page - k, "露米面霜很好用%s", i % 6 ? "" : "\xff");
    k += (size_t)snprintf(page + k, sizeof page - k, "</p></article></body></html>");
    kw_extracted e;
    assert_int_equal(kw_extract_body(&e, "html", NULL, page, k, "text/html; charset=utf-8",
                                     "https://e.example.com/x", NULL), 0);
    assert_int_equal(e.n, 1);
    assert_non_null(strstr(e.items[0].text, "露米面霜很好用"));
    kw_extracted_free(&e);
    /* NULs (which decoding makes blanks) are no text either */
    char nuls[20000] = {0};
    memcpy(nuls + sizeof nuls - 24, "<p>Lumi is good</p>", 19);
    assert_int_equal(kw_extract_body(&e, "html", NULL, nuls, sizeof nuls - 5, "text/html",
                                     "https://e.example.com/z", NULL), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "https://e.example.com/z: not text"));
    /* a few are read as blanks */
    static const char few[] = "<article><p>Lumi\0is good</p></article>";
    assert_int_equal(kw_extract_body(&e, "html", NULL, few, sizeof few - 1, "text/html",
                                     "https://e.example.com/z", NULL), 0);
    assert_string_equal(e.items[0].text, "Lumi is good");
    kw_extracted_free(&e);
}

/* A page yields as many items as a feed keeps (10,000), not fewer: a long
 * feed's items past a thousand were dropped without a word. */
static void a_long_feed_yields_all_its_items_up_to_the_feed_limit(void **state)
{
    (void)state;
    size_t cap = 12000 * 64 + 256, n = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    n += (size_t)snprintf(doc + n, cap - n, "<rss version=\"2.0\"><channel><title>t</title>");
    for (int i = 0; i < 12000; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<item><title>Lumi %d</title><link>/%d</link></item>",
                              i, i);
    n += (size_t)snprintf(doc + n, cap - n, "</channel></rss>");
    kw_extracted e;
    assert_int_equal(kw_extract_body(&e, "feed", NULL, doc, n, "application/rss+xml",
                                     "https://e.example.com/rss", NULL), 0);
    assert_int_equal(e.n, 10000);
    assert_int_equal(e.dropped, 2000); /* counted, for the source's health */
    assert_string_equal(e.items[9999].title, "Lumi 9999");
    kw_extracted_free(&e);
    free(doc);
}

/* A field rule written from the page's root (text=//div for .//div) gives
 * every item the whole page: refused with the rule named, before the page
 * is read once per item and stored as many times. */
static void a_field_rule_reading_the_whole_page_for_each_item_is_named(void **state)
{
    (void)state;
    size_t cap = 3000 * 200 + 256, n = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    n += (size_t)snprintf(doc + n, cap - n, "<html><body>");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(doc + n, cap - n,
                              "<div class=p><div class=c>Lumi post %d says the serum is fine and "
                              "the bottle is pretty, all in all a good buy for the price</div>"
                              "</div>", i);
    n += (size_t)snprintf(doc + n, cap - n, "</body></html>");
    kw_extracted e;
    assert_int_equal(kw_extract_html(&e, doc, n,
                                     "{\"item\":\"//div[@class='p']\",\"text\":\"//div[@class='c']\"}",
                                     "https://e.example.com/", "forum"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "text=//div[@class='c']"));
    assert_non_null(strstr(kw_error_last(), ".//div"));
    /* written from the item: every post, each with its own text */
    assert_int_equal(kw_extract_html(&e, doc, n,
                                     "{\"item\":\"//div[@class='p']\",\"text\":\".//div[@class='c']\"}",
                                     "https://e.example.com/", "forum"),
                     0);
    assert_int_equal(e.n, 3000);
    assert_non_null(strstr(e.items[2999].text, "post 2999 says"));
    kw_extracted_free(&e);
    /* a rule from the root that gives one short value (author=//span for
     * .//span) is read once: every post gets it, at the cost of one read */
    n = 0;
    n += (size_t)snprintf(doc + n, cap - n, "<html><body>");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(doc + n, cap - n,
                              "<div class=p><span>user%d</span><p>Lumi post %d</p></div>", i, i);
    n += (size_t)snprintf(doc + n, cap - n, "</body></html>");
    assert_int_equal(kw_extract_html(&e, doc, n,
                                     "{\"item\":\"//div[@class='p']\",\"author\":\"//span\"}",
                                     "https://e.example.com/", "forum"),
                     0);
    assert_int_equal(e.n, 3000);
    assert_string_equal(e.items[0].author, "user0");
    assert_string_equal(e.items[2999].author, "user0");
    kw_extracted_free(&e);
    assert_int_equal(kw_extract_html(&e, doc, n,
                                     "{\"item\":\"//div[@class='p']\",\"author\":\".//span\"}",
                                     "https://e.example.com/", "forum"),
                     0);
    assert_string_equal(e.items[2999].author, "user2999");
    kw_extracted_free(&e);
    /* a page-wide title for every reply of a thread is fine */
    assert_int_equal(kw_extract_html(&e, doc, n,
                                     "{\"item\":\"//div[@class='p']\",\"title\":\"//div[1]/@class\"}",
                                     "https://e.example.com/", "forum"),
                     0);
    assert_int_equal(e.n, 3000);
    kw_extracted_free(&e);
    free(doc);
}

/* XPath and JSON rules stop at the same limit and count what they leave. */
static void items_past_the_limit_are_counted_by_rules_too(void **state)
{
    (void)state;
    size_t cap = 12000 * 64 + 256, n = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    n += (size_t)snprintf(doc + n, cap - n, "<html><body>");
    for (int i = 0; i < 10500; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<div class=p>Lumi post %d</div>", i);
    n += (size_t)snprintf(doc + n, cap - n, "</body></html>");
    kw_extracted e;
    assert_int_equal(kw_extract_body(&e, "html", "{\"item\":\"//div[@class='p']\"}", doc, n,
                                     "text/html", "https://e.example.com/f", NULL),
                     0);
    assert_int_equal(e.n, 10000);
    assert_int_equal(e.dropped, 500);
    assert_string_equal(e.items[9999].text, "Lumi post 9999");
    kw_extracted_free(&e);

    /* an array of 10,300 posts, with a number among them that is no item */
    n = (size_t)snprintf(doc, cap, "{\"list\":[7");
    for (int i = 0; i < 10300; i++)
        n += (size_t)snprintf(doc + n, cap - n, ",{\"c\":\"Lumi %d\"}", i);
    n += (size_t)snprintf(doc + n, cap - n, "]}");
    assert_int_equal(kw_extract_body(&e, "json", "{\"items\":\"/list\",\"text\":\"/c\"}", doc,
                                     n, "application/json", "https://e.example.com/j", NULL),
                     0);
    assert_int_equal(e.n, 10000);
    assert_int_equal(e.dropped, 300);
    assert_string_equal(e.items[0].text, "Lumi 0");
    assert_string_equal(e.items[9999].text, "Lumi 9999");
    kw_extracted_free(&e);

    /* and a page within the limit leaves none */
    n = (size_t)snprintf(doc, cap, "[{\"c\":\"Lumi\"},3,{\"c\":\"Lumi too\"}]");
    assert_int_equal(kw_extract_body(&e, "json", "{\"text\":\"/c\"}", doc, n,
                                     "application/json", "https://e.example.com/j", NULL),
                     0);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.dropped, 0);
    assert_string_equal(e.items[1].text, "Lumi too");
    kw_extracted_free(&e);
    free(doc);
}

static void a_feed_read_only_in_part_is_an_error(void **state)
{
    (void)state;
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"ha\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
        "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
        "<rss version=\"2.0\"><channel><title>t</title><item><title>Lumi &i;</title>"
        "<link>/1</link></item></channel></rss>";
    static const char empty[] = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
    static const char sloppy[] = "<rss version=\"2.0\"><channel><title>t</title><item>"
                                 "<title>Lumi & co</title><link>/1</link></item></channel></rss>";
    kw_extracted e;
    /* an entity bomb: libxml2 stops inside the item, which is not silence */
    assert_int_equal(kw_extract_body(&e, "feed", NULL, laughs, sizeof laughs - 1, NULL,
                                     "http://e.example.com/rss", NULL), KW_EINVAL);
    assert_non_null(
        strstr(kw_error_last(), "http://e.example.com/rss: the feed could not be read to its end"));
    assert_non_null(strstr(kw_error_last(), "entity"));
    assert_non_null(strstr(kw_error_last(), "not well-formed"));
    /* a well-formed feed with no item is just empty */
    assert_int_equal(kw_extract_body(&e, "feed", NULL, empty, sizeof empty - 1, NULL,
                                     "http://e.example.com/rss", NULL), 0);
    assert_int_equal(e.n, 0);
    kw_extracted_free(&e);
    /* a sloppy one with its item read is read */
    assert_int_equal(kw_extract_body(&e, "feed", NULL, sloppy, sizeof sloppy - 1, NULL,
                                     "http://e.example.com/rss", NULL), 0);
    assert_int_equal(e.n, 1);
    kw_extracted_free(&e);
}

/* "<x" + n words w + rest, with head before; malloc'd */
static char *words(const char *head, const char *w, int n, const char *rest, size_t *len)
{
    size_t cap = strlen(head) + (size_t)n * (strlen(w) + 8) + strlen(rest) + 1, k = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    k += (size_t)snprintf(p + k, cap - k, "%s", head);
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(p + k, cap - k, " %s%d", w, i);
    k += (size_t)snprintf(p + k, cap - k, "%s", rest);
    *len = k;
    return p;
}

static void a_tag_with_thousands_of_attributes_is_refused_before_libxml2(void **state)
{
    (void)state;
    kw_extracted e;
    size_t n;
    /* libxml2 would spend seconds (minutes at 100,000) on one such tag */
    char *doc = words("<rss version=\"2.0\"><channel><title>t</title>\n<item", "a", 20000,
                      "=\"x\"><title>Lumi</title></item></channel></rss>", &n);
    /* every attribute but the last valueless: still counted */
    assert_int_equal(kw_extract_body(&e, "feed", NULL, doc, n, NULL, "http://e.example.com/rss",
                                     NULL), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "http://e.example.com/rss: not read: the tag at "
                                            "line 2 has more than 1000 attributes"));
    free(doc);
    doc = words("<html><body><div", "a", 20000, "><p>Lumi</p></div></body></html>", &n);
    assert_int_equal(kw_extract_body(&e, "html", "{\"item\":\"//p\"}", doc, n, NULL,
                                     "http://e.example.com/p", NULL), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "more than 1000 attributes"));
    free(doc);
    /* many words in a script, a comment or a CDATA section are no attributes */
    doc = words("<html><body><script>if (a<b", "x", 5000, "</script><p>Lumi</p></body></html>",
                &n);
    assert_int_equal(kw_extract_body(&e, "html", "{\"item\":\"//p\"}", doc, n, NULL,
                                     "http://e.example.com/p", NULL), 0);
    assert_int_equal(e.n, 1);
    kw_extracted_free(&e);
    free(doc);
    doc = words("<html><body><!--<x", "x", 5000, "--><p>Lumi</p></body></html>", &n);
    assert_int_equal(kw_extract_body(&e, "html", "{\"item\":\"//p\"}", doc, n, NULL,
                                     "http://e.example.com/p", NULL), 0);
    assert_int_equal(e.n, 1);
    kw_extracted_free(&e);
    free(doc);
    doc = words("<rss version=\"2.0\"><channel><title>t</title><item><title>Lumi</title>"
                "<description><![CDATA[<x", "x", 5000, "]]></description></item></channel></rss>",
                &n);
    assert_int_equal(kw_extract_body(&e, "feed", NULL, doc, n, NULL, "http://e.example.com/rss",
                                     NULL), 0);
    assert_int_equal(e.n, 1);
    kw_extracted_free(&e);
    free(doc);
}

/* Control characters from a page never reach a terminal: not in the
 * text read, not in an error message quoting what was sent. */
static void control_characters_are_blanks_in_text_and_marks_in_errors(void **state)
{
    (void)state;
    static const char html[] = "<title>Lumi \x01\x1b[31m red\xc2\x9b" "2J</title><article><p>Lumi "
                               "\x07is\x7f fine</p></article>";
    kw_extracted e;
    assert_int_equal(kw_extract_body(&e, "html", NULL, html, sizeof html - 1, NULL,
                                     "http://e.example.com/p", NULL), 0);
    assert_int_equal(e.n, 1);
    assert_null(strpbrk(e.items[0].title, "\x01\x1b\x7f"));
    assert_null(strstr(e.items[0].title, "\xc2\x9b"));
    assert_non_null(strstr(e.items[0].title, "[31m red"));
    assert_null(strpbrk(e.items[0].text, "\x07\x7f"));
    kw_extracted_free(&e);
    assert_int_equal(kw_extract_body(&e, "bogus\x1b]0;x\x07", NULL, html, sizeof html - 1, NULL,
                                     "http://e.example.com/p", NULL), KW_EINVAL);
    assert_null(strpbrk(kw_error_last(), "\x1b\x07"));
    assert_non_null(strstr(kw_error_last(), "bogus?]0;x?"));
}

/* A number read as text keeps its digits, even past 2^53, and its
 * fraction. */
static void json_pointers__long_numbers_keep_their_digits(void **state)
{
    (void)state;
    kw_extracted e;
    static const char doc[] = "[{\"t\":4987654321098765432,\"n\":\"Lumi\"},{\"t\":42},"
                              "{\"t\":4.5},{\"t\":0.1},{\"t\":-99.9}]";
    assert_int_equal(kw_extract_json(&e, doc, sizeof doc - 1,
                                     "{\"items\":\"\",\"text\":\"/t\",\"title\":\"/n\"}",
                                     "https://api.example.com/", "api"), 0);
    assert_int_equal(e.n, 5);
    assert_string_equal(e.items[0].text, "4987654321098765432");
    assert_string_equal(e.items[1].text, "42");
    assert_string_equal(e.items[2].text, "4.5"); /* fractions kept, not rounded */
    assert_string_equal(e.items[3].text, "0.1");
    assert_string_equal(e.items[4].text, "-99.9");
    kw_extracted_free(&e);
}

static void json__bad_documents_and_rules_are_named(void **state)
{
    (void)state;
    kw_extracted e;
    assert_int_equal(kw_extract_json(&e, "{\"a\":", 5, "{\"text\":\"/a\"}", NULL, "api.json"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "api.json"));
    assert_int_equal(kw_extract_json(&e, api, sizeof api - 1, "{\"text\":\"content\"}", NULL, "x"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "text"));
    assert_int_equal(kw_extract_json(&e, api, sizeof api - 1, "{\"items\":\"/nope\"}", NULL, "x"),
                     KW_ENOTFOUND);
    /* A root object is one item; a pointer past an array's end finds nothing. */
    assert_int_equal(kw_extract_json(&e, "{\"t\":\"x\",\"l\":[1]}", 17,
                                     "{\"text\":\"/t\",\"title\":\"/l/5\"}", NULL, "x"), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.items[0].text, "x");
    assert_null(e.items[0].title);
    kw_extracted_free(&e);
    /* nesting past cJSON's limit, in a key no rule reads, is named so */
    size_t depth = 1500, n = 0;
    char *deep = malloc(2 * depth + 64);
    n += (size_t)snprintf(deep, 64, "{\"t\":\"Lumi\",\"x\":");
    memset(deep + n, '[', depth), n += depth;
    memset(deep + n, ']', depth), n += depth;
    deep[n++] = '}';
    assert_int_equal(kw_extract_json(&e, deep, n, "{\"text\":\"/t\"}", NULL, "api.json"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "api.json: JSON nested deeper than 1000 at byte"));
    free(deep);
}

/* What backends really send: an emoji cut in half (a lone surrogate) is
 * U+FFFD, not a document refused with all its other posts; \u0000 is a
 * blank, not the end of the text; a number is no link. */
static void json__cut_surrogates_nul_escapes_and_numbers_as_links(void **state)
{
    (void)state;
    kw_extracted e;
    static const char doc[] =
        "[{\"c\":\"Lumi \\ud83d\",\"l\":42},{\"c\":\"lone \\udc00 low\",\"l\":\"/p/2\"},"
        "{\"c\":\"whole \\ud83d\\ude00 pair\"},{\"c\":\"Lumi a\\u0000b hidden\"},"
        "{\"c\":\"high then other \\ud83d\\u0041\"},{\"c\":\"not \\\\ud800 an escape\"}]";
    assert_int_equal(kw_extract_json(&e, doc, sizeof doc - 1, "{\"text\":\"/c\",\"link\":\"/l\"}",
                                     "https://api.example.com/j", "api.json"),
                     0);
    assert_int_equal(e.n, 6);
    assert_string_equal(e.items[0].text, "Lumi \xef\xbf\xbd");
    assert_null(e.items[0].link); /* 42 is no link */
    assert_string_equal(e.items[1].text, "lone \xef\xbf\xbd low");
    assert_string_equal(e.items[1].link, "https://api.example.com/p/2");
    assert_string_equal(e.items[2].text, "whole \xf0\x9f\x98\x80 pair");
    assert_string_equal(e.items[3].text, "Lumi a b hidden");
    assert_string_equal(e.items[4].text, "high then other \xef\xbf\xbd" "A");
    assert_string_equal(e.items[5].text, "not \\ud800 an escape");
    kw_extracted_free(&e);
    /* \u without four hex digits: no JSON, said where, not a text cut there */
    static const char badesc[] = "[{\"c\":\"a\\uZZZZ b\"}]";
    assert_int_equal(kw_extract_json(&e, badesc, sizeof badesc - 1, "{\"text\":\"/c\"}", NULL,
                                     "api.json"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "four hex digits at byte 8"));
    /* a next= pointer at a number is no next page */
    static const char paged[] = "{\"list\":[{\"c\":\"x\"}],\"more\":3}";
    assert_int_equal(kw_extract_json(&e, paged, sizeof paged - 1,
                                     "{\"items\":\"/list\",\"text\":\"/c\",\"next\":\"/more\"}",
                                     "https://api.example.com/j", "api.json"),
                     0);
    assert_null(e.next);
    kw_extracted_free(&e);
}

/* items= finding something that holds no objects is a rule that no longer
 * fits the site, said as such; an empty array is a quiet day. */
static void json__items_that_are_no_objects_are_named(void **state)
{
    (void)state;
    kw_extracted e;
    static const struct {
        const char *doc, *says;
    } cases[] = {
        {"{\"data\":\"Lumi one\"}", "finds a string, not objects"},
        {"{\"data\":[\"Lumi one\",\"Lumi two\"]}", "finds an array of strings"},
        {"{\"data\":[[{\"t\":\"Lumi\"}]]}", "finds an array of arrays"},
        {"{\"data\":7}", "finds a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(kw_extract_json(&e, cases[i].doc, strlen(cases[i].doc),
                                         "{\"items\":\"/data\",\"text\":\"/t\"}", NULL, "api.json"),
                         KW_ENOTFOUND);
        assert_non_null(strstr(kw_error_last(), cases[i].says));
        assert_non_null(strstr(kw_error_last(), "items=/data"));
    }
    /* objects among other values are read; an empty array is no error */
    static const char mixed[] = "{\"data\":[1,{\"t\":\"Lumi\"}]}", none[] = "{\"data\":[]}";
    assert_int_equal(kw_extract_json(&e, mixed, sizeof mixed - 1,
                                     "{\"items\":\"/data\",\"text\":\"/t\"}", NULL, "x"), 0);
    assert_int_equal(e.n, 1);
    kw_extracted_free(&e);
    assert_int_equal(kw_extract_json(&e, none, sizeof none - 1,
                                     "{\"items\":\"/data\",\"text\":\"/t\"}", NULL, "x"), 0);
    assert_int_equal(e.n, 0);
    kw_extracted_free(&e);
    /* text= at what holds the text, on every item: said, not empty texts */
    static const char held[] = "[{\"t\":{\"body\":\"Lumi a\"}},{\"t\":[\"Lumi b\"]}]";
    assert_int_equal(kw_extract_json(&e, held, sizeof held - 1, "{\"text\":\"/t\"}", NULL, "api"),
                     KW_ENOTFOUND);
    assert_non_null(strstr(kw_error_last(), "rule text=/t finds an object or an array"));
    assert_int_equal(kw_extract_json(&e, held, sizeof held - 1, "{\"text\":\"/t/body\"}", NULL,
                                     "api"), 0);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.items[0].text, "Lumi a");
    kw_extracted_free(&e);
}

/* Sources are checked on `source add` with the same rule as extraction
 * applies, so a rule accepted there never fails in a crawl. */
static void rule_check__agrees_with_the_extractors(void **state)
{
    (void)state;
    kw_extracted e;
    assert_int_equal(kw_extract_rule_check("html", "item", "//div[@class='post']"), 0);
    assert_int_equal(kw_extract_rule_check("html", "item", "//div["), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "item"));
    assert_int_equal(kw_extract_rule_check("html", "items", "//div"), KW_EINVAL);
    assert_int_equal(kw_extract_rule_check("json", "items", "/data/list"), 0);
    assert_int_equal(kw_extract_rule_check("json", "items", ""), 0);
    assert_int_equal(kw_extract_rule_check("json", "text", "content"), KW_EINVAL);
    assert_int_equal(kw_extract_rule_check("json", "text", "/a~2b"), KW_EINVAL);
    assert_int_equal(kw_extract_json(&e, api, sizeof api - 1, "{\"text\":\"/a~2b\"}", NULL, "x"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "text"));
    assert_int_equal(kw_extract_rule_check("json", "text", "/a~0b~1c"), 0);
    assert_int_equal(kw_extract_rule_check("feed", "item", "//x"), KW_EINVAL);
    /* what compiles but no page can answer: named at once, not found out
     * in a crawl as "finds nothing" */
    static const struct {
        const char *key, *expr, *says;
    } bad[] = {
        {"item", "//div[contians(@class,'post')]", "contians()"},
        {"text", "$body", "variable $body"},
        {"title", ".//x:a", "prefix x:"},
        {"item", "count(//div)", "gives a number"},
        {"item", "string(//div)", "gives a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(kw_extract_rule_check("html", bad[i].key, bad[i].expr), KW_EINVAL);
        assert_non_null(strstr(kw_error_last(), bad[i].says));
    }
    static const struct {
        const char *key, *expr;
    } good[] = {
        {"item", "//div[contains(@class,'post') and (p or h2)]"},
        {"item", "descendant-or-self::div[@id='x']"},
        {"text", "normalize-space(.//h2)"},
        {"text", "count(.//p)"},
        {"title", "string(//title)"},
        {"link", ".//a/@href"},
        {"text", ".//text()"},
        {"author", ".//span[.='by x:y($z)']"},
        {"time", "substring-after(.//em, '\u53d1\u8868\u4e8e ')"},
        {"item", "//div[position() mod 2 = 1 and not(@hidden)]"},
        {"item", "//p[@xml:lang='zh']"}, /* xml: is always bound */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(kw_extract_rule_check("html", good[i].key, good[i].expr), 0);
    /* a source stored before the check says what its rule is, not "nothing" */
    static const char page[] = "<html><body><div>Lumi</div></body></html>";
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1, "{\"item\":\"count(//div)\"}",
                                     "https://e.example.com/", "page"),
                     KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "gives a number"));
    /* a count is no link: no next page made of it */
    assert_int_equal(kw_extract_html(&e, page, sizeof page - 1,
                                     "{\"item\":\"//div\",\"next\":\"count(//a)\"}",
                                     "https://e.example.com/", "page"),
                     0);
    assert_null(e.next);
    kw_extracted_free(&e);
}

/* Relative links with characters a URI may not hold as they are (Chinese
 * paths, blanks, '|') resolve with those percent-encoded as UTF-8, as
 * browsers send them; libxml2 alone refuses them (they were kept as
 * written, relative, useless as a mention's URL). */
static void links_with_unsafe_characters_resolve_percent_encoded(void **state)
{
    (void)state;
    static const struct {
        const char *link, *base, *want;
    } cases[] = {
        {"/新闻/1.html", "http://e.example/d/", "http://e.example/%E6%96%B0%E9%97%BB/1.html"},
        {"新闻/2.html?q=品牌", "http://e.example/d/",
         "http://e.example/d/%E6%96%B0%E9%97%BB/2.html?q=%E5%93%81%E7%89%8C"},
        {"a b|c.html", "http://e.example/d/", "http://e.example/d/a%20b%7Cc.html"},
        {"x.html", "http://e.example/新闻/", "http://e.example/%E6%96%B0%E9%97%BB/x.html"},
        {"%E6%96%B0.html", "http://e.example/", "http://e.example/%E6%96%B0.html"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = ex_resolve(cases[i].link, cases[i].base);
        if (!got || strcmp(got, cases[i].want) != 0)
            fail_msg("[%s] on [%s]: [%s], not [%s]", cases[i].link, cases[i].base,
                     got ? got : "(null)", cases[i].want);
        free(got);
    }
}

/* Links with a scheme skip libxml2's resolution: the result is what the
 * full resolution (uri_build: xmlBuildURI, then again with the characters
 * a URI may not hold percent-encoded) gives, the link itself, or the link
 * as written when it cannot be parsed, for 200,000 links of every kind of
 * character against several bases. */
static void links_with_a_scheme_resolve_as_libxml2_resolves_them(void **state)
{
    (void)state;
    static const char *const bases[] = {"http://127.0.0.1:8765/feed/0",
                                        "https://a.example.com/x/y?q=1", "file:///tmp/a.xml"};
    static const char *const schemes[] = {"http:", "https:", "HTTP:", "h2+x.y-z:", "mailto:",
                                          "a:", "x1:", "1x:", "-a:", "/a:", "ab", ""};
    static const char chars[] = "ab:/?#[]@!$&'()*+,;=-._~% \\\"<>{}|^`\x01\x7f\xe4\xb8\xad" "09AZ";
    uint32_t x = 7;
    for (int i = 0; i < 200000; i++) {
        char link[64];
        x = x * 1103515245u + 12345u;
        int k = snprintf(link, sizeof link, "%s", schemes[(x >> 16) % 12]);
        for (int n = (int)(x >> 8) % 24; n > 0 && k < 62; n--) {
            x = x * 1103515245u + 12345u;
            link[k++] = chars[(x >> 16) % (sizeof chars - 1)];
        }
        link[k] = '\0';
        for (int b = 0; b < 3; b++) {
            xmlChar *want = *link ? uri_build(link, bases[b]) : NULL;
            char *got = ex_resolve(link, bases[b]);
            const char *w = want ? (const char *)want : *link ? link : NULL;
            if ((got == NULL) != (w == NULL) || (got && strcmp(got, w) != 0))
                fail_msg("link [%s] on [%s]: [%s], libxml2 [%s]", link, bases[b],
                         got ? got : "(null)", w ? w : "(null)");
            free(got);
            xmlFree(want);
        }
    }
}

/* The same for absolute paths ("/a/b?q"), which are joined to the base's
 * scheme and authority without parsing either: every kind of character in
 * the path, against bases with ports, paths, user info, IPv6 hosts and odd
 * schemes, and bases libxml2 cannot parse (the link then stays as it is). */
static void absolute_paths_resolve_as_libxml2_resolves_them(void **state)
{
    (void)state;
    static const char *const bases[] = {"http://127.0.0.1:8765/feed/0",
                                        "https://a.example.com/x/y?q=1#f",
                                        "HTTP://News.Example.COM",
                                        "http://u:p@h.example/x",
                                        "http://[::1]:80/a",
                                        "h2+x.y-z://h/a/b/",
                                        "http://h.example:/a",
                                        "http://h_x.example/a",
                                        "file:///tmp/a.xml",
                                        "http:/nohost",
                                        "/relative/base",
                                        /* bases libxml2 cannot parse, or
                                         * whose port it writes otherwise */
                                        "http://a.com/caf\xc3\xa9/",
                                        "http://a.com/a b|c",
                                        "http://a.com/%zz/x",
                                        "http://a.com/x#a#b",
                                        "http://a.com:080/x",
                                        "http://a.com:0/x",
                                        "http://a.com:4294967296/",
                                        /* and some it can */
                                        "http://a.com/%41/a:b?c=d:e",
                                        "http://a.com:65535/x"};
    enum { NB = sizeof bases / sizeof *bases };
    static const char chars[] = "ab:/?#[]@!$&'()*+,;=-._~%% \\\"<>{}|^`\x01\x7f\xe4\xb8\xad" "09AFaf";
    uint32_t x = 11;
    long joined = 0; /* links the quick way took */
    for (int i = 0; i < 100000; i++) {
        char link[64] = "/";
        int k = 1;
        x = x * 1103515245u + 12345u;
        for (int n = (int)(x >> 8) % 24; n > 0 && k < 62; n--) {
            x = x * 1103515245u + 12345u;
            link[k++] = chars[(x >> 16) % (sizeof chars - 1)];
        }
        link[k] = '\0';
        for (int b = 0; b < NB; b++) {
            xmlChar *want = uri_build(link, bases[b]);
            char *got = ex_resolve(link, bases[b]), *quick = uri_join_abs_path(bases[b], link);
            const char *w = want ? (const char *)want : link;
            joined += quick != NULL;
            free(quick);
            if (!got || strcmp(got, w) != 0)
                fail_msg("link [%s] on [%s]: [%s], libxml2 [%s]", link, bases[b],
                         got ? got : "(null)", w);
            free(got);
            xmlFree(want);
        }
    }
    assert_true(joined > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(links_with_unsafe_characters_resolve_percent_encoded),
        cmocka_unit_test(links_with_a_scheme_resolve_as_libxml2_resolves_them),
        cmocka_unit_test(absolute_paths_resolve_as_libxml2_resolves_them),
        cmocka_unit_test(html_rules__items_fields_links_and_next),
        cmocka_unit_test(html_rules__a_bad_xpath_names_the_rule),
        cmocka_unit_test(base_href__links_resolve_against_it),
        cmocka_unit_test(html_rules__without_item_read_one_article_with_the_rules_fields),
        cmocka_unit_test(html_rules__an_item_rule_finding_nothing_is_an_error),
        cmocka_unit_test(article_mode__title_author_date_link_and_main_text),
        cmocka_unit_test(article_mode__first_usable_candidate_in_document_order),
        cmocka_unit_test(dates_without_a_zone_are_flagged_local),
        cmocka_unit_test(relative_times_are_kept_for_the_crawler_to_read),
        cmocka_unit_test(capped_text_ends_on_a_whole_character),
        cmocka_unit_test(hostile_html__never_crashes_and_gives_at_most_one_article),
        cmocka_unit_test(json_pointers__items_fields_escapes_and_next),
        cmocka_unit_test(a_binary_body_is_no_text_a_few_bad_bytes_are_read),
        cmocka_unit_test(a_long_feed_yields_all_its_items_up_to_the_feed_limit),
        cmocka_unit_test(article_mode__author_and_date_from_json_ld),
        cmocka_unit_test(article_mode__the_text_is_the_article_not_the_comments_or_the_sidebar),
        cmocka_unit_test(article_mode__text_in_a_div_or_short_is_still_the_article),
        cmocka_unit_test(article_mode__the_whole_article_however_it_is_laid_out),
        cmocka_unit_test(article_mode__logo_headings_and_attribute_case),
        cmocka_unit_test(article_mode__the_articles_date_not_the_sidebars),
        cmocka_unit_test(article_mode__the_author_a_byline_shows),
        cmocka_unit_test(article_mode__an_unclassed_byline_by_its_label),
        cmocka_unit_test(article_mode__pathological_pages_cost_linear_time),
        cmocka_unit_test(dates_inside_words_are_found),
        cmocka_unit_test(time_rule__a_date_in_words_keeps_its_time_and_zone),
        cmocka_unit_test(article_mode__a_meta_date_keeps_its_zone),
        cmocka_unit_test(json__cut_surrogates_nul_escapes_and_numbers_as_links),
        cmocka_unit_test(json__items_that_are_no_objects_are_named),
        cmocka_unit_test(items_past_the_limit_are_counted_by_rules_too),
        cmocka_unit_test(a_field_rule_reading_the_whole_page_for_each_item_is_named),
        cmocka_unit_test(a_feed_read_only_in_part_is_an_error),
        cmocka_unit_test(control_characters_are_blanks_in_text_and_marks_in_errors),
        cmocka_unit_test(a_tag_with_thousands_of_attributes_is_refused_before_libxml2),
        cmocka_unit_test(json_pointers__long_numbers_keep_their_digits),
        cmocka_unit_test(json__bad_documents_and_rules_are_named),
        cmocka_unit_test(rule_check__agrees_with_the_extractors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
