/* Commands whose files have not landed yet. */
#include "cli.h"

#define PENDING(fn)                                                    \
    int fn(kw_cli *cli, int argc, char **argv)                         \
    {                                                                  \
        (void)cli, (void)argc;                                         \
        return cli_fail("%s: not built yet", argv[0]);                 \
    }
PENDING(cmd_rescore)
