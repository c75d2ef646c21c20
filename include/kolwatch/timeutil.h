/*
 * Times as kolwatch keeps them: UTC seconds since the epoch in memory,
 * RFC 3339 text ("2026-10-01T08:00:00Z") in output and storage.
 */
#ifndef KOLWATCH_TIMEUTIL_H
#define KOLWATCH_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Size of a buffer that holds any formatted time, NUL included. */
#define KW_TIME_TEXT 32

/* Parse RFC 3339 ("2026-10-01T08:00:00Z", "...+08:00", fractions dropped,
 * 't'/'z' in any case, a space for 'T'), a zone-less date-time (taken as
 * UTC) or a DATE alone ("2026-10-01", midnight UTC) into *out.
 * Returns 0, or KW_EINVAL with a message naming the text. */
int kw_time_parse(int64_t *out, const char *text);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least KW_TIME_TEXT). */
void kw_time_format(char *buf, size_t size, int64_t t);

/* Parse a duration "N" followed by s, m, h or d ("15m", "1d") into seconds. */
int kw_duration_parse(int64_t *out, const char *text);

/* A zone as an offset from UTC: "UTC" or "Z" (0), "+08:00", "+0800", "+8",
 * "-05:30", optionally after "UTC" or "GMT" ("UTC+8"), at most 14 hours.
 * *out gets seconds east of UTC. KW_EINVAL with a message naming the text. */
int kw_utc_offset_parse(int64_t *out, const char *text);
/* Format seconds east of UTC as "+08:00" (buf of at least 8 bytes). */
void kw_utc_offset_format(char *buf, size_t size, int64_t offset);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range check). */
int64_t kw_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The current time, seconds since the epoch. */
int64_t kw_time_now(void);

#ifdef __cplusplus
}
#endif
#endif
