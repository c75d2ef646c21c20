/*
 * The crawler's fast 128-bit hash (crawler/hash128.c): bytes given in
 * pieces hash as given at once, whatever the cut; any byte changed, added
 * or taken away changes the hash.
 */
#include "testsupport.h"

#include "../../crawler/hash128.h"

#include <string.h>

static void hash_of(const unsigned char *p, size_t len, size_t cut, uint64_t out[2])
{
    hash128 h;
    hash128_begin(&h);
    hash128_add(&h, p, cut);
    hash128_add(&h, p + cut, len - cut);
    hash128_end(&h, out);
}

static void pieces_hash_as_the_whole(void **state)
{
    (void)state;
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof buf; len += len < 70 ? 1 : 23) {
        uint64_t whole[2], part[2];
        hash_of(buf, len, 0, whole);
        for (size_t cut = 0; cut <= len; cut++) {
            hash_of(buf, len, cut, part);
            if (part[0] != whole[0] || part[1] != whole[1])
                fail_msg("%zu bytes cut at %zu hash otherwise", len, cut);
        }
    }
}

static void any_change_changes_the_hash(void **state)
{
    (void)state;
    unsigned char buf[200] = {0};
    uint64_t base[2], other[2];
    for (size_t len = 1; len < sizeof buf; len += 13) {
        hash_of(buf, len, 0, base);
        hash_of(buf, len - 1, 0, other); /* one byte shorter (a zero byte) */
        assert_true(base[0] != other[0] || base[1] != other[1]);
        for (size_t i = 0; i < len; i++)
            for (int bit = 0; bit < 8; bit++) {
                buf[i] ^= (unsigned char)(1u << bit);
                hash_of(buf, len, 0, other);
                buf[i] ^= (unsigned char)(1u << bit);
                if (other[0] == base[0] || other[1] == base[1])
                    fail_msg("bit %d of byte %zu of %zu: a half of the hash stays", bit, i, len);
            }
    }
    char hex[33];
    hash128_hex((const uint64_t[]){0x0123456789abcdefu, 0xfedcba9876543210u}, hex);
    assert_string_equal(hex, "0123456789abcdeffedcba9876543210");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces_hash_as_the_whole),
        cmocka_unit_test(any_change_changes_the_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
