/*
 * The configuration: one table of typed options (options.c). Sources, in
 * order of precedence: command-line flag, environment
 * KOLWATCH_<SECTION>_<KEY>, the INI file, the default.
 */
#ifndef KOLWATCH_SERVICE_CONFIG_H
#define KOLWATCH_SERVICE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    OPT_STRING,
    OPT_INT,      /* integer within [min, max] */
    OPT_DOUBLE,   /* real within [min, max] */
    OPT_BOOL,     /* true/false, yes/no, on/off, 1/0 */
    OPT_DURATION, /* N plus s, m, h or d; held in seconds */
    OPT_SIZE      /* bytes, with optional K, M or G suffix (powers of 1024) */
} kw_opt_type;

typedef enum { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG } kw_opt_source;

typedef struct kw_option_def {
    const char *section;
    const char *key;
    kw_opt_type type;
    const char *def;   /* default, as text */
    double min, max;   /* bounds for numbers, for text its length (ignored when
                          min > max) */
    int reloadable;    /* may change on SIGHUP without a restart */
    const char *flag;  /* the command-line flag that sets it, or NULL */
    const char *help;
} kw_option_def;

extern const kw_option_def kw_options[];
extern const int kw_options_count;

typedef struct kw_config kw_config;

/* A configuration holding every default. Caller frees with kw_config_free. */
int kw_config_new(kw_config **out);
void kw_config_free(kw_config *cfg);

/* Read an INI file. A missing file is KW_ENOTFOUND (callers decide whether
 * that matters); a bad line is KW_EINVAL naming file and line. */
int kw_config_load_file(kw_config *cfg, const char *path);
/* The same for text already in memory; name is used in messages. */
int kw_config_load_buffer(kw_config *cfg, const char *name, const char *data, size_t len);
/* Apply KOLWATCH_<SECTION>_<KEY> variables (and KOLWATCH_DB for core.db). */
int kw_config_load_env(kw_config *cfg);
/* Set "section.key" from a source; validates type and bounds. */
int kw_config_set(kw_config *cfg, const char *name, const char *value,
                  kw_opt_source src);

const char *kw_config_str(const kw_config *cfg, const char *name);
int64_t kw_config_int(const kw_config *cfg, const char *name);
double kw_config_double(const kw_config *cfg, const char *name);
int kw_config_bool(const kw_config *cfg, const char *name);

/* Where the file was read from ("" when none). */
const char *kw_config_file(const kw_config *cfg);

/* `config show`: every option, its effective value and where it came from. */
void kw_config_show(const kw_config *cfg, FILE *out, int json);
/* A commented INI file holding every default (what `init` writes). */
void kw_config_write_template(FILE *out);

#endif
