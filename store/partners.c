/*
 * The partner registry's tables: partners and tags, platform accounts and
 * their follower history, quotes (append-only), campaigns and candidates.
 * Logic about money and tiers lives in registry/; this file only stores.
 */
#include "internal.h"

#include "kolwatch/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Copy text into a fixed field or fail naming the field. */
static int field(char *dst, size_t size, const char *src, const char *what)
{
    if (!src)
        src = "";
    if (strlen(src) >= size)
        return kw_error_set(KW_ETOOBIG, "%s is longer than %zu bytes", what, size - 1);
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static void copy_col(kw_store *s, kw_stmt *st, int col, char *dst, size_t size)
{
    const char *v = store_col_str(s, st, col);
    snprintf(dst, size, "%s", v ? v : "");
}

static int bind_text_or_null(kw_store *s, kw_stmt *st, int idx, const char *v)
{
    return s->be->bind_text(st, idx, v && *v ? v : NULL);
}

static int bind_rate(kw_store *s, kw_stmt *st, int idx, double v)
{
    return isnan(v) ? s->be->bind_text(st, idx, NULL) : s->be->bind_double(st, idx, v);
}

static double col_rate(kw_store *s, kw_stmt *st, int col)
{
    return s->be->column_null(st, col) ? NAN : s->be->column_double(st, col);
}

/* Grow *arr (of elem bytes) to hold one more; returns the new slot. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void *na = realloc(*arr, nc * elem);
        if (!na)
            return NULL;
        *arr = na;
        *cap = nc;
    }
    void *slot = (char *)*arr + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

static int oom(void) { return kw_error_set(KW_ENOMEM, "out of memory"); }

/* Read every row of sql (with $1 = bind1 unless bind1 is 0) into a new
 * array of elem-sized records filled by fn; caller frees *out. */
typedef void (*row_fn)(kw_store *s, kw_stmt *st, void *elem);

static int list_rows(kw_store *s, const char *sql, int64_t bind1, size_t elem, row_fn fn,
                     void **out, size_t *n)
{
    kw_stmt *st;
    void *arr = NULL, *slot;
    size_t len = 0, cap = 0;
    int rc;
    if ((rc = store_cached(s, sql, &st)))
        return rc;
    if (bind1)
        s->be->bind_int64(st, 1, bind1);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (!(slot = grow(&arr, &len, &cap, elem))) {
            rc = oom();
            break;
        }
        fn(s, st, slot);
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

/* Read the one row of sql ($1 = a, and $2 = b when nb is 2) into out with
 * fn; KW_ENOTFOUND with the message `missing` when there is none. */
static int get_row(kw_store *s, const char *sql, int64_t a, int64_t b, int nb, row_fn fn,
                   void *out, size_t size, const char *missing)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, sql, &st)))
        return rc;
    s->be->bind_int64(st, 1, a);
    if (nb > 1)
        s->be->bind_int64(st, 2, b);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_ENOTFOUND, "%s", missing);
    memset(out, 0, size);
    fn(s, st, out);
    s->be->reset(st);
    return 0;
}

/* ---- Partners ---------------------------------------------------------- */

static const char SQL_PARTNER_ADD[] =
    "INSERT INTO partners (name, type, agency, contact, status, notes, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
static const char SQL_PARTNER_UPDATE[] =
    "UPDATE partners SET name = $2, type = $3, agency = $4, contact = $5, status = $6, "
    "notes = $7, updated_at = $8 WHERE id = $1";
static const char SQL_PARTNER_COLS[] =
    "SELECT id, name, type, agency, contact, status, notes, created_at, updated_at "
    "FROM partners WHERE id = $1";
static const char SQL_PARTNER_LIST[] =
    "SELECT id, name, type, agency, contact, status, notes, created_at, updated_at "
    "FROM partners ORDER BY id";
static const char SQL_PARTNER_DELETE[] = "DELETE FROM partners WHERE id = $1";
static const char SQL_TAG_CLEAR[] = "DELETE FROM partner_tags WHERE partner_id = $1";
static const char SQL_TAG_ADD[] =
    "INSERT INTO partner_tags (partner_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING";
static const char SQL_TAG_LIST[] =
    "SELECT tag FROM partner_tags WHERE partner_id = $1 ORDER BY tag";

static int check_partner(const kw_partner *p)
{
    if (!p->name[0])
        return kw_error_set(KW_EINVAL, "a partner needs a name");
    if (strcmp(p->type, "kol") != 0 && strcmp(p->type, "koc") != 0)
        return kw_error_set(KW_EINVAL, "partner type must be kol or koc, not '%s'", p->type);
    const char *st[] = {"prospect", "active", "paused", "blocked"};
    for (int i = 0; i < 4; i++)
        if (strcmp(p->status, st[i]) == 0)
            return 0;
    return kw_error_set(KW_EINVAL,
                        "partner status must be prospect, active, paused or blocked, "
                        "not '%s'",
                        p->status);
}

static int set_tags(kw_store *s, const kw_partner *p, int64_t id)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_TAG_CLEAR, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    if ((rc = store_run(s, st)))
        return rc;
    for (int i = 0; i < p->n_tags && i < KW_MAX_TAGS; i++) {
        if ((rc = store_cached(s, SQL_TAG_ADD, &st)))
            return rc;
        s->be->bind_int64(st, 1, id);
        s->be->bind_text(st, 2, p->tags[i]);
        if ((rc = store_run(s, st)))
            return rc;
    }
    return 0;
}

static int partner_write(kw_store *s, const kw_partner *p, int64_t *out)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc, add = out != NULL;
    if ((rc = store_cached(s, add ? SQL_PARTNER_ADD : SQL_PARTNER_UPDATE, &st)))
        return rc;
    store_now_text(now);
    int o = add ? 0 : 1;
    if (!add)
        s->be->bind_int64(st, 1, p->id);
    s->be->bind_text(st, o + 1, p->name);
    s->be->bind_text(st, o + 2, p->type);
    bind_text_or_null(s, st, o + 3, p->agency);
    bind_text_or_null(s, st, o + 4, p->contact);
    s->be->bind_text(st, o + 5, p->status);
    bind_text_or_null(s, st, o + 6, p->notes);
    s->be->bind_text(st, o + 7, now);
    rc = s->be->step(st);
    if (rc < 0)
        return rc;
    int64_t id = p->id;
    if (add) {
        if (rc != STEP_ROW)
            return kw_error_set(KW_EDB, "partner insert returned no id");
        id = *out = s->be->column_int64(st, 0);
        s->be->reset(st);
    } else if (s->be->changes(st) == 0) {
        return kw_error_set(KW_ENOTFOUND, "no partner %lld", (long long)p->id);
    }
    return set_tags(s, p, id);
}

int kw_store_partner_add(kw_store *s, const kw_partner *p, int64_t *out)
{
    int rc = check_partner(p);
    if (rc)
        return rc;
    IN_TX(s, partner_write(s, p, out));
}

int kw_store_partner_update(kw_store *s, const kw_partner *p)
{
    int rc = check_partner(p);
    if (rc)
        return rc;
    IN_TX(s, partner_write(s, p, NULL));
}

static void partner_row(kw_store *s, kw_stmt *st, void *elem)
{
    kw_partner *p = elem;
    p->id = s->be->column_int64(st, 0);
    copy_col(s, st, 1, p->name, sizeof p->name);
    copy_col(s, st, 2, p->type, sizeof p->type);
    copy_col(s, st, 3, p->agency, sizeof p->agency);
    copy_col(s, st, 4, p->contact, sizeof p->contact);
    copy_col(s, st, 5, p->status, sizeof p->status);
    copy_col(s, st, 6, p->notes, sizeof p->notes);
    p->created_at = store_col_time(s, st, 7);
    p->updated_at = store_col_time(s, st, 8);
}

static int partner_tags(kw_store *s, kw_partner *p)
{
    kw_stmt *st;
    int rc;
    p->n_tags = 0;
    if ((rc = store_cached(s, SQL_TAG_LIST, &st)))
        return rc;
    s->be->bind_int64(st, 1, p->id);
    while ((rc = s->be->step(st)) == STEP_ROW)
        if (p->n_tags < KW_MAX_TAGS)
            copy_col(s, st, 0, p->tags[p->n_tags++], sizeof p->tags[0]);
    return rc < 0 ? rc : 0;
}

int kw_store_partner_get(kw_store *s, int64_t id, kw_partner *out)
{
    char missing[96];
    snprintf(missing, sizeof missing, "no partner %lld (see `kolwatch partner list`)", (long long)id);
    int rc = get_row(s, SQL_PARTNER_COLS, id, 0, 1, partner_row, out, sizeof *out, missing);
    return rc ? rc : partner_tags(s, out);
}

int kw_store_partner_list(kw_store *s, kw_partner **out, size_t *n)
{
    kw_partner *arr = NULL;
    int rc = list_rows(s, SQL_PARTNER_LIST, 0, sizeof *arr, partner_row, (void **)&arr, n);
    for (size_t i = 0; !rc && i < *n; i++)
        rc = partner_tags(s, &arr[i]);
    if (rc) {
        free(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static int partner_remove_locked(kw_store *s, int64_t id)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_PARTNER_DELETE, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no partner %lld", (long long)id);
    return 0;
}

int kw_store_partner_remove(kw_store *s, int64_t id) { IN_TX(s, partner_remove_locked(s, id)); }

/* ---- Accounts ---------------------------------------------------------- */

static const char SQL_ACCOUNT_ADD[] =
    "INSERT INTO accounts (partner_id, platform, handle, url, followers, avg_views, "
    "engagement_rate, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char SQL_ACCOUNT_GET[] =
    "SELECT id, partner_id, platform, handle, url, followers, avg_views, engagement_rate, "
    "updated_at FROM accounts WHERE id = $1";
static const char SQL_ACCOUNT_LIST_ALL[] =
    "SELECT id, partner_id, platform, handle, url, followers, avg_views, engagement_rate, "
    "updated_at FROM accounts ORDER BY id";
static const char SQL_ACCOUNT_LIST[] =
    "SELECT id, partner_id, platform, handle, url, followers, avg_views, engagement_rate, "
    "updated_at FROM accounts WHERE partner_id = $1 ORDER BY id";
static const char SQL_ACCOUNT_UPDATE[] =
    "UPDATE accounts SET url = $2, followers = $3, avg_views = $4, engagement_rate = $5, "
    "updated_at = $6 WHERE id = $1";
static const char SQL_FOLLOWERS_ADD[] =
    "INSERT INTO account_followers (account_id, recorded_at, followers) VALUES ($1, $2, $3)";
static const char SQL_FOLLOWERS_LIST[] =
    "SELECT recorded_at, followers FROM account_followers WHERE account_id = $1 "
    "ORDER BY recorded_at, id";

static int followers_add(kw_store *s, int64_t id, int64_t followers, const char *now)
{
    kw_stmt *st;
    int rc;
    if (followers < 0)
        return 0;
    if ((rc = store_cached(s, SQL_FOLLOWERS_ADD, &st)))
        return rc;
    s->be->bind_int64(st, 1, id);
    s->be->bind_text(st, 2, now);
    s->be->bind_int64(st, 3, followers);
    return store_run(s, st);
}

static int account_add_locked(kw_store *s, const kw_account *a, int64_t *out)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    kw_partner p;
    if ((rc = kw_store_partner_get(s, a->partner_id, &p)))
        return rc;
    if ((rc = store_cached(s, SQL_ACCOUNT_ADD, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, a->partner_id);
    s->be->bind_text(st, 2, a->platform);
    s->be->bind_text(st, 3, a->handle);
    bind_text_or_null(s, st, 4, a->url);
    store_bind_count(s, st, 5, a->followers);
    store_bind_count(s, st, 6, a->avg_views);
    bind_rate(s, st, 7, a->engagement_rate);
    s->be->bind_text(st, 8, now);
    rc = s->be->step(st);
    if (rc == KW_EEXISTS)
        return kw_error_set(rc, "the %s account '%s' is already registered", a->platform,
                            a->handle);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "account insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return followers_add(s, *out, a->followers, now);
}

int kw_store_account_add(kw_store *s, const kw_account *a, int64_t *out)
{
    if (!a->handle[0] || !a->platform[0])
        return kw_error_set(KW_EINVAL, "an account needs a platform and a handle");
    IN_TX(s, account_add_locked(s, a, out));
}

static void account_row(kw_store *s, kw_stmt *st, void *elem)
{
    kw_account *a = elem;
    a->id = s->be->column_int64(st, 0);
    a->partner_id = s->be->column_int64(st, 1);
    copy_col(s, st, 2, a->platform, sizeof a->platform);
    copy_col(s, st, 3, a->handle, sizeof a->handle);
    copy_col(s, st, 4, a->url, sizeof a->url);
    a->followers = store_col_count(s, st, 5);
    a->avg_views = store_col_count(s, st, 6);
    a->engagement_rate = col_rate(s, st, 7);
    a->updated_at = store_col_time(s, st, 8);
}

int kw_store_account_get(kw_store *s, int64_t id, kw_account *out)
{
    char missing[64];
    snprintf(missing, sizeof missing, "no account %lld", (long long)id);
    return get_row(s, SQL_ACCOUNT_GET, id, 0, 1, account_row, out, sizeof *out, missing);
}

int kw_store_account_list(kw_store *s, int64_t partner_id, kw_account **out, size_t *n)
{
    return list_rows(s, partner_id ? SQL_ACCOUNT_LIST : SQL_ACCOUNT_LIST_ALL, partner_id,
                     sizeof **out, account_row, (void **)out, n);
}

static int account_update_locked(kw_store *s, const kw_account *a)
{
    kw_account cur;
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = kw_store_account_get(s, a->id, &cur)))
        return rc;
    if ((rc = store_cached(s, SQL_ACCOUNT_UPDATE, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, a->id);
    bind_text_or_null(s, st, 2, a->url[0] ? a->url : cur.url);
    store_bind_count(s, st, 3, a->followers >= 0 ? a->followers : cur.followers);
    store_bind_count(s, st, 4, a->avg_views >= 0 ? a->avg_views : cur.avg_views);
    bind_rate(s, st, 5, !isnan(a->engagement_rate) ? a->engagement_rate : cur.engagement_rate);
    s->be->bind_text(st, 6, now);
    if ((rc = store_run(s, st)))
        return rc;
    if (a->followers >= 0 && a->followers != cur.followers)
        return followers_add(s, a->id, a->followers, now);
    return 0;
}

int kw_store_account_update(kw_store *s, const kw_account *a)
{
    IN_TX(s, account_update_locked(s, a));
}

int kw_store_account_history(kw_store *s, int64_t account_id, int64_t **at,
                             int64_t **followers, size_t *n)
{
    kw_stmt *st;
    size_t len = 0, cap = 0, cap2 = 0, len2 = 0;
    int64_t *t = NULL, *f = NULL, *slot;
    int rc;
    if ((rc = store_cached(s, SQL_FOLLOWERS_LIST, &st)))
        return rc;
    s->be->bind_int64(st, 1, account_id);
    while ((rc = s->be->step(st)) == STEP_ROW) {
        if (!(slot = grow((void **)&t, &len, &cap, sizeof *t))) {
            rc = oom();
            break;
        }
        *slot = store_col_time(s, st, 0);
        if (!(slot = grow((void **)&f, &len2, &cap2, sizeof *f))) {
            rc = oom();
            break;
        }
        *slot = s->be->column_int64(st, 1);
    }
    s->be->reset(st);
    if (rc < 0) {
        free(t);
        free(f);
        return rc;
    }
    *at = t;
    *followers = f;
    *n = len;
    return 0;
}

static const char SQL_PARTNER_MENTIONS[] =
    "SELECT b.name, COUNT(*), SUM(CASE WHEN m.label = 'negative' THEN 1 ELSE 0 END) "
    "FROM accounts a JOIN mentions m ON m.platform = a.platform AND "
    "LOWER(m.author) = LOWER(a.handle) JOIN mention_brands mb ON mb.mention_id = m.id "
    "JOIN brands b ON b.id = mb.brand_id WHERE a.partner_id = $1 GROUP BY b.name "
    "ORDER BY b.name";

int kw_store_partner_mentions(kw_store *s, int64_t partner_id, kw_partner_mentions_fn fn,
                              void *ctx)
{
    kw_stmt *st;
    int rc, stop = 0;
    if ((rc = store_cached(s, SQL_PARTNER_MENTIONS, &st)))
        return rc;
    s->be->bind_int64(st, 1, partner_id);
    while (!stop && (rc = s->be->step(st)) == STEP_ROW)
        stop = fn(ctx, s->be->column_text(st, 0), s->be->column_int64(st, 1),
                  s->be->column_int64(st, 2));
    s->be->reset(st);
    return stop ? stop : rc < 0 ? rc : 0;
}

static const char SQL_PARTNER_BY_ACCOUNT[] =
    "SELECT partner_id FROM accounts WHERE platform = $1 AND LOWER(handle) = LOWER($2) "
    "ORDER BY id LIMIT 1";

int kw_store_partner_by_account(kw_store *s, const char *platform, const char *handle,
                                int64_t *out)
{
    kw_stmt *st;
    int rc;
    *out = 0;
    if ((rc = store_cached(s, SQL_PARTNER_BY_ACCOUNT, &st)))
        return rc;
    s->be->bind_text_kept(st, 1, platform); /* reset before this returns */
    s->be->bind_text_kept(st, 2, handle);
    rc = s->be->step(st);
    if (rc == STEP_ROW)
        *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return rc < 0 ? rc : 0;
}

/* ---- Quotes ------------------------------------------------------------ */

#define QUOTE_COLS                                                             \
    "id, partner_id, account_id, platform, deliverable, currency, mode, "      \
    "list_price, net_price, product_value, shipping, commission_rate, bonus, " \
    "bonus_threshold, usage_rights, exclusivity, valid_from, valid_until, quoted_at"

static const char SQL_QUOTE_ADD[] =
    "INSERT INTO quotes (partner_id, account_id, platform, deliverable, currency, mode, "
    "list_price, net_price, product_value, shipping, commission_rate, bonus, "
    "bonus_threshold, usage_rights, exclusivity, valid_from, valid_until, quoted_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
    "$18) RETURNING id";
static const char SQL_QUOTE_GET[] = "SELECT " QUOTE_COLS " FROM quotes WHERE id = $1";
static const char SQL_QUOTE_LIST_ALL[] =
    "SELECT " QUOTE_COLS " FROM quotes ORDER BY quoted_at DESC, id DESC";
static const char SQL_QUOTE_LIST[] = "SELECT " QUOTE_COLS " FROM quotes WHERE partner_id = "
                                     "$1 ORDER BY quoted_at DESC, id DESC";

/* Dates (DATE in PostgreSQL) are bound and read as YYYY-MM-DD. */
static void bind_date(kw_store *s, kw_stmt *st, int idx, int64_t t)
{
    char buf[KW_TIME_TEXT];
    if (t == KW_TIME_NONE) {
        s->be->bind_text(st, idx, NULL);
        return;
    }
    kw_time_format(buf, sizeof buf, t);
    buf[10] = '\0';
    s->be->bind_text(st, idx, buf);
}

static int64_t col_date(kw_store *s, kw_stmt *st, int col)
{
    char buf[16];
    int64_t t;
    const char *v = store_col_str(s, st, col);
    if (!v)
        return KW_TIME_NONE;
    snprintf(buf, sizeof buf, "%.10s", v);
    return kw_time_parse(&t, buf) ? KW_TIME_NONE : t;
}

static int quote_add_locked(kw_store *s, const kw_quote *q, int64_t *out)
{
    kw_stmt *st;
    kw_partner p;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = kw_store_partner_get(s, q->partner_id, &p)))
        return rc;
    if ((rc = store_cached(s, SQL_QUOTE_ADD, &st)))
        return rc;
    s->be->bind_int64(st, 1, q->partner_id);
    store_bind_id(s, st, 2, q->account_id);
    s->be->bind_text(st, 3, q->platform);
    s->be->bind_text(st, 4, q->deliverable);
    s->be->bind_text(st, 5, q->currency);
    s->be->bind_text(st, 6, q->mode);
    s->be->bind_int64(st, 7, q->list_price);
    store_bind_count(s, st, 8, q->net_price);
    store_bind_count(s, st, 9, q->product_value);
    store_bind_count(s, st, 10, q->shipping);
    bind_rate(s, st, 11, q->commission_rate);
    store_bind_count(s, st, 12, q->bonus);
    store_bind_count(s, st, 13, q->bonus_threshold);
    bind_text_or_null(s, st, 14, q->usage_rights);
    bind_text_or_null(s, st, 15, q->exclusivity);
    bind_date(s, st, 16, q->valid_from);
    bind_date(s, st, 17, q->valid_until);
    if (q->quoted_at == KW_TIME_NONE || q->quoted_at == 0) {
        store_now_text(now);
        s->be->bind_text(st, 18, now);
    } else {
        store_bind_time(s, st, 18, q->quoted_at);
    }
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "quote insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

int kw_store_quote_add(kw_store *s, const kw_quote *q, int64_t *out)
{
    if (q->list_price < 0)
        return kw_error_set(KW_EINVAL, "a quote needs a price of 0 or more");
    IN_TX(s, quote_add_locked(s, q, out));
}

static void quote_row(kw_store *s, kw_stmt *st, void *elem)
{
    kw_quote *q = elem;
    q->id = s->be->column_int64(st, 0);
    q->partner_id = s->be->column_int64(st, 1);
    q->account_id = s->be->column_null(st, 2) ? 0 : s->be->column_int64(st, 2);
    copy_col(s, st, 3, q->platform, sizeof q->platform);
    copy_col(s, st, 4, q->deliverable, sizeof q->deliverable);
    copy_col(s, st, 5, q->currency, sizeof q->currency);
    copy_col(s, st, 6, q->mode, sizeof q->mode);
    q->list_price = s->be->column_int64(st, 7);
    q->net_price = store_col_count(s, st, 8);
    q->product_value = store_col_count(s, st, 9);
    q->shipping = store_col_count(s, st, 10);
    q->commission_rate = col_rate(s, st, 11);
    q->bonus = store_col_count(s, st, 12);
    q->bonus_threshold = store_col_count(s, st, 13);
    copy_col(s, st, 14, q->usage_rights, sizeof q->usage_rights);
    copy_col(s, st, 15, q->exclusivity, sizeof q->exclusivity);
    q->valid_from = col_date(s, st, 16);
    q->valid_until = col_date(s, st, 17);
    q->quoted_at = store_col_time(s, st, 18);
}

int kw_store_quote_get(kw_store *s, int64_t id, kw_quote *out)
{
    char missing[96];
    snprintf(missing, sizeof missing, "no quote %lld (see `kolwatch quote list`)", (long long)id);
    return get_row(s, SQL_QUOTE_GET, id, 0, 1, quote_row, out, sizeof *out, missing);
}

int kw_store_quote_list(kw_store *s, int64_t partner_id, kw_quote **out, size_t *n)
{
    return list_rows(s, partner_id ? SQL_QUOTE_LIST : SQL_QUOTE_LIST_ALL, partner_id,
                     sizeof **out, quote_row, (void **)out, n);
}

/* ---- Campaigns and candidates ------------------------------------------ */

#define CAMPAIGN_COLS                                                          \
    "id, brand_id, name, objective, budget, currency, start_date, end_date, created_at"
static const char SQL_CAMPAIGN_ADD[] =
    "INSERT INTO campaigns (brand_id, name, objective, budget, currency, start_date, "
    "end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char SQL_CAMPAIGN_GET[] = "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE id = $1";
static const char SQL_CAMPAIGN_LIST[] = "SELECT " CAMPAIGN_COLS " FROM campaigns ORDER BY id";

int kw_store_campaign_add(kw_store *s, const kw_campaign *c, int64_t *out)
{
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if (!c->name[0] || c->budget < 0)
        return kw_error_set(KW_EINVAL, "a campaign needs a name and a budget of 0 or more");
    if (c->start_date != KW_TIME_NONE && c->end_date != KW_TIME_NONE &&
        c->end_date < c->start_date)
        return kw_error_set(KW_EINVAL, "the campaign ends before it starts");
    if ((rc = store_cached(s, SQL_CAMPAIGN_ADD, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, c->brand_id);
    s->be->bind_text(st, 2, c->name);
    s->be->bind_text(st, 3, c->objective);
    s->be->bind_int64(st, 4, c->budget);
    s->be->bind_text(st, 5, c->currency);
    bind_date(s, st, 6, c->start_date);
    bind_date(s, st, 7, c->end_date);
    s->be->bind_text(st, 8, now);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "campaign insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

static void campaign_row(kw_store *s, kw_stmt *st, void *elem)
{
    kw_campaign *c = elem;
    c->id = s->be->column_int64(st, 0);
    c->brand_id = s->be->column_int64(st, 1);
    copy_col(s, st, 2, c->name, sizeof c->name);
    copy_col(s, st, 3, c->objective, sizeof c->objective);
    c->budget = s->be->column_int64(st, 4);
    copy_col(s, st, 5, c->currency, sizeof c->currency);
    c->start_date = col_date(s, st, 6);
    c->end_date = col_date(s, st, 7);
    c->created_at = store_col_time(s, st, 8);
}

int kw_store_campaign_get(kw_store *s, int64_t id, kw_campaign *out)
{
    char missing[96];
    snprintf(missing, sizeof missing, "no campaign %lld (see `kolwatch campaign list`)",
             (long long)id);
    return get_row(s, SQL_CAMPAIGN_GET, id, 0, 1, campaign_row, out, sizeof *out, missing);
}

int kw_store_campaign_list(kw_store *s, kw_campaign **out, size_t *n)
{
    return list_rows(s, SQL_CAMPAIGN_LIST, 0, sizeof **out, campaign_row, (void **)out, n);
}

#define DELIVERABLE_COLS                                                       \
    "id, campaign_id, quote_id, partner_id, platform, deliverable, currency, mode, " \
    "state, agreed_price, product_value, shipping, bonus, bonus_threshold, "      \
    "commission_rate, expected_reach, expected_engagements, expected_conversions, " \
    "expected_gmv, post_url, published_at, paid_at, created_at"

static const char SQL_DELIV_FIND[] =
    "SELECT " DELIVERABLE_COLS " FROM deliverables WHERE campaign_id = $1 AND quote_id = $2";
static const char SQL_DELIV_GET[] = "SELECT " DELIVERABLE_COLS " FROM deliverables WHERE id = $1";
static const char SQL_DELIV_LIST[] =
    "SELECT " DELIVERABLE_COLS " FROM deliverables WHERE campaign_id = $1 ORDER BY id";
static const char SQL_DELIV_LIST_ALL[] =
    "SELECT " DELIVERABLE_COLS " FROM deliverables ORDER BY id";
static const char SQL_DELIV_ADD[] =
    "INSERT INTO deliverables (campaign_id, quote_id, partner_id, platform, deliverable, "
    "state, currency, mode, agreed_price, product_value, shipping, commission_rate, bonus, "
    "bonus_threshold, expected_reach, expected_engagements, expected_conversions, "
    "expected_gmv, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "$13, $14, $15, $16, $17, $18, $19) RETURNING id";
static const char SQL_DELIV_UPDATE[] =
    "UPDATE deliverables SET state = $2, agreed_price = $3, expected_reach = $4, "
    "expected_engagements = $5, expected_conversions = $6, expected_gmv = $7, "
    "post_url = $8, published_at = $9, paid_at = $10 WHERE id = $1";

static void deliverable_row(kw_store *s, kw_stmt *st, void *elem)
{
    kw_deliverable *d = elem;
    d->id = s->be->column_int64(st, 0);
    d->campaign_id = s->be->column_int64(st, 1);
    d->quote_id = s->be->column_null(st, 2) ? 0 : s->be->column_int64(st, 2);
    d->partner_id = s->be->column_int64(st, 3);
    copy_col(s, st, 4, d->platform, sizeof d->platform);
    copy_col(s, st, 5, d->deliverable, sizeof d->deliverable);
    copy_col(s, st, 6, d->currency, sizeof d->currency);
    copy_col(s, st, 7, d->mode, sizeof d->mode);
    copy_col(s, st, 8, d->state, sizeof d->state);
    d->agreed_price = store_col_count(s, st, 9);
    d->product_value = store_col_count(s, st, 10);
    d->shipping = store_col_count(s, st, 11);
    d->bonus = store_col_count(s, st, 12);
    d->bonus_threshold = store_col_count(s, st, 13);
    d->commission_rate = col_rate(s, st, 14);
    d->expected_reach = store_col_count(s, st, 15);
    d->expected_engagements = store_col_count(s, st, 16);
    d->expected_conversions = store_col_count(s, st, 17);
    d->expected_gmv = store_col_count(s, st, 18);
    copy_col(s, st, 19, d->post_url, sizeof d->post_url);
    d->published_at = store_col_time(s, st, 20);
    d->paid_at = store_col_time(s, st, 21);
    d->created_at = store_col_time(s, st, 22);
}


int kw_store_deliverable_get(kw_store *s, int64_t id, kw_deliverable *out)
{
    char what[64];
    snprintf(what, sizeof what, "no deliverable %lld", (long long)id);
    return get_row(s, SQL_DELIV_GET, id, 0, 1, deliverable_row, out, sizeof *out, what);
}

int kw_store_deliverable_find(kw_store *s, int64_t campaign_id, int64_t quote_id,
                              kw_deliverable *out)
{
    char what[96];
    snprintf(what, sizeof what, "quote %lld is not in campaign %lld", (long long)quote_id,
             (long long)campaign_id);
    return get_row(s, SQL_DELIV_FIND, campaign_id, quote_id, 2, deliverable_row, out, sizeof *out,
                   what);
}

static int deliverable_add_locked(kw_store *s, const kw_deliverable *d, int64_t *out)
{
    kw_campaign camp;
    kw_quote q;
    kw_deliverable existing;
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = kw_store_campaign_get(s, d->campaign_id, &camp)) ||
        (rc = kw_store_quote_get(s, d->quote_id, &q)))
        return rc;
    rc = kw_store_deliverable_find(s, d->campaign_id, d->quote_id, &existing);
    if (rc == 0)
        return kw_error_set(KW_EEXISTS, "quote %lld is already in campaign %lld (as %s %lld)",
                            (long long)d->quote_id, (long long)d->campaign_id, existing.state,
                            (long long)existing.id);
    if (rc != KW_ENOTFOUND)
        return rc;
    if ((rc = store_cached(s, SQL_DELIV_ADD, &st)))
        return rc;
    store_now_text(now);
    s->be->bind_int64(st, 1, d->campaign_id);
    s->be->bind_int64(st, 2, d->quote_id);
    s->be->bind_int64(st, 3, q.partner_id);
    s->be->bind_text(st, 4, q.platform);
    s->be->bind_text(st, 5, q.deliverable);
    s->be->bind_text(st, 6, d->state[0] ? d->state : "candidate");
    s->be->bind_text(st, 7, q.currency);
    s->be->bind_text(st, 8, q.mode);
    s->be->bind_int64(st, 9, d->agreed_price >= 0 ? d->agreed_price
                             : q.net_price >= 0   ? q.net_price
                                                  : q.list_price);
    store_bind_count(s, st, 10, q.product_value);
    store_bind_count(s, st, 11, q.shipping);
    bind_rate(s, st, 12, q.commission_rate);
    store_bind_count(s, st, 13, q.bonus);
    store_bind_count(s, st, 14, q.bonus_threshold);
    store_bind_count(s, st, 15, d->expected_reach);
    store_bind_count(s, st, 16, d->expected_engagements);
    store_bind_count(s, st, 17, d->expected_conversions);
    store_bind_count(s, st, 18, d->expected_gmv);
    s->be->bind_text(st, 19, now);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "deliverable insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

int kw_store_deliverable_add(kw_store *s, const kw_deliverable *d, int64_t *out)
{
    IN_TX(s, deliverable_add_locked(s, d, out));
}

int kw_store_deliverable_list(kw_store *s, int64_t campaign_id, kw_deliverable **out,
                              size_t *n)
{
    return list_rows(s, campaign_id ? SQL_DELIV_LIST : SQL_DELIV_LIST_ALL, campaign_id,
                     sizeof **out, deliverable_row, (void **)out, n);
}

int kw_store_deliverable_update(kw_store *s, const kw_deliverable *d)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_DELIV_UPDATE, &st)))
        return rc;
    s->be->bind_int64(st, 1, d->id);
    s->be->bind_text(st, 2, d->state);
    store_bind_count(s, st, 3, d->agreed_price);
    store_bind_count(s, st, 4, d->expected_reach);
    store_bind_count(s, st, 5, d->expected_engagements);
    store_bind_count(s, st, 6, d->expected_conversions);
    store_bind_count(s, st, 7, d->expected_gmv);
    bind_text_or_null(s, st, 8, d->post_url);
    store_bind_time(s, st, 9, d->published_at);
    store_bind_time(s, st, 10, d->paid_at);
    if ((rc = store_run(s, st)))
        return rc;
    if (s->be->changes(st) == 0)
        return kw_error_set(KW_ENOTFOUND, "no deliverable %lld", (long long)d->id);
    return 0;
}

static const char SQL_RESULT_ADD[] =
    "INSERT INTO results (deliverable_id, recorded_at, impressions, views, likes, comments, "
    "shares, saves, clicks, conversions, gmv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11) RETURNING id";
static const char SQL_RESULT_LATEST[] =
    "SELECT id, deliverable_id, recorded_at, impressions, views, likes, comments, shares, "
    "saves, clicks, conversions, gmv FROM results WHERE deliverable_id = $1 "
    "ORDER BY recorded_at DESC, id DESC LIMIT 1";

int kw_store_result_add(kw_store *s, const kw_deliverable_result *r, int64_t *out)
{
    kw_deliverable d;
    kw_stmt *st;
    char now[KW_TIME_TEXT];
    int rc;
    if ((rc = kw_store_deliverable_get(s, r->deliverable_id, &d)))
        return rc;
    if ((rc = store_cached(s, SQL_RESULT_ADD, &st)))
        return rc;
    s->be->bind_int64(st, 1, r->deliverable_id);
    if (r->recorded_at == KW_TIME_NONE) {
        store_now_text(now);
        s->be->bind_text(st, 2, now);
    } else {
        store_bind_time(s, st, 2, r->recorded_at);
    }
    const int64_t v[9] = {r->impressions, r->views,  r->likes,       r->comments, r->shares,
                          r->saves,       r->clicks, r->conversions, r->gmv};
    for (int i = 0; i < 9; i++)
        store_bind_count(s, st, 3 + i, v[i]);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_EDB, "result insert returned no id");
    *out = s->be->column_int64(st, 0);
    s->be->reset(st);
    return 0;
}

int kw_store_result_latest(kw_store *s, int64_t deliverable_id, kw_deliverable_result *out)
{
    kw_stmt *st;
    int rc;
    if ((rc = store_cached(s, SQL_RESULT_LATEST, &st)))
        return rc;
    s->be->bind_int64(st, 1, deliverable_id);
    rc = s->be->step(st);
    if (rc != STEP_ROW)
        return rc < 0 ? rc : kw_error_set(KW_ENOTFOUND, "no results for deliverable %lld",
                                          (long long)deliverable_id);
    out->id = s->be->column_int64(st, 0);
    out->deliverable_id = s->be->column_int64(st, 1);
    out->recorded_at = store_col_time(s, st, 2);
    int64_t *v[9] = {&out->impressions, &out->views,  &out->likes,
                     &out->comments,    &out->shares, &out->saves,
                     &out->clicks,      &out->conversions, &out->gmv};
    for (int i = 0; i < 9; i++)
        *v[i] = store_col_count(s, st, 3 + i);
    s->be->reset(st);
    return 0;
}

/* field() is for callers that fill the fixed-size records. */
int kw_store_text_field(char *dst, size_t size, const char *src, const char *what)
{
    return field(dst, size, src, what);
}
