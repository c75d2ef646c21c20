/*
 * What a fetched page means: items, brands, scores, mentions, health.
 * Everything one page changes is written in one transaction; a failure
 * rolls back the page and leaves the source to be fetched again.
 */
#include "kolwatch/crawl.h"
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"
#include "kolwatch/extract.h"
#include "kolwatch/query.h"
#include "kolwatch/textio.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"
#include "hash128.h"
#include "internal.h"
#include "known_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct brand_q {
    int64_t id;
    kw_query *q;
} brand_q;

typedef int (*page_work)(kw_crawl *, const kw_source *, const kw_fetch_response *, int64_t,
                         kw_crawl_stats *, long *, const char *);

/* A page of the open batch, kept until the batch commits so that the batch
 * can be written again without a page that failed (see in_batch). */
/* What a page's processing reads of its source, without the fixed-size
 * text fields (7 KiB a page to copy); its URL and rules go in the copy. */
typedef struct kept_source {
    int64_t id, every_s, last_status, last_fetched_at, next_attempt_at;
    int64_t consecutive_failures, created_at, utc_offset;
    int enabled;
    char kind[sizeof ((kw_source *)0)->kind], platform[sizeof ((kw_source *)0)->platform];
    char content_digest[sizeof ((kw_source *)0)->content_digest];
    const char *url, *rules; /* in the page's copy */
} kept_source;

typedef struct kept_page {
    page_work fn;
    kept_source src;
    kw_fetch_response r; /* its strings point into `copy` */
    int has_r;
    int64_t started;
    char *copy; /* the response's strings and body, and `why` (in kept_mem) */
    const char *why;
    size_t bytes;         /* of copy */
    kw_crawl_stats delta; /* what the page added to the caller's counts */
} kept_page;

struct kw_crawl {
    kw_store *s;
    const kw_scorer *sc;
    kw_result scored;
    kw_query_match_result qm;
    kw_copy_check *check; /* the last new mention's, made again for the next */
    brand_q *brands;
    size_t nbrands;
    char brands_digest[33]; /* of the brands' generation, ids and queries */
    int64_t generation;     /* of the brands loaded */
    char *warn_later;       /* brands skipped by a reload mid-pass, said by the
                               next kw_crawl_reload */
    known_items known;      /* items read, and the brands they are stored for */
    char next[2048];        /* the last page's next page, "" when none */
    struct timespec opened; /* when the open batch began */
    kept_page *kept;        /* the open batch's pages */
    size_t nkept, cap_kept, kept_bytes;
    struct kept_chunk *kept_mem; /* their copies, newest chunk first */
    kw_crawl_stats *stats;  /* the counts the open batch's pages went into */
};

#define KNOWN_MAX (256u << 10) /* items remembered: 6-12 MiB */
#define BATCH_PAGES 1024
#define BATCH_SECONDS 0.5
#define BATCH_BYTES (16u << 20) /* of kept responses */

/* The copies of a batch's pages are carved from chunks freed together
 * when the batch ends: a page costs no malloc and free of its own. */
typedef struct kept_chunk {
    struct kept_chunk *next;
    size_t used, cap;
    _Alignas(16) char data[];
} kept_chunk;
#define KEPT_CHUNK (256u << 10)

static char *kept_alloc(kw_crawl *c, size_t n)
{
    kept_chunk *k = c->kept_mem;
    if (!k || k->cap - k->used < n) {
        size_t cap = n > KEPT_CHUNK ? n : KEPT_CHUNK;
        if (!(k = malloc(sizeof *k + cap)))
            return NULL;
        k->used = 0;
        k->cap = cap;
        k->next = c->kept_mem;
        c->kept_mem = k;
    }
    char *p = k->data + k->used;
    k->used += (n + 15) & ~(size_t)15;
    if (k->used > k->cap)
        k->used = k->cap;
    return p;
}

/* All copies gone; the newest chunk stays for the next batch, unless it
 * was made for one big page. */
static void kept_reset(kw_crawl *c)
{
    kept_chunk *k = c->kept_mem;
    if (!k)
        return;
    for (kept_chunk *o = k->next, *next; o; o = next) {
        next = o->next;
        free(o);
    }
    k->next = NULL;
    k->used = 0;
    if (k->cap > KEPT_CHUNK) {
        free(k);
        c->kept_mem = NULL;
    }
}

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* What pages are read for, and how: a page read by the same pipeline for
 * the same brands (their generation, ids and queries) says the same again.
 * PIPELINE_VERSION changes when extraction, matching or storing changes
 * what a page gives: every page is then read again once. */
#define PIPELINE_VERSION "kolwatch pipeline 1"

static void digest_brands(kw_crawl *c, int64_t generation, kw_brand **list, size_t n)
{
    hash128 h;
    uint64_t d[2];
    int64_t num[2] = {generation, 0};
    hash128_begin(&h);
    hash128_add(&h, PIPELINE_VERSION, sizeof PIPELINE_VERSION);
    hash128_add(&h, num, sizeof num[0]);
    for (size_t i = 0; i < n; i++) {
        num[1] = list[i]->id;
        hash128_add(&h, &num[1], sizeof num[1]);
        hash128_add(&h, list[i]->query, strlen(list[i]->query) + 1);
    }
    hash128_end(&h, d);
    hash128_hex(d, c->brands_digest);
}

/* The digest of a page as this pipeline reads it, into out, or 0 when the
 * page is not one to compare: a next= page, or a page of a source that has
 * them (its later pages change while the first stays). */
/* What src's pages are read for and as: the brands, the source's URL,
 * kind, platform, rules and zone, each part NUL-ended (a fast 128-bit hash;
 * hex, 32 characters). */
static void context_digest(const kw_crawl *c, const kw_source *src, char out[33])
{
    hash128 h;
    uint64_t d[2];
    int64_t zone = src->utc_offset;
    const char *parts[] = {c->brands_digest, src->url, src->kind, src->platform, src->rules};
    hash128_begin(&h);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        hash128_add(&h, parts[i], strlen(parts[i]) + 1);
    hash128_add(&h, &zone, sizeof zone);
    hash128_end(&h, d);
    hash128_hex(d, out);
}

/* The digest of a source's own page (not a next= page, nor a page of a
 * source that has pages): its context digest, then a hash of that, the
 * final URL, the content type and the body (a 50 KiB page in a few
 * microseconds); 64 characters. 0 when the page gets none. */
static int page_digest(const kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                       char out[65])
{
    if (!r->url || strcmp(r->url, src->url) != 0 ||
        kw_rules_have_pages(src->rules))
        return 0;
    hash128 h;
    uint64_t d[2];
    context_digest(c, src, out);
    const char *parts[] = {out, r->final_url ? r->final_url : "",
                           r->content_type ? r->content_type : ""};
    hash128_begin(&h);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        hash128_add(&h, parts[i], strlen(parts[i]) + 1);
    hash128_add(&h, r->body ? r->body : "", r->body_len);
    hash128_end(&h, d);
    hash128_hex(d, out + 32);
    return 1;
}

int kw_crawl_may_revalidate(const kw_crawl *c, const kw_source *src)
{
    char ctx[33];
    if (!c || !src || strlen(src->content_digest) != 64 || kw_rules_have_pages(src->rules))
        return 0;
    context_digest(c, src, ctx);
    return memcmp(src->content_digest, ctx, 32) == 0;
}

/* (Re)load the brands and compile their queries; a brand whose query does
 * not compile is skipped and named in *warning. Unchanged brands (same ids
 * and queries) are kept as they are. */
static int load_brands(kw_crawl *c, char **warning)
{
    kw_brand **list = NULL;
    size_t n = 0, wlen = 0;
    char *warn = NULL, was[sizeof c->brands_digest];
    int64_t generation;
    int rc;
    if ((rc = kw_store_brands_generation(c->s, &generation)) ||
        (rc = kw_store_brand_list(c->s, &list, &n)))
        return rc;
    c->generation = generation;
    memcpy(was, c->brands_digest, sizeof was);
    digest_brands(c, generation, list, n);
    if (c->brands && strcmp(was, c->brands_digest) == 0) {
        kw_brand_list_free(list, n);
        return 0;
    }
    brand_q *brands = calloc(n ? n : 1, sizeof *brands);
    size_t nb = 0;
    for (size_t i = 0; brands && i < n; i++) {
        if (kw_query_compile(&brands[nb].q, list[i]->query, NULL) == 0) {
            brands[nb++].id = list[i]->id;
            continue;
        }
        char line[600];
        int k = snprintf(line, sizeof line, "brand '%s' is skipped: %s\n", list[i]->name,
                         kw_error_last());
        if (k < 0)
            continue;
        if ((size_t)k >= sizeof line) { /* cut short: still a whole line */
            k = (int)sizeof line - 1;
            line[k - 1] = '\n';
        }
        char *nw = realloc(warn, wlen + (size_t)k + 1);
        if (nw) {
            memcpy(nw + wlen, line, (size_t)k + 1);
            warn = nw;
            wlen += (size_t)k;
        }
    }
    kw_brand_list_free(list, n);
    if (!brands) {
        free(warn);
        memcpy(c->brands_digest, was, sizeof was);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->nbrands; i++)
        kw_query_free(c->brands[i].q);
    free(c->brands);
    c->brands = brands;
    c->nbrands = nb;
    known_clear(&c->known); /* its bits name places in the old list */
    if (warning)
        *warning = warn;
    else
        free(warn);
    return 0;
}

int kw_crawl_new(kw_crawl **out, kw_store *s, const kw_scorer *sc, char **warning)
{
    kw_crawl *c = calloc(1, sizeof *c);
    int rc;
    if (warning)
        *warning = NULL;
    if (!c)
        return kw_error_set(KW_ENOMEM, "out of memory");
    c->s = s;
    c->sc = sc;
    kw_result_init(&c->scored);
    kw_query_match_result_init(&c->qm);
    known_init(&c->known, KNOWN_MAX);
    if ((rc = load_brands(c, warning))) {
        kw_crawl_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int kw_crawl_reload(kw_crawl *c, int *changed, char **warning)
{
    char was[sizeof c->brands_digest];
    int rc;
    if (warning)
        *warning = NULL;
    memcpy(was, c->brands_digest, sizeof was);
    if ((rc = kw_crawl_flush(c)) || (rc = load_brands(c, warning)))
        return rc;
    if (changed)
        *changed = strcmp(was, c->brands_digest) != 0;
    if (c->warn_later) { /* from a reload mid-pass */
        if (changed)
            *changed = 1;
        if (warning && !*warning)
            *warning = c->warn_later;
        else
            free(c->warn_later);
        c->warn_later = NULL;
    }
    return 0;
}

void kw_crawl_free(kw_crawl *c)
{
    if (!c)
        return;
    c->stats = NULL; /* the caller's counts may be gone by now */
    kw_crawl_flush(c);
    free(c->kept);
    kept_reset(c);
    free(c->kept_mem);
    for (size_t i = 0; i < c->nbrands; i++)
        kw_query_free(c->brands[i].q);
    free(c->brands);
    known_free(&c->known);
    kw_query_match_result_release(&c->qm);
    kw_copy_check_free(c->check);
    kw_result_release(&c->scored);
    free(c->warn_later);
    free(c);
}

size_t kw_crawl_brands(const kw_crawl *c) { return c->nbrands; }

int64_t kw_crawl_item_time(const kw_source *src, const kw_extracted_item *it, int64_t now)
{
    int64_t t;
    if (it->published == INT64_MIN)
        return it->time_text &&
                       kw_date_parse_relative(&t, it->time_text, now, src->utc_offset) == 0
                   ? t
                   : KW_TIME_NONE;
    return it->published_local ? it->published - src->utc_offset : it->published;
}

int64_t kw_crawl_backoff(const kw_source *src, int64_t now, int64_t retry_after)
{
    const int64_t day = 86400;
    int64_t wait = src->every_s > 0 ? src->every_s : 900;
    /* doubling with each failure in a row, up to a day */
    for (int64_t i = 0; i <= src->consecutive_failures && wait < day; i++)
        wait *= 2;
    if (wait > day)
        wait = day;
    /* less up to a quarter, from the clock's low bits: spreads sources that
     * failed together, and never waits past the day */
    wait -= (int64_t)((uint64_t)(now * 2654435761u + (uint64_t)src->id * 40503u) %
                      (uint64_t)(wait / 4 + 1));
    if (retry_after > wait) /* honoured up to a week: a wrong or hostile header */
        wait = retry_after < 7 * day ? retry_after : 7 * day; /* must not silence a source */
    return now + wait;
}

/* What a fetch came to, in its source's health (and history). note: a
 * fetch that succeeded yet has something to say (items dropped); it shows
 * as the last error without counting as a failure. */
static int record_as(kw_crawl *c, const kw_source *src, int64_t started, int64_t status,
                     const char *error, const char *note, const kw_fetch_response *r,
                     long items, long added, int64_t next, const char *digest,
                     kw_crawl_stats *st)
{
    char clean[1000];
    /* a later page (next=) is named: its source's own page may be fine */
    const char *url = r && r->url ? r->url : src->url;
    int later = strcmp(url, src->url) != 0 && !(error && strncmp(error, url, strlen(url)) == 0);
    /* so is the hop a redirect led to, where the error came from */
    const char *hop = error && r && r->final_url && strcmp(r->final_url, url) != 0 &&
                              !strstr(error, r->final_url)
                          ? r->final_url
                          : NULL;
    if (error) { /* it may quote the page, or be cut inside a character */
        snprintf(clean, sizeof clean, "%s%.300s%s%s%s%.300s%s", later ? "page " : "",
                 later ? url : "", later ? ": " : "", error, hop ? " (at " : "", hop ? hop : "",
                 hop ? ", where a redirect led)" : "");
        utf8_scrub(clean);
        error = clean;
    }
    kw_fetch_record rec = {.source_id = src->id, .url = url, .started_at = started,
                           .finished_at = kw_time_now(), .next_attempt_at = next,
                           .status = status, .bytes = r ? (int64_t)r->body_len : -1,
                           .items = items, .new_mentions = added, .error = error,
                           .etag = r && !error ? r->etag : NULL,
                           .last_modified = r && !error ? r->last_modified : NULL,
                           .content_digest = error ? NULL : digest, .as_url = src->url,
                           .as_kind = src->kind, .as_rules = src->rules};
    /* The history keeps the fetches that told something: the first, each
     * failure, a change of status or a recovery, and new mentions. A source
     * read every 15 minutes with nothing new adds no row (its health is
     * kept all the same), so the history stays small and cheap to write. */
    rec.skip_history = !error && !note && added == 0 && status == src->last_status &&
                       src->last_fetched_at != KW_TIME_NONE && src->consecutive_failures == 0;
    if (error)
        st->errors++;
    else if (note) {
        snprintf(clean, sizeof clean, "%s", note);
        utf8_scrub(clean);
        rec.error = clean;
        rec.error_is_note = 1;
        rec.etag = rec.last_modified = ""; /* cleared: no 304 next time, read again */
    }
    return kw_store_source_record(c->s, &rec);
}

static int record(kw_crawl *c, const kw_source *src, int64_t started, int64_t status,
                  const char *error, const kw_fetch_response *r, long items, long added,
                  int64_t next, const char *digest, kw_crawl_stats *st)
{
    return record_as(c, src, started, status, error, NULL, r, items, added, next, digest, st);
}

typedef struct link_at {
    uint64_t h;    /* of the link up to its fragment */
    uint64_t item; /* of the item's every field, in a run of one link (else 0) */
    size_t i;
} link_at;

static int cmp_link_at(const void *a, const void *b)
{
    const link_at *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static uint64_t fnv(uint64_t h, const char *s, char stop)
{
    for (; s && *s && *s != stop; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0xFF) * 1099511628211u; /* a field's end */
}

/* For each item of e, 1 when another item has the same link up to its
 * fragment: then neither link is a page of the item's own. NULL when out of
 * memory. */
static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether two items say the same in every field: one item given twice. */
static bool same_item(const kw_extracted_item *a, const kw_extracted_item *b)
{
    return same_str(a->link, b->link) && same_str(a->title, b->title) &&
           same_str(a->text, b->text) && same_str(a->author, b->author) &&
           a->published == b->published;
}

static unsigned char *shared_links(const kw_extracted *e)
{
    unsigned char *shared = calloc(e->n, 1);
    link_at *at = malloc(e->n * sizeof *at);
    size_t m = 0;
    if (!shared || !at) {
        free(shared), free(at);
        return NULL;
    }
    for (size_t i = 0; i < e->n; i++) {
        const kw_extracted_item *it = &e->items[i];
        if (!it->link)
            continue;
        at[m++] = (link_at){fnv(1469598103934665603u, it->link, '#'), 0, i};
    }
    qsort(at, m, sizeof *at, cmp_link_at);
    /* Sorted by link; a run of one link (rare: most items have links of
     * their own) is sorted again by the whole item. In it, an item the same
     * as the one before it in every field is that item given twice (2); the
     * others share the link (1) when the run holds more than one item that
     * differ. */
    for (size_t k = 0, run; k < m; k = run) {
        for (run = k + 1; run < m && at[run].h == at[k].h; run++)
            ;
        if (run - k == 1)
            continue;
        for (size_t x = k; x < run; x++) {
            const kw_extracted_item *it = &e->items[at[x].i];
            uint64_t item = fnv(fnv(fnv(fnv(at[x].h, it->link, 0), it->title, 0), it->text, 0),
                                it->author, 0);
            at[x].item = item ^ (uint64_t)it->published;
        }
        qsort(at + k, run - k, sizeof *at, cmp_link_at);
        const char *l0 = e->items[at[k].i].link;
        size_t n0 = strcspn(l0, "#"), distinct = 1;
        for (size_t x = k + 1; x < run; x++) {
            const kw_extracted_item *a = &e->items[at[x].i], *b = &e->items[at[x - 1].i];
            if (strcspn(a->link, "#") != n0 || memcmp(a->link, l0, n0) != 0)
                continue; /* another link with the same hash: none of this run's */
            if (at[x].item == at[x - 1].item && same_item(a, b))
                shared[at[x].i] = 2;
            else
                distinct++;
        }
        for (size_t x = k; x < run && distinct > 1; x++) {
            const char *l = e->items[at[x].i].link;
            if (shared[at[x].i] != 2 && strcspn(l, "#") == n0 && memcmp(l, l0, n0) == 0)
                shared[at[x].i] = 1;
        }
    }
    free(at);
    return shared;
}

/* A candidate for an item's link of its own: a web page (http or https)
 * other than an anchor on the page it was read from. NULL for
 * "javascript:void(0)", "mailto:", "#post-4" and the like: such items are
 * told apart by their text. (Once the item matches, a link whose canonical
 * form is the page's is no link of its own either, on a page of several.) */
static const char *own_link(const char *link, const char *page)
{
    if (!link || (strncasecmp(link, "http://", 7) && strncasecmp(link, "https://", 8)))
        return NULL;
    const char *anchor = strchr(link, '#');
    size_t n = anchor ? (size_t)(anchor - link) : 0;
    if (anchor && strncmp(link, page, n) == 0 && (page[n] == '\0' || page[n] == '#'))
        return NULL;
    return link;
}

/* Whether URL u names a site's root page ("https://x.example/", with no
 * query: "/?p=123" is a post). */
static bool site_root(const char *u)
{
    const char *p = strstr(u, "://");
    if (!p)
        return false;
    p += 3;
    p += strcspn(p, "/?#");
    if (*p == '/')
        p++;
    return *p == '\0' || *p == '#';
}

/* Whether an article's declared address (rel=canonical, og:url) is
 * another page's, not its own: on a later page of a paged article, the
 * source's first page, or a site's root named by a page that is not (a
 * template's mistake). Both would make this article "known" under another
 * one's address, and lose it. */
static bool declared_elsewhere(const kw_extracted_item *it, const kw_source *src,
                               const char *page, int later)
{
    if (!it->link_declared || !it->link)
        return false;
    if (site_root(it->link) && !site_root(page))
        return true;
    char a[4096], b[4096];
    return later && kw_url_canonical(a, sizeof a, it->link) == 0 &&
           kw_url_canonical(b, sizeof b, src->url) == 0 && strcmp(a, b) == 0;
}

/* The key of an item with no link of its own: the source's URL (the same
 * on every page of its paging, so that a post moving to page 2 of a board
 * is still known), with a hash of its author and text. */
static int linkless_key(char *canon, size_t size, const kw_source *src,
                        const kw_extracted_item *it, const char *text)
{
    char hash[65];
    if (kw_url_canonical(canon, size - 24, src->url))
        return KW_EINVAL;
    if (it->author) {
        size_t na = strlen(it->author), nt = strlen(text);
        char *both = malloc(na + nt + 2);
        if (!both)
            return kw_error_set(KW_ENOMEM, "out of memory");
        memcpy(both, it->author, na);
        both[na] = '\n';
        memcpy(both + na + 1, text, nt + 1);
        kw_sha256_hex(hash, both, na + 1 + nt);
        free(both);
    } else {
        kw_sha256_hex(hash, text, strlen(text));
    }
    size_t cl = strlen(canon);
    snprintf(canon + cl, size - cl, "#kw-%.16s", hash);
    return 0;
}

/* Store one item for the brands whose queries it matches. several: its
 * page holds more than one; shared: another item of the page has the same
 * link (up to its fragment: "#pid1", "#pid2" on a <base href>); later: the
 * page is one that next= led to. */
static int store_item(kw_crawl *c, const kw_source *src, const char *page, int64_t fetched,
                      const kw_extracted_item *it, int several, int shared, int later,
                      kw_crawl_stats *st, long *added)
{
    const char *text = it->text ? it->text : it->title;
    const char *item_link = shared                                  ? NULL
                            : declared_elsewhere(it, src, page, later) ? page
                                                                  : own_link(it->link, page);
    const char *link = item_link ? item_link : page;
    char canon[KW_URL_KEY_MAX], page_canon[KW_URL_KEY_MAX], hash[65], *expl = NULL;
    int64_t ids[64], partner = 0;
    size_t n = 0;
    int result, rc;
    if (!text)
        return 0; /* nothing to say */
    /* An item this pipeline has read before, as it is now (a feed read
     * again): its brands are known, and so is whether it is stored. */
    const char *fields[] = {link, it->title, it->text, it->author, src->platform};
    uint64_t key[2], known_mask;
    int remember = c->nbrands <= 64;
    known_key(key, fields, sizeof fields / sizeof *fields);
    if (remember && known_get(&c->known, key, &known_mask)) {
        st->matched += known_mask != 0;
        return 0;
    }
    kw_query_doc doc = {.title = it->title, .text = it->text, .author = it->author,
                        .platform = src->platform};
    uint64_t want = 0; /* the matching brands' bits */
    for (size_t i = 0; i < c->nbrands && n < 64; i++)
        if (kw_query_match(c->brands[i].q, &doc, &c->qm) == 0 && c->qm.match) {
            ids[n++] = c->brands[i].id;
            want |= remember ? UINT64_C(1) << i : 0;
        }
    if (n == 0) {
        if (remember)
            known_put(&c->known, key, 0); /* no brand's, until the brands change */
        return 0;
    }
    if (item_link && kw_url_canonical(canon, sizeof canon - 24, link))
        link = page, item_link = NULL; /* a link with no canonical form */
    if (item_link && several && kw_url_canonical(page_canon, sizeof page_canon, page) == 0 &&
        strcmp(canon, page_canon) == 0)
        link = page, item_link = NULL; /* the page itself, written otherwise */
    if (!item_link && (rc = linkless_key(canon, sizeof canon, src, it, text)))
        return rc == KW_EINVAL ? 0 : rc; /* a source with no canonical form: none such */
    st->matched++;
    /* A known URL is only linked to the brands it lacks: nothing is
     * scored for it. */
    rc = kw_store_mention_link_known(c->s, canon, ids, n, &result, NULL);
    if (rc == KW_ENOTFOUND && !item_link) {
        /* stored before the key above: the page's URL and the text's hash */
        char old[KW_URL_KEY_MAX], old_hash[65];
        if (kw_url_canonical(old, sizeof old - 24, page) == 0) {
            kw_sha256_hex(old_hash, text, strlen(text));
            size_t ol = strlen(old);
            snprintf(old + ol, sizeof old - ol, "#kw-%.16s", old_hash);
            if (strcmp(old, canon) != 0)
                rc = kw_store_mention_link_known(c->s, old, ids, n, &result, NULL);
        }
    }
    if (rc == 0 && remember)
        known_put(&c->known, key, want);
    if (rc != KW_ENOTFOUND)
        return rc;
    kw_sha256_hex(hash, text, strlen(text)); /* the text's own: copies are found by it */
    if (it->author && (rc = kw_store_partner_by_account(c->s, src->platform, it->author, &partner)))
        return rc;
    kw_mention m = {.url = link, .canonical_url = canon, .content_hash = hash,
                    .source_id = src->id, .partner_id = partner, .platform = src->platform,
                    .author = it->author, .title = it->title, .text = text,
                    .published_at = kw_crawl_item_time(src, it, fetched),
                    .fetched_at = kw_time_now(), .likes = -1, .comments = -1, .shares = -1,
                    .views = -1, .reach = -1, .unseen = 1};
    size_t len = strlen(text);
    kw_copy_check *check = NULL, *own = NULL; /* own: made for this text alone */
    size_t nfold = 0; /* the brand queries folded the text already */
    const kw_folded_char *fold =
        kw_query_match_folded(&c->qm, it->text ? KW_QUERY_TEXT : KW_QUERY_TITLE, text, &nfold);
    if ((rc = fold ? kw_copy_check_new_folded(&c->check, fold, nfold)
                   : kw_copy_check_new(&own, text, len)))
        return rc;
    check = fold ? c->check : own;
    m.has_signature = kw_copy_check_signature(check, m.signature);
    m.is_copy = kw_copy_check_is;
    m.is_copy_ctx = check;
    if ((rc = kw_score(c->sc, text, len, &c->scored)) ||
        (rc = kw_result_hits_json(&expl, &c->scored, text, len))) {
        kw_copy_check_free(own);
        return rc;
    }
    m.scored = 1;
    m.score = c->scored.score;
    m.pos = c->scored.pos;
    m.neg = c->scored.neg;
    m.neu = c->scored.neu;
    m.label = kw_label_name(c->scored.label);
    m.explanation = expl;
    rc = kw_store_mention_put(c->s, &m, ids, n, &result, NULL);
    free(expl);
    kw_copy_check_free(own);
    if (!rc && remember)
        known_put(&c->known, key, want);
    if (!rc && result == KW_PUT_NEW)
        (*added)++;
    return rc;
}

static int page_locked(kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                       int64_t started, kw_crawl_stats *st, long *added)
{
    int64_t now = kw_time_now();
    char err[600];
    if (r->error && r->disallowed) /* a redirect robots.txt disallows: on schedule */
        return record_as(c, src, started, r->status ? r->status : -1, NULL, r->error_text, r,
                         -1, 0, now + src->every_s, NULL, st);
    if (r->error)
        return record(c, src, started, r->status ? r->status : -1, r->error_text, r, -1, 0,
                      kw_crawl_backoff(src, now, r->retry_after), NULL, st);
    if (r->not_modified) {
        st->pages++;
        st->unchanged++; /* a 304: the page is as it was */
        return record(c, src, started, r->status, NULL, r, 0, 0, now + src->every_s, NULL, st);
    }
    if (r->status != 200) {
        snprintf(err, sizeof err, "HTTP %d", r->status);
        return record(c, src, started, r->status, err, r, -1, 0,
                      kw_crawl_backoff(src, now, r->status == 429 || r->status == 503
                                                     ? r->retry_after : -1),
                      NULL, st);
    }
    kw_extracted e;
    char digest[65];
    int rc, digested = page_digest(c, src, r, digest);
    st->pages++;
    if (digested && strcmp(digest, src->content_digest) == 0) {
        st->unchanged++; /* its items are not counted: not read */
        return record(c, src, started, r->status, NULL, r, -1, 0, now + src->every_s, NULL, st);
    }
    rc = kw_extract_body(&e, src->kind, src->rules, r->body, r->body_len, r->content_type,
                         r->final_url ? r->final_url : src->url, NULL);
    if (rc == KW_ENOTFOUND && r->url && strcmp(r->url, src->url) != 0)
        return record(c, src, started, r->status, NULL, r, 0, 0, now + src->every_s, NULL,
                      st); /* a later page (next=) with no items: the paging's end */
    if (rc) {
        /* a rule that finds nothing may find something next time (a search
         * page with no result today): on schedule, not backing off */
        snprintf(err, sizeof err, "%s", kw_error_last());
        return record(c, src, started, r->status, err, r, -1, 0,
                      rc == KW_ENOTFOUND ? now + src->every_s : kw_crawl_backoff(src, now, -1),
                      NULL, st);
    }
    st->items += (long)e.n;
    if (e.next && strlen(e.next) < sizeof c->next)
        memcpy(c->next, e.next, strlen(e.next) + 1);
    unsigned char *shared = NULL;
    int later = r->url && strcmp(r->url, src->url) != 0; /* a page next= led to */
    if (e.n > 1 && !(shared = shared_links(&e))) {
        kw_extracted_free(&e);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    rc = 0;
    for (size_t i = 0; i < e.n && !rc; i++)
        if (!(shared && shared[i] == 2)) /* an item given twice is stored once */
            rc = store_item(c, src, r->final_url ? r->final_url : src->url,
                            started > 0 ? started : now, &e.items[i], e.n > 1,
                            shared && shared[i], later, st, added);
    free(shared);
    /* Items past the cap are not silently lost: the health says so, and
     * the page is read again next time rather than taken as unchanged. */
    char note[200];
    if (e.dropped)
        snprintf(note, sizeof note,
                 "read the first %zu items of %zu; the page holds more than a page's "
                 "limit, and the rest were not read (split the source, or page it with next=)",
                 e.n, e.n + e.dropped);
    if (!rc)
        rc = record_as(c, src, started, r->status, NULL, e.dropped ? note : NULL, r, (long)e.n,
                       *added, now + src->every_s, digested && !e.dropped ? digest : NULL, st);
    kw_extracted_free(&e);
    return rc;
}

static void forget_kept(kw_crawl *c)
{
    kept_reset(c);
    c->nkept = 0;
    c->kept_bytes = 0;
}

static void stats_sub(kw_crawl_stats *st, const kw_crawl_stats *d);

int kw_crawl_tick(kw_crawl *c)
{
    if (!kw_store_in_transaction(c->s) || since(&c->opened) < BATCH_SECONDS)
        return 0;
    return kw_crawl_flush(c);
}

int kw_crawl_flush(kw_crawl *c)
{
    int rc = 0;
    if (kw_store_in_transaction(c->s) && (rc = kw_store_commit(c->s))) {
        /* Not stored after all: undo the batch, take its pages out of the
         * counts; their sources are still due and are fetched again. */
        char msg[KW_ERROR_MAX];
        snprintf(msg, sizeof msg, "%s", kw_error_last());
        if (kw_store_in_transaction(c->s))
            kw_store_rollback(c->s);
        known_clear(&c->known); /* it may remember what was just undone */
        for (size_t i = 0; c->stats && i < c->nkept; i++)
            stats_sub(c->stats, &c->kept[i].delta), c->stats->errors++;
        kw_error_set(rc, "%s", msg);
    }
    forget_kept(c);
    return rc;
}

/* Keep a copy of a page that went into the open batch. */
static int keep(kw_crawl *c, page_work fn, const kw_source *src, const kw_fetch_response *r,
                int64_t started, const char *why, const kw_crawl_stats *delta)
{
    if (c->nkept == c->cap_kept) {
        size_t nc = c->cap_kept ? 2 * c->cap_kept : 64;
        kept_page *nk = realloc(c->kept, nc * sizeof *nk);
        if (!nk)
            return kw_error_set(KW_ENOMEM, "out of memory");
        c->kept = nk;
        c->cap_kept = nc;
    }
    const char *strs[9] = {r ? r->url : NULL, r ? r->final_url : NULL,
                           r ? r->error_text : NULL, r ? r->content_type : NULL,
                           r ? r->etag : NULL, r ? r->last_modified : NULL, why,
                           src->url, src->rules};
    size_t size = r && r->body ? r->body_len + 1 : 0;
    for (int i = 0; i < 9; i++)
        size += strs[i] ? strlen(strs[i]) + 1 : 0;
    kept_page *k = &c->kept[c->nkept];
    memset(k, 0, sizeof *k);
    if (!(k->copy = kept_alloc(c, size ? size : 1)))
        return kw_error_set(KW_ENOMEM, "out of memory");
    char *p = k->copy;
    const char *copied[9] = {0};
    for (int i = 0; i < 9; i++) {
        if (!strs[i])
            continue;
        size_t n = strlen(strs[i]) + 1;
        memcpy(p, strs[i], n);
        copied[i] = p;
        p += n;
    }
    k->fn = fn;
    kept_source ks = {src->id, src->every_s, src->last_status, src->last_fetched_at,
                      src->next_attempt_at, src->consecutive_failures, src->created_at,
                      src->utc_offset, src->enabled, "", "", "", copied[7], copied[8]};
    memcpy(ks.kind, src->kind, sizeof ks.kind);
    memcpy(ks.platform, src->platform, sizeof ks.platform);
    memcpy(ks.content_digest, src->content_digest, sizeof ks.content_digest);
    k->src = ks;
    k->started = started;
    k->why = copied[6];
    k->delta = *delta;
    if (r) {
        k->has_r = 1;
        k->r = *r;
        k->r.url = copied[0];
        k->r.final_url = copied[1];
        k->r.error_text = copied[2];
        k->r.content_type = copied[3];
        k->r.etag = copied[4];
        k->r.last_modified = copied[5];
        k->r.user = NULL;
        if (r->body) {
            memcpy(p, r->body, r->body_len);
            p[r->body_len] = '\0';
            k->r.body = p;
        }
    }
    k->bytes = size;
    c->nkept++;
    c->kept_bytes += size;
    return 0;
}

static void stats_sub(kw_crawl_stats *st, const kw_crawl_stats *d)
{
    st->pages -= d->pages;
    st->items -= d->items;
    st->matched -= d->matched;
    st->added -= d->added;
    st->errors -= d->errors;
    st->unchanged -= d->unchanged;
}

/* Whether the brands changed since they were loaded (one was removed,
 * added or edited while the crawl ran): they are loaded again, and 1. */
static int brands_reloaded(kw_crawl *c)
{
    int64_t generation;
    char *warn = NULL;
    if (kw_store_brands_generation(c->s, &generation) || generation == c->generation ||
        load_brands(c, &warn))
        return 0;
    if (warn) {
        free(c->warn_later);
        c->warn_later = warn;
    }
    return 1;
}

/* A page failed with its writes half done. Without a savepoint per page
 * (which costs SQLite a copy of every database page the page touches),
 * the batch is rolled back and its earlier pages written again, now each
 * under a savepoint; one that fails this time is dropped from the batch
 * and from the counts. Rare: a page fails when, say, its source or brand
 * was deleted while it was being fetched. */
static void unpack_source(kw_source *o, const kept_source *k)
{
    memset(o, 0, sizeof *o);
    o->id = k->id;
    o->every_s = k->every_s;
    o->last_status = k->last_status;
    o->last_fetched_at = k->last_fetched_at;
    o->next_attempt_at = k->next_attempt_at;
    o->consecutive_failures = k->consecutive_failures;
    o->created_at = k->created_at;
    o->utc_offset = k->utc_offset;
    o->enabled = k->enabled;
    memcpy(o->kind, k->kind, sizeof o->kind);
    memcpy(o->platform, k->platform, sizeof o->platform);
    memcpy(o->content_digest, k->content_digest, sizeof o->content_digest);
    snprintf(o->url, sizeof o->url, "%s", k->url ? k->url : "");
    snprintf(o->rules, sizeof o->rules, "%s", k->rules ? k->rules : "{}");
}

static int rewrite_batch(kw_crawl *c, kw_crawl_stats *st)
{
    char next[sizeof c->next];
    int rc;
    memcpy(next, c->next, sizeof next);
    kw_store_rollback(c->s);
    known_clear(&c->known); /* it may remember what was just undone */
    size_t out = 0, i = 0;
    kw_source *src = malloc(sizeof *src);
    if (!src) {
        rc = kw_error_set(KW_ENOMEM, "out of memory");
        goto lost;
    }
    if ((rc = kw_store_begin(c->s)))
        goto lost;
    brands_reloaded(c); /* a brand removed meanwhile would fail its pages again */
    for (; i < c->nkept; i++) {
        kept_page *k = &c->kept[i];
        kw_crawl_stats scratch = {0};
        long added = 0;
        unpack_source(src, &k->src);
        if ((rc = kw_store_savepoint(c->s)))
            goto lost;
        if (k->fn(c, src, k->has_r ? &k->r : NULL, k->started, &scratch, &added, k->why)) {
            kw_store_savepoint_rollback(c->s);
            known_clear(&c->known); /* it may remember what was just undone */
            stats_sub(st, &k->delta);
            st->errors++; /* counted as an error: its source is fetched again */
            c->kept_bytes -= k->bytes; /* its copy goes with the batch's */
            continue;
        }
        if ((rc = kw_store_savepoint_release(c->s)))
            goto lost;
        c->kept[out++] = *k;
    }
    c->nkept = out;
    memcpy(c->next, next, sizeof next);
    free(src);
    return 0;
lost:
    free(src);
    known_clear(&c->known);
    /* The database refuses even this: the whole batch is undone, and its
     * sources, still due, are fetched again next time. Pages [0, out) are
     * the ones kept so far, [i, nkept) the ones not yet written again. */
    if (kw_store_in_transaction(c->s))
        kw_store_rollback(c->s);
    for (size_t j = 0; j < c->nkept; j++) {
        if (j >= out && j < i)
            continue; /* moved down, or dropped already */
        stats_sub(st, &c->kept[j].delta);
        st->errors++;
    }
    kept_reset(c);
    c->nkept = 0;
    c->kept_bytes = 0;
    memcpy(c->next, next, sizeof next);
    return rc;
}

/* Run fn for one page in the open batch (one is begun if none is). A batch
 * begins with the brands as they are: a brand removed between batches
 * took its links' and buckets' rows with it (a foreign key), and every
 * page that named it failed. */
static int in_batch(kw_crawl *c, page_work fn, const kw_source *src, const kw_fetch_response *r,
                    int64_t started, kw_crawl_stats *st, const char *why)
{
    long added = 0;
    kw_crawl_stats before = *st;
    int rc;
    if (!kw_store_in_transaction(c->s)) {
        forget_kept(c);
        if ((rc = kw_store_begin(c->s)))
            return rc;
        clock_gettime(CLOCK_MONOTONIC, &c->opened);
        brands_reloaded(c);
    }
    for (int again = 0;; again = 1) {
        c->stats = st;
        if (!(rc = fn(c, src, r, started, st, &added, why)))
            break;
        char msg[KW_ERROR_MAX];
        snprintf(msg, sizeof msg, "%s", kw_error_last());
        *st = before;
        added = 0;
        int64_t generation = c->generation;
        int rrc = rewrite_batch(c, st);
        /* `source rm` while the page was under way: its mentions' and its
         * health's rows have no source to belong to (a foreign key) */
        kw_source *now = rrc ? NULL : malloc(sizeof *now);
        int gone = now && kw_store_source_get(c->s, src->id, now) == KW_ENOTFOUND;
        free(now);
        if (gone)
            return kw_error_set(KW_EGONE, "source %lld was removed while it was being "
                                          "crawled: what it read was not stored",
                                (long long)src->id);
        if (rc == KW_ELOST && !rrc) /* it names the source: what was read is dropped */
            return kw_error_set(KW_ELOST, "%s; what it read was not stored", msg);
        if (!rrc && !again && c->generation != generation) {
            before = *st; /* as the batch written again left them */
            continue; /* a brand removed or changed meanwhile (PostgreSQL): read again
                         for the brands as they are now */
        }
        st->errors++; /* the page failed: its source is fetched again */
        if (rrc) {
            char why[KW_ERROR_MAX];
            snprintf(why, sizeof why, "%s", kw_error_last());
            return kw_error_set(rrc, "source %lld: %s; writing the batch again failed too, "
                                     "so its pages will be fetched again: %s",
                                (long long)src->id, msg, why);
        }
        return kw_error_set(rc, "source %lld: %s", (long long)src->id, msg);
    }
    st->added += added;
    kw_crawl_stats delta = {st->pages - before.pages, st->items - before.items,
                            st->matched - before.matched, st->added - before.added,
                            st->errors - before.errors, st->unchanged - before.unchanged};
    if ((rc = keep(c, fn, src, r, started, why, &delta))) {
        /* no copy, no way to write the batch again: commit it now */
        int frc = kw_crawl_flush(c);
        return frc ? frc : 0;
    }
    if (c->nkept >= BATCH_PAGES || c->kept_bytes >= BATCH_BYTES ||
        since(&c->opened) >= BATCH_SECONDS)
        return kw_crawl_flush(c);
    return 0;
}

static int page_fn(kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                   int64_t started, kw_crawl_stats *st, long *added, const char *why)
{
    (void)why;
    return page_locked(c, src, r, started, st, added);
}

/* r is NULL (robots.txt disallows the page: said, not counted as a
 * failure, which would make the next real one back off the longer), or
 * for a failure the stand-in response kw_crawl_skip made. */
static int skip_fn(kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                   int64_t started, kw_crawl_stats *st, long *added, const char *why)
{
    (void)added;
    if (!r)
        return record_as(c, src, started, -1, NULL, why, NULL, -1, 0, started + src->every_s,
                         NULL, st);
    return record(c, src, started, -1, why, NULL, -1, 0,
                  kw_crawl_backoff(src, started, r->retry_after), NULL, st);
}

const char *kw_crawl_next(const kw_crawl *c) { return c->next[0] ? c->next : NULL; }

int kw_crawl_page(kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                  int64_t started, kw_crawl_stats *st)
{
    c->next[0] = '\0';
    return in_batch(c, page_fn, src, r, started, st, NULL);
}

int kw_crawl_skip(kw_crawl *c, const kw_source *src, const char *why, int failed,
                  int64_t retry_after, kw_crawl_stats *st)
{
    kw_fetch_response failure = {.error = KW_EIO, .error_text = why, .retry_after = retry_after};
    return in_batch(c, skip_fn, src, failed ? &failure : NULL, kw_time_now(), st, why);
}
