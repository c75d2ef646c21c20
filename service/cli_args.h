/*
 * Small checked parsers for command-line values, shared by the commands:
 * each prints a usage error naming the flag and returns non-zero.
 */
#ifndef KOLWATCH_SERVICE_CLI_ARGS_H
#define KOLWATCH_SERVICE_CLI_ARGS_H

#include <stdint.h>

/* A whole number >= min. */
int arg_int(const char *cmd, const char *flag, const char *v, int64_t min, int64_t *out);
/* A fraction in [0, 1] ("0.15"). */
int arg_rate(const char *cmd, const char *flag, const char *v, double *out);
/* An AMOUNT in currency's major unit into minor units. */
int arg_money(const char *cmd, const char *flag, const char *v, const char *currency,
              int64_t *out);
/* A DATE (YYYY-MM-DD) or RFC 3339 time. */
int arg_date(const char *cmd, const char *flag, const char *v, int64_t *out);
/* One of the NULL-terminated choices. */
int arg_choice(const char *cmd, const char *flag, const char *v, const char *const *choices);
/* A decimal id >= 1. */
int arg_id(const char *cmd, const char *what, const char *v, int64_t *out);

#endif
