/* The built-in lexicon files, embedded into the binary at build time. */
#ifndef KW_SENTIMENT_BUILTIN_H
#define KW_SENTIMENT_BUILTIN_H

#include <stddef.h>

typedef struct kw_builtin_lexicon {
    const char *name; /* file name without .tsv: "valence_zh", "negators", ... */
    const char *data; /* the file's bytes (NUL-terminated) */
    size_t len;
} kw_builtin_lexicon;

extern const kw_builtin_lexicon kw_builtin_lexicons[];
extern const size_t kw_builtin_lexicon_count;

#endif
