/*
 * The pipeline's set of known mentions (crawler/known_urls.c): what it
 * says is known was put there, with every brand bit put; it grows, and at
 * its limit starts again rather than answer wrongly.
 */
#include "testsupport.h"

#include "../../crawler/known_urls.h"

#include <stdio.h>
#include <string.h>

static void url_of(char *buf, size_t size, int i)
{
    snprintf(buf, size, "https://news%d.example.com/a/%d?id=%d", i % 97, i, i * 7);
}

static void remembers_what_was_put_with_every_brand_bit(void **state)
{
    (void)state;
    known_urls k;
    char url[128];
    known_init(&k, 1 << 20);
    assert_int_equal(known_get(&k, "https://a.example.com/1"), 0);
    for (int i = 0; i < 100000; i++) {
        url_of(url, sizeof url, i);
        known_put(&k, url, UINT64_C(1) << (i % 64));
    }
    url_of(url, sizeof url, 5);
    known_put(&k, url, 1u << 9);
    for (int i = 0; i < 100000; i++) {
        url_of(url, sizeof url, i);
        uint64_t want = (UINT64_C(1) << (i % 64)) | (i == 5 ? 1u << 9 : 0);
        if (known_get(&k, url) != want)
            fail_msg("url %d: mask %llx, want %llx", i, (unsigned long long)known_get(&k, url),
                     (unsigned long long)want);
        /* a URL never put: a near miss of a known one */
        url[strlen(url) - 1] ^= 0x40;
        assert_int_equal(known_get(&k, url), 0);
    }
    known_clear(&k);
    url_of(url, sizeof url, 1);
    assert_int_equal(known_get(&k, url), 0);
    known_free(&k);
}

static void at_its_limit_it_forgets_and_never_answers_wrongly(void **state)
{
    (void)state;
    known_urls k;
    char url[128];
    known_init(&k, 2000);
    int remembered = 0;
    for (int i = 0; i < 20000; i++) {
        url_of(url, sizeof url, i);
        known_put(&k, url, 2);
    }
    assert_true(k.n <= 2048);
    for (int i = 0; i < 20000; i++) {
        url_of(url, sizeof url, i);
        uint64_t m = known_get(&k, url);
        assert_true(m == 0 || m == 2);
        remembered += m == 2;
    }
    assert_true(remembered > 0 && remembered <= 2048);
    url_of(url, sizeof url, 19999); /* the last put is still there */
    assert_int_equal(known_get(&k, url), 2);
    known_free(&k);
    known_init(&k, 0); /* remembers nothing */
    known_put(&k, url, 2);
    assert_int_equal(known_get(&k, url), 0);
    known_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remembers_what_was_put_with_every_brand_bit),
        cmocka_unit_test(at_its_limit_it_forgets_and_never_answers_wrongly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
