/* Test helpers: temp dirs, files, and running kolwatch as a user would. */
#include "testsupport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *kwt_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/kwtest.XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    if (!d) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        abort();
    }
    return strdup(d);
}

void kwt_rmtree(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
}

void kwt_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        abort();
    }
    if (len == (size_t)-1)
        len = strlen(data);
    fwrite(data, 1, len, f);
    fclose(f);
}

static void append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
}

kwt_run kwt_kolwatch(const char *cwd, const char *input, const char *const *args)
{
    kwt_run r = {0};
    int in[2], out[2], err[2];
    size_t n = 0;
    while (args[n])
        n++;
    const char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = KW_TEST_BINARY;
    memcpy(argv + 1, args, n * sizeof *argv);
    if (pipe(in) || pipe(out) || pipe(err))
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[1]), close(out[0]), close(err[0]);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        if (kwt_drop_privileges && geteuid() == 0 &&
            (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(125);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]), close(out[1]), close(err[1]);
    size_t inlen = input ? strlen(input) : 0, inoff = 0;
    size_t ocap = 0, ecap = 0, elen = 0;
    r.out = calloc(1, 1), r.err = calloc(1, 1);
    if (inlen == 0)
        close(in[1]), in[1] = -1;
    else
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    struct pollfd pf[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        pf[2].fd = in[1];
        if (poll(pf, 3, -1) < 0 && errno != EINTR)
            break;
        char buf[65536];
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP))) {
                ssize_t k = read(pf[i].fd, buf, sizeof buf);
                if (k <= 0) {
                    close(pf[i].fd);
                    pf[i].fd = -1;
                    open_fds--;
                } else if (i == 0) {
                    append(&r.out, &r.out_len, &ocap, buf, (size_t)k);
                } else {
                    append(&r.err, &elen, &ecap, buf, (size_t)k);
                }
            }
        }
        if (in[1] >= 0 && (pf[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t k = write(in[1], input + inoff, inlen - inoff);
            if (k > 0)
                inoff += (size_t)k;
            if (k < 0 || inoff == inlen) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    if (in[1] >= 0)
        close(in[1]);
    int st;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    free(argv);
    return r;
}

void kwt_run_free(kwt_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ---- Databases under test ---------------------------------------------- */

#include <sqlite3.h>
#ifdef KW_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

int kwt_drop_privileges;

const char *kwt_backend(void)
{
    const char *b = getenv("KWT_BACKEND");
    return b && strcmp(b, "postgres") == 0 ? "postgres" : "sqlite";
}

static int is_pg(const char *url) { return strncmp(url, "postgres", 8) == 0; }

#ifdef KW_HAVE_POSTGRES
static PGconn *pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to %s: %s", url, PQerrorMessage(c));
        fail_msg("PostgreSQL at %s is not reachable", url);
    }
    return c;
}
#endif

char *kwt_new_db(const char *dir)
{
    char buf[4096];
    static int counter;
    if (strcmp(kwt_backend(), "sqlite") == 0) {
        snprintf(buf, sizeof buf, "%s/test%d.db", dir, ++counter);
        return strdup(buf);
    }
#ifdef KW_HAVE_POSTGRES
    const char *admin = getenv("KOLWATCH_TEST_PG_URL");
    if (!admin || !*admin)
        fail_msg("KWT_BACKEND=postgres needs KOLWATCH_TEST_PG_URL (scripts/test starts a server)");
    PGconn *c = pg_connect(admin);
    char name[64], sql[128];
    snprintf(name, sizeof name, "kwt_%d_%d", (int)getpid(), ++counter);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    /* Same server and user, another database: replace the path. */
    const char *slash = strrchr(admin, '/');
    snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - admin), admin, name);
    return strdup(buf);
#else
    fail_msg("this build has no PostgreSQL back end");
    return NULL;
#endif
}

int64_t kwt_sql_int(const char *url, const char *sql)
{
    int64_t v = 0;
    if (!is_pg(url)) {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            fail_msg("open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_busy_timeout(db, 10000);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else if (rc != SQLITE_DONE)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
    }
#ifdef KW_HAVE_POSTGRES
    PGconn *c = pg_connect(url);
    PGresult *r = PQexec(c, sql);
    ExecStatusType es = PQresultStatus(r);
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    if (es == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
#endif
    return v;
}

int kwt_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, k = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                                          : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
        if (k == 9)
            return 0;
        uint32_t cp = k ? c & (0x3F >> k) : c;
        for (unsigned i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        p += k + 1;
    }
    return 1;
}

int kwt_sql_try(const char *url, const char *sql)
{
    int ok = 0;
    if (!is_pg(url)) {
        sqlite3 *db = NULL;
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            fail_msg("open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_busy_timeout(db, 10000);
        ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
        return ok ? 0 : -1;
    }
#ifdef KW_HAVE_POSTGRES
    PGconn *c = pg_connect(url);
    PGresult *r = PQexec(c, sql);
    ExecStatusType es = PQresultStatus(r);
    ok = es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
#endif
    return ok ? 0 : -1;
}

int kwt_spawn(const char *dir, const char *const *args)
{
    size_t n = 0;
    while (args[n])
        n++;
    const char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = KW_TEST_BINARY;
    memcpy(argv + 1, args, n * sizeof *argv);
    pid_t pid = fork();
    if (pid == 0) {
        char path[4096];
        int fd = open("/dev/null", O_RDONLY);
        dup2(fd, 0);
        snprintf(path, sizeof path, "%s/spawn.%d.out", dir, (int)getpid());
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        snprintf(path, sizeof path, "%s/spawn.%d.err", dir, (int)getpid());
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    free((void *)argv);
    return (int)pid;
}

void kwt_spawn_said(const char *dir, int pid, char *out, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/spawn.%d.err", dir, pid);
    FILE *e = fopen(path, "r");
    if (e && fseek(e, -(long)(size - 1), SEEK_END) != 0)
        rewind(e); /* shorter than size: all of it */
    size_t n = e ? fread(out, 1, size - 1, e) : 0;
    out[n] = '\0';
    if (e)
        fclose(e);
}
