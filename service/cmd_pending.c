/* Commands whose files have not landed yet. */
#include "cli.h"

#define PENDING(fn)                                                    \
    int fn(kw_cli *cli, int argc, char **argv)                         \
    {                                                                  \
        (void)cli, (void)argc;                                         \
        return cli_fail("%s: not built yet", argv[0]);                 \
    }
PENDING(cmd_init)
PENDING(cmd_migrate)
PENDING(cmd_brand)
PENDING(cmd_import)
PENDING(cmd_mention)
PENDING(cmd_rescore)
