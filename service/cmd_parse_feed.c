/* `kolwatch parse-feed`: placeholder. */
#include "cli.h"

int cmd_parse_feed(kw_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return cli_fail("parse-feed: not built yet");
}
