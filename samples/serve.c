/*
 * kw-sample-server: serves the files of one directory on 127.0.0.1 (and
 * nowhere else) so that `scripts/demo` can crawl the bundled sample site
 * without leaving the machine.
 *   kw-sample-server [--port N] DIR
 * Only GET of plain file names in DIR; runs until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *root;
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig, stop = 1; }

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".xml") == 0)
        return "application/rss+xml";
    if (dot && strcmp(dot, ".json") == 0)
        return "application/json";
    if (dot && strcmp(dot, ".html") == 0)
        return "text/html"; /* the page says its charset itself */
    return "text/plain; charset=utf-8";
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **state)
{
    (void)cls, (void)version, (void)upload, (void)upload_size;
    static char not_found[] = "not found\n";
    if (!*state) {
        *state = (void *)1;
        return MHD_YES;
    }
    const char *name = url[0] == '/' ? url + 1 : url;
    if (strcmp(method, "GET") != 0 || !*name || strchr(name, '/') || name[0] == '.')
        return reply(c, 404, "text/plain", not_found, sizeof not_found - 1,
                     MHD_RESPMEM_PERSISTENT);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, name);
    FILE *f = fopen(path, "rb");
    char *body = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (16L << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (body = malloc((size_t)n + 1)) &&
        fread(body, 1, (size_t)n, f) == (size_t)n) {
        fclose(f);
        return reply(c, 200, type_of(name), body, (size_t)n, MHD_RESPMEM_MUST_FREE);
    }
    if (f)
        fclose(f);
    free(body);
    return reply(c, 404, "text/plain", not_found, sizeof not_found - 1, MHD_RESPMEM_PERSISTENT);
}

int main(int argc, char **argv)
{
    int port = 8765;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--help") == 0)
            return puts("usage: kw-sample-server [--port N] DIR"), 0;
        else
            root = argv[i];
    }
    if (!root || port <= 0 || port > 65535) {
        fprintf(stderr, "usage: kw-sample-server [--port N] DIR\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve, NULL,
                         MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "kw-sample-server: cannot listen on 127.0.0.1:%d (in use?)\n", port);
        return 1;
    }
    fprintf(stderr, "kw-sample-server: serving %s on http://127.0.0.1:%d/\n", root, port);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
