/*
 * `kolwatch crawl`: fetch the sources that are due, politely, extract their
 * items, keep those that mention a brand (its query), score and store them,
 * and record every source's health. One transaction per source: a crash
 * loses at most the source in hand, and its mentions are unique by URL, so
 * crawling again is always safe.
 */
#include "cli.h"
#include "cli_args.h"
#include "crawl_fetch.h"
#include "scoring.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/extract.h"
#include "kolwatch/fetch.h"
#include "kolwatch/query.h"
#include "kolwatch/store.h"
#include "kolwatch/textio.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch crawl [--once] [--source SOURCE_ID] [--limit N]\n\n"
    "Fetch the sources that are due (all of --source at once, due or not), with\n"
    "robots.txt and the crawler's manners, extract their items, keep the items\n"
    "that match a brand's query, score them and store them as mentions (a URL\n"
    "already stored adds only the brands it lacked), and record each source's\n"
    "health: last status, last error, consecutive failures, next attempt. A\n"
    "failing source backs off exponentially (429 and 503 honour Retry-After).\n"
    "--once crawls what is due and exits; without it kolwatch keeps crawling on\n"
    "the sources' schedules until interrupted (SIGINT or SIGTERM). A progress\n"
    "line shows on a terminal; the summary goes to standard error.\n";

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) { (void)sig, stop_requested = 1; }

typedef struct brand_q {
    int64_t id;
    kw_query *q;
} brand_q;

typedef struct robots_entry {
    char host[300];
    int allow_all, deny_all;
    kw_robots *r;
    char why[400];
} robots_entry;

typedef struct crawler {
    kw_cli *cli;
    kw_store *s;
    kw_fetcher *f;
    kw_scorer *sc;
    kw_result scored;
    kw_query_match_result qm;
    brand_q *brands;
    size_t nbrands;
    kw_source *srcs;
    size_t nsrcs;
    robots_entry *robots;
    size_t nrobots;
    long pages, items, matched, added, errors, done;
    int tty, failed;
    int64_t started;
} crawler;

static void host_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    snprintf(out, size, "%.*s", (int)(p - url + (long)strcspn(p, "/?#")), url);
}

static int64_t backoff(const kw_source *src, int64_t now, int64_t retry_after)
{
    int64_t wait = src->every_s;
    for (int64_t i = 0; i < src->consecutive_failures + 1 && i < 6 && wait < 86400; i++)
        wait *= 2;
    if (wait > 86400)
        wait = 86400;
    wait += (int64_t)(rand() % (int)(wait / 2 + 1));
    if (retry_after > wait)
        wait = retry_after;
    return now + wait;
}

static int record(crawler *c, const kw_source *src, int64_t started, int64_t status,
                  const char *error, const kw_fetch_response *r, long items, long added,
                  int64_t next)
{
    kw_fetch_record rec = {.source_id = src->id, .url = src->url, .started_at = started,
                           .finished_at = kw_time_now(), .next_attempt_at = next,
                           .status = status, .bytes = r ? (int64_t)r->body_len : -1,
                           .items = items, .new_mentions = added, .error = error,
                           .etag = r && !error ? r->etag : NULL,
                           .last_modified = r && !error ? r->last_modified : NULL};
    if (error)
        c->errors++;
    return kw_store_source_record(c->s, &rec);
}

/* Store one item for the brands whose queries it matches. */
static int store_item(crawler *c, const kw_source *src, const kw_extracted_item *it, long *added)
{
    const char *text = it->text ? it->text : it->title;
    const char *link = it->link ? it->link : src->url;
    char canon[4096], hash[65], *expl = NULL;
    int64_t ids[64];
    size_t n = 0;
    int result, rc;
    if (!text || kw_url_canonical(canon, sizeof canon, link))
        return 0; /* nothing to say, or a link that is no web page */
    kw_query_doc doc = {.title = it->title, .text = it->text, .author = it->author,
                        .platform = src->platform};
    for (size_t i = 0; i < c->nbrands && n < 64; i++)
        if (kw_query_match(c->brands[i].q, &doc, &c->qm) == 0 && c->qm.match)
            ids[n++] = c->brands[i].id;
    if (n == 0)
        return 0;
    c->matched++;
    kw_sha256_hex(hash, text, strlen(text));
    kw_mention m = {.url = link, .canonical_url = canon, .content_hash = hash,
                    .source_id = src->id, .platform = src->platform, .author = it->author,
                    .title = it->title, .text = text,
                    .published_at = it->published == INT64_MIN ? KW_TIME_NONE : it->published,
                    .fetched_at = kw_time_now(), .likes = -1, .comments = -1, .shares = -1,
                    .views = -1, .reach = -1};
    if ((rc = cli_score_mention(c->sc, &c->scored, text, &m, &expl)))
        return rc;
    rc = kw_store_mention_put(c->s, &m, ids, n, &result, NULL);
    free(expl);
    if (!rc && result == KW_PUT_NEW)
        (*added)++;
    return rc;
}

static void progress(crawler *c, int final)
{
    if (!c->tty)
        return;
    double dt = (double)(kw_time_now() - c->started);
    fprintf(stderr, "\rsources %ld/%zu, pages %ld, new mentions %ld, errors %ld, %.1f pages/s%s",
            c->done, c->nsrcs, c->pages, c->added, c->errors, dt > 0 ? c->pages / dt : 0.0,
            final ? "\n" : "");
}

static void on_page(void *ctx, const kw_fetch_response *r)
{
    crawler *c = ctx;
    const kw_source *src = r->user;
    int64_t now = kw_time_now(), started = now - (int64_t)r->seconds;
    char err[600];
    long added = 0;
    int rc = 0;
    c->done++;
    if (kw_store_begin(c->s)) {
        c->failed = 1;
        return;
    }
    if (r->error) {
        rc = record(c, src, started, r->status ? r->status : -1, r->error_text, r,
                    -1, 0, backoff(src, now, r->retry_after));
    } else if (r->not_modified) {
        c->pages++;
        rc = record(c, src, started, r->status, NULL, r, 0, 0, now + src->every_s);
    } else if (r->status != 200) {
        snprintf(err, sizeof err, "HTTP %d", r->status);
        rc = record(c, src, started, r->status, err, r, -1, 0,
                    backoff(src, now, r->status == 429 || r->status == 503 ? r->retry_after : -1));
    } else {
        kw_extracted e;
        c->pages++;
        if (kw_extract_body(&e, src->kind, src->rules, r->body, r->body_len, r->content_type,
                            r->final_url ? r->final_url : src->url, NULL)) {
            snprintf(err, sizeof err, "%s", kw_error_last());
            rc = record(c, src, started, r->status, err, r, -1, 0, backoff(src, now, -1));
        } else {
            c->items += (long)e.n;
            for (size_t i = 0; i < e.n && !rc; i++)
                rc = store_item(c, src, &e.items[i], &added);
            if (!rc)
                rc = record(c, src, started, r->status, NULL, r, (long)e.n, added,
                            now + src->every_s);
            kw_extracted_free(&e);
        }
    }
    if (rc) {
        fprintf(stderr, "\nkolwatch: crawl: source %lld: %s\n", (long long)src->id, kw_error_last());
        kw_store_rollback(c->s);
        c->failed = 1;
        return;
    }
    if (kw_store_commit(c->s)) {
        c->failed = 1;
        return;
    }
    c->added += added;
    progress(c, 0);
}

typedef struct robots_fetch {
    crawler *c;
} robots_fetch;

static void on_robots(void *ctx, const kw_fetch_response *r)
{
    robots_entry *e = r->user;
    (void)ctx;
    if (r->error) {
        e->deny_all = 1;
        snprintf(e->why, sizeof e->why, "robots.txt could not be fetched (%s)", r->error_text);
    } else if (r->status >= 500 || r->status == 429) {
        e->deny_all = 1;
        snprintf(e->why, sizeof e->why, "robots.txt answered %d (disallow all)", r->status);
    } else if (r->status >= 400) {
        e->allow_all = 1;
    } else if (kw_robots_parse(&e->r, r->body, r->body_len)) {
        e->allow_all = 1;
    }
}

static robots_entry *robots_for(crawler *c, const char *url)
{
    char host[300];
    host_of(url, host, sizeof host);
    for (size_t i = 0; i < c->nrobots; i++)
        if (strcmp(c->robots[i].host, host) == 0)
            return &c->robots[i];
    return NULL;
}

/* One pass: every due source (or the one asked for), politely. */
static int crawl_once(crawler *c, int64_t only, size_t limit)
{
    int64_t now = kw_time_now();
    const char *agent = kw_config_str(c->cli->config, "crawler.robots_agent");
    free(c->srcs);
    c->srcs = NULL;
    c->nsrcs = 0;
    if (only) {
        if (!(c->srcs = calloc(1, sizeof *c->srcs)) || kw_store_source_get(c->s, only, c->srcs))
            return cli_fail("crawl: %s", kw_error_last());
        c->nsrcs = 1;
    } else if (kw_store_source_due(c->s, now, limit, &c->srcs, &c->nsrcs)) {
        return cli_fail("crawl: %s", kw_error_last());
    }
    /* robots.txt, once per host per pass */
    for (size_t i = 0; i < c->nrobots; i++)
        kw_robots_free(c->robots[i].r);
    free(c->robots);
    c->robots = calloc(c->nsrcs ? c->nsrcs : 1, sizeof *c->robots);
    c->nrobots = 0;
    if (!c->robots)
        return cli_fail("out of memory");
    for (size_t i = 0; i < c->nsrcs; i++) {
        if (robots_for(c, c->srcs[i].url))
            continue;
        robots_entry *e = &c->robots[c->nrobots++];
        char url[400];
        host_of(c->srcs[i].url, e->host, sizeof e->host);
        snprintf(url, sizeof url, "%s/robots.txt", e->host);
        kw_fetch_request q = {.url = url, .user = e};
        if (kw_fetcher_add(c->f, &q))
            e->deny_all = 1, snprintf(e->why, sizeof e->why, "%s", kw_error_last());
    }
    if (kw_fetcher_run(c->f, on_robots, c))
        return cli_fail("crawl: %s", kw_error_last());
    for (size_t i = 0; i < c->nsrcs; i++) {
        kw_source *src = &c->srcs[i];
        robots_entry *e = robots_for(c, src->url);
        int allowed = e && (e->allow_all || (!e->deny_all && (!e->r || kw_robots_allowed(e->r, agent, src->url))));
        if (!allowed) {
            char why[600];
            snprintf(why, sizeof why, "not fetched: %s", e && e->why[0] ? e->why
                                                           : "robots.txt disallows it");
            c->done++;
            if (kw_store_begin(c->s) == 0) {
                if (record(c, src, now, -1, why, NULL, -1, 0, now + src->every_s))
                    kw_store_rollback(c->s);
                else
                    kw_store_commit(c->s);
            }
            continue;
        }
        char etag[256], lm[128];
        kw_store_source_validators(c->s, src->id, etag, sizeof etag, lm, sizeof lm);
        kw_fetch_request q = {.url = src->url, .etag = etag[0] ? etag : NULL,
                              .last_modified = lm[0] ? lm : NULL, .user = src};
        if (kw_fetcher_add(c->f, &q)) {
            c->done++;
            if (kw_store_begin(c->s) == 0) {
                if (record(c, src, now, -1, kw_error_last(), NULL, -1, 0, backoff(src, now, -1)))
                    kw_store_rollback(c->s);
                else
                    kw_store_commit(c->s);
            }
        }
    }
    if (kw_fetcher_run(c->f, on_page, c))
        return cli_fail("crawl: %s", kw_error_last());
    return c->failed ? EXIT_FAIL : EXIT_OK;
}

static int load_brands(crawler *c)
{
    kw_brand **list = NULL;
    size_t n = 0;
    if (kw_store_brand_list(c->s, &list, &n))
        return cli_fail("crawl: %s", kw_error_last());
    c->brands = calloc(n ? n : 1, sizeof *c->brands);
    for (size_t i = 0; c->brands && i < n; i++) {
        if (kw_query_compile(&c->brands[c->nbrands].q, list[i]->query, NULL)) {
            fprintf(stderr, "kolwatch: crawl: brand '%s' is skipped: %s\n", list[i]->name,
                    kw_error_last());
            continue;
        }
        c->brands[c->nbrands++].id = list[i]->id;
    }
    kw_brand_list_free(list, n);
    if (c->nbrands == 0)
        fprintf(stderr, "kolwatch: crawl: no brands with a valid query: nothing will be stored "
                        "(add one with `kolwatch brand add`)\n");
    return c->brands ? EXIT_OK : cli_fail("out of memory");
}

int cmd_crawl(kw_cli *cli, int argc, char **argv)
{
    enum { O_ONCE = 1, O_SOURCE, O_LIMIT, O_HELP };
    static const struct option opts[] = {{"once", no_argument, 0, O_ONCE},
                                         {"source", required_argument, 0, O_SOURCE},
                                         {"limit", required_argument, 0, O_LIMIT},
                                         {"help", no_argument, 0, O_HELP},
                                         {0, 0, 0, 0}};
    crawler c = {.cli = cli, .tty = isatty(STDERR_FILENO)};
    int once = 0, opt, rc;
    int64_t only = 0, limit = 1000;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        switch (opt) {
        case O_ONCE: once = 1; break;
        case O_SOURCE:
            if (arg_id("crawl", "--source", optarg, &only))
                return EXIT_USAGE;
            break;
        case O_LIMIT:
            if (arg_int("crawl", "--limit", optarg, 1, &limit))
                return EXIT_USAGE;
            break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("crawl", "%s needs a value", flag);
        default: return cli_usage_error("crawl", "unknown option '%s'", flag);
        }
    }
    if (optind < argc)
        return cli_usage_error("crawl", "unexpected argument '%s'", argv[optind]);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    kw_result_init(&c.scored);
    kw_query_match_result_init(&c.qm);
    if ((rc = cli_open_store(cli, &c.s, 0, 0)) || (rc = cli_fetcher(cli, &c.f)) ||
        (rc = cli_scorer(cli, NULL, 0, 0, &c.sc)) || (rc = load_brands(&c)))
        goto cleanup;
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    c.started = kw_time_now();
    do {
        rc = crawl_once(&c, only, (size_t)limit);
        progress(&c, 1);
        if (rc || once || only)
            break;
        for (int i = 0; i < 30 && !stop_requested; i++)
            sleep(1);
    } while (!stop_requested);
    fprintf(stderr, "kolwatch: crawl: %zu sources, %ld pages, %ld items, %ld matched a brand, "
                    "%ld new mentions, %ld errors\n",
            c.nsrcs, c.pages, c.items, c.matched, c.added, c.errors);
cleanup:
    for (size_t i = 0; i < c.nbrands; i++)
        kw_query_free(c.brands[i].q);
    free(c.brands);
    for (size_t i = 0; i < c.nrobots; i++)
        kw_robots_free(c.robots[i].r);
    free(c.robots);
    free(c.srcs);
    kw_query_match_result_release(&c.qm);
    kw_result_release(&c.scored);
    kw_scorer_free(c.sc);
    kw_fetcher_free(c.f);
    kw_store_free(c.s);
    return rc;
}
