/*
 * Helpers shared by the tests: temporary directories, running the real
 * kolwatch binary as a child process, reading files.
 */
#ifndef KOLWATCH_TESTSUPPORT_H
#define KOLWATCH_TESTSUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string and
 * may remove the tree with kwt_rmtree. */
char *kwt_tempdir(void);
void kwt_rmtree(const char *path);

/* Write len bytes (or strlen(data) when len is (size_t)-1) to path. */
void kwt_write_file(const char *path, const char *data, size_t len);

typedef struct kwt_run {
    int status;   /* exit status, or 128+signal */
    char *out;    /* standard output, NUL-terminated */
    char *err;    /* standard error, NUL-terminated */
    size_t out_len;
} kwt_run;

/* Run the kolwatch binary with the NULL-terminated arguments (argv[0] is
 * supplied), feeding `input` (may be NULL) on standard input, in directory
 * `cwd` (may be NULL). Free with kwt_run_free. */
kwt_run kwt_kolwatch(const char *cwd, const char *input, const char *const *args);
void kwt_run_free(kwt_run *r);

/* The back end under test: "sqlite" unless KWT_BACKEND says "postgres"
 * (then KOLWATCH_TEST_PG_URL must name a server; the test fails without). */
const char *kwt_backend(void);

/* A URL of a new, empty database of the back end under test: a file in
 * dir for SQLite, a freshly created database for PostgreSQL. Caller frees. */
char *kwt_new_db(const char *dir);

/* Run SQL on the database at url; returns the first column of the first
 * row as an integer (0 when there is none). Fails the test on error. */
int64_t kwt_sql_int(const char *url, const char *sql);

/* Whether s is valid UTF-8 (RFC 3629: no overlong forms, no surrogates). */
int kwt_utf8_valid(const char *s);

/* Run one or more SQL statements on the database at url in one session;
 * 0 when they all succeed, -1 when one fails (the error is not a test
 * failure: for statements a constraint must refuse). */
int kwt_sql_try(const char *url, const char *sql);

/* When non-zero and the tests run as root, kwt_kolwatch runs the binary as
 * the unprivileged user nobody, so that file permissions apply. */
extern int kwt_drop_privileges;

/* Start kolwatch in the background (stdin from /dev/null, stdout and
 * stderr to files in dir); returns its pid. */
int kwt_spawn(const char *dir, const char *const *args);
/* What the process kwt_spawn started in dir wrote to standard error so
 * far: its last size - 1 bytes, NUL-terminated ("" when none). */
void kwt_spawn_said(const char *dir, int pid, char *out, size_t size);

/* A small HTTP server on 127.0.0.1 in this process, answering fixed routes
 * (a path with the query ignored; unknown paths are 404). */
typedef struct kwt_route {
    const char *path, *content_type, *body;
    int status;
    const char *etag; /* when set: sent, and a matching If-None-Match gets a 304 */
} kwt_route; /* a 3xx route's body is its Location */
typedef struct kwt_http kwt_http;
/* routes must stay valid while the server runs; *port gets its port. */
kwt_http *kwt_http_start(const kwt_route *routes, int *port);
void kwt_http_stop(kwt_http *h);
/* How many requests the server answered for path. */
int kwt_http_hits(kwt_http *h, const char *path);

#endif
