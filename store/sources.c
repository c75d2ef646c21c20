/*
 * The sources table: what the crawler fetches, on which schedule, with
 * which extraction rules, and how its last fetches went.
 */
#include "internal.h"

#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_COLS                                                            \
    "id, kind, url, platform, rules, every_s, enabled, last_status, last_error, " \
    "last_fetched_at, next_attempt_at, consecutive_failures, created_at, utc_offset, " \
    "content_digest, lease_owner, lease_until"

static const char SQL_ADD[] =
    "INSERT INTO sources (kind, url, platform, rules, every_s, enabled, created_at, utc_offset, "
    "canonical_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
static const char SQL_GET[] = "SELECT " SOURCE_COLS " FROM sources WHERE id = $1";
static const char SQL_FIND[] = "SELECT " SOURCE_COLS " FROM sources WHERE kind = $1 AND url = $2";
static const char SQL_LIST[] = "SELECT " SOURCE_COLS " FROM sources ORDER BY id";
static const char SQL_UPDATE[] =
    "UPDATE sources SET kind = $2, url = $3, platform = $4, rules = $5, every_s = $6, "
    "enabled = $7, utc_offset = $8, canonical_url = $9 WHERE id = $1";
static const char SQL_DELETE[] = "DELETE FROM sources WHERE id = $1";

static void row(kw_store *s, kw_stmt *st, kw_source *o)
{
    const char *v;
    memset(o, 0, sizeof *o);
    o->id = s->be->column_int64(st, 0);
    snprintf(o->kind, sizeof o->kind, "%s", s->be->column_text(st, 1));
    snprintf(o->url, sizeof o->url, "%s", s->be->column_text(st, 2));
    snprintf(o->platform, sizeof o->platform, "%s", s->be->column_text(st, 3));
    snprintf(o->rules, sizeof o->rules, "%s", s->be->column_text(st, 4));
    o->every_s = s->be->column_int64(st, 5);
    o->enabled = s->be->column_int64(st, 6) != 0;
    o->last_status = store_col_count(s, st, 7);
    v = store_col_str(s, st, 8);
    snprintf(o->last_error, sizeof o->last_error, "%s", v ? v : "");
    o->last_fetched_at = store_col_time(s, st, 9);
    o->next_attempt_at = store_col_time(s, st, 10);
    o->consecutive_failures = s->be->column_int64(st, 11);
    o->created_at = store_col_time(s, st, 12);
    o->utc_offset = s->be->column_int64(st, 13);
    v = store_col_str(s, st, 14);
    snprintf(o->content_digest, sizeof o->content_digest, "%s", v ? v : "");
    v = store_col_str(s, st, 15);
    snprintf(o->lease_owner, sizeof o->lease_owner, "%s", v ? v : "");
    o->lease_until = store_col_time(s, st, 16);
}

static int one(kw_store *s, const char *sql, int64_t id, const char *kind, const char *url,
               kw_source *out)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, sql, &st)))
        return rc;
    if (kind) {
        s->be->bind_text(st, 1, kind);
        s->be->bind_text(st, 2, url);
    } else {
        s->be->bind_int64(st, 1, id);
    }
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc
               : kind ? kw_error_set(KW_ENOTFOUND, "no %s source for %s", kind, url)
                      : kw_error_set(KW_ENOTFOUND, "no source %lld (see `kolwatch source list`)",
                                     (long long)id);
    row(s, st, out);
    s->be->reset(st);
    return 0;
}

int kw_store_source_get(kw_store *s, int64_t id, kw_source *out)
{
    return one(s, SQL_GET, id, NULL, NULL, out);
}


static int check(const kw_source *src)
{
    if (strcmp(src->kind, "feed") && strcmp(src->kind, "html") && strcmp(src->kind, "json"))
        return kw_error_set(KW_EINVAL, "source kind must be feed, html or json, not '%s'",
                            src->kind);
    if (!src->url[0])
        return kw_error_set(KW_EINVAL, "a source needs a URL");
    if (src->every_s < 60)
        return kw_error_set(KW_EINVAL, "a source is fetched at most once a minute");
    return 0;
}

/* The sources of a kind with a canonical URL, and those without one
 * (stored outside this file, or a URL with no canonical form), each read
 * through the index on (kind, canonical_url): SQLite does not use it for
 * an OR of the two. */
static const char SQL_SAME_KIND[] =
    "SELECT " SOURCE_COLS ", canonical_url FROM sources WHERE kind = $1 AND "
    "canonical_url = $3 AND id <> $2 UNION ALL SELECT " SOURCE_COLS ", canonical_url FROM "
    "sources WHERE kind = $1 AND canonical_url IS NULL AND id <> $2 ORDER BY 1";

/* url's canonical form into buf, or NULL when it has none. */
static const char *canonical_or_null(char *buf, size_t size, const char *url)
{
    return kw_url_canonical(buf, size, url) ? NULL : buf;
}

/* The source other than `other` that fetches url as kind: the same URL up
 * to the case of its scheme and host, a default port, a fragment, tracking
 * parameters and the order of the query's. KW_ENOTFOUND when none. */
static int same_source(kw_store *s, const char *kind, const char *url, int64_t other,
                       kw_source *out)
{
    kw_stmt *st;
    char want[4096], have[4096];
    int rc = one(s, SQL_FIND, 0, kind, url, out); /* written the same: one lookup */
    if (rc != KW_ENOTFOUND && (rc || out->id != other))
        return rc;
    if (!canonical_or_null(want, sizeof want, url))
        return kw_error_set(KW_ENOTFOUND, "no %s source for %s", kind, url);
    if ((rc = store_cached(s, SQL_SAME_KIND, &st)))
        return rc;
    s->be->bind_text(st, 1, kind);
    s->be->bind_int64(st, 2, other);
    s->be->bind_text(st, 3, want);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        const char *c = store_col_str(s, st, 15);
        if (!c)
            c = canonical_or_null(have, sizeof have, s->be->column_text(st, 2));
        if (c && strcmp(c, want) == 0) {
            row(s, st, out);
            s->be->reset(st);
            return 0;
        }
    }
    s->be->reset(st);
    return rc < 0 ? rc : kw_error_set(KW_ENOTFOUND, "no %s source for %s", kind, url);
}

/* Schema 7: the canonical URL of every source stored without one. The
 * rows are read first, then written: a statement is not stepped while the
 * table it reads changes. */
int store_sources_fill_canonical(kw_store *s)
{
    kw_stmt *st;
    struct fill {
        int64_t id;
        char *canonical;
    } *fills = NULL;
    size_t n = 0, cap = 0;
    char canon[4096];
    int rc;
    if ((rc = s->be->prepare(s, "SELECT id, url FROM sources WHERE canonical_url IS NULL", &st)))
        return rc;
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (!canonical_or_null(canon, sizeof canon, s->be->column_text(st, 1)))
            continue; /* no canonical form: compared by its URL as written */
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct fill *nt = realloc(fills, nc * sizeof *nt);
            if (!nt) {
                rc = kw_error_set(KW_ENOMEM, "out of memory");
                break;
            }
            fills = nt, cap = nc;
        }
        if (!(fills[n].canonical = strdup(canon))) {
            rc = kw_error_set(KW_ENOMEM, "out of memory");
            break;
        }
        fills[n++].id = s->be->column_int64(st, 0);
    }
    s->be->finalize(st);
    if (rc == STEP_DONE)
        rc = s->be->prepare(s, "UPDATE sources SET canonical_url = $2 WHERE id = $1", &st);
    if (rc == 0) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            s->be->bind_int64(st, 1, fills[i].id);
            s->be->bind_text(st, 2, fills[i].canonical);
            rc = store_run(s, st);
            s->be->reset(st);
        }
        s->be->finalize(st);
    }
    for (size_t i = 0; i < n; i++)
        free(fills[i].canonical);
    free(fills);
    return rc;
}

int kw_store_source_find(kw_store *s, const char *kind, const char *url, kw_source *out)
{
    return same_source(s, kind, url, 0, out);
}

/* KW_EEXISTS when another source fetches src's URL as src's kind. */
static int taken(kw_store *s, const kw_source *src)
{
    kw_source existing;
    int rc = same_source(s, src->kind, src->url, src->id, &existing);
    if (rc == 0)
        return kw_error_set(KW_EEXISTS, "source %lld already fetches %s as %s",
                            (long long)existing.id, existing.url, src->kind);
    return rc == KW_ENOTFOUND ? 0 : rc;
}

static int add_locked(kw_store *s, const kw_source *src, int64_t *out)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT], canon[4096];
    int rc = taken(s, src);
    if (rc)
        return rc;
    if ((rc = store_cached(s, SQL_ADD, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_text(st, 1, src->kind);
    s->be->bind_text(st, 2, src->url);
    s->be->bind_text(st, 3, src->platform[0] ? src->platform : "other");
    s->be->bind_text(st, 4, src->rules[0] ? src->rules : "{}");
    s->be->bind_int64(st, 5, src->every_s);
    s->be->bind_int64(st, 6, src->enabled ? 1 : 0);
    s->be->bind_text(st, 7, now);
    s->be->bind_int64(st, 8, src->utc_offset);
    s->be->bind_text(st, 9, canonical_or_null(canon, sizeof canon, src->url));
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "source insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

int kw_store_source_add(kw_store *s, const kw_source *src, int64_t *out)
{
    int rc = check(src);
    if (rc)
        return rc;
    IN_TX(s, add_locked(s, src, out));
}

int kw_store_source_list(kw_store *s, kw_source **out, size_t *n)
{
    kw_stmt *st;
    kw_source *arr = NULL;
    size_t len = 0, cap = 0;
    int rc;
    if ((rc = store_cached(s, SQL_LIST, &st)))
        return rc;
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 16;
            kw_source *na = realloc(arr, nc * sizeof *na);
            if (!na) {
                rc = kw_error_set(KW_ENOMEM, "out of memory");
                break;
            }
            arr = na;
            cap = nc;
        }
        row(s, st, &arr[len++]);
    }
    s->be->reset(st);
    if (rc < 0) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = len;
    return 0;
}

/* Whether two rule objects say different things: the same rules in
 * another order (an edit re-adding one) are the same. */
static bool rules_differ(const char *a, const char *b)
{
    cJSON *ja = cJSON_Parse(a), *jb = cJSON_Parse(b);
    bool differ = ja && jb ? !cJSON_Compare(ja, jb, true) : strcmp(a, b) != 0;
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return differ;
}

/* After an edit: a source that now reads something else (another URL,
 * kind or rules) starts afresh, due at once, without the old reading's
 * health; a new interval counts from the last fetch (unless the source is
 * backing off from failures). */
static int reschedule(kw_store *s, const kw_source *was, const kw_source *now)
{
    kw_stmt *st;
    int rc;
    if (strcmp(was->url, now->url) || strcmp(was->kind, now->kind) ||
        rules_differ(was->rules, now->rules[0] ? now->rules : "{}")) {
        if ((rc = store_cached(s, "UPDATE sources SET last_status = NULL, last_error = NULL, "
                                  "consecutive_failures = 0, next_attempt_at = NULL WHERE id = $1",
                               &st)))
            return rc;
        s->be->bind_int64(st, 1, now->id);
        return store_run(s, st);
    }
    if (was->every_s == now->every_s || was->consecutive_failures > 0 ||
        was->last_fetched_at == KW_TIME_NONE)
        return 0;
    if ((rc = store_cached(s, "UPDATE sources SET next_attempt_at = $2 WHERE id = $1", &st)))
        return rc;
    s->be->bind_int64(st, 1, now->id);
    store_bind_time(s, st, 2, was->last_fetched_at + now->every_s);
    return store_run(s, st);
}

static int update_locked(kw_store *s, const kw_source *src)
{
    kw_stmt *st;
    kw_source was;
    char canon[4096];
    int rc = kw_store_source_get(s, src->id, &was);
    /* only a new URL or kind can collide (sources that were alike before
     * this check existed stay editable) */
    if (rc || ((strcmp(was.url, src->url) || strcmp(was.kind, src->kind)) && (rc = taken(s, src))))
        return rc;
    if ((rc = store_cached(s, SQL_UPDATE, &st)))
        return rc;
    s->be->bind_int64(st, 1, src->id);
    s->be->bind_text(st, 2, src->kind);
    s->be->bind_text(st, 3, src->url);
    s->be->bind_text(st, 4, src->platform);
    s->be->bind_text(st, 5, src->rules[0] ? src->rules : "{}");
    s->be->bind_int64(st, 6, src->every_s);
    s->be->bind_int64(st, 7, src->enabled ? 1 : 0);
    s->be->bind_int64(st, 8, src->utc_offset);
    s->be->bind_text(st, 9, canonical_or_null(canon, sizeof canon, src->url));
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no source %lld", (long long)src->id);
    return reschedule(s, &was, src);
}

int kw_store_source_update(kw_store *s, const kw_source *src)
{
    int rc = check(src);
    if (rc)
        return rc;
    IN_TX(s, update_locked(s, src));
}

int kw_store_source_remove(kw_store *s, int64_t id)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_DELETE, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no source %lld (see `kolwatch source list`)",
                            (long long)id);
    return 0;
}

static const char SQL_DUE[] =
    "SELECT " SOURCE_COLS " FROM sources WHERE enabled = 1 AND (next_attempt_at IS NULL OR "
    "next_attempt_at <= $1) ORDER BY COALESCE(next_attempt_at, created_at), id LIMIT $2";
/* A record keeps the claim: a source may have more pages to come (next=),
 * and another crawler (`crawl --source`) must not take it between them;
 * the crawler lets the claim go when it is done with the source, or when
 * its pass ends. */
static const char SQL_RECORD[] =
    "UPDATE sources SET "
    "last_status = $2, last_error = $3, last_fetched_at = $4, "
    "next_attempt_at = $5, consecutive_failures = CASE WHEN $6 = 1 THEN consecutive_failures + 1 "
    "ELSE 0 END, etag = COALESCE($7, etag), last_modified = COALESCE($8, last_modified), "
    "content_digest = COALESCE($9, content_digest) WHERE id = $1 AND ($10 = '' OR "
    "(url = $10 AND kind = $11 AND rules = $12)) AND ($13 = '' OR lease_owner IS NULL OR "
    "lease_owner = $13)";
static const char SQL_HISTORY[] =
    "INSERT INTO fetches (source_id, started_at, finished_at, url, http_status, bytes, items, "
    "new_mentions, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_VALIDATORS[] = "SELECT etag, last_modified FROM sources WHERE id = $1";

int kw_store_source_due(kw_store *s, int64_t now, size_t limit, kw_source **out, size_t *n)
{
    kw_stmt *st;
    kw_source *arr = NULL;
    size_t len = 0;
    int rc;
    if (limit == 0 || limit > 100000)
        limit = 100000;
    if ((rc = store_cached(s, SQL_DUE, &st)))
        return rc;
    store_bind_time(s, st, 1, now);
    s->be->bind_int64(st, 2, (int64_t)limit);
    if (!(arr = calloc(limit < 64 ? limit : 64, sizeof *arr)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    size_t cap = limit < 64 ? limit : 64;
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (len == cap) {
            kw_source *na = realloc(arr, cap * 2 * sizeof *na);
            if (!na) {
                rc = kw_error_set(KW_ENOMEM, "out of memory");
                break;
            }
            arr = na;
            cap *= 2;
        }
        row(s, st, &arr[len++]);
    }
    s->be->reset(st);
    if (rc < 0) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = len;
    return 0;
}

static int record_locked(kw_store *s, const kw_fetch_record *r)
{
    kw_stmt *st;
    char t1[KW_TIME_TEXT], t2[KW_TIME_TEXT]; /* bound where they are: no copies */
    int rc;
    if ((rc = store_cached(s, SQL_RECORD, &st)))
        return rc;
    s->be->bind_int64(st, 1, r->source_id);
    store_bind_count(s, st, 2, r->status);
    s->be->bind_text(st, 3, r->error);
    store_bind_time_kept(s, st, 4, r->finished_at, t1);
    store_bind_time_kept(s, st, 5, r->next_attempt_at, t2);
    s->be->bind_int64(st, 6, r->error && !r->error_is_note ? 1 : 0);
    s->be->bind_text(st, 7, r->etag);
    s->be->bind_text(st, 8, r->last_modified);
    s->be->bind_text_kept(st, 9, r->content_digest);
    s->be->bind_text_kept(st, 10, r->as_url ? r->as_url : "");
    s->be->bind_text_kept(st, 11, r->as_kind ? r->as_kind : "");
    s->be->bind_text_kept(st, 12, r->as_rules ? r->as_rules : "");
    s->be->bind_text_kept(st, 13, s->claim_owner);
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0) {
        kw_source now;
        if ((rc = kw_store_source_get(s, r->source_id, &now)))
            return rc == KW_ENOTFOUND
                       ? kw_error_set(KW_ENOTFOUND, "no source %lld", (long long)r->source_id)
                       : rc;
        if (s->claim_owner[0] && now.lease_owner[0] && strcmp(now.lease_owner, s->claim_owner))
            return kw_error_set(KW_ELOST, "source %lld is another crawler's now (%s): this "
                                          "one's claim on it ran out while it read it",
                                (long long)r->source_id, now.lease_owner);
        int edited = r->as_url && (strcmp(now.url, r->as_url) ||
                                   strcmp(now.kind, r->as_kind ? r->as_kind : "") ||
                                   strcmp(now.rules, r->as_rules ? r->as_rules : ""));
        if (!edited && !s->claim_owner[0])
            return r->as_url ? 0 : kw_error_set(KW_ENOTFOUND, "no source %lld",
                                                (long long)r->source_id);
        if (!edited) /* held by another meanwhile, and recorded */
            return kw_error_set(KW_ELOST, "source %lld was read and recorded by another "
                                          "crawler while this one read it (its claim ran out)",
                                (long long)r->source_id);
        if (!s->claim_owner[0])
            return 0; /* edited while it was read: the edit stands, due at once */
        if ((rc = store_cached(s, "UPDATE sources SET lease_owner = NULL, lease_until = NULL "
                                  "WHERE id = $1 AND lease_owner = $2",
                               &st)))
            return rc; /* ... and the claim goes, not to hold it up */
        s->be->bind_int64(st, 1, r->source_id);
        s->be->bind_text(st, 2, s->claim_owner);
        return store_run(s, st);
    }
    if (r->skip_history)
        return 0;
    if ((rc = store_cached(s, SQL_HISTORY, &st)))
        return rc;
    s->be->bind_int64(st, 1, r->source_id);
    store_bind_time_kept(s, st, 2, r->started_at, t1);
    store_bind_time_kept(s, st, 3, r->finished_at, t2);
    s->be->bind_text_kept(st, 4, r->url ? r->url : "");
    store_bind_count(s, st, 5, r->status);
    store_bind_count(s, st, 6, r->bytes);
    store_bind_count(s, st, 7, r->items);
    store_bind_count(s, st, 8, r->new_mentions);
    s->be->bind_text(st, 9, r->error);
    return store_run(s, st);
}

int kw_store_source_record(kw_store *s, const kw_fetch_record *r)
{
    IN_TX(s, record_locked(s, r));
}

int kw_store_source_validators(kw_store *s, int64_t id, char *etag, size_t etag_size,
                               char *last_modified, size_t lm_size)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_VALIDATORS, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_ENOTFOUND, "no source %lld", (long long)id);
    const char *e = store_col_str(s, st, 0), *l = store_col_str(s, st, 1);
    snprintf(etag, etag_size, "%s", e ? e : "");
    snprintf(last_modified, lm_size, "%s", l ? l : "");
    s->be->reset(st);
    return 0;
}

int kw_store_source_renew(kw_store *s, const char *owner, int64_t until)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, "UPDATE sources SET lease_until = $2 WHERE lease_owner = $1", &st)))
        return rc;
    s->be->bind_text(st, 1, owner);
    store_bind_time(s, st, 2, until - s->clock_ahead); /* in the server's time */
    return store_run(s, st);
}

int kw_store_source_release(kw_store *s, const char *owner)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, "UPDATE sources SET lease_owner = NULL, lease_until = NULL "
                              "WHERE lease_owner = $1",
                           &st)))
        return rc;
    s->be->bind_text(st, 1, owner);
    return store_run(s, st);
}

static int release_ids_locked(kw_store *s, const char *owner, const int64_t *ids, size_t n)
{
    kw_stmt *st;
    int rc = store_cached(s, "UPDATE sources SET lease_owner = NULL, lease_until = NULL "
                             "WHERE id = $1 AND lease_owner = $2",
                          &st);
    for (size_t i = 0; i < n && !rc; i++) {
        s->be->bind_int64(st, 1, ids[i]);
        s->be->bind_text(st, 2, owner);
        rc = store_run(s, st);
        s->be->reset(st);
    }
    return rc;
}

int kw_store_source_release_ids(kw_store *s, const char *owner, const int64_t *ids, size_t n)
{
    IN_TX(s, release_ids_locked(s, owner, ids, n));
}

/* Claims from now on as owner, and now (this machine's time) in the
 * database server's, which every crawler shares: the clocks measured
 * against each other each claim (a failure, or a transaction under way,
 * keeps the last measure). */
static int64_t claim_as(kw_store *s, const char *owner, int64_t now)
{
    int64_t ahead;
    snprintf(s->claim_owner, sizeof s->claim_owner, "%s", owner);
    if (s->in_tx || kw_store_clock_ahead(s, &ahead))
        ahead = s->clock_ahead;
    return now - ahead;
}

int kw_store_source_claim(kw_store *s, const char *owner, int64_t now, int64_t lease_s,
                          size_t limit, kw_source **out, size_t *n)
{
    char sql[1024];
    kw_stmt *st = NULL;
    kw_source *arr = NULL;
    size_t len = 0;
    int rc, own = !s->in_tx;
    if (limit == 0 || limit > KW_CLAIM_MAX)
        limit = KW_CLAIM_MAX;
    int64_t lnow = claim_as(s, owner, now);
    snprintf(sql, sizeof sql,
             "UPDATE sources SET lease_owner = $1, lease_until = $2 WHERE id IN (SELECT id "
             "FROM sources WHERE enabled = 1 AND (next_attempt_at IS NULL OR next_attempt_at "
             "<= $3) AND (lease_until IS NULL OR lease_until < $4) ORDER BY "
             "COALESCE(next_attempt_at, created_at), id LIMIT %zu%s) RETURNING " SOURCE_COLS,
             limit, s->be->sql_skip_locked);
    if (!(arr = calloc(limit, sizeof *arr)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    if (own && (rc = kw_store_begin(s)))
        goto done;
    if ((rc = s->be->prepare(s, sql, &st)))
        goto done;
    s->be->bind_text(st, 1, owner);
    store_bind_time(s, st, 2, lnow + lease_s);
    store_bind_time(s, st, 3, now);
    store_bind_time(s, st, 4, lnow);
    while ((rc = s->be->step(st)) == STEP_ROW && len < limit)
        row(s, st, &arr[len++]);
    if (rc > 0)
        rc = 0;
done:
    if (st)
        s->be->finalize(st);
    if (own && s->in_tx) {
        if (rc)
            kw_store_rollback(s);
        else
            rc = kw_store_commit(s);
    }
    if (rc) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = len;
    return 0;
}

int kw_store_source_claim_one(kw_store *s, const char *owner, int64_t id, int64_t now,
                              int64_t lease_s, kw_source *out)
{
    kw_stmt *st;
    int rc;
    now = claim_as(s, owner, now);
    if ((rc = store_cached(s, "UPDATE sources SET lease_owner = $1, lease_until = $2 WHERE "
                              "id = $3 AND (lease_until IS NULL OR lease_until < $4 OR "
                              "lease_owner = $1) RETURNING " SOURCE_COLS,
                           &st)))
        return rc;
    s->be->bind_text(st, 1, owner);
    store_bind_time(s, st, 2, now + lease_s);
    s->be->bind_int64(st, 3, id);
    store_bind_time(s, st, 4, now);
    int found = 0;
    while ((rc = s->be->step(st)) == STEP_ROW)
        if (!found++)
            row(s, st, out);
    s->be->reset(st);
    if (rc < 0 || found)
        return rc < 0 ? rc : 0;
    kw_source now_src;
    if ((rc = kw_store_source_get(s, id, &now_src)))
        return rc;
    char until[KW_TIME_TEXT] = "";
    kw_time_format(until, sizeof until, now_src.lease_until);
    return kw_error_set(KW_EBUSY, "source %lld is being fetched by another crawler (%s) until "
                                  "its claim ends at %s; try again then",
                        (long long)id, now_src.lease_owner, until);
}

int kw_store_source_next_due(kw_store *s, int64_t now, int64_t *at)
{
    kw_stmt *st;
    int rc;
    *at = KW_TIME_NONE;
    if ((rc = store_cached(s, "SELECT MIN(COALESCE(next_attempt_at, created_at)) FROM sources "
                              "WHERE enabled = 1 AND (lease_until IS NULL OR lease_until < $1)",
                           &st)))
        return rc;
    store_bind_time(s, st, 1, now - s->clock_ahead);
    if ((rc = s->be->step(st)) == STEP_ROW)
        *at = store_col_time(s, st, 0);
    s->be->reset(st);
    return rc < 0 ? rc : 0;
}
