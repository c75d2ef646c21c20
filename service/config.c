/*
 * Typed configuration values, read from the defaults, an INI file, the
 * environment and command-line flags. Never exits: every failure is a
 * KW_E* code with a message naming the file, line or variable.
 */
#include "config.h"

#include "kolwatch/error.h"
#include "kolwatch/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct value {
    char *text;
    kw_opt_source src;
    int64_t i;
    double d;
} value;

struct kw_config {
    value *v;
    char file[4096];
};

static const char *src_name[] = {"default", "file", "env", "flag"};

static int find(const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot)
        return -1;
    size_t slen = (size_t)(dot - name);
    for (int i = 0; i < kw_options_count; i++)
        if (strlen(kw_options[i].section) == slen &&
            strncmp(kw_options[i].section, name, slen) == 0 &&
            strcmp(kw_options[i].key, dot + 1) == 0)
            return i;
    return -1;
}

static int parse_size(const char *t, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(t, &end, 10);
    if (errno || end == t || n < 0)
        return -1;
    int64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024LL * 1024 * 1024, end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || n > INT64_MAX / mul)
        return -1;
    *out = n * mul;
    return 0;
}

static int parse_bool(const char *t, int64_t *out)
{
    static const char *yes[] = {"1", "true", "yes", "on"};
    static const char *no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(t, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

/* Validate text for option i and store it; `where` names the source. */
/* A bound of a setting as it is written: 1024, 60s, 1h, 10MiB, 0.5. */
static void bound_text(char *buf, size_t size, int type, double v)
{
    long long n = v > -9e18 && v < 9e18 ? (long long)v : 0; /* cast only in range */
    if (type == OPT_DOUBLE || (double)n != v) {
        snprintf(buf, size, "%g", v);
    } else if (type == OPT_DURATION) {
        static const struct {
            long long s;
            const char *unit;
        } units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}};
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
            if (n && n % units[k].s == 0) {
                snprintf(buf, size, "%lld%s", n / units[k].s, units[k].unit);
                return;
            }
        snprintf(buf, size, "%llds", n);
    } else if (type == OPT_SIZE && n && n % (1 << 30) == 0) {
        snprintf(buf, size, "%lldG", n >> 30);
    } else if (type == OPT_SIZE && n && n % (1 << 20) == 0) {
        snprintf(buf, size, "%lldM", n >> 20);
    } else if (type == OPT_SIZE && n && n % 1024 == 0) {
        snprintf(buf, size, "%lldK", n >> 10);
    } else {
        snprintf(buf, size, "%lld", n);
    }
}

static int assign(kw_config *cfg, int i, const char *text, kw_opt_source src,
                  const char *where)
{
    const kw_option_def *o = &kw_options[i];
    value nv = {0};
    char *end;
    nv.src = src;
    switch (o->type) {
    case OPT_STRING: /* bounds, where given, are on its length */
        if (o->min <= o->max && strlen(text) < o->min)
            return kw_error_set(KW_EINVAL, "%s: %s.%s may not be empty", where, o->section,
                                o->key);
        if (o->min <= o->max && strlen(text) > o->max)
            return kw_error_set(KW_EINVAL, "%s: %s.%s is longer than %g bytes", where,
                                o->section, o->key, o->max);
        break;
    case OPT_INT:
        errno = 0;
        nv.i = strtoll(text, &end, 10);
        if (errno || end == text || *end)
            goto bad_type;
        nv.d = (double)nv.i;
        break;
    case OPT_DOUBLE:
        errno = 0;
        nv.d = strtod(text, &end);
        if (errno || end == text || *end || !isfinite(nv.d))
            goto bad_type;
        break;
    case OPT_BOOL:
        if (parse_bool(text, &nv.i))
            goto bad_type;
        break;
    case OPT_DURATION:
        if (kw_duration_parse(&nv.i, text))
            goto bad_type;
        nv.d = (double)nv.i;
        break;
    case OPT_SIZE:
        if (parse_size(text, &nv.i))
            goto bad_type;
        nv.d = (double)nv.i;
        break;
    }
    if (o->type != OPT_STRING && o->type != OPT_BOOL && o->min <= o->max &&
        (nv.d < o->min || nv.d > o->max)) {
        char lo[32], hi[32];
        bound_text(lo, sizeof lo, o->type, o->min);
        bound_text(hi, sizeof hi, o->type, o->max);
        return kw_error_set(KW_EINVAL, "%s: %s.%s = %s is out of range (%s to %s)", where,
                            o->section, o->key, text, lo, hi);
    }
    nv.text = strdup(text);
    if (!nv.text)
        return kw_error_set(KW_ENOMEM, "out of memory");
    free(cfg->v[i].text);
    cfg->v[i] = nv;
    return 0;
bad_type: {
    static const char *expect[] = {"text", "a whole number", "a number",
                                   "true or false",
                                   "a duration such as 15m or 1d",
                                   "a size such as 1M"};
    return kw_error_set(KW_EINVAL, "%s: %s.%s = '%.100s' is not %s", where,
                        o->section, o->key, text, expect[o->type]);
}
}

int kw_config_new(kw_config **out)
{
    kw_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->v = calloc((size_t)kw_options_count, sizeof *cfg->v))) {
        free(cfg);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    for (int i = 0; i < kw_options_count; i++) {
        int rc = assign(cfg, i, kw_options[i].def, SRC_DEFAULT, "default");
        if (rc) {
            kw_config_free(cfg);
            return rc;
        }
    }
    *out = cfg;
    return 0;
}

void kw_config_free(kw_config *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < kw_options_count; i++)
        free(cfg->v[i].text);
    free(cfg->v);
    free(cfg);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

#define MAX_CONFIG_FILE (1024 * 1024)
#define MAX_CONFIG_LINE 8192

int kw_config_load_buffer(kw_config *cfg, const char *name, const char *data, size_t len)
{
    char line[MAX_CONFIG_LINE + 1], section[64] = "", where[4200];
    int lineno = 0, rc = 0;
    size_t off = 0;
    while (off < len && !rc) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t n = (nl ? (size_t)(nl - data) : len) - off;
        lineno++;
        snprintf(where, sizeof where, "%s:%d", name, lineno);
        if (n > MAX_CONFIG_LINE)
            return kw_error_set(KW_EINVAL, "%s: line longer than %d bytes", where,
                                MAX_CONFIG_LINE);
        if (memchr(data + off, '\0', n))
            return kw_error_set(KW_EINVAL, "%s: NUL byte in a text file", where);
        memcpy(line, data + off, n);
        line[n] = '\0';
        off += n + (nl ? 1 : 0);
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || e[1] != '\0' || e - s - 1 <= 0 ||
                (size_t)(e - s - 1) >= sizeof section)
                return kw_error_set(KW_EINVAL, "%s: bad section header '%.80s'", where, s);
            *e = '\0';
            snprintf(section, sizeof section, "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq)
            return kw_error_set(KW_EINVAL, "%s: expected 'key = value', got '%.80s'",
                                where, s);
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1), optname[256];
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        snprintf(optname, sizeof optname, "%s.%s", section, key);
        int i = find(optname);
        if (i < 0)
            return kw_error_set(KW_EINVAL,
                                "%s: unknown option '%.100s' (see `kolwatch config show`)",
                                where, section[0] ? optname : key);
        rc = assign(cfg, i, val, SRC_FILE, where);
    }
    return rc;
}

int kw_config_load_file(kw_config *cfg, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len;
    int rc;
    if (!f) {
        if (errno == ENOENT)
            return kw_error_set(KW_ENOTFOUND, "%s: no such file", path);
        return kw_error_set(KW_EIO, "%s: cannot read: %s", path, strerror(errno));
    }
    if (!(buf = malloc(MAX_CONFIG_FILE + 1))) {
        fclose(f);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    len = fread(buf, 1, MAX_CONFIG_FILE + 1, f);
    if (ferror(f))
        rc = kw_error_set(KW_EIO, "%s: cannot read: %s", path, strerror(errno));
    else if (len > MAX_CONFIG_FILE)
        rc = kw_error_set(KW_ETOOBIG, "%s: larger than %d bytes", path, MAX_CONFIG_FILE);
    else
        rc = kw_config_load_buffer(cfg, path, buf, len);
    fclose(f);
    free(buf);
    if (!rc)
        snprintf(cfg->file, sizeof cfg->file, "%s", path);
    return rc;
}

int kw_config_load_env(kw_config *cfg)
{
    char var[256], where[300];
    for (int i = 0; i < kw_options_count; i++) {
        const kw_option_def *o = &kw_options[i];
        snprintf(var, sizeof var, "KOLWATCH_%s_%s", o->section, o->key);
        for (char *p = var; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        const char *v = getenv(var);
        if (!v && strcmp(o->section, "core") == 0 && strcmp(o->key, "db") == 0 &&
            (v = getenv("KOLWATCH_DB")))
            snprintf(var, sizeof var, "KOLWATCH_DB");
        if (!v)
            continue;
        snprintf(where, sizeof where, "environment %s", var);
        int rc = assign(cfg, i, v, SRC_ENV, where);
        if (rc)
            return rc;
    }
    return 0;
}

int kw_config_set(kw_config *cfg, const char *name, const char *value,
                  kw_opt_source src)
{
    int i = find(name);
    if (i < 0)
        return kw_error_set(KW_EINVAL, "unknown option '%s'", name);
    const kw_option_def *o = &kw_options[i];
    char where[128];
    if (o->flag && src == SRC_FLAG)
        snprintf(where, sizeof where, "%s", o->flag);
    else
        snprintf(where, sizeof where, "%s", src_name[src]);
    return assign(cfg, i, value, src, where);
}

static const value *get(const kw_config *cfg, const char *name)
{
    int i = find(name);
    if (i < 0) {
        /* A programming error: the name is not in the table. */
        fprintf(stderr, "kolwatch: internal error: unknown option %s\n", name);
        abort();
    }
    return &cfg->v[i];
}

const char *kw_config_str(const kw_config *cfg, const char *name)
{
    return get(cfg, name)->text;
}
int64_t kw_config_int(const kw_config *cfg, const char *name)
{
    return get(cfg, name)->i;
}
double kw_config_double(const kw_config *cfg, const char *name)
{
    return get(cfg, name)->d;
}
int kw_config_bool(const kw_config *cfg, const char *name)
{
    return get(cfg, name)->i != 0;
}
const char *kw_config_file(const kw_config *cfg) { return cfg->file; }

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void kw_config_show(const kw_config *cfg, FILE *out, int json)
{
    if (json)
        fputs("{\"items\":[", out);
    for (int i = 0; i < kw_options_count; i++) {
        const kw_option_def *o = &kw_options[i];
        const value *v = &cfg->v[i];
        char name[128];
        snprintf(name, sizeof name, "%s.%s", o->section, o->key);
        if (json) {
            fputs(i ? ",{\"name\":" : "{\"name\":", out);
            json_string(out, name);
            fputs(",\"value\":", out);
            json_string(out, v->text);
            fprintf(out, ",\"source\":\"%s\",\"default\":", src_name[v->src]);
            json_string(out, o->def);
            fputs(",\"help\":", out);
            json_string(out, o->help);
            fputc('}', out);
        } else {
            const char *src = src_name[v->src];
            fprintf(out, "%-22s %-28s (%s%s%s)\n", name, v->text, src,
                    v->src == SRC_FILE ? " " : "",
                    v->src == SRC_FILE ? cfg->file : "");
        }
    }
    if (json)
        fputs("],\"next_cursor\":null}\n", out);
}

void kw_config_write_template(FILE *out)
{
    const char *section = "";
    fputs("# kolwatch configuration. Every line is commented out and shows the\n"
          "# default; uncomment and change what you need. Environment variables\n"
          "# KOLWATCH_<SECTION>_<KEY> override this file, command-line flags\n"
          "# override both. `kolwatch config show` prints what is in effect.\n",
          out);
    for (int i = 0; i < kw_options_count; i++) {
        const kw_option_def *o = &kw_options[i];
        if (strcmp(section, o->section) != 0) {
            section = o->section;
            fprintf(out, "\n[%s]\n", section);
        }
        fprintf(out, "# %s\n# %s = %s\n", o->help, o->key, o->def);
    }
}
