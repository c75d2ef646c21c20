/* Near-duplicates: signatures of reposts, edits, spellings and other texts. */
#include "testsupport.h"

#include "kolwatch/crawl.h"

#include <stdio.h>
#include <string.h>

/* How many of the four signature values two texts share (-1: no signature). */
static int shared(const char *a, const char *b)
{
    uint64_t x[4], y[4];
    if (!kw_text_signature(a, strlen(a), x) || !kw_text_signature(b, strlen(b), y))
        return -1;
    int n = 0;
    for (int i = 0; i < 4; i++)
        n += x[i] == y[i];
    return n;
}

static const char zh[] = "用了 Lumi 面霜之后脸上起了好多小红疹，过敏了，客服还一直推脱，"
                         "要求退款！已经向消费者协会投诉，大家千万不要再买这个牌子的面霜了。";
static const char en[] = "Tried the Lumi serum for two weeks and honestly I love it, my skin "
                         "feels so soft and it layers well under makeup every single morning.";

static void reposts_share_at_least_three_values(void **state)
{
    (void)state;
    char repost[512];
    snprintf(repost, sizeof repost, "转发：%s #避雷#", zh);
    assert_true(shared(zh, repost) >= 3);
    snprintf(repost, sizeof repost, "RT @someone: %s", en);
    assert_true(shared(en, repost) >= 3);
    /* Full-width, case and traditional forms are the same text. */
    assert_int_equal(shared("用了 ＬＵＭＩ 面霜之后臉上起了好多小紅疹，過敏了，客服還一直推脫，"
                            "要求退款！已經向消費者協會投訴，大家千萬不要再買這個牌子的面霜了。",
                            zh), 4);
}

static void different_texts_share_none(void **state)
{
    (void)state;
    const char *other = "Glowa 的防晒一点都不油，夏天必备，已经空瓶三支了，会一直回购下去，"
                        "推荐给所有油皮的姐妹们，真的很好用。";
    assert_int_equal(shared(zh, other), 0);
    assert_int_equal(shared(zh, en), 0);
}

static void short_texts_have_no_signature(void **state)
{
    (void)state;
    uint64_t s[4];
    assert_int_equal(kw_text_signature("好用", 6, s), 0);
    assert_int_equal(kw_text_signature("great product", 13, s), 0);
    assert_int_equal(kw_text_signature(NULL, 0, s), 0);
    assert_int_equal(kw_text_signature(en, strlen(en), s), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reposts_share_at_least_three_values),
        cmocka_unit_test(different_texts_share_none),
        cmocka_unit_test(short_texts_have_no_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
