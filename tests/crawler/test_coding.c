/*
 * Content-Encoding as the fetcher decodes it (crawler/coding.c), with the
 * body cut into pieces wherever a network could cut it: gzip with one or
 * two members, zlib and raw deflate, streams the server cut short, bytes
 * after the stream.
 */
#include "testsupport.h"

#include "../../crawler/coding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    char *p;
    size_t n;
} sink;

static int keep(void *ctx, const char *out, size_t len)
{
    sink *s = ctx;
    s->p = realloc(s->p, s->n + len + 1);
    memcpy(s->p + s->n, out, len);
    s->n += len;
    return 0;
}

/* text compressed with windowBits bits (31 gzip, 15 zlib, -15 raw) */
static unsigned char *pack(const char *text, int bits, size_t *len)
{
    size_t n = strlen(text), cap = n + 256;
    unsigned char *out = malloc(cap);
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* Decode body cut at `at` (and again every `step` bytes after it, when
 * step > 0): 0 with what came out in *out and whether it was whole. */
static int decode(const char *header, const unsigned char *body, size_t n, size_t at,
                  size_t step, sink *out, bool *whole)
{
    coding c;
    char why[256];
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    coding_from_header(&c, header);
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t k = i < at ? at - i : step ? step : n - i;
        if (k > n - i)
            k = n - i;
        rc = coding_feed(&c, body + i, k, keep, out, why, sizeof why);
        i += k;
    }
    *whole = coding_whole(&c);
    coding_end(&c);
    return rc;
}

static const char text[] =
    "Lumi serum review: the texture is lovely, it layers well. 露米精华保湿不错，但是有点黏。";

static void every_cut_of_one_and_two_members_decodes_whole(void **state)
{
    (void)state;
    size_t n1, n2;
    unsigned char *a = pack(text, 31, &n1), *b = pack("second member", 31, &n2);
    unsigned char *both = malloc(n1 + n2);
    memcpy(both, a, n1);
    memcpy(both + n1, b, n2);
    char want[512];
    snprintf(want, sizeof want, "%ssecond member", text);
    for (size_t at = 1; at < n1 + n2; at++) {
        sink s;
        bool whole;
        assert_int_equal(decode("gzip", both, n1 + n2, at, 0, &s, &whole), 0);
        assert_true(whole);
        assert_int_equal(s.n, strlen(want));
        assert_memory_equal(s.p, want, s.n);
        free(s.p);
    }
    /* a byte at a time */
    sink s;
    bool whole;
    assert_int_equal(decode("x-gzip", both, n1 + n2, 1, 1, &s, &whole), 0);
    assert_true(whole);
    assert_int_equal(s.n, strlen(want));
    free(s.p);
    free(a), free(b), free(both);
}

static void a_stream_cut_short_is_not_whole_wherever_it_is_cut(void **state)
{
    (void)state;
    size_t n;
    unsigned char *a = pack(text, 31, &n);
    for (size_t end = 1; end < n; end++) {
        sink s;
        bool whole = true;
        int rc = decode("gzip", a, end, end / 2 ? end / 2 : 1, 0, &s, &whole);
        assert_true(rc != 0 || !whole); /* an error, or not whole: never a silent cut */
        free(s.p);
    }
    free(a);
}

static void zlib_and_raw_deflate_decode_in_any_pieces(void **state)
{
    (void)state;
    static const int bits[] = {15, -15};
    for (int k = 0; k < 2; k++) {
        size_t n;
        unsigned char *d = pack(text, bits[k], &n);
        for (size_t step = 1; step <= 3; step++) {
            sink s;
            bool whole;
            assert_int_equal(decode("deflate", d, n, step, step, &s, &whole), 0);
            assert_true(whole);
            assert_int_equal(s.n, strlen(text));
            assert_memory_equal(s.p, text, s.n);
            free(s.p);
        }
        free(d);
    }
}

static void bytes_after_the_stream_are_ignored_other_codings_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *a = pack(text, 31, &n), *padded = malloc(n + 3);
    memcpy(padded, a, n);
    memcpy(padded + n, "\n\0x", 3);
    sink s;
    bool whole;
    assert_int_equal(decode("gzip", padded, n + 3, n, 0, &s, &whole), 0);
    assert_true(whole);
    assert_int_equal(s.n, strlen(text));
    free(s.p);
    /* a stray byte or two that could begin a further member: ignored too */
    static const char *const strays[] = {"\x1f", "\x1f\x8b", "\x1f\x8b\x08\0\0"};
    for (int k = 0; k < 3; k++) {
        size_t ns = strlen(strays[k]) + (k == 2 ? 2 : 0);
        unsigned char *st = malloc(n + ns);
        memcpy(st, a, n);
        memcpy(st + n, strays[k], ns);
        for (size_t at = 1; at <= n + ns; at++) {
            assert_int_equal(decode("gzip", st, n + ns, at, 0, &s, &whole), 0);
            assert_true(whole);
            assert_int_equal(s.n, strlen(text));
            free(s.p);
        }
        free(st);
    }
    /* but a further member's whole header with nothing after it is a cut */
    size_t n2;
    unsigned char *b = pack("second member", 31, &n2), *cut = malloc(n + 10);
    memcpy(cut, a, n);
    memcpy(cut + n, b, 10);
    assert_int_equal(decode("gzip", cut, n + 10, n, 0, &s, &whole), 0);
    assert_false(whole);
    free(s.p);
    free(b), free(cut);
    assert_int_equal(decode("br", padded, n, n, 0, &s, &whole), -1);
    assert_int_equal(decode("gzip, gzip", padded, n, n, 0, &s, &whole), -1);
    /* identity is none */
    assert_int_equal(decode("identity", (const unsigned char *)"plain", 5, 5, 0, &s, &whole), 0);
    assert_int_equal(s.n, 5);
    free(s.p);
    free(a), free(padded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_cut_of_one_and_two_members_decodes_whole),
        cmocka_unit_test(a_stream_cut_short_is_not_whole_wherever_it_is_cut),
        cmocka_unit_test(zlib_and_raw_deflate_decode_in_any_pieces),
        cmocka_unit_test(bytes_after_the_stream_are_ignored_other_codings_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
