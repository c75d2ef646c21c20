/* Checked command-line values; every failure is a usage error (exit 2). */
#include "cli_args.h"
#include "cli.h"

#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int arg_int(const char *cmd, const char *flag, const char *v, int64_t min, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min)
        return cli_usage_error(cmd, "%s takes a whole number of %lld or more, not '%s'", flag,
                               (long long)min, v);
    *out = n;
    return 0;
}

int arg_rate(const char *cmd, const char *flag, const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= 0 && d <= 1))
        return cli_usage_error(cmd, "%s takes a fraction from 0 to 1 (e.g. 0.15), not '%s'",
                               flag, v);
    *out = d;
    return 0;
}

int arg_money(const char *cmd, const char *flag, const char *v, const char *currency,
              int64_t *out)
{
    if (kw_money_parse(out, v, currency))
        return cli_usage_error(cmd, "%s: %s", flag, kw_error_last());
    return 0;
}

int arg_date(const char *cmd, const char *flag, const char *v, int64_t *out)
{
    if (kw_time_parse(out, v))
        return cli_usage_error(cmd, "%s: %s", flag, kw_error_last());
    return 0;
}

int arg_choice(const char *cmd, const char *flag, const char *v, const char *const *choices)
{
    char list[512] = "";
    for (const char *const *c = choices; *c; c++) {
        if (strcmp(*c, v) == 0)
            return 0;
        strncat(list, *c, sizeof list - strlen(list) - 3);
        if (c[1])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return cli_usage_error(cmd, "%s takes one of %s, not '%s'", flag, list, v);
}

int arg_id(const char *cmd, const char *what, const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < 1)
        return cli_usage_error(cmd, "%s must be an id (a whole number), not '%s'", what, v);
    *out = n;
    return 0;
}
