/* Helpers shared by the commands: opening the store, output formats. */
#include "cli.h"

#include "kolwatch/error.h"
#include "kolwatch/registry.h"
#include "kolwatch/store.h"

#include <string.h>
#include <unistd.h>

int cli_open_store(kw_cli *cli, kw_store **out, int create, int any_version)
{
    kw_store_options opt = {
        .create = create,
        .skip_version = any_version,
        .busy_timeout_ms = (int)(kw_config_int(cli->config, "store.busy_timeout") * 1000),
    };
    if (kw_store_open(out, kw_config_str(cli->config, "core.db"), &opt))
        return cli_fail("%s", kw_error_last());
    return EXIT_OK;
}

int cli_format(const char *value)
{
    if (!value)
        return isatty(STDOUT_FILENO) ? 0 : 1;
    if (strcmp(value, "json") == 0)
        return 1;
    if (strcmp(value, "table") == 0)
        return 0;
    return -1;
}

int cli_tiers(kw_cli *cli, const char *platform, kw_tiers *out)
{
    const char *key = strcmp(platform, "xiaohongshu") == 0 ? "registry.tiers_xiaohongshu"
                      : strcmp(platform, "douyin") == 0    ? "registry.tiers_douyin"
                                                           : "registry.tiers_other";
    if (kw_tiers_parse(out, kw_config_str(cli->config, key)))
        return cli_fail("%s: %s", key, kw_error_last());
    return 0;
}
