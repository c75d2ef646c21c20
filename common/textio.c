/*
 * Bounded line reading and hashing of text. A line over the limit is
 * skipped with an error for that line, never buffered whole.
 */
#include "kolwatch/textio.h"
#include "kolwatch/error.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct kw_linereader {
    FILE *f;
    size_t max;
    char *buf; /* max + 2 bytes: the line, its newline, NUL */
    long lineno;
};

int kw_linereader_new(kw_linereader **out, FILE *f, size_t max)
{
    kw_linereader *r = calloc(1, sizeof *r);
    if (!r || !(r->buf = malloc(max + 2))) {
        free(r);
        return kw_error_set(KW_ENOMEM, "out of memory for a %zu-byte line buffer", max);
    }
    r->f = f;
    r->max = max;
    *out = r;
    return 0;
}

void kw_linereader_free(kw_linereader *r)
{
    if (r) {
        free(r->buf);
        free(r);
    }
}

int kw_linereader_next(kw_linereader *r, char **line, size_t *len, long *lineno)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(r->f)) != EOF) {
        if (c == '\n')
            break;
        if (n == r->max + 1) {
            /* Over the limit: skip to the end of this line. */
            while ((c = getc_unlocked(r->f)) != EOF && c != '\n')
                ;
            *lineno = ++r->lineno;
            return kw_error_set(KW_ETOOBIG, "line %ld is longer than %zu bytes",
                                r->lineno, r->max);
        }
        r->buf[n++] = (char)c;
    }
    if (c == EOF && ferror(r->f))
        return kw_error_set(KW_EIO, "read error after line %ld", r->lineno);
    if (c == EOF && n == 0)
        return 0;
    if (n > 0 && r->buf[n - 1] == '\r')
        n--;
    if (n > r->max) {
        *lineno = ++r->lineno;
        return kw_error_set(KW_ETOOBIG, "line %ld is longer than %zu bytes", r->lineno,
                            r->max);
    }
    r->buf[n] = '\0';
    *line = r->buf;
    *len = n;
    *lineno = ++r->lineno;
    return 1;
}

/* SHA-256 fetched once: EVP_sha256() makes OpenSSL look the algorithm up
 * again on every digest, which costs more than hashing a post. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static void sha256_fetch(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

void kw_sha256_hex(char out[65], const void *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    pthread_once(&sha256_once, sha256_fetch);
    EVP_Digest(data, len, md, &mdlen, sha256_md ? sha256_md : EVP_sha256(), NULL);
    for (unsigned i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* Whether byte c is kept as it is, whatever follows it: not a C0 control
 * (newline and tab aside), not DEL, not the first byte of a C1 one. */
static int plain_byte(unsigned char c)
{
    return c >= 0x20 ? c != 0x7F && c != 0xC2 : c == '\n' || c == '\t';
}

void kw_controls_replace(char *s, char with)
{
    if (!s)
        return;
    /* Nearly every text has nothing to replace: read up to the first byte
     * that may need it without writing; the loop below goes on from there
     * exactly as from the start (what was skipped is copied to itself). */
    while (plain_byte((unsigned char)*s))
        s++;
    if (!*s)
        return;
    char *o = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            *o++ = with, p++;
        else
            *o++ = (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F ? with : (char)*p;
    }
    *o = '\0';
}
