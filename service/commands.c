/* The command table: name, one-line summary, entry point. */
#include "cli.h"

const kw_command kw_commands[] = {
    {"init", "create the database and a commented kolwatch.conf", cmd_init},
    {"migrate", "apply missing database migrations", cmd_migrate},
    {"config", "show the effective configuration", cmd_config},
    {"brand", "add, list, show, edit or remove brands", cmd_brand},
    {"crawl", "fetch due sources, store the mentions of brands", cmd_crawl},
    {"worker", "crawl on schedule, sharing the sources with other workers", cmd_worker},
    {"source", "the feeds, pages and JSON endpoints the crawler collects", cmd_source},
    {"import", "load mentions (JSONL), partners or quotes (CSV)", cmd_import},
    {"export", "write partners or quotes as CSV", cmd_export},
    {"mention", "list stored mentions", cmd_mention},
    {"query", "test a brand query against a text: whether and where it matches", cmd_query},
    {"score", "score texts for sentiment, with explanations", cmd_score},
    {"rescore", "re-score stored mentions after a lexicon change", cmd_rescore},
    {"partner", "KOL/KOC partners and their platform accounts", cmd_partner},
    {"quote", "partners' prices per deliverable, with their history", cmd_quote},
    {"campaign", "campaigns, their budgets and candidates", cmd_campaign},
    {"budget", "choose the candidates a campaign's budget buys best", cmd_budget},
    {"robots-check", "check URLs against a robots.txt file (RFC 9309)", cmd_robots},
    {"parse-feed", "parse an RSS, Atom or JSON feed into one JSON object", cmd_parse_feed},
    {NULL, NULL, NULL},
};
