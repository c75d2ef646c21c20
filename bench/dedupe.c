/*
 * bench/dedupe: how near copies are told on a file of texts, as the store
 * tells them (crawler/dedupe.c): every text is compared with the earlier
 * ones that share a signature band (the store reads at most 8 a band, in
 * the order they came) and linked to the first that kw_copy_check accepts.
 * It prints how many texts were linked (on a file of distinct texts, the
 * false links: it shows the first few pairs to read), then how many reposts
 * ("转发：" + text + " #避雷# @小美") of every third text are found, and
 * the time a repost takes (its signature and the comparison).
 * Usage: dedupe FILE [csv|tsv]: csv is label,text with a header line; tsv is
 * id<TAB>...<TAB>text (the text after the last tab). At most 50,000 texts;
 * lines over 16 KiB are skipped.
 */
#include "kolwatch/crawl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TEXTS 50000
#define PER_BAND 8

typedef struct text {
    char *t;
    uint64_t sig[4];
    int has;
} text;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dedupe FILE [csv|tsv]\n");
        return 2;
    }
    if (argc > 2 && strcmp(argv[2], "csv") != 0 && strcmp(argv[2], "tsv") != 0) {
        fprintf(stderr, "dedupe: the format is csv or tsv, not '%s'\n", argv[2]);
        return 2;
    }
    int tsv = argc > 2 && strcmp(argv[2], "tsv") == 0, header = !tsv;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "dedupe: %s: cannot open it\n", argv[1]);
        return 1;
    }
    text *v = calloc(MAX_TEXTS, sizeof *v);
    char line[16384];
    int n = 0;
    while (v && n < MAX_TEXTS && fgets(line, sizeof line, f)) {
        if (header) {
            header = 0;
            continue;
        }
        size_t len = strcspn(line, "\r\n");
        if (!line[len]) { /* longer than the buffer: skipped, with the rest of it */
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            continue;
        }
        line[len] = '\0';
        char *t = tsv ? strrchr(line, '\t') : strchr(line, ',');
        if (t && (v[n].t = strdup(t + 1)))
            n++;
    }
    fclose(f);
    double t0 = mono();
    int linked = 0, shown = 0, with_sig = 0;
    for (int i = 0; i < n; i++) {
        kw_copy_check *c = NULL;
        if (kw_copy_check_new(&c, v[i].t, strlen(v[i].t)))
            return 1;
        v[i].has = kw_copy_check_signature(c, v[i].sig);
        with_sig += v[i].has;
        int seen[4] = {0}, found = -1;
        for (int j = 0; v[i].has && j < i && found < 0; j++) {
            int read = 0;
            for (int b = 0; b < 4; b++)
                if (v[j].has && v[j].sig[b] == v[i].sig[b] && seen[b] < PER_BAND)
                    seen[b]++, read = 1;
            if (read && kw_copy_check_is(c, v[j].t))
                found = j;
        }
        kw_copy_check_free(c);
        if (found >= 0) {
            linked++;
            if (shown++ < 5)
                printf("  %s\n    linked to %s\n", v[i].t, v[found].t);
        }
    }
    double t1 = mono();
    int tried = 0, reposts = 0;
    for (int i = 0; i < n; i += 3) {
        char repost[sizeof line + 64];
        uint64_t sig[4];
        kw_copy_check *c = NULL;
        if (!v[i].has)
            continue;
        snprintf(repost, sizeof repost, "转发：%s #避雷# @小美", v[i].t);
        if (kw_copy_check_new(&c, repost, strlen(repost)))
            return 1;
        int band = 0;
        if (kw_copy_check_signature(c, sig))
            for (int b = 0; b < 4; b++)
                band |= sig[b] == v[i].sig[b];
        tried++;
        reposts += band && kw_copy_check_is(c, v[i].t);
        kw_copy_check_free(c);
    }
    double t2 = mono();
    (void)t0;
    printf("%d texts (%d long enough to compare): %d linked to an earlier one (%.2f %%)\n", n,
           with_sig, linked, n ? 100.0 * linked / n : 0.0);
    printf("reposts found: %d of %d (%.1f %%), %.1f us a repost (signature and comparison)\n",
           reposts, tried,
           tried ? 100.0 * reposts / tried : 0.0, tried ? 1e6 * (t2 - t1) / tried : 0.0);
    for (int i = 0; i < n; i++)
        free(v[i].t);
    free(v);
    return 0;
}
