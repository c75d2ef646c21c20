/*
 * The SQLite back end: WAL, a busy timeout, foreign keys on, write
 * transactions taken with BEGIN IMMEDIATE so that two writers queue
 * instead of deadlocking. Never leaves a statement mid-step on error.
 */
#include "internal.h"

#include "kolwatch/error.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PARAMS 64

struct kw_stmt {
    kw_store *s;
    sqlite3_stmt *st;
    unsigned char idx[MAX_PARAMS + 1]; /* $N -> SQLite's bind index */
    /* "INSERT ... RETURNING id" runs without its RETURNING clause, which
     * SQLite implements with a temporary table per execution; the new
     * rowid is handed out as the one row instead. */
    bool returning_id, row_given;
    bool kept; /* text bound where it is: unbound at reset */
    int64_t rowid;
};

static const char RETURNING_ID[] = " RETURNING id";

static sqlite3 *DB(kw_store *s) { return (sqlite3 *)s->db; }

static int map_error(kw_store *s, int code, const char *what)
{
    const char *msg = sqlite3_errmsg(DB(s));
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return kw_error_set(KW_EBUSY,
                            "%s: the database stayed locked by another process "
                            "(raise store.busy_timeout): %s",
                            s->url, msg);
    case SQLITE_CONSTRAINT:
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            return kw_error_set(KW_EEXISTS, "%s: %s", s->url, msg);
        return kw_error_set(KW_EINVAL, "%s: %s", s->url, msg);
    case SQLITE_NOTADB:
        return kw_error_set(KW_EIO, "%s: not a SQLite database (%s)", s->url, msg);
    case SQLITE_CORRUPT:
        return kw_error_set(KW_EIO, "%s: the database file is corrupt (%s)", s->url,
                            msg);
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
        return kw_error_set(KW_EIO, "%s: %s failed: %s", s->url, what, msg);
    default:
        return kw_error_set(KW_EDB, "%s: %s failed: %s", s->url, what, msg);
    }
}

static int sq_exec(kw_store *s, const char *sql)
{
    int rc = sqlite3_exec(DB(s), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : map_error(s, sqlite3_extended_errcode(DB(s)), "statement");
}

static int sq_prepare(kw_store *s, const char *sql, kw_stmt **out)
{
    kw_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return kw_error_set(KW_ENOMEM, "out of memory");
    st->s = s;
    size_t len = strlen(sql), rl = sizeof RETURNING_ID - 1;
    st->returning_id = strncasecmp(sql, "INSERT ", 7) == 0 && len > rl &&
                       strcmp(sql + len - rl, RETURNING_ID) == 0;
    if (st->returning_id)
        len -= rl;
    if (len > INT_MAX) {
        free(st);
        return kw_error_set(KW_ETOOBIG, "statement too long");
    }
    int rc = sqlite3_prepare_v3(DB(s), sql, (int)len, SQLITE_PREPARE_PERSISTENT, &st->st, NULL);
    if (rc != SQLITE_OK) {
        free(st);
        return map_error(s, rc, "prepare");
    }
    /* SQLite numbers named parameters by first use; map $N to its index. */
    int n = sqlite3_bind_parameter_count(st->st);
    for (int i = 1; i <= n && i <= MAX_PARAMS; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i);
        st->idx[i] = (unsigned char)sqlite3_bind_parameter_index(st->st, name);
    }
    *out = st;
    return 0;
}

static int bad_index(kw_stmt *st, int idx)
{
    return kw_error_set(KW_EINVAL, "internal: no parameter $%d in '%.60s'", idx,
                        sqlite3_sql(st->st));
}

#define MAP(st, idx)                                                           \
    do {                                                                       \
        if (idx < 1 || idx > MAX_PARAMS || !st->idx[idx])                      \
            return bad_index(st, idx);                                         \
        idx = st->idx[idx];                                                    \
    } while (0)

static int sq_bind_int64(kw_stmt *st, int idx, int64_t v)
{
    MAP(st, idx);
    return sqlite3_bind_int64(st->st, idx, v) == SQLITE_OK ? 0 : map_error(st->s, SQLITE_ERROR, "bind");
}

static int sq_bind_double(kw_stmt *st, int idx, double v)
{
    MAP(st, idx);
    return sqlite3_bind_double(st->st, idx, v) == SQLITE_OK ? 0 : map_error(st->s, SQLITE_ERROR, "bind");
}

/* Text copied by SQLite (SQLITE_TRANSIENT), or read where it is until
 * the statement is reset (SQLITE_STATIC). */
static int bind_text_as(kw_stmt *st, int idx, const char *v, sqlite3_destructor_type how)
{
    MAP(st, idx);
    int rc = v ? sqlite3_bind_text(st->st, idx, v, -1, how) : sqlite3_bind_null(st->st, idx);
    return rc == SQLITE_OK ? 0 : map_error(st->s, rc, "bind");
}

static int sq_bind_text(kw_stmt *st, int idx, const char *v)
{
    return bind_text_as(st, idx, v, SQLITE_TRANSIENT);
}

static int sq_bind_text_kept(kw_stmt *st, int idx, const char *v)
{
    st->kept = true;
    return bind_text_as(st, idx, v, SQLITE_STATIC);
}

static int sq_step(kw_stmt *st)
{
    if (st->row_given)
        return STEP_DONE;
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return STEP_ROW;
    if (rc == SQLITE_DONE && st->returning_id && sqlite3_changes64(DB(st->s)) > 0) {
        st->rowid = sqlite3_last_insert_rowid(DB(st->s));
        st->row_given = true;
        return STEP_ROW;
    }
    if (rc == SQLITE_DONE)
        return STEP_DONE;
    rc = map_error(st->s, sqlite3_extended_errcode(DB(st->s)), "statement");
    sqlite3_reset(st->st);
    return rc;
}

static int sq_column_null(kw_stmt *st, int col)
{
    if (st->row_given)
        return col != 0;
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}
static int64_t sq_column_int64(kw_stmt *st, int col)
{
    if (st->row_given)
        return col == 0 ? st->rowid : 0;
    return sqlite3_column_int64(st->st, col);
}
static double sq_column_double(kw_stmt *st, int col)
{
    if (st->row_given)
        return col == 0 ? (double)st->rowid : 0;
    return sqlite3_column_double(st->st, col);
}
static const char *sq_column_text(kw_stmt *st, int col)
{
    if (st->row_given)
        return ""; /* only the id, read as a number, is ever asked for */
    const unsigned char *t = sqlite3_column_text(st->st, col);
    return t ? (const char *)t : "";
}
static int64_t sq_changes(kw_stmt *st) { return sqlite3_changes64(DB(st->s)); }
static void sq_reset(kw_stmt *st)
{
    st->row_given = false;
    sqlite3_reset(st->st);
    if (st->kept) { /* its text may be gone after this */
        sqlite3_clear_bindings(st->st);
        st->kept = false;
    }
}
static void sq_finalize(kw_stmt *st)
{
    if (st) {
        sqlite3_finalize(st->st);
        free(st);
    }
}
static void sq_close(kw_store *s) { sqlite3_close_v2(DB(s)); }

static const kw_backend sqlite_backend = {
    .name = "sqlite",
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_text_kept = sq_bind_text_kept,
    .step = sq_step,
    .column_null = sq_column_null,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_text = sq_column_text,
    .changes = sq_changes,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .close = sq_close,
    .sql_has_table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
    .sql_version_ddl = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
                       "PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    .sql_skip_locked = "",
    .sql_begin = "BEGIN IMMEDIATE",
};

/* Before SQLite starts: no allocation statistics, which would take a global
 * mutex on every malloc and free (nothing here reads them). */
static pthread_once_t configured = PTHREAD_ONCE_INIT;
static void configure(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int kw_sqlite_open(kw_store *s, const char *path, const kw_store_options *opt)
{
    struct stat sb;
    sqlite3 *db = NULL;
    int rc;
    s->be = &sqlite_backend;
    pthread_once(&configured, configure);
    if (!*path)
        return kw_error_set(KW_EINVAL, "empty SQLite database path");
    if (stat(path, &sb) != 0) {
        if (!opt->create)
            return kw_error_set(KW_ENOTFOUND,
                                "%s: no database here; run `kolwatch init` to create "
                                "one, or give --db",
                                path);
    } else if (S_ISDIR(sb.st_mode)) {
        return kw_error_set(KW_EIO, "%s: is a directory, not a database file", path);
    }
    /* A kw_store is used by one thread at a time (store.h): no mutex
     * around every call into SQLite, which costs ~2% of a crawl. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (opt->create ? SQLITE_OPEN_CREATE : 0);
    rc = sqlite3_open_v2(path, &db, flags, NULL);
    s->db = db;
    if (rc != SQLITE_OK) {
        if (!db)
            return kw_error_set(KW_ENOMEM, "out of memory opening %s", path);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        const char *why = sqlite3_errmsg(db);
        if (rc == SQLITE_CANTOPEN && access(dir, F_OK) != 0)
            why = "its directory does not exist";
        else if (rc == SQLITE_CANTOPEN && access(dir, W_OK) != 0)
            why = "its directory is not writable";
        return kw_error_set(KW_EIO, "%s: cannot open the database: %s", path, why);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 10000);
    /* The first statement reads the header: a non-database file fails here. */
    if ((rc = sq_exec(s, "PRAGMA journal_mode = WAL")))
        return rc;
    if ((rc = sq_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                                "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 8192; "
                                "PRAGMA journal_size_limit = 67108864")))
        return rc;
    return 0;
}
