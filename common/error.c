/*
 * The thread-local last-error message behind kw_error_last().
 * Never allocates: a failure path must not fail again for want of memory.
 */
#include "kolwatch/error.h"
#include "kolwatch/textio.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[KW_ERROR_MAX];

const char *kw_error_last(void) { return last_message; }

int kw_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    /* Messages quote what pages and servers sent, and reach terminals: a
     * control character (ESC starting a terminal's escape sequence, C1's
     * CSI) is shown as '?'; newlines and tabs stay. */
    kw_controls_replace(last_message, '?');
    return code;
}

void kw_error_clear(void) { last_message[0] = '\0'; }

const char *kw_error_name(int code)
{
    switch (code) {
    case KW_OK: return "ok";
    case KW_EINVAL: return "invalid input";
    case KW_ENOTFOUND: return "not found";
    case KW_ETOOBIG: return "too big";
    case KW_EIO: return "I/O error";
    case KW_ENOMEM: return "out of memory";
    case KW_EEXISTS: return "already exists";
    case KW_EVERSION: return "unsupported schema version";
    case KW_EBUSY: return "busy";
    case KW_EDB: return "database error";
    case KW_EGONE: return "removed meanwhile";
    case KW_ELOST: return "claim lost";
    default: return "unknown error";
    }
}
