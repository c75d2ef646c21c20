/*
 * The scorer: one pass of longest-match lookups over the normalised text,
 * then the rules (negation, degree, contrast, punctuation, caps, repeats)
 * over the short list of tokens found, then the compound score. It never
 * allocates once a kw_result's buffers are large enough, and never writes
 * to the scorer, so threads share one.
 */
#include "builtin.h"
#include "internal.h"

#include "kolwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tuning constants: each is a judgement, documented in sentiment/README.md. */
#define NEGATION_SCALAR (-0.74) /* "not good" is less bad than "bad" is */
#define LITOTES_SCALAR (-0.3)   /* a negated negative is faint praise: 不是不好 */
#define NEG_WINDOW 3            /* words or characters between negator and term */
#define DEG_WINDOW 1            /* ... between degree word and term */
#define HEDGE_FACTOR 0.5        /* 不太好, not very good: a hedged negation */
#define POST_HEDGE 0.6          /* 咸了点: a softener after the complaint */
#define SPACE_BREAK C_STOP      /* what a blank between Han characters is */
#define COMPARE_WINDOW 8        /* 没有想象中的好吃: characters a comparison reaches */
#define DEGREE_MAX 4.0          /* stacked degree words */
#define CONTRAST_BEFORE 0.5
#define CONTRAST_AFTER 1.5
#define EXCLAIM_STEP 0.15       /* per ! ending the sentence, at most 4 */
#define QUESTION_FACTOR 0.6
#define WISH_FACTOR 0.5         /* 希望能准时: a wish is no assessment */
#define QUESTION_PRAISE_ZH 0.3  /* 这也叫好吃吗？ praise asked about is not given */
#define CAPS_FACTOR 1.3
#define SQUEEZE_FACTOR 1.3      /* soooo, goooood */
#define REPEAT_STEP 0.25        /* 好好好: per repeat beyond the first */
#define REPEAT_MAX 2.0
#define ALPHA 15.0              /* compound = s / sqrt(s^2 + ALPHA) */
#define HITS_FULL 4.0           /* above this many hits the sum is damped */
#define TEXT_MAX ((size_t)1 << 30)

enum { T_TERM, T_WORD, T_PUNCT };

typedef struct tok {
    uint32_t s, e;         /* normalised characters [s, e) */
    const kw_entry *ent;   /* T_TERM */
    uint16_t fl;           /* ent->flags, kept here for the rule loops */
    uint32_t cjk_before;   /* unmatched CJK characters since the previous token */
    uint8_t kind, cls;     /* T_*, and C_* for punctuation */
    uint8_t squeezed;      /* letters repeated: soooo */
    uint8_t used;          /* absorbed as a modifier */
    uint8_t upper;         /* an ALL-CAPS word of two letters or more */
    uint8_t excl, quest;   /* punctuation ending this token's sentence */
    uint8_t copies;        /* identical terms merged into this one's hit */
    uint8_t opens;         /* first token of its sentence */
    uint8_t cbefore, cafter; /* before / after a contrast word in scope */
    uint8_t soft;          /* a hedged term: 有点硬, 稍微咸了点 (a minor reservation) */
    uint32_t sent;         /* sentence number */
    int32_t hit;           /* index of its hit, or -1 */
} tok;

typedef struct work {
    kw_nchar *nc;
    size_t capnc;
    tok *toks;
    size_t ntoks, captoks;
    kw_hit *hits;
    size_t caphits;
    int32_t *hit_tok;      /* token index of each hit */
    size_t caphit_tok;
    int words, caps_words; /* Latin words, and those in ALL CAPS */
    int contrasts;         /* contrast and concession words found */
    int wishes;            /* wish words found (希望, 如果) */
    int compares;          /* comparing negators found (不如, 没有) */
} work;

void kw_scorer_options_init(kw_scorer_options *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = KW_SENTIMENT_THRESHOLD;
}

static kw_lex_format builtin_format(const char *name)
{
    if (strcmp(name, "negators") == 0)
        return LEX_NEGATORS;
    if (strcmp(name, "degree") == 0)
        return LEX_DEGREE;
    if (strcmp(name, "contrast") == 0)
        return LEX_CONTRAST;
    return LEX_KW;
}

int kw_scorer_new(kw_scorer **out, const kw_scorer_options *o)
{
    kw_scorer *s = NULL;
    kw_scorer_options def;
    int rc = 0;
    *out = NULL;
    if (!o) {
        kw_scorer_options_init(&def);
        o = &def;
    }
    if (!(o->threshold >= 0 && o->threshold <= 1))
        return kw_error_set(KW_EINVAL, "sentiment: threshold %g is outside 0..1", o->threshold);
    s = calloc(1, sizeof *s);
    if (!s)
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    s->threshold = o->threshold;
    if ((rc = kw_trie_new(&s->trie)))
        goto cleanup;
    /* Rule lists first, valence lexicons after: a term in both keeps both. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < kw_builtin_lexicon_count; i++) {
            const kw_builtin_lexicon *b = &kw_builtin_lexicons[i];
            int is_valence = strncmp(b->name, "valence", 7) == 0;
            if (is_valence != pass || (is_valence && o->no_builtin))
                continue;
            if ((rc = kw_lexicon_parse(s->trie, b->name, b->data, b->len,
                                       builtin_format(b->name))))
                goto cleanup;
        }
    }
    for (size_t i = 0; i < o->nlexicons; i++)
        if ((rc = kw_lexicon_load_spec(s->trie, o->lexicons[i])))
            goto cleanup;
    rc = kw_trie_freeze(s->trie);
cleanup:
    if (rc) {
        kw_scorer_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void kw_scorer_free(kw_scorer *s)
{
    if (!s)
        return;
    kw_trie_free(s->trie);
    free(s);
}

double kw_scorer_threshold(const kw_scorer *s)
{
    return s->threshold;
}

const char *kw_label_name(kw_label l)
{
    return l == KW_LABEL_POSITIVE ? "positive" : l == KW_LABEL_NEGATIVE ? "negative" : "neutral";
}

void kw_result_init(kw_result *r)
{
    memset(r, 0, sizeof *r);
    r->neu = 1.0;
}

void kw_result_release(kw_result *r)
{
    work *w = r->work;
    if (w) {
        free(w->nc);
        free(w->toks);
        free(w->hits);
        free(w->hit_tok);
        free(w);
    }
    kw_result_init(r);
}

static int reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static tok *push_tok(work *w)
{
    if (w->ntoks == w->captoks &&
        reserve((void **)&w->toks, &w->captoks, w->ntoks + 1, sizeof(tok)))
        return NULL;
    tok *t = &w->toks[w->ntoks++];
    *t = (tok){.hit = -1};
    return t;
}

/* A Han character (not kana or hangul: Korean separates words by blanks). */
static int is_han(uint32_t cp)
{
    return (cp >= 0x3400 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00) ||
           (cp >= 0x20000 && cp < 0x30000);
}

/* Longest lexicon match starting at i; returns its end or 0. The ends of
 * shorter matches that are negators or degree words go to mods[] (at most
 * 4), so that the caller can prefer 很+好吃 over 很好+吃. */
static size_t match_at(const kw_trie *trie, const kw_nchar *nc, size_t n, size_t i,
                       const kw_entry **ent, size_t *mods, const kw_entry **modent,
                       int *nmods)
{
    int32_t st = 0;
    size_t best = 0;
    *nmods = 0;
    for (size_t j = i; j < n; j++) {
        st = kw_trie_step(trie, st, nc[j].cp);
        if (st < 0)
            break;
        const kw_entry *e = kw_trie_entry(trie, st);
        if (e && e->flags && !(nc[j].cls == C_WORD && j + 1 < n && nc[j + 1].cls == C_WORD)) {
            if (best && mods && *nmods < 4 && ((*ent)->flags & (E_NEGATOR | E_DEGREE))) {
                modent[*nmods] = *ent;
                mods[(*nmods)++] = best;
            }
            best = j + 1;
            *ent = e;
        }
    }
    return best;
}

/* At i the longest match ends at end; if a shorter negator or degree word
 * at i is followed by a term reaching further (很好吃: 很 + 好吃 beats 很好),
 * take the shorter one. Returns the chosen end. */
static size_t prefer_split(const kw_trie *trie, const kw_nchar *nc, size_t n, size_t end,
                           const kw_entry **ent, const size_t *mods,
                           const kw_entry **modent, int nmods)
{
    for (int k = nmods - 1; k >= 0; k--) {
        const kw_entry *next;
        if (nc[mods[k]].cls == C_SPACE)
            continue;
        size_t e2 = match_at(trie, nc, n, mods[k], &next, NULL, NULL, &(int){0});
        if (e2 > end && (next->flags & E_VALENCE)) {
            *ent = modent[k];
            return mods[k];
        }
    }
    return end;
}

/* A word with a letter run of three or more (soooo): look it up with the
 * runs cut to two letters, then to one. */
static const kw_entry *match_squeezed(const kw_trie *trie, const kw_nchar *nc, size_t s,
                                      size_t e)
{
    for (int keep = 2; keep >= 1; keep--) {
        int32_t st = 0;
        size_t run = 0;
        for (size_t j = s; j < e && st >= 0; j++) {
            run = (j > s && nc[j].cp == nc[j - 1].cp) ? run + 1 : 1;
            if (run > (size_t)keep)
                continue;
            st = kw_trie_step(trie, st, nc[j].cp);
        }
        if (st > 0) {
            const kw_entry *ent = kw_trie_entry(trie, st);
            if (ent && ent->flags)
                return ent;
        }
    }
    return NULL;
}

/* @names and URLs say nothing about sentiment (@开心果, http://x.y/:/):
 * returns the index after one starting at i, or i. */
static size_t skip_handle_or_url(const kw_nchar *nc, size_t n, size_t i)
{
    uint32_t c = nc[i].cp;
    size_t j = i;
    if (c == '@') {
        for (j = i + 1; j < n; j++) {
            uint32_t d = nc[j].cp;
            uint8_t cl = nc[j].cls;
            if (cl == C_SPACE || cl == C_CLAUSE || cl == C_STOP || cl == C_EXCL ||
                cl == C_QUEST || d == '[' || d == '(' || d == '@' || d == '/' || d == 0xFF08)
                break;
        }
        return j;
    }
    if ((c == 'h' || c == 'w') && (i == 0 || nc[i - 1].cls != C_WORD)) {
        static const char *const pre[] = {"http://", "https://", "www."};
        for (int k = 0; k < 3; k++) {
            size_t l = strlen(pre[k]), m = 0;
            while (m < l && i + m < n && nc[i + m].cp == (uint32_t)(unsigned char)pre[k][m])
                m++;
            if (m == l) {
                for (j = i + l; j < n && nc[j].cls != C_SPACE && nc[j].cls != C_CJK; j++)
                    ;
                return j;
            }
        }
    }
    return i;
}

static int tokenize(const kw_scorer *sc, work *w, size_t n, double *neutral)
{
    const kw_nchar *nc = w->nc;
    uint32_t cjk = 0;
    size_t i = 0;
    w->ntoks = 0;
    w->words = w->caps_words = w->contrasts = w->wishes = w->compares = 0;
    while (i < n) {
        uint8_t cls = nc[i].cls;
        const kw_entry *ent = NULL;
        tok *t;
        if (cls == C_SPACE) {
            /* 房间很陈旧 卫生间很干净: a blank between Chinese characters
             * separates sentences (normalised text has single blanks) */
            if (i > 0 && i + 1 < n && is_han(nc[i - 1].cp) && is_han(nc[i + 1].cp)) {
                if (!(t = push_tok(w)))
                    return -1;
                t->kind = T_PUNCT;
                t->cls = SPACE_BREAK;
                t->s = (uint32_t)i, t->e = (uint32_t)i + 1;
                t->cjk_before = cjk, cjk = 0;
            }
            i++;
            continue;
        }
        if (!kw_trie_may_start(sc->trie, nc[i].cp) && cls != C_WORD && nc[i].cp != '@') {
            /* the common case: no term starts with this character */
            if (cls == C_CJK) {
                cjk++;
                *neutral += 0.5;
            } else if (cls == C_CLAUSE || cls == C_STOP || cls == C_EXCL || cls == C_QUEST) {
                tok *p = push_tok(w);
                if (!p)
                    return -1;
                p->kind = T_PUNCT;
                p->cls = cls;
                p->s = (uint32_t)i, p->e = (uint32_t)i + 1;
                p->cjk_before = cjk, cjk = 0;
            }
            i++;
            continue;
        }
        size_t skip = skip_handle_or_url(nc, n, i);
        if (skip > i) {
            i = skip;
            continue;
        }
        size_t mods[4];
        const kw_entry *modent[4];
        int nmods;
        size_t end = match_at(sc->trie, nc, n, i, &ent, mods, modent, &nmods);
        if (end && nmods)
            end = prefer_split(sc->trie, nc, n, end, &ent, mods, modent, nmods);
        if (end && (ent->flags & E_REPLY))
            break; /* the rest is a reply by someone else */
        if (end) {
            if (!(t = push_tok(w)))
                return -1;
            t->kind = T_TERM;
            t->s = (uint32_t)i, t->e = (uint32_t)end, t->ent = ent, t->fl = ent->flags;
            for (int m = 0; m < nmods; m++) /* 有点硬: the term opens with a softener */
                if (mods[m] < end && (modent[m]->flags & E_DEGREE) && modent[m]->degree < 1.0f)
                    t->soft = 1;
            w->contrasts += (ent->flags & (E_CONTRAST | E_CONCESS)) != 0;
            w->wishes += (ent->flags & E_WISH) != 0;
            w->compares += (ent->flags & (E_THAN | E_COMPARE)) != 0;
            t->cjk_before = cjk, cjk = 0;
            if (nc[i].cls == C_WORD) {
                int letters = 0, upper = 1;
                for (size_t k = i; k < end; k++) {
                    if (nc[k].cls == C_WORD && nc[k].cp >= 'a' && nc[k].cp <= 'z')
                        letters++, upper &= nc[k].upper;
                }
                t->upper = (uint8_t)(letters >= 2 && upper);
                w->words++;
                w->caps_words += t->upper;
            }
            i = end;
            continue;
        }
        if (cls == C_WORD) {
            size_t k = i, letters = 0, upper = 0, runs = 0;
            while (k < n && nc[k].cls == C_WORD) {
                if (nc[k].cp >= 'a' && nc[k].cp <= 'z')
                    letters++, upper += nc[k].upper;
                if (k >= i + 2 && nc[k].cp == nc[k - 1].cp && nc[k].cp == nc[k - 2].cp)
                    runs++;
                k++;
            }
            if (!(t = push_tok(w)))
                return -1;
            t->s = (uint32_t)i, t->e = (uint32_t)k;
            t->cjk_before = cjk, cjk = 0;
            t->upper = (uint8_t)(letters >= 2 && upper == letters);
            t->kind = T_WORD;
            w->words++;
            w->caps_words += t->upper;
            if (runs && (ent = match_squeezed(sc->trie, nc, i, k))) {
                t->kind = T_TERM;
                t->ent = ent;
                t->fl = ent->flags;
                t->squeezed = 1;
                w->contrasts += (ent->flags & (E_CONTRAST | E_CONCESS)) != 0;
            } else {
                *neutral += 1;
            }
            i = k;
            continue;
        }
        if (cls == C_CJK) {
            cjk++;
            *neutral += 0.5;
        } else if (cls == C_CLAUSE || cls == C_STOP || cls == C_EXCL || cls == C_QUEST) {
            if (!(t = push_tok(w)))
                return -1;
            t->kind = T_PUNCT;
            t->cls = cls;
            t->s = (uint32_t)i, t->e = (uint32_t)i + 1;
            t->cjk_before = cjk, cjk = 0;
        }
        i++;
    }
    return 0;
}

/* Sentence-ending punctuation: give each token the ! and ? count of the run
 * of terminal marks that ends its sentence. */
/* Whether the character before normalised index i (blanks skipped) is the
 * question particle 吗: 好吃吗 asks even without a question mark. */
static int after_ma(const kw_nchar *nc, size_t i)
{
    while (i > 0 && nc[i - 1].cls == C_SPACE)
        i--;
    return i > 0 && nc[i - 1].cp == 0x5417;
}

static void mark_sentences(work *w, size_t n)
{
    uint8_t excl = 0, quest = (uint8_t)after_ma(w->nc, n);
    int in_run = 0;
    for (size_t k = w->ntoks; k-- > 0;) {
        tok *t = &w->toks[k];
        int terminal = t->kind == T_PUNCT && t->cls != C_CLAUSE;
        if (terminal) {
            if (!in_run)
                excl = quest = 0, in_run = 1;
            if (t->cls == C_EXCL && excl < 255)
                excl++;
            if ((t->cls == C_QUEST || after_ma(w->nc, t->s)) && quest < 255)
                quest++;
        } else {
            in_run = 0;
        }
        t->excl = excl, t->quest = quest;
    }
}

/* 咸了点, 少了一些, 贵了些: a softener right after the term (at normalised
 * index i); returns the index after it, or 0. */
static uint32_t post_hedge(const kw_nchar *nc, size_t n, uint32_t i)
{
    if (i < n && nc[i].cp == 0x4E86) /* 了 */
        i++;
    if (i < n && nc[i].cp == 0x4E00) /* 一 */
        i++;
    if (i < n && (nc[i].cp == 0x70B9 || nc[i].cp == 0x4E9B)) { /* 点, 些 */
        i++;
        if (i < n && nc[i].cp == 0x513F) /* 儿 */
            i++;
        return i;
    }
    return 0;
}

/* The comparing negator (不如, 没有) whose comparison denies token k, whose
 * hit starts at normalised index start, or -1: within the clause, at most
 * COMPARE_WINDOW characters before, with nothing but unmatched characters
 * and degree words in between. 不如 denies praise (不如以前好吃); 没有 and
 * 不像 only when 的, 得 or 那么 comes right before the term, and then a
 * complaint too (没有想象中的好吃, 没有传说中那么差; not 没有餐具好评). */
static int32_t compared_by(const kw_nchar *nc, const tok *toks, size_t k, uint32_t start,
                           int praise)
{
    uint32_t c0 = start > 0 ? nc[start - 1].cp : 0, c1 = nc[start].cp;
    int marked = c0 == 0x7684 || c0 == 0x5F97 || /* 的 得 */
                 ((c1 == 0x90A3 || c1 == 0x8FD9) && start + 1 < toks[k].e &&
                  (nc[start + 1].cp == 0x4E48 || nc[start + 1].cp == 0x6837)); /* 那么 这样 */
    size_t j = k;
    while (j > 0 && toks[j - 1].s >= start)
        j--; /* the modifiers the hit absorbed */
    uint32_t gap = toks[j].cjk_before;
    while (j-- > 0) {
        const tok *m = &toks[j];
        if (gap > COMPARE_WINDOW || m->kind == T_PUNCT)
            return -1;
        if (m->kind == T_WORD) {
            gap += 1 + m->cjk_before;
            continue;
        }
        if ((m->fl & (E_THAN | E_COMPARE)) && !m->used)
            return (((m->fl & E_THAN) && praise) || marked) ? (int32_t)j : -1;
        if (m->fl & (E_VALENCE | E_NEGATOR | E_CONTRAST | E_CONCESS | E_POSTNEG))
            return -1;
        gap += (m->e - m->s) + m->cjk_before;
    }
    return -1;
}

/* Whether token k stands in a clause opened by a wish word (希望能准时,
 * 如果再辣一点): what is wished for is not what was found. */
static int in_wish(const tok *toks, size_t k)
{
    for (size_t j = k; j-- > 0;) {
        if (toks[j].kind == T_PUNCT)
            return 0;
        if (toks[j].kind == T_TERM && (toks[j].fl & E_WISH))
            return 1;
    }
    return 0;
}

/* Apply a modifier. The contribution is always the valence times the listed
 * factors: a modifier that cannot be listed is not applied. */
static void add_mod(kw_hit *h, kw_modifier_kind kind, double factor)
{
    if (h->nmods >= KW_HIT_MAX_MODIFIERS)
        return;
    h->mods[h->nmods++] = (kw_modifier){kind, factor};
    h->contribution *= factor;
}

static int is_modifier(const kw_entry *e)
{
    return e && (e->flags & (E_NEGATOR | E_DEGREE));
}

/* Whether the degree word with a valence at token k (好) stands right
 * before a Han character that starts no term and is no sentence particle
 * (好热, 好晕; not 好的, 好了, 好吧, 好就一个字). */
static int adverb_before_unknown(const kw_nchar *nc, size_t n, const tok *toks, size_t nt,
                                 size_t k)
{
    static const uint32_t particles[] = {
        0x7684, 0x4E86, 0x554A, 0x5427, 0x5440, 0x5462, 0x54E6, 0x5566, 0x561B, 0x54C8,
        0x4E48, 0x5417, 0x6EF4, 0x54D2, 0x561E, 0x5594, 0x8036, 0x8BF6, 0x5450, 0x54AF,
        /* and function words after an adjective: 好就一个字, 好是好 */
        0x5C31, 0x4E5F, 0x53C8, 0x8FD8, 0x800C, 0x4F46, 0x5374, 0x662F, 0x548C, 0x4E0E};
    uint32_t e = toks[k].e;
    if (nc[toks[k].s].cls != C_CJK || e >= n || !is_han(nc[e].cp))
        return 0;
    if (k + 1 < nt && toks[k + 1].s == e)
        return 0;
    if (k > 0 && toks[k - 1].kind == T_TERM && toks[k - 1].e == toks[k].s &&
        (toks[k - 1].fl & (E_DEGREE | E_NEGATOR)))
        return 0; /* 比较好, 不好: modified, so the adjective */
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++)
        if (nc[e].cp == particles[i])
            return 0;
    return 1;
}

/* Whether token k is a degree word right after a free negator (不太): then
 * it reaches as far as the negator does (不太令人满意). */
static int after_negator(const tok *toks, size_t k)
{
    return (toks[k].fl & E_DEGREE) && k > 0 && toks[k].cjk_before == 0 &&
           toks[k - 1].kind == T_TERM && !toks[k - 1].used &&
           (toks[k - 1].fl & (E_NEGATOR | E_NEUTRAL)) == E_NEGATOR;
}

static double round4(double x)
{
    double r = round(x * 10000.0) / 10000.0;
    return r == 0 ? 0.0 : r;
}

int kw_score(const kw_scorer *sc, const char *text, size_t len, kw_result *r)
{
    work *w = r->work;
    size_t n = 0, nhits = 0;
    double neutral = 0, sum = 0, possum = 0, negsum = 0;
    int caps_words = 0, words = 0;

    r->score = 0, r->pos = 0, r->neg = 0, r->neu = 1.0;
    r->label = KW_LABEL_NEUTRAL;
    r->hits = NULL, r->nhits = 0;
    if (len > TEXT_MAX)
        return kw_error_set(KW_ETOOBIG, "sentiment: text of %zu bytes is over the 1 GiB limit", len);
    if (!w) {
        if (!(w = calloc(1, sizeof *w)))
            return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
        r->work = w;
    }
    if (reserve((void **)&w->nc, &w->capnc, len + 1, sizeof(kw_nchar)))
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    kw_normalize(text, len, w->nc, &n);
    if (tokenize(sc, w, n, &neutral))
        return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
    mark_sentences(w, n);

    tok *toks = w->toks;
    size_t nt = w->ntoks;
    words = w->words, caps_words = w->caps_words;
    int caps_differ = caps_words > 0 && caps_words < words;

    /* Hits: each valence term with the negators and degree words before it. */
    for (size_t k = 0; k < nt; k++) {
        tok *t = &toks[k];
        if (t->kind != T_TERM || !(t->fl & E_VALENCE) || t->used)
            continue;
        const kw_entry *e = t->ent;
        /* a negator or degree word that also has a valence (VADER's "no",
         * "super") modifies the term right after it rather than count */
        if (is_modifier(e) && k + 1 < nt && toks[k + 1].kind == T_TERM &&
            toks[k + 1].ent != e && (toks[k + 1].fl & E_VALENCE) &&
            !(toks[k + 1].fl & E_EMOTICON) &&
            toks[k + 1].cjk_before <= (after_negator(toks, k) ? NEG_WINDOW : DEG_WINDOW))
            continue;
        /* 好热, 好晕: 好 before a word the lexicon does not know is the
         * adverb "so", not praise */
        if ((e->flags & E_DEGREE) && e->valence > 0 && adverb_before_unknown(w->nc, n, toks, nt, k))
            continue;
        /* 好好好, 😂😂😂: one hit that repeats */
        if (nhits > 0) {
            int32_t pk = w->hit_tok[nhits - 1];
            tok *p = &toks[pk];
            if ((size_t)pk + 1 == k && p->ent == e && t->cjk_before == 0 &&
                t->s <= p->e + 1) {
                kw_hit *h = &w->hits[nhits - 1];
                const kw_nchar *last = &w->nc[t->e - 1];
                h->len = last->off + last->len - h->offset;
                t->used = 1;
                t->hit = (int32_t)(nhits - 1);
                t->copies = (uint8_t)(p->copies < 255 ? p->copies + 1 : 255);
                w->hit_tok[nhits - 1] = (int32_t)k;
                continue;
            }
        }
        if (reserve((void **)&w->hits, &w->caphits, nhits + 1, sizeof(kw_hit)) ||
            reserve((void **)&w->hit_tok, &w->caphit_tok, nhits + 1, sizeof(int32_t)))
            return kw_error_set(KW_ENOMEM, "sentiment: out of memory");
        kw_hit *h = &w->hits[nhits];
        h->nmods = 0; /* no memset: the modifier array is large and mostly unused */
        h->valence = e->valence;
        h->contribution = e->valence;
        w->hit_tok[nhits] = (int32_t)k;
        t->hit = (int32_t)nhits;
        uint32_t start = t->s;

        int negs = 0;
        double deg = 1.0;
        int degree_seen = 0, hedged = 0, squeezed_deg = 0;
        if (!(e->flags & E_EMOTICON)) {
            uint32_t gap = t->cjk_before;
            for (size_t j = k; j-- > 0;) {
                tok *m = &toks[j];
                if (m->kind == T_PUNCT)
                    break;
                if (m->kind == T_WORD) {
                    gap += 1 + m->cjk_before;
                    if (gap > NEG_WINDOW)
                        break;
                    continue;
                }
                const kw_entry *me = m->ent;
                if (m->used || !is_modifier(me) || (me->flags & E_NEUTRAL))
                    break;
                if (me->flags & E_NEGATOR) {
                    if (gap > NEG_WINDOW)
                        break;
                    if (e->flags & E_RISK)
                        break; /* 不退款 is a complaint too: risk terms do not flip */
                    negs++;
                    if (degree_seen)
                        hedged = 1;
                } else {
                    /* 不太令人满意: a degree word right after a negator
                     * reaches as far as the negator does */
                    if (gap > (negs ? NEG_WINDOW : DEG_WINDOW) &&
                        (negs || gap > NEG_WINDOW || !after_negator(toks, j)))
                        break;
                    deg *= me->degree;
                    degree_seen = 1;
                    squeezed_deg |= m->squeezed;
                }
                m->used = 1;
                start = m->s;
                gap += m->cjk_before;
            }
        }
        /* 不如以前好吃, 没有想象中的好吃: a comparison that denies the
         * praise reaches across the clause */
        if (!negs && w->compares && !(e->flags & (E_EMOTICON | E_RISK))) {
            int32_t cj = compared_by(w->nc, toks, k, start, e->valence > 0);
            if (cj >= 0) {
                negs = 1;
                toks[cj].used = 1;
                start = toks[cj].s;
            }
        }
        /* 一点实用性也没有, 喜欢不起来: a negation after the term */
        uint32_t end_ch = t->e;
        if (!(e->flags & (E_EMOTICON | E_RISK)) && e->valence > 0 && k + 1 < nt &&
            toks[k + 1].kind == T_TERM &&
            (toks[k + 1].fl & E_POSTNEG) && toks[k + 1].cjk_before <= 2 &&
            !toks[k + 1].used) {
            negs++;
            toks[k + 1].used = 1;
            end_ch = toks[k + 1].e;
        }
        /* 咸了点, 少了一些: a complaint hedged after the term */
        if (!negs && e->valence < 0 && !(e->flags & (E_EMOTICON | E_RISK))) {
            uint32_t he = post_hedge(w->nc, n, end_ch);
            if (he) {
                if (!degree_seen)
                    deg *= POST_HEDGE;
                t->soft = 1;
                for (size_t j = k + 1; j < nt && toks[j].s < he; j++)
                    toks[j].used = 1;
                end_ch = he;
            }
        }
        if (deg < 1.0 || ((e->flags & E_DEGREE) && e->degree < 1.0f))
            t->soft = 1; /* 有点咸, and 有点 standing alone (有点干) */
        if (hedged && deg > 1.0)
            deg = HEDGE_FACTOR;
        if (deg > DEGREE_MAX)
            deg = DEGREE_MAX; /* very very very very good */
        if (negs > 2)
            negs = 2 - negs % 2; /* 不不不不好: what counts is odd or even */
        /* 不是不好, not bad: a negated complaint is faint praise */
        for (int i = 0; i < negs; i++)
            add_mod(h, KW_MOD_NEGATED, h->contribution < 0 ? LITOTES_SCALAR : NEGATION_SCALAR);
        if (deg != 1.0)
            add_mod(h, KW_MOD_DEGREE, deg);
        if (squeezed_deg || t->squeezed)
            add_mod(h, KW_MOD_REPEAT, SQUEEZE_FACTOR);
        if (!(e->flags & E_EMOTICON)) {
            if (caps_differ && t->upper)
                add_mod(h, KW_MOD_CAPS, CAPS_FACTOR);
            if (t->excl)
                add_mod(h, KW_MOD_EXCLAIM, 1.0 + EXCLAIM_STEP * (t->excl > 4 ? 4 : t->excl));
            if (!t->quest && w->wishes && in_wish(toks, k))
                add_mod(h, KW_MOD_QUESTION, WISH_FACTOR);
            if (t->quest)
                add_mod(h, KW_MOD_QUESTION,
                        h->contribution > 0 && w->nc[t->s].cls == C_CJK ? QUESTION_PRAISE_ZH
                                                                         : QUESTION_FACTOR);
        }
        const kw_nchar *first = &w->nc[start], *last = &w->nc[end_ch - 1];
        h->offset = first->off;
        h->len = last->off + last->len - first->off;
        nhits++;
    }

    /* Contrast, sentence by sentence: terms before 但是/but in its sentence
     * (or in the sentence before, when the contrast word opens a sentence)
     * weigh less, terms after it in its sentence weigh more. 虽然/although
     * marks its own clause as the weaker side. */
    if (w->contrasts) {
        uint32_t sent = 0;
        int prev_terminal = 0;
        for (size_t k = 0; k < nt; k++) {
            tok *t = &toks[k];
            int terminal = t->kind == T_PUNCT && t->cls != C_CLAUSE;
            if (!terminal && prev_terminal)
                sent++;
            prev_terminal = terminal;
            t->sent = sent;
            t->opens = (uint8_t)(k == 0 || (toks[k - 1].kind == T_PUNCT && toks[k - 1].cls != C_CLAUSE));
        }
    }
    for (size_t k = 0; k < nt; k++) {
        tok *t = &toks[k];
        if (t->kind != T_TERM || t->used)
            continue;
        if (t->hit < 0)
            neutral += 1; /* a known term that did not count (shield, lone degree word) */
        if (!w->contrasts)
            continue;
        int32_t point = -1;
        if (t->fl & E_CONTRAST) {
            point = (int32_t)k;
        } else if (t->fl & E_CONCESS) {
            size_t j = k + 1;
            int real = 0;
            for (; j < nt && !(toks[j].kind == T_PUNCT && toks[j].cls != C_CLAUSE); j++)
                if (toks[j].kind == T_TERM && (toks[j].fl & E_CONTRAST))
                    real = 1;
            if (!real) {
                for (j = k + 1; j < nt && toks[j].kind != T_PUNCT; j++)
                    ;
                if (j < nt)
                    point = (int32_t)j;
            }
        }
        if (point < 0)
            continue;
        uint32_t ps = toks[point].sent;
        int opens = toks[point].opens;
        /* What follows reaches the next contrast word of the sentence: in
         * 总体不错，就是有点咸 the 就是 clause is not 总体's verdict. And
         * when all that follows is a hedged complaint (还不错，就是稍微咸了点)
         * it is a minor reservation, not a change of mind: no contrast. */
        int32_t until = point + 1;
        while ((size_t)until < nt && toks[until].sent == ps &&
               !(toks[until].kind == T_TERM && (toks[until].fl & (E_CONTRAST | E_CONCESS))))
            until++;
        int after = 0, minor = 1;
        for (size_t i = 0; i < nhits; i++) {
            int32_t hk = w->hit_tok[i];
            tok *ht = &toks[hk];
            if (hk > point && hk < until && !(ht->fl & E_EMOTICON)) {
                after++;
                if (!(ht->soft && w->hits[i].contribution < 0))
                    minor = 0;
            }
        }
        if (after && minor)
            continue;
        for (size_t i = 0; i < nhits; i++) {
            int32_t hk = w->hit_tok[i];
            tok *ht = &toks[hk];
            if (ht->fl & E_EMOTICON)
                continue;
            if (hk < point && (ht->sent == ps || (opens && ht->sent + 1 == ps)))
                ht->cbefore = 1;
            else if (hk > point && hk < until)
                ht->cafter = 1;
        }
    }
    for (size_t i = 0; i < nhits && w->contrasts; i++) {
        tok *ht = &toks[w->hit_tok[i]];
        if (ht->cbefore)
            add_mod(&w->hits[i], KW_MOD_CONTRAST, CONTRAST_BEFORE);
        else if (ht->cafter)
            add_mod(&w->hits[i], KW_MOD_CONTRAST, CONTRAST_AFTER);
    }

    /* Repeats merged above: two copies are plain reduplication (好好), three
     * or more are emphasis. */
    for (size_t i = 0; i < nhits; i++) {
        int copies = toks[w->hit_tok[i]].copies;
        if (copies >= 2) {
            double f = 1.0 + REPEAT_STEP * copies;
            add_mod(&w->hits[i], KW_MOD_REPEAT, f > REPEAT_MAX ? REPEAT_MAX : f);
        }
    }

    for (size_t i = 0; i < nhits; i++) {
        double c = w->hits[i].contribution;
        sum += c;
        if (c > 0)
            possum += c;
        else
            negsum -= c;
    }
    if (nhits > HITS_FULL)
        sum *= sqrt(HITS_FULL / (double)nhits);
    double score = sum / sqrt(sum * sum + ALPHA);
    if (score > 1)
        score = 1;
    if (score < -1)
        score = -1;
    r->score = round4(score);
    double total = possum + negsum + neutral;
    if (total > 0) {
        r->pos = possum / total;
        r->neg = negsum / total;
        r->neu = neutral / total;
    }
    if (r->score > 0 && r->score >= sc->threshold)
        r->label = KW_LABEL_POSITIVE;
    else if (r->score < 0 && r->score <= -sc->threshold)
        r->label = KW_LABEL_NEGATIVE;
    r->hits = w->hits;
    r->nhits = nhits;
    return 0;
}
