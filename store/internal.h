/*
 * What the store's back ends share: a small prepared-statement interface
 * that store.c writes all its SQL against, once for both databases.
 * SQL uses $1, $2, ... placeholders (valid in SQLite and PostgreSQL).
 * Private to store/.
 */
#ifndef KOLWATCH_STORE_INTERNAL_H
#define KOLWATCH_STORE_INTERNAL_H

#include "kolwatch/error.h"
#include "kolwatch/store.h"

#include <stdio.h>

typedef struct kw_stmt kw_stmt;

enum { STEP_DONE = 0, STEP_ROW = 1 };

typedef struct kw_backend {
    const char *name;
    /* Run one or more statements without parameters. */
    int (*exec)(kw_store *s, const char *sql);
    /* Prepare sql; *out is cached by the caller and finalised at close. */
    int (*prepare)(kw_store *s, const char *sql, kw_stmt **out);
    int (*bind_int64)(kw_stmt *st, int idx, int64_t v);
    int (*bind_double)(kw_stmt *st, int idx, double v);
    int (*bind_text)(kw_stmt *st, int idx, const char *v); /* NULL binds NULL */
    /* The same for text that stays as it is until the statement is reset:
     * SQLite reads it where it is instead of copying it. */
    int (*bind_text_kept)(kw_stmt *st, int idx, const char *v);
    /* STEP_ROW, STEP_DONE or a negative KW_E code. */
    int (*step)(kw_stmt *st);
    int (*column_null)(kw_stmt *st, int col);
    int64_t (*column_int64)(kw_stmt *st, int col);
    double (*column_double)(kw_stmt *st, int col);
    /* Timestamps come back as RFC 3339 "...Z" text on both back ends. */
    const char *(*column_text)(kw_stmt *st, int col);
    /* Rows changed by the statement's last completed run. */
    int64_t (*changes)(kw_stmt *st);
    void (*reset)(kw_stmt *st);
    void (*finalize)(kw_stmt *st);
    void (*close)(kw_store *s);
    /* 0 once the connection to a server is lost (NULL: never lost). */
    int (*connected)(const kw_store *s);
    /* Dialect: a query taking $1 = table name that returns a row if the
     * table exists; the DDL of schema_version; how to begin a write
     * transaction. */
    const char *sql_has_table;
    const char *sql_version_ddl;
    const char *sql_begin;
    /* Appended to a row-claiming subquery: " FOR UPDATE SKIP LOCKED" on
     * PostgreSQL; SQLite's write transactions already serialise claims. */
    const char *sql_skip_locked;
} kw_backend;

/* Statements store.c caches, one slot each. */
enum {
    Q_BRAND_ADD, Q_BRAND_BY_NAME, Q_BRAND_BY_ID, Q_BRAND_LIST, Q_BRAND_UPDATE,
    Q_BRAND_DELETE, Q_ALIAS_ADD, Q_ALIAS_LIST, Q_ALIAS_CLEAR,
    Q_MENTION_INSERT, Q_MENTION_FIND, Q_LINK_INSERT, Q_BUCKET_ADD,
    Q_MENTION_SENTIMENT, Q_MENTION_SET_SENTIMENT, Q_MENTION_BRANDS,
    Q_MENTION_BRAND_IDS, Q_MENTION_COUNT_ALL, Q_MENTION_COUNT_BRAND, Q_AUDIT,
    Q_VERSION_GET, Q_COUNT
};

#define STORE_CACHE_SLOTS 128

/* Bucket counts summed while a transaction is open (bucket_sums.c). */
typedef struct bucket_sum bucket_sum;
typedef struct bucket_sums {
    bucket_sum *v;
    size_t n, cap;
    int32_t *slot; /* open addressing into v, -1 free */
    size_t nslot;
} bucket_sums;

struct kw_store {
    const kw_backend *be;
    void *db;             /* sqlite3 * or PGconn * */
    char *url;
    int in_tx;
    char claim_owner[128]; /* who this connection claims sources as ("" none):
                              its records leave another crawler's claims be */
    int64_t clock_ahead;   /* seconds this machine's clock is ahead of the
                              server's, as last measured: leases are kept in
                              the server's time */
    kw_stmt *q[Q_COUNT];
    bucket_sums sums;
    struct {
        const char *sql;  /* keyed by the address of a static SQL string */
        kw_stmt *st;
    } cache[STORE_CACHE_SLOTS];
};

/* Helpers of store.c shared by the other files of store/. */

/* The prepared statement for a static SQL string, reset and ready to bind. */
int store_cached(kw_store *s, const char *sql, kw_stmt **out);
/* Step a bound statement that returns no rows. */
int store_run(kw_store *s, kw_stmt *st);
/* Bind a time (NULL when KW_TIME_NONE), a count (NULL when < 0), an id
 * (NULL when <= 0). */
int store_bind_time(kw_store *s, kw_stmt *st, int idx, int64_t t);
/* The same, formatted into buf (KW_TIME_TEXT bytes), which the caller keeps
 * until the statement is reset: SQLite reads it there, with no copy. */
int store_bind_time_kept(kw_store *s, kw_stmt *st, int idx, int64_t t, char *buf);
int store_bind_count(kw_store *s, kw_stmt *st, int idx, int64_t v);
int store_bind_id(kw_store *s, kw_stmt *st, int idx, int64_t v);
/* Read a time (KW_TIME_NONE for NULL), a count (-1 for NULL), a string
 * (NULL for NULL; borrowed until the next step). */
int64_t store_col_time(kw_store *s, kw_stmt *st, int col);
int64_t store_col_count(kw_store *s, kw_stmt *st, int col);
const char *store_col_str(kw_store *s, kw_stmt *st, int col);
/* The current time as RFC 3339 text into buf (KW_TIME_TEXT bytes). */
void store_now_text(char *buf);

/* Add to the bucket of brand and platform starting at start, now. */
int store_bucket_upsert(kw_store *s, int64_t brand, const char *platform, int64_t start,
                        int64_t d_all, const int64_t d_label[3], int64_t d_reach);
/* Sum a bucket's counts until store_buckets_settle; -1 when out of memory. */
int bucket_sums_add(bucket_sums *b, int64_t brand, const char *platform, int64_t start,
                    int64_t d_all, const int64_t d_label[3], int64_t d_reach);
/* Forget the sums (their transaction is rolled back). */
void bucket_sums_clear(bucket_sums *b);
void bucket_sums_free(bucket_sums *b);
/* Upsert s's bucket sums and forget them (before a commit, a savepoint,
 * or anything that reads or deletes buckets); on an error only those not
 * written stay. */
int store_buckets_settle(kw_store *s);

/* The schema version that added sources.canonical_url, and the step that
 * fills it for the sources already stored (run right after that version's
 * SQL, in its transaction). */
#define SCHEMA_SOURCE_CANONICAL 7
int store_sources_fill_canonical(kw_store *s);

/* The schema version from which canonical URLs are written in one
 * spelling of their equivalents (unreserved characters unescaped, hex in
 * upper case, dot segments resolved), and the step that rewrites the keys
 * stored before it (rekey.c; run right after that version's SQL). */
#define SCHEMA_CANONICAL_EQUIVALENTS 8
int store_rekey_canonical(kw_store *s);

/* Run fn inside a transaction unless the caller already holds one. */
#define IN_TX(s, expr)                                                         \
    do {                                                                       \
        int own_ = !(s)->in_tx, rc_;                                           \
        if (own_ && (rc_ = kw_store_begin(s)))                                 \
            return rc_;                                                        \
        rc_ = (expr);                                                          \
        if (own_) {                                                            \
            if (rc_) {                                                         \
                char saved_[KW_ERROR_MAX];                                     \
                snprintf(saved_, sizeof saved_, "%s", kw_error_last());        \
                kw_store_rollback(s);                                          \
                kw_error_set(rc_, "%s", saved_);                               \
            } else {                                                           \
                rc_ = kw_store_commit(s);                                      \
            }                                                                  \
        }                                                                      \
        return rc_;                                                            \
    } while (0)



/* Back-end openers (sqlite.c, postgres.c): fill s->be and s->db. */
int kw_sqlite_open(kw_store *s, const char *path, const kw_store_options *opt);
int kw_postgres_open(kw_store *s, const char *url, const kw_store_options *opt);

/* The migrations built into the binary (generated from sql/). */
typedef struct kw_migration {
    int version;
    const char *name;
    const char *sql;
} kw_migration;
extern const kw_migration kw_migrations_sqlite[];
extern const kw_migration kw_migrations_postgres[];
extern const int kw_migrations_sqlite_count, kw_migrations_postgres_count;

#endif
