/* Tiers, money, the cost of each cooperation mode, currencies, unit costs. */
#include "testsupport.h"

#include "kolwatch/error.h"
#include "kolwatch/money.h"
#include "kolwatch/registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void tiers__bands_include_their_lower_bound(void **state)
{
    (void)state;
    kw_tiers t;
    assert_int_equal(kw_tiers_parse(&t, kw_tiers_default("xiaohongshu")), 0);
    assert_string_equal(kw_tier_of(&t, 4999), "KOC");
    assert_string_equal(kw_tier_of(&t, 5000), "初级");
    assert_string_equal(kw_tier_of(&t, 49999), "初级");
    assert_string_equal(kw_tier_of(&t, 50000), "腰部");
    assert_string_equal(kw_tier_of(&t, 500000), "头部");
    assert_null(kw_tier_of(&t, -1));
    assert_int_equal(kw_tiers_parse(&t, kw_tiers_default("douyin")), 0);
    assert_string_equal(kw_tier_of(&t, 299999), "尾部");
    assert_string_equal(kw_tier_of(&t, 300000), "腰部");
    assert_string_equal(kw_tier_of(&t, 2999999), "肩部");
    assert_string_equal(kw_tier_of(&t, 10000000), "超头部");
    assert_int_equal(kw_tiers_parse(&t, kw_tiers_default("bilibili")), 0);
    assert_string_equal(kw_tier_of(&t, 1000), "nano");
    assert_string_equal(kw_tier_of(&t, 10000), "micro");
    assert_string_equal(kw_tier_of(&t, 999999), "macro");
    assert_string_equal(kw_tier_of(&t, 1000000), "mega");
}

static void tiers__bad_specs_say_what_is_wrong(void **state)
{
    (void)state;
    kw_tiers t;
    assert_int_equal(kw_tiers_parse(&t, "a:5,b:10"), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "start at 0"));
    assert_int_equal(kw_tiers_parse(&t, "a:0,b:10,c:5"), KW_EINVAL);
    assert_int_equal(kw_tiers_parse(&t, "a:0,b"), KW_EINVAL);
    assert_int_equal(kw_tiers_parse(&t, "a:0,b:x"), KW_EINVAL);
    assert_int_equal(kw_tiers_parse(&t, ""), KW_EINVAL);
}

static void money__exact_minor_units_and_no_extra_digits(void **state)
{
    (void)state;
    int64_t v;
    char buf[32];
    assert_int_equal(kw_money_parse(&v, "12000", "CNY"), 0);
    assert_int_equal(v, 1200000);
    assert_int_equal(kw_money_parse(&v, "12000.5", "CNY"), 0);
    assert_int_equal(v, 1200050);
    assert_int_equal(kw_money_parse(&v, "0.01", "CNY"), 0);
    assert_int_equal(v, 1);
    assert_int_equal(kw_money_parse(&v, "12000.555", "CNY"), KW_EINVAL);
    assert_int_equal(kw_money_parse(&v, "1.5", "JPY"), KW_EINVAL);
    assert_int_equal(kw_money_parse(&v, "1500", "JPY"), 0);
    assert_int_equal(v, 1500);
    assert_int_equal(kw_money_parse(&v, "-5", "CNY"), KW_EINVAL);
    assert_int_equal(kw_money_parse(&v, "1e3", "CNY"), KW_EINVAL);
    assert_int_equal(kw_money_parse(&v, "12.", "CNY"), KW_EINVAL);
    assert_int_equal(kw_money_parse(&v, "5", "cny"), KW_EINVAL);
    kw_money_format(buf, sizeof buf, 1200050, "CNY");
    assert_string_equal(buf, "12000.50");
    kw_money_format(buf, sizeof buf, 7, "KWD");
    assert_string_equal(buf, "0.007");
}

static kw_quote quote(const char *mode)
{
    kw_quote q = {.list_price = 1000000, .net_price = 800000, .product_value = -1,
                  .shipping = -1, .bonus = -1, .bonus_threshold = -1,
                  .commission_rate = NAN};
    snprintf(q.mode, sizeof q.mode, "%s", mode);
    snprintf(q.currency, sizeof q.currency, "CNY");
    return q;
}

static void cost__each_mode_counts_what_it_spends(void **state)
{
    (void)state;
    kw_cost c;
    kw_quote fee = quote("fee");
    assert_int_equal(kw_quote_cost(&fee, -1, &c), 0);
    assert_int_equal(c.total, 800000); /* net, not list */
    fee.net_price = -1;
    assert_int_equal(kw_quote_cost(&fee, -1, &c), 0);
    assert_int_equal(c.total, 1000000);

    kw_quote barter = quote("barter");
    barter.product_value = 30000, barter.shipping = 1500;
    assert_int_equal(kw_quote_cost(&barter, -1, &c), 0);
    assert_int_equal(c.cash, 0);
    assert_int_equal(c.total, 31500);

    kw_quote com = quote("commission");
    com.commission_rate = 0.15;
    assert_int_equal(kw_quote_cost(&com, 2000000, &c), 0);
    assert_int_equal(c.commission, 300000);
    assert_int_equal(c.total, 300000);
    assert_int_equal(kw_quote_cost(&com, -1, &c), 0);
    assert_int_equal(c.total, 0);
    assert_true(c.commission_unknown);

    kw_quote hyb = quote("hybrid");
    hyb.commission_rate = 0.1, hyb.bonus = 50000, hyb.bonus_threshold = 1000;
    assert_int_equal(kw_quote_cost(&hyb, 1000000, &c), 0);
    assert_int_equal(c.cash, 800000);
    assert_int_equal(c.commission, 100000);
    assert_int_equal(c.bonus_reserved, 50000);
    assert_int_equal(c.total, 950000);
}

static void currencies__another_currency_needs_a_rate(void **state)
{
    (void)state;
    kw_rates r = {.target = "CNY"};
    int64_t out;
    assert_int_equal(kw_money_convert(&r, 12345, "CNY", &out), 0);
    assert_int_equal(out, 12345);
    assert_int_equal(kw_money_convert(&r, 10000, "USD", &out), KW_EINVAL);
    assert_non_null(strstr(kw_error_last(), "--rate USD="));
    assert_int_equal(kw_rates_add(&r, "USD=7.1"), 0);
    assert_int_equal(kw_money_convert(&r, 10000, "USD", &out), 0); /* 100 USD */
    assert_int_equal(out, 71000);
    assert_int_equal(kw_rates_add(&r, "JPY=0.048"), 0);
    assert_int_equal(kw_money_convert(&r, 1000, "JPY", &out), 0); /* 1000 yen */
    assert_int_equal(out, 4800);
    assert_int_equal(kw_rates_add(&r, "USD=abc"), KW_EINVAL);
    assert_int_equal(kw_rates_add(&r, "USD"), KW_EINVAL);
    assert_int_equal(kw_rates_add(&r, "USD=-1"), KW_EINVAL);
}

static void expected__estimates_from_the_account_are_marked(void **state)
{
    (void)state;
    kw_account a = {.followers = 100000, .avg_views = 20000, .engagement_rate = 0.05};
    kw_expected given = {.reach = 5000, .engagements = -1, .conversions = -1, .gmv = -1};
    kw_expected_fill(&given, &a);
    assert_int_equal(given.reach, 5000);
    assert_false(given.reach_estimated);
    assert_int_equal(given.engagements, 5000); /* 5% of followers */
    assert_true(given.engagements_estimated);
    kw_expected none = {.reach = -1, .engagements = -1, .conversions = -1, .gmv = -1};
    kw_account bare = {.followers = -1, .avg_views = -1, .engagement_rate = NAN};
    kw_expected_fill(&none, &bare);
    assert_int_equal(none.reach, -1);
    assert_int_equal(none.engagements, -1);
    assert_int_equal(kw_cpm(500000, 100000), 5000);
    assert_int_equal(kw_cpm(500000, 0), -1);
    assert_int_equal(kw_cpe(500000, 1000), 500);
    assert_int_equal(kw_cpe(500000, -1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiers__bands_include_their_lower_bound),
        cmocka_unit_test(tiers__bad_specs_say_what_is_wrong),
        cmocka_unit_test(money__exact_minor_units_and_no_extra_digits),
        cmocka_unit_test(cost__each_mode_counts_what_it_spends),
        cmocka_unit_test(currencies__another_currency_needs_a_rate),
        cmocka_unit_test(expected__estimates_from_the_account_are_marked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
