/*
 * What every command of the kolwatch binary shares: the effective
 * configuration, the command table and small output helpers.
 * Only service/ includes this header.
 */
#ifndef KOLWATCH_SERVICE_CLI_H
#define KOLWATCH_SERVICE_CLI_H

#include "config.h"

#include <stdio.h>

/* Exit statuses every command keeps (DESIGN: Interfaces). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct kw_cli {
    kw_config *config;  /* effective options; owned by main */
    const char *argv0;
} kw_cli;

typedef int (*kw_cmd_fn)(kw_cli *cli, int argc, char **argv);

typedef struct kw_command {
    const char *name;     /* "brand", "import", ... */
    const char *summary;  /* one line for `kolwatch --help` */
    kw_cmd_fn run;        /* argv[0] is the command name */
} kw_command;

/* The command table, NULL-terminated (commands.c). */
extern const kw_command kw_commands[];

/* Print "kolwatch: <message>" on stderr; returns EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "kolwatch <cmd>: <message>" and a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A query that does not compile: "kolwatch: <what>: <why>", then the
 * expression with a caret under byte `at` where it names one (when the
 * expression fits a line); returns EXIT_FAIL (cmd_query.c). */
int cli_query_error(const char *what, const char *expr, size_t at);

struct kw_store;
/* Open the store named by core.db. create: make a missing SQLite file;
 * any_version: accept a schema that is not current (init, migrate).
 * Prints the error and returns EXIT_FAIL on failure. */
int cli_open_store(kw_cli *cli, struct kw_store **out, int create, int any_version);

/* Output format of listing commands: --format table|json, default table
 * on a terminal and JSON otherwise. Returns 1 for JSON, 0 for table, -1 for
 * a bad value. */
int cli_format(const char *value);

/* A table cell in buf: the first n bytes of s (all of it when n < 0), at
 * most `max` terminal columns of it (0: no limit; cut at a whole
 * character), then spaces up to `width` columns. A CJK or full-width
 * character takes two columns, as terminals show it (printf's %-24s counts
 * bytes); a byte that is not UTF-8 shows as '?'. */
const char *cli_cell(char *buf, size_t size, const char *s, int n, int width, int max);

/* A table cell of names (a mention's brands): those that fit `width`
 * columns, comma-separated, then "+N" for those that do not (never cut
 * silently), padded to width. */
const char *cli_names_cell(char *buf, size_t size, const char *const *names, size_t n,
                           int width);

struct kw_tiers;
/* The tier table of a platform from the registry.tiers_* options; prints
 * the error and returns EXIT_FAIL when the option is malformed. */
int cli_tiers(kw_cli *cli, const char *platform, struct kw_tiers *out);

/* One command per file; each prints its own --help. */
int cmd_init(kw_cli *cli, int argc, char **argv);
int cmd_migrate(kw_cli *cli, int argc, char **argv);
int cmd_brand(kw_cli *cli, int argc, char **argv);
int cmd_config(kw_cli *cli, int argc, char **argv);
int cmd_import(kw_cli *cli, int argc, char **argv);
int cmd_mention(kw_cli *cli, int argc, char **argv);
int cmd_score(kw_cli *cli, int argc, char **argv);
int cmd_query(kw_cli *cli, int argc, char **argv);
int cmd_rescore(kw_cli *cli, int argc, char **argv);
int cmd_partner(kw_cli *cli, int argc, char **argv);
int cmd_quote(kw_cli *cli, int argc, char **argv);
int cmd_campaign(kw_cli *cli, int argc, char **argv);
int cmd_export(kw_cli *cli, int argc, char **argv);
int cmd_budget(kw_cli *cli, int argc, char **argv);
int cmd_source(kw_cli *cli, int argc, char **argv);
int cmd_crawl(kw_cli *cli, int argc, char **argv);
int cmd_worker(kw_cli *cli, int argc, char **argv);
int cmd_robots(kw_cli *cli, int argc, char **argv);
int cmd_parse_feed(kw_cli *cli, int argc, char **argv);

#endif
