/*
 * The PostgreSQL back end over libpq: named prepared statements, every
 * value sent as text, the session in UTC so that timestamptz columns come
 * back as RFC 3339. Passwords never appear in an error message.
 */
#include "internal.h"

#include "kolwatch/error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 64
#define MAX_COLS 64
#define TIMESTAMPTZOID 1184

struct kw_stmt {
    kw_store *s;
    char name[24];
    int nparams;
    char *values[MAX_PARAMS];
    PGresult *res;
    int row, nrows;
    int64_t changes;
    char timebuf[MAX_COLS][32];
};

static PGconn *CONN(kw_store *s) { return (PGconn *)s->db; }

/* The URL without a password, for messages. */
static void redact(char *out, size_t size, const char *url)
{
    const char *scheme = strstr(url, "://"), *at = strchr(url, '@');
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (scheme && at && colon && colon < at)
        snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, size, "%s", url);
}

static int map_result(kw_store *s, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(CONN(s));
    char url[512], line[512];
    redact(url, sizeof url, s->url);
    snprintf(line, sizeof line, "%s", msg && *msg ? msg : "unknown error");
    line[strcspn(line, "\n")] = '\0';
    if (PQstatus(CONN(s)) != CONNECTION_OK)
        return kw_error_set(KW_EIO, "%s: lost the connection to PostgreSQL: %s", url,
                            line);
    if (state && strcmp(state, "23505") == 0)
        return kw_error_set(KW_EEXISTS, "%s: %s", url, line);
    if (state && strncmp(state, "23", 2) == 0)
        return kw_error_set(KW_EINVAL, "%s: %s", url, line);
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0))
        return kw_error_set(KW_EBUSY, "%s: %s", url, line);
    return kw_error_set(KW_EDB, "%s: %s failed: %s", url, what, line);
}

static int pg_exec(kw_store *s, const char *sql)
{
    PGresult *res = PQexec(CONN(s), sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = map_result(s, res, "statement");
    PQclear(res);
    return rc;
}

static int pg_prepare(kw_store *s, const char *sql, kw_stmt **out)
{
    static unsigned long counter;
    kw_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return kw_error_set(KW_ENOMEM, "out of memory");
    st->s = s;
    snprintf(st->name, sizeof st->name, "kw%lu", ++counter);
    for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
        int n = (int)strtol(p + 1, NULL, 10);
        if (n > st->nparams)
            st->nparams = n;
    }
    if (st->nparams > MAX_PARAMS) {
        free(st);
        return kw_error_set(KW_EINVAL, "internal: too many parameters");
    }
    PGresult *res = PQprepare(CONN(s), st->name, sql, st->nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = map_result(s, res, "prepare");
        PQclear(res);
        free(st);
        return rc;
    }
    PQclear(res);
    *out = st;
    return 0;
}

static int set_value(kw_stmt *st, int idx, const char *v)
{
    if (idx < 1 || idx > st->nparams)
        return kw_error_set(KW_EINVAL, "internal: parameter %d out of range", idx);
    free(st->values[idx - 1]);
    st->values[idx - 1] = NULL;
    if (v && !(st->values[idx - 1] = strdup(v)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    return 0;
}

static int pg_bind_int64(kw_stmt *st, int idx, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return set_value(st, idx, buf);
}

static int pg_bind_double(kw_stmt *st, int idx, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    return set_value(st, idx, buf);
}

static int pg_bind_text(kw_stmt *st, int idx, const char *v) { return set_value(st, idx, v); }

static void pg_reset(kw_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
}

static int pg_step(kw_stmt *st)
{
    if (!st->res) {
        st->res = PQexecPrepared(CONN(st->s), st->name, st->nparams,
                                 (const char *const *)st->values, NULL, NULL, 0);
        ExecStatusType es = PQresultStatus(st->res);
        if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
            int rc = map_result(st->s, st->res, "statement");
            pg_reset(st);
            return rc;
        }
        const char *n = PQcmdTuples(st->res);
        st->changes = n && *n ? strtoll(n, NULL, 10) : 0;
        st->nrows = PQntuples(st->res);
        st->row = -1;
    }
    if (st->row + 1 < st->nrows) {
        st->row++;
        return STEP_ROW;
    }
    return STEP_DONE;
}

static int pg_column_null(kw_stmt *st, int col) { return PQgetisnull(st->res, st->row, col); }

static int64_t pg_column_int64(kw_stmt *st, int col)
{
    return strtoll(PQgetvalue(st->res, st->row, col), NULL, 10);
}

static double pg_column_double(kw_stmt *st, int col)
{
    return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *pg_column_text(kw_stmt *st, int col)
{
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) != TIMESTAMPTZOID || col >= MAX_COLS ||
        PQgetisnull(st->res, st->row, col))
        return v;
    /* "2026-10-01 08:00:00+00" (session in UTC) -> "2026-10-01T08:00:00Z" */
    char *b = st->timebuf[col];
    if (strlen(v) < 19)
        return v;
    snprintf(b, sizeof st->timebuf[col], "%.10sT%.8sZ", v, v + 11);
    return b;
}

static int64_t pg_changes(kw_stmt *st) { return st->changes; }

static void pg_finalize(kw_stmt *st)
{
    if (!st)
        return;
    pg_reset(st);
    for (int i = 0; i < st->nparams; i++)
        free(st->values[i]);
    if (PQstatus(CONN(st->s)) == CONNECTION_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PQclear(PQexec(CONN(st->s), sql));
    }
    free(st);
}

static void pg_close(kw_store *s) { PQfinish(CONN(s)); }
static int pg_connected(const kw_store *s) { return PQstatus((const PGconn *)s->db) == CONNECTION_OK; }

static void quiet_notices(void *arg, const char *message) { (void)arg, (void)message; }

static const kw_backend postgres_backend = {
    .name = "postgres",
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_text_kept = pg_bind_text, /* libpq sends a copy anyway */
    .step = pg_step,
    .column_null = pg_column_null,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .changes = pg_changes,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .close = pg_close,
    .connected = pg_connected,
    .sql_has_table = "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                     "current_schema() AND table_name = $1",
    .sql_version_ddl = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
                       "PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL); "
                       "LOCK TABLE schema_version IN EXCLUSIVE MODE",
    .sql_skip_locked = " FOR UPDATE SKIP LOCKED",
    .sql_begin = "BEGIN",
};

int kw_postgres_open(kw_store *s, const char *url, const kw_store_options *opt)
{
    char shown[512];
    (void)opt;
    s->be = &postgres_backend;
    PGconn *c = PQconnectdb(url);
    s->db = c;
    if (!c)
        return kw_error_set(KW_ENOMEM, "out of memory connecting to PostgreSQL");
    if (PQstatus(c) != CONNECTION_OK) {
        char line[512];
        redact(shown, sizeof shown, url);
        snprintf(line, sizeof line, "%s", PQerrorMessage(c));
        for (char *p = line; *p; p++)
            if (*p == '\n')
                *p = ' ';
        return kw_error_set(KW_EIO, "cannot connect to PostgreSQL at %s: %s", shown, line);
    }
    PQsetNoticeProcessor(c, quiet_notices, NULL);
    return pg_exec(s, "SET TIME ZONE 'UTC'; SET client_min_messages = warning");
}
