/*
 * The page pipeline (crawler/pipeline.c) against a real database, SQLite
 * and (as crawler/test_pipeline/pg) PostgreSQL: pages of one batch are
 * stored together, and a page that fails half-way leaves nothing behind
 * while the pages before and after it in the batch are all kept.
 */
#include "testsupport.h"

#include "kolwatch/crawl.h"
#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    char *dir, *url;
    kw_store *s;
    kw_scorer *sc;
    kw_source src[4];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    kw_store_options opt = {.create = 1, .skip_version = 1};
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, NULL), 0);
    assert_int_equal(kw_scorer_new(&f->sc, NULL), 0);
    kw_brand lumi = {.name = "Lumi", .query = "Lumi"}, gone = {.name = "Gone", .query = "Gone"};
    int64_t id;
    assert_int_equal(kw_store_brand_add(f->s, &lumi, &id), 0);
    assert_int_equal(kw_store_brand_add(f->s, &gone, &id), 0);
    for (int i = 0; i < 4; i++) {
        kw_source *s = &f->src[i];
        snprintf(s->url, sizeof s->url, "http://news%d.example.com/feed", i);
        snprintf(s->kind, sizeof s->kind, "feed");
        snprintf(s->platform, sizeof s->platform, "news");
        snprintf(s->rules, sizeof s->rules, "{}");
        s->every_s = 900;
        s->enabled = 1;
        assert_int_equal(kw_store_source_add(f->s, s, &s->id), 0);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kw_scorer_free(f->sc);
    kw_store_free(f->s);
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    return 0;
}

/* An RSS feed whose items have these texts, at links /i/0, /i/1, ... */
static kw_fetch_response feed(char *buf, size_t size, const kw_source *src,
                              const char *const *texts)
{
    size_t n = (size_t)snprintf(buf, size, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                                           "<title>News</title>");
    for (int i = 0; texts[i]; i++)
        n += (size_t)snprintf(buf + n, size - n,
                              "<item><title>t</title><link>%s/i/%d</link><description>%s"
                              "</description></item>",
                              src->url, i, texts[i]);
    n += (size_t)snprintf(buf + n, size - n, "</channel></rss>");
    assert_true(n < size);
    kw_fetch_response r = {.url = src->url, .final_url = src->url, .status = 200,
                           .error_text = "", .content_type = "application/rss+xml",
                           .retry_after = -1, .body = buf, .body_len = n};
    return r;
}

/* An RSS feed whose item i links to links[i] (as written) and says "Lumi
 * post number i". */
static kw_fetch_response linked_feed(char *buf, size_t size, const kw_source *src,
                                     const char *const *links, int nlinks)
{
    size_t n = (size_t)snprintf(buf, size, "<rss version=\"2.0\"><channel><title>F</title>");
    for (int i = 0; i < nlinks; i++)
        n += (size_t)snprintf(buf + n, size - n,
                              "<item><link>%s</link><description>Lumi post number %d"
                              "</description></item>", links[i], i);
    n += (size_t)snprintf(buf + n, size - n, "</channel></rss>");
    assert_true(n < size);
    kw_fetch_response r = {.url = src->url, .final_url = src->url, .status = 200,
                           .error_text = "", .content_type = "application/rss+xml",
                           .retry_after = -1, .body = buf, .body_len = n};
    return r;
}

static int64_t count(fixture *f, const char *sql)
{
    return kwt_sql_int(f->url, sql);
}

/* From now on the database refuses to store a mention whose text begins
 * with "Gone" (a trigger): a page with such an item fails half-way. */
static void refuse_gone(fixture *f)
{
    int pg = strncmp(f->url, "postgres", 8) == 0;
    assert_int_equal(
        kwt_sql_try(f->url,
                    pg ? "CREATE FUNCTION refuse_gone() RETURNS trigger LANGUAGE plpgsql AS "
                         "$f$ BEGIN IF NEW.text LIKE 'Gone%' THEN RAISE EXCEPTION 'refused "
                         "for the test'; END IF; RETURN NEW; END $f$; CREATE TRIGGER "
                         "refuse_gone BEFORE INSERT ON mentions FOR EACH ROW EXECUTE FUNCTION "
                         "refuse_gone()"
                       : "CREATE TRIGGER refuse_gone BEFORE INSERT ON mentions WHEN NEW.text "
                         "LIKE 'Gone%' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"),
        0);
}

static void a_page_failing_half_way_is_undone_alone(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], b1[4096], b2[4096], b3[4096];
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_brands(c), 2);
    refuse_gone(f); /* src[1]'s second item fails its page */

    kw_fetch_response r0 = feed(b0, sizeof b0, &f->src[0],
                                (const char *const[]){"Lumi serum is lovely", "weather", NULL});
    kw_fetch_response r1 = feed(b1, sizeof b1, &f->src[1],
                                (const char *const[]){"Lumi again, fine", "Gone is awful", NULL});
    kw_fetch_response r2 = feed(b2, sizeof b2, &f->src[2],
                                (const char *const[]){"Lumi third time", NULL});
    kw_fetch_response r3 = feed(b3, sizeof b3, &f->src[3],
                                (const char *const[]){"Lumi fourth", "Lumi fifth", NULL});
    int64_t now = kw_time_now();
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r0, now, &st), 0);
    assert_int_not_equal(kw_crawl_page(c, &f->src[1], &r1, now, &st), 0);
    assert_non_null(strstr(kw_error_last(), "source"));
    assert_int_equal(kw_crawl_page(c, &f->src[2], &r2, now, &st), 0);
    assert_int_equal(kw_crawl_page(c, &f->src[3], &r3, now, &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);

    /* Pages 0, 2 and 3 are stored in full; page 1, not even its Lumi item. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 4);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text LIKE 'Lumi again%'"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 4);
    assert_int_equal(count(f, "SELECT SUM(n_all) FROM buckets"), 4);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM fetches"), 3);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM fetches WHERE source_id = %lld",
             (long long)f->src[1].id);
    assert_int_equal(count(f, sql), 0);
    /* ... and its source is still due, to be fetched again. */
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &got), 0);
    assert_true(got.next_attempt_at == KW_TIME_NONE);
    assert_int_equal(kw_store_source_get(f->s, f->src[2].id, &got), 0);
    assert_true(got.next_attempt_at > now);
    /* The counts are those of the pages kept, and the failed one is an
     * error. */
    assert_int_equal(st.pages, 3);
    assert_int_equal(st.added, 4);
    assert_int_equal(st.items, 5);
    assert_int_equal(st.errors, 1);
    kw_crawl_free(c);
}

/* Items whose link is no page of their own (a script, a mail address, an
 * anchor on the page read, the page itself when it holds several items)
 * are posts on that page: each is stored under the page's URL, told apart
 * by its text, as an item without a link. */
static void items_linking_to_no_page_of_their_own_are_kept_apart_by_text(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b[4096];
    static const char *const links[] = {"javascript:void(0)", "mailto:desk@news0.example.com",
                                        "#post-4", "/feed", "#post-5", "/own/6",
                                        "http://news0.example.com/feed#post-7"};
    kw_fetch_response r = linked_feed(b, sizeof b, &f->src[0], links, 7);
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.matched, 7);
    assert_int_equal(st.added, 7);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 7);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT canonical_url) FROM mentions"), 7);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE url = "
                              "'http://news0.example.com/feed' AND canonical_url LIKE "
                              "'http://news0.example.com/feed#kw-%'"),
                     6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE url = "
                              "'http://news0.example.com/own/6' AND text = 'Lumi post number 5'"),
                     1);
    /* read again, nothing is stored twice */
    kw_crawl_stats again = {0};
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &again), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(again.added, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 7);
    kw_crawl_free(c);
}

/* One page linked under equivalent spellings (raw UTF-8, its escapes in
 * lower or upper case, a ".." segment) by three feeds is one mention: the
 * first feed's item is stored, the others are that mention read again. */
static void a_page_linked_in_equivalent_spellings_is_one_mention(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b[4096];
    static const char *const links[] = {"/tag/\xe9\x9c\xb2\xe7\xb1\xb3",
                                        "http://news0.example.com/tag/%e9%9c%b2%e7%b1%b3",
                                        "http://NEWS0.example.com/x/../tag/%E9%9C%B2%E7%B1%B3"};
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    for (int i = 0; i < 3; i++) {
        kw_fetch_response r = linked_feed(b, sizeof b, &f->src[i], links + i, 1);
        assert_int_equal(kw_crawl_page(c, &f->src[i], &r, kw_time_now(), &st), 0);
    }
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.matched, 3);
    assert_int_equal(st.added, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://news0.example.com/tag/%E9%9C%B2%E7%B1%B3'"),
                     1);
    /* a long Chinese link (its escaped form three times as long) is still
     * the item's own key, not its page's */
    char link[2200] = "/tag/", big[8192];
    for (int i = 0; i < 700; i++)
        strcat(link, "\xe9\x9c\xb2");
    const char *one[] = {link};
    kw_fetch_response r = linked_feed(big, sizeof big, &f->src[3], one, 1);
    assert_int_equal(kw_crawl_page(c, &f->src[3], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url LIKE "
                              "'http://news3.example.com/tag/%E9%9C%B2%E9%9C%B2%' AND "
                              "canonical_url NOT LIKE '%#kw-%' AND LENGTH(canonical_url) > 6000"),
                     1);
    kw_crawl_free(c);
}

/* The page itself written another way (case, a tracking parameter, a
 * default port, an anchor) is no link of an item's own either, nor is a
 * link two items share (posts "#pid1", "#pid2" of a forum whose <base href>
 * is the site's root): each post is its own mention, none merged. */
static void links_equal_to_the_page_or_shared_by_items_are_no_links_of_their_own(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b[4096];
    static const char *const links[] = {"HTTP://NEWS0.example.com/feed?utm_source=x",
                                        "http://news0.example.com:80/feed#p2",
                                        "http://news0.example.com/#pid1",
                                        "http://news0.example.com/#pid2",
                                        "http://news0.example.com/#pid3",
                                        "http://news0.example.com/own"};
    kw_fetch_response r = linked_feed(b, sizeof b, &f->src[0], links, 6);
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.matched, 6);
    assert_int_equal(st.added, 6);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT canonical_url) FROM mentions"), 6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url LIKE "
                              "'http://news0.example.com/feed#kw-%'"),
                     5);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://news0.example.com/own'"),
                     1);
    kw_crawl_free(c);
}

/* An HTML source with these rules (JSON), added to the store. */
static kw_source html_source(fixture *f, const char *url, const char *rules)
{
    kw_source s = {.every_s = 900, .enabled = 1};
    snprintf(s.url, sizeof s.url, "%s", url);
    snprintf(s.kind, sizeof s.kind, "html");
    snprintf(s.platform, sizeof s.platform, "blog");
    snprintf(s.rules, sizeof s.rules, "%s", rules);
    assert_int_equal(kw_store_source_add(f->s, &s, &s.id), 0);
    return s;
}

/* A 200 response of body, for the request url (a next= page when it is
 * not the source's). */
static kw_fetch_response page(const char *url, const char *body)
{
    kw_fetch_response r = {.url = url, .final_url = url, .status = 200, .error_text = "",
                           .content_type = "text/html; charset=utf-8", .retry_after = -1,
                           .body = body, .body_len = strlen(body)};
    return r;
}

static void crawl_pages(fixture *f, const kw_source *src, const kw_fetch_response *r, int n,
                        kw_crawl_stats *st)
{
    kw_crawl *c = NULL;
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(kw_crawl_page(c, src, &r[i], kw_time_now(), st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    kw_crawl_free(c);
}

/* Posts with no link of their own on a board read through next= pages:
 * the same text by two authors is two posts, and a post that moved to the
 * second page since the last pass is the one already stored. */
static void posts_without_links_are_known_by_author_and_text_on_any_page(void **state)
{
    fixture *f = *state;
    kw_source src = html_source(f, "http://board.example.com/t/1",
                                "{\"item\":\"//div[@class='post']\",\"text\":\".//p\","
                                "\"author\":\".//span\",\"next\":\"//a[@rel='next']/@href\"}");
    static const char p1[] =
        "<div class=post><span>alice</span><p>Lumi 真好用！</p></div>"
        "<div class=post><span>bob</span><p>Lumi 真好用！</p></div>"
        "<div class=post><span>carol</span><p>Lumi is pricey</p></div><a rel=next href=/t/1?p=2>2</a>";
    static const char p2[] = "<div class=post><span>dan</span><p>Lumi for ever</p></div>";
    kw_fetch_response r[2] = {page(src.url, p1), page("http://board.example.com/t/1?p=2", p2)};
    kw_crawl_stats st = {0};
    crawl_pages(f, &src, r, 2, &st);
    assert_int_equal(st.added, 4);
    /* newest first: a post came in, and carol's moved to the second page */
    static const char q1[] =
        "<div class=post><span>erin</span><p>Lumi again</p></div>"
        "<div class=post><span>alice</span><p>Lumi 真好用！</p></div>"
        "<div class=post><span>bob</span><p>Lumi 真好用！</p></div><a rel=next href=/t/1?p=2>2</a>";
    static const char q2[] = "<div class=post><span>carol</span><p>Lumi is pricey</p></div>"
                             "<div class=post><span>dan</span><p>Lumi for ever</p></div>";
    kw_fetch_response q[2] = {page(src.url, q1), page("http://board.example.com/t/1?p=2", q2)};
    kw_crawl_stats again = {0};
    crawl_pages(f, &src, q, 2, &again);
    assert_int_equal(again.added, 1); /* erin's */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi is pricey'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 5);
    /* bob's words are alice's: stored apart, and known as a copy by the
     * text's own hash, as copies at other URLs are */
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT content_hash) FROM mentions WHERE text = "
                              "'Lumi 真好用！'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi 真好用！' AND "
                              "repost_of IS NOT NULL"),
                     1);
}

/* An article page that declares another page's address (a site's root, or
 * on page 2 of a paged article the first page) is stored under its own. */
static void an_article_declaring_another_pages_address_is_stored_under_its_own(void **state)
{
    fixture *f = *state;
    kw_source a = html_source(f, "http://blog.example.com/2026/a.html", "{}");
    kw_source b = html_source(f, "http://blog.example.com/2026/b.html", "{}");
    kw_source c = html_source(f, "http://blog.example.com/2026/long.html",
                              "{\"next\":\"//a[@rel='next']/@href\"}");
    static const char pa[] = "<link rel=canonical href=http://blog.example.com/><h1>A</h1>"
                             "<article><p>Lumi is great, I love it.</p></article>";
    static const char pb[] = "<link rel=canonical href=http://blog.example.com/><h1>B</h1>"
                             "<article><p>Lumi is awful, a rash in a day.</p></article>";
    static const char pc1[] = "<link rel=canonical href=http://blog.example.com/2026/long.html>"
                              "<article><p>Lumi, part one: the bottle.</p></article>"
                              "<a rel=next href=long.html?page=2>2</a>";
    static const char pc2[] = "<link rel=canonical href=http://blog.example.com/2026/long.html>"
                              "<article><p>Lumi, part two: it leaked.</p></article>"
                              "<a rel=next href=next.html?ref=prev>next post</a>";
    /* a next= walk from post to post: a later page's own address stands */
    static const char pc3[] = "<link rel=canonical href=http://blog.example.com/2026/next.html>"
                              "<article><p>Lumi, the next post.</p></article>";
    kw_crawl_stats st = {0};
    kw_fetch_response ra = page(a.url, pa), rb = page(b.url, pb);
    kw_fetch_response rc[3] = {page(c.url, pc1),
                               page("http://blog.example.com/2026/long.html?page=2", pc2),
                               page("http://blog.example.com/2026/next.html?ref=prev", pc3)};
    crawl_pages(f, &a, &ra, 1, &st);
    crawl_pages(f, &b, &rb, 1, &st);
    crawl_pages(f, &c, rc, 3, &st);
    assert_int_equal(st.added, 5);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://blog.example.com/2026/next.html'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://blog.example.com/2026/b.html'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://blog.example.com/2026/long.html?page=2'"),
                     1);
    /* a canonical address of its own is still the one it is stored under */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://blog.example.com/2026/long.html'"),
                     1);
}

/* A feed that lists one entry twice stores it once, under its link. */
static void an_entry_given_twice_is_stored_once_under_its_link(void **state)
{
    fixture *f = *state;
    char b[4096];
    static const char *const links[] = {"http://news0.example.com/e/1",
                                        "http://news0.example.com/e/1"};
    kw_fetch_response r = linked_feed(b, sizeof b, &f->src[0], links, 2);
    /* the two items say the same: the feed's text differs only by number */
    char *second = strstr(b, "Lumi post number 1");
    assert_non_null(second);
    second[strlen("Lumi post number ")] = '0';
    kw_crawl_stats st = {0};
    crawl_pages(f, &f->src[0], &r, 1, &st);
    assert_int_equal(st.added, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE canonical_url = "
                              "'http://news0.example.com/e/1'"),
                     1);
}

/* A rule that finds nothing is an error in the source's health, due again
 * on its schedule, not backing off (a search page may have no result
 * today). */
static void a_rule_finding_nothing_is_an_error_due_on_schedule(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    kw_source src;
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    snprintf(src.kind, sizeof src.kind, "html");
    snprintf(src.rules, sizeof src.rules, "{\"item\":\"//div[@class='post']\"}");
    assert_int_equal(kw_store_source_update(f->s, &src), 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    static const char page[] = "<html><body><p>No results for Lumi today.</p></body></html>";
    kw_fetch_response r = {.url = src.url, .final_url = src.url, .status = 200,
                           .error_text = "", .content_type = "text/html", .retry_after = -1,
                           .body = page, .body_len = sizeof page - 1};
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    int64_t t0 = kw_time_now();
    assert_int_equal(kw_crawl_page(c, &src, &r, t0, &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, src.id, &got), 0);
    assert_non_null(strstr(got.last_error, "finds nothing"));
    assert_int_equal(got.consecutive_failures, 1);
    assert_true(got.next_attempt_at >= t0 + 900 && got.next_attempt_at <= kw_time_now() + 900);
    kw_crawl_free(c);
}

/* An error that came from where a redirect led names that page. */
static void an_error_after_a_redirect_names_the_page_it_came_from(void **state)
{
    fixture *f = *state;
    kw_fetch_response r = {.url = f->src[1].url, .final_url = "http://news1.example.com/gone",
                           .status = 404, .error_text = "", .retry_after = -1, .body = ""};
    kw_crawl_stats st = {0};
    crawl_pages(f, &f->src[1], &r, 1, &st);
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &got), 0);
    assert_string_equal(got.last_error,
                        "HTTP 404 (at http://news1.example.com/gone, where a redirect led)");
}

/* A source edited while its page was being read (another URL) keeps what
 * the edit said: the old reading's result is not recorded over it. */
static void a_source_edited_while_read_keeps_the_edit(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b[4096];
    kw_source read_as, edit;
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &read_as), 0);
    kw_fetch_response r = feed(b, sizeof b, &read_as, (const char *const[]){"Lumi old", NULL});
    r.status = 500;
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    edit = read_as; /* the user edits it meanwhile */
    snprintf(edit.url, sizeof edit.url, "http://news0.example.com/new.xml");
    assert_int_equal(kw_store_source_update(f->s, &edit), 0);
    assert_int_equal(kw_crawl_page(c, &read_as, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &got), 0);
    assert_string_equal(got.url, "http://news0.example.com/new.xml");
    assert_true(got.next_attempt_at == KW_TIME_NONE); /* due at once, as the edit said */
    assert_int_equal(got.consecutive_failures, 0);
    assert_string_equal(got.last_error, "");
    kw_crawl_free(c);
}

static void pages_of_an_unflushed_batch_are_not_stored_yet(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096];
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    kw_fetch_response r0 = feed(b0, sizeof b0, &f->src[0],
                                (const char *const[]){"Lumi serum is lovely", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r0, kw_time_now(), &st), 0);
    /* another connection sees nothing before the commit */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    kw_crawl_free(c);
}

/* A source's zone applies to dates its pages write without one; a date
 * with a zone (or a Unix time) is taken as written. */
static void zoneless_dates_are_local_times_of_the_source(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    kw_source *src = &f->src[0];
    src->utc_offset = 8 * 3600;
    assert_int_equal(kw_store_source_update(f->s, src), 0);
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, src->id, &got), 0);
    assert_int_equal(got.utc_offset, 28800);
    static const char body[] =
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
        "<item><link>http://a.example.com/1</link><description>Lumi one</description>"
        "<pubDate>2026-11-20 10:30:00</pubDate></item>"
        "<item><link>http://a.example.com/2</link><description>Lumi two</description>"
        "<pubDate>Fri, 20 Nov 2026 10:30:00 +0800</pubDate></item>"
        "<item><link>http://a.example.com/3</link><description>Lumi three</description>"
        "<pubDate>2026-11-20T10:30:00Z</pubDate></item></channel></rss>";
    kw_fetch_response r = {.url = src->url, .final_url = src->url, .status = 200,
                           .error_text = "", .content_type = "application/rss+xml",
                           .retry_after = -1, .body = body, .body_len = sizeof body - 1};
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_page(c, &got, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    kw_crawl_free(c);
    int64_t local, zoned;
    assert_int_equal(kw_time_parse(&local, "2026-11-20T02:30:00Z"), 0);
    assert_int_equal(kw_time_parse(&zoned, "2026-11-20T10:30:00Z"), 0);
    const char *urls[] = {"http://a.example.com/1", "http://a.example.com/2",
                          "http://a.example.com/3"};
    const int64_t want[] = {local, local, zoned};
    for (int i = 0; i < 3; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM mentions WHERE url = '%s' AND published_at = '%s'",
                 urls[i], i < 2 ? "2026-11-20T02:30:00Z" : "2026-11-20T10:30:00Z");
        if (strcmp(kwt_backend(), "postgres") == 0)
            snprintf(sql, sizeof sql,
                     "SELECT COUNT(*) FROM mentions WHERE url = '%s' AND published_at = "
                     "to_timestamp(%lld)",
                     urls[i], (long long)want[i]);
        if (count(f, sql) != 1)
            fail_msg("%s: not stored at the expected time", urls[i]);
    }
}

/* Every fetch updates the source's health; only those that told something
 * (the first, a failure, a recovery, new mentions) join its history. */
static void fetch_history_keeps_the_fetches_that_told_something(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], sql[200];
    kw_source src;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM fetches WHERE source_id = %lld",
             (long long)f->src[0].id);
    kw_fetch_response ok = feed(b0, sizeof b0, &f->src[0],
                                (const char *const[]){"Lumi serum is lovely", NULL});
    kw_fetch_response down = {.url = f->src[0].url, .status = 503, .error_text = "",
                              .retry_after = -1};
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    const kw_fetch_response *seq[] = {&ok, &ok, &ok, &down, &down, &ok, &ok};
    const int64_t rows[] = {1, 1, 1, 2, 3, 4, 4};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
        assert_int_equal(kw_crawl_page(c, &src, seq[i], kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
        if (count(f, sql) != rows[i])
            fail_msg("after fetch %d: %lld history rows, want %lld", i + 1,
                     (long long)count(f, sql), (long long)rows[i]);
    }
    /* the health is current all the same */
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(src.last_status, 200);
    assert_int_equal(src.consecutive_failures, 0);
    kw_crawl_free(c);
}

/* A source's page that is byte for byte what was read last time is not
 * read again (its health is still updated); one read for other brands or
 * other settings, or that changed, is. */
static void a_page_read_before_is_read_again_only_when_something_changed(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    char b0[4096], b1[4096];
    kw_source src;
    kw_fetch_response r = feed(b0, sizeof b0, &f->src[0],
                               (const char *const[]){"Lumi serum is lovely", NULL});
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        kw_crawl_stats st = {0};
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
        assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
        assert_int_equal(st.pages, 1);
        assert_int_equal(st.unchanged, pass); /* the second time, the same bytes */
        assert_int_equal(st.items, pass ? 0 : 1);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(src.last_status, 200);
    assert_true(src.next_attempt_at > kw_time_now());
    kw_crawl_free(c);

    /* A new brand: the same page is read for it. */
    kw_brand serum = {.name = "Serum", .query = "serum"};
    int64_t bid;
    assert_int_equal(kw_store_brand_add(f->s, &serum, &bid), 0);
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    kw_crawl_stats st = {0};
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.unchanged, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 2);

    /* The source's settings changed (its zone): read again. */
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    src.utc_offset = 8 * 3600;
    assert_int_equal(kw_store_source_update(f->s, &src), 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.unchanged, 0);
    assert_int_equal(st.items, 1);

    /* The page changed: read, and its new item stored. */
    kw_fetch_response r2 = feed(b1, sizeof b1, &f->src[0],
                                (const char *const[]){"Lumi serum is lovely", "Lumi again", NULL});
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(kw_crawl_page(c, &src, &r2, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.unchanged, 0);
    assert_int_equal(st.added, 1);

    /* A failed fetch between two reads of the same page keeps what was
     * read: the page is still the same. */
    kw_fetch_response down = {.url = f->src[0].url, .status = 503, .error_text = "",
                              .retry_after = -1};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
        memset(&st, 0, sizeof st);
        assert_int_equal(kw_crawl_page(c, &src, i ? &r2 : &down, kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
    }
    assert_int_equal(st.unchanged, 1);
    kw_crawl_free(c);
}

/* A page holding more items than a page's limit is read up to it, and the
 * health says what was left: not a failure, and the page is read again
 * next time rather than taken as unchanged. */
static void items_past_a_pages_limit_are_named_in_the_health(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    size_t cap = 10100 * 160 + 256;
    char *buf = malloc(cap);
    const char **texts = calloc(10101, sizeof *texts);
    assert_non_null(buf);
    assert_non_null(texts);
    for (int i = 0; i < 10100; i++)
        texts[i] = i % 1000 == 1 ? "Lumi serum is lovely" : "Weather today";
    kw_source src;
    kw_fetch_response r = feed(buf, cap, &f->src[0], texts);
    r.etag = "\"v1\"";
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        kw_crawl_stats st = {0};
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
        assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
        assert_int_equal(st.unchanged, 0); /* read again, the same bytes */
        assert_int_equal(st.items, 10000);
        assert_int_equal(st.errors, 0);
        kw_source got;
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &got), 0);
        assert_non_null(strstr(got.last_error, "first 10000 items of 10100"));
        assert_int_equal(got.consecutive_failures, 0);
        assert_int_equal(got.last_status, 200);
        char etag[256], lm[256];
        assert_int_equal(kw_store_source_validators(f->s, got.id, etag, sizeof etag, lm, sizeof lm), 0);
        assert_string_equal(etag, ""); /* no 304 for it */
        assert_true(got.next_attempt_at > kw_time_now());
    }
    /* the page shrinks within the limit: the note goes */
    texts[9000] = NULL;
    r = feed(buf, cap, &f->src[0], texts);
    kw_crawl_stats st = {0};
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_string_equal(src.last_error, "");
    kw_crawl_free(c);
    free(texts);
    free(buf);
}

/* `source rm` while a source's page is being fetched: the page is
 * dropped, said as such (KW_EGONE), and the rest of its batch stays. */
static void a_source_removed_while_read_is_dropped_and_said(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    char b0[4096], b1[4096];
    kw_source src0, src1;
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src0), 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &src1), 0);
    kw_fetch_response r0 = feed(b0, sizeof b0, &src0, (const char *const[]){"Lumi kept", NULL});
    kw_fetch_response r1 = feed(b1, sizeof b1, &src1, (const char *const[]){"Lumi gone", NULL});
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    kw_crawl_stats st = {0};
    assert_int_equal(kw_crawl_page(c, &src0, &r0, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(kw_store_source_remove(f->s, src1.id), 0);
    assert_int_equal(kw_crawl_page(c, &src1, &r1, kw_time_now(), &st), KW_EGONE);
    assert_non_null(strstr(kw_error_last(), "was removed while it was being crawled"));
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.pages, 1);
    assert_int_equal(st.errors, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi kept'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi gone'"), 0);
    kw_crawl_free(c);
}

/* A source whose items go on over next= pages is read every time: its
 * first page may stay the same while a later one grows (a forum thread). */
static void a_source_with_next_pages_is_always_read(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_source src;
    static const char page[] = "<html><body><ul><li>Lumi thread, first post</li></ul>"
                               "<a rel=next href='/t/1?page=2'>next</a></body></html>";
    assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &src), 0);
    snprintf(src.kind, sizeof src.kind, "html");
    snprintf(src.rules, sizeof src.rules, "{\"item\":\"//li\",\"next\":\"//a[@rel='next']/@href\"}");
    assert_int_equal(kw_store_source_update(f->s, &src), 0);
    kw_fetch_response r = {.url = src.url, .final_url = src.url, .status = 200, .error_text = "",
                           .content_type = "text/html; charset=utf-8", .retry_after = -1,
                           .body = page, .body_len = sizeof page - 1};
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        kw_crawl_stats st = {0};
        assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &src), 0);
        assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
        assert_non_null(kw_crawl_next(c));
        assert_int_equal(kw_crawl_flush(c), 0);
        assert_int_equal(st.unchanged, 0);
        assert_int_equal(st.items, 1);
    }
    kw_crawl_free(c);
}

/* A crawler that keeps going loads the brands again between passes when
 * they changed: a brand added is matched, a brand removed (its mentions
 * with it) and added again gets its mentions again, though the pipeline
 * had stored them before. */
static void brands_changed_between_passes_are_picked_up(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], b1[4096];
    int changed = -1;
    kw_fetch_response r = feed(b0, sizeof b0, &f->src[0],
                               (const char *const[]){"Lumi serum, Nova cream", NULL});
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_reload(c, &changed, NULL), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 1); /* flushed */

    kw_brand nova = {.name = "Nova", .query = "Nova"};
    int64_t nova_id;
    assert_int_equal(kw_store_brand_add(f->s, &nova, &nova_id), 0);
    assert_int_equal(kw_crawl_reload(c, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(kw_crawl_brands(c), 3);
    kw_fetch_response r1 = feed(b1, sizeof b1, &f->src[0],
                                (const char *const[]){"Lumi serum, Nova cream", "x", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r1, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 2);

    /* Lumi removed (its mention too: Nova keeps it) and Nova removed: the
     * mention is gone; both added again, the same page stores it again. */
    kw_brand *b = NULL;
    assert_int_equal(kw_store_brand_find(f->s, "Lumi", &b), 0);
    assert_int_equal(kw_store_brand_remove(f->s, b->id), 0);
    kw_brand_free(b);
    assert_int_equal(kw_store_brand_remove(f->s, nova_id), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 0);
    kw_brand lumi = {.name = "Lumi", .query = "Lumi"};
    int64_t id;
    assert_int_equal(kw_store_brand_add(f->s, &lumi, &id), 0);
    assert_int_equal(kw_store_brand_add(f->s, &nova, &id), 0);
    assert_int_equal(kw_crawl_reload(c, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    memset(&st, 0, sizeof st);
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.added, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 2);
    kw_crawl_free(c);
}

/* A brand removed while a crawl runs is dropped, not failed on: the next
 * batch begins with the brands as they are (its pages named the brand,
 * and every one failed on a foreign key); on PostgreSQL, where the brand
 * can go in the middle of a batch, the page that meets it is read again
 * for the brands as they are. */
static void a_brand_removed_while_crawling_is_dropped_not_failed_on(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], b1[4096];
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_crawl_brands(c), 2);
    kw_brand *gone = NULL;
    assert_int_equal(kw_store_brand_find(f->s, "Gone", &gone), 0);
    assert_int_equal(kw_store_brand_remove(f->s, gone->id), 0);
    kw_brand_free(gone);
    kw_fetch_response r0 = feed(b0, sizeof b0, &f->src[0],
                                (const char *const[]){"Lumi again, fine", "Gone is awful", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r0, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(kw_crawl_brands(c), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text LIKE 'Lumi again%'"), 1);
    if (strncmp(f->url, "postgres", 8) == 0) {
        /* mid-batch: another connection adds and removes a brand */
        kw_brand nova = {.name = "Nova", .query = "Nova"};
        int64_t id;
        assert_int_equal(kw_store_brand_add(f->s, &nova, &id), 0);
        kw_fetch_response r1 = feed(b1, sizeof b1, &f->src[1],
                                    (const char *const[]){"Lumi second", NULL});
        assert_int_equal(kw_crawl_page(c, &f->src[1], &r1, kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_brands(c), 2); /* Nova, at the batch's start */
        kw_store *other = NULL;
        assert_int_equal(kw_store_open(&other, f->url, NULL), 0);
        assert_int_equal(kw_store_brand_remove(other, id), 0);
        kw_store_free(other);
        kw_fetch_response r2 = feed(b0, sizeof b0, &f->src[2],
                                    (const char *const[]){"Lumi and Nova", NULL});
        assert_int_equal(kw_crawl_page(c, &f->src[2], &r2, kw_time_now(), &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text IN ('Lumi second', "
                                  "'Lumi and Nova')"),
                         2);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM mention_brands"), 3);
    }
    kw_crawl_free(c);
}

/* A page undone with its batch leaves nothing the pipeline believes is
 * stored: the same item on a later page is stored. */
static void an_item_undone_with_its_page_is_stored_when_seen_again(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], b1[4096];
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    refuse_gone(f);
    /* src[1]'s first item is stored, then its second fails the page */
    kw_fetch_response bad = feed(b0, sizeof b0, &f->src[1],
                                 (const char *const[]){"Lumi again, fine", "Gone is awful", NULL});
    kw_fetch_response good = feed(b1, sizeof b1, &f->src[1],
                                  (const char *const[]){"Lumi again, fine", NULL});
    assert_int_not_equal(kw_crawl_page(c, &f->src[1], &bad, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_page(c, &f->src[1], &good, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text LIKE 'Lumi again%'"), 1);
    kw_crawl_free(c);
}

/* A page written again with its batch that fails this time leaves
 * nothing the pipeline believes is stored: an item it had stored before
 * failing is stored when seen again. */
static void a_page_failing_when_its_batch_is_written_again_leaves_nothing_known(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    char b0[4096], b1[4096], b2[4096];
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    /* batch 1: src[0]'s /i/1 is stored for Gone */
    kw_fetch_response r = feed(b0, sizeof b0, &f->src[0],
                               (const char *const[]){"weather", "Gone is awful", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    /* its Gone mention goes, the pipeline not told, and no other is taken */
    assert_int_equal(kwt_sql_try(f->url, "DELETE FROM mentions WHERE text LIKE 'Gone%'"), 0);
    refuse_gone(f);
    /* batch 2: src[0] stores a new Lumi item, its Gone item believed
     * known; src[1] fails, so the batch is written again, and src[0]
     * fails this time (its Gone item must now be stored) */
    kw_fetch_response r0 = feed(b0, sizeof b0, &f->src[0],
                                (const char *const[]){"Lumi new serum", "Gone is awful", NULL});
    kw_fetch_response r1 = feed(b1, sizeof b1, &f->src[1],
                                (const char *const[]){"Gone again", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[0], &r0, kw_time_now(), &st), 0);
    assert_int_not_equal(kw_crawl_page(c, &f->src[1], &r1, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi new serum'"), 0);
    /* the same Lumi item, on another page: stored */
    kw_fetch_response r2 = feed(b2, sizeof b2, &f->src[0],
                                (const char *const[]){"Lumi new serum", NULL});
    assert_int_equal(kw_crawl_page(c, &f->src[2], &r2, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions WHERE text = 'Lumi new serum'"), 1);
    kw_crawl_free(c);
}

/* A brand removed and added again is new to the crawler, though SQLite
 * may give it its old id back: the same page is read again for it. */
static void a_brand_removed_and_added_again_gets_its_mentions_again(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    kw_source src;
    char b0[4096];
    int changed = -1;
    kw_fetch_response r = feed(b0, sizeof b0, &f->src[0],
                               (const char *const[]){"Gone is awful", NULL});
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    kw_brand *gone = NULL;
    assert_int_equal(kw_store_brand_find(f->s, "Gone", &gone), 0);
    assert_int_equal(kw_store_brand_remove(f->s, gone->id), 0);
    kw_brand again = {.name = "Gone", .query = "Gone"};
    int64_t id;
    assert_int_equal(kw_store_brand_add(f->s, &again, &id), 0);
    kw_brand_free(gone);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 0);
    assert_int_equal(kw_crawl_reload(c, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    memset(&st, 0, sizeof st);
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &src), 0);
    assert_int_equal(kw_crawl_page(c, &src, &r, kw_time_now(), &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    assert_int_equal(st.unchanged, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM mentions"), 1);
    kw_crawl_free(c);
}

/* Retry-After is honoured, but a wrong or hostile one (years) must not
 * silence a source: at most a week. The backoff doubles at most six times
 * and to a day. */
static void backoff__honours_retry_after_up_to_a_week(void **state)
{
    (void)state;
    kw_source src = {.id = 7, .every_s = 900};
    int64_t now = 1790000000;
    assert_true(kw_crawl_backoff(&src, now, 7200) - now >= 7200);
    assert_true(kw_crawl_backoff(&src, now, 7200) - now <= 7200);
    assert_int_equal(kw_crawl_backoff(&src, now, 99999999) - now, 7 * 86400);
    /* a Retry-After shorter than the backoff does not shorten it */
    int64_t w = kw_crawl_backoff(&src, now, 60) - now;
    assert_true(w >= 1350 && w <= 1800);
}

/* Failures in a row double the wait (less up to a quarter, to spread the
 * sources that failed together) up to a day, never past it, however long
 * the source's schedule or the run of failures. */
static void backoff__doubles_with_each_failure_up_to_a_day(void **state)
{
    (void)state;
    int64_t now = 1790000000;
    kw_source src = {.id = 7, .every_s = 60};
    int64_t expect = 120;
    for (int fails = 0; fails < 14; fails++) {
        src.consecutive_failures = fails;
        for (int64_t t = now; t < now + 50; t++) { /* the jitter moves with the clock */
            int64_t w = kw_crawl_backoff(&src, t, -1) - t;
            if (w < expect - expect / 4 || w > expect)
                fail_msg("%d failures: waits %lld s, not %lld s less up to a quarter", fails,
                         (long long)w, (long long)expect);
        }
        expect = expect * 2 < 86400 ? expect * 2 : 86400;
    }
    src.every_s = 12 * 3600; /* twice 12 h is past the day: a day */
    src.consecutive_failures = 0;
    int64_t w = kw_crawl_backoff(&src, now, -1) - now;
    assert_true(w >= 64800 && w <= 86400);
    src.consecutive_failures = 1000;
    w = kw_crawl_backoff(&src, now, -1) - now;
    assert_true(w >= 64800 && w <= 86400);
}

/* A source skipped because its robots.txt could not be had backs off as a
 * failed fetch does (with the robots.txt's Retry-After); one that robots.txt
 * disallows is due again on its schedule. */
static void skip__a_failed_robots_txt_backs_off_a_disallowed_page_does_not(void **state)
{
    fixture *f = *state;
    kw_crawl *c = NULL;
    kw_crawl_stats st = {0};
    kw_source got;
    assert_int_equal(kw_crawl_new(&c, f->s, f->sc, NULL), 0);
    /* a failure before, then robots.txt disallows the page for a while */
    assert_int_equal(kw_crawl_skip(c, &f->src[0], "not fetched: robots.txt answered 500", 1, -1,
                                   &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    int64_t t0 = kw_time_now();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &got), 0);
        assert_int_equal(kw_crawl_skip(c, &got, "not fetched: robots.txt disallows it", 0, -1,
                                       &st), 0);
        assert_int_equal(kw_crawl_flush(c), 0);
    }
    assert_int_equal(st.errors, 1); /* the 500 alone */
    assert_int_equal(kw_crawl_skip(c, &f->src[1], "not fetched: robots.txt answered 503", 1,
                                   7200, &st), 0);
    assert_int_equal(kw_crawl_skip(c, &f->src[2], "not fetched: robots.txt answered 500", 1, -1,
                                   &st), 0);
    assert_int_equal(kw_crawl_flush(c), 0);
    int64_t t1 = kw_time_now();
    assert_int_equal(kw_store_source_get(f->s, f->src[0].id, &got), 0);
    assert_true(got.next_attempt_at >= t0 + 900 && got.next_attempt_at <= t1 + 900);
    /* said, but no failure: the next real failure backs off from the start */
    assert_non_null(strstr(got.last_error, "disallows"));
    assert_int_equal(got.consecutive_failures, 0);
    assert_int_equal(kw_store_source_get(f->s, f->src[1].id, &got), 0);
    assert_true(got.next_attempt_at >= t0 + 7200 && got.next_attempt_at <= t1 + 7200);
    assert_int_equal(got.consecutive_failures, 1);
    assert_int_equal(kw_store_source_get(f->s, f->src[2].id, &got), 0);
    assert_true(got.next_attempt_at >= t0 + 1350 && got.next_attempt_at <= t1 + 1800);
    assert_int_equal(got.consecutive_failures, 1);
    assert_non_null(strstr(got.last_error, "robots.txt answered 500"));
    kw_crawl_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff__honours_retry_after_up_to_a_week),
        cmocka_unit_test(backoff__doubles_with_each_failure_up_to_a_day),
        cmocka_unit_test_setup_teardown(
            skip__a_failed_robots_txt_backs_off_a_disallowed_page_does_not, setup, teardown),
        cmocka_unit_test_setup_teardown(a_page_failing_half_way_is_undone_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(
            items_linking_to_no_page_of_their_own_are_kept_apart_by_text, setup, teardown),
        cmocka_unit_test_setup_teardown(a_page_linked_in_equivalent_spellings_is_one_mention,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_brand_removed_while_crawling_is_dropped_not_failed_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            links_equal_to_the_page_or_shared_by_items_are_no_links_of_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(
            posts_without_links_are_known_by_author_and_text_on_any_page, setup, teardown),
        cmocka_unit_test_setup_teardown(
            an_article_declaring_another_pages_address_is_stored_under_its_own, setup, teardown),
        cmocka_unit_test_setup_teardown(an_entry_given_twice_is_stored_once_under_its_link,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_error_after_a_redirect_names_the_page_it_came_from,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_rule_finding_nothing_is_an_error_due_on_schedule, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_source_edited_while_read_keeps_the_edit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pages_of_an_unflushed_batch_are_not_stored_yet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(zoneless_dates_are_local_times_of_the_source, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fetch_history_keeps_the_fetches_that_told_something,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_page_read_before_is_read_again_only_when_something_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_source_with_next_pages_is_always_read, setup, teardown),
        cmocka_unit_test_setup_teardown(items_past_a_pages_limit_are_named_in_the_health, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_source_removed_while_read_is_dropped_and_said, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(brands_changed_between_passes_are_picked_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_item_undone_with_its_page_is_stored_when_seen_again,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_page_failing_when_its_batch_is_written_again_leaves_nothing_known, setup, teardown),
        cmocka_unit_test_setup_teardown(a_brand_removed_and_added_again_gets_its_mentions_again,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
