/*
 * Spreadsheet import and export of partners and quotes. An import is one
 * transaction: every row is checked, every bad row reported with its row
 * number, and the file goes in whole or not at all. Headers may be English
 * or the Chinese a team's spreadsheet already uses.
 */
#include "import_csv.h"

#include "kolwatch/csv.h"
#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/platform.h"
#include "kolwatch/store.h"
#include "kolwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CSV_FILE (64 * 1024 * 1024)

typedef struct column {
    const char *name;          /* canonical (English) header */
    const char *aliases[6];    /* other accepted headers */
} column;

static const column partner_cols[] = {
    {"name", {"达人", "达人名称", "昵称", "名称", "博主", NULL}},
    {"type", {"类型", "达人类型", NULL}},
    {"agency", {"机构", "MCN", "mcn", "经纪公司", NULL}},
    {"contact", {"联系方式", "联系人", NULL}},
    {"status", {"状态", NULL}},
    {"tags", {"标签", "领域", "垂类", NULL}},
    {"notes", {"备注", NULL}},
    {"platform", {"平台", NULL}},
    {"handle", {"账号", "账号ID", "ID", NULL}},
    {"url", {"主页", "链接", NULL}},
    {"followers", {"粉丝", "粉丝数", NULL}},
    {"avg_views", {"平均播放", "平均阅读", "平均曝光", NULL}},
    {"engagement_rate", {"互动率", NULL}},
    {NULL, {NULL}},
};

static const column quote_cols[] = {
    {"partner", {"达人", "达人名称", "昵称", "名称", "partner_id", NULL}},
    {"platform", {"平台", NULL}},
    {"deliverable", {"形式", "内容形式", "合作形式", NULL}},
    {"price", {"刊例价", "报价", "list_price", NULL}},
    {"net", {"净价", "net_price", "结算价", NULL}},
    {"currency", {"币种", "货币", NULL}},
    {"mode", {"合作方式", "合作模式", NULL}},
    {"product_value", {"产品价值", "货值", NULL}},
    {"shipping", {"运费", NULL}},
    {"commission_rate", {"佣金比例", "佣金率", NULL}},
    {"bonus", {"奖励", "对赌奖励", NULL}},
    {"bonus_threshold", {"奖励门槛", "对赌门槛", NULL}},
    {"valid_from", {"生效日期", "开始日期", NULL}},
    {"valid_until", {"失效日期", "截止日期", NULL}},
    {NULL, {NULL}},
};

/* Words a Chinese spreadsheet uses for our fixed ids. */
static const char *const synonyms[][2] = {
    {"微博", "weibo"},       {"小红书", "xiaohongshu"}, {"红书", "xiaohongshu"},
    {"抖音", "douyin"},      {"B站", "bilibili"},       {"b站", "bilibili"},
    {"哔哩哔哩", "bilibili"}, {"知乎", "zhihu"},         {"微信", "wechat"},
    {"公众号", "wechat"},     {"视频号", "wechat"},       {"快手", "kuaishou"},
    {"图文", "note"},         {"笔记", "note"},           {"短视频", "video_short"},
    {"视频", "video_mid"},    {"长视频", "video_long"},   {"直播", "live"},
    {"直发", "post"},         {"转发", "repost"},         {"文章", "article"},
    {"付费", "fee"},          {"商单", "fee"},            {"置换", "barter"},
    {"佣金", "commission"},   {"CPS", "commission"},      {"混合", "hybrid"},
    {"保底+佣金", "hybrid"},  {"KOL", "kol"},             {"KOC", "koc"},
    {"合作中", "active"},     {"待合作", "prospect"},     {"暂停", "paused"},
    {"拉黑", "blocked"},
};

static const char *canon(const char *v)
{
    for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
        if (strcmp(v, synonyms[i][0]) == 0)
            return synonyms[i][1];
    return v;
}

/* Map each header to a column index of cols, or -1 (ignored). */
static int map_header(const column *cols, char **h, int n, int *map, char *why, size_t size)
{
    for (int i = 0; i < n; i++) {
        map[i] = -1;
        for (int c = 0; cols[c].name && map[i] < 0; c++) {
            if (strcmp(h[i], cols[c].name) == 0)
                map[i] = c;
            for (int a = 0; cols[c].aliases[a] && map[i] < 0; a++)
                if (strcmp(h[i], cols[c].aliases[a]) == 0)
                    map[i] = c;
        }
        for (int j = 0; j < i && map[i] >= 0; j++)
            if (map[j] == map[i]) {
                snprintf(why, size, "columns '%s' and '%s' both mean %s", h[j], h[i],
                         cols[map[i]].name);
                return -1;
            }
    }
    return 0;
}

typedef struct row {
    const char *v[16]; /* by column index; NULL when absent or empty */
} row;

static void fill_row(row *r, char **f, int n, const int *map)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < n; i++) {
        char *s = f[i];
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            s[--l] = '\0';
        if (map[i] >= 0 && *s)
            r->v[map[i]] = s;
    }
}

static int parse_count(const char *v, int64_t *out)
{
    char *end;
    if (!v)
        return *out = -1, 0;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || n < 0)
        return -1;
    if (strcmp(end, "万") == 0 || strcmp(end, "w") == 0 || strcmp(end, "W") == 0)
        n *= 10000;
    else if (*end)
        return -1;
    *out = n;
    return 0;
}

/* "0.15" or "15%" into a fraction in [0, 1]. */
static int parse_rate(const char *v, double *out)
{
    char *end;
    if (!v)
        return *out = NAN, 0;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v)
        return -1;
    if (strcmp(end, "%") == 0)
        d /= 100;
    else if (*end)
        return -1;
    if (!(d >= 0 && d <= 1))
        return -1;
    *out = d;
    return 0;
}

static long report(const char *path, long row, const char *fmt, const char *a)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a);
    fprintf(stderr, "kolwatch: %s: row %ld: %s\n", path, row, msg);
    return 1;
}

/* Split "a;b；c、d|e" into the partner's tags (separators are whole UTF-8
 * characters, never single bytes of one). */
static int split_tags(kw_partner *p, const char *v)
{
    static const char *const seps[] = {";", "；", "、", "|", ","};
    const char *start = v;
    for (const char *q = v;; ) {
        size_t sl = 0;
        for (size_t i = 0; i < sizeof seps / sizeof seps[0] && !sl; i++)
            if (strncmp(q, seps[i], strlen(seps[i])) == 0)
                sl = strlen(seps[i]);
        if (*q == '\0' || sl) {
            size_t n = (size_t)(q - start);
            if (n >= sizeof p->tags[0])
                return -1;
            if (n > 0 && p->n_tags < KW_MAX_TAGS) {
                memcpy(p->tags[p->n_tags], start, n);
                p->tags[p->n_tags++][n] = '\0';
            }
            if (*q == '\0')
                return 0;
            q += sl;
            start = q;
        } else {
            q++;
        }
    }
}

enum { P_NAME, P_TYPE, P_AGENCY, P_CONTACT, P_STATUS, P_TAGS, P_NOTES, P_PLATFORM, P_HANDLE,
       P_URL, P_FOLLOWERS, P_VIEWS, P_ER };

/* One partner row: find or add the partner by name, then its account. */
static long partner_row(kw_store *s, const char *path, long rn, const row *r, long *added,
                        long *accounts)
{
    kw_partner p = {0};
    kw_partner *list = NULL;
    size_t n = 0;
    int64_t pid = 0;
    if (!r->v[P_NAME])
        return report(path, rn, "no name%s", "");
    if (kw_store_partner_list(s, &list, &n))
        return report(path, rn, "%s", kw_error_last());
    for (size_t i = 0; i < n && !pid; i++)
        if (strcmp(list[i].name, r->v[P_NAME]) == 0)
            pid = list[i].id;
    free(list);
    if (!pid) {
        const char *type = r->v[P_TYPE] ? canon(r->v[P_TYPE]) : NULL;
        const char *status = r->v[P_STATUS] ? canon(r->v[P_STATUS]) : "prospect";
        if (!type)
            return report(path, rn, "no type (kol or koc) for a new partner%s", "");
        if (kw_store_text_field(p.name, sizeof p.name, r->v[P_NAME], "name") ||
            kw_store_text_field(p.type, sizeof p.type, type, "type") ||
            kw_store_text_field(p.agency, sizeof p.agency, r->v[P_AGENCY], "agency") ||
            kw_store_text_field(p.contact, sizeof p.contact, r->v[P_CONTACT], "contact") ||
            kw_store_text_field(p.status, sizeof p.status, status, "status") ||
            kw_store_text_field(p.notes, sizeof p.notes, r->v[P_NOTES], "notes"))
            return report(path, rn, "%s", kw_error_last());
        if (r->v[P_TAGS] && split_tags(&p, r->v[P_TAGS]))
            return report(path, rn, "a tag is longer than %s bytes", "63");
        if (kw_store_partner_add(s, &p, &pid))
            return report(path, rn, "%s", kw_error_last());
        (*added)++;
    }
    if (!r->v[P_PLATFORM] && !r->v[P_HANDLE])
        return 0;
    kw_account a = {.partner_id = pid};
    const char *platform = r->v[P_PLATFORM] ? canon(r->v[P_PLATFORM]) : "";
    if (!kw_platform_valid(platform))
        return report(path, rn, "unknown platform '%s'", r->v[P_PLATFORM] ? r->v[P_PLATFORM] : "");
    if (!r->v[P_HANDLE])
        return report(path, rn, "an account needs a handle%s", "");
    if (parse_count(r->v[P_FOLLOWERS], &a.followers) || parse_count(r->v[P_VIEWS], &a.avg_views))
        return report(path, rn, "followers and avg_views must be whole numbers (万 allowed)%s", "");
    if (parse_rate(r->v[P_ER], &a.engagement_rate))
        return report(path, rn, "engagement_rate '%s' is not a fraction or a percentage",
                      r->v[P_ER]);
    if (kw_store_text_field(a.platform, sizeof a.platform, platform, "platform") ||
        kw_store_text_field(a.handle, sizeof a.handle, r->v[P_HANDLE], "handle") ||
        kw_store_text_field(a.url, sizeof a.url, r->v[P_URL], "url"))
        return report(path, rn, "%s", kw_error_last());
    int64_t aid;
    if (kw_store_account_add(s, &a, &aid))
        return report(path, rn, "%s", kw_error_last());
    (*accounts)++;
    return 0;
}

enum { Q_PARTNER, Q_PLATFORM, Q_DELIV, Q_PRICE, Q_NET, Q_CUR, Q_MODE, Q_PV, Q_SHIP, Q_CR,
       Q_BONUS, Q_BT, Q_FROM, Q_UNTIL };

static long quote_row(kw_cli *cli, kw_store *s, const char *path, long rn, const row *r,
                      long *added)
{
    kw_quote q = {.net_price = -1, .product_value = -1, .shipping = -1, .bonus = -1,
                  .bonus_threshold = -1, .commission_rate = NAN, .valid_from = KW_TIME_NONE,
                  .valid_until = KW_TIME_NONE, .quoted_at = KW_TIME_NONE};
    const char *cur = r->v[Q_CUR] ? r->v[Q_CUR] : kw_config_str(cli->config, "registry.currency");
    if (!r->v[Q_PARTNER])
        return report(path, rn, "no partner%s", "");
    kw_partner *list = NULL;
    size_t n = 0;
    if (kw_store_partner_list(s, &list, &n))
        return report(path, rn, "%s", kw_error_last());
    for (size_t i = 0; i < n && !q.partner_id; i++) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)list[i].id);
        if (strcmp(list[i].name, r->v[Q_PARTNER]) == 0 || strcmp(id, r->v[Q_PARTNER]) == 0)
            q.partner_id = list[i].id;
    }
    free(list);
    if (!q.partner_id)
        return report(path, rn, "no partner '%s' (import partners first)", r->v[Q_PARTNER]);
    const char *platform = r->v[Q_PLATFORM] ? canon(r->v[Q_PLATFORM]) : "";
    const char *deliv = r->v[Q_DELIV] ? canon(r->v[Q_DELIV]) : "";
    const char *mode = r->v[Q_MODE] ? canon(r->v[Q_MODE]) : "fee";
    if (!kw_platform_valid(platform))
        return report(path, rn, "unknown platform '%s'", r->v[Q_PLATFORM] ? r->v[Q_PLATFORM] : "");
    if (!kw_deliverable_valid(deliv))
        return report(path, rn, "unknown deliverable '%s'", r->v[Q_DELIV] ? r->v[Q_DELIV] : "");
    if (strcmp(mode, "fee") && strcmp(mode, "barter") && strcmp(mode, "commission") &&
        strcmp(mode, "hybrid"))
        return report(path, rn, "unknown mode '%s' (fee, barter, commission, hybrid)", mode);
    if (kw_currency_digits(cur) < 0)
        return report(path, rn, "%s", kw_error_last());
    snprintf(q.platform, sizeof q.platform, "%s", platform);
    snprintf(q.deliverable, sizeof q.deliverable, "%s", deliv);
    snprintf(q.mode, sizeof q.mode, "%s", mode);
    snprintf(q.currency, sizeof q.currency, "%s", cur);
    if (!r->v[Q_PRICE])
        return report(path, rn, "no price%s", "");
    struct {
        int col;
        int64_t *dst;
    } money[] = {{Q_PRICE, &q.list_price}, {Q_NET, &q.net_price}, {Q_PV, &q.product_value},
                 {Q_SHIP, &q.shipping}, {Q_BONUS, &q.bonus}};
    for (size_t i = 0; i < sizeof money / sizeof money[0]; i++)
        if (r->v[money[i].col] && kw_money_parse(money[i].dst, r->v[money[i].col], cur))
            return report(path, rn, "%s", kw_error_last());
    if (parse_rate(r->v[Q_CR], &q.commission_rate))
        return report(path, rn, "commission_rate '%s' is not a fraction or a percentage", r->v[Q_CR]);
    if (parse_count(r->v[Q_BT], &q.bonus_threshold))
        return report(path, rn, "bonus_threshold '%s' is not a whole number", r->v[Q_BT]);
    if ((r->v[Q_FROM] && kw_time_parse(&q.valid_from, r->v[Q_FROM])) ||
        (r->v[Q_UNTIL] && kw_time_parse(&q.valid_until, r->v[Q_UNTIL])))
        return report(path, rn, "%s", kw_error_last());
    if ((!strcmp(mode, "commission") || !strcmp(mode, "hybrid")) && isnan(q.commission_rate))
        return report(path, rn, "mode %s needs a commission_rate", mode);
    if (!strcmp(mode, "barter") && q.product_value < 0)
        return report(path, rn, "mode barter needs a product_value%s", "");
    int64_t id;
    if (kw_store_quote_add(s, &q, &id))
        return report(path, rn, "%s", kw_error_last());
    (*added)++;
    return 0;
}

static int read_all(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 65536, n = 0;
    char *buf = NULL;
    if (!f)
        return kw_error_set(KW_EIO, "cannot read %s: %s", path, strerror(errno));
    buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
        if (n == cap) {
            if (cap >= MAX_CSV_FILE) {
                free(buf);
                buf = NULL;
                if (f != stdin)
                    fclose(f);
                return kw_error_set(KW_ETOOBIG, "%s is larger than %d MiB", path,
                                    MAX_CSV_FILE >> 20);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf)
        return kw_error_set(KW_ENOMEM, "out of memory reading %s", path);
    if (err) {
        free(buf);
        return kw_error_set(KW_EIO, "cannot read %s", path);
    }
    *out = buf;
    *len = n;
    return 0;
}

int import_csv(kw_cli *cli, const char *kind, const char *path)
{
    int is_partners = strcmp(kind, "partners") == 0;
    const column *cols = is_partners ? partner_cols : quote_cols;
    char *data = NULL, **f, why[256];
    size_t len = 0;
    kw_csv *c = NULL;
    kw_store *s = NULL;
    int n, got, map[KW_CSV_MAX_FIELDS], rc;
    long rn, bad = 0, rows = 0, added = 0, accounts = 0;
    if (read_all(path, &data, &len))
        return cli_fail("import %s: %s", kind, kw_error_last());
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        goto cleanup;
    if (kw_csv_new(&c, data, len, 1 << 20)) {
        rc = cli_fail("%s", kw_error_last());
        goto cleanup;
    }
    got = kw_csv_next(c, &f, &n, &rn);
    if (got <= 0) {
        rc = cli_fail("import %s: %s: %s", kind, path, got == 0 ? "empty file, no header row" : kw_error_last());
        goto cleanup;
    }
    if (map_header(cols, f, n, map, why, sizeof why)) {
        rc = cli_fail("import %s: %s: header: %s", kind, path, why);
        goto cleanup;
    }
    int required = is_partners ? P_NAME : Q_PARTNER, has = 0;
    for (int i = 0; i < n; i++)
        has |= map[i] == required;
    if (!has) {
        rc = cli_fail("import %s: %s: the header has no '%s' column (see `kolwatch import --help`)",
                      kind, path, cols[required].name);
        goto cleanup;
    }
    if (kw_store_begin(s)) {
        rc = cli_fail("import %s: %s", kind, kw_error_last());
        goto cleanup;
    }
    while ((got = kw_csv_next(c, &f, &n, &rn)) != 0) {
        row r;
        if (got < 0) {
            fprintf(stderr, "kolwatch: %s: %s\n", path, kw_error_last());
            bad++;
            continue;
        }
        if (n == 1 && !f[0][0])
            continue; /* a blank line */
        rows++;
        fill_row(&r, f, n, map);
        bad += is_partners ? partner_row(s, path, rn, &r, &added, &accounts)
                           : quote_row(cli, s, path, rn, &r, &added);
    }
    if (bad) {
        kw_store_rollback(s);
        rc = cli_fail("import %s: %s: %ld of %ld rows are bad; nothing was imported", kind,
                      path, bad, rows);
    } else if (kw_store_commit(s)) {
        rc = cli_fail("import %s: %s", kind, kw_error_last());
    } else if (is_partners) {
        fprintf(stderr, "kolwatch: import partners %s: %ld rows: %ld new partners, %ld accounts\n",
                path, rows, added, accounts);
    } else {
        fprintf(stderr, "kolwatch: import quotes %s: %ld rows: %ld quotes\n", path, rows, added);
    }
cleanup:
    kw_csv_free(c);
    kw_store_free(s);
    free(data);
    return rc;
}

/* Quote a CSV field when it needs it. */
static void put_field(FILE *out, const char *v, int last)
{
    if (v && strpbrk(v, ",\"\r\n")) {
        fputc('"', out);
        for (; *v; v++) {
            if (*v == '"')
                fputc('"', out);
            fputc(*v, out);
        }
        fputc('"', out);
    } else if (v) {
        fputs(v, out);
    }
    fputc(last ? '\n' : ',', out);
}

static void put_count(FILE *out, int64_t v, int last)
{
    char b[32] = "";
    if (v >= 0)
        snprintf(b, sizeof b, "%lld", (long long)v);
    put_field(out, b, last);
}

static void put_money(FILE *out, int64_t v, const char *cur, int last)
{
    char b[40] = "";
    if (v >= 0)
        kw_money_format(b, sizeof b, v, cur);
    put_field(out, b, last);
}

static void put_date(FILE *out, int64_t t, int last)
{
    char b[KW_TIME_TEXT] = "";
    if (t != KW_TIME_NONE) {
        kw_time_format(b, sizeof b, t);
        b[10] = '\0';
    }
    put_field(out, b, last);
}

int export_csv(kw_cli *cli, const char *kind, const char *path)
{
    kw_store *s = NULL;
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    int rc;
    if (!out)
        return cli_fail("export %s: cannot write %s: %s", kind, path, strerror(errno));
    if ((rc = cli_open_store(cli, &s, 0, 0)))
        goto cleanup;
    if (strcmp(kind, "partners") == 0) {
        kw_partner *ps = NULL;
        size_t np = 0;
        if (kw_store_partner_list(s, &ps, &np)) {
            rc = cli_fail("export partners: %s", kw_error_last());
            goto cleanup;
        }
        for (int i = 0; partner_cols[i].name; i++)
            put_field(out, partner_cols[i].name, !partner_cols[i + 1].name);
        for (size_t i = 0; i < np; i++) {
            kw_account *as = NULL;
            size_t na = 0;
            char tags[KW_MAX_TAGS * 65] = "";
            size_t tl = 0;
            for (int t = 0; t < ps[i].n_tags; t++)
                tl += (size_t)snprintf(tags + tl, sizeof tags - tl, "%s%s", t ? ";" : "",
                                       ps[i].tags[t]);
            kw_store_account_list(s, ps[i].id, &as, &na);
            for (size_t k = 0; k < (na ? na : 1); k++) {
                put_field(out, ps[i].name, 0);
                put_field(out, ps[i].type, 0);
                put_field(out, ps[i].agency, 0);
                put_field(out, ps[i].contact, 0);
                put_field(out, ps[i].status, 0);
                put_field(out, tags, 0);
                put_field(out, ps[i].notes, 0);
                if (!na) {
                    fputs(",,,,,\n", out);
                    continue;
                }
                char er[32] = "";
                if (!isnan(as[k].engagement_rate))
                    snprintf(er, sizeof er, "%.6g", as[k].engagement_rate);
                put_field(out, as[k].platform, 0);
                put_field(out, as[k].handle, 0);
                put_field(out, as[k].url, 0);
                put_count(out, as[k].followers, 0);
                put_count(out, as[k].avg_views, 0);
                put_field(out, er, 1);
            }
            free(as);
        }
        free(ps);
    } else {
        kw_quote *qs = NULL;
        size_t nq = 0;
        if (kw_store_quote_list(s, 0, &qs, &nq)) {
            rc = cli_fail("export quotes: %s", kw_error_last());
            goto cleanup;
        }
        for (int i = 0; quote_cols[i].name; i++)
            put_field(out, quote_cols[i].name, !quote_cols[i + 1].name);
        for (size_t i = nq; i-- > 0;) { /* oldest first, as they were added */
            kw_quote *q = &qs[i];
            kw_partner p;
            char cr[32] = "";
            if (kw_store_partner_get(s, q->partner_id, &p))
                continue;
            if (!isnan(q->commission_rate))
                snprintf(cr, sizeof cr, "%.6g", q->commission_rate);
            put_field(out, p.name, 0);
            put_field(out, q->platform, 0);
            put_field(out, q->deliverable, 0);
            put_money(out, q->list_price, q->currency, 0);
            put_money(out, q->net_price, q->currency, 0);
            put_field(out, q->currency, 0);
            put_field(out, q->mode, 0);
            put_money(out, q->product_value, q->currency, 0);
            put_money(out, q->shipping, q->currency, 0);
            put_field(out, cr, 0);
            put_money(out, q->bonus, q->currency, 0);
            put_count(out, q->bonus_threshold, 0);
            put_date(out, q->valid_from, 0);
            put_date(out, q->valid_until, 1);
        }
        free(qs);
    }
    if (fflush(out) != 0 || ferror(out))
        rc = cli_fail("export %s: write error on %s", kind, path);
cleanup:
    kw_store_free(s);
    if (out != stdout)
        fclose(out);
    return rc;
}
