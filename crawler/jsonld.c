/*
 * What an article page says of itself in JSON-LD (schema.org), for article
 * mode: many news sites name the author and the date there alone, in
 * <script type="application/ld+json">, not in <meta>. The first object that
 * is an article of some kind (its @type ends in "Article", "BlogPosting",
 * "Posting" or is "Report"), found at the top, in an array or in @graph,
 * gives its author (a name, a Person, or the first of a list), its
 * datePublished and its headline.
 */
#include "html_dom.h"
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSONLD_MAX_BYTES (256u << 10) /* a script longer than this is no page's metadata */

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

static int is_article_type(const cJSON *t)
{
    if (cJSON_IsArray(t)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, t) if (is_article_type(e)) return 1;
        return 0;
    }
    if (!cJSON_IsString(t))
        return 0;
    const char *s = t->valuestring;
    return ends_with(s, "Article") || ends_with(s, "BlogPosting") || ends_with(s, "Posting") ||
           strcmp(s, "Report") == 0;
}

/* The article object of a JSON-LD document, or NULL; depth bounds @graph
 * and array nesting. */
static const cJSON *find_article(const cJSON *v, int depth)
{
    if (!v || depth > 4)
        return NULL;
    if (cJSON_IsArray(v)) {
        const cJSON *e, *hit;
        cJSON_ArrayForEach(e, v) if ((hit = find_article(e, depth + 1))) return hit;
        return NULL;
    }
    if (!cJSON_IsObject(v))
        return NULL;
    if (is_article_type(cJSON_GetObjectItemCaseSensitive(v, "@type")))
        return v;
    return find_article(cJSON_GetObjectItemCaseSensitive(v, "@graph"), depth + 1);
}

/* The object of the document whose @id is id ({"@id":"#p"} names a Person
 * elsewhere in @graph, as the common SEO plugins write), or NULL. */
static const cJSON *by_id(const cJSON *v, const char *id, int depth)
{
    if (!v || depth > 4)
        return NULL;
    if (cJSON_IsObject(v)) {
        const cJSON *own = cJSON_GetObjectItemCaseSensitive(v, "@id");
        if (cJSON_IsString(own) && strcmp(own->valuestring, id) == 0 &&
            cJSON_GetObjectItemCaseSensitive(v, "name"))
            return v;
        return by_id(cJSON_GetObjectItemCaseSensitive(v, "@graph"), id, depth + 1);
    }
    const cJSON *e, *hit;
    if (cJSON_IsArray(v))
        cJSON_ArrayForEach(e, v) if ((hit = by_id(e, id, depth + 1))) return hit;
    return NULL;
}

static char *string_of(const cJSON *v, const cJSON *root)
{
    if (cJSON_IsArray(v))
        v = cJSON_GetArrayItem(v, 0);
    const cJSON *id = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "@id") : NULL;
    if (cJSON_IsString(id) && !cJSON_GetObjectItemCaseSensitive(v, "name")) {
        const cJSON *named = by_id(root, id->valuestring, 0);
        v = named ? named : v;
    }
    if (cJSON_IsObject(v))
        v = cJSON_GetObjectItemCaseSensitive(v, "name");
    if (!cJSON_IsString(v) || !*v->valuestring)
        return NULL;
    return ex_tidy(strdup(v->valuestring));
}

static void from_script(const kw_hnode *script, jsonld_facts *out)
{
    const kw_hnode *t = script->first;
    if (!t || t->type != KW_HTEXT || t->len > JSONLD_MAX_BYTES)
        return;
    int nomem;
    size_t bad_at;
    char *mended = ex_json_mend(t->text, t->len, &nomem, &bad_at); /* a cut emoji */
    if (nomem || bad_at != SIZE_MAX)
        return;
    cJSON *doc = cJSON_ParseWithLength(mended ? mended : t->text, t->len);
    free(mended);
    const cJSON *a = find_article(doc, 0);
    if (a) {
        if (!out->author)
            out->author = string_of(cJSON_GetObjectItemCaseSensitive(a, "author"), doc);
        if (!out->published)
            out->published =
                string_of(cJSON_GetObjectItemCaseSensitive(a, "datePublished"), doc);
        if (!out->headline)
            out->headline = string_of(cJSON_GetObjectItemCaseSensitive(a, "headline"), doc);
    }
    cJSON_Delete(doc);
}

void jsonld_read(const kw_hnode *const *scripts, size_t n, jsonld_facts *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        from_script(scripts[i], out);
}

void jsonld_free(jsonld_facts *f)
{
    free(f->author);
    free(f->published);
    free(f->headline);
    memset(f, 0, sizeof *f);
}
