/*
 * Private structures of the sentiment library: lexicon entries, the trie
 * they are matched with, the normalised text, and the scorer itself.
 * Nothing outside sentiment/ includes this header.
 */
#ifndef KW_SENTIMENT_INTERNAL_H
#define KW_SENTIMENT_INTERNAL_H

#include "kolwatch/sentiment.h"

#include <stddef.h>
#include <stdint.h>

/* What a matched term is; one term may be several things (flags). */
enum {
    E_VALENCE = 1 << 0,  /* has a sentiment valence */
    E_NEGATOR = 1 << 1,  /* 不, not, never, ... */
    E_DEGREE = 1 << 2,   /* 非常, very, ... (degree holds the multiplier) */
    E_CONTRAST = 1 << 3, /* 但是, but: what follows weighs more */
    E_CONCESS = 1 << 4,  /* 虽然, although: its own clause weighs less */
    E_RISK = 1 << 5,     /* brand-risk term: negators do not flip it */
    E_EMOTICON = 1 << 6, /* emoji/emoticon: a whole-text signal, no scope rules */
    E_NEUTRAL = 1 << 7,  /* known term without valence: shields its letters */
    E_POSTNEG = 1 << 8,  /* negates the term before it: 实用性也没有, 喜欢不起来 */
    E_REPLY = 1 << 9,    /* what follows is someone else's reply (宾馆反馈): not scored */
    E_THAN = 1 << 10,    /* compares: 不如以前好吃 negates praise across the clause */
    E_COMPARE = 1 << 11, /* compares when 的/那么 comes before the praise: 没有想象中的好吃 */
    E_WISH = 1 << 12     /* 希望, 如果: what follows in its clause is wished, not found */
};

typedef struct kw_entry {
    float valence;
    float degree;
    uint16_t flags;
} kw_entry;

/* A trie over folded code points. Built by inserting, then frozen into
 * compact sorted child arrays; read-only afterwards. */
typedef struct kw_trie kw_trie;

int kw_trie_new(kw_trie **out);
void kw_trie_free(kw_trie *t);
/* The entry for the code points cps[0..n), created empty (flags 0) if new.
 * Only before kw_trie_freeze. NULL when out of memory. */
kw_entry *kw_trie_get(kw_trie *t, const uint32_t *cps, size_t n);
int kw_trie_freeze(kw_trie *t);

typedef struct kw_trie_node {
    uint32_t cp;
    int32_t first, next; /* build time: first child, next sibling */
    int32_t entry;       /* index into entries, or -1 */
    uint32_t cstart;     /* frozen: children in ccp/cnode[cstart, +ccount) */
    uint32_t ccount;
} kw_trie_node;

/* Frozen node: what the matcher reads, 12 bytes, in its own array so that
 * walking touches as few cache lines as possible. */
typedef struct kw_trie_fnode {
    uint32_t cstart; /* children in ccp/cnode[cstart, +ccount) */
    uint32_t ccount;
    int32_t entry;   /* index into entries, or -1 */
} kw_trie_fnode;

struct kw_trie {
    kw_trie_node *nodes;
    size_t nnodes, capnodes;
    kw_entry *entries;
    size_t nentries, capentries;
    int32_t *root;  /* 65536 direct children of the root */
    uint64_t rootbits[1024]; /* bit cp set when root[cp] exists: 8 KiB, stays in L1 */
    kw_trie_fnode *fnodes; /* frozen nodes */
    uint32_t *ccp;  /* frozen child arrays */
    int32_t *cnode;
    int frozen;
};

/* Whether a term may start with cp (a cheap filter before walking). */
static inline int kw_trie_may_start(const kw_trie *t, uint32_t cp)
{
    return cp >= 0x10000 || ((t->rootbits[cp >> 6] >> (cp & 63)) & 1);
}

/* Walking: state 0 is the root; returns the child state or -1. Inline:
 * this is the matcher's inner loop. */
static inline int32_t kw_trie_step(const kw_trie *t, int32_t state, uint32_t cp)
{
    if (state == 0 && cp < 0x10000)
        return t->root[cp];
    const kw_trie_fnode *nd = &t->fnodes[state];
    const uint32_t *a = t->ccp + nd->cstart;
    uint32_t n = nd->ccount;
    if (n <= 8) {
        for (uint32_t i = 0; i < n; i++)
            if (a[i] == cp)
                return t->cnode[nd->cstart + i];
        return -1;
    }
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (a[mid] == cp)
            return t->cnode[nd->cstart + mid];
        if (a[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The entry at a state, or NULL when no term ends there. */
static inline const kw_entry *kw_trie_entry(const kw_trie *t, int32_t state)
{
    int32_t e = t->fnodes[state].entry;
    return e < 0 ? NULL : &t->entries[e];
}
size_t kw_trie_size(const kw_trie *t);

/* Character classes of the normalised text. */
enum {
    C_SPACE = 0,
    C_WORD,   /* Latin-script letters and digits: terms match on word boundaries */
    C_CJK,    /* any other letter: matched anywhere */
    C_CLAUSE, /* , ; : 、 and similar: ends a clause */
    C_STOP,   /* . 。 … newline: ends a sentence */
    C_EXCL,   /* ! */
    C_QUEST,  /* ? */
    C_OTHER   /* other symbols: quotes, brackets, emoji, ... */
};

/* Per code point of normalised text. */
typedef struct kw_nchar {
    uint32_t cp;    /* folded code point */
    uint32_t off;   /* byte offset in the raw text */
    uint8_t len;    /* bytes in the raw text (1..4) */
    uint8_t cls;    /* C_* */
    uint8_t upper;  /* the raw letter was upper case */
} kw_nchar;

/* Normalise raw bytes into out[0..*n). out must hold len+1 entries. */
void kw_normalize(const char *raw, size_t len, kw_nchar *out, size_t *n);
uint8_t kw_char_class(uint32_t cp);
extern const uint8_t kw_ascii_class[128];

/* Lexicon formats. */
typedef enum { LEX_KW, LEX_VADER, LEX_AFINN, LEX_WORDS_POS, LEX_WORDS_NEG,
               LEX_NEGATORS, LEX_DEGREE, LEX_CONTRAST } kw_lex_format;

/* Parse a lexicon held in memory into the trie; name names it in errors. */
int kw_lexicon_parse(kw_trie *t, const char *name, const char *data, size_t len,
                     kw_lex_format fmt);
/* Load "PATH[:FORMAT]". */
int kw_lexicon_load_spec(kw_trie *t, const char *spec);
/* Fold a term as the scorer folds text; n receives the code point count.
 * Returns 0 or KW_EINVAL (invalid UTF-8, empty term, too long). */
int kw_term_fold(const char *s, size_t len, uint32_t *cps, size_t cap, size_t *n);

struct kw_scorer {
    kw_trie *trie;
    double threshold;
};

#endif
