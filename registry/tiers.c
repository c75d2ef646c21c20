/* Follower tiers: configurable bands, each including its lower bound. */
#include "kolwatch/registry.h"
#include "kolwatch/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *kw_tiers_default(const char *platform)
{
    if (platform && strcmp(platform, "xiaohongshu") == 0)
        return "KOC:0,初级:5000,腰部:50000,头部:500000";
    if (platform && strcmp(platform, "douyin") == 0)
        return "尾部:0,腰部:300000,肩部:1000000,头部:3000000,超头部:10000000";
    return "sub-nano:0,nano:1000,micro:10000,mid:50000,macro:500000,mega:1000000";
}

int kw_tiers_parse(kw_tiers *out, const char *spec)
{
    const char *p = spec;
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return kw_error_set(KW_EINVAL, "an empty tier list");
    while (*p) {
        const char *colon = strchr(p, ':');
        const char *comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        if (!colon || colon > comma || colon == p)
            return kw_error_set(KW_EINVAL, "tier '%.*s' is not LABEL:MIN", (int)(comma - p), p);
        if (out->n == KW_MAX_TIERS)
            return kw_error_set(KW_EINVAL, "more than %d tiers", KW_MAX_TIERS);
        size_t ll = (size_t)(colon - p);
        if (ll >= sizeof out->band[0].label)
            return kw_error_set(KW_EINVAL, "tier label '%.*s' is too long", (int)ll, p);
        memcpy(out->band[out->n].label, p, ll);
        out->band[out->n].label[ll] = '\0';
        char num[24], *end;
        size_t nl = (size_t)(comma - colon - 1);
        if (nl == 0 || nl >= sizeof num)
            return kw_error_set(KW_EINVAL, "tier '%s' has no minimum", out->band[out->n].label);
        memcpy(num, colon + 1, nl);
        num[nl] = '\0';
        errno = 0;
        long long v = strtoll(num, &end, 10);
        if (errno || *end || v < 0 || !isdigit((unsigned char)num[0]))
            return kw_error_set(KW_EINVAL, "tier '%s' minimum '%s' is not a whole number",
                                out->band[out->n].label, num);
        if (out->n == 0 && v != 0)
            return kw_error_set(KW_EINVAL, "the first tier must start at 0");
        if (out->n > 0 && v <= out->band[out->n - 1].min)
            return kw_error_set(KW_EINVAL, "tier minimums must ascend ('%s')",
                                out->band[out->n].label);
        out->band[out->n++].min = v;
        p = *comma ? comma + 1 : comma;
    }
    return 0;
}

const char *kw_tier_of(const kw_tiers *t, int64_t followers)
{
    if (followers < 0 || t->n == 0)
        return NULL;
    int i = t->n - 1;
    while (i > 0 && followers < t->band[i].min)
        i--;
    return t->band[i].label;
}
