/*
 * bench/fetch: the crawler's fetcher against a bare libcurl multi loop.
 * A child process serves N small pages (default 10,000) on 127.0.0.1; the
 * parent fetches them all with the fetcher (politeness lifted: no delay,
 * 8 connections per host) and then with a plain multi loop at the same
 * concurrency, and prints pages/s and client CPU time per page for both.
 * Usage: fetch [N]
 */
#include "kolwatch/fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PARALLEL 8

static const char page[] =
    "<!doctype html><html><head><meta charset=utf-8><title>Lumi review</title></head>"
    "<body><article><h1>Lumi serum, one month in</h1><p>The texture is lovely and it "
    "layers well under makeup. Not a miracle, but a solid everyday serum.</p>"
    "<p>Lumi 精华保湿不错，但是有点黏。</p></article></body></html>";

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *up,
                             size_t *up_size, void **state)
{
    (void)cls, (void)url, (void)method, (void)version, (void)up, (void)up_size;
    if (!*state) {
        *state = (void *)1;
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof page - 1, (void *)page,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static long ok_count;
static void done(void *ctx, const kw_fetch_response *r)
{
    (void)ctx;
    if (!r->error && r->status == 200)
        ok_count++;
}

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
    (void)p, (void)ud;
    return s * n;
}

static long bare(int port, int n)
{
    CURLM *m = curl_multi_init();
    int next = 0, running = 0;
    long ok = 0;
    char url[128];
    while (next < n || running) {
        while (running < PARALLEL && next < n) {
            CURL *e = curl_easy_init();
            snprintf(url, sizeof url, "http://127.0.0.1:%d/page/%d", port, next++);
            curl_easy_setopt(e, CURLOPT_URL, url);
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
            curl_easy_setopt(e, CURLOPT_PROXY, "");
            curl_multi_add_handle(m, e);
            running++;
        }
        int still;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg == CURLMSG_DONE) {
                long status = 0;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
                ok += msg->data.result == CURLE_OK && status == 200;
                curl_multi_remove_handle(m, msg->easy_handle);
                curl_easy_cleanup(msg->easy_handle);
                running--;
            }
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    curl_multi_cleanup(m);
    return ok;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000, fd[2];
    if (n < 1 || pipe(fd))
        return 2;
    pid_t child = fork();
    if (child == 0) {
        struct sockaddr_in a = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        struct MHD_Daemon *d = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, serve, NULL,
            MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_END);
        int port = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port : 0;
        if (write(fd[1], &port, sizeof port) != sizeof port)
            _exit(1);
        pause();
        _exit(0);
    }
    int port = 0;
    if (read(fd[0], &port, sizeof port) != sizeof port || port == 0) {
        fprintf(stderr, "fetch: the test server did not start\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);

    kw_fetch_options o;
    kw_fetcher *f;
    char url[128];
    kw_fetch_options_init(&o);
    o.user_agent = "kolwatch-bench";
    o.allow_private = 1;
    o.min_delay_ms = 0;
    o.max_per_host = PARALLEL;
    o.max_parallel = PARALLEL;
    if (kw_fetcher_new(&f, &o))
        return 1;
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/page/%d", port, i);
        kw_fetch_request q = {.url = url};
        kw_fetcher_add(f, &q);
    }
    double c0 = cpu(), t0 = mono();
    kw_fetcher_run(f, done, NULL);
    double t_f = mono() - t0, c_f = cpu() - c0;
    kw_fetcher_free(f);

    c0 = cpu(), t0 = mono();
    long ok_bare = bare(port, n);
    double t_b = mono() - t0, c_b = cpu() - c0;

    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    printf("pages: %d (fetcher ok %ld, bare ok %ld), %d connections\n", n, ok_count, ok_bare,
           PARALLEL);
    printf("fetcher   : %8.0f pages/s, %6.1f us client CPU per page\n", n / t_f, 1e6 * c_f / n);
    printf("bare multi: %8.0f pages/s, %6.1f us client CPU per page\n", n / t_b, 1e6 * c_b / n);
    printf("ratio CPU per page fetcher/bare: %.2f\n", c_f / c_b);
    return 0;
}
