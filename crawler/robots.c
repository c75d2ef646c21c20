/*
 * robots.txt per RFC 9309: groups, merging of groups naming one agent,
 * longest match with Allow winning a tie, "*" and "$" patterns, percent-
 * encoding normalised on both sides. Parsing never fails on content and
 * never reads past KW_ROBOTS_MAX_BYTES; matching is bounded by the capped
 * path length times the pattern length.
 */
#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Paths longer than this (after normalising) are matched on their start. */
#define PATH_MAX_MATCH 8192

typedef struct rule {
    char *pat; /* normalised; '*' is the wildcard (a literal star is %2A) */
    size_t len;
    bool anchored; /* the rule ended in '$' */
    bool allow;
} rule;

typedef struct group {
    char **agents; /* product tokens as written; "*" for the global group */
    size_t n_agents;
    rule *rules;
    size_t n_rules;
    double delay; /* < 0: none */
} group;

struct kw_robots {
    group *groups;
    size_t n_groups;
    bool truncated;
};

static bool is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hexval(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int put_escaped(kw_buf *b, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = {'%', hex[v >> 4], hex[v & 15]};
    return buf_append(b, e, 3);
}

/*
 * The one form both rules and URL paths are compared in. RFC 9309 2.2.2
 * wants "/foo/bar/%62%61%7A" to match "/foo/bar/baz" and a rule written
 * with "https://" to match a path holding "https%3A%2F%2F", so escapes of
 * printable ASCII are decoded, except '%', '*' and '$', which keep their
 * escapes so that they never turn into pattern syntax. Octets outside
 * printable ASCII are escaped, hex upper case. In a rule, '*' stays the
 * wildcard; in a path a literal '*' or '$' is escaped.
 */
static int normalise(kw_buf *out, const char *s, size_t n, bool is_rule)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            unsigned v = (unsigned)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
            if (v > 0x20 && v < 0x7F && v != '%' && v != '*' && v != '$')
                rc = buf_putc(out, (char)v);
            else
                rc = put_escaped(out, v);
        } else if (c == '*' && is_rule) {
            /* Runs of stars are one star; keeps matching linear for them. */
            if (out->len == 0 || out->data[out->len - 1] != '*')
                rc = buf_putc(out, '*');
        } else if (c <= 0x20 || c >= 0x7F || c == '%' || c == '*' || c == '$') {
            rc = put_escaped(out, c);
        } else {
            rc = buf_putc(out, (char)c);
        }
    }
    return rc;
}

/* Where needle first occurs in hay at or after from, or SIZE_MAX: KMP, so
 * linear in both (a rule of '*' then 4,000 'a's and a 'b', against a path
 * of 8,000 'a's, cost their product with a naive search, and a site writes
 * both). */
static size_t find(const char *hay, size_t from, size_t hlen, const char *needle, size_t n)
{
    size_t stack[128], *fail = n <= 128 ? stack : malloc(n * sizeof *fail);
    size_t at = SIZE_MAX;
    if (!fail)
        return SIZE_MAX; /* out of memory: no match, the rule does not apply */
    fail[0] = 0;
    for (size_t i = 1, k = 0; i < n; i++) {
        while (k > 0 && needle[i] != needle[k])
            k = fail[k - 1];
        if (needle[i] == needle[k])
            k++;
        fail[i] = k;
    }
    for (size_t i = from, k = 0; i < hlen; i++) {
        while (k > 0 && hay[i] != needle[k])
            k = fail[k - 1];
        if (hay[i] == needle[k])
            k++;
        if (k == n) {
            at = i + 1 - n;
            break;
        }
    }
    if (fail != stack)
        free(fail);
    return at;
}

/* Whether pattern p ('*' any run of bytes; anchored: it ends with '$')
 * matches a prefix of s (all of s when anchored). The literal runs between
 * the '*'s are found in turn, each leftmost after the one before, which for
 * '*' alone is never worse than another choice: the first at s's start,
 * with '$' the last at its end. */
static bool pattern_match(const char *p, size_t plen, bool anchored, const char *s, size_t slen)
{
    const char *star = memchr(p, '*', plen);
    if (!star)
        return (anchored ? plen == slen : plen <= slen) && memcmp(p, s, plen) == 0;
    size_t si = (size_t)(star - p), pi = si + 1;
    if (si > slen || memcmp(p, s, si) != 0)
        return false;
    for (;;) {
        const char *next = memchr(p + pi, '*', plen - pi);
        size_t seg = (next ? (size_t)(next - p) : plen) - pi;
        if (!next && anchored)
            return seg <= slen - si && memcmp(p + pi, s + slen - seg, seg) == 0;
        if (seg > 0) {
            size_t at = find(s, si, slen, p + pi, seg);
            if (at == SIZE_MAX)
                return false;
            si = at + seg;
        }
        if (!next)
            return true;
        pi = (size_t)(next - p) + 1;
    }
}

static void group_clear(group *g)
{
    for (size_t i = 0; i < g->n_agents; i++)
        free(g->agents[i]);
    free(g->agents);
    for (size_t i = 0; i < g->n_rules; i++)
        free(g->rules[i].pat);
    free(g->rules);
}

void kw_robots_free(kw_robots *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_groups; i++)
        group_clear(&r->groups[i]);
    free(r->groups);
    free(r);
}

bool kw_robots_truncated(const kw_robots *r) { return r && r->truncated; }

/* The product token at the start of s: [A-Za-z_-]+, or "*". */
static size_t product_token(const char *s, size_t n)
{
    if (n > 0 && s[0] == '*')
        return 1;
    size_t i = 0;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                     s[i] == '_' || s[i] == '-'))
        i++;
    return i;
}

static bool key_is(const char *k, size_t kn, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == kn && ascii_ieqn(k, *names, kn))
            return true;
    return false;
}

static const char *const ua_keys[] = {"user-agent", "useragent", "user agent", NULL};
static const char *const allow_keys[] = {"allow", NULL};
/* Misspellings seen in real files; honouring them is the polite reading. */
static const char *const disallow_keys[] = {"disallow", "dissallow", "dissalow", "disalow",
                                            "diasllow", "disallaw", NULL};
static const char *const delay_keys[] = {"crawl-delay", "crawldelay", "crawl delay", NULL};

static int new_group(kw_robots *r)
{
    group *g = realloc(r->groups, (r->n_groups + 1) * sizeof *g);
    if (!g)
        return KW_ENOMEM;
    r->groups = g;
    memset(&g[r->n_groups], 0, sizeof g[0]);
    g[r->n_groups].delay = -1;
    r->n_groups++;
    return 0;
}

static int add_agent(group *g, const char *v, size_t n)
{
    char **a = realloc(g->agents, (g->n_agents + 1) * sizeof *a);
    if (!a)
        return KW_ENOMEM;
    g->agents = a;
    char *s = malloc(n + 1);
    if (!s)
        return KW_ENOMEM;
    memcpy(s, v, n);
    s[n] = '\0';
    g->agents[g->n_agents++] = s;
    return 0;
}

static int add_rule(group *g, const char *v, size_t n, bool allow)
{
    kw_buf b;
    int rc;
    bool anchored = false;
    if (n == 0)
        return 0; /* "Disallow:" with no path is no rule */
    if (v[n - 1] == '$') {
        anchored = true;
        n--;
    }
    buf_init(&b, 0);
    /* A pattern must start with '/' or '*'; "Disallow: foo" means "/foo". */
    if (n == 0 || (v[0] != '/' && v[0] != '*'))
        rc = buf_putc(&b, '/');
    else
        rc = 0;
    if (rc == 0)
        rc = normalise(&b, v, n, true);
    if (rc == 0) {
        rule *nr = realloc(g->rules, (g->n_rules + 1) * sizeof *nr);
        if (!nr) {
            rc = KW_ENOMEM;
        } else {
            g->rules = nr;
            nr[g->n_rules].len = b.len;
            nr[g->n_rules].pat = buf_take(&b);
            nr[g->n_rules].anchored = anchored;
            nr[g->n_rules].allow = allow;
            if (!nr[g->n_rules].pat)
                rc = KW_ENOMEM;
            else
                g->n_rules++;
        }
    }
    buf_release(&b);
    return rc;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

int kw_robots_parse(kw_robots **out, const void *data, size_t len)
{
    const char *s = data;
    kw_robots *r = calloc(1, sizeof *r);
    group *cur = NULL;
    bool cur_has_rules = false;
    int rc = 0;
    *out = NULL;
    if (!r)
        return kw_error_set(KW_ENOMEM, "robots.txt: out of memory");
    if (!s)
        len = 0;
    if (len > KW_ROBOTS_MAX_BYTES) {
        /* Parse up to the limit, dropping the line it cuts. */
        r->truncated = true;
        size_t cut = KW_ROBOTS_MAX_BYTES;
        /* a line that ends right at the limit is whole: its break follows */
        while (cut > 0 && s[cut] != '\n' && s[cut] != '\r' && s[cut - 1] != '\n' &&
               s[cut - 1] != '\r')
            cut--;
        len = cut;
    }
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != '\n' && s[i] != '\r')
            i++;
        size_t end = i;
        if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
            i++;
        i++;
        for (size_t k = start; k < end; k++)
            if (s[k] == '#') {
                end = k;
                break;
            }
        const char *colon = memchr(s + start, ':', end - start);
        if (!colon)
            continue;
        size_t ks = start, ke = (size_t)(colon - s), vs = ke + 1, ve = end;
        while (ks < ke && is_blank(s[ks]))
            ks++;
        while (ke > ks && is_blank(s[ke - 1]))
            ke--;
        while (vs < ve && is_blank(s[vs]))
            vs++;
        while (ve > vs && is_blank(s[ve - 1]))
            ve--;
        const char *k = s + ks, *v = s + vs;
        size_t kn = ke - ks, vn = ve - vs;
        if (key_is(k, kn, ua_keys)) {
            if (!cur || cur_has_rules) {
                if ((rc = new_group(r)))
                    goto cleanup;
                cur = &r->groups[r->n_groups - 1];
                cur_has_rules = false;
            }
            if ((rc = add_agent(cur, v, product_token(v, vn))))
                goto cleanup;
        } else if (key_is(k, kn, allow_keys) || key_is(k, kn, disallow_keys)) {
            if (!cur)
                continue; /* a rule before any user-agent line belongs to no group */
            cur_has_rules = true;
            if ((rc = add_rule(cur, v, vn, key_is(k, kn, allow_keys))))
                goto cleanup;
        } else if (key_is(k, kn, delay_keys) && cur) {
            /* A group member like a rule: "User-agent: *, Crawl-delay: 10,
             * User-agent: other" is two groups, as files in the wild mean. */
            cur_has_rules = true;
            char num[32];
            if (vn == 0 || vn >= sizeof num)
                continue;
            memcpy(num, v, vn);
            num[vn] = '\0';
            char *endp;
            /* a decimal number of seconds ("10", "0.5"); strtod would take
             * 0x10 for 16, "inf" and exponents too */
            int decimal = num[0] != '\0' && strspn(num, "0123456789.") == vn;
            double d = decimal ? strtod(num, &endp) : -1;
            if (decimal && *endp == '\0' && isfinite(d) && d >= 0 && d > cur->delay)
                cur->delay = d;
        }
        /* Sitemap and unknown records neither open nor close a group. */
    }
cleanup:
    if (rc) {
        kw_robots_free(r);
        return kw_error_set(rc, "robots.txt: out of memory");
    }
    *out = r;
    return 0;
}

static bool group_names(const group *g, const char *tok, size_t tn)
{
    for (size_t i = 0; i < g->n_agents; i++) {
        const char *a = g->agents[i];
        if (tn > 0 && strlen(a) == tn && ascii_ieqn(a, tok, tn))
            return true;
    }
    return false;
}

static bool group_is_global(const group *g)
{
    for (size_t i = 0; i < g->n_agents; i++)
        if (strcmp(g->agents[i], "*") == 0)
            return true;
    return false;
}

/* Calls fn on every group that applies to agent: those naming it, else the
 * "*" groups. */
static void each_group(const kw_robots *r, const char *agent,
                       void (*fn)(const group *g, void *ctx), void *ctx)
{
    size_t tn = agent ? product_token(agent, strlen(agent)) : 0;
    bool named = false;
    if (tn == 1 && agent[0] == '*')
        tn = 0;
    for (size_t i = 0; i < r->n_groups; i++)
        if (group_names(&r->groups[i], agent, tn)) {
            fn(&r->groups[i], ctx);
            named = true;
        }
    if (named)
        return;
    for (size_t i = 0; i < r->n_groups; i++)
        if (group_is_global(&r->groups[i]))
            fn(&r->groups[i], ctx);
}

typedef struct verdict {
    const char *path;
    size_t plen;
    size_t best; /* length of the longest matching rule + 1; 0: none */
    bool allow;
} verdict;

static void judge(const group *g, void *ctx)
{
    verdict *v = ctx;
    for (size_t i = 0; i < g->n_rules; i++) {
        const rule *ru = &g->rules[i];
        size_t weight = ru->len + ru->anchored + 1;
        if (weight < v->best || (weight == v->best && v->allow))
            continue;
        if (!pattern_match(ru->pat, ru->len, ru->anchored, v->path, v->plen))
            continue;
        if (weight > v->best)
            v->allow = ru->allow;
        else
            v->allow = v->allow || ru->allow;
        v->best = weight;
    }
}

/* The path and query of url: what follows the authority of an absolute
 * URL, or url itself; the fragment dropped, "" made "/". */
static void path_of(const char *url, const char **p, size_t *n)
{
    const char *s = url, *e;
    const char *colon = strstr(url, "://");
    if (colon) {
        bool scheme = colon > url;
        for (const char *q = url; q < colon; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                  (*q >= '0' && *q <= '9') || *q == '+' || *q == '-' || *q == '.'))
                scheme = false;
        if (scheme) {
            s = colon + 3;
            while (*s && *s != '/' && *s != '?' && *s != '#')
                s++;
        }
    }
    e = s;
    while (*e && *e != '#')
        e++;
    *p = s;
    *n = (size_t)(e - s);
}

bool kw_robots_allowed(const kw_robots *r, const char *agent, const char *url)
{
    const char *p;
    size_t n;
    kw_buf b;
    bool allowed = true;
    if (!r || !url)
        return true;
    path_of(url, &p, &n);
    buf_init(&b, PATH_MAX_MATCH);
    if (n == 0 || p[0] != '/')
        buf_putc(&b, '/');
    normalise(&b, p, n, false); /* a refusal for length keeps the prefix */
    if (b.data && strcmp(b.data, "/robots.txt") == 0) {
        buf_release(&b);
        return true;
    }
    verdict v = {b.data ? b.data : "/", b.data ? b.len : 1, 0, true};
    each_group(r, agent, judge, &v);
    allowed = v.best == 0 || v.allow;
    buf_release(&b);
    return allowed;
}

typedef struct delay_ctx {
    double delay;
} delay_ctx;

static void take_delay(const group *g, void *ctx)
{
    delay_ctx *d = ctx;
    if (g->delay > d->delay)
        d->delay = g->delay;
}

int kw_robots_crawl_delay(double *out, const kw_robots *r, const char *agent, double cap)
{
    delay_ctx d = {-1};
    if (r)
        each_group(r, agent, take_delay, &d);
    if (d.delay < 0)
        return kw_error_set(KW_ENOTFOUND, "robots.txt: no Crawl-delay for '%.64s'",
                            agent ? agent : "*");
    *out = d.delay > cap ? cap : d.delay;
    return 0;
}
