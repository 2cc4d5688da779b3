/*
** test_rules.c — the commission hook, a measure, through the Lua host alone
** (rules.h), with a host of callbacks that stands in for the engine:
**
**  - the hook gets the deal (id, partner, client, value as a number, signed,
**    ended nil while the client stays), the partner (id, name, type, owner)
**    and as_of, and its answer is the figure;
**  - kanal.deals(partner) reads the host's deals as of the hook's day, and
**    kanal.now() is the report's moment;
**  - anything but a finite number of at least 0 is an error naming the rules
**    file, the hook's line and what it returned; without the hook, 0;
**  - the sandbox and its limits hold: no opp:set, the instruction budget
**    stops a loop, the views are read-only.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "t.h"

static const char *asked_day;
static int64_t asked_partner;

static int h_deals(void *ud, kanal_arena *a, int64_t partner_id, const char *day, kanal_deal **out,
                   size_t *n, kanal_error *err)
{
    (void)ud;
    (void)err;
    asked_partner = partner_id;
    asked_day = kanal_arena_strdup(a, day);
    kanal_deal *d = kanal_arena_alloc(a, 2 * sizeof *d);
    d[0] = (kanal_deal){ .id = 1,
                         .partner_id = partner_id,
                         .client = "A",
                         .value_cents = 150,
                         .signed_on = "2025-01-01",
                         .ended_on = "2025-03-01" };
    d[1] = (kanal_deal){ .id = 2,
                         .partner_id = partner_id,
                         .client = "B",
                         .value_cents = 250,
                         .signed_on = "2025-02-01" };
    *out = d;
    *n = 2;
    return KANAL_OK;
}

static char trace[4096];
static void h_trace(void *ud, const char *text)
{
    (void)ud;
    snprintf(trace, sizeof trace, "%s", text);
}
static bool h_log_room(void *ud)
{
    (void)ud;
    return true;
}
static bool h_log(void *ud, const char *line, size_t len)
{
    (void)ud;
    (void)line;
    (void)len;
    return true;
}

static long long spent;
static const rules_host host = {
    .deals = h_deals, .trace = h_trace, .log = h_log, .log_room = h_log_room, .spent_ns = &spent
};

static const kanal_limits limits = { .instructions = 100000, .memory_mb = 16, .time_ms = 2000 };

/* Loads `body` (the hook's function) as commission.lua; NULL on failure. */
static struct rules *load(const char *body)
{
    char text[2048];
    snprintf(text, sizeof text, "return {\n  commission = %s,\n}\n", body);
    struct rules *r = NULL;
    kanal_error err;
    kanal_error_clear(&err);
    spent = 0;
    if (rules_open(&r, &host, "commission.lua", text, &limits, NULL, &err)) {
        fprintf(stderr, "cannot load: %s\n", err.message);
        return NULL;
    }
    return r;
}

static const kanal_deal deal = { .id = 7,
                                 .partner_id = 3,
                                 .client = "Hotel Mewa",
                                 .value_cents = 1250050,
                                 .signed_on = "2025-04-15" };
static const kanal_partner partner = {
    .id = 3, .name = "Biuro Kowalski", .type = "referrer", .owner = "marcin", .city = "Gdańsk"
};

/* Calls the hook of `body`; *figure is its answer; returns the code, err filled. */
static int call(const char *body, double *figure, kanal_error *err)
{
    struct rules *r = load(body);
    if (!r)
        return -1;
    hook_call c = { .hook = HOOK_commission,
                    .at = "2025-11-30T23:59:59Z",
                    .deal = &deal,
                    .partner = &partner,
                    .as_of = "2025-11-30",
                    .figure = -7 };
    kanal_error_clear(err);
    int rc = rules_call(r, &c, err);
    *figure = c.figure;
    rules_free(r);
    return rc;
}

static void test_arguments(void)
{
    kanal_error err;
    double f;
    /* what the hook sees, checked inside: 1 when all is as it should be */
    CHECK_INT(
        call("function(deal, partner, as_of)\n"
             "    assert(deal.id == 7 and deal.partner == 3 and deal.client == 'Hotel Mewa')\n"
             "    assert(deal.value == 12500.5 and math.type(deal.value) == 'float')\n"
             "    assert(deal.signed == '2025-04-15' and deal.ended == nil)\n"
             "    assert(partner.id == 3 and partner.name == 'Biuro Kowalski')\n"
             "    assert(partner.type == 'referrer' and partner.owner == 'marcin')\n"
             "    assert(as_of == '2025-11-30' and kanal.now() == '2025-11-30T23:59:59Z')\n"
             "    return 1\n"
             "  end",
             &f, &err),
        KANAL_OK);
    CHECK(f == 1);
    /* 15% of the value, as Example 1's rule computes it */
    CHECK_INT(call("function(deal) return deal.value * 0.15 end", &f, &err), KANAL_OK);
    CHECK(fabs(f - 1875.075) < 1e-9);
    /* an integer is a number too; 0 is allowed */
    CHECK_INT(call("function() return 0 end", &f, &err), KANAL_OK);
    CHECK(f == 0);
    /* kanal.deals: the host's deals of the partner asked for, as of the report's day */
    asked_day = NULL;
    CHECK_INT(call("function(deal, partner)\n"
                   "    local ds = kanal.deals(partner.id)\n"
                   "    assert(#ds == 2 and ds[1].ended == '2025-03-01' and ds[2].ended == nil)\n"
                   "    return ds[1].value + ds[2].value\n"
                   "  end",
                   &f, &err),
              KANAL_OK);
    CHECK(fabs(f - 4.0) < 1e-9);
    CHECK_INT(asked_partner, 3);
}

static void test_bad_answers(void)
{
    static const struct {
        const char *body, *returned;
    } bad[] = {
        { "function() return -1 end", "-1" },
        { "function() return -0.01 end", "-0.01" },
        { "function() return 0 / 0 end", "NaN" },
        { "function() return math.huge end", "inf" },
        { "function() return '150' end", "a string" },
        { "function() return nil end", "nothing" },
        { "function() end", "nothing" },
        { "function() return {} end", "a table" },
        { "function() return true end", "a boolean" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        kanal_error err;
        double f = 0;
        char want[256];
        snprintf(want, sizeof want,
                 "rules error in hook 'commission' (commission.lua:2): it must return a finite "
                 "number of at least 0 (it returned %s)",
                 bad[i].returned);
        CHECK_INT(call(bad[i].body, &f, &err), KANAL_EINVALID);
        CHECK_STR(err.message, want);
        CHECK_STR(err.where, "commission.lua:2");
        CHECK(f == 0);
    }
}

static void test_without_hook(void)
{
    struct rules *r = NULL;
    kanal_error err;
    kanal_error_clear(&err);
    CHECK_INT(rules_open(&r, &host, "none.lua", "return {}", &limits, NULL, &err), KANAL_OK);
    hook_call c = { .hook = HOOK_commission,
                    .deal = &deal,
                    .partner = &partner,
                    .as_of = "2025-11-30",
                    .at = "2025-11-30T23:59:59Z",
                    .figure = 5 };
    CHECK_INT(rules_call(r, &c, &err), KANAL_OK);
    CHECK(c.figure == 0);
    rules_free(r);
}

static void test_sandbox(void)
{
    kanal_error err;
    double f;
    /* a Lua error names the line it happened on */
    CHECK_INT(call("function(deal)\n    return deal.nothing.x\n  end", &f, &err), KANAL_EINVALID);
    CHECK(strstr(err.message, "rules error in hook 'commission' (commission.lua:3):") != NULL);
    /* the views are read-only */
    CHECK_INT(call("function(deal) deal.value = 1; return 1 end", &f, &err), KANAL_EINVALID);
    CHECK(strstr(err.message, "cannot change 'value': it is read-only") != NULL);
    /* a loop is stopped by the instruction budget */
    CHECK_INT(call("function() while true do end end", &f, &err), KANAL_EINVALID);
    CHECK(strstr(err.message, "instruction limit exceeded") != NULL);
    /* io and load are not there */
    CHECK_INT(call("function() return io.open('/etc/passwd') end", &f, &err), KANAL_EINVALID);
    CHECK(strstr(err.message, "attempt to index a nil value") != NULL);
    /* kanal.deals needs a partner id */
    CHECK_INT(call("function() return #kanal.deals('x') end", &f, &err), KANAL_EINVALID);
    CHECK(strstr(err.message, "number expected") != NULL);
}

int main(void)
{
    test_arguments();
    test_bad_answers();
    test_without_hook();
    test_sandbox();
    return t_done("test_rules");
}
