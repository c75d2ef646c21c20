/*
 * The store's logic, written once for both back ends against the
 * statement interface in internal.h. Every write that adds a mention or
 * changes its label updates the 5-minute buckets in the same transaction;
 * nothing here may leave a mention without its bucket counts.
 */
#include "internal.h"

#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET_SECONDS 300

static const char *const sql_text[Q_COUNT] = {
    [Q_BRAND_ADD] = "INSERT INTO brands (name, query, competitor_of, created_at, "
                    "updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    [Q_BRAND_BY_NAME] = "SELECT id, name, query, competitor_of, created_at "
                        "FROM brands WHERE name = $1",
    [Q_BRAND_BY_ID] = "SELECT id, name, query, competitor_of, created_at "
                      "FROM brands WHERE id = $1",
    [Q_BRAND_LIST] = "SELECT id, name, query, competitor_of, created_at "
                     "FROM brands ORDER BY id",
    [Q_BRAND_UPDATE] = "UPDATE brands SET name = $2, query = $3, competitor_of = $4, "
                       "updated_at = $5 WHERE id = $1",
    [Q_BRAND_DELETE] = "DELETE FROM brands WHERE id = $1",
    [Q_ALIAS_ADD] = "INSERT INTO brand_aliases (brand_id, alias) VALUES ($1, $2) "
                    "ON CONFLICT DO NOTHING",
    [Q_ALIAS_LIST] = "SELECT alias FROM brand_aliases WHERE brand_id = $1 ORDER BY alias",
    [Q_ALIAS_CLEAR] = "DELETE FROM brand_aliases WHERE brand_id = $1",
    [Q_MENTION_INSERT] =
        "INSERT INTO mentions (url, canonical_url, content_hash, repost_of, source_id, "
        "platform, author, title, text, lang, published_at, fetched_at, likes, "
        "comments, shares, views, reach, score, pos, neg, neu, label, explanation, "
        "scored_at, partner_id, sim_b0, sim_b1, sim_b2, sim_b3) VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
        "$22, $23, $24, $25, $26, $27, $28, $29) "
        "ON CONFLICT (canonical_url) DO NOTHING RETURNING id",
    [Q_MENTION_FIND] = "SELECT id, COALESCE(published_at, fetched_at), platform, label, "
                       "reach FROM mentions WHERE canonical_url = $1",
    [Q_LINK_INSERT] = "INSERT INTO mention_brands (mention_id, brand_id, linked_at) "
                      "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    [Q_BUCKET_ADD] =
        "INSERT INTO buckets (brand_id, platform, bucket_start, n_all, n_pos, n_neg, "
        "n_neu, reach) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (brand_id, platform, bucket_start) DO UPDATE SET "
        "n_all = buckets.n_all + excluded.n_all, n_pos = buckets.n_pos + excluded.n_pos, "
        "n_neg = buckets.n_neg + excluded.n_neg, n_neu = buckets.n_neu + excluded.n_neu, "
        "reach = buckets.reach + excluded.reach",
    [Q_MENTION_SENTIMENT] = "SELECT COALESCE(published_at, fetched_at), platform, label "
                            "FROM mentions WHERE id = $1",
    [Q_MENTION_SET_SENTIMENT] = "UPDATE mentions SET score = $2, pos = $3, neg = $4, "
                                "neu = $5, label = $6, explanation = $7, scored_at = $8 "
                                "WHERE id = $1",
    [Q_MENTION_BRANDS] = "SELECT b.name FROM mention_brands mb JOIN brands b ON "
                         "b.id = mb.brand_id WHERE mb.mention_id = $1 ORDER BY b.name",
    [Q_MENTION_BRAND_IDS] = "SELECT brand_id FROM mention_brands WHERE mention_id = $1",
    [Q_MENTION_COUNT_ALL] = "SELECT COUNT(*) FROM mentions",
    [Q_MENTION_COUNT_BRAND] = "SELECT COUNT(*) FROM mention_brands WHERE brand_id = $1",
    [Q_AUDIT] = "INSERT INTO audit_log (at, actor, action, object, detail) "
                "VALUES ($1, $2, $3, $4, $5)",
    [Q_VERSION_GET] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",
};

int store_cached(kw_store *s, const char *sql, kw_stmt **out)
{
    size_t h = ((uintptr_t)sql >> 4) % STORE_CACHE_SLOTS;
    for (size_t i = 0; i < STORE_CACHE_SLOTS; i++, h = (h + 1) % STORE_CACHE_SLOTS) {
        if (s->cache[h].sql == sql) {
            s->be->reset(s->cache[h].st);
            *out = s->cache[h].st;
            return 0;
        }
        if (!s->cache[h].sql) {
            int rc = s->be->prepare(s, sql, &s->cache[h].st);
            if (rc)
                return rc;
            s->cache[h].sql = sql;
            *out = s->cache[h].st;
            return 0;
        }
    }
    return kw_error_set(KW_EINVAL, "internal: statement cache full");
}

/* The cached statement for q, reset and ready to bind. */
static int stmt(kw_store *s, int q, kw_stmt **out)
{
    if (!s->q[q]) {
        int rc = s->be->prepare(s, sql_text[q], &s->q[q]);
        if (rc)
            return rc;
    } else {
        s->be->reset(s->q[q]);
    }
    *out = s->q[q];
    return 0;
}

void store_now_text(char *buf) { kw_time_format(buf, KW_TIME_TEXT, kw_time_now()); }

/* Bind a time or NULL when unknown. */
int store_bind_time(kw_store *s, kw_stmt *st, int idx, int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_TIME_NONE)
        return s->be->bind_text(st, idx, NULL);
    kw_time_format(buf, sizeof buf, t);
    return s->be->bind_text(st, idx, buf);
}

int store_bind_time_kept(kw_store *s, kw_stmt *st, int idx, int64_t t, char *buf)
{
    if (t == KW_TIME_NONE)
        return s->be->bind_text(st, idx, NULL);
    kw_time_format(buf, KW_TIME_TEXT, t);
    return s->be->bind_text_kept(st, idx, buf);
}

int store_bind_count(kw_store *s, kw_stmt *st, int idx, int64_t v)
{
    return v < 0 ? s->be->bind_text(st, idx, NULL) : s->be->bind_int64(st, idx, v);
}

int store_bind_id(kw_store *s, kw_stmt *st, int idx, int64_t v)
{
    return v <= 0 ? s->be->bind_text(st, idx, NULL) : s->be->bind_int64(st, idx, v);
}

int64_t store_col_time(kw_store *s, kw_stmt *st, int col)
{
    int64_t t;
    if (s->be->column_null(st, col) || kw_time_parse(&t, s->be->column_text(st, col)))
        return KW_TIME_NONE;
    return t;
}

int64_t store_col_count(kw_store *s, kw_stmt *st, int col)
{
    return s->be->column_null(st, col) ? -1 : s->be->column_int64(st, col);
}

/* Run a statement that returns nothing; the caller has bound it. */
int store_run(kw_store *s, kw_stmt *st)
{
    int rc = s->be->step(st);
    return rc < 0 ? rc : 0;
}

/* ---- Open, version, migrations ---------------------------------------- */

static const kw_migration *migrations(kw_store *s, int *n)
{
    if (strcmp(s->be->name, "postgres") == 0) {
        *n = kw_migrations_postgres_count;
        return kw_migrations_postgres;
    }
    *n = kw_migrations_sqlite_count;
    return kw_migrations_sqlite;
}

int kw_store_version(kw_store *s, int *current, int *known)
{
    kw_stmt *st;
    int n, has = 0, rc;
    const kw_migration *m = migrations(s, &n);
    if (known)
        *known = n ? m[n - 1].version : 0;
    if (!current)
        return 0;
    *current = 0;
    kw_stmt *ht;
    if ((rc = s->be->prepare(s, s->be->sql_has_table, &ht)))
        return rc;
    s->be->bind_text(ht, 1, "schema_version");
    rc = s->be->step(ht);
    has = rc == STEP_ROW;
    s->be->finalize(ht);
    if (rc < 0)
        return rc;
    if (!has)
        return 0;
    if ((rc = stmt(s, Q_VERSION_GET, &st)))
        return rc;
    if ((rc = s->be->step(st)) < 0)
        return rc;
    *current = (int)s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

static int is_postgres_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int kw_store_open(kw_store **out, const char *url, const kw_store_options *opt)
{
    kw_store_options defaults = {0};
    kw_store *s = NULL;
    int rc, current, known;
    if (!opt)
        opt = &defaults;
    if (!url || !*url)
        return kw_error_set(KW_EINVAL, "no database URL given (--db or KOLWATCH_DB)");
    const char *scheme_end = strstr(url, "://");
    if (scheme_end && !is_postgres_url(url) && strncmp(url, "sqlite:", 7) != 0 &&
        strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
            (size_t)(scheme_end - url))
        return kw_error_set(KW_EINVAL, "%s: kolwatch stores in SQLite (a path, or sqlite:PATH) "
                                       "or PostgreSQL (postgres://user@host:port/db), not '%.*s'",
                            url, (int)(scheme_end - url), url);
    if (!(s = calloc(1, sizeof *s)) || !(s->url = strdup(url))) {
        free(s);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    if (is_postgres_url(url)) {
        rc = kw_postgres_open(s, url, opt);
    } else {
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        rc = kw_sqlite_open(s, path, opt);
    }
    if (rc)
        goto fail;
    if (!opt->skip_version) {
        if ((rc = kw_store_version(s, &current, &known)))
            goto fail;
        if (current > known) {
            rc = kw_error_set(KW_EVERSION,
                              "%s: the database has schema version %d, newer than "
                              "this kolwatch knows (%d); upgrade kolwatch",
                              url, current, known);
            goto fail;
        }
        if (current < known) {
            rc = kw_error_set(KW_EVERSION,
                              "%s: the database has schema version %d, this kolwatch "
                              "needs %d; run `kolwatch migrate` (or `kolwatch init`)",
                              url, current, known);
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    kw_store_free(s);
    return rc;
}

int kw_store_connected(const kw_store *s) { return !s->be->connected || s->be->connected(s); }

int kw_store_clock_ahead(kw_store *s, int64_t *ahead)
{
    kw_stmt *st;
    int rc;
    *ahead = 0;
    if (strcmp(s->be->name, "postgres") != 0)
        return 0;
    if ((rc = s->be->prepare(s, "SELECT CURRENT_TIMESTAMP", &st)))
        return rc;
    int64_t before = kw_time_now();
    if ((rc = s->be->step(st)) == STEP_ROW) {
        int64_t server = store_col_time(s, st, 0), after = kw_time_now();
        /* the midpoint of the round trip, to the second */
        rc = server == KW_TIME_NONE ? kw_error_set(KW_EDB, "the database's time is unreadable")
                                    : 0;
        *ahead = rc ? 0 : (before + after) / 2 - server;
        if (!rc)
            s->clock_ahead = *ahead;
    }
    s->be->finalize(st);
    return rc < 0 ? rc : 0;
}

void kw_store_free(kw_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        if (s->q[i])
            s->be->finalize(s->q[i]);
    for (int i = 0; i < STORE_CACHE_SLOTS; i++)
        if (s->cache[i].sql)
            s->be->finalize(s->cache[i].st);
    if (s->be && s->db)
        s->be->close(s);
    bucket_sums_free(&s->sums);
    free(s->url);
    free(s);
}

const char *kw_store_backend(const kw_store *s) { return s->be->name; }

int kw_store_begin(kw_store *s)
{
    if (s->in_tx)
        return kw_error_set(KW_EINVAL, "a transaction is already open");
    int rc = s->be->exec(s, s->be->sql_begin);
    if (!rc)
        s->in_tx = 1;
    return rc;
}

int kw_store_commit(kw_store *s)
{
    int rc = store_buckets_settle(s);
    if (rc)
        return rc;
    rc = s->be->exec(s, "COMMIT");
    if (!rc)
        s->in_tx = 0;
    return rc;
}

int kw_store_rollback(kw_store *s)
{
    s->in_tx = 0;
    bucket_sums_clear(&s->sums);
    return s->be->exec(s, "ROLLBACK");
}

int kw_store_in_transaction(const kw_store *s) { return s->in_tx; }

int kw_store_savepoint(kw_store *s)
{
    if (!s->in_tx)
        return kw_error_set(KW_EINVAL, "a savepoint needs an open transaction");
    int rc = store_buckets_settle(s); /* so that a rollback to it drops all sums */
    return rc ? rc : s->be->exec(s, "SAVEPOINT kw_item");
}

int kw_store_savepoint_release(kw_store *s) { return s->be->exec(s, "RELEASE SAVEPOINT kw_item"); }

int kw_store_savepoint_rollback(kw_store *s)
{
    bucket_sums_clear(&s->sums); /* all added since the savepoint */
    int rc = s->be->exec(s, "ROLLBACK TO SAVEPOINT kw_item");
    return rc ? rc : s->be->exec(s, "RELEASE SAVEPOINT kw_item");
}

static int migrate_locked(kw_store *s, int *applied)
{
    int n, current, known, rc;
    const kw_migration *m = migrations(s, &n);
    if ((rc = s->be->exec(s, s->be->sql_version_ddl)))
        return rc;
    if ((rc = kw_store_version(s, &current, &known)))
        return rc;
    if (current > known)
        return kw_error_set(KW_EVERSION,
                            "%s: the database has schema version %d, newer than this "
                            "kolwatch knows (%d); upgrade kolwatch",
                            s->url, current, known);
    for (int i = 0; i < n; i++) {
        kw_stmt *st;
        char now[KW_TIME_TEXT];
        if (m[i].version <= current)
            continue;
        if ((rc = s->be->exec(s, m[i].sql)) ||
            (m[i].version == SCHEMA_SOURCE_CANONICAL && (rc = store_sources_fill_canonical(s))) ||
            (m[i].version == SCHEMA_CANONICAL_EQUIVALENTS && (rc = store_rekey_canonical(s))))
            return kw_error_set(rc, "migration %03d_%s: %s", m[i].version, m[i].name,
                                kw_error_last());
        if ((rc = s->be->prepare(s, "INSERT INTO schema_version (version, name, "
                                    "applied_at) VALUES ($1, $2, $3)",
                                 &st)))
            return rc;
        store_now_text(now);
        s->be->bind_int64(st, 1, m[i].version);
        s->be->bind_text(st, 2, m[i].name);
        s->be->bind_text(st, 3, now);
        rc = store_run(s, st);
        s->be->finalize(st);
        if (rc)
            return rc;
        if (applied)
            (*applied)++;
    }
    return 0;
}

int kw_store_migrate(kw_store *s, int *applied)
{
    if (applied)
        *applied = 0;
    /* One transaction for all: a second migrate waits, then finds nothing
     * to do; a failed migration leaves the database as it was. */
    IN_TX(s, migrate_locked(s, applied));
}

/* ---- Brands ------------------------------------------------------------ */

static int brand_from_row(kw_store *s, kw_stmt *st, kw_brand **out)
{
    kw_brand *b = calloc(1, sizeof *b);
    if (!b)
        return kw_error_set(KW_ENOMEM, "out of memory");
    b->id = s->be->column_int64(st, 0);
    b->name = strdup(s->be->column_text(st, 1));
    b->query = strdup(s->be->column_text(st, 2));
    b->competitor_of = s->be->column_null(st, 3) ? 0 : s->be->column_int64(st, 3);
    b->created_at = store_col_time(s, st, 4);
    if (!b->name || !b->query) {
        kw_brand_free(b);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    *out = b;
    return 0;
}

static int brand_aliases(kw_store *s, kw_brand *b)
{
    kw_stmt *st;
    int rc;
    size_t cap = 0;
    if ((rc = stmt(s, Q_ALIAS_LIST, &st)))
        return rc;
    s->be->bind_int64(st, 1, b->id);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (b->n_aliases == cap) {
            cap = cap ? cap * 2 : 4;
            char **na = realloc(b->aliases, cap * sizeof *na);
            if (!na)
                return kw_error_set(KW_ENOMEM, "out of memory");
            b->aliases = na;
        }
        if (!(b->aliases[b->n_aliases] = strdup(s->be->column_text(st, 0))))
            return kw_error_set(KW_ENOMEM, "out of memory");
        b->n_aliases++;
    }
    return rc < 0 ? rc : 0;
}

static int set_aliases(kw_store *s, int64_t id, char *const *aliases, size_t n)
{
    kw_stmt *st;
    int rc;
    if ((rc = stmt(s, Q_ALIAS_CLEAR, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    if ((rc = store_run(s, st)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = stmt(s, Q_ALIAS_ADD, &st)))
            return rc;
        s->be->bind_int64(st, 1, id);
        s->be->bind_text(st, 2, aliases[i]);
        if ((rc = store_run(s, st)))
            return rc;
    }
    return 0;
}

/* Every change to the brands counts up settings' brands.generation in
 * the same transaction: the crawler reads pages again for brands that
 * changed, and a brand removed and added again may get its old id back. */
static const char SQL_BRANDS_BUMP[] =
    "INSERT INTO settings (key, value) VALUES ('brands.generation', '1') ON CONFLICT (key) DO "
    "UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)";
static const char SQL_BRANDS_GENERATION[] =
    "SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'brands.generation'";

static int brands_changed(kw_store *s)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_BRANDS_BUMP, &st)))
        return rc;
    return store_run(s, st);
}

int kw_store_brands_generation(kw_store *s, int64_t *out)
{
    kw_stmt *st;
    int rc;
    *out = 0;
    if ((rc = store_cached(s, SQL_BRANDS_GENERATION, &st)))
        return rc;
    rc = s->be->step(st);
    if (rc == STEP_ROW)
        *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return rc < 0 ? rc : 0;
}

static int brand_add_locked(kw_store *s, const kw_brand *b, int64_t *out)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = stmt(s, Q_BRAND_ADD, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_text(st, 1, b->name);
    s->be->bind_text(st, 2, b->query ? b->query : "");
    store_bind_id(s, st, 3, b->competitor_of);
    s->be->bind_text(st, 4, now);
    rc = s->be->step(st);
    if (rc == KW_EEXISTS)
        return kw_error_set(rc, "a brand named '%s' already exists", b->name);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "brand insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    if ((rc = brands_changed(s)))
        return rc;
    return set_aliases(s, *out, b->aliases, b->n_aliases);
}

int kw_store_brand_add(kw_store *s, const kw_brand *b, int64_t *out)
{
    if (!b->name || !*b->name)
        return kw_error_set(KW_EINVAL, "a brand needs a name");
    IN_TX(s, brand_add_locked(s, b, out));
}

static int is_decimal_id(const char *t)
{
    if (!*t || *t == '0')
        return 0;
    for (; *t; t++)
        if (!isdigit((unsigned char)*t))
            return 0;
    return 1;
}

int kw_store_brand_find(kw_store *s, const char *name_or_id, kw_brand **out)
{
    kw_stmt *st;
    kw_brand *b = NULL;
    int rc;
    /* A name wins over an id: a brand may be called "2024". */
    for (int pass = 0; pass < 2 && !b; pass++) {
        if (pass == 1 && !is_decimal_id(name_or_id))
            break;
        if ((rc = stmt(s, pass ? Q_BRAND_BY_ID : Q_BRAND_BY_NAME, &st)))
            return rc;
        if (pass)
            s->be->bind_int64(st, 1, strtoll(name_or_id, NULL, 10));
        else
            s->be->bind_text(st, 1, name_or_id);
        rc = s->be->step(st);
        if (rc < 0)
            return rc;
        if (rc == STEP_ROW && (rc = brand_from_row(s, st, &b)))
            return rc;
        s->be->reset(st);
    }
    if (!b)
        return kw_error_set(KW_ENOTFOUND, "no brand '%s' (see `kolwatch brand list`)",
                            name_or_id);
    if ((rc = brand_aliases(s, b))) {
        kw_brand_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

int kw_store_brand_list(kw_store *s, kw_brand ***out, size_t *n)
{
    kw_stmt *st;
    kw_brand **list = NULL;
    size_t cap = 0, len = 0;
    int rc;
    if ((rc = stmt(s, Q_BRAND_LIST, &st)))
        return rc;
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            kw_brand **nl = realloc(list, cap * sizeof *nl);
            if (!nl) {
                rc = kw_error_set(KW_ENOMEM, "out of memory");
                break;
            }
            list = nl;
        }
        if ((rc = brand_from_row(s, st, &list[len])))
            break;
        len++;
    }
    s->be->reset(st);
    for (size_t i = 0; rc >= 0 && i < len; i++)
        rc = brand_aliases(s, list[i]);
    if (rc < 0) {
        kw_brand_list_free(list, len);
        return rc;
    }
    *out = list;
    *n = len;
    return 0;
}

static int brand_update_locked(kw_store *s, const kw_brand *b)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = stmt(s, Q_BRAND_UPDATE, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, b->id);
    s->be->bind_text(st, 2, b->name);
    s->be->bind_text(st, 3, b->query ? b->query : "");
    store_bind_id(s, st, 4, b->competitor_of);
    s->be->bind_text(st, 5, now);
    rc = store_run(s, st);
    if (rc == KW_EEXISTS)
        return kw_error_set(rc, "a brand named '%s' already exists", b->name);
    if (rc)
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no brand with id %lld", (long long)b->id);
    if ((rc = brands_changed(s)))
        return rc;
    return set_aliases(s, b->id, b->aliases, b->n_aliases);
}

int kw_store_brand_update(kw_store *s, const kw_brand *b)
{
    if (b->competitor_of == b->id)
        return kw_error_set(KW_EINVAL, "a brand cannot be its own competitor");
    IN_TX(s, brand_update_locked(s, b));
}

static int brand_remove_locked(kw_store *s, int64_t id)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_buckets_settle(s)) || (rc = stmt(s, Q_BRAND_DELETE, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no brand with id %lld", (long long)id);
    if ((rc = brands_changed(s)))
        return rc;
    /* Links and buckets went by cascade; drop mentions no brand holds. */
    return s->be->exec(s, "DELETE FROM mentions WHERE NOT EXISTS (SELECT 1 FROM "
                          "mention_brands mb WHERE mb.mention_id = mentions.id)");
}

int kw_store_brand_remove(kw_store *s, int64_t id) { IN_TX(s, brand_remove_locked(s, id)); }

void kw_brand_free(kw_brand *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_aliases; i++)
        free(b->aliases[i]);
    free(b->aliases);
    free(b->name);
    free(b->query);
    free(b);
}

void kw_brand_list_free(kw_brand **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kw_brand_free(list[i]);
    free(list);
}

/* ---- Mentions and buckets ---------------------------------------------- */

static int label_column(const char *label)
{
    if (!label)
        return -1;
    if (strcmp(label, "positive") == 0)
        return 0;
    if (strcmp(label, "negative") == 0)
        return 1;
    if (strcmp(label, "neutral") == 0)
        return 2;
    return -1;
}

int store_bucket_upsert(kw_store *s, int64_t brand, const char *platform, int64_t b,
                        int64_t d_all, const int64_t d_label[3], int64_t d_reach)
{
    kw_stmt *st;
    char start[KW_TIME_TEXT];
    int rc;
    kw_time_format(start, sizeof start, b);
    if ((rc = stmt(s, Q_BUCKET_ADD, &st)))
        return rc;
    s->be->bind_int64(st, 1, brand);
    s->be->bind_text(st, 2, platform);
    s->be->bind_text(st, 3, start);
    s->be->bind_int64(st, 4, d_all);
    s->be->bind_int64(st, 5, d_label[0]);
    s->be->bind_int64(st, 6, d_label[1]);
    s->be->bind_int64(st, 7, d_label[2]);
    s->be->bind_int64(st, 8, d_reach);
    return store_run(s, st);
}

/* Add d_all to n_all, d_label[k] to the label columns and d_reach to reach
 * of the bucket holding time t: summed until the transaction commits. */
static int bucket_add(kw_store *s, int64_t brand, const char *platform, int64_t t,
                      int64_t d_all, const int64_t d_label[3], int64_t d_reach)
{
    int64_t b = t - ((t % BUCKET_SECONDS) + BUCKET_SECONDS) % BUCKET_SECONDS;
    if (s->in_tx && bucket_sums_add(&s->sums, brand, platform, b, d_all, d_label, d_reach) == 0)
        return 0;
    return store_bucket_upsert(s, brand, platform, b, d_all, d_label, d_reach);
}

/* The candidates for m's original, in one statement: the first earlier
 * mention with the same text (exact = 1); only when there is none, for
 * each signature band, the earlier mentions sharing it, oldest first, at
 * most 8 a band (boilerplate shared by many posts costs a bounded number
 * of comparisons). Parameters: content hash, the four bands, `before`. */
static const char SQL_ORIGINAL[] =
    "WITH e AS NOT MATERIALIZED (SELECT id FROM mentions WHERE content_hash = $1 AND id < $6 ORDER BY id LIMIT 1) "
    "SELECT id, 1 AS exact, NULL AS text FROM e "
    "UNION ALL SELECT id, 0, text FROM (SELECT id, text FROM mentions WHERE sim_b0 = $2 "
    "AND id < $6 ORDER BY id LIMIT 8) b0 WHERE NOT EXISTS (SELECT 1 FROM e) "
    "UNION ALL SELECT id, 0, text FROM (SELECT id, text FROM mentions WHERE sim_b1 = $3 "
    "AND id < $6 ORDER BY id LIMIT 8) b1 WHERE NOT EXISTS (SELECT 1 FROM e) "
    "UNION ALL SELECT id, 0, text FROM (SELECT id, text FROM mentions WHERE sim_b2 = $4 "
    "AND id < $6 ORDER BY id LIMIT 8) b2 WHERE NOT EXISTS (SELECT 1 FROM e) "
    "UNION ALL SELECT id, 0, text FROM (SELECT id, text FROM mentions WHERE sim_b3 = $5 "
    "AND id < $6 ORDER BY id LIMIT 8) b3 WHERE NOT EXISTS (SELECT 1 FROM e)";

/* An earlier copy of m's text stored before mention `self` (INT64_MAX:
 * any), or 0: the first of its exact copies, else the oldest near copy
 * (one sharing a band that m's is_copy accepts). */
static int find_original(kw_store *s, const kw_mention *m, int64_t self, int64_t *out)
{
    kw_stmt *st;
    int rc, near = m->has_signature && m->is_copy;
    *out = 0;
    if (!m->content_hash && !near)
        return 0;
    if ((rc = store_cached(s, SQL_ORIGINAL, &st)))
        return rc;
    s->be->bind_text_kept(st, 1, m->content_hash); /* reset before this returns */
    for (int b = 0; b < 4; b++)
        if (near)
            s->be->bind_int64(st, 2 + b, (int64_t)m->signature[b]);
        else
            s->be->bind_text(st, 2 + b, NULL); /* NULL: no band matches */
    s->be->bind_int64(st, 6, self);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        int64_t id = s->be->column_int64(st, 0);
        if (s->be->column_int64(st, 1)) { /* the same text: the original */
            *out = id;
            break;
        }
        if (*out && id >= *out)
            continue; /* an older near copy is found already */
        const char *text = s->be->column_null(st, 2) ? NULL : s->be->column_text(st, 2);
        if (text && m->is_copy(m->is_copy_ctx, text))
            *out = id;
    }
    s->be->reset(st);
    return rc < 0 ? rc : 0;
}

/* The stored mention at m's canonical URL: its id and what its counts are
 * kept under. 0 when there is none. */
static int mention_known(kw_store *s, const char *canonical_url, int64_t *mid, int64_t *key_time,
                         char *platform, size_t psize, char *label, size_t lsize,
                         int64_t *reach)
{
    kw_stmt *st;
    int rc;
    *mid = 0;
    if ((rc = stmt(s, Q_MENTION_FIND, &st)))
        return rc;
    s->be->bind_text_kept(st, 1, canonical_url); /* reset before this returns */
    rc = s->be->step(st);
    if (rc != STEP_ROW) {
        s->be->reset(st);
        return rc < 0 ? rc : 0;
    }
    *mid = s->be->column_int64(st, 0);
    *key_time = store_col_time(s, st, 1);
    snprintf(platform, psize, "%s", s->be->column_text(st, 2));
    label[0] = '\0';
    if (!s->be->column_null(st, 3))
        snprintf(label, lsize, "%s", s->be->column_text(st, 3));
    *reach = s->be->column_null(st, 4) ? 0 : s->be->column_int64(st, 4);
    s->be->reset(st);
    if (*key_time == KW_TIME_NONE)
        *key_time = kw_time_now();
    return 0;
}

static int mention_insert(kw_store *s, const kw_mention *m, int64_t repost_of, int64_t *mid)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT], published[KW_TIME_TEXT], fetched[KW_TIME_TEXT];
    int rc;
    *mid = 0;
    /* The texts are bound where they are (reset before this returns). */
    if ((rc = stmt(s, Q_MENTION_INSERT, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_text_kept(st, 1, m->url);
    s->be->bind_text_kept(st, 2, m->canonical_url);
    s->be->bind_text_kept(st, 3, m->content_hash);
    store_bind_id(s, st, 4, repost_of);
    store_bind_id(s, st, 5, m->source_id);
    s->be->bind_text_kept(st, 6, m->platform);
    s->be->bind_text_kept(st, 7, m->author);
    s->be->bind_text_kept(st, 8, m->title);
    s->be->bind_text_kept(st, 9, m->text);
    s->be->bind_text_kept(st, 10, m->lang);
    store_bind_time_kept(s, st, 11, m->published_at, published);
    if (m->fetched_at == KW_TIME_NONE)
        s->be->bind_text_kept(st, 12, now);
    else
        store_bind_time_kept(s, st, 12, m->fetched_at, fetched);
    store_bind_count(s, st, 13, m->likes);
    store_bind_count(s, st, 14, m->comments);
    store_bind_count(s, st, 15, m->shares);
    store_bind_count(s, st, 16, m->views);
    store_bind_count(s, st, 17, m->reach);
    if (m->scored) {
        s->be->bind_double(st, 18, m->score);
        s->be->bind_double(st, 19, m->pos);
        s->be->bind_double(st, 20, m->neg);
        s->be->bind_double(st, 21, m->neu);
        s->be->bind_text_kept(st, 22, m->label);
        s->be->bind_text_kept(st, 23, m->explanation);
        s->be->bind_text_kept(st, 24, now);
    } else {
        for (int i = 18; i <= 24; i++)
            s->be->bind_text(st, i, NULL);
    }
    store_bind_id(s, st, 25, m->partner_id);
    for (int b = 0; b < 4; b++) {
        if (m->has_signature)
            s->be->bind_int64(st, 26 + b, (int64_t)m->signature[b]);
        else
            s->be->bind_text(st, 26 + b, NULL);
    }
    rc = s->be->step(st);
    if (rc == STEP_ROW)
        *mid = s->be->column_int64(st, 0);
    s->be->reset(st);
    return rc < 0 ? rc : 0;
}

/* Link the brands mention mid lacks, counting it in their buckets under
 * platform, label and key_time. *linked gets how many were new. */
static int link_brands(kw_store *s, int64_t mid, const int64_t *brands, size_t n_brands,
                       const char *platform, const char *label, int64_t key_time,
                       int64_t reach, int *linked)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    int64_t d_label[3] = {0, 0, 0};
    int col = label_column(label);
    if (col >= 0)
        d_label[col] = 1;
    *linked = 0;
    store_now_text(now);
    for (size_t i = 0; i < n_brands; i++) {
        if ((rc = stmt(s, Q_LINK_INSERT, &st)))
            return rc;
        s->be->bind_int64(st, 1, mid);
        s->be->bind_int64(st, 2, brands[i]);
        s->be->bind_text_kept(st, 3, now);
        if ((rc = store_run(s, st)))
            return rc;
        if (s->be->changes(st) == 0)
            continue;
        (*linked)++;
        if ((rc = bucket_add(s, brands[i], platform, key_time, 1, d_label, reach)))
            return rc;
    }
    return 0;
}

static int mention_put_locked(kw_store *s, const kw_mention *m, const int64_t *brands,
                              size_t n_brands, int *result, int64_t *id)
{
    int rc, is_new = 0, linked = 0;
    int64_t key_time = KW_TIME_NONE, reach = 0, mid;
    const char *platform, *label;
    char platform_buf[64], label_buf[16];

    /* A URL seen before (the common case when a feed is read again) costs
     * one lookup; only a new mention is looked up as a possible copy, and
     * is stored with its original already set. */
    mid = 0;
    if (!m->unseen && (rc = mention_known(s, m->canonical_url, &mid, &key_time, platform_buf,
                                          sizeof platform_buf, label_buf, sizeof label_buf,
                                          &reach)))
        return rc;
    if (!mid) {
        int64_t original = m->repost_of;
        if (!original && (rc = find_original(s, m, INT64_MAX, &original)))
            return rc;
        if ((rc = mention_insert(s, m, original, &mid)))
            return rc;
        if (!mid) { /* another writer stored it just now */
            if ((rc = mention_known(s, m->canonical_url, &mid, &key_time, platform_buf,
                                    sizeof platform_buf, label_buf, sizeof label_buf, &reach)))
                return rc;
            if (!mid)
                return kw_error_set(KW_EDB, "mention %s vanished during insert",
                                    m->canonical_url);
        } else {
            is_new = 1;
        }
    }
    if (is_new) {
        key_time = m->published_at != KW_TIME_NONE ? m->published_at
                   : m->fetched_at != KW_TIME_NONE ? m->fetched_at
                                                   : kw_time_now();
        platform = m->platform;
        label = m->scored ? m->label : NULL;
        reach = m->reach > 0 ? m->reach : 0;
    } else {
        /* Known URL: count it with what is stored, not with this copy. */
        platform = platform_buf;
        label = label_buf[0] ? label_buf : NULL;
    }
    if ((rc = link_brands(s, mid, brands, n_brands, platform, label, key_time, reach, &linked)))
        return rc;
    if (result)
        *result = is_new ? KW_PUT_NEW : linked ? KW_PUT_LINKED : KW_PUT_SAME;
    if (id)
        *id = mid;
    return 0;
}

static int link_known_locked(kw_store *s, const char *canonical_url, const int64_t *brands,
                             size_t n_brands, int *result, int64_t *id)
{
    char platform[64], label[16];
    int64_t mid, key_time, reach;
    int rc, linked = 0;
    if ((rc = mention_known(s, canonical_url, &mid, &key_time, platform, sizeof platform, label,
                            sizeof label, &reach)))
        return rc;
    if (!mid) /* the common answer for a new item: no URL formatted into it */
        return kw_error_set(KW_ENOTFOUND, "no mention at that URL");
    if ((rc = link_brands(s, mid, brands, n_brands, platform, label[0] ? label : NULL,
                          key_time, reach, &linked)))
        return rc;
    if (result)
        *result = linked ? KW_PUT_LINKED : KW_PUT_SAME;
    if (id)
        *id = mid;
    return 0;
}

int kw_store_mention_link_known(kw_store *s, const char *canonical_url, const int64_t *brands,
                                size_t n_brands, int *result, int64_t *id)
{
    if (!canonical_url || !*canonical_url)
        return kw_error_set(KW_EINVAL, "a mention needs a URL");
    IN_TX(s, link_known_locked(s, canonical_url, brands, n_brands, result, id));
}

int kw_store_mention_put(kw_store *s, const kw_mention *m, const int64_t *brands,
                         size_t n_brands, int *result, int64_t *id)
{
    if (!m->canonical_url || !*m->canonical_url || !m->url || !m->text || !m->platform)
        return kw_error_set(KW_EINVAL, "a mention needs a URL, a platform and a text");
    if (m->scored && label_column(m->label) < 0)
        return kw_error_set(KW_EINVAL, "bad sentiment label '%s'",
                            m->label ? m->label : "(null)");
    IN_TX(s, mention_put_locked(s, m, brands, n_brands, result, id));
}

static int rescore_locked(kw_store *s, int64_t id, const kw_mention *m, int *changed)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT], platform[64];
    int rc, old_col, new_col = label_column(m->label);
    int64_t key_time;
    if ((rc = stmt(s, Q_MENTION_SENTIMENT, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_ENOTFOUND, "no mention %lld", (long long)id);
    key_time = store_col_time(s, st, 0);
    snprintf(platform, sizeof platform, "%s", s->be->column_text(st, 1));
    old_col = s->be->column_null(st, 2) ? -1 : label_column(s->be->column_text(st, 2));
    s->be->reset(st);

    if ((rc = stmt(s, Q_MENTION_SET_SENTIMENT, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, id);
    s->be->bind_double(st, 2, m->score);
    s->be->bind_double(st, 3, m->pos);
    s->be->bind_double(st, 4, m->neg);
    s->be->bind_double(st, 5, m->neu);
    s->be->bind_text(st, 6, m->label);
    s->be->bind_text(st, 7, m->explanation);
    s->be->bind_text(st, 8, now);
    if ((rc = store_run(s, st)))
        return rc;
    if (changed)
        *changed = old_col != new_col;
    if (old_col == new_col)
        return 0;
    int64_t d_label[3] = {0, 0, 0};
    if (old_col >= 0)
        d_label[old_col] = -1;
    d_label[new_col] = 1;
    /* Collect the brands first: one statement at a time on PostgreSQL. */
    int64_t brands[64];
    size_t nb = 0;
    if ((rc = stmt(s, Q_MENTION_BRAND_IDS, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (nb == sizeof brands / sizeof brands[0])
            return kw_error_set(KW_ETOOBIG, "mention %lld has more than 64 brands",
                                (long long)id);
        brands[nb++] = s->be->column_int64(st, 0);
    }
    if (rc < 0)
        return rc;
    s->be->reset(st);
    if (key_time == KW_TIME_NONE)
        return 0;
    for (size_t i = 0; i < nb; i++)
        if ((rc = bucket_add(s, brands[i], platform, key_time, 0, d_label, 0)))
            return rc;
    return 0;
}

int kw_store_mention_rescore(kw_store *s, int64_t id, const kw_mention *m, int *changed)
{
    if (label_column(m->label) < 0)
        return kw_error_set(KW_EINVAL, "bad sentiment label '%s'",
                            m->label ? m->label : "(null)");
    IN_TX(s, rescore_locked(s, id, m, changed));
}

int kw_store_mention_count(kw_store *s, int64_t brand_id, int64_t *out)
{
    kw_stmt *st;
    int rc;
    if ((rc = stmt(s, brand_id ? Q_MENTION_COUNT_BRAND : Q_MENTION_COUNT_ALL, &st)))
        return rc;
    if (brand_id)
        s->be->bind_int64(st, 1, brand_id);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "count returned no row");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

/* Column list of mention_each, in the order read below. */
#define MENTION_COLUMNS                                                        \
    "m.id, m.url, m.canonical_url, m.content_hash, m.repost_of, m.source_id, " \
    "m.platform, m.author, m.title, m.text, m.lang, m.published_at, "          \
    "m.fetched_at, m.likes, m.comments, m.shares, m.views, m.reach, m.score, " \
    "m.pos, m.neg, m.neu, m.label, m.explanation"

const char *store_col_str(kw_store *s, kw_stmt *st, int col)
{
    return s->be->column_null(st, col) ? NULL : s->be->column_text(st, col);
}

int kw_store_mention_each(kw_store *s, const kw_mention_filter *f, kw_mention_fn fn,
                          void *ctx)
{
    char sql[2048];
    size_t len = 0;
    int np = 0, rc, brc = 0, stop = 0;
    kw_stmt *st = NULL, *bst;
    kw_mention_filter none = {.since = KW_TIME_NONE, .until = KW_TIME_NONE};
    if (!f)
        f = &none;
#define ADD(...) len += (size_t)snprintf(sql + len, sizeof sql - len, __VA_ARGS__)
    ADD("SELECT " MENTION_COLUMNS " FROM mentions m WHERE 1 = 1");
    if (f->brand_id)
        ADD(" AND EXISTS (SELECT 1 FROM mention_brands mb WHERE mb.mention_id = m.id "
            "AND mb.brand_id = $%d)", ++np);
    if (f->since != KW_TIME_NONE)
        ADD(" AND COALESCE(m.published_at, m.fetched_at) >= $%d", ++np);
    if (f->until != KW_TIME_NONE)
        ADD(" AND COALESCE(m.published_at, m.fetched_at) < $%d", ++np);
    if (f->label)
        ADD(" AND m.label = $%d", ++np);
    if (f->platform)
        ADD(" AND m.platform = $%d", ++np);
    if (f->after_id)
        ADD(" AND m.id %s $%d", f->newest_first ? "<" : ">", ++np);
    if (f->newest_first)
        ADD(" ORDER BY m.id DESC");
    else
        ADD(" ORDER BY m.id");
    if (f->limit > 0)
        ADD(" LIMIT %lld", (long long)f->limit);
#undef ADD
    if ((rc = s->be->prepare(s, sql, &st)))
        return rc;
    np = 0;
    if (f->brand_id)
        s->be->bind_int64(st, ++np, f->brand_id);
    if (f->since != KW_TIME_NONE)
        store_bind_time(s, st, ++np, f->since);
    if (f->until != KW_TIME_NONE)
        store_bind_time(s, st, ++np, f->until);
    if (f->label)
        s->be->bind_text(st, ++np, f->label);
    if (f->platform)
        s->be->bind_text(st, ++np, f->platform);
    if (f->after_id)
        s->be->bind_int64(st, ++np, f->after_id);

    while ((rc = s->be->step(st)) == STEP_ROW) {
        kw_mention m = {0};
        const char *names[64];
        char *owned[64];
        size_t nb = 0;
        m.id = s->be->column_int64(st, 0);
        m.url = store_col_str(s, st, 1);
        m.canonical_url = store_col_str(s, st, 2);
        m.content_hash = store_col_str(s, st, 3);
        m.repost_of = s->be->column_null(st, 4) ? 0 : s->be->column_int64(st, 4);
        m.source_id = s->be->column_null(st, 5) ? 0 : s->be->column_int64(st, 5);
        m.platform = store_col_str(s, st, 6);
        m.author = store_col_str(s, st, 7);
        m.title = store_col_str(s, st, 8);
        m.text = store_col_str(s, st, 9);
        m.lang = store_col_str(s, st, 10);
        m.published_at = store_col_time(s, st, 11);
        m.fetched_at = store_col_time(s, st, 12);
        m.likes = store_col_count(s, st, 13);
        m.comments = store_col_count(s, st, 14);
        m.shares = store_col_count(s, st, 15);
        m.views = store_col_count(s, st, 16);
        m.reach = store_col_count(s, st, 17);
        m.scored = !s->be->column_null(st, 22);
        if (m.scored) {
            m.score = s->be->column_double(st, 18);
            m.pos = s->be->column_double(st, 19);
            m.neg = s->be->column_double(st, 20);
            m.neu = s->be->column_double(st, 21);
            m.label = store_col_str(s, st, 22);
            m.explanation = store_col_str(s, st, 23);
        }
        if ((rc = stmt(s, Q_MENTION_BRANDS, &bst)))
            break;
        s->be->bind_int64(bst, 1, m.id);
        while ((brc = s->be->step(bst)) == STEP_ROW && nb < 64) {
            owned[nb] = strdup(s->be->column_text(bst, 0));
            names[nb] = owned[nb] ? owned[nb] : "";
            nb++;
        }
        s->be->reset(bst);
        if (brc >= 0)
            stop = fn(ctx, &m, names, nb);
        for (size_t i = 0; i < nb; i++)
            free(owned[i]);
        if (brc < 0) {
            rc = brc;
            break;
        }
        if (stop)
            break;
    }
    s->be->finalize(st);
    if (stop)
        return stop;
    return rc < 0 ? rc : 0;
}

int kw_store_bucket_each(kw_store *s, int64_t brand_id, int64_t from, int64_t to,
                         kw_bucket_fn fn, void *ctx)
{
    char sql[512];
    size_t len = 0;
    int np = 0, rc, stop = 0;
    kw_stmt *st;
    if ((rc = store_buckets_settle(s)))
        return rc;
    len += (size_t)snprintf(sql + len, sizeof sql - len,
                            "SELECT brand_id, platform, bucket_start, n_all, n_pos, "
                            "n_neg, n_neu, reach FROM buckets WHERE 1 = 1");
    if (brand_id)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND brand_id = $%d", ++np);
    if (from != KW_TIME_NONE)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND bucket_start >= $%d",
                                ++np);
    if (to != KW_TIME_NONE)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND bucket_start < $%d",
                                ++np);
    snprintf(sql + len, sizeof sql - len, " ORDER BY brand_id, platform, bucket_start");
    if ((rc = s->be->prepare(s, sql, &st)))
        return rc;
    np = 0;
    if (brand_id)
        s->be->bind_int64(st, ++np, brand_id);
    if (from != KW_TIME_NONE)
        store_bind_time(s, st, ++np, from);
    if (to != KW_TIME_NONE)
        store_bind_time(s, st, ++np, to);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        kw_bucket b = {
            .brand_id = s->be->column_int64(st, 0),
            .platform = s->be->column_text(st, 1),
            .start = store_col_time(s, st, 2),
            .n_all = s->be->column_int64(st, 3),
            .n_pos = s->be->column_int64(st, 4),
            .n_neg = s->be->column_int64(st, 5),
            .n_neu = s->be->column_int64(st, 6),
            .reach = s->be->column_int64(st, 7),
        };
        if ((stop = fn(ctx, &b)))
            break;
    }
    s->be->finalize(st);
    if (stop)
        return stop;
    return rc < 0 ? rc : 0;
}

int kw_store_audit(kw_store *s, const char *actor, const char *action,
                   const char *object, const char *detail)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = stmt(s, Q_AUDIT, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_text(st, 1, now);
    s->be->bind_text(st, 2, actor);
    s->be->bind_text(st, 3, action);
    s->be->bind_text(st, 4, object);
    s->be->bind_text(st, 5, detail);
    return store_run(s, st);
}
