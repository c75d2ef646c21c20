/*
 * Rules of the scorer (sentiment/scorer.c), each in Chinese and English,
 * checked by sign and ordering on hand-made sentences, never by magic
 * numbers.
 */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kw_scorer *scorer;

static int setup(void **state)
{
    (void)state;
    kw_scorer_options o;
    kw_scorer_options_init(&o);
    if (kw_scorer_new(&scorer, &o)) {
        fprintf(stderr, "%s\n", kw_error_last());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kw_scorer_free(scorer);
    return 0;
}

static double sc(const char *text)
{
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, text, strlen(text), &r), 0);
    double s = r.score;
    kw_result_release(&r);
    return s;
}

static kw_label label(const char *text)
{
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, text, strlen(text), &r), 0);
    kw_label l = r.label;
    kw_result_release(&r);
    return l;
}

/* Whether the hit covering `term` carries a modifier of this kind. */
static int has_mod(const char *text, const char *term, kw_modifier_kind kind)
{
    kw_result r;
    int found = 0;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, text, strlen(text), &r), 0);
    for (size_t i = 0; i < r.nhits; i++) {
        const kw_hit *h = &r.hits[i];
        if (h->len == strlen(term) && memcmp(text + h->offset, term, h->len) == 0)
            for (int m = 0; m < h->nmods; m++)
                if (h->mods[m].kind == kind)
                    found = 1;
    }
    kw_result_release(&r);
    return found;
}

static void plain_words__have_their_sign(void **state)
{
    (void)state;
    assert_true(sc("这家店很好") > 0);
    assert_true(sc("这家店太差了") < 0);
    assert_true(sc("The hotel was great") > 0);
    assert_true(sc("The hotel was awful") < 0);
    assert_int_equal(label("这是一本书"), KW_LABEL_NEUTRAL);
    assert_int_equal(label("This is a book"), KW_LABEL_NEUTRAL);
    assert_int_equal(label(""), KW_LABEL_NEUTRAL);
}

static void negator_before_positive_word__flips_sign(void **state)
{
    (void)state;
    assert_true(sc("好") > 0);
    assert_true(sc("不满意") < 0);
    assert_true(sc("并不满意") < 0);
    assert_true(sc("服务没有想象中好") < 0);
    assert_true(sc("good") > 0);
    assert_true(sc("not good") < 0);
    assert_true(sc("it isn't good") < 0);
    assert_true(has_mod("it isn't good", "isn't good", KW_MOD_NEGATED));
    assert_true(sc("I never liked it") < 0);
    assert_true(sc("never again") < 0);
    assert_true(sc("not bad") > 0);
}

static void negator_across_degree_word__is_a_milder_negation(void **state)
{
    (void)state;
    assert_true(sc("不太好") < 0);
    assert_true(sc("不太好") > sc("不好"));
    assert_true(sc("没有那么好") < 0);
    assert_true(sc("不是很满意") < 0);
    assert_true(sc("it isn't very good") < 0);
    assert_true(sc("it isn't very good") > sc("it is bad"));
    assert_true(has_mod("不太好", "不太好", KW_MOD_DEGREE));
    assert_true(has_mod("不太好", "不太好", KW_MOD_NEGATED));
    /* the degree word right after the negator reaches as far as it does */
    assert_true(sc("不太令人满意") < 0);
    assert_true(sc("不太令人满意") > sc("很不满意"));
    assert_true(has_mod("不太令人满意", "不太令人满意", KW_MOD_NEGATED));
}

static void double_negation__is_positive(void **state)
{
    (void)state;
    assert_true(sc("不是不好") > 0);
    assert_true(sc("不是不好") < sc("好"));
    assert_true(sc("it is not that I do not like it") > sc("I do not like it"));
}

static void negator_does_not_reach_across_clauses(void **state)
{
    (void)state;
    assert_true(sc("没有问题，很好") > 0);
    assert_true(sc("没想到这么好吃") > 0); /* 没想到 is no negation */
    assert_true(sc("非常好") > 0);          /* 非常 is no 非 */
    assert_true(sc("no, it is great") > 0);
}

static void degree_words__order_by_strength(void **state)
{
    (void)state;
    assert_true(sc("极其好") > sc("非常好"));
    assert_true(sc("非常好") > sc("好"));
    assert_true(sc("特别满意") > sc("满意"));
    assert_true(sc("超好吃") > sc("好吃"));
    assert_true(sc("好") > sc("有点好"));
    assert_true(sc("有点好") > 0);
    assert_true(sc("稍微贵") < 0 && sc("稍微贵") > sc("贵"));
    assert_true(sc("extremely good") > sc("very good"));
    /* 没吃过这么难吃的: "never such" is a superlative, not a negation */
    assert_true(sc("没吃过这么难吃的") < sc("难吃"));
    assert_true(sc("没吃过这么好吃的") > sc("好吃"));
    assert_true(sc("速度不是一般的慢") < sc("速度慢"));
    assert_true(sc("very good") > sc("good"));
    assert_true(sc("good") > sc("slightly good"));
    assert_true(sc("kind of good") < sc("good") && sc("kind of good") > 0);
    assert_true(has_mod("非常好", "非常好", KW_MOD_DEGREE));
}

static void contrast__clause_after_weighs_more(void **state)
{
    (void)state;
    assert_true(sc("环境不错，但是服务很差") < 0);
    assert_true(sc("服务很差，但是环境不错") > 0);
    assert_true(sc("价格有点贵，不过味道很好") > 0);
    assert_true(sc("虽然很贵，味道很好") > 0);
    assert_true(sc("The room was nice but the staff were rude") < 0);
    assert_true(sc("The staff were rude but the room was nice") > 0);
    assert_true(sc("Although it is expensive, it is great") > 0);
    assert_true(has_mod("环境不错，但是服务很差", "很差", KW_MOD_CONTRAST));
    /* a contrast word weighs its own sentence, and the one before when it
     * opens a sentence; not the whole review */
    const char *review = "The staff were great. The view was nice but the bed was hard.";
    assert_false(has_mod(review, "great", KW_MOD_CONTRAST));
    assert_true(has_mod(review, "nice", KW_MOD_CONTRAST));
    assert_true(has_mod("房间很干净。但是服务很差。", "很干净", KW_MOD_CONTRAST));
    assert_false(has_mod("早餐很好。房间很干净。但是服务很差。", "很好", KW_MOD_CONTRAST));
    /* a blank between Chinese clauses separates them like a full stop */
    assert_false(has_mod("房间很干净 但是服务很差 早餐很好", "很好", KW_MOD_CONTRAST));
    assert_true(has_mod("房间很干净 但是服务很差 早餐很好", "很差", KW_MOD_CONTRAST));
    assert_true(has_mod("It was nice but the bed was hard", "nice", KW_MOD_CONTRAST));
}

static void hedged_complaint_after_contrast__is_a_minor_reservation(void **state)
{
    (void)state;
    /* 就是有点咸 after praise is a quibble, 就是太咸了 a change of mind */
    assert_true(sc("还不错，就是有点咸") > 0);
    assert_true(sc("还不错，就是稍微咸了点") > 0);
    assert_true(sc("还不错，就是太咸了") < 0);
    assert_true(sc("还不错，就是有点咸") > sc("还不错，就是太咸了"));
    assert_false(has_mod("还不错，就是有点咸", "还不错", KW_MOD_CONTRAST));
    assert_true(has_mod("还不错，就是太咸了", "还不错", KW_MOD_CONTRAST));
    assert_true(sc("It was good, but a bit slow") > sc("It was good, but slow"));
}

static void comparison__denies_praise_across_the_clause(void **state)
{
    (void)state;
    /* 不如 and 没有...的 compare: the praise is what is missing */
    assert_true(sc("不如以前好吃") < 0);
    assert_true(sc("味道不如第一次的好吃") < 0);
    assert_true(sc("没有想象中的好吃") < 0);
    assert_true(sc("没有那个店那么好吃") < 0);
    assert_true(has_mod("没有想象中的好吃", "没有想象中的好吃", KW_MOD_NEGATED));
    /* a complaint compared away is faint praise */
    assert_true(sc("不像楼上说的那么繁琐") > 0);
    assert_true(sc("安装不像别人说的那么麻烦") > sc("安装很麻烦"));
    /* 没有 without 的 or 那么 is no comparison: a missing item, then praise */
    assert_false(has_mod("没有餐具好评", "好评", KW_MOD_NEGATED));
    /* nor across a clause */
    assert_true(sc("不如意的事很多，但是味道好吃") > 0);
    assert_false(has_mod("没有想象中的，好吃", "好吃", KW_MOD_NEGATED));
}

static void hao_before_unknown_word__is_an_adverb(void **state)
{
    (void)state;
    /* 好闷: 好 is "so" before a word the lexicon does not know */
    assert_int_equal(label("今天好闷"), KW_LABEL_NEUTRAL);
    /* but praise on its own, before a particle or a function word */
    assert_true(sc("好的") > 0);
    assert_true(sc("好啊") > 0);
    assert_true(sc("好就一个字") > 0);
    /* and a degree word before a known term */
    assert_true(sc("好难吃") < sc("难吃"));
}

static void delivery_story__reads_as_a_complaint(void **state)
{
    (void)state;
    /* 结果 introduces what went wrong, 只有 what was missing */
    assert_true(sc("我要的是排骨饭，结果送的是鸡肉饭") < 0);
    assert_true(sc("点了两份，只有一份") < 0);
}

static void lone_softener__is_a_mild_complaint(void **state)
{
    (void)state;
    /* 有点 + an adjective the lexicon does not know: a mild complaint */
    assert_true(sc("米饭有点生") < 0);
    assert_true(sc("米饭有点生") > sc("米饭很难吃"));
    /* before a known term it only modifies it */
    assert_true(sc("有点好吃") > 0);
    assert_true(sc("有点咸") > sc("咸"));
    assert_true(sc("菜的油太大了") < 0);
    assert_true(sc("电池不太强") < 0); /* a negator does not turn it into praise */
    assert_int_equal(label("太阳出来了"), KW_LABEL_NEUTRAL);
    assert_true(sc("太好吃了") > 0);
    /* 一点都不 before a word the lexicon does not know: a complaint too */
    assert_true(sc("微辣一点都不辣") < 0);
    assert_true(sc("一点都不贵") > 0);
    assert_true(sc("一点都不好吃") < sc("微辣一点都不辣"));
    /* and it stays a minor reservation after praise */
    assert_true(sc("味道不错，就是有点干") > 0);
}

static void hearsay__weighs_like_a_concession(void **state)
{
    (void)state;
    /* what others say counts less than what the author found */
    assert_true(sc("听说喇叭很差，试了一下还可以") > sc("喇叭很差，试了一下还可以"));
    assert_true(has_mod("听说喇叭很差，试了一下还可以", "很差", KW_MOD_CONTRAST));
}

static void summing_up__weighs_like_a_contrast(void **state)
{
    (void)state;
    assert_true(sc("味道有点甜。总体来说还可以") > 0);
    assert_true(sc("味道有点甜。总体来说还可以") > sc("味道有点甜。还可以"));
    assert_true(has_mod("味道有点甜，总体来说还可以", "还可以", KW_MOD_CONTRAST));
    assert_true(sc("早餐不错。总之不值这个价") < 0);
    /* a contrast word's reach ends at the next one in the sentence */
    assert_true(sc("总体感觉不错，就是有点咸") > 0);
    assert_false(has_mod("总体感觉不错，就是有点咸", "有点咸", KW_MOD_CONTRAST));
    assert_true(has_mod("总体感觉不错，但是太咸了", "太咸", KW_MOD_CONTRAST));
}

static void softener_after_complaint__hedges_it(void **state)
{
    (void)state;
    /* 咸了点, 少了一些: a complaint, but a milder one */
    assert_true(sc("咸了点") < 0);
    assert_true(sc("咸了点") > sc("咸"));
    assert_true(sc("米饭少了一些") > sc("米饭少了"));
    assert_true(has_mod("咸了点", "咸了点", KW_MOD_DEGREE));
    assert_true(sc("还不错，就是咸了点") > 0);
}

static void exclamation__strengthens(void **state)
{
    (void)state;
    assert_true(sc("很好！") > sc("很好"));
    assert_true(sc("很好！！！") > sc("很好！"));
    assert_true(sc("太差了!") < sc("太差了"));
    assert_true(sc("good!") > sc("good"));
    assert_true(sc("good!!!") > sc("good!"));
    assert_true(sc("bad!!") < sc("bad"));
    assert_true(has_mod("good!", "good", KW_MOD_EXCLAIM));
}

static void all_caps_word__strengthens(void **state)
{
    (void)state;
    assert_true(sc("this is GOOD") > sc("this is good"));
    assert_true(sc("this is BAD") < sc("this is bad"));
    assert_true(has_mod("this is GOOD", "GOOD", KW_MOD_CAPS));
}

static void emoticons__carry_sign(void **state)
{
    (void)state;
    assert_true(sc("今天去了公园[哈哈]") > 0);
    assert_true(sc("今天去了公园[怒]") < 0);
    assert_true(sc("今天又加班[泪]") < 0);
    assert_true(sc("[赞]") > 0);
    assert_true(sc("see you :)") > 0);
    assert_true(sc("see you :(") < 0);
    assert_true(sc("see you \xF0\x9F\x98\x8D") > 0); /* smiling face with heart eyes */
    assert_true(sc("see you \xF0\x9F\x98\xA1") < 0); /* pouting face */
    /* a negator does not flip an emoticon, and a term before one still counts */
    assert_true(sc("不[哈哈]") > 0);
    assert_true(sc("不太好[怒]") < sc("[怒]"));
    assert_true(sc("很好[哈哈]") > sc("[哈哈]"));
}

static void repeated_characters__strengthen(void **state)
{
    (void)state;
    assert_true(sc("好好好") > sc("好"));
    assert_true(sc("soooo good") > sc("so good"));
    assert_true(sc("goooood") > 0);
    assert_true(has_mod("好好好", "好好好", KW_MOD_REPEAT));
}

static void question__dampens(void **state)
{
    (void)state;
    assert_true(sc("好吃吗？") < sc("好吃。"));
    assert_true(sc("好吃吗？") > 0);
    assert_true(sc("好吃吗") < sc("好吃"));
    assert_true(sc("is it good?") < sc("it is good."));
    assert_true(has_mod("is it good?", "good", KW_MOD_QUESTION));
    /* Chinese praise asked about is dampened more than a complaint is:
     * 这也叫好吃吗？ is rhetorical */
    assert_true(sc("好吃吗？") / sc("好吃。") < sc("难吃吗？") / sc("难吃。"));
    /* a wish is no assessment either: 希望能准时 is not 准时 */
    assert_true(sc("希望能准时送达") < sc("能准时送达"));
    assert_true(sc("希望能准时送达") > 0);
    assert_true(has_mod("希望能准时送达", "准时送达", KW_MOD_QUESTION));
    /* only in its own clause */
    assert_false(has_mod("希望多放点辣，味道很好", "很好", KW_MOD_QUESTION));
}

static void brand_risk_terms__weigh_strongly(void **state)
{
    (void)state;
    const char *zh[] = {"投诉", "维权", "曝光", "假货", "过敏", "退款", "召回", "塌房", "翻车",
                        "踩雷", "避雷", "智商税", "割韭菜", "虚假宣传"};
    for (size_t i = 0; i < sizeof zh / sizeof zh[0]; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "这个牌子%s", zh[i]);
        assert_true(sc(buf) < sc("这个牌子不好"));
    }
    const char *en[] = {"scam", "refund", "recall", "lawsuit", "allergic reaction", "fake"};
    for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "this brand: %s", en[i]);
        assert_true(sc(buf) < 0);
    }
    /* 不给退款 is a complaint too: negators do not flip risk terms */
    assert_true(sc("不给退款") < 0);
    assert_true(sc("they would not refund") < 0);
}

static void traditional_and_full_width__score_like_plain(void **state)
{
    (void)state;
    assert_true(sc("服務態度很好") == sc("服务态度很好"));
    assert_true(sc("這家飯店很乾淨") == sc("这家饭店很干净"));
    assert_true(sc("ｇｏｏｄ") == sc("good"));
    assert_true(sc("好！") == sc("好!"));
    assert_true(sc("Good") == sc("good"));
}

static void hit_offset__points_at_term_as_written(void **state)
{
    (void)state;
    const char *texts[] = {
        "房间还行，服務態度不太好，早餐很差",  /* traditional */
        "ＶＥＲＹ ｇｏｏｄ ｐｈｏｎｅ but BAD battery!!",  /* full-width */
        "I really LOVE it :) [哈哈] \xF0\x9F\x98\x8D",
        "\xff\xfe 不好 \xc3 good",                       /* invalid UTF-8 */
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        kw_result r;
        kw_result_init(&r);
        const char *text = texts[t];
        size_t len = strlen(text);
        assert_int_equal(kw_score(scorer, text, len, &r), 0);
        assert_true(r.nhits > 0);
        char *json = NULL;
        assert_int_equal(kw_result_hits_json(&json, &r, text, len), 0);
        cJSON *arr = cJSON_Parse(json);
        assert_non_null(arr);
        assert_int_equal((size_t)cJSON_GetArraySize(arr), r.nhits);
        for (size_t i = 0; i < r.nhits; i++) {
            cJSON *o = cJSON_GetArrayItem(arr, (int)i);
            const char *term = cJSON_GetObjectItem(o, "term")->valuestring;
            size_t off = (size_t)cJSON_GetObjectItem(o, "offset")->valuedouble;
            assert_true(off + strlen(term) <= len);
            assert_memory_equal(text + off, term, strlen(term));
            assert_int_equal(off, r.hits[i].offset);
            assert_non_null(cJSON_GetObjectItem(o, "valence"));
            assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "modifiers")));
            assert_non_null(cJSON_GetObjectItem(o, "contribution"));
        }
        cJSON_Delete(arr);
        free(json);
        kw_result_release(&r);
    }
}

static void invalid_utf8__never_crashes(void **state)
{
    (void)state;
    const char bad[] = "\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80 good \xe4\xb8";
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, bad, sizeof bad - 1, &r), 0);
    assert_true(r.score > 0);
    assert_int_equal(kw_score(scorer, "\0\0good", 6, &r), 0);
    assert_true(r.score > 0);
    kw_result_release(&r);
}

static void scores_and_proportions__stay_in_range(void **state)
{
    (void)state;
    char *big = malloc(40 * 7 + 1);
    for (int i = 0; i < 40; i++)
        memcpy(big + i * 7, "great! ", 7);
    big[40 * 7] = '\0';
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, big, strlen(big), &r), 0);
    assert_true(r.score > 0 && r.score < 1.0); /* long texts do not saturate */
    double sum = r.pos + r.neg + r.neu;
    assert_true(sum > 0.999 && sum < 1.001);
    assert_int_equal(kw_score(scorer, "", 0, &r), 0);
    assert_true(r.score == 0 && r.neu == 1.0 && r.nhits == 0);
    kw_result_release(&r);
    free(big);
}

static void threshold__decides_label(void **state)
{
    (void)state;
    kw_scorer_options o;
    kw_scorer *strict = NULL;
    kw_scorer_options_init(&o);
    o.threshold = 0.99;
    assert_int_equal(kw_scorer_new(&strict, &o), 0);
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(strict, "good", 4, &r), 0);
    assert_true(r.score > 0);
    assert_int_equal(r.label, KW_LABEL_NEUTRAL);
    assert_int_equal(kw_score(scorer, "good", 4, &r), 0);
    assert_int_equal(r.label, KW_LABEL_POSITIVE);
    kw_result_release(&r);
    kw_scorer_free(strict);
    o.threshold = 2;
    assert_int_equal(kw_scorer_new(&strict, &o), KW_EINVAL);
}

typedef struct job {
    const char *text;
    double expect;
    int ok;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    kw_result r;
    kw_result_init(&r);
    j->ok = 1;
    for (int i = 0; i < 2000; i++) {
        if (kw_score(scorer, j->text, strlen(j->text), &r) || r.score != j->expect)
            j->ok = 0;
    }
    kw_result_release(&r);
    return NULL;
}

static void scorer__is_shared_by_threads(void **state)
{
    (void)state;
    job jobs[4] = {{"服务很好，但是太贵了！", 0, 0}, {"not very good at all :(", 0, 0},
                   {"好好好[哈哈]", 0, 0}, {"I LOVE IT but it broke", 0, 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        jobs[i].expect = sc(jobs[i].text);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(jobs[i].ok);
    }
}

static void negation_after_term__flips_sign(void **state)
{
    (void)state;
    assert_true(sc("这本书很实用") > 0);
    assert_true(sc("这本书一点实用性也没有") < 0);
    assert_true(sc("喜欢不起来") < 0);
}

static void reply_marker__ends_the_scored_text(void **state)
{
    (void)state;
    /* the hotel's polite answer is not the guest's opinion */
    assert_true(sc("房间很脏，服务很差。宾馆反馈：非常感谢您的宝贵意见，欢迎再次光临，祝您愉快！") < 0);
    assert_true(sc("房间很脏，服务很差。宾馆反馈：非常感谢您的宝贵意见，欢迎再次光临，祝您愉快！") ==
                sc("房间很脏，服务很差。"));
}

static void handles_and_urls__are_not_read(void **state)
{
    (void)state;
    assert_true(sc("@开心果 明天见") == 0);
    assert_true(sc("see http://example.com/:(/bad") == 0);
    assert_true(sc("//@快乐小王子:[泪]") < 0);
}

static void degree_word_before_longer_term__is_preferred(void **state)
{
    (void)state;
    /* 很好吃 is 很 + 好吃, not 很好 + 吃 */
    assert_true(has_mod("很好吃", "很好吃", KW_MOD_DEGREE));
    assert_true(sc("很好吃") > sc("好吃"));
    assert_true(sc("不好吃") < 0);
}

static void contribution__is_valence_times_listed_factors(void **state)
{
    (void)state;
    const char *texts[] = {"不不不不不不不不不不不好", "not not not not not not not not not good",
                           "very very very very very very very very good!!!!!!",
                           "虽然，但是，我真的真的真的非常非常特别极其超级好好好！！！？？？"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        kw_result r;
        kw_result_init(&r);
        assert_int_equal(kw_score(scorer, texts[t], strlen(texts[t]), &r), 0);
        for (size_t i = 0; i < r.nhits; i++) {
            double c = r.hits[i].valence;
            for (int m = 0; m < r.hits[i].nmods; m++)
                c *= r.hits[i].mods[m].factor;
            assert_true(c - r.hits[i].contribution < 1e-9 && r.hits[i].contribution - c < 1e-9);
        }
        assert_true(r.score >= -1 && r.score <= 1);
        kw_result_release(&r);
    }
    /* an odd number of negators negates, an even number does not */
    assert_true(sc("不不不好") < 0);
    assert_true(sc("not not good") > 0);
}

static void hits_json__stays_valid_with_bad_bytes_inside_a_term(void **state)
{
    (void)state;
    const char text[] = "\xe4\xb8\x8d\xff\xe5\xa5\xbd \"quoted\\\" \x01 not\x80 good";
    kw_result r;
    kw_result_init(&r);
    assert_int_equal(kw_score(scorer, text, sizeof text - 1, &r), 0);
    assert_true(r.nhits >= 1);
    char *json = NULL;
    assert_int_equal(kw_result_hits_json(&json, &r, text, sizeof text - 1), 0);
    cJSON *arr = cJSON_Parse(json);
    assert_non_null(arr);
    assert_int_equal((size_t)cJSON_GetArraySize(arr), r.nhits);
    cJSON_Delete(arr);
    free(json);
    kw_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_words__have_their_sign),
        cmocka_unit_test(negator_before_positive_word__flips_sign),
        cmocka_unit_test(negator_across_degree_word__is_a_milder_negation),
        cmocka_unit_test(double_negation__is_positive),
        cmocka_unit_test(negator_does_not_reach_across_clauses),
        cmocka_unit_test(degree_words__order_by_strength),
        cmocka_unit_test(contrast__clause_after_weighs_more),
        cmocka_unit_test(hedged_complaint_after_contrast__is_a_minor_reservation),
        cmocka_unit_test(softener_after_complaint__hedges_it),
        cmocka_unit_test(lone_softener__is_a_mild_complaint),
        cmocka_unit_test(delivery_story__reads_as_a_complaint),
        cmocka_unit_test(hao_before_unknown_word__is_an_adverb),
        cmocka_unit_test(comparison__denies_praise_across_the_clause),
        cmocka_unit_test(summing_up__weighs_like_a_contrast),
        cmocka_unit_test(hearsay__weighs_like_a_concession),
        cmocka_unit_test(exclamation__strengthens),
        cmocka_unit_test(all_caps_word__strengthens),
        cmocka_unit_test(emoticons__carry_sign),
        cmocka_unit_test(repeated_characters__strengthen),
        cmocka_unit_test(question__dampens),
        cmocka_unit_test(brand_risk_terms__weigh_strongly),
        cmocka_unit_test(traditional_and_full_width__score_like_plain),
        cmocka_unit_test(hit_offset__points_at_term_as_written),
        cmocka_unit_test(invalid_utf8__never_crashes),
        cmocka_unit_test(scores_and_proportions__stay_in_range),
        cmocka_unit_test(threshold__decides_label),
        cmocka_unit_test(scorer__is_shared_by_threads),
        cmocka_unit_test(negation_after_term__flips_sign),
        cmocka_unit_test(reply_marker__ends_the_scored_text),
        cmocka_unit_test(handles_and_urls__are_not_read),
        cmocka_unit_test(degree_word_before_longer_term__is_preferred),
        cmocka_unit_test(contribution__is_valence_times_listed_factors),
        cmocka_unit_test(hits_json__stays_valid_with_bad_bytes_inside_a_term),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
