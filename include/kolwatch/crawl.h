/*
 * The crawl pipeline for one fetched page: extract its items, keep those
 * that match a brand's query, score them, store them as mentions (linked
 * to every brand they match, and to the partner whose account wrote them),
 * and record the source's health — all in one transaction. The scheduler
 * (service/) decides what to fetch and when; this decides what a page
 * means.
 */
#ifndef KOLWATCH_CRAWL_H
#define KOLWATCH_CRAWL_H

#include "kolwatch/extract.h"
#include "kolwatch/fetch.h"
#include "kolwatch/sentiment.h"
#include "kolwatch/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kw_crawl kw_crawl;

typedef struct kw_crawl_stats {
    long pages, items, matched, added, errors;
    long unchanged; /* of pages: the same bytes as last time, not read again */
} kw_crawl_stats;

/* A pipeline over store s scoring with sc (both borrowed; sc may be shared
 * read-only). The brands and their queries are loaded now; a brand whose
 * query does not compile is skipped and named in *warning (may be NULL;
 * caller frees with free()). Caller frees with kw_crawl_free. */
int kw_crawl_new(kw_crawl **out, kw_store *s, const kw_scorer *sc, char **warning);
void kw_crawl_free(kw_crawl *c);
/* Commit the open batch, then load the brands again if they changed (added,
 * removed, or a query edited): a crawler that keeps going picks them up
 * between passes. *changed (may be NULL) tells whether they had; *warning
 * as for kw_crawl_new. */
int kw_crawl_reload(kw_crawl *c, int *changed, char **warning);
/* How many brands have a usable query. */
size_t kw_crawl_brands(const kw_crawl *c);

/* When an item of src, fetched at `now`, was published, in UTC seconds, or
 * KW_TIME_NONE: a date written without a zone is a local time of the
 * source's zone, and one written relative to the reading ("5分钟前",
 * "昨天 10:30") is taken from now. */
int64_t kw_crawl_item_time(const kw_source *src, const kw_extracted_item *it, int64_t now);

/* Process the response r to fetching src (started at `started`): store
 * the items that match a brand and record the fetch in the source's health
 * and history, with the next attempt on schedule or backed off (429 and
 * 503 honour Retry-After). A source's own page (not a next= page, nor a
 * source that has pages) that is byte for byte what was read last time,
 * for the same brands (none added, edited or removed since) and the same
 * source settings, is not read again: it has nothing new to say (most
 * sites send no ETag). Pages are committed in batches (1,024 pages,
 * 16 MiB of responses or half a second, whichever first); a failing page
 * is undone alone (the batch is written again without it, from copies of
 * its pages kept until the commit; a page that cannot be written again
 * then, or whose batch fails to commit, leaves the counts and counts as an
 * error, its source still due). Call kw_crawl_flush when a run ends; a
 * crash loses at most the open batch, whose sources are then still due.
 * While a batch is open, write to the store only through the pipeline (a
 * batch written again would not repeat other writes). KW_EGONE (and
 * nothing stored for it) when src was removed while it was being read:
 * no failure of the crawl; KW_ELOST (nothing stored either) when another
 * crawler claimed src after this one's claim ran out. */
int kw_crawl_page(kw_crawl *c, const kw_source *src, const kw_fetch_response *r,
                  int64_t started, kw_crawl_stats *st);

/* Whether the validators stored with src (ETag, Last-Modified) may be sent
 * when fetching it: only when its page was last read in full for what it
 * is read for now (the same brands, none added, edited or removed since;
 * the same URL, kind, platform, rules and zone), and never for a source
 * with next= pages, whose later pages can grow while the first stays. A
 * 304 answer to validators of another reading would keep the page from
 * ever being read for the new one. */
int kw_crawl_may_revalidate(const kw_crawl *c, const kw_source *src);

/* The next page (an html or json source's next= rule) of the page
 * kw_crawl_page processed last, or NULL. Borrowed until the next call. */
const char *kw_crawl_next(const kw_crawl *c);

/* Commit the open batch, if any. */
int kw_crawl_flush(kw_crawl *c);

/* Commit the open batch if it is older than a batch may be (half a
 * second): call it while waiting for pages (a slow host, a long
 * Crawl-delay), so that an open batch does not hold SQLite's write lock
 * and other commands wait for it. */
int kw_crawl_tick(kw_crawl *c);

/* Record that src was not fetched, and why (robots.txt, a bad URL). It is
 * due again on its schedule; with failed set (its robots.txt could not be
 * had: a network error, a 5xx or a 429), it backs off as a failed fetch
 * does, honouring retry_after (seconds; -1 when none). */
int kw_crawl_skip(kw_crawl *c, const kw_source *src, const char *why, int failed,
                  int64_t retry_after, kw_crawl_stats *st);

/* A near-duplicate signature of the text: four bands, each a hash of two
 * MinHash values over its runs of two and three normalised tokens
 * (tokens: words of Latin script, single CJK characters, folded as the
 * scorer folds). Two texts whose runs overlap by a fraction J agree on a
 * band with probability J*J: a repost with a short prefix or hashtag
 * (J about 0.9) on at least one band nearly always, unrelated texts almost
 * never; the store looks up the mentions agreeing on any band, and
 * kw_copy_check decides. Returns 1, or 0 (sig untouched) for a text under
 * eight tokens, too short to call copies. The first 64 KiB are read. */
int kw_text_signature(const char *text, size_t len, uint64_t sig[4]);

/* Whether another text is a copy of this one, compared in full: the
 * shorter's runs of tokens (as above, in the first 64 KiB of each) nearly
 * all (85 %) in the longer, which has at most twice as many. For a
 * kw_mention's is_copy: kw_copy_check_is(check, other) is 1 for a copy. */
typedef struct kw_copy_check kw_copy_check;
int kw_copy_check_new(kw_copy_check **out, const char *text, size_t len);
/* The same from the text folded whole with kw_text_fold (as
 * kw_query_match_folded gives it): the same check, without folding again.
 * *out is NULL for a new check, or a check made before to be made again
 * for this text (its memory is reused). */
int kw_copy_check_new_folded(kw_copy_check **out, const kw_folded_char *fc, size_t n);
void kw_copy_check_free(kw_copy_check *c);
int kw_copy_check_is(void *check, const char *other);
/* The text's kw_text_signature, from the check's runs: 1, or 0 (sig
 * untouched) for a text too short to call copies. */
int kw_copy_check_signature(const kw_copy_check *c, uint64_t sig[4]);

/* The next attempt after a failure: the schedule doubled per consecutive
 * failure (up to a day), with jitter, and at least retry_after seconds up
 * to a week (a wrong or hostile Retry-After must not silence a source). */
int64_t kw_crawl_backoff(const kw_source *src, int64_t now, int64_t retry_after);

#ifdef __cplusplus
}
#endif
#endif
