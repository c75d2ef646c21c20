/*
 * The storage interface, run against SQLite and (as store/test_store/pg)
 * against PostgreSQL: both back ends must behave the same.
 */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    char *dir, *url;
    kw_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    kw_store_options opt = {.create = 1, .skip_version = 1};
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kw_store_free(f->s);
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    return 0;
}

static int64_t add_brand(kw_store *s, const char *name)
{
    kw_brand b = {.name = (char *)name, .query = (char *)name};
    int64_t id = 0;
    assert_int_equal(kw_store_brand_add(s, &b, &id), 0);
    assert_true(id > 0);
    return id;
}

static kw_mention mention(const char *url, const char *platform, int64_t published)
{
    kw_mention m = {.url = url, .canonical_url = url, .platform = platform,
                    .text = "some text", .published_at = published,
                    .fetched_at = KW_TIME_NONE, .likes = -1, .comments = -1,
                    .shares = -1, .views = -1, .reach = -1};
    return m;
}

typedef struct sums {
    int64_t n_all, n_pos, n_neg, n_neu, reach, buckets;
    int64_t last_start;
} sums;

static int sum_bucket(void *ctx, const kw_bucket *b)
{
    sums *s = ctx;
    s->n_all += b->n_all;
    s->n_pos += b->n_pos;
    s->n_neg += b->n_neg;
    s->n_neu += b->n_neu;
    s->reach += b->reach;
    s->buckets++;
    s->last_start = b->start;
    return 0;
}

static sums bucket_sums(kw_store *s, int64_t brand)
{
    sums out = {0};
    assert_int_equal(kw_store_bucket_each(s, brand, KW_TIME_NONE, KW_TIME_NONE,
                                          sum_bucket, &out), 0);
    return out;
}

/* Undo schema 7 (sources' canonical URL), for a test of an older upgrade. */
static void drop_schema_7(const char *url)
{
    kwt_sql_int(url, "DROP INDEX sources_canonical");
    kwt_sql_int(url, "ALTER TABLE sources DROP COLUMN canonical_url");
}

static void migrate__is_idempotent_and_records_the_version(void **state)
{
    fixture *f = *state;
    int applied = -1, current = 0, known = 0;
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(kw_store_version(f->s, &current, &known), 0);
    assert_true(known >= 1);
    assert_int_equal(current, known);
}

/* A database made by an older kolwatch (schema 1, without sources'
 * utc_offset) is refused until `migrate`, which keeps its sources and reads
 * their dates as UTC, as before. */
static void migrate__upgrades_a_version_1_database_keeping_its_sources(void **state)
{
    fixture *f = *state;
    kw_source src = {.every_s = 900, .enabled = 1};
    snprintf(src.kind, sizeof src.kind, "feed");
    snprintf(src.url, sizeof src.url, "https://news.example.com/rss");
    snprintf(src.platform, sizeof src.platform, "news");
    snprintf(src.rules, sizeof src.rules, "{}");
    int64_t id;
    assert_int_equal(kw_store_source_add(f->s, &src, &id), 0);
    kw_store_free(f->s);
    f->s = NULL;
    /* back to schema 1 */
    drop_schema_7(f->url);
    kwt_sql_int(f->url, "ALTER TABLE sources DROP COLUMN content_digest");
    kwt_sql_int(f->url, "ALTER TABLE sources DROP COLUMN utc_offset");
    kwt_sql_int(f->url, "DELETE FROM schema_version WHERE version >= 2");
    assert_int_equal(kw_store_open(&f->s, f->url, NULL), KW_EVERSION);
    assert_non_null(strstr(kw_error_last(), "kolwatch migrate"));
    kw_store_options opt = {.skip_version = 1};
    int applied = 0;
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 7);
    kw_source got;
    assert_int_equal(kw_store_source_get(f->s, id, &got), 0);
    assert_string_equal(got.url, "https://news.example.com/rss");
    assert_int_equal(got.utc_offset, 0);
    assert_string_equal(got.content_digest, ""); /* its next page is read in full */
}

/* Schema 5 writes SQLite's rule for a mention's label without an IN list
 * (which SQLite checked by building a table for every insert): a database
 * at version 4 is upgraded in place, its mentions kept, and the rule still
 * takes positive, negative, neutral and no label, and refuses anything
 * else, on both back ends. */
static void migrate__version_5_keeps_the_label_rule_and_the_mentions(void **state)
{
    fixture *f = *state;
    int sqlite = strcmp(kwt_backend(), "sqlite") == 0;
    kw_mention m = mention("https://a.example/1", "news", 1790000000);
    m.scored = 1;
    m.label = "negative";
    int64_t id = 0;
    assert_int_equal(kw_store_mention_put(f->s, &m, NULL, 0, NULL, &id), 0);
    kw_store_free(f->s);
    f->s = NULL;
    /* back to schema 4, with the rule as version 1 wrote it */
    if (sqlite)
        assert_int_equal(kwt_sql_try(f->url, "PRAGMA writable_schema = ON; "
                                             "UPDATE sqlite_schema SET sql = replace(sql, "
                                             "'CHECK (label = ''positive'' OR label = "
                                             "''negative'' OR label = ''neutral'')', "
                                             "'CHECK (label IN (''positive'', ''negative'', "
                                             "''neutral''))') WHERE name = 'mentions'; "
                                             "PRAGMA writable_schema = RESET;"),
                         0);
    drop_schema_7(f->url);
    kwt_sql_int(f->url, "DELETE FROM schema_version WHERE version >= 5");
    if (sqlite)
        assert_int_equal(kwt_sql_int(f->url, "SELECT instr(sql, 'label IN (') > 0 FROM "
                                             "sqlite_schema WHERE name = 'mentions'"),
                         1);
    /* a connection that read the schema before the upgrade, and writes to
     * it after: it must read the new text first */
    sqlite3 *old = NULL;
    if (sqlite) {
        const char *path = strncmp(f->url, "sqlite:", 7) == 0 ? f->url + 7 : f->url;
        assert_int_equal(sqlite3_open(path, &old), SQLITE_OK);
        assert_int_equal(sqlite3_exec(old, "SELECT COUNT(*) FROM mentions", NULL, NULL, NULL),
                         SQLITE_OK);
    }
    kw_store_options opt = {.skip_version = 1};
    int applied = 0;
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 4);
    if (sqlite) {
        assert_int_equal(sqlite3_exec(old, "ALTER TABLE mentions ADD COLUMN note TEXT", NULL,
                                      NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(old);
        assert_int_equal(kwt_sql_int(f->url, "SELECT instr(sql, ' scored_at ') > 0 FROM "
                                             "sqlite_schema WHERE name = 'mentions'"),
                         1);
        assert_int_equal(kwt_sql_int(f->url, "SELECT instr(sql, 'label IN (') FROM "
                                             "sqlite_schema WHERE name = 'mentions'"),
                         0);
        assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM pragma_integrity_check "
                                             "WHERE integrity_check <> 'ok'"),
                         0);
    }
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE label = "
                                         "'negative'"),
                     1);
    static const char *const ok[] = {"'positive'", "'negative'", "'neutral'", "NULL"};
    static const char *const bad[] = {"'Positive'", "'mixed'", "''"};
    char sql[400];
    for (int i = 0; i < 7; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO mentions (url, canonical_url, platform, text, fetched_at, "
                 "label) VALUES ('u%d', 'u%d', 'news', 't', '2026-01-01T00:00:00Z', %s)",
                 i, i, i < 4 ? ok[i] : bad[i - 4]);
        assert_int_equal(kwt_sql_try(f->url, sql), i < 4 ? 0 : -1);
    }
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 5);
    m = mention("https://a.example/2", "news", 1790000000);
    m.scored = 1;
    m.label = "neutral";
    assert_int_equal(kw_store_mention_put(f->s, &m, NULL, 0, NULL, &id), 0);
}

/* Schema 6 drops SQLite's index on when sources are due (it could not
 * serve the due rule, and every fetch paid to move its entry): a database
 * at version 5 is upgraded, and the due sources are still the enabled ones
 * never fetched or whose next attempt has come, the longest waiting first,
 * at most the limit asked for, on both back ends. */
static void migrate__version_6_due_sources_are_found_without_the_index(void **state)
{
    fixture *f = *state;
    int sqlite = strcmp(kwt_backend(), "sqlite") == 0;
    const int64_t now = 1790000000;
    /* next attempt (KW_TIME_NONE: never fetched), enabled */
    static const struct {
        int64_t next;
        int enabled;
    } plan[] = {{now + 60, 1}, {now - 10, 1}, {KW_TIME_NONE, 1}, {now - 300, 1},
                {now - 500, 0}, {now, 1}, {now + 1, 1}};
    int64_t id[7];
    for (int i = 0; i < 7; i++) {
        kw_source src = {.every_s = 900, .enabled = plan[i].enabled};
        snprintf(src.kind, sizeof src.kind, "feed");
        snprintf(src.url, sizeof src.url, "https://news%d.example.com/rss", i);
        snprintf(src.platform, sizeof src.platform, "news");
        snprintf(src.rules, sizeof src.rules, "{}");
        assert_int_equal(kw_store_source_add(f->s, &src, &id[i]), 0);
        if (plan[i].next == KW_TIME_NONE)
            continue;
        kw_fetch_record r = {.source_id = id[i], .url = src.url, .started_at = now - 900,
                             .finished_at = now - 900, .next_attempt_at = plan[i].next,
                             .status = 200, .bytes = 10, .items = 0, .new_mentions = 0};
        assert_int_equal(kw_store_source_record(f->s, &r), 0);
    }
    kw_store_free(f->s);
    f->s = NULL;
    /* back to schema 5, index and all */
    kwt_sql_int(f->url, "CREATE INDEX IF NOT EXISTS sources_due ON sources (enabled, "
                        "next_attempt_at)");
    drop_schema_7(f->url);
    kwt_sql_int(f->url, "DELETE FROM schema_version WHERE version >= 6");
    kw_store_options opt = {.skip_version = 1};
    int applied = 0;
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 3);
    if (sqlite)
        assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sqlite_schema WHERE "
                                             "name = 'sources_due'"),
                         0);
    kw_source *due = NULL;
    size_t n = 0;
    assert_int_equal(kw_store_source_due(f->s, now, 10, &due, &n), 0);
    /* the longest waiting first: next attempts now-300, now-10, now; the
     * never-fetched one waits from when it was added (just now, later) */
    assert_int_equal(n, 4);
    assert_int_equal(due[0].id, id[3]);
    assert_int_equal(due[1].id, id[1]);
    assert_int_equal(due[2].id, id[5]);
    assert_int_equal(due[3].id, id[2]);
    free(due);
    assert_int_equal(kw_store_source_due(f->s, now, 2, &due, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(due[0].id, id[3]);
    free(due);
}

static int64_t add_source(kw_store *s, const char *kind, const char *url, int *rc)
{
    kw_source src = {.every_s = 900, .enabled = 1};
    snprintf(src.kind, sizeof src.kind, "%s", kind);
    snprintf(src.url, sizeof src.url, "%s", url);
    snprintf(src.platform, sizeof src.platform, "news");
    snprintf(src.rules, sizeof src.rules, "{}");
    int64_t id = 0;
    *rc = kw_store_source_add(s, &src, &id);
    return id;
}

/* Schema 7 keeps each source's canonical URL in an indexed column, so
 * that a duplicate is found by one lookup, not by reading every source of
 * its kind. A database at version 6 is upgraded with the column filled
 * for the sources it has (a URL with no canonical form stays NULL), and
 * the same feed written another way is still refused. */
static void migrate__version_7_fills_the_canonical_urls_of_stored_sources(void **state)
{
    fixture *f = *state;
    int rc;
    int64_t a = add_source(f->s, "feed", "HTTPS://News.Example.com:443/rss?b=2&a=1#top", &rc);
    assert_int_equal(rc, 0);
    int64_t b = add_source(f->s, "html", "https://news.example.com/post/1?utm_source=x", &rc);
    assert_int_equal(rc, 0);
    kw_store_free(f->s);
    f->s = NULL;
    /* back to schema 6, plus a row only SQL could have written */
    drop_schema_7(f->url);
    kwt_sql_int(f->url, "DELETE FROM schema_version WHERE version >= 7");
    kwt_sql_int(f->url, "INSERT INTO sources (kind, url, platform, rules, every_s, enabled, "
                        "created_at) VALUES ('feed', 'no scheme', 'news', '{}', 900, 1, "
                        "'2026-01-01T00:00:00Z')");
    kw_store_options opt = {.skip_version = 1};
    int applied = 0;
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 2);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sources WHERE id = %lld AND canonical_url = "
                              "'https://news.example.com/rss?a=1&b=2'", (long long)a);
    assert_int_equal(kwt_sql_int(f->url, sql), 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sources WHERE id = %lld AND canonical_url = "
                              "'https://news.example.com/post/1'", (long long)b);
    assert_int_equal(kwt_sql_int(f->url, sql), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE url = 'no scheme' "
                                         "AND canonical_url IS NULL"), 1);
    add_source(f->s, "feed", "https://NEWS.example.com/rss?a=1&b=2", &rc);
    assert_int_equal(rc, KW_EEXISTS);
    assert_non_null(strstr(kw_error_last(), "already fetches"));
    add_source(f->s, "feed", "https://news.example.com/post/1", &rc);
    assert_int_equal(rc, 0); /* another kind: not the html source's */
}

/* Schema 8 writes canonical URLs in one spelling of RFC 3986's
 * equivalents. A database at version 7 has its stored keys rewritten: a
 * mention stored under "%e9%9c%b2" or "/a/./b" is found under the key a
 * crawl makes now (past the first thousand rows too), a linkless post
 * keeps its "#kw-" part, a key another mention has already stays as it
 * was (both kept), and a source's canonical URL follows. */
static void migrate__version_8_rewrites_stored_keys_in_one_spelling(void **state)
{
    fixture *f = *state;
    int rc;
    int64_t src = add_source(f->s, "feed", "https://news.example.com/%72ss", &rc);
    assert_int_equal(rc, 0);
    kw_store_free(f->s);
    f->s = NULL;
    char sql[600];
    snprintf(sql, sizeof sql, "UPDATE sources SET canonical_url = "
                              "'https://news.example.com/%%72ss' WHERE id = %lld", (long long)src);
    kwt_sql_int(f->url, sql);
    kwt_sql_int(f->url, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
                        "WHERE i < 1000) INSERT INTO mentions (url, canonical_url, platform, "
                        "text, fetched_at) SELECT 'u', 'https://e.com/n/' || i, 'news', 't', "
                        "'2026-01-01T00:00:00Z' FROM c");
    static const char *const keys[] = {
        "https://e.com/tag/%e9%9c%b2", "https://e.com/a/./b",
        "https://e.com/%7Eboard#kw-0123456789abcdef", "https://e.com/rss", "https://e.com/%72ss",
        "https://e.com/late/%41"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO mentions (url, canonical_url, platform, text, "
                                  "fetched_at) VALUES ('u', '%s', 'news', 't', "
                                  "'2026-01-01T00:00:00Z')", keys[i]);
        kwt_sql_int(f->url, sql);
    }
    kwt_sql_int(f->url, "DELETE FROM schema_version WHERE version >= 8");
    kw_store_options opt = {.skip_version = 1};
    int applied = 0;
    assert_int_equal(kw_store_open(&f->s, f->url, &opt), 0);
    assert_int_equal(kw_store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, 1);
    static const char *const now[] = {
        "https://e.com/tag/%E9%9C%B2", "https://e.com/a/b",
        "https://e.com/~board#kw-0123456789abcdef", "https://e.com/rss", "https://e.com/%72ss",
        "https://e.com/late/A", "https://e.com/n/1000"};
    for (size_t i = 0; i < sizeof now / sizeof *now; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM mentions WHERE canonical_url = '%s'",
                 now[i]);
        assert_int_equal(kwt_sql_int(f->url, sql), 1);
    }
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 1006);
    int result;
    int64_t acme = add_brand(f->s, "Acme"), id = 0;
    assert_int_equal(kw_store_mention_link_known(f->s, "https://e.com/tag/%E9%9C%B2", &acme, 1,
                                                 &result, &id),
                     0);
    assert_true(id > 0);
    add_source(f->s, "feed", "https://news.example.com/rss", &rc);
    assert_int_equal(rc, KW_EEXISTS);
}

/* The canonical URL follows a source's edits: once a source moves to
 * another URL, its old one is free and its new one taken. */
static void source_edit__moves_the_canonical_url_with_the_url(void **state)
{
    fixture *f = *state;
    int rc;
    kw_source src;
    int64_t id = add_source(f->s, "feed", "https://a.example.com/rss", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kw_store_source_get(f->s, id, &src), 0);
    snprintf(src.url, sizeof src.url, "https://b.example.com/rss");
    assert_int_equal(kw_store_source_update(f->s, &src), 0);
    add_source(f->s, "feed", "https://A.example.com/rss#new", &rc);
    assert_int_equal(rc, 0);
    add_source(f->s, "feed", "https://B.example.com:443/rss", &rc);
    assert_int_equal(rc, KW_EEXISTS);
    kw_source found;
    assert_int_equal(kw_store_source_find(f->s, "feed", "https://b.example.com/rss?utm_medium=x",
                                          &found), 0);
    assert_int_equal(found.id, id);
}

static void fetched(kw_store *s, int64_t id, int64_t at, int64_t next, const char *error)
{
    kw_fetch_record r = {.source_id = id, .url = "x", .started_at = at, .finished_at = at,
                         .next_attempt_at = next, .status = error ? 404 : 200, .bytes = 1,
                         .items = 0, .new_mentions = 0, .error = error};
    assert_int_equal(kw_store_source_record(s, &r), 0);
}

/* Claims: a crawler whose claim ran out and was taken by another records
 * nothing for that source (KW_ELOST) and leaves the other's claim be; one
 * source is claimed by id, due or not, unless another crawler holds a live
 * claim on it. */
static void claims__a_lapsed_claim_taken_by_another_is_left_to_it(void **state)
{
    fixture *f = *state;
    int rc;
    const int64_t t = kw_time_now();
    int64_t id = add_source(f->s, "feed", "https://a.example.com/rss", &rc);
    kw_source *got = NULL, one;
    size_t n = 0;
    assert_int_equal(kw_store_source_claim(f->s, "a:1", t - 100, 3, 10, &got, &n), 0);
    assert_int_equal(n, 1);
    free(got);
    /* a's lease (3 s from t - 100) ran out: b claims the source, by id */
    kw_store *b = NULL;
    assert_int_equal(kw_store_open(&b, f->url, NULL), 0);
    assert_int_equal(kw_store_source_claim_one(b, "b:2", id, t, 60, &one), 0);
    assert_int_equal(one.id, id);
    kw_fetch_record r = {.source_id = id, .url = "x", .started_at = t, .finished_at = t,
                         .next_attempt_at = t + 900, .status = 200, .bytes = 1, .items = 0,
                         .new_mentions = 0};
    assert_int_equal(kw_store_source_record(f->s, &r), KW_ELOST);
    assert_non_null(strstr(kw_error_last(), "another crawler's now (b:2)"));
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner = "
                                         "'b:2' AND last_fetched_at IS NULL"),
                     1);
    /* a live claim is not taken by id either; the holder's record goes in */
    assert_int_equal(kw_store_source_claim_one(f->s, "a:1", id, t, 60, &one), KW_EBUSY);
    assert_non_null(strstr(kw_error_last(), "another crawler (b:2)"));
    assert_int_equal(kw_store_source_record(b, &r), 0);
    /* the record keeps the claim (more pages may follow): still not a's */
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner = "
                                         "'b:2' AND last_status = 200"),
                     1);
    assert_int_equal(kw_store_source_claim_one(f->s, "a:1", id, t, 60, &one), KW_EBUSY);
    assert_int_equal(kw_store_source_release(b, "b:2"), 0);
    /* released, it is a's to claim by id, due or not */
    assert_int_equal(kw_store_source_claim_one(f->s, "a:1", id, t, 60, &one), 0);
    assert_int_equal(kw_store_source_claim_one(f->s, "a:1", id + 99, t, 60, &one), KW_ENOTFOUND);
    kw_store_free(b);
    /* edited while a's crawl read it: nothing recorded, the claim let go,
     * so that the edit's "due at once" is not held up by the lease */
    snprintf(one.url, sizeof one.url, "https://a.example.com/other");
    assert_int_equal(kw_store_source_update(f->s, &one), 0);
    r.as_url = "https://a.example.com/rss";
    r.as_kind = "feed";
    r.as_rules = "{}";
    assert_int_equal(kw_store_source_record(f->s, &r), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM sources WHERE lease_owner IS "
                                         "NULL AND next_attempt_at IS NULL"),
                     1);
    /* when the next source is due: now for this one; none when all are
     * claimed */
    int64_t at = 0;
    assert_int_equal(kw_store_source_next_due(f->s, t, &at), 0);
    assert_true(at != KW_TIME_NONE && at <= t);
    assert_int_equal(kw_store_source_claim_one(f->s, "a:1", id, t, 60, &one), 0);
    assert_int_equal(kw_store_source_next_due(f->s, t, &at), 0);
    assert_true(at == KW_TIME_NONE);
}

/* The database server's clock, read against this machine's: the same
 * machine here, so they agree to the second (SQLite: 0 by definition). */
static void clock_ahead__reads_the_servers_clock(void **state)
{
    fixture *f = *state;
    int64_t ahead = 99;
    assert_int_equal(kw_store_clock_ahead(f->s, &ahead), 0);
    assert_true(ahead >= -1 && ahead <= 1);
}

/* An edit takes effect at the next crawl: a new interval counts from the
 * last fetch; a source pointed at another URL (or kind, or rules) is due at
 * once without the old reading's health; a source backing off keeps its
 * backoff when only its interval changes; other edits move nothing. */
static void source_edit__reschedules_what_it_changes(void **state)
{
    fixture *f = *state;
    int rc;
    const int64_t t = 1790000000;
    kw_source got;
    int64_t ok = add_source(f->s, "feed", "https://a.example.com/rss", &rc);
    int64_t bad = add_source(f->s, "feed", "https://b.example.com/rss", &rc);
    fetched(f->s, ok, t, t + 86400, NULL);
    fetched(f->s, bad, t, t + 3600, "HTTP 404");
    fetched(f->s, bad, t, t + 7200, "HTTP 404");

    assert_int_equal(kw_store_source_get(f->s, ok, &got), 0);
    got.every_s = 60;
    assert_int_equal(kw_store_source_update(f->s, &got), 0);
    assert_int_equal(kw_store_source_get(f->s, ok, &got), 0);
    assert_true(got.next_attempt_at == t + 60);
    snprintf(got.platform, sizeof got.platform, "blog");
    assert_int_equal(kw_store_source_update(f->s, &got), 0);
    assert_int_equal(kw_store_source_get(f->s, ok, &got), 0);
    assert_true(got.next_attempt_at == t + 60);

    assert_int_equal(kw_store_source_get(f->s, bad, &got), 0);
    got.every_s = 60;
    assert_int_equal(kw_store_source_update(f->s, &got), 0);
    assert_int_equal(kw_store_source_get(f->s, bad, &got), 0);
    assert_true(got.next_attempt_at == t + 7200); /* still backing off */
    assert_int_equal(got.consecutive_failures, 2);
    /* the same rules in another order are no change */
    kwt_sql_int(f->url, "UPDATE sources SET rules = '{\"item\":\"//a\",\"text\":\"//p\"}'");
    assert_int_equal(kw_store_source_get(f->s, bad, &got), 0);
    snprintf(got.rules, sizeof got.rules, "{\"text\":\"//p\",\"item\":\"//a\"}");
    assert_int_equal(kw_store_source_update(f->s, &got), 0);
    assert_int_equal(kw_store_source_get(f->s, bad, &got), 0);
    assert_true(got.next_attempt_at == t + 7200);
    assert_int_equal(got.consecutive_failures, 2);
    snprintf(got.url, sizeof got.url, "https://b.example.com/feed.xml");
    assert_int_equal(kw_store_source_update(f->s, &got), 0);
    assert_int_equal(kw_store_source_get(f->s, bad, &got), 0);
    assert_true(got.next_attempt_at == KW_TIME_NONE); /* due at once */
    assert_int_equal(got.consecutive_failures, 0);
    assert_int_equal(got.last_status, -1);
    assert_string_equal(got.last_error, "");
}

static void open__refuses_a_schema_newer_than_the_binary(void **state)
{
    fixture *f = *state;
    kw_store *s2 = NULL;
    kwt_sql_int(f->url, "INSERT INTO schema_version (version, name, applied_at) "
                        "VALUES (999, 'future', '2030-01-01T00:00:00Z')");
    assert_int_equal(kw_store_open(&s2, f->url, NULL), KW_EVERSION);
    assert_non_null(strstr(kw_error_last(), "999"));
    assert_null(s2);
}

static void open__refuses_an_unmigrated_database_and_says_what_to_run(void **state)
{
    fixture *f = *state;
    kw_store *s2 = NULL;
    char *url2 = kwt_new_db(f->dir);
    kw_store_options create = {.create = 1, .skip_version = 1};
    assert_int_equal(kw_store_open(&s2, url2, &create), 0);
    kw_store_free(s2);
    s2 = NULL;
    assert_int_equal(kw_store_open(&s2, url2, NULL), KW_EVERSION);
    assert_non_null(strstr(kw_error_last(), "kolwatch migrate"));
    free(url2);
}

static void brand__add_find_by_name_and_id_update_and_unique_name(void **state)
{
    fixture *f = *state;
    char *aliases[] = {"艾克米", "ACME Corp"};
    kw_brand b = {.name = "Acme", .query = "\"Acme\" OR 艾克米", .aliases = aliases,
                  .n_aliases = 2};
    int64_t id, rival;
    kw_brand *got = NULL;
    char idtext[32];
    assert_int_equal(kw_store_brand_add(f->s, &b, &id), 0);
    assert_int_equal(kw_store_brand_add(f->s, &b, &rival), KW_EEXISTS);
    assert_int_equal(kw_store_brand_find(f->s, "Acme", &got), 0);
    assert_int_equal(got->id, id);
    assert_string_equal(got->query, "\"Acme\" OR 艾克米");
    assert_int_equal(got->n_aliases, 2);
    kw_brand_free(got);
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    assert_int_equal(kw_store_brand_find(f->s, idtext, &got), 0);
    assert_string_equal(got->name, "Acme");
    kw_brand_free(got);
    assert_int_equal(kw_store_brand_find(f->s, "Nope", &got), KW_ENOTFOUND);

    rival = add_brand(f->s, "Rival");
    kw_brand upd = {.id = rival, .name = "Rival Co", .query = "rival",
                    .competitor_of = id};
    assert_int_equal(kw_store_brand_update(f->s, &upd), 0);
    assert_int_equal(kw_store_brand_find(f->s, "Rival Co", &got), 0);
    assert_int_equal(got->competitor_of, id);
    assert_int_equal(got->n_aliases, 0);
    kw_brand_free(got);
    upd.name = "Acme";
    assert_int_equal(kw_store_brand_update(f->s, &upd), KW_EEXISTS);

    kw_brand **list = NULL;
    size_t n = 0;
    assert_int_equal(kw_store_brand_list(f->s, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0]->name, "Acme");
    kw_brand_list_free(list, n);
}

static void mention_put__same_url_twice_is_stored_once(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), id1, id2, n;
    kw_mention m = mention("https://example.com/p/1", "weibo", 1790000000);
    int result;
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, &result, &id1), 0);
    assert_int_equal(result, KW_PUT_NEW);
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, &result, &id2), 0);
    assert_int_equal(result, KW_PUT_SAME);
    assert_int_equal(id1, id2);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 1);
}

/* is_copy for the tests: an earlier text is a copy when it starts with the
 * word the new one starts with. */
static int same_first_word(void *ctx, const char *text)
{
    const char *word = ctx;
    return strncmp(text, word, strlen(word)) == 0;
}

/* A near copy is looked up by any of the four signature bands, oldest
 * first, and counts only when the caller's is_copy accepts it; without
 * is_copy only exact copies count. */
static void mention_put__near_copies_share_a_band_and_pass_the_callers_check(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), id[6];
    static const struct {
        const char *text;
        uint64_t sig[4];
        int original; /* index into id[], -1 none */
    } cases[] = {
        {"apple one", {1, 2, 3, 4}, -1},
        {"pear two", {1, 2, 3, 4}, -1},   /* every band shared, the check says no */
        {"apple three", {9, 9, 9, 4}, 0}, /* one band shared */
        {"pear four", {8, 2, 8, 8}, 1},   /* the oldest pear sharing a band */
        {"apple five", {7, 7, 7, 7}, -1}, /* no band shared */
        {"apple six", {7, 9, 8, 8}, 2},   /* the oldest apple of those found */
    };
    kw_mention m = mention("https://example.com/near/0", "weibo", 1790000000);
    for (int i = 0; i < 6; i++) {
        char url[64], hash[16], word[16], sql[128];
        snprintf(url, sizeof url, "https://example.com/near/%d", i);
        snprintf(hash, sizeof hash, "h%d", i);
        snprintf(word, sizeof word, "%.*s", (int)strcspn(cases[i].text, " "), cases[i].text);
        m.url = m.canonical_url = url;
        m.content_hash = hash;
        m.text = cases[i].text;
        m.has_signature = 1;
        memcpy(m.signature, cases[i].sig, sizeof m.signature);
        m.is_copy = same_first_word;
        m.is_copy_ctx = word;
        assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, NULL, &id[i]), 0);
        snprintf(sql, sizeof sql, "SELECT COALESCE(repost_of, 0) FROM mentions WHERE id = %lld",
                 (long long)id[i]);
        int64_t got = kwt_sql_int(f->url, sql), want = cases[i].original < 0 ? 0 : id[cases[i].original];
        if (got != want)
            fail_msg("case %d: repost_of %lld, want %lld", i, (long long)got, (long long)want);
    }
    /* No check given: a shared band is not enough. */
    m.url = m.canonical_url = "https://example.com/near/9";
    m.content_hash = "h9";
    m.is_copy = NULL;
    memcpy(m.signature, cases[0].sig, sizeof m.signature);
    int64_t nine;
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, NULL, &nine), 0);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM mentions WHERE id = %lld AND repost_of IS NULL",
             (long long)nine);
    assert_int_equal(kwt_sql_int(f->url, sql), 1);
}

static void mention_put__known_url_for_another_brand_links_and_counts_for_both(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival"), n;
    kw_mention m = mention("https://example.com/p/2", "xiaohongshu", 1790000000);
    int result;
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, &result, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &m, &rival, 1, &result, NULL), 0);
    assert_int_equal(result, KW_PUT_LINKED);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(kw_store_mention_count(f->s, rival, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 1);
    assert_int_equal(bucket_sums(f->s, rival).n_all, 1);
}

static void link_known__links_a_known_url_and_leaves_an_unknown_one_alone(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival"), n, id, id2;
    kw_mention m = mention("https://example.com/p/3", "weibo", 1790000000);
    int result = 0;
    assert_int_equal(kw_store_mention_link_known(f->s, m.canonical_url, &acme, 1, &result, &id),
                     KW_ENOTFOUND);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 0);
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, &result, &id), 0);
    assert_int_equal(kw_store_mention_link_known(f->s, m.canonical_url, &acme, 1, &result, &id2),
                     0);
    assert_int_equal(result, KW_PUT_SAME);
    assert_int_equal(id2, id);
    assert_int_equal(kw_store_mention_link_known(f->s, m.canonical_url, &rival, 1, &result, &id2),
                     0);
    assert_int_equal(result, KW_PUT_LINKED);
    assert_int_equal(kw_store_mention_count(f->s, rival, &n), 0);
    assert_int_equal(n, 1);
    /* counted for the new brand under the stored mention's time, platform and label */
    assert_int_equal(bucket_sums(f->s, rival).n_all, 1);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 1);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
}

/* A caller's "not there" that went stale (another writer stored the URL
 * meanwhile) still stores the mention once and links the brand. */
static void mention_put__a_stale_unseen_hint_still_stores_once(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival"), n, id1, id2;
    kw_mention m = mention("https://example.com/p/9", "weibo", 1790000000);
    int result;
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, &result, &id1), 0);
    m.unseen = 1;
    assert_int_equal(kw_store_mention_put(f->s, &m, &rival, 1, &result, &id2), 0);
    assert_int_equal(result, KW_PUT_LINKED);
    assert_int_equal(id1, id2);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(bucket_sums(f->s, rival).n_all, 1);
}

static void buckets__are_five_minutes_wide_keyed_by_published_time_and_platform(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme");
    int64_t t0 = 1790000100; /* a multiple of 300 */
    kw_mention a = mention("https://e.com/a", "weibo", t0 + 10);
    kw_mention b = mention("https://e.com/b", "weibo", t0 + 299);
    kw_mention c = mention("https://e.com/c", "weibo", t0 + 300);
    kw_mention d = mention("https://e.com/d", "douyin", t0 + 20);
    a.views = a.reach = 1000;
    b.reach = 50;
    assert_int_equal(kw_store_mention_put(f->s, &a, &acme, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &b, &acme, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &c, &acme, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &d, &acme, 1, NULL, NULL), 0);
    sums all = bucket_sums(f->s, acme);
    assert_int_equal(all.n_all, 4);
    assert_int_equal(all.buckets, 3); /* douyin t0, weibo t0, weibo t0+300 */
    assert_int_equal(all.reach, 1050);
    /* The first weibo bucket holds a and b and starts at t0. */
    sums first = {0};
    assert_int_equal(kw_store_bucket_each(f->s, acme, t0, t0 + 300, sum_bucket, &first), 0);
    assert_int_equal(first.n_all, 3); /* a, b (weibo) and d (douyin) */
    assert_int_equal(first.last_start, t0);
}

static void buckets__use_fetched_time_when_a_mention_has_no_published_time(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme");
    kw_mention m = mention("https://e.com/nopub", "news", KW_TIME_NONE);
    m.fetched_at = 1790000250;
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, NULL, NULL), 0);
    sums s = bucket_sums(f->s, acme);
    assert_int_equal(s.n_all, 1);
    assert_int_equal(s.last_start, 1790000100);
}

static void rescore__moves_counts_between_label_columns(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival");
    int64_t both[2] = {acme, rival}, id;
    kw_mention m = mention("https://e.com/s", "weibo", 1790000000);
    m.scored = 1, m.score = 0.5, m.pos = 0.5, m.neu = 0.5, m.label = "positive";
    m.explanation = "[]";
    int changed = -1;
    assert_int_equal(kw_store_mention_put(f->s, &m, both, 2, NULL, &id), 0);
    assert_int_equal(bucket_sums(f->s, acme).n_pos, 1);
    kw_mention neg = {.score = -0.7, .neg = 0.7, .neu = 0.3, .label = "negative",
                      .explanation = "[{\"term\":\"差\"}]"};
    assert_int_equal(kw_store_mention_rescore(f->s, id, &neg, &changed), 0);
    assert_int_equal(changed, 1);
    for (int i = 0; i < 2; i++) {
        sums s = bucket_sums(f->s, both[i]);
        assert_int_equal(s.n_all, 1);
        assert_int_equal(s.n_pos, 0);
        assert_int_equal(s.n_neg, 1);
    }
    assert_int_equal(kw_store_mention_rescore(f->s, id, &neg, &changed), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(bucket_sums(f->s, acme).n_neg, 1);
}

typedef struct seen {
    int n;
    char urls[8][64];
    char brands[8][64];
} seen;

static int collect(void *ctx, const kw_mention *m, const char *const *brands, size_t nb)
{
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->urls[s->n], 64, "%s", m->url);
        s->brands[s->n][0] = '\0';
        for (size_t i = 0; i < nb; i++) {
            strncat(s->brands[s->n], brands[i], 20);
            strncat(s->brands[s->n], ";", 2);
        }
    }
    s->n++;
    return 0;
}

static void mention_each__filters_by_brand_time_platform_and_pages_by_cursor(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival");
    kw_mention a = mention("https://e.com/1", "weibo", 1790000000);
    kw_mention b = mention("https://e.com/2", "douyin", 1790086400);
    kw_mention c = mention("https://e.com/3", "weibo", 1790172800);
    int64_t ida, idb;
    assert_int_equal(kw_store_mention_put(f->s, &a, &acme, 1, NULL, &ida), 0);
    assert_int_equal(kw_store_mention_put(f->s, &b, &acme, 1, NULL, &idb), 0);
    assert_int_equal(kw_store_mention_put(f->s, &c, &rival, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &a, &rival, 1, NULL, NULL), 0);

    seen s = {0};
    kw_mention_filter flt = {.brand_id = acme, .since = KW_TIME_NONE, .until = KW_TIME_NONE};
    assert_int_equal(kw_store_mention_each(f->s, &flt, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.urls[0], "https://e.com/1");
    assert_string_equal(s.brands[0], "Acme;Rival;");

    memset(&s, 0, sizeof s);
    kw_mention_filter since = {.since = 1790086400, .until = KW_TIME_NONE};
    assert_int_equal(kw_store_mention_each(f->s, &since, collect, &s), 0);
    assert_int_equal(s.n, 2);

    memset(&s, 0, sizeof s);
    kw_mention_filter until = {.since = KW_TIME_NONE, .until = 1790086400, .platform = "weibo"};
    assert_int_equal(kw_store_mention_each(f->s, &until, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.urls[0], "https://e.com/1");

    memset(&s, 0, sizeof s);
    kw_mention_filter page = {.since = KW_TIME_NONE, .until = KW_TIME_NONE,
                              .newest_first = 1, .after_id = idb, .limit = 5};
    assert_int_equal(kw_store_mention_each(f->s, &page, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.urls[0], "https://e.com/1");
}

static void brand_remove__keeps_mentions_another_brand_holds(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival"), n;
    kw_mention shared = mention("https://e.com/shared", "weibo", 1790000000);
    kw_mention own = mention("https://e.com/own", "weibo", 1790000000);
    int64_t both[2] = {acme, rival};
    assert_int_equal(kw_store_mention_put(f->s, &shared, both, 2, NULL, NULL), 0);
    assert_int_equal(kw_store_mention_put(f->s, &own, &acme, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_brand_remove(f->s, acme), 0);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(bucket_sums(f->s, rival).n_all, 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM buckets"), 1);
    assert_int_equal(kw_store_brand_remove(f->s, acme), KW_ENOTFOUND);
}

static void transaction__rollback_leaves_no_mention_and_no_bucket(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), n;
    kw_mention m = mention("https://e.com/rolled", "weibo", 1790000000);
    assert_int_equal(kw_store_begin(f->s), 0);
    assert_int_equal(kw_store_mention_put(f->s, &m, &acme, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_rollback(f->s), 0);
    assert_int_equal(kw_store_mention_count(f->s, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 0);
}

/* A crawl stores a batch in one transaction: its buckets hold the same
 * counts as mention by mention, can be read before it commits, and a
 * rolled back savepoint takes only what came after it. */
static void transaction__a_batch_counts_every_mention_in_its_buckets(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival");
    int64_t both[2] = {acme, rival};
    const int64_t t0 = 1790000100;
    char url[64];
    assert_int_equal(kw_store_begin(f->s), 0);
    for (int i = 0; i < 300; i++) {
        snprintf(url, sizeof url, "https://e.com/batch/%d", i);
        kw_mention m = mention(url, i % 3 ? "weibo" : "douyin", t0 + 60 * (i % 10));
        m.reach = i;
        assert_int_equal(kw_store_mention_put(f->s, &m, i % 2 ? both : &acme, i % 2 ? 2 : 1,
                                              NULL, NULL), 0);
    }
    sums a = bucket_sums(f->s, acme), r = bucket_sums(f->s, rival);
    assert_int_equal(a.n_all, 300);
    assert_int_equal(r.n_all, 150);
    assert_int_equal(a.reach, 299 * 300 / 2);
    assert_int_equal(a.buckets, 4); /* two platforms, t0 and t0 + 300 */
    kw_mention late = mention("https://e.com/batch/late", "weibo", t0);
    assert_int_equal(kw_store_mention_put(f->s, &late, &rival, 1, NULL, NULL), 0);
    assert_int_equal(kw_store_savepoint(f->s), 0);
    kw_mention undone = mention("https://e.com/batch/undone", "weibo", t0);
    assert_int_equal(kw_store_mention_put(f->s, &undone, both, 2, NULL, NULL), 0);
    assert_int_equal(kw_store_savepoint_rollback(f->s), 0);
    assert_int_equal(kw_store_commit(f->s), 0);
    /* Read through another connection: what was committed. */
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_all) FROM buckets"), 300 + 150 + 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM buckets"), 8);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(reach) FROM buckets"),
                     299 * 300 / 2 + (1 + 299) * 150 / 2);
    assert_int_equal(bucket_sums(f->s, rival).n_all, 151);
}

/* A brand removed in the transaction that counted mentions for it leaves
 * no bucket behind. */
static void transaction__a_brand_removed_after_its_mentions_leaves_no_bucket(void **state)
{
    fixture *f = *state;
    int64_t acme = add_brand(f->s, "Acme"), rival = add_brand(f->s, "Rival");
    int64_t both[2] = {acme, rival};
    kw_mention m = mention("https://e.com/gone", "weibo", 1790000000);
    assert_int_equal(kw_store_begin(f->s), 0);
    assert_int_equal(kw_store_mention_put(f->s, &m, both, 2, NULL, NULL), 0);
    assert_int_equal(kw_store_brand_remove(f->s, rival), 0);
    assert_int_equal(kw_store_commit(f->s), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM buckets"), 1);
    assert_int_equal(bucket_sums(f->s, acme).n_all, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(migrate__is_idempotent_and_records_the_version),
        T(migrate__upgrades_a_version_1_database_keeping_its_sources),
        T(migrate__version_5_keeps_the_label_rule_and_the_mentions),
        T(migrate__version_6_due_sources_are_found_without_the_index),
        T(migrate__version_7_fills_the_canonical_urls_of_stored_sources),
        T(migrate__version_8_rewrites_stored_keys_in_one_spelling),
        T(source_edit__moves_the_canonical_url_with_the_url),
        T(source_edit__reschedules_what_it_changes),
        T(claims__a_lapsed_claim_taken_by_another_is_left_to_it),
        T(clock_ahead__reads_the_servers_clock),
        T(open__refuses_a_schema_newer_than_the_binary),
        T(open__refuses_an_unmigrated_database_and_says_what_to_run),
        T(brand__add_find_by_name_and_id_update_and_unique_name),
        T(mention_put__same_url_twice_is_stored_once),
        T(mention_put__near_copies_share_a_band_and_pass_the_callers_check),
        T(mention_put__known_url_for_another_brand_links_and_counts_for_both),
        T(link_known__links_a_known_url_and_leaves_an_unknown_one_alone),
        T(mention_put__a_stale_unseen_hint_still_stores_once),
        T(buckets__are_five_minutes_wide_keyed_by_published_time_and_platform),
        T(buckets__use_fetched_time_when_a_mention_has_no_published_time),
        T(rescore__moves_counts_between_label_columns),
        T(mention_each__filters_by_brand_time_platform_and_pages_by_cursor),
        T(brand_remove__keeps_mentions_another_brand_holds),
        T(transaction__rollback_leaves_no_mention_and_no_bucket),
        T(transaction__a_batch_counts_every_mention_in_its_buckets),
        T(transaction__a_brand_removed_after_its_mentions_leaves_no_bucket),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
