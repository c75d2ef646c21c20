/* Fetching as the configuration says: the fetcher's options, robots.txt. */
#ifndef KOLWATCH_SERVICE_CRAWL_FETCH_H
#define KOLWATCH_SERVICE_CRAWL_FETCH_H

#include "cli.h"

#include "kolwatch/fetch.h"

/* The fetcher the crawler.* options describe. Prints the error and returns
 * EXIT_FAIL on failure. */
int cli_fetcher(kw_cli *cli, kw_fetcher **out);

/* Whether robots.txt of url's host lets crawler.robots_agent fetch url
 * (RFC 9309: a 4xx robots.txt allows all, a 5xx or a network error
 * disallows all). *allowed gets the answer, why (size bytes) the reason. */
int cli_robots_allows(kw_cli *cli, kw_fetcher *f, const char *url, int *allowed, char *why,
                      size_t size);

/* A redirect hook (kw_fetcher_on_redirect; ctx: the kw_cli) that follows
 * a redirect only where robots.txt of its target allows it, read with a
 * fetcher of its own. */
int cli_redirect_check(void *ctx, const char *from, const char *to, char *why, size_t size);

#endif
