/* Fuzz target: near-copy signatures and comparisons (crawler/dedupe.c) on
 * any bytes: the input is two texts split at the first 0xff byte. A text
 * is a copy of itself with the same signature; the comparison of two
 * texts gives the same answer both ways round; a check built from the
 * folded text (as the pipeline builds it) is the check built from the
 * raw text. */
#include "kolwatch/crawl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cut = memchr(data, 0xff, size);
    size_t la = cut ? (size_t)(cut - data) : size, lb = cut ? size - la - 1 : 0;
    char *a = malloc(la + 1), *b = malloc(lb + 1);
    kw_copy_check *ca = NULL, *cb = NULL, *cf = NULL;
    kw_folded_char *fc = NULL;
    uint64_t s1[4], s2[4];
    if (!a || !b)
        goto done;
    memcpy(a, data, la);
    a[la] = '\0';
    memcpy(b, cut ? cut + 1 : data, lb);
    b[lb] = '\0';
    if (kw_copy_check_new(&ca, a, strlen(a)) || kw_copy_check_new(&cb, b, strlen(b)))
        goto done;
    int sa = kw_copy_check_signature(ca, s1);
    if (sa != kw_text_signature(a, strlen(a), s2) || (sa && memcmp(s1, s2, sizeof s1) != 0))
        abort(); /* the two ways to the signature agree */
    if (sa && !kw_copy_check_is(ca, a))
        abort(); /* a text is a copy of itself */
    if (kw_copy_check_is(ca, b) != kw_copy_check_is(cb, a))
        abort(); /* the comparison is symmetric */
    size_t n = 0, l = strlen(a);
    if (!(fc = malloc((l ? l : 1) * sizeof *fc)) || kw_text_fold(fc, l, &n, a, l) ||
        kw_copy_check_new_folded(&cf, fc, n))
        goto done;
    if (kw_copy_check_signature(cf, s2) != sa || (sa && memcmp(s1, s2, sizeof s1) != 0))
        abort(); /* the folded way to the signature agrees */
    if (kw_copy_check_is(cf, b) != kw_copy_check_is(ca, b))
        abort(); /* and so does the comparison */
done:
    kw_copy_check_free(cf);
    free(fc);
    kw_copy_check_free(ca);
    kw_copy_check_free(cb);
    free(a);
    free(b);
    return 0;
}
