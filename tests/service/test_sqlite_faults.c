/*
 * Faults of the embedded database a user meets: two importers at once on
 * one SQLite file, a file that is not a database, a directory the user
 * cannot write, a PostgreSQL server that is not there.
 */
#include "testsupport.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KW(dir, ...) kwt_kolwatch((dir), NULL, (const char *const[]){__VA_ARGS__, NULL})

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void write_range(const char *path, const char *brand, int from, int to)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = from; i < to; i++)
        fprintf(f, "{\"brand\":\"%s\",\"url\":\"https://e.com/%d\",\"text\":\"t%d\","
                   "\"published_at\":\"2026-10-01T%02d:%02d:00Z\"}\n",
                brand, i, i, i % 24, i % 60);
    fclose(f);
}

static void two_imports_at_once__both_finish_and_nothing_is_lost_or_doubled(void **state)
{
    (void)state;
    char *dir = kwt_tempdir(), db[4096], a[4096], b[4096];
    snprintf(db, sizeof db, "%s/k.db", dir);
    snprintf(a, sizeof a, "%s/a.jsonl", dir);
    snprintf(b, sizeof b, "%s/b.jsonl", dir);
    kwt_run r = KW(dir, "--db", db, "init");
    assert_int_equal(r.status, 0);
    kwt_run_free(&r);
    r = KW(dir, "--db", db, "brand", "add", "Acme");
    kwt_run_free(&r);
    r = KW(dir, "--db", db, "brand", "add", "Rival");
    kwt_run_free(&r);
    write_range(a, "Acme", 0, 20000);
    write_range(b, "Rival", 10000, 30000);
    const char *const args_a[] = {"--db", db, "--set", "import.batch_size=100", "import",
                                  "mentions", a, NULL};
    const char *const args_b[] = {"--db", db, "--set", "import.batch_size=100", "import",
                                  "mentions", b, NULL};
    pid_t pa = kwt_spawn(dir, args_a), pb = kwt_spawn(dir, args_b);
    int sa, sb;
    waitpid(pa, &sa, 0);
    waitpid(pb, &sb, 0);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    assert_int_equal(kwt_sql_int(db, "SELECT COUNT(*) FROM mentions"), 30000);
    assert_int_equal(kwt_sql_int(db, "SELECT COUNT(*) FROM mention_brands"), 40000);
    assert_int_equal(kwt_sql_int(db, "SELECT SUM(n_all) FROM buckets"), 40000);
    kwt_rmtree(dir);
    free(dir);
}

static void a_file_that_is_not_a_database__one_clear_line_exit_1(void **state)
{
    (void)state;
    char *dir = kwt_tempdir(), db[4096];
    snprintf(db, sizeof db, "%s/notes.db", dir);
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)("shopping list: eggs, milk\n"[i % 26]);
    kwt_write_file(db, junk, sizeof junk);
    kwt_run r = KW(dir, "--db", db, "brand", "list");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, db));
    assert_non_null(strstr(r.err, "not a SQLite database"));
    assert_int_equal(count_lines(r.err), 1);
    kwt_run_free(&r);
    /* The file is left as it was. */
    FILE *f = fopen(db, "rb");
    char back[8192];
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof junk);
    fclose(f);
    assert_memory_equal(back, junk, sizeof junk);
    kwt_rmtree(dir);
    free(dir);
}

static void a_missing_database__says_to_run_init(void **state)
{
    (void)state;
    char *dir = kwt_tempdir();
    kwt_run r = KW(dir, "brand", "list");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "kolwatch.db"));
    assert_non_null(strstr(r.err, "kolwatch init"));
    kwt_run_free(&r);
    kwt_rmtree(dir);
    free(dir);
}

static void a_read_only_directory__one_clear_line_exit_1(void **state)
{
    (void)state;
    char *dir = kwt_tempdir(), ro[4096], db[4096];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    snprintf(db, sizeof db, "%s/ro/k.db", dir);
    assert_int_equal(mkdir(ro, 0755), 0);
    chmod(dir, 0755);
    chmod(ro, 0555);
    kwt_drop_privileges = 1;
    kwt_run r = KW(dir, "--db", db, "init");
    kwt_drop_privileges = 0;
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, db));
    assert_non_null(strstr(r.err, "not writable"));
    assert_int_equal(count_lines(r.err), 1);
    kwt_run_free(&r);
    chmod(ro, 0755);
    kwt_rmtree(dir);
    free(dir);
}

static void an_unreachable_postgresql__one_clear_line_exit_1(void **state)
{
    (void)state;
    kwt_run r = KW(NULL, "--db", "postgres://kw:secret@127.0.0.1:1/kolwatch", "brand", "list");
    assert_int_equal(r.status, 1);
#ifdef KW_HAVE_POSTGRES
    assert_non_null(strstr(r.err, "cannot connect to PostgreSQL"));
    assert_non_null(strstr(r.err, "127.0.0.1:1"));
    assert_null(strstr(r.err, "secret"));
#endif
    assert_int_equal(count_lines(r.err), 1);
    kwt_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_imports_at_once__both_finish_and_nothing_is_lost_or_doubled),
        cmocka_unit_test(a_file_that_is_not_a_database__one_clear_line_exit_1),
        cmocka_unit_test(a_missing_database__says_to_run_init),
        cmocka_unit_test(a_read_only_directory__one_clear_line_exit_1),
        cmocka_unit_test(an_unreachable_postgresql__one_clear_line_exit_1),
    };
    return cmocka_run_group_tests_name("sqlite faults", tests, NULL, NULL);
}
