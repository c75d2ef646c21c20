/* `kolwatch export partners|quotes [FILE]`: CSV that `import` reads back. */
#include "cli.h"
#include "import_csv.h"

#include <string.h>

static const char usage[] =
    "Usage: kolwatch export partners|quotes [FILE.csv]   (default: standard output)\n\n"
    "Write every partner (one row per account) or every quote, oldest first, as\n"
    "CSV with the English headers `kolwatch import` reads. Money is in the\n"
    "currency's unit (12000.50), rates are fractions, dates YYYY-MM-DD.\n";

int cmd_export(kw_cli *cli, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return fputs(usage, stdout), EXIT_OK;
    if (argc < 2 || argc > 3)
        return cli_usage_error("export", "expected partners or quotes, and an optional FILE");
    if (strcmp(argv[1], "partners") != 0 && strcmp(argv[1], "quotes") != 0)
        return cli_usage_error("export", "unknown kind '%s' (partners or quotes)", argv[1]);
    return export_csv(cli, argv[1], argc == 3 ? argv[2] : "-");
}
