/* Stands in for the PostgreSQL back end in builds without libpq. */
#include "internal.h"

#include "kolwatch/error.h"

#ifndef KW_HAVE_POSTGRES
int kw_postgres_open(kw_store *s, const char *url, const kw_store_options *opt)
{
    (void)s, (void)opt;
    return kw_error_set(KW_EINVAL,
                        "%s: this kolwatch was built without PostgreSQL support "
                        "(-DKOLWATCH_POSTGRES=OFF); rebuild with it or use SQLite",
                        url);
}
#else
typedef int kw_postgres_built_in;
#endif
