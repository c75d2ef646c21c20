/*
 * Schema 8: the canonical URLs stored before it, rewritten in the form
 * kw_url_canonical gives now (one spelling of RFC 3986's equivalents).
 * Sources are few and read whole; mentions are read a thousand at a time
 * by id, and only the keys that change are written.
 */
#include "internal.h"

#include "kolwatch/error.h"
#include "kolwatch/url.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK 1000 /* mentions read at a time */
#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct rekey {
    int64_t id;
    char *key;
} rekey;

typedef struct rekeys {
    rekey *v;
    size_t n, cap;
} rekeys;

static int rekeys_add(rekeys *r, int64_t id, const char *key)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        rekey *nv = realloc(r->v, nc * sizeof *nv);
        if (!nv)
            return kw_error_set(KW_ENOMEM, "out of memory");
        r->v = nv, r->cap = nc;
    }
    if (!(r->v[r->n].key = strdup(key)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    r->v[r->n++].id = id;
    return 0;
}

static void rekeys_clear(rekeys *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].key);
    r->n = 0;
}

/* Write the collected keys with update (id $1, key $2), then forget them. */
static int rekeys_write(kw_store *s, rekeys *r, const char *update)
{
    kw_stmt *st;
    int rc = r->n ? s->be->prepare(s, update, &st) : 0;
    if (rc == 0 && r->n) {
        for (size_t i = 0; i < r->n && rc == 0; i++) {
            s->be->bind_int64(st, 1, r->v[i].id);
            s->be->bind_text(st, 2, r->v[i].key);
            rc = store_run(s, st);
            s->be->reset(st);
        }
        s->be->finalize(st);
    }
    rekeys_clear(r);
    return rc;
}

/* A stored mention key in today's form: its URL part made canonical again,
 * with what follows a '#' (a linkless post's "#kw-" and the hash of its
 * text) kept as it is. 0 when out holds a key that differs from key. */
static int new_key(char *out, size_t size, const char *key)
{
    const char *hash = strchr(key, '#');
    size_t base = hash ? (size_t)(hash - key) : strlen(key);
    char url[4096];
    if (base >= sizeof url)
        return -1;
    memcpy(url, key, base);
    url[base] = '\0';
    if (kw_url_canonical(out, size, url))
        return -1; /* stored otherwise (an import's own key): left as it is */
    size_t n = strlen(out), tail = hash ? strlen(hash) : 0;
    if (n + tail + 1 > size)
        return -1;
    memcpy(out + n, hash ? hash : "", tail + 1);
    return strcmp(out, key) == 0 ? -1 : 0;
}

static int rekey_sources(kw_store *s, rekeys *r)
{
    kw_stmt *st;
    char canon[4096];
    int rc;
    if ((rc = s->be->prepare(s, "SELECT id, url, canonical_url FROM sources WHERE "
                                "canonical_url IS NOT NULL",
                             &st)))
        return rc;
    while ((rc = s->be->step(st)) == STEP_ROW) {
        const char *have = s->be->column_text(st, 2);
        if (kw_url_canonical(canon, sizeof canon, s->be->column_text(st, 1)) == 0 &&
            strcmp(canon, have ? have : "") != 0 &&
            (rc = rekeys_add(r, s->be->column_int64(st, 0), canon)))
            break;
    }
    s->be->finalize(st);
    if (rc != STEP_DONE)
        return rc;
    return rekeys_write(s, r, "UPDATE sources SET canonical_url = $2 WHERE id = $1");
}

static int rekey_mentions(kw_store *s, rekeys *r)
{
    kw_stmt *st;
    char key[4096];
    int64_t after = 0;
    int rc, more = 1;
    if ((rc = s->be->prepare(s, "SELECT id, canonical_url FROM mentions WHERE id > $1 "
                                "ORDER BY id LIMIT " STR(CHUNK),
                             &st)))
        return rc;
    while (rc == 0 && more) {
        int rows = 0;
        s->be->bind_int64(st, 1, after);
        while ((rc = s->be->step(st)) == STEP_ROW) {
            rows++;
            after = s->be->column_int64(st, 0);
            if (new_key(key, sizeof key, s->be->column_text(st, 1)) == 0 &&
                (rc = rekeys_add(r, after, key)))
                break;
        }
        s->be->reset(st);
        if (rc != STEP_DONE)
            break;
        more = rows == CHUNK;
        /* a key another mention holds already stays as it was */
        rc = rekeys_write(s, r,
                          "UPDATE mentions SET canonical_url = $2 WHERE id = $1 AND NOT "
                          "EXISTS (SELECT 1 FROM mentions WHERE canonical_url = $2)");
    }
    s->be->finalize(st);
    return rc;
}

int store_rekey_canonical(kw_store *s)
{
    rekeys r = {0};
    int rc = rekey_sources(s, &r);
    if (rc == 0)
        rc = rekey_mentions(s, &r);
    rekeys_clear(&r);
    free(r.v);
    return rc;
}
