/*
 * kolwatch error codes and the thread-local last-error message.
 *
 * Every function of ours that can fail returns 0 on success or a negative
 * KW_E* code, and leaves a human message (naming the input and the place)
 * in kw_error_last(). Messages never hold more than KW_ERROR_MAX bytes.
 */
#ifndef KOLWATCH_ERROR_H
#define KOLWATCH_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
    KW_OK = 0,
    KW_EINVAL = -1,    /* malformed input or argument */
    KW_ENOTFOUND = -2, /* the thing asked for does not exist */
    KW_ETOOBIG = -3,   /* input over a configured limit */
    KW_EIO = -4,       /* file, network or database I/O failed */
    KW_ENOMEM = -5,    /* out of memory */
    KW_EEXISTS = -6,   /* already exists (unique name, ...) */
    KW_EVERSION = -7,  /* database schema newer than this binary */
    KW_EBUSY = -8,     /* locked by someone else; try again */
    KW_EDB = -9,       /* the database refused the statement */
    KW_EGONE = -10,    /* removed by someone else while it was being worked on */
    KW_ELOST = -11     /* a claim that ran out and another crawler holds now */
};

#define KW_ERROR_MAX 1024

/* The message of the last failure on this thread ("" if none). Borrowed,
 * valid until the next kw_error_set on this thread. */
const char *kw_error_last(void);

/* Set the last-error message, printf style; returns code so that callers can
 * write `return kw_error_set(KW_EINVAL, "...")`. */
int kw_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Forget the last message. */
void kw_error_clear(void);

/* A short fixed name for a code ("invalid input", "not found", ...). */
const char *kw_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
