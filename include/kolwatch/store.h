/*
 * The storage interface. One API, two back ends chosen by the database URL:
 * SQLite (a path or sqlite:PATH; the default ./kolwatch.db) and PostgreSQL
 * (postgres://...). Both keep the same schema (sql/sqlite, sql/postgres) and
 * pass the same tests.
 *
 * Times are UTC seconds since the epoch in this API; KW_TIME_NONE means
 * unknown. Counts are int64_t; -1 means unknown. Strings passed in are
 * borrowed for the call; strings handed to callbacks are borrowed for the
 * callback only.
 *
 * A kw_store is not shared between threads: open one per thread.
 */
#ifndef KOLWATCH_STORE_H
#define KOLWATCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KW_TIME_NONE INT64_MIN

typedef struct kw_store kw_store;

typedef struct kw_store_options {
    int create;          /* create a missing SQLite file (init, migrate) */
    int skip_version;    /* do not require the schema to be current (migrate) */
    int busy_timeout_ms; /* SQLite: wait this long on a lock (0 = 10 s) */
} kw_store_options;

/* Open the store at url. Unless opt->skip_version, fails with KW_EVERSION
 * when the schema is newer than this binary knows or not yet migrated.
 * Caller frees with kw_store_free. opt may be NULL. */
int kw_store_open(kw_store **out, const char *url, const kw_store_options *opt);
void kw_store_free(kw_store *s);

/* "sqlite" or "postgres". */
const char *kw_store_backend(const kw_store *s);

/* Apply the migrations the database lacks, in order, each in its own
 * transaction. *applied (may be NULL) gets how many ran. Idempotent. */
int kw_store_migrate(kw_store *s, int *applied);
/* The schema version the database has, and the newest this binary knows. */
int kw_store_version(kw_store *s, int *current, int *known);

/* Transactions. Writes outside one commit on their own. Nesting is an error. */
int kw_store_begin(kw_store *s);
int kw_store_commit(kw_store *s);
int kw_store_rollback(kw_store *s);

/* ---- Brands ---------------------------------------------------------- */

typedef struct kw_brand {
    int64_t id;
    char *name;
    char *query;          /* the query expression, stored as written */
    char **aliases;
    size_t n_aliases;
    int64_t competitor_of; /* id of the brand it competes with, or 0 */
    int64_t created_at;
} kw_brand;

/* Add a brand; *out gets its id. KW_EEXISTS if the name is taken. */
int kw_store_brand_add(kw_store *s, const kw_brand *b, int64_t *out);
/* Find a brand by name or decimal id. Caller frees with kw_brand_free. */
int kw_store_brand_find(kw_store *s, const char *name_or_id, kw_brand **out);
/* Every brand, by id. Caller frees with kw_brand_list_free. */
int kw_store_brand_list(kw_store *s, kw_brand ***out, size_t *n);
/* Replace name, query, aliases and competitor_of of brand b->id. */
int kw_store_brand_update(kw_store *s, const kw_brand *b);
/* Remove a brand with its mention links and buckets; mentions that no
 * other brand holds go too. */
int kw_store_brand_remove(kw_store *s, int64_t id);
void kw_brand_free(kw_brand *b);
void kw_brand_list_free(kw_brand **list, size_t n);

/* ---- Mentions -------------------------------------------------------- */

typedef struct kw_mention {
    int64_t id;
    const char *url;
    const char *canonical_url; /* the unique key */
    const char *content_hash;  /* hex SHA-256 of the text, or NULL */
    int64_t repost_of;         /* id of the first copy, or 0 */
    int64_t source_id;         /* 0 for imported mentions */
    const char *platform;      /* a platform id (DESIGN), never NULL */
    const char *author, *title, *text, *lang;
    int64_t published_at, fetched_at; /* KW_TIME_NONE when unknown */
    int64_t likes, comments, shares, views, reach; /* -1 when unknown */
    int scored;                /* the fields below are set */
    double score, pos, neg, neu;
    const char *label;         /* positive, negative, neutral */
    const char *explanation;   /* JSON array of hits */
} kw_mention;

enum {
    KW_PUT_NEW = 1,    /* a new mention was stored */
    KW_PUT_LINKED = 2, /* the URL was known; a new brand was linked to it */
    KW_PUT_SAME = 3    /* the URL was known with every brand given */
};

/* Store a mention (unique by canonical_url) for the given brands, keeping
 * the 5-minute buckets of those brands in step. A known URL is not changed,
 * but brands it lacked are linked. *result gets KW_PUT_*; *id its id. */
int kw_store_mention_put(kw_store *s, const kw_mention *m, const int64_t *brands,
                         size_t n_brands, int *result, int64_t *id);

/* Set a mention's sentiment (score, pos, neg, neu, label, explanation from
 * m), moving its counts between the label columns of its buckets.
 * *changed (may be NULL) is 1 when the label changed. */
int kw_store_mention_rescore(kw_store *s, int64_t id, const kw_mention *m,
                             int *changed);

typedef struct kw_mention_filter {
    int64_t brand_id;        /* 0 = any */
    int64_t since, until;    /* KW_TIME_NONE = open; on published_at, else fetched_at */
    const char *label;       /* NULL = any */
    const char *platform;    /* NULL = any */
    int64_t after_id;        /* cursor: only ids after this one in the walk's
                                order, 0 = from the start */
    int64_t limit;           /* 0 = no limit */
    int newest_first;        /* walk by id descending (newest stored first)
                                instead of ascending */
} kw_mention_filter;

/* Call fn for each mention matching f, with the names of its brands.
 * A non-zero return from fn stops the walk and is returned. */
typedef int (*kw_mention_fn)(void *ctx, const kw_mention *m,
                             const char *const *brands, size_t n_brands);
int kw_store_mention_each(kw_store *s, const kw_mention_filter *f,
                          kw_mention_fn fn, void *ctx);

/* How many mentions are linked to brand_id (0 = how many mentions). */
int kw_store_mention_count(kw_store *s, int64_t brand_id, int64_t *out);

/* ---- Buckets --------------------------------------------------------- */

typedef struct kw_bucket {
    int64_t brand_id;
    const char *platform;
    int64_t start;   /* multiple of 300 s */
    int64_t n_all, n_pos, n_neg, n_neu; /* unscored mentions count in n_all only */
    int64_t reach;
} kw_bucket;

typedef int (*kw_bucket_fn)(void *ctx, const kw_bucket *b);
/* Buckets of brand_id (0 = all) with start in [from, to) (KW_TIME_NONE =
 * open), ordered by brand, platform, start. */
int kw_store_bucket_each(kw_store *s, int64_t brand_id, int64_t from, int64_t to,
                         kw_bucket_fn fn, void *ctx);

/* ---- Audit log ------------------------------------------------------- */

/* Record who did what to which object; detail may be NULL. */
int kw_store_audit(kw_store *s, const char *actor, const char *action,
                   const char *object, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
