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
/* 0 once the connection to the database server is lost (PostgreSQL
 * restarted, the network cut): the store is to be freed and opened again.
 * SQLite's is never lost. */
int kw_store_connected(const kw_store *s);

/* How many seconds this machine's clock is ahead of the database server's
 * (negative: behind) into *ahead; 0 on SQLite, which runs here. Claims
 * are kept in each crawler's clock: a crawler says when they disagree. */
int kw_store_clock_ahead(kw_store *s, int64_t *ahead);

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
/* 1 while a transaction is open. */
int kw_store_in_transaction(const kw_store *s);
/* A savepoint inside the open transaction: roll back to it (undoing only
 * what followed it) or release it (keeping it). One level. */
int kw_store_savepoint(kw_store *s);
int kw_store_savepoint_release(kw_store *s);
int kw_store_savepoint_rollback(kw_store *s);

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
/* A number that changes whenever a brand is added, edited or removed (0
 * before any change): what the brands were is known by it, even when a
 * brand removed and added again gets its old id back. */
int kw_store_brands_generation(kw_store *s, int64_t *out);
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
    int has_signature;         /* signature below is set */
    uint64_t signature[4];     /* bands of the text's MinHash (kw_text_signature) */
    int64_t repost_of;         /* id of the first copy, or 0: filled in by
                                  kw_store_mention_put for a new mention whose
                                  text equals (content_hash) or nearly equals
                                  an earlier one at another URL: one that
                                  shares a signature band and that is_copy
                                  accepts (no is_copy: exact copies only) */
    int (*is_copy)(void *ctx, const char *text); /* 1 when text, an earlier
                                  mention's, is a copy of this one's */
    void *is_copy_ctx;
    int64_t source_id;         /* 0 for imported mentions */
    int64_t partner_id;        /* the partner whose account wrote it, or 0 */
    const char *platform;      /* a platform id (DESIGN), never NULL */
    const char *author, *title, *text, *lang;
    int64_t published_at, fetched_at; /* KW_TIME_NONE when unknown */
    int64_t likes, comments, shares, views, reach; /* -1 when unknown */
    int scored;                /* the fields below are set */
    double score, pos, neg, neu;
    const char *label;         /* positive, negative, neutral */
    const char *explanation;   /* JSON array of hits */
    int unseen;                /* the caller found no mention at canonical_url
                                  in this transaction just now (with
                                  kw_store_mention_link_known): the lookup is
                                  not made again */
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
/* The known-URL half of kw_store_mention_put, for callers that would rather
 * not score a text before knowing it is new: when a mention is stored at
 * canonical_url, link the brands it lacks (buckets kept in step), set
 * *result (KW_PUT_LINKED or KW_PUT_SAME) and *id, and return 0; when none
 * is, return KW_ENOTFOUND and change nothing. */
int kw_store_mention_link_known(kw_store *s, const char *canonical_url, const int64_t *brands,
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

/* ---- Sources -----------------------------------------------------------
 * What the crawler fetches. Rules are a JSON object of KEY: EXPR (XPath for
 * html, JSON Pointer for json), kept as written. Health fields are written
 * by the crawler and read by `source list`.
 */

typedef struct kw_source {
    int64_t id;
    char kind[8];           /* feed, html, json */
    char url[2048];
    char platform[16];
    char rules[4096];       /* JSON object text, "{}" when none */
    int64_t every_s;        /* schedule: fetch every this many seconds */
    int enabled;
    int64_t last_status;    /* HTTP status of the last fetch, -1 never */
    char last_error[512];
    int64_t last_fetched_at, next_attempt_at; /* KW_TIME_NONE when never/now */
    int64_t consecutive_failures;
    int64_t created_at;
    int64_t utc_offset;     /* seconds east of UTC of dates written without
                               a zone on its pages (28800 for +08:00) */
    char content_digest[65]; /* the crawler's digest of the page it last read
                                in full ("" none): see kw_crawl_page */
    char lease_owner[128];   /* the crawler that claimed it ("" none) ... */
    int64_t lease_until;     /* ... until then (KW_TIME_NONE: no claim) */
} kw_source;

/* Add a source; KW_EEXISTS when one of the same kind has the same URL. */
int kw_store_source_add(kw_store *s, const kw_source *src, int64_t *out);
int kw_store_source_get(kw_store *s, int64_t id, kw_source *out);
/* The source of this kind and URL (as stored), or KW_ENOTFOUND. */
int kw_store_source_find(kw_store *s, const char *kind, const char *url, kw_source *out);
/* Every source by id; caller frees *out with free(). */
int kw_store_source_list(kw_store *s, kw_source **out, size_t *n);
/* Write back kind, URL, platform, rules, schedule, enabled and utc_offset. */
int kw_store_source_update(kw_store *s, const kw_source *src);
/* Remove a source and its fetch history; its mentions stay. */
int kw_store_source_remove(kw_store *s, int64_t id);

/* Enabled sources due at `now` (never fetched, or next attempt reached),
 * the longest waiting first, at most limit; caller frees with free(). */
int kw_store_source_due(kw_store *s, int64_t now, size_t limit, kw_source **out, size_t *n);

/* Claim up to limit sources that are due and not leased to another live
 * worker: each gets lease_owner = owner until now + lease_s, so that no
 * source is fetched by two workers at once, and a crashed worker's claims
 * expire. On PostgreSQL rows are taken with FOR UPDATE SKIP LOCKED.
 * Recording a fetch (below) keeps the claim (more pages of the source may
 * follow): kw_store_source_release_ids lets it go when the crawler is done
 * with the source, kw_store_source_release all of them when the pass ends.
 * From the first claim on, s records only sources it holds or no one does
 * (KW_ELOST for one another crawler took when this one's lease ran out). limit is at most
 * KW_CLAIM_MAX. free(*out). */
#define KW_CLAIM_MAX 10000
int kw_store_source_claim(kw_store *s, const char *owner, int64_t now, int64_t lease_s,
                          size_t limit, kw_source **out, size_t *n);

/* Claim source id as owner until now + lease_s, due or not, enabled or
 * not, unless another crawler holds a live claim on it (KW_EBUSY, saying
 * until when); KW_ENOTFOUND when there is no such source. */
int kw_store_source_claim_one(kw_store *s, const char *owner, int64_t id, int64_t now,
                              int64_t lease_s, kw_source *out);

/* Extend owner's claims to until: a pass that takes longer than the lease
 * keeps the sources it has not reached yet. */
int kw_store_source_renew(kw_store *s, const char *owner, int64_t until);

/* When the next enabled source not claimed by a live lease is due (now
 * or earlier for one due already) into *at; KW_TIME_NONE when none is. */
int kw_store_source_next_due(kw_store *s, int64_t now, int64_t *at);

/* Give up owner's claims on the sources it has not recorded (a pass that
 * was stopped, or failed): they are due again at once, for any worker. */
int kw_store_source_release(kw_store *s, const char *owner);

/* Give up owner's claims on the n sources ids, which it is done with and
 * has recorded: one that comes due again may be claimed again (by this
 * crawler too) before its pass ends. A claim another crawler holds stays. */
int kw_store_source_release_ids(kw_store *s, const char *owner, const int64_t *ids, size_t n);

/* What one fetch of a source did: its health is updated and, unless
 * skip_history, a row added to its fetch history. status -1 when there was
 * no response; error NULL when it went well (consecutive failures then
 * reset to 0, else counted up). etag/last_modified NULL keep the stored
 * ones. */
typedef struct kw_fetch_record {
    int64_t source_id;
    const char *url;
    int64_t started_at, finished_at, next_attempt_at;
    int64_t status, bytes, items, new_mentions; /* -1 unknown */
    const char *error;
    int error_is_note; /* error is a note on a fetch that succeeded: shown
                          as the last error, not counted as a failure */
    const char *etag, *last_modified;
    const char *content_digest; /* of the page read in full; NULL keeps the stored one */
    int skip_history; /* health only: the crawler's uneventful fetches */
    /* the source as the crawler read it (NULL: any): when it has been
     * edited since (another URL, kind or rules), nothing is recorded, so
     * the edit's "due at once" and cleared health stand */
    const char *as_url, *as_kind, *as_rules;
} kw_fetch_record;
int kw_store_source_record(kw_store *s, const kw_fetch_record *r);

/* The validators stored for conditional GET (empty strings when none). */
int kw_store_source_validators(kw_store *s, int64_t id, char *etag, size_t etag_size,
                               char *last_modified, size_t lm_size);

/* ---- Partner registry -------------------------------------------------
 * Value types with fixed-size text: a text longer than its field is
 * KW_ETOOBIG when written. Numbers use -1 (counts, money) or NAN (rates)
 * for unknown. Money is minor units beside the record's ISO 4217 currency.
 */

#define KW_MAX_TAGS 16

/* Copy src into a fixed-size field of these records; KW_ETOOBIG naming
 * `what` when it does not fit. */
int kw_store_text_field(char *dst, size_t size, const char *src, const char *what);

typedef struct kw_partner {
    int64_t id;
    char name[256];
    char type[8];      /* kol, koc */
    char agency[256];  /* "" when none */
    char contact[256];
    char status[16];   /* prospect, active, paused, blocked */
    char notes[1024];
    char tags[KW_MAX_TAGS][64];
    int n_tags;
    int64_t created_at, updated_at;
} kw_partner;

int kw_store_partner_add(kw_store *s, const kw_partner *p, int64_t *out);
int kw_store_partner_get(kw_store *s, int64_t id, kw_partner *out);
/* Every partner by id; caller frees *out with free(). */
int kw_store_partner_list(kw_store *s, kw_partner **out, size_t *n);
int kw_store_partner_update(kw_store *s, const kw_partner *p);
/* Removes the partner with its accounts, quotes and deliverables. */
int kw_store_partner_remove(kw_store *s, int64_t id);

typedef struct kw_account {
    int64_t id, partner_id;
    char platform[16];
    char handle[256];
    char url[1024];
    int64_t followers, avg_views;  /* -1 unknown */
    double engagement_rate;        /* a fraction (0.035); NAN unknown */
    int64_t updated_at;
} kw_account;

/* Add an account; KW_EEXISTS when (platform, handle) is taken. The
 * follower count, when known, starts the account's follower history. */
int kw_store_account_add(kw_store *s, const kw_account *a, int64_t *out);
int kw_store_account_get(kw_store *s, int64_t id, kw_account *out);
/* Accounts of a partner (0 = all), by id; caller frees *out with free(). */
int kw_store_account_list(kw_store *s, int64_t partner_id, kw_account **out, size_t *n);
/* New figures for an account (unknown ones keep their value); a changed
 * follower count is added to the history. */
int kw_store_account_update(kw_store *s, const kw_account *a);
/* The follower history of an account, oldest first: times and counts;
 * caller frees both arrays with free(). */
int kw_store_account_history(kw_store *s, int64_t account_id, int64_t **at,
                             int64_t **followers, size_t *n);

/* Mentions written by a partner's accounts (author = handle on the same
 * platform, case-insensitive), per brand: fn gets the brand's name, how
 * many mentions and how many of them negative. */
typedef int (*kw_partner_mentions_fn)(void *ctx, const char *brand, int64_t total,
                                      int64_t negative);
int kw_store_partner_mentions(kw_store *s, int64_t partner_id, kw_partner_mentions_fn fn,
                              void *ctx);

/* The partner with an account of this handle (case-insensitive) on this
 * platform: *out gets its id, or 0 when there is none. */
int kw_store_partner_by_account(kw_store *s, const char *platform, const char *handle,
                                int64_t *out);

typedef struct kw_quote {
    int64_t id, partner_id, account_id; /* account_id 0 when none */
    char platform[16];
    char deliverable[16];
    char currency[4];
    char mode[12];          /* fee, barter, commission, hybrid */
    int64_t list_price;     /* 刊例价 */
    int64_t net_price;      /* 净价; -1 = same as list */
    int64_t product_value, shipping, bonus, bonus_threshold; /* -1 unknown */
    double commission_rate; /* NAN unknown */
    char usage_rights[256], exclusivity[256];
    int64_t valid_from, valid_until; /* KW_TIME_NONE when open */
    int64_t quoted_at;
} kw_quote;

/* Quotes are never overwritten: each price is a new row. */
int kw_store_quote_add(kw_store *s, const kw_quote *q, int64_t *out);
int kw_store_quote_get(kw_store *s, int64_t id, kw_quote *out);
/* Quotes of a partner (0 = all), newest first; caller frees with free(). */
int kw_store_quote_list(kw_store *s, int64_t partner_id, kw_quote **out, size_t *n);

typedef struct kw_campaign {
    int64_t id, brand_id;
    char name[256];
    char objective[16]; /* reach, engagement, conversions */
    int64_t budget;
    char currency[4];
    int64_t start_date, end_date; /* KW_TIME_NONE when open */
    int64_t created_at;
} kw_campaign;

int kw_store_campaign_add(kw_store *s, const kw_campaign *c, int64_t *out);
int kw_store_campaign_get(kw_store *s, int64_t id, kw_campaign *out);
int kw_store_campaign_list(kw_store *s, kw_campaign **out, size_t *n);

/* A quote taken into a campaign. It starts as a candidate (compared in
 * `budget`) or planned, then moves on: contracted, published (with the
 * post URL), paid. The terms are copied from the quote when it is added. */
typedef struct kw_deliverable {
    int64_t id, campaign_id, quote_id, partner_id;
    char platform[16], deliverable[16], currency[4], mode[12];
    char state[16];       /* candidate, planned, contracted, published, paid */
    int64_t agreed_price; /* cash: the quote's net price unless agreed otherwise */
    int64_t product_value, shipping, bonus, bonus_threshold; /* -1 unknown */
    double commission_rate;                                 /* NAN unknown */
    int64_t expected_reach, expected_engagements, expected_conversions,
        expected_gmv;     /* -1 = not given, to be estimated */
    char post_url[1024];
    int64_t published_at, paid_at, created_at; /* KW_TIME_NONE when not yet */
} kw_deliverable;

/* Add quote d->quote_id to campaign d->campaign_id in state d->state (""
 * means candidate) with the expected figures of d; the terms come from the
 * quote, and d->agreed_price >= 0 overrides its price. KW_EEXISTS if the
 * quote is in the campaign already. */
int kw_store_deliverable_add(kw_store *s, const kw_deliverable *d, int64_t *out);
int kw_store_deliverable_get(kw_store *s, int64_t id, kw_deliverable *out);
/* The deliverable of a quote in a campaign, or KW_ENOTFOUND. */
int kw_store_deliverable_find(kw_store *s, int64_t campaign_id, int64_t quote_id,
                              kw_deliverable *out);
/* Deliverables of a campaign (0 = every campaign) by id; free(*out). */
int kw_store_deliverable_list(kw_store *s, int64_t campaign_id, kw_deliverable **out,
                              size_t *n);
/* Write back state, agreed price, expected figures, post URL and times. */
int kw_store_deliverable_update(kw_store *s, const kw_deliverable *d);

/* Results of a deliverable as recorded at a time; later records supersede
 * earlier ones. Counts and GMV (minor units) are -1 when unknown. */
typedef struct kw_deliverable_result {
    int64_t id, deliverable_id, recorded_at;
    int64_t impressions, views, likes, comments, shares, saves, clicks, conversions, gmv;
} kw_deliverable_result;

int kw_store_result_add(kw_store *s, const kw_deliverable_result *r, int64_t *out);
/* The latest result of a deliverable, or KW_ENOTFOUND. */
int kw_store_result_latest(kw_store *s, int64_t deliverable_id, kw_deliverable_result *out);

/* ---- Audit log ------------------------------------------------------- */

/* Record who did what to which object; detail may be NULL. */
int kw_store_audit(kw_store *s, const char *actor, const char *action,
                   const char *object, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
