/* Helpers shared by the commands: opening the store, output formats. */
#include "cli.h"

#include "kolwatch/error.h"
#include "kolwatch/registry.h"
#include "kolwatch/store.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

int cli_open_store(kw_cli *cli, kw_store **out, int create, int any_version)
{
    kw_store_options opt = {
        .create = create,
        .skip_version = any_version,
        .busy_timeout_ms = (int)(kw_config_int(cli->config, "store.busy_timeout") * 1000),
    };
    if (kw_store_open(out, kw_config_str(cli->config, "core.db"), &opt))
        return cli_fail("%s", kw_error_last());
    return EXIT_OK;
}

int cli_format(const char *value)
{
    if (!value)
        return isatty(STDOUT_FILENO) ? 0 : 1;
    if (strcmp(value, "json") == 0)
        return 1;
    if (strcmp(value, "table") == 0)
        return 0;
    return -1;
}

int cli_tiers(kw_cli *cli, const char *platform, kw_tiers *out)
{
    const char *key = strcmp(platform, "xiaohongshu") == 0 ? "registry.tiers_xiaohongshu"
                      : strcmp(platform, "douyin") == 0    ? "registry.tiers_douyin"
                                                           : "registry.tiers_other";
    if (kw_tiers_parse(out, kw_config_str(cli->config, key)))
        return cli_fail("%s: %s", key, kw_error_last());
    return 0;
}

/* Columns a code point takes on a terminal: two for East Asian wide and
 * full-width forms (Unicode's UAX #11 W and F ranges, the common ones),
 * none for the common combining and zero-width ones. */
static int columns(uint32_t cp)
{
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0; /* combining marks, zero-width spaces and joiners, variation selectors */
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

const char *cli_cell(char *buf, size_t size, const char *s, int n, int width, int max)
{
    size_t len = n < 0 ? strlen(s) : (size_t)n, o = 0;
    int cols = 0;
    if (size == 0)
        return "";
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (k && i + k > len)
            break; /* a character cut short where the text ends */
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                k = 0;
        uint32_t cp = k == 0 ? '?' : k == 1 ? c : (uint32_t)(c & (0x3F >> (k - 1)));
        for (size_t j = 1; j < k; j++)
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        /* what a terminal would act on rather than show: a control
         * character shows as a blank; a bidirectional override or isolate
         * (it reorders the rest of the row) as '?', as a byte that is not
         * UTF-8 does */
        size_t span = k ? k : 1;
        char sub = k == 0 ? '?' : 0;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            sub = ' ';
        else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            sub = '?';
        if (sub)
            k = 0, cp = (uint32_t)sub;
        int w = columns(cp);
        if ((max > 0 && cols + w > max) || o + (k ? k : 1) >= size)
            break;
        if (k)
            memcpy(buf + o, s + i, k);
        else
            buf[o] = sub;
        o += k ? k : 1;
        i += span;
        cols += w;
    }
    while (cols < width && o + 1 < size) {
        buf[o++] = ' ';
        cols++;
    }
    buf[o] = '\0';
    return buf;
}

/* Columns of valid UTF-8 text s. */
static int text_columns(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t k = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        uint32_t cp = k == 1 ? *p : (uint32_t)(*p & (0x3F >> (k - 1)));
        for (size_t j = 1; j < k && p[j]; j++)
            cp = (cp << 6) | (p[j] & 0x3F);
        w += columns(cp);
        p += k;
    }
    return w;
}

const char *cli_names_cell(char *buf, size_t size, const char *const *names, size_t n,
                           int width)
{
    char joined[1024], one[300];
    size_t o = 0, shown = 0;
    int cols = 0;
    /* room kept for ",+N" whenever a name may be left out */
    int reserve = 3 + (n >= 10) + (n >= 100);
    joined[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof joined; i++) {
        cli_cell(one, sizeof one, names[i], -1, 0, 0); /* valid UTF-8 now */
        int w = text_columns(one) + (shown ? 1 : 0);
        int last = i + 1 == n && shown == i; /* all shown so far: no "+N" to come */
        if (cols + w + (last ? 0 : reserve) > width)
            continue; /* counted in the "+N"; a shorter one after it may fit */
        o += (size_t)snprintf(joined + o, sizeof joined - o, "%s%s", shown ? "," : "", one);
        cols += w;
        shown++;
    }
    if (shown == 0 && n > 0) { /* not even one fits: the first, cut, and marked so */
        int room = width - (n > 1 ? reserve : 0) - 1;
        cli_cell(one, sizeof one, names[0], -1, 0, room > 1 ? room : 1);
        o = (size_t)snprintf(joined, sizeof joined, "%s\xe2\x80\xa6", one);
        shown = 1;
    }
    if (shown < n && o < sizeof joined)
        snprintf(joined + o, sizeof joined - o, ",+%zu", n - shown);
    return cli_cell(buf, size, joined, -1, width, 0);
}
