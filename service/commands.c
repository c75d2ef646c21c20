/* The command table: name, one-line summary, entry point. */
#include "cli.h"

const kw_command kw_commands[] = {
    {"init", "create the database and a commented kolwatch.conf", cmd_init},
    {"migrate", "apply missing database migrations", cmd_migrate},
    {"config", "show the effective configuration", cmd_config},
    {"brand", "add, list, show, edit or remove brands", cmd_brand},
    {"import", "load mentions from a JSONL file", cmd_import},
    {"mention", "list stored mentions", cmd_mention},
    {"score", "score texts for sentiment, with explanations", cmd_score},
    {"rescore", "re-score stored mentions after a lexicon change", cmd_rescore},
    {"robots-check", "check URLs against a robots.txt file (RFC 9309)", cmd_robots},
    {"parse-feed", "parse an RSS, Atom or JSON feed into one JSON object", cmd_parse_feed},
    {NULL, NULL, NULL},
};
