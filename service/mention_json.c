/*
 * The import line parser. Hostile input meets it first: it never trusts a
 * type, a length or a number, and it reports the first problem it finds.
 */
#include "mention_json.h"

#include "kolwatch/error.h"
#include "kolwatch/platform.h"
#include "kolwatch/textio.h"
#include "kolwatch/timeutil.h"
#include "kolwatch/url.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Optional string field: NULL when absent; -1 when present but not a string. */
static int opt_string(cJSON *o, const char *key, const char **out)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    *out = v->valuestring;
    return 0;
}

static int opt_count(cJSON *o, const char *key, int64_t *out)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = -1;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9e15 ||
        floor(v->valuedouble) != v->valuedouble)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

#define BAD(...)                                                               \
    do {                                                                       \
        snprintf(err, errsize, __VA_ARGS__);                                   \
        mention_line_free(out);                                                \
        return LINE_BAD;                                                       \
    } while (0)

int mention_line_parse(mention_line *out, const char *line, size_t len, char *err,
                       size_t errsize)
{
    const char *brand = NULL, *url = NULL, *text = NULL, *title, *author, *platform;
    const char *published = NULL, *end = NULL;
    memset(out, 0, sizeof *out);
    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    if (len == 0)
        return LINE_BLANK;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!o) {
        const char *at = cJSON_GetErrorPtr();
        long pos = at && at >= line && at <= line + len ? (long)(at - line) + 1 : 1;
        BAD("not valid JSON (error at byte %ld)", pos);
    }
    out->json = o;
    if (!cJSON_IsObject(o))
        BAD("expected a JSON object");
    cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "brand");
    if (cJSON_IsString(b) && b->valuestring[0] && strlen(b->valuestring) < sizeof out->brand_ref)
        brand = b->valuestring;
    else if (cJSON_IsNumber(b) && b->valuedouble >= 1 && b->valuedouble < 1e15 &&
             floor(b->valuedouble) == b->valuedouble) {
        snprintf(out->brand_ref, sizeof out->brand_ref, "%lld", (long long)b->valuedouble);
        brand = out->brand_ref;
    } else {
        BAD("'brand' is missing or not a brand name or id");
    }
    if (brand != out->brand_ref)
        snprintf(out->brand_ref, sizeof out->brand_ref, "%s", brand);
    if (opt_string(o, "url", &url) || !url || !*url)
        BAD("'url' is missing or not a string");
    if (opt_string(o, "text", &text) || !text || !*text)
        BAD("'text' is missing, empty or not a string");
    if (opt_string(o, "title", &title) || opt_string(o, "author", &author) ||
        opt_string(o, "platform", &platform) || opt_string(o, "published_at", &published))
        BAD("title, author, platform and published_at must be strings");
    if (!platform)
        platform = "other";
    if (!kw_platform_valid(platform))
        BAD("unknown platform '%.40s' (weibo, xiaohongshu, douyin, bilibili, zhihu, "
            "wechat, kuaishou, x, instagram, tiktok, youtube, reddit, news, blog, forum, "
            "other)", platform);
    out->m.published_at = KW_TIME_NONE;
    if (published && kw_time_parse(&out->m.published_at, published))
        BAD("published_at: %s", kw_error_last());
    if (opt_count(o, "likes", &out->m.likes) || opt_count(o, "comments", &out->m.comments) ||
        opt_count(o, "shares", &out->m.shares) || opt_count(o, "views", &out->m.views))
        BAD("likes, comments, shares and views must be whole numbers of 0 or more");
    if (kw_url_canonical(out->canonical, sizeof out->canonical, url))
        BAD("url: %s", kw_error_last());
    kw_sha256_hex(out->hash, text, strlen(text));
    out->m.url = url;
    out->m.canonical_url = out->canonical;
    out->m.content_hash = out->hash;
    out->m.platform = platform;
    out->m.author = author;
    out->m.title = title;
    out->m.text = text;
    out->m.fetched_at = KW_TIME_NONE;
    out->m.reach = out->m.views;
    return LINE_OK;
}

void mention_line_free(mention_line *ml)
{
    cJSON_Delete(ml->json);
    ml->json = NULL;
}
