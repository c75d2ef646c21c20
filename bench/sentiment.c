/*
 * Benchmark of the sentiment scorer: generates a mixed Chinese/English
 * corpus of short posts (default 128 MB), scores it on one core, and
 * prints MB/s, documents/s and the ratio to a plain UTF-8 validation pass
 * over the same bytes in the same run (best of three runs each). Then the
 * same with two threads sharing one scorer. Usage: bench/sentiment [MEGABYTES] [THREADS]
 */
#include "kolwatch/error.h"
#include "kolwatch/sentiment.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const zh[] = {
    "这家店的服务态度非常好", "外卖送得太慢了，等了一个多小时", "味道还不错，就是有点贵",
    "房间很干净，但是隔音不太好", "不是不好吃，只是分量太少", "已经投诉了，要求退款",
    "客服不理人，真的无语", "性价比很高，会回购的", "物流很快！包装也很用心",
    "用了两天就坏了，质量太差", "今天天气不错，出去走走", "[哈哈]太开心了", "[泪]好难过",
    "這家飯店的早餐很豐富", "绝绝子，yyds", "踩雷了，大家避雷", "一般般吧，没什么特别的",
    "我们下午三点在公司楼下见面", "新品发布会定在下周二", "孩子们在公园里放风筝"};
static const char *const en[] = {
    "The battery life is great", "Worst customer service ever!!", "not very good, honestly",
    "I LOVE this phone :)", "it works, but the screen is kind of dim",
    "Shipping was fast and the packaging was nice", "total scam, I want a refund",
    "Meeting at 3pm in the lobby", "soooo good, would buy again", "meh. it's okay I guess",
    "never again. allergic reaction after one use", "The new model launches next week",
    "Honestly? not bad at all", "The staff were rude and the room was dirty"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

/* The baseline: a strict UTF-8 validation pass (counts invalid bytes). */
static size_t utf8_validate(const unsigned char *p, size_t n)
{
    size_t bad = 0, i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
        if (need == 0 || i + need >= n) {
            bad++, i++;
            continue;
        }
        size_t k = 1;
        while (k <= need && (p[i + k] & 0xC0) == 0x80)
            k++;
        if (k <= need)
            bad++;
        i += k;
    }
    return bad;
}

typedef struct span {
    size_t off, len;
} span;

typedef struct work {
    const kw_scorer *s;
    const char *buf;
    const span *docs;
    size_t first, count;
    double sum;
    size_t hits;
} work;

static void *run(void *arg)
{
    work *w = arg;
    kw_result r;
    kw_result_init(&r);
    for (size_t i = w->first; i < w->first + w->count; i++) {
        if (kw_score(w->s, w->buf + w->docs[i].off, w->docs[i].len, &r) == 0) {
            w->sum += r.score;
            w->hits += r.nhits;
        }
    }
    kw_result_release(&r);
    return NULL;
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 128;
    long nthreads = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
    if (mb < 1 || mb > 4096 || nthreads < 1 || nthreads > 64) {
        fprintf(stderr, "usage: %s [MEGABYTES 1..4096] [THREADS 1..64]\n", argv[0]);
        return 2;
    }
    size_t target = (size_t)mb << 20, cap = target + 4096, n = 0, ndocs = 0, capdocs = 1 << 20;
    char *buf = malloc(cap);
    span *docs = malloc(capdocs * sizeof *docs);
    if (!buf || !docs)
        return fprintf(stderr, "out of memory\n"), 1;
    while (n < target) {
        size_t start = n;
        int parts = 1 + (int)(next_rand() % 4);
        for (int k = 0; k < parts; k++) {
            int use_zh = next_rand() % 100 < 60;
            const char *frag = use_zh ? zh[next_rand() % (sizeof zh / sizeof *zh)]
                                      : en[next_rand() % (sizeof en / sizeof *en)];
            size_t fl = strlen(frag);
            if (n + fl + 2 >= cap)
                break;
            memcpy(buf + n, frag, fl);
            n += fl;
            buf[n++] = ' ';
        }
        if (ndocs == capdocs) {
            capdocs *= 2;
            span *nd = realloc(docs, capdocs * sizeof *docs);
            if (!nd)
                return fprintf(stderr, "out of memory\n"), 1;
            docs = nd;
        }
        docs[ndocs++] = (span){start, n - start};
        if (n + 512 >= cap)
            break;
    }

    kw_scorer_options o;
    kw_scorer_options_init(&o);
    kw_scorer *s;
    double t0 = now();
    if (kw_scorer_new(&s, &o))
        return fprintf(stderr, "%s\n", kw_error_last()), 1;
    double tbuild = now() - t0;

    /* Best of three runs each: the machine may be busy with other work. */
    double tval = 1e30, tscore = 1e30;
    size_t bad = 0;
    work w;
    for (int round = 0; round < 3; round++) {
        t0 = now();
        bad = utf8_validate((const unsigned char *)buf, n);
        double t = now() - t0;
        if (t < tval)
            tval = t;
        w = (work){s, buf, docs, 0, ndocs, 0, 0};
        t0 = now();
        run(&w);
        t = now() - t0;
        if (t < tscore)
            tscore = t;
    }

    double mbytes = (double)n / 1e6;
    printf("corpus: %.1f MB, %zu documents (60%% Chinese fragments), %zu invalid bytes\n",
           mbytes, ndocs, bad);
    printf("scorer build: %.1f ms\n", tbuild * 1e3);
    printf("utf-8 validation: %.1f MB/s\n", mbytes / tval);
    printf("score, 1 thread: %.1f MB/s, %.0f docs/s, %.2f hits/doc, ratio to validation %.3f "
           "(validation is %.1fx faster)\n",
           mbytes / tscore, (double)ndocs / tscore, (double)w.hits / (double)ndocs,
           tval / tscore, tscore / tval);

    if (nthreads > 1) {
        pthread_t th[64];
        work ws[64];
        size_t per = ndocs / (size_t)nthreads;
        t0 = now();
        for (long i = 0; i < nthreads; i++) {
            ws[i] = (work){s, buf, docs, (size_t)i * per,
                           i == nthreads - 1 ? ndocs - (size_t)i * per : per, 0, 0};
            pthread_create(&th[i], NULL, run, &ws[i]);
        }
        double sum = 0;
        for (long i = 0; i < nthreads; i++) {
            pthread_join(th[i], NULL);
            sum += ws[i].sum;
        }
        double tt = now() - t0;
        printf("score, %ld threads sharing one scorer: %.1f MB/s, %.0f docs/s (same total: %s)\n",
               nthreads, mbytes / tt, (double)ndocs / tt,
               (sum - w.sum < 1e-6 * (double)ndocs && w.sum - sum < 1e-6 * (double)ndocs) ? "yes" : "no");
    }
    kw_scorer_free(s);
    free(buf);
    free(docs);
    return 0;
}
