/* Test helpers: temp dirs, files, and running kolwatch as a user would. */
#include "testsupport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
