/*
 * The crawler's HTTP client: many hosts at once over the libcurl multi
 * interface, and polite to each one — at most a few connections per host,
 * a minimum delay (with jitter) between requests to a host, conditional
 * GET, capped and decompressed bodies, bounded redirects and time-outs.
 * It refuses loopback, private, link-local and multicast addresses unless
 * told otherwise, checking the resolved address of every connection,
 * redirects included, so a user-supplied URL cannot reach internal services.
 */
#ifndef KOLWATCH_FETCH_H
#define KOLWATCH_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kw_fetcher kw_fetcher;

typedef struct kw_fetch_options {
    const char *user_agent;     /* required; should carry a contact URL */
    int allow_private;          /* connect to private addresses too (tests) */
    const char *public_address; /* tests only: treat this one address as public */
    int max_per_host;           /* connections per host at once; default 2 */
    int64_t min_delay_ms;       /* between request starts to one host; default 1000,
                                   plus up to half again of jitter */
    int max_parallel;           /* connections overall; default 32 */
    int64_t max_body;           /* bytes after decompression; default 10 MiB */
    int64_t connect_timeout_ms; /* default 10 s */
    int64_t timeout_ms;         /* whole transfer; default 60 s */
    int max_redirects;          /* default 5 */
} kw_fetch_options;

/* Fill o with the defaults (user_agent stays NULL). */
void kw_fetch_options_init(kw_fetch_options *o);

typedef struct kw_fetch_response kw_fetch_response;

/* Called once per request as it completes; everything in r is borrowed
 * for the call only. */
typedef void (*kw_fetch_done)(void *ctx, const kw_fetch_response *r);

typedef struct kw_fetch_request {
    const char *url;           /* http or https; copied when queued */
    const char *etag;          /* sent verbatim as If-None-Match, or NULL */
    const char *last_modified; /* sent verbatim as If-Modified-Since, or NULL */
    void *user;                /* handed back in the response */
    size_t keep_first;         /* > 0: only the body's first bytes are wanted (a
                                  robots.txt): a longer one is cut there, read
                                  no further, and is no error */
    int follow_freely;         /* its redirects are followed without asking the
                                  on_redirect hook (a robots.txt: RFC 9309
                                  follows them as they come) */
    kw_fetch_done done;        /* when set, this request completes here rather
                                  than in kw_fetcher_run's done (a robots.txt
                                  the crawler asks for while pages are under way) */
    void *done_ctx;
} kw_fetch_request;

struct kw_fetch_response {
    const char *url;           /* as requested */
    const char *final_url;     /* after redirects (the last hop's URL) */
    void *user;
    int status;                /* HTTP status of the final response, 0 if none */
    int error;                 /* 0, or KW_EIO (network, time-out, too many
                                  redirects), KW_ETOOBIG (body cap),
                                  KW_EINVAL (refused address or bad URL) */
    const char *error_text;    /* "" when error is 0 */
    int not_modified;          /* a 304: no body */
    int refused;               /* a private address was refused (error is KW_EINVAL) */
    int disallowed;            /* a redirect the on_redirect hook said is not to be
                                  fetched (robots.txt disallows it): no failure */
    const char *content_type, *etag, *last_modified; /* NULL when absent */
    int64_t retry_after;       /* seconds from Retry-After, -1 when absent */
    const char *body;          /* decompressed, NUL-terminated */
    size_t body_len;
    double seconds;
};

/* Caller frees with kw_fetcher_free. KW_EINVAL without a user agent. */
int kw_fetcher_new(kw_fetcher **out, const kw_fetch_options *o);
void kw_fetcher_free(kw_fetcher *f);

/* Queue a request (its strings are copied). KW_EINVAL for a URL that is
 * not http(s) or has no host. */
int kw_fetcher_add(kw_fetcher *f, const kw_fetch_request *req);

/* A longer delay between request starts to url's host (a robots.txt
 * Crawl-delay): the host waits max(this, the configured delay). */
int kw_fetcher_host_delay(kw_fetcher *f, const char *url, int64_t delay_ms);

/* Asked before each redirect is followed (from is the URL that answered
 * with it, to the absolute target): 0 follows it; KW_REDIRECT_WAIT asks
 * again later (the hook has queued what it needs to know, a robots.txt,
 * in this fetcher: the other transfers go on meanwhile, and the hop waits
 * at most the request's time-out); otherwise the request ends with
 * KW_EINVAL and why (size bytes) as its error text, marked disallowed when
 * the hook returned 1 (not to be fetched, as robots.txt says, rather than
 * failed). Redirects are followed by the fetcher itself, each hop a
 * request of its own that waits for its host's turn as any other. */
#define KW_REDIRECT_WAIT 2
typedef int (*kw_fetch_redirect_fn)(void *ctx, const char *from, const char *to, char *why,
                                    size_t size);
void kw_fetcher_on_redirect(kw_fetcher *f, kw_fetch_redirect_fn fn, void *ctx);

/* When *flag becomes non-zero (a signal handler sets it), kw_fetcher_run
 * abandons what is queued or under way, without calling done for it, and
 * returns. */
void kw_fetcher_stop_when(kw_fetcher *f, const volatile sig_atomic_t *flag);

/* The same from a callback (done, the tick, the redirect hook): the run
 * under way ends as soon as the callback returns, without starting
 * anything more; the next run goes on as usual. */
void kw_fetcher_stop(kw_fetcher *f);

/* fn(ctx) is called between transfers while kw_fetcher_run runs, at least
 * four times a second even when nothing completes (a crawler extends its
 * claims from it). */
void kw_fetcher_on_tick(kw_fetcher *f, void (*fn)(void *ctx), void *ctx);

/* Fetch everything queued, politely, calling done for each; returns when
 * the queue is empty. 0, or KW_EIO if libcurl itself fails. */
int kw_fetcher_run(kw_fetcher *f, kw_fetch_done done, void *ctx);

/* An HTTP date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT" or asctime "Sun Nov  6 08:49:37 1994")
 * into seconds since the epoch. KW_EINVAL otherwise. */
int kw_http_date_parse(int64_t *out, const char *text);

/* Retry-After as seconds from now: delta-seconds or an HTTP date (a date
 * in the past gives 0). KW_EINVAL when it is neither. */
int kw_retry_after_parse(int64_t *out, const char *value, int64_t now);

#ifdef __cplusplus
}
#endif
#endif
