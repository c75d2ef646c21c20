/* `kolwatch score`: placeholder until the sentiment library lands. */
#include "cli.h"

int cmd_score(kw_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return cli_fail("score: the sentiment scorer is not built yet");
}
