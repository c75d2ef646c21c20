/*
 * What `source add` can tell of an XPath rule beyond its syntax: libxml2
 * compiles a misspelled function, a variable or a namespace prefix without
 * a word, and only evaluating them on a page fails; a rule that then finds
 * nothing sends the user to look at the site rather than at the typo. The
 * expression is read as XPath 1.0 tokens (string literals skipped) and then
 * evaluated once on a small page, where an item= rule must give elements.
 */
#include "kolwatch/error.h"

#include "internal.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

/* XPath 1.0's function library, and the node tests written like calls. */
static const char *const functions[] = {
    "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string",
    "concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
    "string-length", "normalize-space", "translate", "boolean", "not", "true", "false",
    "lang", "number", "sum", "floor", "ceiling", "round", "escape-uri", NULL};
static const char *const node_tests[] = {"node", "text", "comment", "processing-instruction",
                                         NULL};
/* Operator names, which may stand before a parenthesis: "a and (b)". */
static const char *const operators[] = {"and", "or", "div", "mod", NULL};

static int listed(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

static int name_start(unsigned char c)
{
    return c == '_' || ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}
static int name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* 0, or KW_EINVAL naming the first function, variable or prefix that no
 * HTML page can give a meaning to. */
static int check_tokens(const char *key, const char *expr)
{
    const char *p = expr;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\'') { /* a literal: its words are no names */
            const char *end = strchr(p + 1, c);
            p = end ? end + 1 : p + strlen(p);
            continue;
        }
        if (c == '$') {
            const char *n = p + 1;
            while (name_char((unsigned char)*n) || *n == ':')
                n++;
            return kw_error_set(KW_EINVAL, "rule %s: '%s' uses the variable %.*s, and rules "
                                           "have none", key, expr, (int)(n - p), p);
        }
        if (!name_start(c) || (p > expr && name_char((unsigned char)p[-1]))) {
            p++;
            continue;
        }
        const char *n = p;
        while (name_char((unsigned char)*n))
            n++;
        size_t len = (size_t)(n - p);
        if (n[0] == ':' && (n[1] == '*' || name_start((unsigned char)n[1])) &&
            !(len == 3 && memcmp(p, "xml", 3) == 0)) /* xml: is always bound */
            return kw_error_set(KW_EINVAL, "rule %s: '%s' uses the namespace prefix %.*s:, "
                                               "which HTML pages do not declare (leave it out)",
                                key, expr, (int)len, p);
        const char *after = n;
        while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r')
            after++;
        if (*after == '(' && !listed(node_tests, p, len) && !listed(operators, p, len) &&
            !listed(functions, p, len))
            return kw_error_set(KW_EINVAL, "rule %s: '%s' calls %.*s(), which is no XPath 1.0 "
                                           "function (contains(), starts-with(), "
                                           "normalize-space(), ...)", key, expr, (int)len, p);
        p = n;
    }
    return 0;
}

static void quiet(void *ctx, const char *msg, ...) { (void)ctx, (void)msg; }

int ex_xpath_check(const char *key, const char *expr)
{
    int rc = check_tokens(key, expr);
    if (rc)
        return rc;
    static const char page[] = "<html><head><title>t</title></head><body><div class=\"c\" "
                               "id=\"i\"><p>p <a href=\"/a\">a</a></p></div></body></html>";
    htmlDocPtr doc = htmlReadMemory(page, (int)sizeof page - 1, "https://example.com/", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING);
    xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
    if (!ctx) {
        xmlFreeDoc(doc);
        return kw_error_set(KW_ENOMEM, "out of memory");
    }
    xmlGenericErrorFunc was = xmlGenericError; /* the caller's, put back after */
    void *was_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlResetError(&ctx->lastError);
    xmlXPathObjectPtr v = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlSetGenericErrorFunc(was_ctx, was);
    if (!v)
        rc = kw_error_set(KW_EINVAL, "rule %s: '%s' cannot be evaluated: %s", key, expr,
                          ctx->lastError.message ? ctx->lastError.message : "an XPath error");
    else if (strcmp(key, "item") == 0 && v->type != XPATH_NODESET)
        rc = kw_error_set(KW_EINVAL, "rule item: '%s' gives %s, not elements: item= selects "
                                     "the elements that are the posts (//div[@class='post'])",
                          expr, v->type == XPATH_NUMBER    ? "a number"
                                : v->type == XPATH_STRING  ? "a string"
                                : v->type == XPATH_BOOLEAN ? "true or false"
                                                           : "no elements");
    xmlXPathFreeObject(v);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}
