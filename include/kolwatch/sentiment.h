/*
 * kolwatch sentiment scorer: a pure library, text in, explained score out.
 * No database, no network, no global state beyond read-only tables.
 *
 * Usage:
 *
 *     kw_scorer_options o;
 *     kw_scorer_options_init(&o);
 *     kw_scorer *s;
 *     if (kw_scorer_new(&s, &o)) fail(kw_error_last());
 *     kw_result r;
 *     kw_result_init(&r);
 *     for (each text)
 *         kw_score(s, text, len, &r);     // r.score, r.label, r.hits, ...
 *     kw_result_release(&r);
 *     kw_scorer_free(s);
 *
 * A kw_scorer is immutable after kw_scorer_new: any number of threads may
 * score with the same scorer at once, each with its own kw_result. A
 * kw_result keeps its buffers between calls, so scoring allocates nothing
 * once the buffers have grown to the longest text seen.
 */
#ifndef KOLWATCH_SENTIMENT_H
#define KOLWATCH_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kw_scorer kw_scorer;

/* Default label threshold: score >= +0.05 is positive, <= -0.05 negative. */
#define KW_SENTIMENT_THRESHOLD 0.05

typedef struct kw_scorer_options {
    /* Non-zero: leave out the built-in valence lexicons. The rule lists
     * (negators, degree words, contrast words, emoticons) stay. */
    int no_builtin;
    /* Extra lexicons, each "PATH[:FORMAT]" with FORMAT one of kw (the
     * built-in TSV format, the default), vader, afinn, words+, words-.
     * Loaded in order after the built-in ones; for a term present in
     * several, the later one wins. Borrowed during kw_scorer_new only. */
    const char *const *lexicons;
    size_t nlexicons;
    /* Label threshold in [0, 1]. */
    double threshold;
} kw_scorer_options;

/* Fill o with the defaults (built-in lexicons, no extras, threshold 0.05). */
void kw_scorer_options_init(kw_scorer_options *o);

/* Build a scorer (o may be NULL for the defaults). Returns 0, or KW_EINVAL (bad option, bad lexicon line:
 * the message names the file and line), KW_ENOTFOUND / KW_EIO (lexicon file
 * unreadable), KW_ETOOBIG (lexicon file over 256 MiB), KW_ENOMEM.
 * Caller frees *out with kw_scorer_free. */
int kw_scorer_new(kw_scorer **out, const kw_scorer_options *o);
void kw_scorer_free(kw_scorer *s);

/* The label threshold the scorer was built with. */
double kw_scorer_threshold(const kw_scorer *s);

typedef enum kw_label {
    KW_LABEL_NEGATIVE = -1,
    KW_LABEL_NEUTRAL = 0,
    KW_LABEL_POSITIVE = 1
} kw_label;

/* "positive", "negative" or "neutral". */
const char *kw_label_name(kw_label l);

/* What changed a hit's weight. The names (kw_modifier_name) are part of the
 * `kolwatch score` contract. */
typedef enum kw_modifier_kind {
    KW_MOD_NEGATED,  /* "negated" (factor is the negation scalar, < 0) */
    KW_MOD_DEGREE,   /* "degree xF": 非常, very, 有点, slightly, ... */
    KW_MOD_CONTRAST, /* "contrast xF": before (x0.5) / after (x1.5) 但是, but */
    KW_MOD_EXCLAIM,  /* "exclaim xF": ! and ！ ending the sentence */
    KW_MOD_CAPS,     /* "caps xF": an ALL-CAPS English word among others */
    KW_MOD_QUESTION, /* "question xF": a question dampens */
    KW_MOD_REPEAT    /* "repeat xF": 好好好, soooo good, 😂😂😂 */
} kw_modifier_kind;

typedef struct kw_modifier {
    kw_modifier_kind kind;
    double factor;
} kw_modifier;

#define KW_HIT_MAX_MODIFIERS 8

/* One matched term and how it counted. */
typedef struct kw_hit {
    size_t offset;       /* byte offset of the term in the raw input */
    size_t len;          /* its length in bytes: text[offset, offset+len) is
                            the term exactly as written (it includes the
                            negator and degree words it absorbed: 不太好) */
    double valence;      /* the lexicon's valence, -4..+4 */
    double contribution; /* valence times every modifier factor */
    int nmods;
    kw_modifier mods[KW_HIT_MAX_MODIFIERS];
} kw_hit;

typedef struct kw_result {
    double score;   /* compound score in [-1, 1] */
    double pos;     /* proportions of the text that is positive, negative */
    double neg;     /* and neutral; they sum to 1 */
    double neu;
    kw_label label;
    const kw_hit *hits; /* in text order; borrowed, valid until the next
                           kw_score or kw_result_release on this result */
    size_t nhits;
    void *work;         /* private reusable buffers */
} kw_result;

/* Prepare r for use (no allocation). */
void kw_result_init(kw_result *r);
/* Free r's buffers; r may be reused after kw_result_init. */
void kw_result_release(kw_result *r);

/* Score len bytes of text (any bytes: invalid UTF-8 counts as U+FFFD).
 * Returns 0, KW_ETOOBIG for a text over 1 GiB, or KW_ENOMEM; on failure
 * r holds a neutral, empty result. */
int kw_score(const kw_scorer *s, const char *text, size_t len, kw_result *r);

/* "negated", "degree", "contrast", ... (without the factor). */
const char *kw_modifier_name(kw_modifier_kind k);

/* Render the hits of r as a JSON array (the explanation stored with a
 * mention): [{"term":"不太好","offset":12,"valence":2.1,
 * "modifiers":["negated","degree x0.5"],"contribution":-1.05}, ...].
 * text/len must be the text r was scored from. Caller frees *out with
 * free(). Returns 0 or KW_ENOMEM. */
int kw_result_hits_json(char **out, const kw_result *r, const char *text, size_t len);

/* Format one modifier as in the contract ("degree x1.5", "negated") into
 * buf; returns buf. */
char *kw_modifier_format(char *buf, size_t size, const kw_modifier *m);

/* --- Folding text as the scorer does ------------------------------------
 * Other libraries (the crawler's brand queries) fold their text with the
 * same table as the scorer, so that both agree on what "the same word" is. */

/* What a folded code point is. */
typedef enum kw_fold_kind {
    KW_FOLD_SPACE = 0, /* blank */
    KW_FOLD_WORD,      /* Latin, Greek, Cyrillic letters and digits: they form
                          words, and terms made of them match whole words */
    KW_FOLD_CJK,       /* Chinese, Japanese and Korean letters: each stands
                          alone, terms made of them match anywhere */
    KW_FOLD_OTHER      /* punctuation, line ends, symbols, emoji, U+FFFD */
} kw_fold_kind;

/* One code point of folded text and where it came from. */
typedef struct kw_folded_char {
    uint32_t cp;     /* folded: full-width to half-width, lower case,
                        traditional to simplified Chinese */
    uint8_t len;     /* its length in bytes in the raw text (1..4, more with
                        the combining marks it takes in) */
    uint8_t kind;    /* kw_fold_kind of cp */
    size_t offset;   /* byte offset in the raw text */
} kw_folded_char;

/* Fold len bytes of UTF-8 text with the scorer's table. Every code point
 * becomes one kw_folded_char, in order, except those the scorer ignores
 * (zero-width joiners, variation selectors, ...), which are left out;
 * invalid or truncated UTF-8 becomes U+FFFD, one per bad byte. Two things
 * are joined: a combining mark (an accent written after its letter) is
 * part of its letter's entry, and a kana with a voicing mark after it
 * (ﾃﾞ, or テ and U+3099) is one entry, the voiced kana (デ). Nothing else is
 * merged or collapsed: text[offset, offset+len) of each entry is exactly
 * the raw bytes it came from. There are never more entries than len.
 *
 * Writes at most cap entries to out and the number of entries the whole
 * text needs to *n. Returns 0, or KW_ETOOBIG when that number is over cap
 * (out then holds the first cap entries). out may be NULL when cap is 0. */
int kw_text_fold(kw_folded_char *out, size_t cap, size_t *n, const char *text,
                 size_t len);

#ifdef __cplusplus
}
#endif
#endif
