/* Decimal amounts to and from integer minor units, exactly. */
#include "kolwatch/money.h"
#include "kolwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_MINOR 1000000000000000LL /* 10^15 minor units */

int kw_currency_digits(const char *code)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF",
                                       "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                                       "XAF", "XOF", "XPF"};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    if (!code || strlen(code) != 3 || !isupper((unsigned char)code[0]) ||
        !isupper((unsigned char)code[1]) || !isupper((unsigned char)code[2]))
        return kw_error_set(KW_EINVAL, "'%.8s' is not an ISO 4217 currency code (e.g. CNY)",
                            code ? code : "");
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(code, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(code, three[i]) == 0)
            return 3;
    return 2;
}

int kw_money_parse(int64_t *out, const char *text, const char *currency)
{
    int digits = kw_currency_digits(currency);
    int64_t v = 0;
    int frac = -1;
    const char *p = text;
    if (digits < 0)
        return digits;
    if (!text || !isdigit((unsigned char)*p))
        goto bad;
    for (; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            if (!isdigit((unsigned char)p[1]))
                goto bad;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            goto bad;
        if (frac >= 0 && ++frac > digits)
            return kw_error_set(KW_EINVAL, "'%.40s' has more than %d decimal place%s for %s",
                                text, digits, digits == 1 ? "" : "s", currency);
        v = v * 10 + (*p - '0');
        if (v > MAX_MINOR)
            goto bad;
    }
    for (int i = frac < 0 ? 0 : frac; i < digits; i++)
        v *= 10;
    if (v > MAX_MINOR)
        goto bad;
    *out = v;
    return 0;
bad:
    return kw_error_set(KW_EINVAL, "'%.40s' is not an amount (e.g. 12000 or 12000.50)",
                        text ? text : "");
}

void kw_money_format(char *buf, size_t size, int64_t minor, const char *currency)
{
    int digits = kw_currency_digits(currency);
    int64_t scale = 1;
    const char *sign = minor < 0 ? "-" : "";
    uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    if (digits < 0)
        digits = 2;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    if (digits == 0) {
        snprintf(buf, size, "%s%llu", sign, (unsigned long long)m);
        return;
    }
    char frac[8];
    uint64_t f = m % (uint64_t)scale;
    for (int i = digits - 1; i >= 0; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    frac[digits] = '\0';
    snprintf(buf, size, "%s%llu.%s", sign, (unsigned long long)(m / (uint64_t)scale), frac);
}
