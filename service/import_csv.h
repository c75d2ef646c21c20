/* `kolwatch import partners|quotes FILE.csv` and `export partners|quotes`. */
#ifndef KOLWATCH_SERVICE_IMPORT_CSV_H
#define KOLWATCH_SERVICE_IMPORT_CSV_H

#include "cli.h"

/* kind is "partners" or "quotes"; path may be "-". All rows or none. */
int import_csv(kw_cli *cli, const char *kind, const char *path);
/* Write every partner (with accounts) or quote as CSV to path ("-" = stdout). */
int export_csv(kw_cli *cli, const char *kind, const char *path);

#endif
