/* `kolwatch init` and `kolwatch migrate`: create and upgrade the database. */
#include "cli.h"

#include "kolwatch/error.h"
#include "kolwatch/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char init_usage[] =
    "Usage: kolwatch init [--db URL]\n\n"
    "Create the database (default ./kolwatch.db) with the current schema, and\n"
    "a commented configuration file kolwatch.conf (or the --config path) if\n"
    "none exists. Running it again on a current database changes nothing.\n";

static const char migrate_usage[] =
    "Usage: kolwatch migrate [--db URL]\n\n"
    "Apply the schema migrations the database lacks, in order, in one\n"
    "transaction. Idempotent. Refuses a database newer than this binary.\n";

static int migrate(kw_cli *cli, int create)
{
    kw_store *s = NULL;
    int applied = 0, current = 0, known = 0, rc;
    if ((rc = cli_open_store(cli, &s, create, 1)))
        return rc;
    if (kw_store_migrate(s, &applied) || kw_store_version(s, &current, &known)) {
        rc = cli_fail("%s", kw_error_last());
    } else {
        fprintf(stderr, "kolwatch: %s database %s at schema version %d (%d migration%s "
                        "applied)\n",
                kw_store_backend(s), kw_config_str(cli->config, "core.db"), current,
                applied, applied == 1 ? "" : "s");
    }
    kw_store_free(s);
    return rc;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cmd_init(kw_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv))
        return fputs(init_usage, stdout), EXIT_OK;
    if (argc > 1)
        return cli_usage_error("init", "unexpected argument '%s'", argv[1]);
    int rc = migrate(cli, 1);
    if (rc)
        return rc;
    const char *path = kw_config_file(cli->config);
    if (!*path)
        path = getenv("KOLWATCH_CONFIG") ? getenv("KOLWATCH_CONFIG") : "kolwatch.conf";
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno != EEXIST)
            return cli_fail("cannot write %s: %s", path, strerror(errno));
        return EXIT_OK;
    }
    FILE *f = fdopen(fd, "w");
    if (!f)
        return close(fd), cli_fail("cannot write %s: %s", path, strerror(errno));
    kw_config_write_template(f);
    if (fclose(f) != 0)
        return cli_fail("cannot write %s: %s", path, strerror(errno));
    fprintf(stderr, "kolwatch: wrote %s (every option, commented out)\n", path);
    return EXIT_OK;
}

int cmd_migrate(kw_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv))
        return fputs(migrate_usage, stdout), EXIT_OK;
    if (argc > 1)
        return cli_usage_error("migrate", "unexpected argument '%s'", argv[1]);
    return migrate(cli, 1);
}
