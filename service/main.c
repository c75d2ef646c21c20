/*
 * main(): reads the global options and the configuration, then hands the
 * rest of the command line to one command of the table in commands.c.
 * The only place where the libraries are wired together is service/.
 */
#include "cli.h"

#include "kolwatch/error.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libxml/xmlversion.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#ifdef KW_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

#ifndef KW_VERSION
#define KW_VERSION "0.0.0"
#endif

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("kolwatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kolwatch %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kolwatch %s --help'.\n", cmd);
    return EXIT_USAGE;
}

static void print_version(void)
{
    printf("kolwatch %s\n", KW_VERSION);
    printf("  libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
    printf("  libxml2 %s\n", LIBXML_DOTTED_VERSION);
    printf("  SQLite %s\n", sqlite3_libversion());
#ifdef KW_HAVE_POSTGRES
    int pq = PQlibVersion();
    printf("  libpq %d.%d (PostgreSQL back end built in)\n", pq / 10000, pq % 100);
#else
    printf("  PostgreSQL back end: not built (configured with "
           "-DKOLWATCH_POSTGRES=OFF)\n");
#endif
    printf("  cJSON %s\n", cJSON_Version());
    printf("  libmicrohttpd %s\n", MHD_get_version());
    printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
}

static void print_help(FILE *out)
{
    fputs("Usage: kolwatch [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
          "Self-hosted brand listening: collect mentions, score their sentiment,\n"
          "warn on negative spikes, manage influencer partners.\n\nCommands:\n",
          out);
    for (const kw_command *c = kw_commands; c->name; c++)
        fprintf(out, "  %-13s %s\n", c->name, c->summary);
    fputs("\nGlobal options (accepted before or after the command):\n"
          "  --db URL          database: PATH or sqlite:PATH (default ./kolwatch.db),\n"
          "                    or postgres://USER@HOST:PORT/DB (also KOLWATCH_DB)\n"
          "  --config FILE     INI configuration (default ./kolwatch.conf if it\n"
          "                    exists; also KOLWATCH_CONFIG)\n"
          "  --set S.K=VALUE   set any option, e.g. --set import.batch_size=500\n"
          "  --help            this text; `kolwatch COMMAND --help` for a command\n"
          "  --version         version and the libraries built in\n\n"
          "Exit status: 0 success, 1 failure (or a rejected input line),\n"
          "2 bad usage.\n",
          out);
}

/* Take the global options out of argv wherever they stand; returns the new
 * argc, or -1 after printing a usage error. */
static int take_globals(int argc, char **argv, const char **config_path,
                        const char **db, char ***sets, int *nsets)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        const char **slot = NULL;
        int is_set = 0;
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strncmp(a, "--db", 4) == 0 && (a[4] == '\0' || a[4] == '='))
            slot = db;
        else if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
            slot = config_path;
        else if (strncmp(a, "--set", 5) == 0 && (a[5] == '\0' || a[5] == '='))
            is_set = 1;
        if (!slot && !is_set) {
            argv[out++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "kolwatch: option %s needs a value\n", a);
            return -1;
        }
        if (slot)
            *slot = val;
        else
            (*sets)[(*nsets)++] = (char *)val;
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    const char *config_path = getenv("KOLWATCH_CONFIG"), *db = NULL;
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int nsets = 0, rc = EXIT_FAIL, explicit_config = config_path != NULL;
    kw_config *cfg = NULL;
    kw_cli cli = {0};

    signal(SIGPIPE, SIG_IGN);
    if (!sets)
        return cli_fail("out of memory");
    const char *cfg_flag = NULL;
    argc = take_globals(argc, argv, &cfg_flag, &db, &sets, &nsets);
    if (argc < 0) {
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if (cfg_flag)
        config_path = cfg_flag, explicit_config = 1;
    if (argc < 2) {
        print_help(stderr);
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        rc = EXIT_OK;
        goto cleanup;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        print_version();
        rc = EXIT_OK;
        goto cleanup;
    }
    if (kw_config_new(&cfg)) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    if (!config_path)
        config_path = "kolwatch.conf";
    int frc = kw_config_load_file(cfg, config_path);
    if (frc && !(frc == KW_ENOTFOUND && !explicit_config)) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    if (kw_config_load_env(cfg)) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    if (db && kw_config_set(cfg, "core.db", db, SRC_FLAG)) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    for (int i = 0; i < nsets; i++) {
        char name[128];
        const char *eq = strchr(sets[i], '=');
        if (!eq || (size_t)(eq - sets[i]) >= sizeof name) {
            fprintf(stderr, "kolwatch: --set takes SECTION.KEY=VALUE, not '%s'\n",
                    sets[i]);
            rc = EXIT_USAGE;
            goto cleanup;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - sets[i]), sets[i]);
        if (kw_config_set(cfg, name, eq + 1, SRC_FLAG)) {
            cli_fail("%s", kw_error_last());
            rc = EXIT_USAGE; /* a bad --set is a bad command line */
            goto cleanup;
        }
    }
    cli.config = cfg;
    cli.argv0 = argv[0];
    for (const kw_command *c = kw_commands; c->name; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            rc = c->run(&cli, argc - 1, argv + 1);
            goto cleanup;
        }
    }
    fprintf(stderr, "kolwatch: unknown command '%s'. Try 'kolwatch --help'.\n",
            argv[1]);
    rc = EXIT_USAGE;
cleanup:
    kw_config_free(cfg);
    free(sets);
    return rc;
}
