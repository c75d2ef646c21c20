/*
 * The table of every option kolwatch knows. Parsing, validation, `config
 * show`, the template `init` writes and the docs all read this one table:
 * add an option here and nowhere else.
 */
#include "config.h"

#define NO_BOUNDS 1, 0

const kw_option_def kw_options[] = {
    {"core", "db", OPT_STRING, "./kolwatch.db", NO_BOUNDS, 0, "--db",
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
};

const int kw_options_count = (int)(sizeof kw_options / sizeof kw_options[0]);
