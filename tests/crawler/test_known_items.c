/*
 * The pipeline's set of items it has read (crawler/known_items.c): what it
 * says is known was put there, with every brand bit put; items differing
 * in any field, or in where one field ends, are different; it grows, and
 * at its limit starts again rather than answer wrongly.
 */
#include "testsupport.h"

#include "../../crawler/known_items.h"

#include <stdio.h>
#include <string.h>

static void key_of(uint64_t key[2], int i)
{
    char url[128];
    snprintf(url, sizeof url, "https://news%d.example.com/a/%d?id=%d", i % 97, i, i * 7);
    const char *parts[] = {url, "Lumi serum", i % 3 ? "lovely texture" : NULL, "Dana", "blog"};
    known_key(key, parts, 5);
}

static void remembers_what_was_put_with_every_brand_bit(void **state)
{
    (void)state;
    known_items k;
    uint64_t key[2], mask = 99;
    known_init(&k, 1 << 20);
    key_of(key, 1);
    assert_int_equal(known_get(&k, key, &mask), 0);
    for (int i = 0; i < 100000; i++) {
        key_of(key, i);
        known_put(&k, key, i % 65 ? UINT64_C(1) << (i % 65 - 1) : 0); /* 0: no brand's */
    }
    key_of(key, 5);
    known_put(&k, key, 1u << 9);
    for (int i = 0; i < 100000; i++) {
        key_of(key, i);
        uint64_t want = (i % 65 ? UINT64_C(1) << (i % 65 - 1) : 0) | (i == 5 ? 1u << 9 : 0);
        if (!known_get(&k, key, &mask) || mask != want)
            fail_msg("item %d: mask %llx, want %llx", i, (unsigned long long)mask,
                     (unsigned long long)want);
    }
    known_clear(&k);
    key_of(key, 1);
    assert_int_equal(known_get(&k, key, &mask), 0);
    known_free(&k);
}

static void items_differing_anywhere_are_different(void **state)
{
    (void)state;
    known_items k;
    uint64_t a[2], b[2], mask;
    known_init(&k, 1000);
    const char *one[] = {"https://a.example.com/1", "t", "text", NULL, "blog"};
    known_key(a, one, 5);
    known_put(&k, a, 1);
    static const char *const others[][5] = {
        {"https://a.example.com/2", "t", "text", NULL, "blog"},
        {"https://a.example.com/1", "t", "text.", NULL, "blog"},
        {"https://a.example.com/1", "t", "text", "Dana", "blog"},
        {"https://a.example.com/1", "t", "text", NULL, "news"},
        {"https://a.example.com/1", "", "ttext", NULL, "blog"}, /* a field ends elsewhere */
        {"https://a.example.com/1", "tt", "ext", NULL, "blog"},
        {"https://a.example.com/1", "t", "text", "", "blog"}, /* missing is not empty */
    };
    for (int i = 0; i < 7; i++) {
        known_key(b, others[i], 5);
        if (known_get(&k, b, &mask))
            fail_msg("item %d is taken for the first", i);
    }
    known_key(b, one, 5);
    assert_int_equal(known_get(&k, b, &mask), 1);
    assert_int_equal(mask, 1);
    known_free(&k);
}

static void at_its_limit_it_forgets_and_never_answers_wrongly(void **state)
{
    (void)state;
    known_items k;
    uint64_t key[2], mask;
    known_init(&k, 2000);
    int remembered = 0;
    for (int i = 0; i < 20000; i++) {
        key_of(key, i);
        known_put(&k, key, 2);
    }
    assert_true(k.n <= 2048);
    for (int i = 0; i < 20000; i++) {
        key_of(key, i);
        if (known_get(&k, key, &mask)) {
            assert_int_equal(mask, 2);
            remembered++;
        }
    }
    assert_true(remembered > 0 && remembered <= 2048);
    key_of(key, 19999); /* the last put is still there */
    assert_int_equal(known_get(&k, key, &mask), 1);
    known_free(&k);
    known_init(&k, 0); /* remembers nothing */
    known_put(&k, key, 2);
    assert_int_equal(known_get(&k, key, &mask), 0);
    known_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remembers_what_was_put_with_every_brand_bit),
        cmocka_unit_test(items_differing_anywhere_are_different),
        cmocka_unit_test(at_its_limit_it_forgets_and_never_answers_wrongly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
