/*
 * Charsets: GBK, GB18030 and Big5 bytes with right, wrong and missing
 * labels; BOMs; in-document labels; a bad byte is one U+FFFD and nothing
 * else is lost. The byte strings are the real encodings of the texts.
 */
#include "testsupport.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 我们的品牌今天发布了新产品，用户都说很好。朱镕基和喆、堃也来了。 */
static const char gbk_text[] =
    "\xE6\x88\x91\xE4\xBB\xAC\xE7\x9A\x84\xE5\x93\x81\xE7\x89\x8C\xE4\xBB\x8A\xE5\xA4\xA9"
    "\xE5\x8F\x91\xE5\xB8\x83\xE4\xBA\x86\xE6\x96\xB0\xE4\xBA\xA7\xE5\x93\x81\xEF\xBC\x8C"
    "\xE7\x94\xA8\xE6\x88\xB7\xE9\x83\xBD\xE8\xAF\xB4\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82"
    "\xE6\x9C\xB1\xE9\x95\x95\xE5\x9F\xBA\xE5\x92\x8C\xE5\x96\x86\xE3\x80\x81\xE5\xA0\x83"
    "\xE4\xB9\x9F\xE6\x9D\xA5\xE4\xBA\x86\xE3\x80\x82";
static const char gbk_bytes[] =
    "\xCE\xD2\xC3\xC7\xB5\xC4\xC6\xB7\xC5\xC6\xBD\xF1\xCC\xEC\xB7\xA2\xB2\xBC\xC1\xCB\xD0\xC2"
    "\xB2\xFA\xC6\xB7\xA3\xAC\xD3\xC3\xBB\xA7\xB6\xBC\xCB\xB5\xBA\xDC\xBA\xC3\xA1\xA3\xD6\xEC"
    "\xE9\x46\xBB\xF9\xBA\xCD\x86\xB4\xA1\xA2\x88\xD2\xD2\xB2\xC0\xB4\xC1\xCB\xA1\xA3";

/* 用户说：𠀀与㐀是扩展字。 (two four-byte GB18030 sequences) */
static const char gb18030_text[] =
    "\xE7\x94\xA8\xE6\x88\xB7\xE8\xAF\xB4\xEF\xBC\x9A\xF0\xA0\x80\x80\xE4\xB8\x8E\xE3\x90\x80"
    "\xE6\x98\xAF\xE6\x89\xA9\xE5\xB1\x95\xE5\xAD\x97\xE3\x80\x82";
static const char gb18030_bytes[] =
    "\xD3\xC3\xBB\xA7\xCB\xB5\xA3\xBA\x95\x32\x82\x36\xD3\xEB\x81\x39\xEE\x39\xCA\xC7\xC0\xA9"
    "\xD5\xB9\xD7\xD6\xA1\xA3";

/* 我們的品牌今天發佈了新產品，用戶都說很好。這個價格不錯。 */
static const char big5_text[] =
    "\xE6\x88\x91\xE5\x80\x91\xE7\x9A\x84\xE5\x93\x81\xE7\x89\x8C\xE4\xBB\x8A\xE5\xA4\xA9"
    "\xE7\x99\xBC\xE4\xBD\x88\xE4\xBA\x86\xE6\x96\xB0\xE7\x94\xA2\xE5\x93\x81\xEF\xBC\x8C"
    "\xE7\x94\xA8\xE6\x88\xB6\xE9\x83\xBD\xE8\xAA\xAA\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82"
    "\xE9\x80\x99\xE5\x80\x8B\xE5\x83\xB9\xE6\xA0\xBC\xE4\xB8\x8D\xE9\x8C\xAF\xE3\x80\x82";
static const char big5_bytes[] =
    "\xA7\xDA\xAD\xCC\xAA\xBA\xAB\x7E\xB5\x50\xA4\xB5\xA4\xD1\xB5\x6F\xA7\x47\xA4\x46\xB7\x73"
    "\xB2\xA3\xAB\x7E\xA1\x41\xA5\xCE\xA4\xE1\xB3\xA3\xBB\xA1\xAB\xDC\xA6\x6E\xA1\x43\xB3\x6F"
    "\xAD\xD3\xBB\xF9\xAE\xE6\xA4\xA3\xBF\xF9\xA1\x43";

static kw_decoded decode(const char *bytes, size_t len, const char *label, kw_doc_kind kind)
{
    kw_decoded d;
    assert_int_equal(kw_charset_decode(&d, bytes, len, label, kind, 0), 0);
    assert_non_null(d.text);
    assert_int_equal(strlen(d.text), d.len);
    return d;
}

#define DECODE(bytes, label) decode((bytes), sizeof(bytes) - 1, (label), KW_DOC_TEXT)

static void gbk_bytes_with_gbk_and_gb2312_labels_decode_as_gb18030(void **state)
{
    (void)state;
    const char *labels[] = {"gbk", "GB2312", "x-gbk", "text/html; charset=gb2312", "gb18030"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        kw_decoded d = DECODE(gbk_bytes, labels[i]);
        assert_string_equal(d.text, gbk_text); /* 镕, 喆, 堃 included */
        assert_string_equal(d.charset, "gb18030");
        assert_int_equal(d.source, KW_CHARSET_HTTP);
        assert_false(d.label_wrong);
        assert_int_equal(d.replaced, 0);
        kw_decoded_free(&d);
    }
}

static void gb18030_four_byte_sequences_decode(void **state)
{
    (void)state;
    kw_decoded d = DECODE(gb18030_bytes, "GB18030");
    assert_string_equal(d.text, gb18030_text);
    assert_string_equal(d.charset, "gb18030");
    kw_decoded_free(&d);
}

static void big5_bytes_with_big5_label_decode_as_big5_hkscs(void **state)
{
    (void)state;
    kw_decoded d = DECODE(big5_bytes, "big5");
    assert_string_equal(d.text, big5_text);
    assert_string_equal(d.charset, "big5-hkscs");
    assert_false(d.label_wrong);
    kw_decoded_free(&d);
}

static void without_a_label_the_detector_tells_gb_from_big5(void **state)
{
    (void)state;
    kw_decoded d = DECODE(gbk_bytes, NULL);
    assert_string_equal(d.text, gbk_text);
    assert_string_equal(d.charset, "gb18030");
    assert_int_equal(d.source, KW_CHARSET_DETECTED);
    assert_false(d.label_wrong);
    kw_decoded_free(&d);
    d = DECODE(big5_bytes, NULL);
    assert_string_equal(d.text, big5_text);
    assert_string_equal(d.charset, "big5-hkscs");
    assert_int_equal(d.source, KW_CHARSET_DETECTED);
    kw_decoded_free(&d);
    d = DECODE(gb18030_bytes, NULL);
    assert_string_equal(d.text, gb18030_text);
    kw_decoded_free(&d);
}

/* bytes after n bytes of ASCII script; malloc'd */
static char *after_script(const char *bytes, size_t n, size_t *len)
{
    size_t k = strlen(bytes);
    char *p = malloc(n + k + 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = "var x=1;\n"[i % 9];
    memcpy(p + n, bytes, k + 1);
    *len = n + k;
    return p;
}

static void the_detector_reads_text_that_comes_after_a_long_script(void **state)
{
    (void)state;
    /* unlabelled pages whose Chinese starts past the first 64 KiB */
    size_t len;
    char *p = after_script(gbk_bytes, 300000, &len);
    kw_decoded d = decode(p, len, NULL, KW_DOC_HTML);
    assert_string_equal(d.charset, "gb18030");
    assert_string_equal(d.text + 300000, gbk_text);
    kw_decoded_free(&d);
    free(p);
    p = after_script(big5_bytes, 70000, &len);
    d = decode(p, len, NULL, KW_DOC_HTML);
    assert_string_equal(d.charset, "big5-hkscs");
    assert_string_equal(d.text + 70000, big5_text);
    kw_decoded_free(&d);
    free(p);
    /* a wrong label too */
    p = after_script(gbk_bytes, 100000, &len);
    d = decode(p, len, "big5", KW_DOC_HTML);
    assert_string_equal(d.charset, "gb18030");
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
    free(p);
}

static void a_wrong_label_is_overruled_and_reported(void **state)
{
    (void)state;
    kw_decoded d = DECODE(gbk_bytes, "big5");
    assert_string_equal(d.text, gbk_text);
    assert_string_equal(d.charset, "gb18030");
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
    d = DECODE(big5_bytes, "gbk");
    assert_string_equal(d.text, big5_text);
    assert_string_equal(d.charset, "big5-hkscs");
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
    d = DECODE(gbk_bytes, "iso-8859-1");
    assert_string_equal(d.charset, "gb18030");
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
    /* UTF-8 labelled GBK: valid UTF-8 is almost never legacy text. */
    d = DECODE(gbk_text, "gbk");
    assert_string_equal(d.text, gbk_text);
    assert_string_equal(d.charset, "utf-8");
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
    /* GBK labelled UTF-8. */
    d = DECODE(gbk_bytes, "utf-8");
    assert_string_equal(d.text, gbk_text);
    assert_true(d.label_wrong);
    kw_decoded_free(&d);
}

static void valid_utf8_without_a_label_is_utf8(void **state)
{
    (void)state;
    kw_decoded d = DECODE(big5_text, NULL);
    assert_string_equal(d.text, big5_text);
    assert_string_equal(d.charset, "utf-8");
    assert_int_equal(d.source, KW_CHARSET_UTF8);
    kw_decoded_free(&d);
}

static void boms_win_over_labels_and_are_removed(void **state)
{
    (void)state;
    char buf[256];
    memcpy(buf, "\xEF\xBB\xBF", 3);
    memcpy(buf + 3, gbk_text, sizeof gbk_text);
    kw_decoded d = decode(buf, 3 + sizeof gbk_text - 1, "gbk", KW_DOC_TEXT);
    assert_string_equal(d.text, gbk_text);
    assert_string_equal(d.charset, "utf-8");
    assert_int_equal(d.source, KW_CHARSET_BOM);
    kw_decoded_free(&d);
    d = decode("\xFF\xFE" "A\0\x2D\x4E", 6, NULL, KW_DOC_TEXT); /* A中 */
    assert_string_equal(d.text, "A\xE4\xB8\xAD");
    assert_string_equal(d.charset, "utf-16le");
    kw_decoded_free(&d);
    d = decode("\xFE\xFF\0A\x4E\x2D", 6, NULL, KW_DOC_TEXT);
    assert_string_equal(d.text, "A\xE4\xB8\xAD");
    assert_string_equal(d.charset, "utf-16be");
    kw_decoded_free(&d);
}

static void xml_declaration_and_html_meta_are_read(void **state)
{
    (void)state;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "<?xml version=\"1.0\" encoding='GB2312'?><a>%s</a>",
                     gbk_bytes);
    kw_decoded d = decode(buf, (size_t)n, NULL, KW_DOC_XML);
    assert_string_equal(d.charset, "gb18030");
    assert_int_equal(d.source, KW_CHARSET_DOCUMENT);
    assert_non_null(strstr(d.text, gbk_text));
    kw_decoded_free(&d);
    n = snprintf(buf, sizeof buf,
                 "<html><head><!-- <meta charset=utf-8> --><meta http-equiv=\"Content-Type\" "
                 "content=\"text/html; charset=big5\"></head><body>%s</body></html>",
                 big5_bytes);
    d = decode(buf, (size_t)n, NULL, KW_DOC_HTML);
    assert_string_equal(d.charset, "big5-hkscs");
    assert_int_equal(d.source, KW_CHARSET_DOCUMENT);
    assert_non_null(strstr(d.text, big5_text));
    kw_decoded_free(&d);
    n = snprintf(buf, sizeof buf, "<meta charset=\"gbk\"><p>%s", gbk_bytes);
    d = decode(buf, (size_t)n, NULL, KW_DOC_HTML);
    assert_string_equal(d.charset, "gb18030");
    kw_decoded_free(&d);
    /* The HTTP label comes before the document's. */
    n = snprintf(buf, sizeof buf, "<meta charset=\"big5\"><p>%s", gbk_bytes);
    d = decode(buf, (size_t)n, "gbk", KW_DOC_HTML);
    assert_int_equal(d.source, KW_CHARSET_HTTP);
    assert_string_equal(d.charset, "gb18030");
    kw_decoded_free(&d);
}

static void one_bad_byte_is_one_replacement_character(void **state)
{
    (void)state;
    kw_decoded d = decode("ab\xFF" "cd\xE4\xB8\xAD", 8, "utf-8", KW_DOC_TEXT);
    assert_string_equal(d.charset, "utf-8");
    assert_string_equal(d.text, "ab\xEF\xBF\xBD" "cd\xE4\xB8\xAD");
    assert_int_equal(d.replaced, 1);
    assert_false(d.label_wrong);
    kw_decoded_free(&d);
    /* Without a label: UTF-8 text with one stray byte stays UTF-8. */
    char buf[512];
    size_t half = 21; /* a character boundary in big5_text (7 characters) */
    memcpy(buf, big5_text, half);
    buf[half] = '\xFF';
    memcpy(buf + half + 1, big5_text + half, sizeof big5_text - half);
    d = decode(buf, sizeof big5_text, NULL, KW_DOC_TEXT);
    assert_string_equal(d.charset, "utf-8");
    assert_int_equal(d.replaced, 1);
    assert_memory_equal(d.text, big5_text, half);
    assert_memory_equal(d.text + half, "\xEF\xBF\xBD", 3);
    assert_string_equal(d.text + half + 3, big5_text + half);
    kw_decoded_free(&d);
    /* In GBK: a lone 0xFF between two characters (0x80 would be the euro
     * sign, as WHATWG's gb18030 decoder reads it). */
    d = decode("\xCE\xD2\xFF\xC3\xC7", 5, "gbk", KW_DOC_TEXT);
    assert_string_equal(d.text, "\xE6\x88\x91\xEF\xBF\xBD\xE4\xBB\xAC");
    assert_int_equal(d.replaced, 1);
    kw_decoded_free(&d);
    /* A lead byte followed by ASCII keeps the ASCII. */
    d = decode("\xCE" " a\xC3\xC7", 5, "gbk", KW_DOC_TEXT);
    assert_string_equal(d.text, "\xEF\xBF\xBD" " a\xE4\xBB\xAC");
    kw_decoded_free(&d);
    /* Truncated at the end. */
    d = decode("\xCE\xD2\xC3", 3, "gbk", KW_DOC_TEXT);
    assert_string_equal(d.text, "\xE6\x88\x91\xEF\xBF\xBD");
    kw_decoded_free(&d);
    d = decode("x\xE4\xB8", 3, "utf-8", KW_DOC_TEXT);
    assert_string_equal(d.text, "x\xEF\xBF\xBD");
    kw_decoded_free(&d);
}

static void latin1_without_a_label_falls_back_to_windows_1252(void **state)
{
    (void)state;
    kw_decoded d = decode("caf\xE9 cr\xE8me \x80" "5", 13, NULL, KW_DOC_TEXT);
    assert_string_equal(d.charset, "windows-1252");
    assert_string_equal(d.text, "caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC" "5");
    kw_decoded_free(&d);
}

static void whatwg_labels_map_as_browsers_do(void **state)
{
    (void)state;
    assert_string_equal(kw_charset_canonical("GBK"), "gb18030");
    assert_string_equal(kw_charset_canonical(" gb_2312-80 "), "gb18030");
    assert_string_equal(kw_charset_canonical("csiso58gb231280"), "gb18030");
    assert_string_equal(kw_charset_canonical("chinese"), "gb18030");
    assert_string_equal(kw_charset_canonical("text/html; charset=\"Big5\""), "big5-hkscs");
    assert_string_equal(kw_charset_canonical("x-x-big5"), "big5-hkscs");
    assert_string_equal(kw_charset_canonical("latin1"), "windows-1252");
    assert_string_equal(kw_charset_canonical("US-ASCII"), "windows-1252");
    assert_string_equal(kw_charset_canonical("utf8"), "utf-8");
    assert_string_equal(kw_charset_canonical("hz-gb-2312"), "replacement");
    assert_string_equal(kw_charset_canonical("iso-2022-cn"), "replacement");
    assert_null(kw_charset_canonical("klingon"));
    assert_null(kw_charset_canonical(""));
    assert_null(kw_charset_canonical(NULL));
}

/* Every single-byte encoding of the WHATWG Encoding Standard has its
 * labels: a Hebrew, Arabic, Baltic or DOS Cyrillic page labelled as its
 * server says was read as windows-1252 before. */
static void the_other_whatwg_single_byte_labels_are_known(void **state)
{
    (void)state;
    static const struct {
        const char *label, *name;
    } cases[] = {
        {"ibm866", "ibm866"},          {"cp866", "ibm866"},
        {"latin3", "iso-8859-3"},      {"iso_8859-4:1988", "iso-8859-4"},
        {"ASMO-708", "iso-8859-6"},    {"arabic", "iso-8859-6"},
        {"hebrew", "iso-8859-8"},      {"visual", "iso-8859-8"},
        {"logical", "iso-8859-8-i"},   {"latin6", "iso-8859-10"},
        {"iso-8859-13", "iso-8859-13"}, {"iso885914", "iso-8859-14"},
        {"iso-8859-16", "iso-8859-16"}, {"x-mac-roman", "macintosh"},
        {"mac", "macintosh"},          {"x-mac-ukrainian", "x-mac-cyrillic"},
        {"sun_eu_greek", "iso-8859-7"}, {"ecma-118", "iso-8859-7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(kw_charset_canonical(cases[i].label), cases[i].name);
    /* "Lumi שלום" in ISO-8859-8, "Lumi ąčįū" in ISO-8859-13, "Lumi привет" in IBM866 */
    kw_decoded d = DECODE("Lumi \xF9\xEC\xE5\xED", "text/html; charset=iso-8859-8");
    assert_string_equal(d.charset, "iso-8859-8");
    assert_string_equal(d.text, "Lumi \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");
    kw_decoded_free(&d);
    d = DECODE("Lumi \xE0\xE8\xE1\xFB", "text/html; charset=iso-8859-13");
    assert_string_equal(d.charset, "iso-8859-13");
    assert_string_equal(d.text, "Lumi \xC4\x85\xC4\x8D\xC4\xAF\xC5\xAB");
    kw_decoded_free(&d);
    d = DECODE("Lumi \xAF\xE0\xA8\xA2\xA5\xE2", "ibm866");
    assert_string_equal(d.charset, "ibm866");
    assert_string_equal(d.text, "Lumi \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    kw_decoded_free(&d);
}

static void gb18030_a3a0_is_the_ideographic_space(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0, bad = 0;
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "\xA3\xA0", 2, "gb18030"), 0);
    assert_string_equal(out, "\xE3\x80\x80");
    free(out);
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "abc", 3, "hz-gb-2312"), 0);
    assert_string_equal(out, "\xEF\xBF\xBD");
    free(out);
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "abc", 3, "nope"), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "nope"));
}

static void a_lone_utf16_surrogate_is_one_replacement_and_the_rest_stays_aligned(void **state)
{
    (void)state;
    /* BOM, "a", a high surrogate with no low one, "bc" */
    static const char le[] = "\xFF\xFE" "a\0" "\x00\xD8" "b\0c\0";
    static const char be[] = "\xFE\xFF" "\0a" "\xDC\x00" "\0b\0c";
    kw_decoded d = decode(le, sizeof le - 1, NULL, KW_DOC_TEXT);
    assert_string_equal(d.charset, "utf-16le");
    assert_string_equal(d.text, "a\xEF\xBF\xBD" "bc");
    assert_int_equal(d.replaced, 1);
    kw_decoded_free(&d);
    d = decode(be, sizeof be - 1, NULL, KW_DOC_TEXT);
    assert_string_equal(d.charset, "utf-16be");
    assert_string_equal(d.text, "a\xEF\xBF\xBD" "bc");
    kw_decoded_free(&d);
}

static void every_whatwg_single_byte_encoding_has_its_labels(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"iso-8859-4", "iso-8859-4"},   {"latin3", "iso-8859-3"},     {"ISO-8859-6", "iso-8859-6"},
        {"hebrew", "iso-8859-8"},       {"logical", "iso-8859-8-i"},  {"l6", "iso-8859-10"},
        {"iso885913", "iso-8859-13"},   {"iso-8859-14", "iso-8859-14"}, {"iso-8859-16", "iso-8859-16"},
        {"mac", "macintosh"},           {"x-mac-roman", "macintosh"}, {"866", "ibm866"},
        {"x-mac-ukrainian", "x-mac-cyrillic"}, {"elot_928", "iso-8859-7"},
        {"sun_eu_greek", "iso-8859-7"}, {"iso_8859-9:1989", "windows-1254"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *c = kw_charset_canonical(pairs[i][0]);
        if (!c || strcmp(c, pairs[i][1]) != 0)
            fail_msg("%s: %s, not %s", pairs[i][0], c ? c : "unknown", pairs[i][1]);
    }
    /* and they decode: "Привет" in IBM866, "café" in Mac Roman, "ą" in ISO-8859-4 */
    char *out = NULL;
    size_t n = 0, bad = 0;
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "\x8F\xE0\xA8\xA2\xA5\xE2", 6, "ibm866"), 0);
    assert_string_equal(out, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    free(out);
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "caf\x8E", 4, "macintosh"), 0);
    assert_string_equal(out, "caf\xC3\xA9");
    free(out);
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "\xB1", 1, "latin4"), 0);
    assert_string_equal(out, "\xC4\x85");
    free(out);
}

static void double_byte_errors_are_read_as_whatwg_reads_them(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0, bad = 0;
    /* gb18030's 0x80 is the euro sign */
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "5\x80", 2, "gbk"), 0);
    assert_string_equal(out, "5\xE2\x82\xAC");
    assert_int_equal(bad, 0);
    free(out);
    /* a lead byte and the non-ASCII byte after it are one error: "中文"
     * after them is read as it is, not from the middle of its bytes */
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "\x81\xA1\xA4\xA4\xA4\xE5", 6, "big5"), 0);
    assert_string_equal(out, "\xEF\xBF\xBD\xE4\xB8\xAD\xE6\x96\x87");
    assert_int_equal(bad, 1);
    free(out);
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "a\x81\xFF\xD6\xD0" "b", 6, "gb18030"), 0);
    assert_string_equal(out, "a\xEF\xBF\xBD\xE4\xB8\xAD" "b");
    free(out);
    /* an ASCII byte after a lead is read again, as itself */
    assert_int_equal(kw_charset_to_utf8(&out, &n, &bad, "a\x81<b", 4, "gbk"), 0);
    assert_string_equal(out, "a\xEF\xBF\xBD<b");
    free(out);
}

static void oversized_input_is_refused(void **state)
{
    (void)state;
    kw_decoded d;
    assert_int_equal(kw_charset_decode(&d, "abcdef", 6, NULL, KW_DOC_TEXT, 4), KW_ETOOBIG);
    assert_null(d.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gbk_bytes_with_gbk_and_gb2312_labels_decode_as_gb18030),
        cmocka_unit_test(gb18030_four_byte_sequences_decode),
        cmocka_unit_test(big5_bytes_with_big5_label_decode_as_big5_hkscs),
        cmocka_unit_test(without_a_label_the_detector_tells_gb_from_big5),
        cmocka_unit_test(a_wrong_label_is_overruled_and_reported),
        cmocka_unit_test(the_detector_reads_text_that_comes_after_a_long_script),
        cmocka_unit_test(valid_utf8_without_a_label_is_utf8),
        cmocka_unit_test(boms_win_over_labels_and_are_removed),
        cmocka_unit_test(xml_declaration_and_html_meta_are_read),
        cmocka_unit_test(one_bad_byte_is_one_replacement_character),
        cmocka_unit_test(latin1_without_a_label_falls_back_to_windows_1252),
        cmocka_unit_test(whatwg_labels_map_as_browsers_do),
        cmocka_unit_test(the_other_whatwg_single_byte_labels_are_known),
        cmocka_unit_test(gb18030_a3a0_is_the_ideographic_space),
        cmocka_unit_test(a_lone_utf16_surrogate_is_one_replacement_and_the_rest_stays_aligned),
        cmocka_unit_test(every_whatwg_single_byte_encoding_has_its_labels),
        cmocka_unit_test(double_byte_errors_are_read_as_whatwg_reads_them),
        cmocka_unit_test(oversized_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
