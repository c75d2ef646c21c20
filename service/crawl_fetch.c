/* The fetcher as configured, and the robots.txt check before a fetch. */
#include "crawl_fetch.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fetcher(kw_cli *cli, kw_fetcher **out)
{
    kw_fetch_options o;
    kw_fetch_options_init(&o);
    o.user_agent = kw_config_str(cli->config, "crawler.user_agent");
    o.allow_private = kw_config_bool(cli->config, "crawler.allow_private");
    o.max_per_host = (int)kw_config_int(cli->config, "crawler.max_per_host");
    o.min_delay_ms = kw_config_int(cli->config, "crawler.min_delay_ms");
    o.max_body = kw_config_int(cli->config, "crawler.max_body");
    o.connect_timeout_ms = kw_config_int(cli->config, "crawler.connect_timeout") * 1000;
    o.timeout_ms = kw_config_int(cli->config, "crawler.timeout") * 1000;
    o.max_redirects = (int)kw_config_int(cli->config, "crawler.max_redirects");
    if (kw_fetcher_new(out, &o))
        return cli_fail("%s", kw_error_last());
    return EXIT_OK;
}

typedef struct got {
    int status, error, refused;
    char text[300];
    char *body;
    size_t len;
} got;

static void keep(void *ctx, const kw_fetch_response *r)
{
    got *g = ctx;
    g->status = r->status;
    g->error = r->error;
    g->refused = r->refused;
    snprintf(g->text, sizeof g->text, "%s", r->error_text);
    if (!r->error && r->body_len && (g->body = malloc(r->body_len)))
        memcpy(g->body, r->body, r->body_len), g->len = r->body_len;
}

int cli_robots_allows(kw_cli *cli, kw_fetcher *f, const char *url, int *allowed, char *why,
                      size_t size)
{
    const char *agent = kw_config_str(cli->config, "crawler.robots_agent");
    const char *scheme_end = strstr(url, "://");
    char robots[2300];
    got g = {0};
    if (!scheme_end)
        return kw_error_set(KW_EINVAL, "'%s' is not an absolute URL", url);
    size_t host_len = strcspn(scheme_end + 3, "/?#");
    snprintf(robots, sizeof robots, "%.*s/robots.txt", (int)(scheme_end + 3 - url + host_len), url);
    kw_fetch_request q = {.url = robots, .keep_first = KW_ROBOTS_MAX_BYTES + 1,
                          .follow_freely = 1};
    int rc = kw_fetcher_add(f, &q);
    if (!rc)
        rc = kw_fetcher_run(f, keep, &g);
    if (rc)
        return rc;
    if (g.error) {
        *allowed = 0;
        if (g.refused) /* not a robots.txt matter */
            snprintf(why, size, "%s", g.text);
        else
            snprintf(why, size, "%s could not be fetched (%s): RFC 9309 says disallow all",
                     robots, g.text);
    } else if (g.status >= 500 || g.status == 429) {
        *allowed = 0;
        snprintf(why, size, "%s answered %d: RFC 9309 says disallow all", robots, g.status);
    } else if (g.status >= 400) {
        *allowed = 1;
        snprintf(why, size, "%s answered %d: everything allowed", robots, g.status);
    } else {
        kw_robots *r = NULL;
        if ((rc = kw_robots_parse(&r, g.body ? g.body : "", g.len))) {
            free(g.body);
            return rc;
        }
        *allowed = kw_robots_allowed(r, agent, url);
        snprintf(why, size, "%s %s %s for %s", robots, *allowed ? "allows" : "disallows", url,
                 agent);
        kw_robots_free(r);
    }
    free(g.body);
    return 0;
}

int cli_redirect_check(void *ctx, const char *from, const char *to, char *why, size_t size)
{
    kw_cli *cli = ctx;
    kw_fetcher *f = NULL;
    char reason[400] = "";
    int allowed = 0, rc = cli_fetcher(cli, &f);
    (void)from;
    if (!rc)
        rc = cli_robots_allows(cli, f, to, &allowed, reason, sizeof reason);
    kw_fetcher_free(f);
    if (!rc && allowed)
        return 0;
    snprintf(why, size, "not fetched: redirected to %.600s: %s", to,
             rc ? kw_error_last() : reason[0] ? reason : "robots.txt disallows it");
    return -1;
}
