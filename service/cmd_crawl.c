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

#include "kolwatch/crawl.h"
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch crawl [--once] [--source SOURCE_ID] [--limit N]\n"
    "       kolwatch worker [--limit N]\n\n"
    "Fetch the sources that are due (all of --source at once, due or not), with\n"
    "robots.txt and the crawler's manners, extract their items, keep the items\n"
    "that match a brand's query, score them and store them as mentions (a URL\n"
    "already stored adds only the brands it lacked), and record each source's\n"
    "health: last status, last error, consecutive failures, next attempt. A\n"
    "failing source backs off exponentially (429 and 503 honour Retry-After).\n"
    "--once crawls what is due and exits; without it kolwatch keeps crawling on\n"
    "the sources' schedules until interrupted (SIGINT or SIGTERM), a pass taking\n"
    "up the sources that come due while it runs (every 2 s, for 10 minutes; then\n"
    "it ends, and robots.txt is read again), whatever a slow host holds up. A\n"
    "progress line shows on a terminal; the summary goes to standard error.\n\n"
    "Every crawler claims the sources it fetches with a lease (crawler.lease,\n"
    "default 5m): on PostgreSQL `kolwatch worker` processes on several machines\n"
    "share the sources (rows taken with FOR UPDATE SKIP LOCKED), no source is\n"
    "fetched by two at once, and a crashed worker's claims expire; a long pass\n"
    "extends its claims as it goes; one whose claims ran out before it could\n"
    "extend them (stopped, or the database out of reach) ends its pass. The\n"
    "leases are kept in the database server's time, schedules in each crawler's:\n"
    "keep the clocks in step (NTP).\n"
    "`worker` is `crawl` without --once; `crawl --source` claims its source too.\n\n"
    "--limit N  hold claims on at most N due sources at once (default 1000, at\n"
    "           most 10000): with several workers, a smaller N spreads the\n"
    "           sources among them\n";

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) { (void)sig, stop_requested = 1; }

typedef struct robots_entry {
    char host[300];
    int allow_all, deny_all;
    int failed;          /* could not be had: its sources back off */
    int64_t retry_after; /* of a 429 or 503, else -1 */
    kw_robots *r;
    char why[400];
    int pending; /* asked for, not here yet */
    size_t first_src, last_src; /* the sources waiting for it, chained by next_src
                                   (SIZE_MAX: none) */
} robots_entry;

#define SEEN 16 /* pages a source's paging remembers, to stop at a cycle */

/* A source the pass holds a claim on. The fetcher's requests name it by
 * its index: the slots grow as the pass takes up sources that come due. */
typedef struct slot {
    kw_source src;
    int pages;           /* next pages fetched in this pass; -1 when done */
    int free;            /* done and its claim let go: the slot takes the next one */
    uint64_t seen[SEEN]; /* hashes of its first SEEN pages' URLs */
    size_t next_src;     /* the next source waiting for its host's robots.txt */
} slot;

typedef struct crawler {
    kw_cli *cli;
    kw_store *s;
    kw_fetcher *f;
    kw_scorer *sc;
    kw_crawl *pipe;
    kw_crawl_stats st;
    slot *slots;
    size_t nslots, capslots;
    size_t nfree, reuse_from; /* slots free, and where to look for one */
    size_t nsrcs;   /* sources claimed in this pass */
    size_t limit;   /* claims held at once (--limit) */
    int more;       /* the last claim took all it asked for: more may be due */
    int topping_up; /* a crawl that keeps going: its passes take up what comes due */
    int64_t pass_began, topped_up_at;
    robots_entry *robots;
    size_t nrobots, caprobots;
    long done;      /* sources done since the start */
    long pass_from; /* done when this pass began */
    long readable; /* sources whose own page was fetched and read */
    int tty, failed;
    int lost_said; /* the lost database connection was reported this pass */
    int64_t hook_retry; /* the Retry-After of the robots.txt a redirect was just refused
                           for (-1: none): the fetch that ends next is that redirect's */
    int64_t started;
    char owner[128]; /* who holds the claims: host:pid */
    int64_t lease_s, renewed_at; /* the claims' lease; when last extended */
    int64_t lease_until;  /* when the claims run out, as this crawler knows */
    int cut_short;        /* the pass was ended before its end: the claims ran out,
                             another crawler took one, or the database went away */
} crawler;

/* The scheme, host and port of url, as one key: canonical (case, default
 * port, user name dropped), so http://LocalHost/ and http://localhost:80/
 * are one host for paging and robots.txt. */
static void host_of(const char *url, char *out, size_t size)
{
    char canon[4096];
    if (kw_url_canonical(canon, sizeof canon, url) == 0)
        url = canon;
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    snprintf(out, size, "%.*s", (int)(p - url + (long)strcspn(p, "/?#")), url);
}

static void progress(crawler *c, int final)
{
    if (!c->tty)
        return;
    double dt = (double)(kw_time_now() - c->started);
    /* this pass's sources; the rest since the start */
    fprintf(stderr, "\rsources %ld/%zu, pages %ld, new mentions %ld, errors %ld, %.1f pages/s%s",
            c->done - c->pass_from, c->nsrcs, c->st.pages, c->st.added, c->st.errors,
            dt > 0 ? c->st.pages / dt : 0.0, final ? "\n" : "");
}

static robots_entry *robots_for(crawler *c, const char *url);
static int robots_allow(const crawler *c, const robots_entry *e, const char *url);

/* A hash of a URL up to its fragment: "p.html#more" is p.html. */
static uint64_t url_hash(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s && *s != '#'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Whether next is a page this source's paging has fetched in this pass
 * (a next= link back to an earlier page); remembers the page just read. */
static int seen_before(slot *sl, const char *read, const char *next)
{
    uint64_t *seen = sl->seen, h = url_hash(next);
    size_t n = (size_t)sl->pages < SEEN ? (size_t)sl->pages : SEEN - 1;
    seen[n] = url_hash(read);
    for (size_t k = 0; k <= n; k++)
        if (seen[k] == h)
            return 1;
    return 0;
}

/* An error recording what was fetched; a lost database connection once
 * (every page after it fails alike until the crawler opens it again). */
static void say_error(crawler *c)
{
    if (!kw_store_connected(c->s) && c->lost_said++)
        return;
    fprintf(stderr, "%skolwatch: crawl: %s\n", c->tty ? "\n" : "", kw_error_last());
}

/* End the pass under way: nothing more is fetched; what was read is kept,
 * and the sources not reached are let go after it. */
static void cut_short(crawler *c, const char *why)
{
    if (!c->cut_short && why)
        fprintf(stderr, "%skolwatch: crawl: %s; ending this pass (its sources not reached "
                        "are due again)\n",
                c->tty ? "\n" : "", why);
    c->cut_short = 1;
    kw_fetcher_stop(c->f);
}

/* A pass can outlast its lease (many sources on a slow host, a long
 * Crawl-delay, a slow transfer): the claims are extended every third of the
 * lease, from the fetcher's tick, so that no other crawler takes the sources
 * not reached yet. The batch is committed first: another worker must see
 * the new lease at once. Claims that could not be extended in time (the
 * process was stopped, or the database unreachable) may be another
 * crawler's now: the pass ends rather than fetch a source with it. */
static void keep_claims(crawler *c)
{
    int64_t now = kw_time_now(), every = c->lease_s / 3 > 0 ? c->lease_s / 3 : 1;
    if (!c->lease_s)
        return;
    if (now >= c->lease_until) {
        cut_short(c, "the claims on this pass's sources ran out before they could be "
                     "extended (was the process stopped, or the database out of reach?)");
        return;
    }
    if (now - c->renewed_at < every)
        return;
    c->renewed_at = now;
    if ((c->pipe && kw_crawl_flush(c->pipe)) ||
        kw_store_source_renew(c->s, c->owner, now + c->lease_s)) {
        say_error(c);
        c->failed = 1;
        cut_short(c, NULL); /* what it fetches now could not be recorded */
        return;
    }
    c->lease_until = now + c->lease_s;
}

/* What a page or a source's record failing says of the pass: a claim
 * another crawler took ends it (the others ran out too), as does a lost
 * database connection; a source removed meanwhile is said, no failure. */
static void after_error(crawler *c, int rc)
{
    if (rc == KW_ELOST) {
        cut_short(c, kw_error_last());
        return;
    }
    say_error(c);
    c->failed |= rc != KW_EGONE;
    if (!kw_store_connected(c->s))
        cut_short(c, NULL);
}

/* Between pages: the claims extended when due, a batch left open while
 * pages are awaited (a slow host, a long Crawl-delay) committed, so that
 * it does not hold SQLite's write lock from other commands, and the
 * sources come due taken up. */
static void top_up(crawler *c);

static void on_tick(void *ctx)
{
    crawler *c = ctx;
    keep_claims(c);
    int rc = c->pipe ? kw_crawl_tick(c->pipe) : 0;
    if (rc)
        after_error(c, rc);
    top_up(c);
}

/* What recording a source not fetched came to. */
static void skipped(crawler *c, int rc)
{
    if (rc)
        after_error(c, rc);
}

/* Slot i's source is done in this pass: its claim is let go at the next
 * top-up, once its record is committed (see top_up). */
static void source_done(crawler *c, size_t i)
{
    c->done++;
    c->slots[i].pages = -1;
}

static void on_page(void *ctx, const kw_fetch_response *r)
{
    crawler *c = ctx;
    size_t i = (size_t)(uintptr_t)r->user;
    slot *sl = &c->slots[i];
    kw_source *src = &sl->src;
    long errors = c->st.errors;
    kw_fetch_response held;
    if (c->hook_retry >= 0 && r->error && !r->disallowed && r->retry_after < 0) {
        held = *r; /* refused at a redirect for its robots.txt's 429 or 503 */
        held.retry_after = c->hook_retry;
        r = &held;
    }
    c->hook_retry = -1;
    int rc = kw_crawl_page(c->pipe, src, r, kw_time_now() - (int64_t)r->seconds, &c->st);
    if (rc) {
        after_error(c, rc);
        source_done(c, i);
        return;
    }
    if (!r->error && c->st.errors == errors && r->url && strcmp(r->url, src->url) == 0)
        c->readable++; /* its own page came and was read (not a redirect robots.txt
                          disallows, which is no error) */
    /* Paging: follow the next= page on the same host, if robots.txt allows
     * it, up to crawler.max_pages per source. */
    const char *next = kw_crawl_next(c->pipe);
    robots_entry *e = next ? robots_for(c, next) : NULL;
    char src_host[300], next_host[300];
    if (next) {
        host_of(src->url, src_host, sizeof src_host);
        host_of(next, next_host, sizeof next_host);
    }
    if (next && strcmp(src_host, next_host) == 0 && robots_allow(c, e, next) &&
        !seen_before(sl, r->url, next) &&
        ++sl->pages < kw_config_int(c->cli->config, "crawler.max_pages")) {
        kw_fetch_request q = {.url = next, .user = r->user};
        if (kw_fetcher_add(c->f, &q) == 0)
            return; /* the source is done when its last page is */
    }
    source_done(c, i);
    progress(c, 0);
}

static void crawl_delay(crawler *c, const robots_entry *e);

static void queue_sources(crawler *c, size_t k);

/* robots.txt of a host, come in: user is its entry's index (the entries
 * move as a pass adds hosts, for sources taken up and redirects); the
 * sources waiting for it go now. */
static void on_robots(void *ctx, const kw_fetch_response *r)
{
    crawler *c = ctx;
    size_t i = (size_t)(uintptr_t)r->user;
    if (i >= c->nrobots)
        return;
    robots_entry *e = &c->robots[i];
    e->retry_after = -1;
    if (r->error) {
        e->deny_all = e->failed = 1;
        if (r->refused) /* not a robots.txt matter */
            snprintf(e->why, sizeof e->why, "%s", r->error_text);
        else
            snprintf(e->why, sizeof e->why, "robots.txt could not be fetched (%s)", r->error_text);
    } else if (r->status >= 500 || r->status == 429) {
        e->deny_all = e->failed = 1;
        if (r->status == 429 || r->status == 503)
            e->retry_after = r->retry_after;
        snprintf(e->why, sizeof e->why, "robots.txt answered %d (disallow all)", r->status);
    } else if (r->status >= 400) {
        e->allow_all = 1;
    } else if (kw_robots_parse(&e->r, r->body, r->body_len)) {
        e->allow_all = 1;
    }
    e->pending = 0;
    crawl_delay(c, e);
    queue_sources(c, i);
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

/* Whether e (robots.txt of url's host; NULL: none could be had) lets the
 * crawler fetch url. */
static int robots_allow(const crawler *c, const robots_entry *e, const char *url)
{
    const char *agent = kw_config_str(c->cli->config, "crawler.robots_agent");
    return e && (e->allow_all || (!e->deny_all && (!e->r || kw_robots_allowed(e->r, agent, url))));
}

/* Its Crawl-delay, honoured up to crawler.max_crawl_delay. */
static void crawl_delay(crawler *c, const robots_entry *e)
{
    const char *agent = kw_config_str(c->cli->config, "crawler.robots_agent");
    double cap = (double)kw_config_int(c->cli->config, "crawler.max_crawl_delay"), d = 0;
    if (e->r && kw_robots_crawl_delay(&d, e->r, agent, cap) == 0 && d > 0)
        kw_fetcher_host_delay(c->f, e->host, (int64_t)(d * 1000));
}

/* Queue slot i's source on robots entry k's host, or record why not. */
static void queue_source(crawler *c, size_t k, size_t i)
{
    kw_source *src = &c->slots[i].src;
    robots_entry *e = &c->robots[k];
    if (!robots_allow(c, e, src->url)) {
        char why[600];
        snprintf(why, sizeof why, "not fetched: %s",
                 e->why[0] ? e->why : "robots.txt disallows it");
        source_done(c, i);
        skipped(c, kw_crawl_skip(c->pipe, src, why, e->failed, e->retry_after, &c->st));
        return;
    }
    char etag[256] = "", lm[128] = "";
    if (kw_crawl_may_revalidate(c->pipe, src))
        kw_store_source_validators(c->s, src->id, etag, sizeof etag, lm, sizeof lm);
    kw_fetch_request q = {.url = src->url, .etag = etag[0] ? etag : NULL,
                          .last_modified = lm[0] ? lm : NULL, .user = (void *)(uintptr_t)i};
    if (kw_fetcher_add(c->f, &q)) {
        source_done(c, i);
        skipped(c, kw_crawl_skip(c->pipe, src, kw_error_last(), 1, -1, &c->st));
    }
}

/* Queue the sources waiting for robots entry k (its robots.txt came, or
 * could not be asked for). */
static void queue_sources(crawler *c, size_t k)
{
    size_t i = c->robots[k].first_src;
    c->robots[k].first_src = c->robots[k].last_src = SIZE_MAX;
    while (i != SIZE_MAX) {
        size_t next = c->slots[i].next_src;
        queue_source(c, k, i);
        i = next;
    }
}

/* A new entry for url's host, its robots.txt not asked for yet; NULL
 * when out of memory. */
static robots_entry *robots_new(crawler *c, const char *url)
{
    if (c->nrobots == c->caprobots) {
        size_t nc = c->caprobots ? c->caprobots * 2 : 8;
        robots_entry *nr = realloc(c->robots, nc * sizeof *nr);
        if (!nr)
            return NULL;
        c->robots = nr;
        c->caprobots = nc;
    }
    robots_entry *e = &c->robots[c->nrobots++];
    memset(e, 0, sizeof *e);
    host_of(url, e->host, sizeof e->host);
    e->retry_after = -1;
    e->first_src = e->last_src = SIZE_MAX;
    return e;
}

/* Ask for entry k's robots.txt in the pass's own fetcher (the transfers
 * under way go on meanwhile); on_robots gets it. 0, or -1 when it could
 * not be asked for (the entry then disallows all, and its sources back
 * off). */
static int robots_request(crawler *c, size_t k)
{
    robots_entry *e = &c->robots[k];
    char url[400];
    snprintf(url, sizeof url, "%s/robots.txt", e->host);
    /* only what RFC 9309 has parsed: a longer robots.txt is read no
     * further; its redirects followed as RFC 9309 says, not asked about */
    kw_fetch_request q = {.url = url, .user = (void *)(uintptr_t)k,
                          .keep_first = KW_ROBOTS_MAX_BYTES + 1, .follow_freely = 1,
                          .done = on_robots, .done_ctx = c};
    if (kw_fetcher_add(c->f, &q)) {
        e->deny_all = e->failed = 1;
        snprintf(e->why, sizeof e->why, "robots.txt could not be fetched (%s)", kw_error_last());
        return -1;
    }
    e->pending = 1;
    return 0;
}

/* A redirect is followed only where robots.txt of its target allows. */
static int on_redirect(void *ctx, const char *from, const char *to, char *why, size_t size)
{
    crawler *c = ctx;
    robots_entry *e = robots_for(c, to);
    (void)from;
    if (!e && (e = robots_new(c, to))) /* another host: asked for now */
        robots_request(c, (size_t)(e - c->robots));
    if (e && e->pending)
        return KW_REDIRECT_WAIT; /* asked again when it has come */
    if (robots_allow(c, e, to))
        return 0;
    snprintf(why, size, "not fetched: redirected to %.600s: %s", to,
             !e ? "out of memory" : e->why[0] ? e->why : "robots.txt disallows it");
    /* a robots.txt that could not be had backs off, honouring its
     * Retry-After; one that disallows the target keeps the source on its
     * schedule, as a direct disallow */
    c->hook_retry = e && e->failed ? e->retry_after : -1;
    return e && !e->failed ? 1 : -1;
}

/* A slot for a source just claimed: one whose claim was let go, else a
 * new one; SIZE_MAX when out of memory. */
static size_t slot_new(crawler *c)
{
    for (; c->nfree && c->reuse_from < c->nslots; c->reuse_from++)
        if (c->slots[c->reuse_from].free) {
            c->nfree--;
            return c->reuse_from++;
        }
    if (c->nslots == c->capslots) {
        size_t nc = c->capslots ? c->capslots * 2 : 16;
        slot *ns = realloc(c->slots, nc * sizeof *ns);
        if (!ns)
            return SIZE_MAX;
        c->slots = ns;
        c->capslots = nc;
    }
    return c->nslots++;
}

/* Take up src, just claimed: queued at once on a host whose robots.txt is
 * in, else when it comes (asked for now on a new host): a slow robots.txt
 * holds up its own host's pages, not the others' (they waited for the
 * slowest, up to crawler.timeout). */
static void take(crawler *c, const kw_source *src)
{
    size_t i = slot_new(c);
    c->nsrcs++;
    if (i == SIZE_MAX) { /* recorded, so that it is not claimed again at once */
        c->done++;
        skipped(c, kw_crawl_skip(c->pipe, src, "out of memory", 1, -1, &c->st));
        return;
    }
    slot *sl = &c->slots[i];
    sl->src = *src;
    sl->pages = 0;
    sl->free = 0;
    sl->next_src = SIZE_MAX;
    robots_entry *e = robots_for(c, src->url);
    int new_host = !e;
    if (new_host && !(e = robots_new(c, src->url))) {
        source_done(c, i);
        skipped(c, kw_crawl_skip(c->pipe, src, "out of memory", 1, -1, &c->st));
        return;
    }
    size_t k = (size_t)(e - c->robots);
    if (!new_host && !e->pending) {
        queue_source(c, k, i);
        return;
    }
    if (e->first_src == SIZE_MAX)
        e->first_src = i;
    else
        c->slots[e->last_src].next_src = i;
    e->last_src = i;
    if (new_host && robots_request(c, k))
        queue_sources(c, k);
}

/* Claim the sources that are due, up to --limit claims held at once, and
 * take them up. */
static int claim_due(crawler *c, int64_t now)
{
    size_t held = 0, got = 0;
    for (size_t i = 0; i < c->nslots; i++)
        held += !c->slots[i].free;
    size_t want = held < c->limit ? c->limit - held : 0;
    c->more = 1; /* all it may hold, held: more may be due */
    if (!want)
        return 0;
    kw_source *due = NULL;
    int rc = kw_store_source_claim(c->s, c->owner, now, c->lease_s, want, &due, &got);
    if (rc)
        return rc;
    c->more = got == want;
    for (size_t i = 0; i < got; i++)
        take(c, &due[i]);
    free(due);
    return 0;
}

/* Let go the claims on the sources done since the last top-up, their
 * records committed: one due again can be claimed again, by this crawler
 * or another, without waiting for the pass to end. Their slots take the
 * next claims. */
static int let_go_done(crawler *c)
{
    size_t n = 0;
    int64_t *ids = malloc((c->nslots ? c->nslots : 1) * sizeof *ids);
    if (!ids)
        return kw_error_set(KW_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->nslots; i++)
        if (c->slots[i].pages < 0 && !c->slots[i].free)
            ids[n++] = c->slots[i].src.id;
    int rc = n ? kw_store_source_release_ids(c->s, c->owner, ids, n) : 0;
    free(ids);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->nslots; i++)
        c->slots[i].free |= c->slots[i].pages < 0;
    c->nfree += n;
    c->reuse_from = 0;
    return 0;
}

#define TOPUP_EVERY 2 /* seconds between a pass's top-ups */
#define TOPUP_FOR 600 /* seconds a pass takes up sources; then it ends when those
                         it has are done, and robots.txt is read again */

/* A crawl that keeps going takes up the sources that come due while its
 * pass runs (from the fetcher's tick), so that each one is fetched when it
 * is due, not when the slowest host of the pass is done. The open batch
 * is committed first: the claims are let go only on what is recorded, and
 * taken in a transaction of their own that other workers see at once. A
 * pass cut short or failed takes up nothing more. */
static void top_up(crawler *c)
{
    int64_t now = kw_time_now();
    if (!c->topping_up || c->cut_short || c->failed || stop_requested ||
        now - c->topped_up_at < TOPUP_EVERY || now - c->pass_began >= TOPUP_FOR)
        return;
    c->topped_up_at = now;
    int64_t next = KW_TIME_NONE;
    int rc = kw_crawl_flush(c->pipe);
    if (!rc && !(rc = let_go_done(c)))
        rc = kw_store_source_next_due(c->s, now, &next);
    if (!rc && next != KW_TIME_NONE && next <= now) /* a claim only when one is due */
        rc = claim_due(c, now);
    if (rc)
        after_error(c, rc);
}

static int load_pipeline(crawler *c);

/* One pass: every due source (or the one asked for), politely, for the
 * brands as they are now; a crawl that keeps going tops it up with the
 * sources that come due meanwhile. */
static int crawl_once(crawler *c, int64_t only)
{
    int64_t now = kw_time_now();
    int rc;
    if ((rc = load_pipeline(c)))
        return rc;
    c->nslots = c->nfree = c->nsrcs = 0;
    c->pass_from = c->done;
    c->pass_began = c->topped_up_at = now;
    c->lease_s = kw_config_int(c->cli->config, "crawler.lease");
    c->renewed_at = now;
    c->lease_until = now + c->lease_s;
    c->cut_short = 0;
    c->failed = 0;
    /* robots.txt, once per host per pass */
    for (size_t i = 0; i < c->nrobots; i++)
        kw_robots_free(c->robots[i].r);
    c->nrobots = 0;
    if (only) { /* due or not, but never while another crawler fetches it */
        kw_source *one = calloc(1, sizeof *one);
        if (!one || kw_store_source_claim_one(c->s, c->owner, only, now, c->lease_s, one)) {
            free(one);
            return cli_fail("crawl: %s", kw_error_last());
        }
        take(c, one);
        free(one);
    } else if (claim_due(c, now)) {
        return cli_fail("crawl: %s", kw_error_last());
    }
    int frc = kw_fetcher_run(c->f, on_page, c);
    for (size_t i = 0; i < c->nslots; i++)
        if (c->slots[i].pages > 0)
            c->done++; /* stopped while paging: its first page was read */
    int flushed = kw_crawl_flush(c->pipe);
    char why[KW_ERROR_MAX];
    snprintf(why, sizeof why, "%s", flushed ? kw_error_last() : "");
    /* the claims not used (a pass cut short, a page that could not be
     * recorded) are let go, due again for any crawler; a lost connection
     * lets them go when it is opened again */
    if (kw_store_connected(c->s) && kw_store_source_release(c->s, c->owner) && !flushed)
        return cli_fail("crawl: %s", kw_error_last());
    if (flushed)
        return cli_fail("crawl: %s", why);
    if (frc)
        return cli_fail("crawl: %s", kw_error_last());
    return c->failed ? EXIT_FAIL : EXIT_OK;
}

/* The pipeline, or (between passes) its brands again if they changed. */
static int load_pipeline(crawler *c)
{
    char *warning = NULL;
    int changed = 1;
    if (c->pipe ? kw_crawl_reload(c->pipe, &changed, &warning)
                : kw_crawl_new(&c->pipe, c->s, c->sc, &warning))
        return cli_fail("crawl: %s", kw_error_last());
    if (!changed)
        return EXIT_OK;
    if (warning)
        fprintf(stderr, "kolwatch: crawl: %s", warning);
    free(warning);
    if (kw_crawl_brands(c->pipe) == 0)
        fprintf(stderr, "kolwatch: crawl: no brands with a valid query: nothing will be stored "
                        "(add one with `kolwatch brand add`)\n");
    return EXIT_OK;
}

static int crawl_main(kw_cli *cli, int argc, char **argv, int worker);

/* The database server went away (PostgreSQL restarted, the network cut):
 * a crawler that keeps going opens it again, waiting longer each time it
 * cannot, up to a minute, until it can or is stopped. */
static int reconnect(crawler *c)
{
    fprintf(stderr, "%skolwatch: crawl: lost the database connection; opening it again\n",
            c->tty ? "\n" : "");
    kw_crawl_free(c->pipe);
    c->pipe = NULL;
    kw_store_free(c->s);
    c->s = NULL;
    for (int wait = 1; !stop_requested; wait = wait < 32 ? wait * 2 : 60) {
        /* its claims are let go: the sources it could not record are due
         * at once, not when their leases run out */
        if (cli_open_store(c->cli, &c->s, 0, 0) == EXIT_OK &&
            kw_store_source_release(c->s, c->owner) == 0) {
            fprintf(stderr, "kolwatch: crawl: the database is back\n");
            c->failed = 0; /* what failed was the connection, not the sources */
            c->lost_said = 0;
            return EXIT_OK;
        }
        if (c->s) {
            fprintf(stderr, "kolwatch: crawl: %s\n", kw_error_last());
            kw_store_free(c->s);
            c->s = NULL;
        }
        fprintf(stderr, "kolwatch: crawl: trying again in %d s\n", wait);
        for (int i = 0; i < wait && !stop_requested; i++)
            sleep(1);
    }
    return EXIT_FAIL;
}

int cmd_crawl(kw_cli *cli, int argc, char **argv) { return crawl_main(cli, argc, argv, 0); }
int cmd_worker(kw_cli *cli, int argc, char **argv) { return crawl_main(cli, argc, argv, 1); }

static int crawl_main(kw_cli *cli, int argc, char **argv, int worker)
{
    enum { O_ONCE = 1, O_SOURCE, O_LIMIT, O_HELP };
    static const struct option opts[] = {{"once", no_argument, 0, O_ONCE},
                                         {"source", required_argument, 0, O_SOURCE},
                                         {"limit", required_argument, 0, O_LIMIT},
                                         {"help", no_argument, 0, O_HELP},
                                         {0, 0, 0, 0}};
    crawler c = {.cli = cli, .tty = isatty(STDERR_FILENO), .hook_retry = -1};
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
            if (limit > KW_CLAIM_MAX) /* a claim takes no more */
                return cli_usage_error("crawl", "--limit is at most %d sources a pass",
                                       KW_CLAIM_MAX);
            break;
        case O_HELP: return fputs(usage, stdout), EXIT_OK;
        case ':': return cli_usage_error("crawl", "%s needs a value", flag);
        default: return cli_usage_error("crawl", "unknown option '%s'", flag);
        }
    }
    if (optind < argc)
        return cli_usage_error("crawl", "unexpected argument '%s'", argv[optind]);
    if (worker && (once || only))
        return cli_usage_error("worker", "a worker keeps going: --once and --source are for crawl");
    c.limit = (size_t)limit;
    c.topping_up = !once && !only;
    char hostname[64] = "host";
    gethostname(hostname, sizeof hostname - 1);
    snprintf(c.owner, sizeof c.owner, "%s:%d", hostname, (int)getpid());
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    /* A signal from now on stops cleanly, even one that comes while the
     * lexicon loads: a service manager may stop a worker that just began. */
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    if ((rc = cli_open_store(cli, &c.s, 0, 0)) || (rc = cli_fetcher(cli, &c.f)) ||
        (rc = cli_scorer(cli, NULL, 0, 0, &c.sc)))
        goto cleanup;
    int64_t ahead, lease = kw_config_int(cli->config, "crawler.lease");
    if (kw_store_clock_ahead(c.s, &ahead) == 0 && llabs(ahead) >= (lease / 10 > 2 ? lease / 10 : 2))
        fprintf(stderr, "kolwatch: crawl: warning: this machine's clock is %lld s %s the "
                        "database server's; claims on sources are kept in the server's time, "
                        "but schedules in each crawler's, so sources are fetched that much "
                        "early or late (keep the clocks in step, with NTP)\n",
                (long long)llabs(ahead), ahead > 0 ? "ahead of" : "behind");
    kw_fetcher_on_redirect(c.f, on_redirect, &c);
    kw_fetcher_on_tick(c.f, on_tick, &c);
    kw_fetcher_stop_when(c.f, &stop_requested); /* a signal ends the pass under way too */
    if (strstr(kw_config_str(cli->config, "crawler.user_agent"), "kolwatch.example"))
        fprintf(stderr, "kolwatch: crawl: note: crawler.user_agent still names kolwatch.example "
                        "as its contact; set it to a page or address where site owners can "
                        "reach you (`kolwatch config show` says where it is set)\n");
    c.started = kw_time_now();
    while (!stop_requested) {
        rc = crawl_once(&c, only);
        progress(&c, 1);
        if (rc && !once && !only && !kw_store_connected(c.s)) {
            if ((rc = reconnect(&c)))
                break;
            continue; /* what this pass could not record is due again */
        }
        if (once || only)
            break;
        if (rc) { /* a locked database, a disk full: said; the crawl goes on */
            fprintf(stderr, "kolwatch: crawl: this pass failed (said above); what it could "
                            "not record is due again, and the next pass begins in 30 s\n");
            rc = EXIT_OK;
            for (int i = 0; i < 30 && !stop_requested; i++)
                sleep(1);
            continue;
        }
        if (c.cut_short || c.more)
            continue; /* claim afresh what is due: a full batch leaves more */
        /* until the next source is due, at most 30 s (sources added or
         * edited meanwhile, claims another crawler let go) */
        int64_t next, now = kw_time_now();
        int wait = kw_store_source_next_due(c.s, now, &next) || next == KW_TIME_NONE ? 30
                   : next - now > 30                                            ? 30
                   : next - now < 1                                             ? 1
                                                             : (int)(next - now);
        for (int i = 0; i < wait && !stop_requested; i++)
            sleep(1);
    }
    /* the sources claimed and not reached (a signal, an error) are due
     * again at once, not held until the lease runs out */
    if (c.s && kw_store_source_release(c.s, c.owner) && !rc)
        rc = cli_fail("crawl: %s", kw_error_last());
    if (rc && c.done == 0)
        goto cleanup; /* it said why; there is nothing to sum up */
    fprintf(stderr, "kolwatch: crawl: %zu sources, %ld pages (%ld unchanged), %ld items, "
                    "%ld matched a brand, %ld new mentions, %ld errors\n",
            (size_t)c.done, c.st.pages, c.st.unchanged, c.st.items, c.st.matched, c.st.added,
            c.st.errors);
    if (!rc && (once || only) && c.done > 0 && c.readable == 0) {
        /* every source failed: cron and scripts should hear of it (one
         * source failing among others shows in its health) */
        fprintf(stderr, "kolwatch: crawl: no source could be read (see `kolwatch source list` "
                        "for each one's error)\n");
        rc = EXIT_FAIL;
    }
cleanup:
    kw_crawl_free(c.pipe);
    for (size_t i = 0; i < c.nrobots; i++)
        kw_robots_free(c.robots[i].r);
    free(c.robots);
    free(c.slots);
    kw_scorer_free(c.sc);
    kw_fetcher_free(c.f);
    kw_store_free(c.s);
    return rc;
}
