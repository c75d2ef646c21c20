/* Near copies: signatures and full comparisons of reposts, edits, spellings
 * and other texts. */
#include "testsupport.h"

#include "kolwatch/crawl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many of the four signature bands two texts share (-1: no signature). */
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

/* Whether b is a copy of a, compared in full. */
static int copy(const char *a, const char *b)
{
    kw_copy_check *c = NULL;
    assert_int_equal(kw_copy_check_new(&c, a, strlen(a)), 0);
    int is = kw_copy_check_is(c, b);
    kw_copy_check_free(c);
    return is;
}

static const char zh[] = "用了 Lumi 面霜之后脸上起了好多小红疹，过敏了，客服还一直推脱，"
                         "要求退款！已经向消费者协会投诉，大家千万不要再买这个牌子的面霜了。";
static const char en[] = "Tried the Lumi serum for two weeks and honestly I love it, my skin "
                         "feels so soft and it layers well under makeup every single morning.";
static const char *const more[] = {
    "Glowa 的防晒一点都不油，夏天必备，已经空瓶三支了，会一直回购下去，推荐给所有油皮的姐妹们。",
    "收到货了，包装很严实，瓶子没有漏，味道淡淡的很好闻，用了一周皮肤明显变亮了，会回购。",
    ("The pump broke on day three and customer service never answered my emails, so I am "
     "returning it and buying something else this time."),
    "这家店的发货速度太慢了，等了整整十天才到，而且盒子都压扁了，体验非常差，不会再买了。",
};

static void reposts_share_a_band_and_count_as_copies(void **state)
{
    (void)state;
    char repost[512];
    const char *texts[6] = {zh, en, more[0], more[1], more[2], more[3]};
    for (int i = 0; i < 6; i++) {
        snprintf(repost, sizeof repost, "%s%s%s", texts[i][0] & 0x80 ? "转发：" : "RT @someone: ",
                 texts[i], texts[i][0] & 0x80 ? " #避雷#" : " #skincare");
        if (shared(texts[i], repost) < 1 || !copy(texts[i], repost) || !copy(repost, texts[i]))
            fail_msg("text %d: repost shares %d bands, copy %d", i, shared(texts[i], repost),
                     copy(texts[i], repost));
    }
    /* Full-width, case and traditional forms are the same text. */
    static const char trad[] = "用了 ＬＵＭＩ 面霜之后臉上起了好多小紅疹，過敏了，客服還一直推脫，"
                               "要求退款！已經向消費者協會投訴，大家千萬不要再買這個牌子的面霜了。";
    assert_int_equal(shared(trad, zh), 4);
    assert_true(copy(trad, zh));
    /* One word changed is still a copy. */
    assert_true(copy(en, "Tried the Lumi serum for three weeks and honestly I love it, my skin "
                         "feels so soft and it layers well under makeup every single morning."));
}

static void different_texts_share_no_band_and_are_no_copies(void **state)
{
    (void)state;
    const char *texts[6] = {zh, en, more[0], more[1], more[2], more[3]};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            if (i != j && (shared(texts[i], texts[j]) != 0 || copy(texts[i], texts[j])))
                fail_msg("texts %d and %d: %d bands shared, copy %d", i, j,
                         shared(texts[i], texts[j]), copy(texts[i], texts[j]));
    /* Short posts of the same trade share their common words, not their text. */
    assert_false(copy("味道很好，送餐速度也很快，下次还会再点。", "送餐很快，态度也很好，谢谢，下次再来。"));
    assert_false(copy("今天忙到忘了给我放糖，下次希望别忘了。", "今天真是超级快，感觉刚下单就送到了。"));
    /* A text inside one three times as long is quoted, not copied. */
    char longer[1024];
    snprintf(longer, sizeof longer, "%s %s %s", more[1], zh, more[3]);
    assert_false(copy(zh, longer));
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

/* Stored mentions keep the bands they were given: a version that computed
 * other values for the same text would no longer find them as originals.
 * These are the values the stored bands were made with. */
static void signatures_stay_those_stored_mentions_have(void **state)
{
    (void)state;
    static const uint64_t want[2][4] = {
        {0x7abf3d427629a4fbu, 0xbef12f52d8874635u, 0xc86dca5b4657ab67u, 0x24b95a6a9efd9882u},
        {0x75bc73404c74b7b1u, 0x51c8dd5306dd84b0u, 0xa910ba25d42e8b32u, 0x2cfd9d1dbcee84a4u}};
    const char *text[2] = {zh, en};
    for (int t = 0; t < 2; t++) {
        uint64_t s[4];
        assert_int_equal(kw_text_signature(text[t], strlen(text[t]), s), 1);
        for (int b = 0; b < 4; b++)
            if (s[b] != want[t][b])
                fail_msg("text %d band %d: %016llx, stored bands have %016llx", t, b,
                         (unsigned long long)s[b], (unsigned long long)want[t][b]);
    }
}

/* A text of about len bytes from pieces that fold differently: words,
 * CJK, blanks, punctuation, an ignored joiner, full-width letters, bad
 * bytes. */
static char *random_text(unsigned *seed, size_t len)
{
    static const char *const piece[] = {"serum ", "Lumi", "好用", "精华", "，", " ", "\xe2\x80\x8d",
                                        "ＬＵＭＩ", "\xff", "\xe4\xbd", "texture ", "贵。",
                                        "don't ", "\xf0\x9f\x98\x80", "過敏", "7 "};
    size_t n = sizeof piece / sizeof *piece, used = 0;
    char *t = malloc(len + 16);
    while (used < len) {
        const char *p = piece[rand_r(seed) % n];
        size_t l = strlen(p);
        memcpy(t + used, p, l);
        used += l;
    }
    t[used] = '\0';
    return t;
}

/* The pipeline builds its check from the text its brand queries folded,
 * made again for each new text: the signature and every verdict are those
 * of the check built from the raw text, also for texts over the 64 KiB
 * read, cut inside a character. */
static void a_check_from_folded_text_is_the_check_from_raw_text(void **state)
{
    (void)state;
    unsigned seed = 7;
    char *other = random_text(&seed, 400);
    kw_copy_check *again = NULL; /* made again for every text */
    for (int round = 0; round < 300; round++) {
        char *t = random_text(&seed, 20 + (size_t)rand_r(&seed) % 600);
        size_t len = strlen(t);
        if (round >= 200) { /* words across the 64 KiB read, after blanks */
            size_t pad = 65536 - 80 + (size_t)rand_r(&seed) % 40;
            char *longer = malloc(pad + len + 1);
            memset(longer, ' ', pad);
            memcpy(longer + pad, t, len + 1);
            free(t);
            t = longer;
            len = strlen(t);
        }
        if (round % 3 == 0) /* a copy of t to compare with: t with a prefix */
            snprintf(other, 400, "转发：%.380s", t);
        size_t n = 0;
        kw_folded_char *fc = malloc(len * sizeof *fc);
        assert_int_equal(kw_text_fold(fc, len, &n, t, len), 0);
        kw_copy_check *raw = NULL, *folded = NULL;
        assert_int_equal(kw_copy_check_new(&raw, t, len), 0);
        assert_int_equal(kw_copy_check_new_folded(&folded, fc, n), 0);
        uint64_t a[4] = {0}, b[4] = {0};
        int ha = kw_copy_check_signature(raw, a), hb = kw_copy_check_signature(folded, b);
        assert_int_equal(ha, hb);
        assert_memory_equal(a, b, sizeof a);
        assert_int_equal(kw_copy_check_is(raw, other), kw_copy_check_is(folded, other));
        assert_int_equal(kw_copy_check_is(raw, t), kw_copy_check_is(folded, t));
        assert_int_equal(kw_copy_check_new_folded(&again, fc, n), 0);
        assert_int_equal(kw_copy_check_signature(again, b), ha);
        assert_memory_equal(a, b, sizeof a);
        assert_int_equal(kw_copy_check_is(again, other), kw_copy_check_is(raw, other));
        kw_copy_check_free(raw);
        kw_copy_check_free(folded);
        free(fc);
        free(t);
    }
    kw_copy_check_free(again);
    free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reposts_share_a_band_and_count_as_copies),
        cmocka_unit_test(different_texts_share_no_band_and_are_no_copies),
        cmocka_unit_test(short_texts_have_no_signature),
        cmocka_unit_test(signatures_stay_those_stored_mentions_have),
        cmocka_unit_test(a_check_from_folded_text_is_the_check_from_raw_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
