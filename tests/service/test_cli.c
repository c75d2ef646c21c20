/*
 * The kolwatch command as a user runs it: init, brand, import, mention list,
 * config, exit statuses and messages. Runs on SQLite and PostgreSQL.
 */
#include "testsupport.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char *dir, *url;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = kwt_tempdir();
    f->url = kwt_new_db(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kwt_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    kwt_drop_privileges = 0;
    return 0;
}

/* Run kolwatch --db URL args... in the fixture's directory. */
#define KW(f, input, ...)                                                      \
    kwt_kolwatch((f)->dir, (input), (const char *const[]){"--db", (f)->url, __VA_ARGS__, NULL})

static void init_ok(fixture *f)
{
    kwt_run r = KW(f, NULL, "init");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
}

static int64_t brand_add(fixture *f, const char *name)
{
    kwt_run r = KW(f, NULL, "brand", "add", name);
    assert_int_equal(r.status, 0);
    int64_t id = strtoll(r.out, NULL, 10);
    assert_true(id > 0);
    kwt_run_free(&r);
    return id;
}

static void write_in_dir(fixture *f, const char *name, const char *data)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    kwt_write_file(path, data, (size_t)-1);
}

static cJSON *parse_items(const char *out, int *n)
{
    cJSON *o = cJSON_Parse(out);
    assert_non_null(o);
    cJSON *items = cJSON_GetObjectItem(o, "items");
    assert_true(cJSON_IsArray(items));
    assert_non_null(cJSON_GetObjectItem(o, "next_cursor"));
    *n = cJSON_GetArraySize(items);
    return o;
}

static void version__names_the_libraries_built_in(void **state)
{
    (void)state;
    kwt_run r = kwt_kolwatch(NULL, NULL, (const char *const[]){"--version", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "kolwatch "));
    assert_non_null(strstr(r.out, "SQLite"));
    assert_non_null(strstr(r.out, "libcurl"));
    assert_non_null(strstr(r.out, "PostgreSQL") ? r.out : strstr(r.out, "libpq"));
    kwt_run_free(&r);
}

static void help__lists_commands_and_bad_usage_exits_2(void **state)
{
    (void)state;
    kwt_run r = kwt_kolwatch(NULL, NULL, (const char *const[]){"--help", NULL});
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "import"));
    assert_non_null(strstr(r.out, "brand"));
    kwt_run_free(&r);
    const char *cmds[] = {"brand", "import", "mention", "init", "migrate", "config", "score",
                          "rescore", "partner", "quote", "campaign", "budget", "export"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        r = kwt_kolwatch(NULL, NULL, (const char *const[]){cmds[i], "--help", NULL});
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "Usage"));
        kwt_run_free(&r);
    }
    /* a subcommand's own --help too: every command has one */
    const char *subs[][2] = {{"campaign", "candidate"}, {"campaign", "deliverable"},
                             {"campaign", "result"}, {"partner", "account"}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        r = kwt_kolwatch(NULL, NULL, (const char *const[]){subs[i][0], subs[i][1], "--help", NULL});
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, subs[i][1]));
        kwt_run_free(&r);
    }
    const char *more[] = {"source", "crawl", "worker", "query", "robots-check", "parse-feed"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        r = kwt_kolwatch(NULL, NULL, (const char *const[]){more[i], "--help", NULL});
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "Usage"));
        kwt_run_free(&r);
    }
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"frobnicate", NULL});
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "frobnicate"));
    kwt_run_free(&r);
    r = kwt_kolwatch(NULL, NULL, (const char *const[]){"brand", "add", "X", "--bogus", NULL});
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
}

static void init__creates_database_and_commented_config_and_is_idempotent(void **state)
{
    fixture *f = *state;
    char conf[4096];
    struct stat sb;
    init_ok(f);
    snprintf(conf, sizeof conf, "%s/kolwatch.conf", f->dir);
    assert_int_equal(stat(conf, &sb), 0);
    init_ok(f);
    kwt_run r = KW(f, NULL, "migrate");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "0 migrations applied"));
    kwt_run_free(&r);
}

static void commands__refuse_a_database_newer_than_the_binary(void **state)
{
    fixture *f = *state;
    init_ok(f);
    kwt_sql_int(f->url, "INSERT INTO schema_version (version, name, applied_at) "
                        "VALUES (999, 'future', '2030-01-01T00:00:00Z')");
    const char *cmds[][3] = {{"brand", "list", NULL}, {"migrate", NULL, NULL},
                             {"mention", "list", NULL}};
    for (int i = 0; i < 3; i++) {
        kwt_run r = KW(f, NULL, cmds[i][0], cmds[i][1]);
        assert_int_equal(r.status, 1);
        assert_non_null(strstr(r.err, "newer"));
        kwt_run_free(&r);
    }
}

static void brand__add_prints_id_duplicate_fails_and_list_is_json(void **state)
{
    fixture *f = *state;
    init_ok(f);
    int64_t acme = brand_add(f, "Acme");
    kwt_run r = KW(f, NULL, "brand", "add", "Rival", "--query", "rival OR 对手",
                   "--alias", "RV", "--competitor-of", "Acme");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "add", "Acme");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "already exists"));
    assert_string_equal(r.out, "");
    kwt_run_free(&r);
    /* the same name in other case, or a blank one: refused */
    r = KW(f, NULL, "brand", "add", "ACME");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "differ only in case"));
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "add", "  ");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "blank"));
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "add", "\xef\xbc\xa1\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85"); /* ＡｃｍＥ */
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "case or width"));
    kwt_run_free(&r);
    const char *odd[] = {" Acme2", "Acme2 ", "Acme\n2"};
    for (int i = 0; i < 3; i++) {
        r = KW(f, NULL, "brand", "add", odd[i]);
        assert_int_equal(r.status, 2);
        kwt_run_free(&r);
    }

    r = KW(f, NULL, "brand", "list", "--format", "json");
    assert_int_equal(r.status, 0);
    int n;
    cJSON *o = parse_items(r.out, &n);
    assert_int_equal(n, 2);
    cJSON *rival = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 1);
    assert_string_equal(cJSON_GetObjectItem(rival, "query")->valuestring, "rival OR 对手");
    assert_int_equal((int64_t)cJSON_GetObjectItem(rival, "competitor_of")->valuedouble, acme);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0), "competitor_of")));
    cJSON_Delete(o);
    kwt_run_free(&r);

    r = KW(f, NULL, "brand", "edit", "Rival", "--name", "Rival Co", "--no-competitor");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Rival Co", "--format", "json");
    assert_int_equal(r.status, 0);
    o = cJSON_Parse(r.out);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "competitor_of")));
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Nobody");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "Nobody"));
    kwt_run_free(&r);
    /* a name of digits (1688 is a brand) is allowed, and says whose id it hides */
    char id[16];
    snprintf(id, sizeof id, "%lld", (long long)acme);
    r = KW(f, NULL, "brand", "add", id, "--query", "one");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "is reached by its name"));
    assert_non_null(strstr(r.err, "Acme"));
    kwt_run_free(&r);
}

static void brand__default_query_is_name_and_aliases_and_follows_them(void **state)
{
    fixture *f = *state;
    init_ok(f);
    kwt_run r = KW(f, NULL, "brand", "add", "Rivo", "--alias", "瑞沃", "--alias", "Rivo Beauty",
                   "--alias", "!!!");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Rivo", "--format", "json");
    cJSON *o = cJSON_Parse(r.out);
    assert_string_equal(cJSON_GetObjectItem(o, "query")->valuestring,
                        "\"Rivo\" OR \"Rivo Beauty\" OR \"瑞沃\"");
    cJSON_Delete(o);
    kwt_run_free(&r);
    /* a new alias and a new name: the default follows */
    r = KW(f, NULL, "brand", "edit", "Rivo", "--name", "Rivo Labs", "--alias", "瑞沃");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Rivo Labs", "--format", "json");
    o = cJSON_Parse(r.out);
    assert_string_equal(cJSON_GetObjectItem(o, "query")->valuestring,
                        "\"Rivo Labs\" OR \"瑞沃\"");
    cJSON_Delete(o);
    kwt_run_free(&r);
    /* a query written by hand stays as written */
    r = KW(f, NULL, "brand", "edit", "Rivo Labs", "--query", "Rivo NEAR/3 serum");
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "edit", "Rivo Labs", "--clear-aliases");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Rivo Labs", "--format", "json");
    o = cJSON_Parse(r.out);
    assert_string_equal(cJSON_GetObjectItem(o, "query")->valuestring, "Rivo NEAR/3 serum");
    cJSON_Delete(o);
    kwt_run_free(&r);
    /* a Chinese post naming only the alias matches the brand's query */
    r = KW(f, NULL, "brand", "add", "Mira", "--alias", "米拉");
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "show", "Mira", "--format", "json");
    o = cJSON_Parse(r.out);
    char *q = strdup(cJSON_GetObjectItem(o, "query")->valuestring);
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = KW(f, NULL, "query", "test", q, "--text", "米拉的面霜很好用", "--format", "json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"match\":true"));
    kwt_run_free(&r);
    r = KW(f, NULL, "query", "test", q, "--text", "别家的面霜很好用", "--format", "json");
    assert_non_null(strstr(r.out, "\"match\":false"));
    kwt_run_free(&r);
    free(q);
}

static const char sample[] =
    "{\"brand\":\"Acme\",\"url\":\"https://Example.com/p/1?utm_source=x#top\",\"text\":\"Acme 新品很好用\",\"platform\":\"weibo\",\"published_at\":\"2026-10-01T08:03:00+08:00\",\"likes\":5,\"views\":100}\n"
    "{\"brand\":\"Acme\",\"url\":\"https://example.com/p/2\",\"text\":\"Acme is great\",\"platform\":\"x\",\"author\":\"bob\",\"title\":\"hi\"}\n"
    "this is not json\n"
    "{\"brand\":\"Nobody\",\"url\":\"https://example.com/p/3\",\"text\":\"x\"}\n"
    "\n"
    "{\"brand\":\"Rival\",\"url\":\"https://example.com/p/1\",\"text\":\"Acme vs Rival\"}\n"
    "{\"brand\":\"Acme\",\"url\":\"https://example.com/p/4\",\"text\":\"x\",\"published_at\":\"last tuesday\"}\n"
    "{\"brand\":\"Acme\",\"url\":\"https://example.com/p/5\",\"text\":\"x\",\"platform\":\"myspace\"}\n"
    "{\"brand\":\"Acme\",\"url\":\"https://example.com/p/6\",\"text\":\"x\",\"likes\":1.5}\n";

static void import__reports_bad_lines_by_number_and_keeps_the_good_ones(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    brand_add(f, "Rival");
    write_in_dir(f, "m.jsonl", sample);
    kwt_run r = KW(f, NULL, "import", "mentions", "m.jsonl");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "m.jsonl:3:"));
    assert_non_null(strstr(r.err, "m.jsonl:4:"));
    assert_non_null(strstr(r.err, "Nobody"));
    assert_non_null(strstr(r.err, "m.jsonl:7:"));
    assert_non_null(strstr(r.err, "m.jsonl:8:"));
    assert_non_null(strstr(r.err, "m.jsonl:9:"));
    assert_null(strstr(r.err, "m.jsonl:6:"));
    assert_non_null(strstr(r.err, "2 new, 1 linked to another brand, 0 already stored, 5 rejected"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mention_brands"), 3);
}

static void import__same_file_twice_adds_nothing(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    brand_add(f, "Rival");
    write_in_dir(f, "m.jsonl", sample);
    kwt_run r = KW(f, NULL, "import", "mentions", "m.jsonl");
    kwt_run_free(&r);
    int64_t links = kwt_sql_int(f->url, "SELECT COUNT(*) FROM mention_brands");
    int64_t buckets = kwt_sql_int(f->url, "SELECT SUM(n_all) FROM buckets");
    r = KW(f, NULL, "import", "mentions", "m.jsonl");
    assert_non_null(strstr(r.err, "0 new, 0 linked to another brand, 3 already stored"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mention_brands"), links);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_all) FROM buckets"), buckets);
    assert_int_equal(buckets, links);
}

static void import__from_stdin_with_all_good_lines_exits_0(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    kwt_run r = KW(f, "{\"brand\":\"Acme\",\"url\":\"https://e.com/1\",\"text\":\"t\"}\n",
                   "import", "mentions", "-");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 new"));
    kwt_run_free(&r);
}

static void import__a_line_over_the_limit_is_an_error_for_that_line_only(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    size_t big = 5000;
    char *data = malloc(big + 512);
    int n = snprintf(data, big + 512, "{\"brand\":\"Acme\",\"url\":\"https://e.com/big\",\"text\":\"");
    memset(data + n, 'a', big);
    n += (int)big;
    n += snprintf(data + n, 512, "\"}\n{\"brand\":\"Acme\",\"url\":\"https://e.com/small\",\"text\":\"t\"}\n");
    write_in_dir(f, "big.jsonl", data);
    free(data);
    kwt_run r = KW(f, NULL, "--set", "import.max_line=1K", "import", "mentions", "big.jsonl");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "big.jsonl:1:"));
    assert_non_null(strstr(r.err, "1 new"));
    kwt_run_free(&r);
}

static void mention_list__json_has_every_key_with_null_for_unknown(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    brand_add(f, "Rival");
    write_in_dir(f, "m.jsonl", sample);
    kwt_run r = KW(f, NULL, "import", "mentions", "m.jsonl");
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--format", "json");
    assert_int_equal(r.status, 0);
    int n;
    cJSON *o = parse_items(r.out, &n);
    assert_int_equal(n, 2);
    const char *keys[] = {"id", "url", "canonical_url", "platform", "brands", "author",
                          "title", "text", "published_at", "fetched_at", "likes",
                          "comments", "shares", "views", "reach", "repost_of", "score",
                          "label", "pos", "neg", "neu", "hits"};
    cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(o, "items"))
    {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            assert_non_null(cJSON_GetObjectItem(item, keys[k]));
        const char *url = cJSON_GetObjectItem(item, "url")->valuestring;
        if (strstr(url, "p/1")) {
            assert_string_equal(cJSON_GetObjectItem(item, "canonical_url")->valuestring,
                                "https://example.com/p/1");
            assert_string_equal(cJSON_GetObjectItem(item, "published_at")->valuestring,
                                "2026-10-01T00:03:00Z");
            assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(item, "brands")), 2);
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(item, "comments")));
            assert_int_equal(cJSON_GetObjectItem(item, "likes")->valueint, 5);
        } else {
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(item, "published_at")));
            assert_string_equal(cJSON_GetObjectItem(item, "author")->valuestring, "bob");
        }
    }
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void mention_list__filters_and_pages(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    brand_add(f, "Rival");
    write_in_dir(f, "m.jsonl", sample);
    kwt_run r = KW(f, NULL, "import", "mentions", "m.jsonl");
    kwt_run_free(&r);
    int n;
    cJSON *o;
    r = KW(f, NULL, "mention", "list", "--brand", "Rival", "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 1);
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--platform", "x", "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 1);
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--since", "2026-09-30", "--until", "2026-10-02",
           "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 1);
    cJSON_Delete(o);
    kwt_run_free(&r);

    r = KW(f, NULL, "mention", "list", "--limit", "1", "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 1);
    cJSON *cur = cJSON_GetObjectItem(o, "next_cursor");
    assert_true(cJSON_IsString(cur));
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", cur->valuestring);
    int64_t first = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0), "id")->valuedouble;
    cJSON_Delete(o);
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--limit", "1", "--cursor", cursor, "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "next_cursor")));
    int64_t second = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0), "id")->valuedouble;
    assert_true(second != first);
    cJSON_Delete(o);
    kwt_run_free(&r);

    r = KW(f, NULL, "mention", "list", "--label", "angry");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--since", "yesterday");
    assert_int_equal(r.status, 2);
    kwt_run_free(&r);
    /* the table: a mention of many brands names those that fit and counts
     * the rest; the text column starts at one place on every row */
    brand_add(f, "Glowa Cosmetics International");
    brand_add(f, "Nuvo Extremely Long Brand Name");
    write_in_dir(f, "more.jsonl", "{\"brand\":\"Glowa Cosmetics International\",\"url\":"
                                  "\"https://example.com/p/1\",\"text\":\"Acme vs Rival\"}\n"
                                  "{\"brand\":\"Glowa Cosmetics International\",\"url\":"
                                  "\"https://example.com/p/7\",\"text\":\"two long names\"}\n"
                                  "{\"brand\":\"Nuvo Extremely Long Brand Name\",\"url\":"
                                  "\"https://example.com/p/7\",\"text\":\"two long names\"}\n");
    r = KW(f, NULL, "import", "mentions", "more.jsonl");
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--format", "table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Acme,Rival,+1"));
    const char *text_at = strstr(r.out, "TITLE/TEXT");
    assert_non_null(text_at);
    size_t col = (size_t)(text_at - r.out), rows = 0;
    for (const char *line = strchr(r.out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *row = line + 1, *end = strchr(row, '\n'), *cut = strstr(row, "\xe2\x80\xa6");
        size_t at = col + (cut && cut < end ? 2 : 0); /* '…': 3 bytes, 1 column */
        assert_true(end && (size_t)(end - row) > at);
        assert_true(row[at - 1] == ' ' && row[at] != ' ');
        rows++;
    }
    assert_true(rows >= 3);
    assert_non_null(strstr(r.out, "\xe2\x80\xa6,+1")); /* a name cut is marked, and counted */
    kwt_run_free(&r);
    /* a right-to-left override in a text reaches no terminal (it would turn
     * the rest of the row round); the stored text keeps it */
    write_in_dir(f, "bidi.jsonl", "{\"brand\":\"Acme\",\"url\":\"https://example.com/p/9\","
                                  "\"text\":\"Acme \xe2\x80\xaetxet desrever\"}\n");
    r = KW(f, NULL, "import", "mentions", "bidi.jsonl");
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--format", "table");
    assert_non_null(strstr(r.out, "Acme ?txet desrever"));
    assert_null(strstr(r.out, "\xe2\x80\xae"));
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--format", "json");
    assert_non_null(strstr(r.out, "\xe2\x80\xae"));
    kwt_run_free(&r);
}

static void brand_rm__asks_for_force_when_it_has_mentions(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    kwt_run r = KW(f, "{\"brand\":\"Acme\",\"url\":\"https://e.com/1\",\"text\":\"t\"}\n",
                   "import", "mentions", "-");
    kwt_run_free(&r);
    r = KW(f, NULL, "brand", "rm", "Acme");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "--force"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 1);
    r = KW(f, NULL, "brand", "rm", "Acme", "--force");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions"), 0);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM brands"), 0);
}

static void config_show__says_where_each_value_came_from(void **state)
{
    fixture *f = *state;
    write_in_dir(f, "kolwatch.conf", "[import]\nbatch_size = 77\n[sentiment]\nthreshold = 0.2\n");
    setenv("KOLWATCH_SENTIMENT_THRESHOLD", "0.3", 1);
    kwt_run r = KW(f, NULL, "config", "show", "--format", "json");
    unsetenv("KOLWATCH_SENTIMENT_THRESHOLD");
    assert_int_equal(r.status, 0);
    int n;
    cJSON *o = parse_items(r.out, &n), *item;
    int checked = 0;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(o, "items"))
    {
        const char *name = cJSON_GetObjectItem(item, "name")->valuestring;
        const char *value = cJSON_GetObjectItem(item, "value")->valuestring;
        const char *src = cJSON_GetObjectItem(item, "source")->valuestring;
        if (strcmp(name, "import.batch_size") == 0)
            assert_string_equal(value, "77"), assert_string_equal(src, "file"), checked++;
        if (strcmp(name, "sentiment.threshold") == 0)
            assert_string_equal(value, "0.3"), assert_string_equal(src, "env"), checked++;
        if (strcmp(name, "core.db") == 0)
            assert_string_equal(src, "flag"), checked++;
        if (strcmp(name, "core.timezone") == 0)
            assert_string_equal(src, "default"), checked++;
    }
    assert_int_equal(checked, 4);
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void config__a_bad_file_line_is_named_with_file_and_line(void **state)
{
    fixture *f = *state;
    write_in_dir(f, "kolwatch.conf", "# ok\n[import]\nbatch_size = lots\n");
    kwt_run r = KW(f, NULL, "config", "show");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "kolwatch.conf:3"));
    assert_non_null(strstr(r.err, "batch_size"));
    kwt_run_free(&r);
    write_in_dir(f, "kolwatch.conf", "[import]\nbatch_sise = 5\n");
    r = KW(f, NULL, "config", "show");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "kolwatch.conf:2"));
    kwt_run_free(&r);
    /* a bad --set is a bad command line: exit 2, naming the option */
    write_in_dir(f, "kolwatch.conf", "# nothing set\n");
    const char *sets[] = {"crawler.min_delay_ms=abc", "crawler.no_such=1", "crawler.user_agent=",
                          "crawler.max_body=1", "crawler.timeout=99h"};
    const char *named[] = {"crawler.min_delay_ms", "crawler.no_such",
                           "crawler.user_agent may not be empty",
                           "out of range (1K to 1G)", /* as a value is written */
                           "out of range (1s to 1h)"};
    for (int i = 0; i < 5; i++) {
        r = KW(f, NULL, "--set", sets[i], "config", "show");
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, named[i]));
        kwt_run_free(&r);
    }
    /* a database URL of another kind is named as such */
    r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", "mysql://db.example/x", "source",
                                                         "list", NULL});
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "or PostgreSQL (postgres://user@host:port/db), not 'mysql'"));
    kwt_run_free(&r);
    /* sqlite:PATH, the path absolute as in sqlite:///var/x.db, is SQLite's */
    char sq[4200];
    snprintf(sq, sizeof sq, "sqlite://%s/other.db", f->dir);
    r = kwt_kolwatch(f->dir, NULL, (const char *const[]){"--db", sq, "init", NULL});
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
}

static void import__scores_each_mention_and_counts_labels_in_the_buckets(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    kwt_run r = KW(f,
                   "{\"brand\":\"Acme\",\"url\":\"https://e.com/good\",\"text\":\"Acme 的新品太好用了，强烈推荐！\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://e.com/bad\",\"text\":\"Acme 面霜让我过敏了，要求退款，差评！\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://e.com/en\",\"text\":\"Acme support was terrible, total scam.\"}\n",
                   "import", "mentions", "-");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(f, NULL, "mention", "list", "--format", "json");
    int n;
    cJSON *o = parse_items(r.out, &n), *item;
    assert_int_equal(n, 3);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(o, "items"))
    {
        const char *url = cJSON_GetObjectItem(item, "url")->valuestring;
        const char *label = cJSON_GetObjectItem(item, "label")->valuestring;
        double score = cJSON_GetObjectItem(item, "score")->valuedouble;
        cJSON *hits = cJSON_GetObjectItem(item, "hits");
        assert_true(cJSON_IsArray(hits) && cJSON_GetArraySize(hits) > 0);
        if (strstr(url, "good"))
            assert_string_equal(label, "positive"), assert_true(score > 0);
        else
            assert_string_equal(label, "negative"), assert_true(score < 0);
    }
    cJSON_Delete(o);
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_pos) FROM buckets"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_neg) FROM buckets"), 2);
    r = KW(f, NULL, "mention", "list", "--label", "negative", "--format", "json");
    o = parse_items(r.out, &n);
    assert_int_equal(n, 2);
    cJSON_Delete(o);
    kwt_run_free(&r);
}

static void rescore__reports_changed_labels_and_moves_bucket_counts(void **state)
{
    fixture *f = *state;
    char lex[4096];
    init_ok(f);
    brand_add(f, "Acme");
    brand_add(f, "Other");
    kwt_run r = KW(f,
                   "{\"brand\":\"Acme\",\"url\":\"https://e.com/1\",\"text\":\"Acme 的新品太好用了\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://e.com/2\",\"text\":\"this blorptastic gadget\"}\n"
                   "{\"brand\":\"Other\",\"url\":\"https://e.com/3\",\"text\":\"this blorptastic thing\"}\n",
                   "import", "mentions", "-");
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE label = 'neutral'"), 2);
    /* A new lexicon word turns the two neutral mentions positive; only
     * Acme's is rescored when asked for Acme. */
    snprintf(lex, sizeof lex, "%s/extra.tsv", f->dir);
    kwt_write_file(lex, "blorptastic\t3\n", (size_t)-1);
    r = KW(f, NULL, "rescore", "--brand", "Acme", "--lexicon", "extra.tsv");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 mentions scored, 1 labels changed"));
    kwt_run_free(&r);
    assert_int_equal(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE label = 'positive'"), 2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_pos) FROM buckets b JOIN brands x ON "
                                         "x.id = b.brand_id WHERE x.name = 'Acme'"), 2);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_neu) FROM buckets b JOIN brands x ON "
                                         "x.id = b.brand_id WHERE x.name = 'Other'"), 1);
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_pos) + SUM(n_neg) + SUM(n_neu) - "
                                         "SUM(n_all) FROM buckets"), 0);
    r = KW(f, NULL, "rescore", "--lexicon", "missing.tsv");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "missing.tsv"));
    kwt_run_free(&r);
}

static void import__copies_at_other_urls_are_linked_to_the_first_as_reposts(void **state)
{
    fixture *f = *state;
    init_ok(f);
    brand_add(f, "Acme");
    kwt_run r = KW(f,
                   "{\"brand\":\"Acme\",\"url\":\"https://weibo.example.com/1\",\"text\":\"用了 Acme 面霜之后脸上起了好多小红疹，过敏了，客服还一直推脱，要求退款！大家千万不要再买了。\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://weibo.example.com/2\",\"text\":\"用了 Acme 面霜之后脸上起了好多小红疹，过敏了，客服还一直推脱，要求退款！大家千万不要再买了。\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://weibo.example.com/3\",\"text\":\"转发：用了 Acme 面霜之后脸上起了好多小红疹，过敏了，客服还一直推脱，要求退款！大家千万不要再买了。#避雷#\"}\n"
                   "{\"brand\":\"Acme\",\"url\":\"https://weibo.example.com/4\",\"text\":\"Acme 的防晒一点都不油，夏天必备，已经空瓶三支了，会一直回购下去，推荐给大家。\"}\n",
                   "import", "mentions", "-");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "4 new"));
    kwt_run_free(&r);
    int64_t first = kwt_sql_int(f->url, "SELECT id FROM mentions WHERE url = 'https://weibo.example.com/1'");
    assert_true(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE repost_of IS NULL AND url = 'https://weibo.example.com/1'"));
    assert_int_equal(kwt_sql_int(f->url, "SELECT repost_of FROM mentions WHERE url = 'https://weibo.example.com/2'"), first);
    assert_int_equal(kwt_sql_int(f->url, "SELECT repost_of FROM mentions WHERE url = 'https://weibo.example.com/3'"), first);
    assert_true(kwt_sql_int(f->url, "SELECT COUNT(*) FROM mentions WHERE repost_of IS NULL AND url = 'https://weibo.example.com/4'"));
    /* Reposts count in volume. */
    assert_int_equal(kwt_sql_int(f->url, "SELECT SUM(n_all) FROM buckets"), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(version__names_the_libraries_built_in),
        T(help__lists_commands_and_bad_usage_exits_2),
        T(init__creates_database_and_commented_config_and_is_idempotent),
        T(commands__refuse_a_database_newer_than_the_binary),
        T(brand__add_prints_id_duplicate_fails_and_list_is_json),
        T(brand__default_query_is_name_and_aliases_and_follows_them),
        T(import__reports_bad_lines_by_number_and_keeps_the_good_ones),
        T(import__same_file_twice_adds_nothing),
        T(import__from_stdin_with_all_good_lines_exits_0),
        T(import__a_line_over_the_limit_is_an_error_for_that_line_only),
        T(mention_list__json_has_every_key_with_null_for_unknown),
        T(mention_list__filters_and_pages),
        T(brand_rm__asks_for_force_when_it_has_mentions),
        T(config_show__says_where_each_value_came_from),
        T(config__a_bad_file_line_is_named_with_file_and_line),
        T(import__scores_each_mention_and_counts_labels_in_the_buckets),
        T(rescore__reports_changed_labels_and_moves_bucket_counts),
        T(import__copies_at_other_urls_are_linked_to_the_first_as_reposts),
#undef T
    };
    return cmocka_run_group_tests_name(kwt_backend(), tests, NULL, NULL);
}
