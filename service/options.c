/*
 * The table of every option kolwatch knows. Parsing, validation, `config
 * show`, the template `init` writes and the docs all read this one table:
 * add an option here and nowhere else.
 */
#include "config.h"

#define NO_BOUNDS 1, 0

const kw_option_def kw_options[] = {
    {"core", "db", OPT_STRING, "./kolwatch.db", 1, 4000, 0, "--db",
     "Database URL: a path or sqlite:PATH, or postgres://user@host:port/db"},
    {"core", "timezone", OPT_STRING, "UTC", NO_BOUNDS, 1, NULL,
     "Time zone for months, days in reports, quiet hours (e.g. Asia/Shanghai)"},
    {"store", "busy_timeout", OPT_DURATION, "10s", 0, 3600, 0, NULL,
     "How long a writer waits for a locked SQLite database before failing"},
    {"import", "batch_size", OPT_INT, "1000", 1, 1000000, 0, "--batch-size",
     "Lines committed per transaction by `import`"},
    {"import", "max_line", OPT_SIZE, "1M", 64, 1073741824, 0, NULL,
     "Longest accepted input line of `import`, in bytes"},
    {"sentiment", "threshold", OPT_DOUBLE, "0.05", 0, 1, 1, "--threshold",
     "A score of at least +threshold is positive, at most -threshold negative"},
    {"sentiment", "max_line", OPT_SIZE, "1M", 64, 1073741824, 1, NULL,
     "Longest text `score` accepts on one input line, in bytes"},
    {"sentiment", "lexicons", OPT_STRING, "", NO_BOUNDS, 1, "--lexicon",
     "Extra lexicons, comma-separated PATH[:FORMAT] (vader, afinn, words+, "
     "words-, kw)"},
    {"crawler", "user_agent", OPT_STRING,
     "kolwatch/0.1 (+https://kolwatch.example/bot; set crawler.user_agent to your contact)",
     1, 500, 1, NULL, "User-Agent of every request; put a contact URL or address in it"},
    {"crawler", "robots_agent", OPT_STRING, "kolwatch", 1, 100, 1, NULL,
     "The product token robots.txt groups are matched against"},
    {"crawler", "allow_private", OPT_BOOL, "false", NO_BOUNDS, 1, NULL,
     "Also connect to loopback, private, link-local and multicast addresses"},
    {"crawler", "max_per_host", OPT_INT, "2", 1, 64, 1, NULL,
     "Connections to one host at once"},
    {"crawler", "min_delay_ms", OPT_INT, "1000", 0, 3600000, 1, NULL,
     "Milliseconds between request starts to one host (plus up to half of it as jitter)"},
    {"crawler", "max_pages", OPT_INT, "5", 1, 1000, 1, NULL,
     "Pages followed per source and crawl through its next= rule (paging)"},
    {"crawler", "lease", OPT_DURATION, "5m", 3, 86400, 1, NULL,
     "How long a crawler or worker holds the sources it claimed before others may take them"},
    {"crawler", "max_crawl_delay", OPT_DURATION, "30s", 0, 3600, 1, NULL,
     "A robots.txt Crawl-delay is honoured up to this"},
    {"crawler", "max_body", OPT_SIZE, "10M", 1024, 1073741824, 1, NULL,
     "Largest response body kept, after decompression"},
    {"crawler", "connect_timeout", OPT_DURATION, "10s", 1, 600, 1, NULL,
     "Time-out for connecting"},
    {"crawler", "timeout", OPT_DURATION, "60s", 1, 3600, 1, NULL,
     "Time-out for the whole fetch of a page, its redirects included"},
    {"crawler", "max_redirects", OPT_INT, "5", 0, 20, 1, NULL, "Redirects followed at most"},
    {"registry", "tiers_xiaohongshu", OPT_STRING, "KOC:0,初级:5000,腰部:50000,头部:500000",
     NO_BOUNDS, 1, NULL, "Xiaohongshu tiers by followers, LABEL:MIN,... (MIN inclusive)"},
    {"registry", "tiers_douyin", OPT_STRING,
     "尾部:0,腰部:300000,肩部:1000000,头部:3000000,超头部:10000000", NO_BOUNDS, 1, NULL,
     "Douyin tiers by followers, LABEL:MIN,..."},
    {"registry", "tiers_other", OPT_STRING,
     "sub-nano:0,nano:1000,micro:10000,mid:50000,macro:500000,mega:1000000", NO_BOUNDS, 1,
     NULL, "Tiers of every other platform, LABEL:MIN,..."},
    {"registry", "fair_price_margin", OPT_DOUBLE, "0.2", 0, 100, 1, NULL,
     "Flag a quote whose CPM or CPE is above the median of past results by more than this"},
    {"registry", "currency", OPT_STRING, "CNY", NO_BOUNDS, 1, "--currency",
     "Default currency of quotes and budgets (ISO 4217)"},
};

const int kw_options_count = (int)(sizeof kw_options / sizeof kw_options[0]);
