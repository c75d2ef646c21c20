/* Platform and deliverable ids: fixed names other tools rely on. */
#include "kolwatch/platform.h"

#include <string.h>

const char *const kw_platforms[] = {
    "weibo", "xiaohongshu", "douyin", "bilibili", "zhihu", "wechat",
    "kuaishou", "x", "instagram", "tiktok", "youtube", "reddit",
    "news", "blog", "forum", "other", NULL};

const char *const kw_deliverables[] = {
    "note", "video_short", "video_mid", "video_long", "live",
    "post", "repost", "story", "article", NULL};

static int in(const char *const *list, const char *name)
{
    for (; name && *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

int kw_platform_valid(const char *name) { return in(kw_platforms, name); }
int kw_deliverable_valid(const char *name) { return in(kw_deliverables, name); }
