/* `kolwatch config show`: each effective option and where it came from. */
#include "cli.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: kolwatch config show [--format table|json]\n\n"
    "Print every option's effective value and its source: flag, env\n"
    "(KOLWATCH_<SECTION>_<KEY>), file (the INI file) or default.\n";

int cmd_config(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int json = !isatty(STDOUT_FILENO), c;
    if (argc >= 2 && strcmp(argv[1], "--help") == 0)
        return fputs(usage, stdout), EXIT_OK;
    if (argc < 2 || strcmp(argv[1], "show") != 0)
        return cli_usage_error("config", "expected 'show'");
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == 'h')
            return fputs(usage, stdout), EXIT_OK;
        if (c == 'f' && strcmp(optarg, "json") == 0)
            json = 1;
        else if (c == 'f' && strcmp(optarg, "table") == 0)
            json = 0;
        else
            return cli_usage_error("config", "bad option");
    }
    kw_config_show(cli->config, stdout, json);
    return EXIT_OK;
}
