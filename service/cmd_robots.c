/* `kolwatch robots-check`: what a robots.txt allows an agent, URL by URL. */
#include "cli.h"

#include "kolwatch/crawler.h"
#include "kolwatch/error.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: kolwatch robots-check --robots FILE --agent TOKEN URL...\n\n"
    "Read a robots.txt (RFC 9309) and print, for each URL, 'allowed' or\n"
    "'disallowed', a tab and the URL as given, one line per URL.\n"
    "URL is an absolute URL or a path; only its path and query count.\n"
    "TOKEN is the crawler's product token, matched case-insensitively.\n"
    "Only the first 500 KiB of FILE are read, as the RFC allows.\n";

/* Read at most max bytes of path; *truncated when there was more. */
static int read_capped(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f)
        return kw_error_set(errno == ENOENT ? KW_ENOTFOUND : KW_EIO, "%s: %s", path,
                            strerror(errno));
    buf = malloc(max + 1);
    if (!buf) {
        fclose(f);
        return kw_error_set(KW_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, max, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return kw_error_set(KW_EIO, "%s: cannot read it: %s", path, strerror(errno));
    }
    *out = buf;
    *len = n;
    return 0;
}

int cmd_robots(kw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"robots", required_argument, 0, 'r'},
                                         {"agent", required_argument, 0, 'a'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *file = NULL, *agent = NULL;
    char *body = NULL;
    size_t len = 0;
    kw_robots *robots = NULL;
    int c, rc = EXIT_FAIL;
    (void)cli;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h')
            return fputs(usage, stdout), EXIT_OK;
        else if (c == 'r')
            file = optarg;
        else if (c == 'a')
            agent = optarg;
        else
            return cli_usage_error("robots-check", "unknown option or missing value: %s",
                                   argv[optind - 1]);
    }
    if (!file)
        return cli_usage_error("robots-check", "--robots FILE is required");
    if (!agent || !*agent)
        return cli_usage_error("robots-check", "--agent TOKEN is required");
    if (optind >= argc)
        return cli_usage_error("robots-check", "give at least one URL");
    /* One byte over the limit tells the parser the file was longer. */
    if (read_capped(file, KW_ROBOTS_MAX_BYTES + 1, &body, &len))
        return cli_fail("robots-check: %s", kw_error_last());
    if (kw_robots_parse(&robots, body, len)) {
        rc = cli_fail("robots-check: %s: %s", file, kw_error_last());
        goto cleanup;
    }
    if (kw_robots_truncated(robots))
        fprintf(stderr, "kolwatch: robots-check: %s: only the first %d bytes were read\n",
                file, KW_ROBOTS_MAX_BYTES);
    for (int i = optind; i < argc; i++)
        printf("%s\t%s\n", kw_robots_allowed(robots, agent, argv[i]) ? "allowed" : "disallowed",
               argv[i]);
    rc = fflush(stdout) == 0 ? EXIT_OK : cli_fail("robots-check: cannot write the output");
cleanup:
    kw_robots_free(robots);
    free(body);
    return rc;
}
