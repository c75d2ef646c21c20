/*
 * HTML fragments to text: text with nothing for a parser to do skips
 * libxml2, and must come out exactly as the parser would give it. This
 * file compiles the converter a second time with the shortcut off and
 * compares the two on generated text, markup and awkward characters.
 */
#include "testsupport.h"

#define KW_HTML_TEXT_NO_SHORTCUT
#define kw_html_to_text kw_html_to_text_parsed
#include "../../crawler/html_text.c"
#undef kw_html_to_text

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kw_html_to_text(char **out, const char *html, size_t len);

static void plain_text_is_trimmed_and_blanks_collapsed(void **state)
{
    (void)state;
    char *t = NULL;
    const char *in = "  Lumi \t serum\r\n is\xC2\xA0great  ";
    assert_int_equal(kw_html_to_text(&t, in, strlen(in)), 0);
    assert_string_equal(t, "Lumi serum is great");
    free(t);
}

static void the_shortcut_agrees_with_the_parser_on_generated_text(void **state)
{
    (void)state;
    /* Mostly text the shortcut takes; the rest makes sure it declines. */
    static const char *const atoms[] = {
        "a", "B", " ", "  ", "\t", "\n", "\r\n", "\xE9\x9C\xB2\xE7\xB1\xB3", "\xC2\xA0",
        "\xE3\x80\x80", ">", "\"", "'", "x.y", "\xF0\x9F\x98\x80", "z", "\x7F", "\x01",
        "\xC2\x85", "\xEF\xBF\xBE", "<", "&", "&amp;", "\xFF", "\xE2\x80\x8B",
        "\xEF\xBB\xBF", "<p>", "</b>", "&#x4e2d;", "\f"};
    const size_t n_common = 16, n_all = sizeof atoms / sizeof atoms[0];
    char buf[512];
    unsigned seed = 7;
    int shortcut = 0;
    for (int round = 0; round < 100000; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        int parts = (int)(seed >> 16) % 12;
        for (int i = 0; i < parts; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t pick = (seed >> 16) % ((seed >> 8) % 3 ? n_common : n_all);
            size_t al = strlen(atoms[pick]);
            memcpy(buf + len, atoms[pick], al);
            len += al;
        }
        buf[len] = '\0';
        char *fast = NULL, *parsed = NULL;
        assert_int_equal(kw_html_to_text(&fast, buf, len), 0);
        assert_int_equal(kw_html_to_text_parsed(&parsed, buf, len), 0);
        if (strcmp(fast, parsed) != 0)
            fail_msg("'%s' gave '%s', the parser '%s'", buf, fast, parsed);
        shortcut += strpbrk(buf, "<&\x7F\x01\xFF") == NULL;
        free(fast);
        free(parsed);
    }
    /* The comparison must have covered both paths. */
    assert_true(shortcut > 30000 && shortcut < 90000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_is_trimmed_and_blanks_collapsed),
        cmocka_unit_test(the_shortcut_agrees_with_the_parser_on_generated_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
