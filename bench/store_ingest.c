/*
 * bench/store_ingest: inserts N generated mentions (default 1,000,000)
 * through the store interface, then the same mentions through a bare SQLite
 * prepared-statement loop doing the same writes on the same schema (mention,
 * brand link, bucket upsert; a commit every 1,000), and prints mentions/s
 * for both and their ratio. Usage: store_ingest [N] [DIR]
 */
#include "kolwatch/store.h"
#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000
static const char *platforms[] = {"weibo", "xiaohongshu", "douyin", "news", "x"};
static const char hash[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void gen(int i, char *url, size_t ul, char *text, size_t tl, int64_t *pub)
{
    snprintf(url, ul, "https://news.example.com/articles/%d?id=%d", i / 7, i);
    snprintf(text, tl, "Mention %d: the new Acme serum is %s, says reviewer %d", i,
             i % 3 ? "great" : "disappointing", i % 977);
    *pub = 1790000000 + (int64_t)(i % 2592000);
}

static void die(const char *what)
{
    fprintf(stderr, "store_ingest: %s: %s\n", what, kw_error_last());
    exit(1);
}

static double run_store(const char *path, int n)
{
    kw_store *s;
    kw_store_options opt = {.create = 1, .skip_version = 1};
    kw_brand b = {.name = "Acme", .query = "Acme"};
    int64_t brand;
    char url[128], text[160];
    if (kw_store_open(&s, path, &opt) || kw_store_migrate(s, NULL) ||
        kw_store_brand_add(s, &b, &brand))
        die(path);
    double t0 = now();
    kw_store_begin(s);
    for (int i = 0; i < n; i++) {
        kw_mention m = {.likes = -1, .comments = -1, .shares = -1, .views = -1,
                        .reach = i % 1000, .fetched_at = KW_TIME_NONE};
        gen(i, url, sizeof url, text, sizeof text, &m.published_at);
        m.url = m.canonical_url = url;
        m.text = text;
        m.content_hash = hash;
        m.platform = platforms[i % 5];
        if (kw_store_mention_put(s, &m, &brand, 1, NULL, NULL))
            die("put");
        if ((i + 1) % BATCH == 0 && (kw_store_commit(s) || kw_store_begin(s)))
            die("commit");
    }
    if (kw_store_commit(s))
        die("commit");
    double dt = now() - t0;
    kw_store_free(s);
    return dt;
}

#define CHECK(x)                                                               \
    do {                                                                       \
        if ((x) != SQLITE_OK && (x) != SQLITE_DONE && (x) != SQLITE_ROW) {     \
            fprintf(stderr, "store_ingest: bare: %s\n", sqlite3_errmsg(db));   \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static double run_bare(const char *path, int n)
{
    kw_store *s;
    kw_store_options opt = {.create = 1, .skip_version = 1};
    kw_brand b = {.name = "Acme", .query = "Acme"};
    int64_t brand;
    /* The same schema, made by the store's own migrations. */
    if (kw_store_open(&s, path, &opt) || kw_store_migrate(s, NULL) ||
        kw_store_brand_add(s, &b, &brand))
        die(path);
    kw_store_free(s);

    sqlite3 *db;
    sqlite3_stmt *ins, *link, *bucket;
    char url[128], text[160], t[KW_TIME_TEXT], bt[KW_TIME_TEXT], nowt[KW_TIME_TEXT];
    sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                     "PRAGMA synchronous=NORMAL", 0, 0, 0);
    CHECK(sqlite3_prepare_v2(db,
        "INSERT INTO mentions (url, canonical_url, content_hash, platform, text, "
        "published_at, fetched_at, reach) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (canonical_url) DO NOTHING RETURNING id", -1, &ins, 0));
    CHECK(sqlite3_prepare_v2(db,
        "INSERT INTO mention_brands (mention_id, brand_id, linked_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT DO NOTHING", -1, &link, 0));
    CHECK(sqlite3_prepare_v2(db,
        "INSERT INTO buckets (brand_id, platform, bucket_start, n_all, n_pos, n_neg, "
        "n_neu, reach) VALUES (?1, ?2, ?3, 1, 0, 0, 0, ?4) ON CONFLICT (brand_id, "
        "platform, bucket_start) DO UPDATE SET n_all = buckets.n_all + excluded.n_all, "
        "reach = buckets.reach + excluded.reach", -1, &bucket, 0));
    double t0 = now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
    for (int i = 0; i < n; i++) {
        int64_t pub;
        gen(i, url, sizeof url, text, sizeof text, &pub);
        kw_time_format(t, sizeof t, pub);
        kw_time_format(bt, sizeof bt, pub - pub % 300);
        kw_time_format(nowt, sizeof nowt, kw_time_now());
        sqlite3_bind_text(ins, 1, url, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, url, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, platforms[i % 5], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, t, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, nowt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 8, i % 1000);
        int rc = sqlite3_step(ins);
        CHECK(rc);
        int64_t id = sqlite3_column_int64(ins, 0);
        sqlite3_reset(ins);
        sqlite3_bind_int64(link, 1, id);
        sqlite3_bind_int64(link, 2, brand);
        sqlite3_bind_text(link, 3, nowt, -1, SQLITE_TRANSIENT);
        CHECK(sqlite3_step(link));
        sqlite3_reset(link);
        sqlite3_bind_int64(bucket, 1, brand);
        sqlite3_bind_text(bucket, 2, platforms[i % 5], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(bucket, 3, bt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(bucket, 4, i % 1000);
        CHECK(sqlite3_step(bucket));
        sqlite3_reset(bucket);
        if ((i + 1) % BATCH == 0) {
            sqlite3_exec(db, "COMMIT", 0, 0, 0);
            sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        }
    }
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
    double dt = now() - t0;
    sqlite3_finalize(ins);
    sqlite3_finalize(link);
    sqlite3_finalize(bucket);
    sqlite3_close(db);
    return dt;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    char dir[4096], a[4200], b[4200];
    if (argc > 2)
        snprintf(dir, sizeof dir, "%s", argv[2]);
    else {
        snprintf(dir, sizeof dir, "%s/kw-bench.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir))
            return perror("mkdtemp"), 1;
    }
    snprintf(a, sizeof a, "%s/store.db", dir);
    snprintf(b, sizeof b, "%s/bare.db", dir);
    fprintf(stderr, "store_ingest: %d mentions into %s\n", n, dir);
    double ts = run_store(a, n);
    double tb = run_bare(b, n);
    printf("store interface : %9.0f mentions/s (%.2f s)\n", n / ts, ts);
    printf("bare SQLite loop: %9.0f mentions/s (%.2f s)\n", n / tb, tb);
    printf("ratio store/bare: %.2f\n", tb / ts);
    const char *files[] = {a, b};
    for (int i = 0; i < 2; i++) {
        char p[4300];
        unlink(files[i]);
        snprintf(p, sizeof p, "%s-wal", files[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", files[i]);
        unlink(p);
    }
    if (argc <= 2)
        rmdir(dir);
    return 0;
}
