/* A fixed-route HTTP server on 127.0.0.1 for tests (libmicrohttpd). */
#include "testsupport.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct kwt_http {
    struct MHD_Daemon *d;
    const kwt_route *routes;
    int hits[64];
    pthread_mutex_t lock;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *up,
                              size_t *up_size, void **state)
{
    kwt_http *h = cls;
    (void)method, (void)version, (void)up, (void)up_size;
    if (!*state) {
        *state = h;
        return MHD_YES;
    }
    const kwt_route *r = NULL;
    int i = 0;
    for (; h->routes[i].path; i++)
        if (strcmp(h->routes[i].path, url) == 0) {
            r = &h->routes[i];
            break;
        }
    if (r && i < 64) {
        pthread_mutex_lock(&h->lock);
        h->hits[i]++;
        pthread_mutex_unlock(&h->lock);
    }
    const char *body = r ? r->body : "not found";
    unsigned status = r ? (unsigned)r->status : 404u;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (r && r->etag && inm && strcmp(inm, r->etag) == 0)
        body = "", status = 304;
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                                MHD_RESPMEM_PERSISTENT);
    if (r && r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (r && r->etag)
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r && r->status >= 300 && r->status < 400 && r->status != 304)
        MHD_add_response_header(resp, "Location", r->body);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

kwt_http *kwt_http_start(const kwt_route *routes, int *port)
{
    kwt_http *h = calloc(1, sizeof *h);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    h->routes = routes;
    pthread_mutex_init(&h->lock, NULL);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
    if (!h->d)
        fail_msg("cannot start a test HTTP server");
    *port = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return h;
}

void kwt_http_stop(kwt_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

int kwt_http_hits(kwt_http *h, const char *path)
{
    int n = 0;
    pthread_mutex_lock(&h->lock);
    for (int i = 0; h->routes[i].path && i < 64; i++)
        if (strcmp(h->routes[i].path, path) == 0)
            n = h->hits[i];
    pthread_mutex_unlock(&h->lock);
    return n;
}
