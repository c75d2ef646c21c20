/*
 * Content-Encoding (see coding.h).
 */
#include "coding.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void coding_from_header(coding *c, const char *value)
{
    coding_end(c);
    memset(c, 0, sizeof *c);
    if (!value)
        return;
    snprintf(c->name, sizeof c->name, "%s", value);
    /* a list of codings, applied in order; identity is none */
    int n = 0;
    coding_kind kind = CODING_NONE;
    for (const char *p = value; *p;) {
        p += strspn(p, " \t,");
        size_t k = strcspn(p, " \t,");
        if (k == 0)
            break;
        if (!(k == 8 && strncasecmp(p, "identity", 8) == 0)) {
            n++;
            if ((k == 4 && strncasecmp(p, "gzip", 4) == 0) ||
                (k == 6 && strncasecmp(p, "x-gzip", 6) == 0))
                kind = CODING_GZIP;
            else if (k == 7 && strncasecmp(p, "deflate", 7) == 0)
                kind = CODING_DEFLATE;
            else
                kind = CODING_OTHER;
        }
        p += k;
    }
    c->kind = n > 1 ? CODING_OTHER : kind; /* gzip over gzip: not asked for */
}

/* Start the decoder; for deflate, p (n >= 2 bytes, or the whole body)
 * tells zlib's wrapping from raw deflate. */
static int start(coding *c, const unsigned char *p, size_t n, char *why, size_t size)
{
    int bits = 15 + 16; /* gzip */
    if (c->kind == CODING_DEFLATE) {
        /* zlib's header: CM 8, and the first two bytes a multiple of 31 */
        bool zlib = n < 2 || ((p[0] & 0x0F) == 8 && ((p[0] << 8) | p[1]) % 31 == 0);
        bits = zlib ? 15 : -15;
    }
    if (inflateInit2(&c->z, bits) != Z_OK) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    c->started = true;
    return 0;
}

static int inflate_some(coding *c, const unsigned char *p, size_t n,
                        int (*emit)(void *ctx, const char *out, size_t len), void *ctx,
                        char *why, size_t size)
{
    unsigned char out[16384];
    c->z.next_in = (unsigned char *)p;
    c->z.avail_in = (uInt)n;
    while (c->z.avail_in > 0) {
        if (c->ended) {
            /* gzip may hold several members, one after the other; other
             * bytes after the stream are ignored, as libcurl ignores them */
            if (c->kind != CODING_GZIP || c->trailing || inflateReset(&c->z) != Z_OK)
                return 0;
            c->ended = false;
            c->extra = true;
        }
        c->z.next_out = out;
        c->z.avail_out = sizeof out;
        int zr = inflate(&c->z, Z_NO_FLUSH);
        if (zr == Z_DATA_ERROR && c->extra && c->z.total_out == 0) {
            c->ended = c->trailing = true; /* no further member: trailing bytes */
            return 0;
        }
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
            snprintf(why, size, "the body is not valid %s data (%s)", c->name,
                     c->z.msg ? c->z.msg : "corrupt");
            return -1;
        }
        size_t got = sizeof out - c->z.avail_out;
        int rc = got ? emit(ctx, (const char *)out, got) : 0;
        if (rc)
            return rc;
        if (zr == Z_STREAM_END)
            c->ended = true;
        else if (zr == Z_BUF_ERROR && got == 0)
            break; /* needs more input */
    }
    return 0;
}

int coding_feed(coding *c, const unsigned char *p, size_t n,
                int (*emit)(void *ctx, const char *out, size_t len), void *ctx, char *why,
                size_t size)
{
    if (n == 0)
        return 0;
    if (c->kind == CODING_NONE)
        return emit(ctx, (const char *)p, n);
    if (c->kind == CODING_OTHER) {
        snprintf(why, size, "the server sent Content-Encoding '%s', which was not asked for "
                            "(only " CODING_ACCEPTED ")", c->name);
        return -1;
    }
    if (!c->started) {
        if (c->kind == CODING_DEFLATE && c->nfirst + n < 2) {
            c->first = p[0]; /* one byte tells zlib's wrapping from raw: wait */
            c->nfirst = 1;
            return 0;
        }
        unsigned char head[2] = {c->nfirst ? c->first : p[0], c->nfirst ? p[0] : p[1]};
        if (start(c, head, 2, why, size))
            return -1;
        if (c->nfirst) {
            int rc = inflate_some(c, &c->first, 1, emit, ctx, why, size);
            c->nfirst = 0;
            if (rc)
                return rc;
        }
    }
    return inflate_some(c, p, n, emit, ctx, why, size);
}

bool coding_whole(const coding *c)
{
    /* after a whole gzip member, fewer bytes than a member's 10-byte header
     * are stray bytes (a lone 0x1F), not a further member cut short */
    return c->kind == CODING_NONE || (!c->started && !c->nfirst) || c->ended ||
           (c->extra && c->z.total_out == 0 && c->z.total_in < 10);
}

void coding_end(coding *c)
{
    if (c->started)
        inflateEnd(&c->z);
    c->started = false;
}
