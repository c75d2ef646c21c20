/*
 * Money as kolwatch keeps it: an integer of minor units (cents, 分) beside
 * an ISO 4217 code. Never a floating-point amount.
 */
#ifndef KOLWATCH_MONEY_H
#define KOLWATCH_MONEY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Digits after the decimal point of a currency (2 for CNY, 0 for JPY, 3 for
 * KWD), or KW_EINVAL when code is not three upper-case letters. */
int kw_currency_digits(const char *code);

/* Parse an AMOUNT in the currency's major unit ("12000", "12000.50") into
 * minor units. More fraction digits than the currency has, a sign, spaces,
 * or an amount over 10^15 minor units is KW_EINVAL. */
int kw_money_parse(int64_t *out, const char *text, const char *currency);

/* Format minor units as a decimal in the major unit ("12000.50"). */
void kw_money_format(char *buf, size_t size, int64_t minor, const char *currency);

#ifdef __cplusplus
}
#endif
#endif
