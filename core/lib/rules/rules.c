/*
** rules.c — the Lua host for workflow rules.
**
** Rules are code an admin wrote, run on every rep's command, so they run in a
** sandbox:
**   - text only, never bytecode; only string (without dump), table, math,
**     utf8, the safe base functions and os.time/date/clock/difftime;
**   - the library tables, the string metatable and every view handed to a
**     hook are read-only proxies;
**   - an instruction budget per hook call (a count hook), a memory ceiling
**     per state (the allocator), a wall-clock limit per command (checked by
**     the count hook), and pcall/xpcall that cannot swallow any of them;
**   - work done in C, where the count hook cannot see it, is charged too:
**     every byte allocated (copies, concatenations, results), and, up front,
**     what each library function will do (repetitions, values pushed, the
**     length of a format, the worst case of a pattern);
**   - a fresh state per command (the engine frees it when the operation
**     ends), so nothing a hook stores in globals survives into the next.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "rules/rules.h"
#include "def/fields.h"
#include "kanal/datetime.h"
#include "rules/rules_cost.h"

const hook_info rules_hook_table[HOOK_COUNT] = {
#define X(name, kind, args) { #name, kind, args },
    KANAL_HOOKS(X)
#undef X
};

#define COUNT_STEP 1000          /* instructions between two calls of the count hook */
#define READONLY_KEY "kanal.readonly"

enum { KILL_NONE, KILL_INSTRUCTIONS, KILL_MEMORY, KILL_TIME };

struct rules {
    lua_State *L;
    const rules_host *host;      /* NULL while only checking */
    char *name;                  /* the rules file, as the YAML names it */
    kanal_buf *compiled;         /* while loading: the chunk compiled before, or where to keep it */
    size_t mem, mem_limit;
    long long budget, used;
    int hook_step;               /* the count hook's current period */
    bool charging;               /* rules' code runs: allocations are charged */
    long long time_limit_ns;     /* for all the rules of one command */
    long long spent_ns;          /* spent by the calls before this one, when checking */
    unsigned since_clock;        /* allocations since the allocator last read the clock */
    int notes;                   /* notes this state recorded */
    long long started_ns;        /* when the current load or call began */
    int killed;
    int hooks[HOOK_COUNT];       /* registry references, or LUA_NOREF */
    int lines[HOOK_COUNT];       /* where each hook is defined */
    hook_call *call;             /* the call under way */
    int opp_ref, fields_ref;     /* the current opp view and its fields' data */
    int fail_code;               /* an engine error raised inside Lua */
    char fail_msg[KANAL_ERROR_MESSAGE_MAX];
};

static struct rules *R(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* ---- limits -------------------------------------------------------------------- */

/* The time spent so far: the transaction's (through the host), or this state's. */
static long long *spent(struct rules *r)
{
    return r->host && r->host->spent_ns ? r->host->spent_ns : &r->spent_ns;
}

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void count_hook(lua_State *L, lua_Debug *ar);

/* Makes the count hook run at the next instruction (it then kills the call). */
static void kill_soon(struct rules *r)
{
    if (r->L && r->hook_step != 1) {
        r->hook_step = 1;
        lua_sethook(r->L, count_hook, LUA_MASKCOUNT, 1);
    }
}

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct rules *r = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        r->mem -= old;
        return NULL;
    }
    if (nsize > old && r->mem - old + nsize > r->mem_limit)
        return NULL; /* Lua collects and retries, then raises a memory error */
    /* Bytes cost work (copying, filling, collecting them later): a loop that
       builds big strings in few instructions pays for them. */
    if (r->charging && nsize > old) {
        r->used += (long long)((nsize - old) / COST_BYTES_PER_INSTRUCTION);
        /* the clock, now and then: a C function that allocates in a loop (a
           sort with a C comparator) runs no instruction to be stopped at */
        bool late = false;
        if (++r->since_clock >= 256) {
            r->since_clock = 0;
            late = now_ns() - r->started_ns + *spent(r) > r->time_limit_ns;
        }
        if (r->used > 2 * r->budget || late) {
            /* far past the budget, or the time: refuse the memory (the block,
               if any, stays as it was); the error names the limit */
            r->killed = late ? KILL_TIME : KILL_INSTRUCTIONS;
            return NULL;
        }
        if (r->used > r->budget)
            kill_soon(r);
    }
    void *p = realloc(ptr, nsize);
    if (p)
        r->mem = r->mem - old + nsize;
    return p;
}

static int kill_time(lua_State *L, struct rules *r)
{
    r->killed = KILL_TIME;
    r->charging = false;
    luaL_where(L, 0);
    lua_pushliteral(L, "time limit exceeded");
    lua_concat(L, 2);
    return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct rules *r = R(L);
    r->used += r->hook_step;
    if (r->used > r->budget) {
        r->killed = KILL_INSTRUCTIONS;
        r->charging = false;
        /* level 0 is the function that was running: name its line */
        luaL_where(L, 0);
        lua_pushliteral(L, "instruction limit exceeded");
        lua_concat(L, 2);
        lua_error(L);
    }
    /* the backstop that no gap in the accounting can beat */
    if (now_ns() - r->started_ns + *spent(r) > r->time_limit_ns)
        kill_time(L, r);
}

/* Pushes "FILE:LINE: " of the rules' line that called the C function running. */
static void where_in_rules(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

/* Charges work done in C; kills the call when the budget or the time is gone. */
static void charge(lua_State *L, double cost)
{
    struct rules *r = R(L);
    if (cost > 1e15)
        cost = 1e15;
    r->used += (long long)cost;
    if (r->used > r->budget) {
        r->killed = KILL_INSTRUCTIONS;
        r->charging = false; /* the call dies: its error message must be made */
        where_in_rules(L);
        lua_pushliteral(L, "instruction limit exceeded (by work done in a library function)");
        lua_concat(L, 2);
        lua_error(L);
    }
    if (now_ns() - r->started_ns + *spent(r) > r->time_limit_ns)
        kill_time(L, r);
}

/* Starts the clock and the budget of a load or a hook call. */
static void meter_start(struct rules *r)
{
    r->used = 0;
    r->killed = KILL_NONE;
    r->hook_step = COUNT_STEP;
    lua_sethook(r->L, count_hook, LUA_MASKCOUNT, COUNT_STEP);
    r->started_ns = now_ns();
}

static void meter_stop(struct rules *r)
{
    r->charging = false;
    *spent(r) += now_ns() - r->started_ns;
}

/* ---- read-only proxies ------------------------------------------------------------ */

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "cannot change '%s': it is read-only",
                      lua_isstring(L, 2) ? lua_tostring(L, 2) : "?");
}

/* __pairs: iterates the real table without handing it out. */
static int ro_next(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int ro_pairs(lua_State *L)
{
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_pushcclosure(L, ro_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int ro_len(lua_State *L)
{
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

/* Replaces the table on top of the stack by a read-only proxy of it. */
static void make_readonly(lua_State *L)
{
    lua_newtable(L);                 /* real proxy */
    lua_createtable(L, 0, 5);        /* real proxy mt */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, ro_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushcfunction(L, ro_len);
    lua_setfield(L, -2, "__len");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);         /* real proxy */
    lua_remove(L, -2);               /* proxy */
    /* remember it, so that rawset can refuse it */
    lua_getfield(L, LUA_REGISTRYINDEX, READONLY_KEY);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* ---- safe replacements for base functions ----------------------------------------- */

static int s_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    if (status != LUA_OK) {
        if (R(L)->killed || status == LUA_ERRMEM)
            return lua_error(L); /* limits cannot be swallowed */
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    return lua_gettop(L);
}

/* The message handler xpcall installs: the rules' handler, unless a limit
   was broken (Lua runs handlers with hooks off: a looping one would hang). */
static int guarded_handler(lua_State *L)
{
    if (R(L)->killed)
        return 1; /* the error as it is */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int s_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2); /* f msgh true f args... */
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
    if (status != LUA_OK) {
        if (R(L)->killed || status == LUA_ERRMEM)
            return lua_error(L);
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    return lua_gettop(L) - 2;
}

static int s_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_getfield(L, LUA_REGISTRYINDEX, READONLY_KEY);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) != LUA_TNIL)
        return luaL_error(L, "cannot change a read-only table");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/*
** Calls the real function (upvalue 1) with the arguments on the stack. An
** error it raises names the line of the rules that called the wrapper (the
** real function would name the wrapper, which has no line). Broken limits
** pass as they are.
*/
static int call_real(lua_State *L, int nresults)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, nresults, 0);
    if (status != LUA_OK) {
        if (!R(L)->killed && status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return lua_gettop(L);
}

static int s_setmetatable(lua_State *L)
{
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in rules");
        lua_pop(L, 1);
    }
    return call_real(L, 1);
}

static int s_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is allowed in rules");
    lua_pushnumber(L, (lua_Number)R(L)->mem / 1024.0);
    return 1;
}

/* Which pattern function a wrapper stands for (its second upvalue). */
enum { PAT_FIND, PAT_MATCH, PAT_GMATCH };

static int s_pattern(lua_State *L)
{
    size_t n, m;
    const char *subject = luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &m);
    int kind = (int)lua_tointeger(L, lua_upvalueindex(2));
    bool plain = kind == PAT_FIND && lua_toboolean(L, 4);
    /* the estimate reads the subject once per quantified item: pay for that first */
    charge(L, (double)n / COST_BYTES_PER_INSTRUCTION * (1 + (double)m / 4));
    charge(L, rules_pattern_cost(p, m, subject, n, plain, kind != PAT_GMATCH) /
                  COST_MATCH_STEPS_PER_INSTRUCTION);
    return call_real(L, LUA_MULTRET);
}

/*
** What a library function will do in C, charged before it runs: the kinds
** of work that allocate nothing (the allocator charges the rest).
*/
enum cost_kind {
    COST_REP,       /* string.rep(s, n): n repetitions, even of "" */
    COST_RANGE,     /* (s|t, i, j): string.byte, table.unpack, table.concat */
    COST_ARGS,      /* every argument: string.char, utf8.char, select */
    COST_LENGTH,    /* the length of the first argument: a table or a string */
    COST_SORT,      /* table.sort: n log n comparisons */
    COST_FORMAT     /* the first argument is a format: string.format, os.date, pack */
};

/* The length of the value at i: a string's bytes, a table's border. */
static double length_at(lua_State *L, int i)
{
    int t = lua_type(L, i);
    return t == LUA_TSTRING || t == LUA_TTABLE ? (double)lua_rawlen(L, i) : 0;
}

static int s_charged(lua_State *L)
{
    double cost = 1, len = length_at(L, 1);
    switch ((enum cost_kind)lua_tointeger(L, lua_upvalueindex(2))) {
    case COST_REP: {
        double n = lua_isinteger(L, 2) ? (double)lua_tointeger(L, 2) : 0;
        double sep = lua_type(L, 3) == LUA_TSTRING ? (double)lua_rawlen(L, 3) : 0;
        /* a result past the memory ceiling fails at once, before any copy:
           only the repetitions that will really run are charged */
        if (n * (len + sep) <= (double)R(L)->mem_limit)
            cost = n / 4;
        break;
    }
    case COST_RANGE: {
        /* i defaults to 1 and j to the end; negative ones count from the end */
        double i = lua_isinteger(L, 2) ? (double)lua_tointeger(L, 2) : 1;
        double j = lua_isinteger(L, 3) ? (double)lua_tointeger(L, 3) : len;
        if (i < 0)
            i += len + 1;
        if (j < 0)
            j += len + 1;
        cost = j >= i ? j - i + 1 : 1;
        break;
    }
    case COST_ARGS:
        cost = lua_gettop(L);
        break;
    case COST_LENGTH:
        cost = len;
        break;
    case COST_SORT: {
        /* n log n comparisons, each reading two elements: long strings cost
           their length (a comparator in C runs no instruction to count) */
        double bytes = 0;
        if (lua_type(L, 1) == LUA_TTABLE)
            for (lua_Integer i = 1; i <= (lua_Integer)len; i++) {
                if (lua_rawgeti(L, 1, i) == LUA_TSTRING)
                    bytes += (double)lua_rawlen(L, -1);
                lua_pop(L, 1);
            }
        double per = len > 0 ? bytes / len / COST_BYTES_PER_INSTRUCTION : 0;
        cost = len + len * log2(len + 2) * (1 + per);
        break;
    }
    case COST_FORMAT:
        cost = len * 4;
        break;
    }
    charge(L, cost < 1 ? 1 : cost);
    return call_real(L, LUA_MULTRET);
}

/* table.move walks its whole range in C: charged by the range's length. */
static int s_table_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f)
        charge(L, (double)e - (double)f + 1);
    return call_real(L, 1);
}

/* ---- the kanal API ------------------------------------------------------------------- */

static const rules_host *need_host(lua_State *L, const char *what)
{
    struct rules *r = R(L);
    if (!r->host || !r->call)
        luaL_error(L, "%s can only be called inside a hook", what);
    return r->host;
}

/* Raises a Lua error for an engine error, keeping its code for the command. */
static int engine_fail(lua_State *L, const kanal_error *err)
{
    struct rules *r = R(L);
    r->fail_code = err->code;
    snprintf(r->fail_msg, sizeof r->fail_msg, "%s", err->message);
    return luaL_error(L, "%s", err->message);
}

static int k_now(lua_State *L)
{
    struct rules *r = R(L);
    /* only inside a hook: a file must not load differently at check and at run */
    if (!r->call || !r->call->at)
        return luaL_error(L, "kanal.now can only be called inside a hook");
    lua_pushstring(L, r->call->at);
    return 1;
}

/* A time argument: an ISO 8601 string, or seconds since the epoch. */
static int64_t time_arg(lua_State *L, int i)
{
    if (lua_type(L, i) == LUA_TNUMBER)
        return (int64_t)lua_tointeger(L, i);
    const char *s = luaL_checkstring(L, i);
    int64_t t;
    kanal_error err;
    if (kanal_time_parse(s, &t, &err))
        luaL_error(L, "%s", err.message);
    return t;
}

static int k_days_between(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)kanal_days_between(time_arg(L, 1), time_arg(L, 2)));
    return 1;
}

/* What one read of the database costs, in instructions (about its time). */
#define DB_READ_COST 1000

static int k_open_count(lua_State *L)
{
    const rules_host *h = need_host(L, "kanal.open_count");
    charge(L, DB_READ_COST);
    const char *user = luaL_checkstring(L, 1);
    const char *wf = luaL_optstring(L, 2, NULL);
    int n = 0;
    kanal_error err;
    if (h->open_count(h->ud, user, wf, &n, &err))
        return engine_fail(L, &err);
    lua_pushinteger(L, n);
    return 1;
}

static void push_strings(lua_State *L, const char *const *s, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, s[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/*
** An arena for store reads inside a Lua function: owned by a userdata left on
** the stack, so that a Lua error raised while copying into Lua frees it (the
** userdata's __gc). Rules never see this userdata.
*/
static int arena_gc(lua_State *L)
{
    kanal_arena **a = lua_touserdata(L, 1);
    kanal_arena_free(*a);
    *a = NULL;
    return 0;
}

static kanal_arena *guarded_arena(lua_State *L)
{
    kanal_arena **slot = lua_newuserdatauv(L, sizeof *slot, 0);
    *slot = NULL;
    if (luaL_newmetatable(L, "kanal.arena")) {
        lua_pushcfunction(L, arena_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    if (!(*slot = kanal_arena_new()))
        luaL_error(L, "not enough memory");
    return *slot;
}

/* Pushes a read-only view of a user, or nil. */
static void push_user(lua_State *L, const rules_host *h, const char *id)
{
    kanal_arena *a = guarded_arena(L);
    int guard = lua_gettop(L);
    kanal_user u;
    kanal_error err;
    if (h->user(h->ud, a, id, &u, &err) != KANAL_OK) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 4);
    lua_pushstring(L, u.id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, u.name);
    lua_setfield(L, -2, "name");
    lua_pushboolean(L, u.active);
    lua_setfield(L, -2, "active");
    push_strings(L, u.roles, u.n_roles);
    make_readonly(L);
    lua_setfield(L, -2, "roles");
    make_readonly(L);
    lua_remove(L, guard); /* the strings are copied into Lua; __gc frees the arena */
}

static int k_user(lua_State *L)
{
    const rules_host *h = need_host(L, "kanal.user");
    charge(L, DB_READ_COST);
    push_user(L, h, luaL_checkstring(L, 1));
    return 1;
}

#define MAX_TEXT RULES_MAX_TEXT
#define MAX_HINTS RULES_MAX_HINTS

/* A string argument without NUL bytes, at most `max` bytes. */
static const char *text_arg(lua_State *L, int i, size_t max, const char *what)
{
    size_t n, bad;
    const char *s = luaL_checklstring(L, i, &n);
    if (strlen(s) != n)
        luaL_error(L, "%s must not contain NUL bytes", what);
    if (n > max)
        luaL_error(L, "%s is too long (%d bytes at most)", what, (int)max);
    /* what leaves the sandbox is text, as a rep's would be */
    if (!kanal_utf8_valid(s, n, &bad)) {
        char byte[8];
        snprintf(byte, sizeof byte, "0x%02x", (unsigned char)s[bad]);
        luaL_error(L, "%s is not valid UTF-8 (byte %s at offset %d)", what, byte, (int)bad);
    }
    return s;
}

static int k_hint(lua_State *L)
{
    const rules_host *h = need_host(L, "kanal.hint");
    const char *s = text_arg(L, 1, MAX_TEXT, "a hint");
    if (!h->hint(h->ud, s))
        return luaL_error(L, "too many hints in one command (%d at most)", MAX_HINTS);
    return 0;
}

static int k_log(lua_State *L)
{
    struct rules *r = R(L);
    int n = lua_gettop(L);
    /* past the command's last kept line, nothing is built: logging is cheap */
    if (r->host && !r->host->log_room(r->host->ud))
        return 0;
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL); /* a string stays itself: nothing is copied */
        lua_replace(L, i);
    }
    luaL_Buffer b; /* Lua's own buffer: a raise here leaks nothing */
    luaL_buffinit(L, &b);
    luaL_addstring(&b, r->name);
    luaL_addstring(&b, ": ");
    /* a log line is for reading: cut at MAX_TEXT, not refused, and what is
       cut is never copied */
    size_t room = MAX_TEXT;
    for (int i = 1; i <= n && room; i++) {
        if (i > 1) {
            luaL_addchar(&b, '\t');
            room--;
        }
        size_t len;
        const char *v = lua_tolstring(L, i, &len);
        size_t take = strnlen(v, len < room ? len : room);
        luaL_addlstring(&b, v, take);
        room -= take;
    }
    luaL_pushresult(&b);
    if (r->host) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        r->host->log(r->host->ud, s, len);
    }
    return 0;
}

/* The day a hook's reads of deals look at: a measure's as_of, else the step's day. */
static const char *deals_day(struct rules *r, char buf[11])
{
    if (r->call->as_of)
        return r->call->as_of;
    snprintf(buf, 11, "%.10s", r->call->at ? r->call->at : "");
    return buf;
}

/* Pushes a read-only view of a deal: ended nil while the client stays. */
static void push_deal(lua_State *L, const kanal_deal *d)
{
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)d->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, (lua_Integer)d->partner_id);
    lua_setfield(L, -2, "partner");
    lua_pushstring(L, d->client);
    lua_setfield(L, -2, "client");
    lua_pushnumber(L, (lua_Number)d->value_cents / 100.0);
    lua_setfield(L, -2, "value");
    lua_pushstring(L, d->signed_on);
    lua_setfield(L, -2, "signed");
    if (d->ended_on) {
        lua_pushstring(L, d->ended_on);
        lua_setfield(L, -2, "ended");
    }
    make_readonly(L);
}

static int k_deals(lua_State *L)
{
    const rules_host *h = need_host(L, "kanal.deals");
    struct rules *r = R(L);
    charge(L, DB_READ_COST);
    lua_Integer partner = luaL_checkinteger(L, 1);
    char day[11];
    kanal_arena *a = guarded_arena(L);
    kanal_deal *deals;
    size_t n;
    kanal_error err;
    if (h->deals(h->ud, a, (int64_t)partner, deals_day(r, day), &deals, &n, &err))
        return engine_fail(L, &err);
    charge(L, (double)n * 10);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_deal(L, &deals[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    make_readonly(L);
    return 1;
}

static const luaL_Reg kanal_api[] = {
    { "now", k_now },
    { "days_between", k_days_between },
    { "open_count", k_open_count },
    { "user", k_user },
    { "deals", k_deals },
    { "hint", k_hint },
    { "log", k_log },
    { NULL, NULL },
};

/* ---- the opp view ---------------------------------------------------------------------- */

static kanal_opp *self_opp(lua_State *L)
{
    struct rules *r = R(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->opp_ref);
    if (!r->call || !r->call->opp || !lua_rawequal(L, 1, -1))
        luaL_error(L, "call the methods of opp as opp:method(...)");
    lua_pop(L, 1);
    return r->call->opp;
}

static void push_field_value(lua_State *L, const kanal_field_def *f, const char *v)
{
    if (!v) {
        lua_pushnil(L);
    } else if (f->type == KANAL_FIELD_INTEGER) {
        lua_pushinteger(L, (lua_Integer)strtoll(v, NULL, 10));
    } else if (f->type == KANAL_FIELD_NUMBER) {
        lua_pushnumber(L, strtod(v, NULL));
    } else if (f->type == KANAL_FIELD_BOOLEAN) {
        lua_pushboolean(L, strcmp(v, "true") == 0);
    } else {
        lua_pushstring(L, v);
    }
}

static int goal_arg(lua_State *L, const kanal_opp *o, int i)
{
    const char *id = luaL_checkstring(L, i);
    int g = kanal_workflow_goal_index(o->wf, id);
    if (g < 0)
        luaL_error(L, "unknown goal '%s' in workflow '%s'", id, o->wf->id);
    return g;
}

static int opp_done(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    lua_pushboolean(L, o->done_at[goal_arg(L, o, 2)] != NULL);
    return 1;
}

static int opp_goals(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    const kanal_workflow *wf = o->wf;
    lua_createtable(L, (int)wf->n_goals, 0);
    int n = 0;
    for (size_t s = 0; s < wf->n_stages; s++) {
        for (size_t i = 0; i < wf->stages[s].n_goals; i++) {
            size_t gi = wf->stages[s].goals[i];
            lua_createtable(L, 0, 6);
            lua_pushstring(L, wf->goals[gi].id);
            lua_setfield(L, -2, "id");
            lua_pushstring(L, wf->goals[gi].name);
            lua_setfield(L, -2, "name");
            lua_pushstring(L, wf->stages[s].id);
            lua_setfield(L, -2, "stage");
            lua_pushboolean(L, wf->goals[gi].mandatory);
            lua_setfield(L, -2, "mandatory");
            lua_pushboolean(L, o->done_at[gi] != NULL);
            lua_setfield(L, -2, "done");
            if (o->done_at[gi]) {
                lua_pushstring(L, o->done_at[gi]);
                lua_setfield(L, -2, "done_at");
            }
            lua_rawseti(L, -2, ++n);
        }
    }
    return 1;
}

static int opp_activities(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    struct rules *r = R(L);
    const char *type = luaL_optstring(L, 2, NULL);
    if (!o->id) {
        lua_newtable(L);
        return 1;
    }
    charge(L, DB_READ_COST);
    kanal_arena *a = guarded_arena(L);
    kanal_activity *acts;
    size_t n;
    kanal_error err;
    if (r->host->activities(r->host->ud, a, o->id, type, &acts, &n, &err))
        return engine_fail(L, &err);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        lua_pushstring(L, acts[i].type);
        lua_setfield(L, -2, "type");
        lua_pushstring(L, acts[i].at);
        lua_setfield(L, -2, "at");
        lua_pushstring(L, acts[i].by);
        lua_setfield(L, -2, "by");
        if (acts[i].note) {
            lua_pushstring(L, acts[i].note);
            lua_setfield(L, -2, "note");
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int opp_days_in_stage(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    struct rules *r = R(L);
    int64_t entered, now;
    kanal_error err;
    if (kanal_time_parse(o->stage_entered_at, &entered, &err) ||
        kanal_time_parse(r->call->at, &now, &err))
        return luaL_error(L, "%s", err.message);
    lua_pushinteger(L, (lua_Integer)kanal_days_between(entered, now));
    return 1;
}

static void need_reaction(lua_State *L, const char *what)
{
    struct rules *r = R(L);
    if (!r->call || rules_hook_table[r->call->hook].kind != HOOK_REACTION)
        luaL_error(L, "%s is allowed only in reactions (on_...), not in the %s '%s'", what,
                   r->call && rules_hook_table[r->call->hook].kind == HOOK_MEASURE ? "measure"
                                                                                   : "guard",
                   r->call ? rules_hook_table[r->call->hook].name : "?");
}

static void source_of(struct rules *r, char *buf, size_t n)
{
    snprintf(buf, n, "rules:%s:%s", r->name, rules_hook_table[r->call->hook].name);
}

static int opp_set(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    struct rules *r = R(L);
    need_reaction(L, "opp:set");
    const char *name = luaL_checkstring(L, 2);
    int fi = kanal_workflow_field_index(o->wf, name);
    if (fi < 0)
        return luaL_error(L, "unknown field '%s' in workflow '%s'", name, o->wf->id);
    char text[64];
    const char *value = NULL;
    switch (lua_type(L, 3)) {
    case LUA_TNIL:
        break;
    case LUA_TBOOLEAN:
        value = lua_toboolean(L, 3) ? "true" : "false";
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, 3))
            snprintf(text, sizeof text, "%lld", (long long)lua_tointeger(L, 3));
        else
            snprintf(text, sizeof text, "%.17g", (double)lua_tonumber(L, 3));
        value = text;
        break;
    case LUA_TSTRING:
        value = text_arg(L, 3, MAX_TEXT, "a field value");
        break;
    default:
        return luaL_error(L, "opp:set('%s', ...): the value must be a string, number, boolean "
                             "or nil, not a %s",
                          name, luaL_typename(L, 3));
    }
    char *canon = NULL;
    kanal_error err;
    if (value && def_field_value_parse(&o->wf->fields[fi], value, &canon, &err))
        return engine_fail(L, &err);
    char source[128];
    source_of(r, source, sizeof source);
    int rc = r->host->set_field(r->host->ud, o, (size_t)fi, canon, r->call->at, source, &err);
    free(canon);
    if (rc)
        return engine_fail(L, &err);
    /* opp.fields shows the new value from now on */
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->fields_ref);
    push_field_value(L, &o->wf->fields[fi], o->fields[fi]);
    lua_setfield(L, -2, name);
    return 0;
}

static int opp_note(lua_State *L)
{
    kanal_opp *o = self_opp(L);
    struct rules *r = R(L);
    need_reaction(L, "opp:note");
    const char *text = text_arg(L, 2, MAX_TEXT, "a note");
    if (r->notes >= RULES_MAX_NOTES)
        return luaL_error(L, "too many notes in one command (%d at most)", RULES_MAX_NOTES);
    r->notes++;
    char source[128];
    source_of(r, source, sizeof source);
    kanal_error err;
    if (r->host->note(r->host->ud, o, text, r->call->at, source, &err))
        return engine_fail(L, &err);
    return 0;
}

static const luaL_Reg opp_methods[] = {
    { "done", opp_done },
    { "goals", opp_goals },
    { "activities", opp_activities },
    { "days_in_stage", opp_days_in_stage },
    { "set", opp_set },
    { "note", opp_note },
    { NULL, NULL },
};

static void set_str(lua_State *L, const char *key, const char *v)
{
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, key);
    }
}

/* Pushes a read-only view of a partner: id, name, type, city, owner. */
static void push_partner(lua_State *L, const kanal_partner *p)
{
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)p->id);
    lua_setfield(L, -2, "id");
    set_str(L, "name", p->name);
    set_str(L, "type", p->type);
    set_str(L, "city", p->city);
    set_str(L, "owner", p->owner);
    make_readonly(L);
}

/* Pushes the read-only view of the call's opportunity. */
static void push_opp(lua_State *L, struct rules *r, const hook_call *c)
{
    kanal_opp *o = c->opp;
    lua_createtable(L, 0, 16);
    if (!c->not_stored) {
        lua_pushinteger(L, (lua_Integer)o->id);
        lua_setfield(L, -2, "id");
    }
    set_str(L, "workflow", o->workflow);
    lua_pushinteger(L, o->version);
    lua_setfield(L, -2, "version");
    set_str(L, "stage", o->stage);
    set_str(L, "status", kanal_status_name(o->status));
    set_str(L, "created_at", o->created_at);
    set_str(L, "stage_entered_at", o->stage_entered_at);
    set_str(L, "closed_at", o->closed_at);
    set_str(L, "lost_reason", o->lost_reason);
    push_user(L, r->host, o->owner);
    lua_setfield(L, -2, "owner");
    push_partner(L, &o->partner);
    lua_setfield(L, -2, "partner");
    lua_createtable(L, 0, (int)o->wf->n_fields);
    for (size_t i = 0; i < o->wf->n_fields; i++) {
        push_field_value(L, &o->wf->fields[i], o->fields[i]);
        lua_setfield(L, -2, o->wf->fields[i].id);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, r->fields_ref);
    lua_pushvalue(L, -1);
    r->fields_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    make_readonly(L);
    lua_setfield(L, -2, "fields");
    luaL_setfuncs(L, opp_methods, 0);
    make_readonly(L);
    luaL_unref(L, LUA_REGISTRYINDEX, r->opp_ref);
    lua_pushvalue(L, -1);
    r->opp_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* ---- the sandbox ---------------------------------------------------------------------- */

/* Copies lib[name] into the table on top, wrapped as a pattern function. */
static void wrap_pattern(lua_State *L, int lib, const char *name, int kind)
{
    lua_getfield(L, lib, name);
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, s_pattern, 2);
    lua_setfield(L, -2, name);
}

/* The library functions charged up front, and how (see enum cost_kind). */
static const struct {
    const char *lib, *name;
    enum cost_kind kind;
} charged[] = {
    { "string", "rep", COST_REP },         { "string", "byte", COST_RANGE },
    { "string", "char", COST_ARGS },       { "string", "format", COST_FORMAT },
    { "string", "pack", COST_FORMAT },     { "string", "unpack", COST_FORMAT },
    { "string", "packsize", COST_FORMAT }, { "table", "concat", COST_RANGE },
    { "table", "unpack", COST_RANGE },     { "table", "insert", COST_LENGTH },
    { "table", "remove", COST_LENGTH },    { "table", "sort", COST_SORT },
    { "utf8", "char", COST_ARGS },         { "utf8", "codepoint", COST_RANGE },
    { "utf8", "len", COST_LENGTH },        { "utf8", "offset", COST_LENGTH },
    { "os", "date", COST_FORMAT },         { "_G", "tonumber", COST_LENGTH },
    { "_G", "select", COST_ARGS },
};

/* Wraps, in the table on top, the functions of library `name` that are charged. */
static void wrap_charged(lua_State *L, int lib, const char *name)
{
    for (size_t i = 0; i < KANAL_ARRAY_LEN(charged); i++) {
        if (strcmp(charged[i].lib, name) != 0)
            continue;
        lua_getfield(L, lib, charged[i].name);
        lua_pushinteger(L, charged[i].kind);
        lua_pushcclosure(L, s_charged, 2);
        lua_setfield(L, -2, charged[i].name);
    }
}

/* Pushes a read-only copy of a library table, keeping only `keep` (NULL: all). */
static void push_library(lua_State *L, const char *name, const char *const *keep)
{
    lua_getglobal(L, name);
    int lib = lua_gettop(L);
    lua_newtable(L);
    if (keep) {
        for (; *keep; keep++) {
            lua_getfield(L, lib, *keep);
            lua_setfield(L, -2, *keep);
        }
    } else {
        lua_pushnil(L);
        while (lua_next(L, lib)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
    }
    if (strcmp(name, "string") == 0) {
        wrap_pattern(L, lib, "find", PAT_FIND);
        wrap_pattern(L, lib, "match", PAT_MATCH);
        wrap_pattern(L, lib, "gmatch", PAT_GMATCH);
        wrap_pattern(L, lib, "gsub", PAT_MATCH);
        lua_pushnil(L);
        lua_setfield(L, -2, "dump");
    }
    if (strcmp(name, "table") == 0) {
        lua_getfield(L, lib, "move");
        lua_pushcclosure(L, s_table_move, 1);
        lua_setfield(L, -2, "move");
    }
    wrap_charged(L, lib, name);
    lua_remove(L, lib);
}

/* Builds the environment of the rules; leaves it on the stack. */
static void push_sandbox(lua_State *L)
{
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, "string", luaopen_string, 1);
    luaL_requiref(L, "table", luaopen_table, 1);
    luaL_requiref(L, "math", luaopen_math, 1);
    luaL_requiref(L, "utf8", luaopen_utf8, 1);
    luaL_requiref(L, "os", luaopen_os, 1);
    lua_pop(L, 6);
    /* the set of read-only proxies, weak: a view a hook dropped is collected,
       so that making views in a loop does not fill the memory ceiling */
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, READONLY_KEY);

    lua_newtable(L);
    int env = lua_gettop(L);
    static const char *const base[] = { "assert", "error",    "ipairs",   "next",
                                        "pairs",  "rawequal", "rawget",   "rawlen",
                                        "select", "tonumber", "tostring", "type",
                                        "getmetatable", NULL };
    lua_pushglobaltable(L);
    int globals = lua_gettop(L);
    for (const char *const *b = base; *b; b++) {
        lua_getglobal(L, *b);
        lua_setfield(L, env, *b);
    }
    lua_pushvalue(L, env);
    wrap_charged(L, globals, "_G");
    lua_pop(L, 2);
    lua_pushliteral(L, LUA_VERSION);
    lua_setfield(L, env, "_VERSION");
    lua_pushcfunction(L, s_pcall);
    lua_setfield(L, env, "pcall");
    lua_pushcfunction(L, s_xpcall);
    lua_setfield(L, env, "xpcall");
    lua_pushcfunction(L, s_rawset);
    lua_setfield(L, env, "rawset");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, s_setmetatable, 1);
    lua_setfield(L, env, "setmetatable");
    lua_pushcfunction(L, s_collectgarbage);
    lua_setfield(L, env, "collectgarbage");
    lua_pushcfunction(L, k_log);
    lua_setfield(L, env, "print");

    push_library(L, "string", NULL);
    /* The string metatable serves the same (wrapped, dump-less) functions,
       and cannot be read or changed. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    make_readonly(L);
    lua_setfield(L, env, "string");
    push_library(L, "table", NULL);
    make_readonly(L);
    lua_setfield(L, env, "table");
    push_library(L, "math", NULL);
    make_readonly(L);
    lua_setfield(L, env, "math");
    push_library(L, "utf8", NULL);
    make_readonly(L);
    lua_setfield(L, env, "utf8");
    static const char *const os_keep[] = { "time", "date", "clock", "difftime", NULL };
    push_library(L, "os", os_keep);
    make_readonly(L);
    lua_setfield(L, env, "os");
    luaL_newlib(L, kanal_api);
    make_readonly(L);
    lua_setfield(L, env, "kanal");
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");

    /* Nothing reaches the real globals any more. */
    lua_pushnil(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
}

static struct rules *rules_new(const rules_host *host, const char *name,
                               const kanal_limits *limits)
{
    struct rules *r = calloc(1, sizeof *r);
    if (!r || !(r->name = kanal_strdup(name))) {
        free(r);
        return NULL;
    }
    r->host = host;
    r->mem_limit = (size_t)limits->memory_mb * 1024 * 1024;
    r->budget = limits->instructions;
    r->time_limit_ns = (long long)limits->time_ms * 1000000LL;
    r->hook_step = COUNT_STEP;
    r->opp_ref = r->fields_ref = LUA_NOREF;
    for (int i = 0; i < HOOK_COUNT; i++)
        r->hooks[i] = LUA_NOREF;
    r->L = lua_newstate(limited_alloc, r);
    if (!r->L) {
        free(r->name);
        free(r);
        return NULL;
    }
    return r;
}

void rules_free(struct rules *r)
{
    if (!r)
        return;
    if (r->L)
        lua_close(r->L);
    free(r->name);
    free(r);
}

/* "name:12: message" -> 12 and "message"; 0 and the text when it has no position. */
static int split_position(const char *msg, const char **rest)
{
    *rest = msg;
    const char *p = strstr(msg, ":");
    while (p) {
        const char *d = p + 1;
        int line = 0;
        while (*d >= '0' && *d <= '9')
            line = line * 10 + (*d++ - '0');
        if (d > p + 1 && d[0] == ':' && d[1] == ' ') {
            *rest = d + 2;
            return line;
        }
        p = strstr(p + 1, ":");
    }
    return 0;
}

/*
** The error on top of the stack as text; a table is named, not shown. It
** allocates nothing: it may run when the memory ceiling is reached.
*/
static const char *error_text(lua_State *L, char *buf, size_t n)
{
    if (lua_type(L, -1) == LUA_TSTRING)
        return lua_tostring(L, -1);
    if (lua_type(L, -1) == LUA_TNUMBER)
        snprintf(buf, n, "%.14g", (double)lua_tonumber(L, -1));
    else
        snprintf(buf, n, "(error object is a %s value)", luaL_typename(L, -1));
    return buf;
}

static int traceback(lua_State *L)
{
    char buf[64];
    luaL_traceback(L, L, error_text(L, buf, sizeof buf), 1);
    return 1;
}

/* Describes a failed load or call: limits first, then the Lua message. */
static void describe_failure(struct rules *r, int status, const char *raw, char *out, size_t n,
                             int *line)
{
    const char *unit = r->call ? "a hook call" : "to load the rules";
    const char *rest;
    int at = split_position(raw, &rest);
    if (at)
        *line = at;
    if (r->killed == KILL_INSTRUCTIONS)
        snprintf(out, n,
                 "instruction limit exceeded (%lld instructions %s; raise "
                 "limits.instructions in the workflow if the rules need more)",
                 r->budget, unit);
    else if (status == LUA_ERRMEM || r->killed == KILL_MEMORY)
        snprintf(out, n,
                 "memory limit exceeded (%zu MiB; raise limits.memory_mb in the workflow if "
                 "the rules need more)",
                 r->mem_limit / (1024 * 1024));
    else if (r->killed == KILL_TIME)
        snprintf(out, n,
                 "time limit exceeded (%lld ms for the rules of one command; raise "
                 "limits.time_ms in the workflow if the rules need more)",
                 r->time_limit_ns / 1000000);
    else
        snprintf(out, n, "%s", rest);
}

/* lua_dump's writer: the compiled chunk into a kanal_buf. */
static int dump_to_buf(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    kanal_buf *b = ud;
    kanal_buf_add(b, p, n);
    return b->oom;
}

/* Inside lua_pcall: loads the text (or what this process compiled of it before),
   builds the sandbox, runs the chunk. */
static int load_protected(lua_State *L)
{
    struct rules *r = R(L);
    const char *text = lua_touserdata(L, 1);
    char chunk[512];
    snprintf(chunk, sizeof chunk, "@%s", r->name);
    kanal_buf *c = r->compiled;
    if (c && c->len) {
        if (luaL_loadbufferx(L, c->data, c->len, chunk, "b") != LUA_OK)
            return lua_error(L);
    } else {
        if (luaL_loadbufferx(L, text, strlen(text), chunk, "t") != LUA_OK)
            return lua_error(L);
        /* kept with its line numbers, for the messages; a failed copy is only slower */
        if (c && lua_dump(L, dump_to_buf, c, 0) != 0)
            kanal_buf_release(c);
    }
    push_sandbox(L);
    lua_setupvalue(L, -2, 1);
    r->charging = true;
    lua_call(L, 0, 1);
    r->charging = false;
    return 1;
}

typedef struct scan {
    const char *path;
    kanal_diags *d;
    kanal_error *err;
    int rc;
} scan;

static void scan_problem(struct rules *r, scan *sc, int line, const char *msg)
{
    if (sc->d)
        kanal_diags_add(sc->d, sc->path, line, 0, "%s", msg);
    if (!sc->rc) {
        sc->rc = kanal_error_set(sc->err, KANAL_EINVALID, "rules error in %s:%d: %s", r->name,
                                 line, msg);
        kanal_error_where(sc->err, "%s:%d", r->name, line);
    }
}

/* Inside lua_pcall: checks the table of hooks (argument 2) and keeps the hooks. */
static int scan_protected(lua_State *L)
{
    struct rules *r = R(L);
    scan *sc = lua_touserdata(L, 1);
    char msg[KANAL_ERROR_MESSAGE_MAX];
    const char *names[HOOK_COUNT];
    for (int i = 0; i < HOOK_COUNT; i++)
        names[i] = rules_hook_table[i].name;
    if (!lua_istable(L, 2)) {
        snprintf(msg, sizeof msg, "the rules file must return a table of hooks (it returned %s)",
                 luaL_typename(L, 2));
        scan_problem(r, sc, 0, msg);
        return 0;
    }
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_Debug ar;
        int line = 0;
        if (lua_isfunction(L, -1)) {
            lua_pushvalue(L, -1);
            lua_getinfo(L, ">S", &ar);
            line = ar.linedefined;
        }
        if (lua_type(L, -2) != LUA_TSTRING) {
            snprintf(msg, sizeof msg, "the table of hooks has a key that is not a name (a %s)",
                     luaL_typename(L, -2));
        } else {
            const char *key = lua_tostring(L, -2);
            int h = 0;
            while (h < HOOK_COUNT && strcmp(names[h], key) != 0)
                h++;
            if (h == HOOK_COUNT) {
                const char *near = kanal_suggest(key, names, HOOK_COUNT);
                if (near) {
                    snprintf(msg, sizeof msg, "unknown hook '%s' (did you mean '%s'?)", key, near);
                } else {
                    /* every hook, in the order hooks.h declares them */
                    int at = snprintf(msg, sizeof msg, "unknown hook '%s' (hooks:", key);
                    for (int i = 0; i < HOOK_COUNT && at > 0 && (size_t)at < sizeof msg; i++)
                        at += snprintf(msg + at, sizeof msg - (size_t)at, "%s %s", i ? "," : "",
                                       names[i]);
                    if (at > 0 && (size_t)at < sizeof msg)
                        snprintf(msg + at, sizeof msg - (size_t)at, ")");
                }
            } else if (!lua_isfunction(L, -1)) {
                snprintf(msg, sizeof msg, "hook '%s' must be a function, not a %s", key,
                         luaL_typename(L, -1));
            } else {
                lua_pushvalue(L, -1);
                r->hooks[h] = luaL_ref(L, LUA_REGISTRYINDEX);
                r->lines[h] = line;
                lua_pop(L, 1);
                continue;
            }
        }
        scan_problem(r, sc, line, msg);
        lua_pop(L, 1);
    }
    return 0;
}

/*
** Loads and runs the chunk with the sandbox as its environment, then checks
** the returned table of hooks and keeps its functions. Problems go to d
** (file = path) when d is given, and the first to err.
*/
static int load_chunk(struct rules *r, const char *path, const char *text, kanal_diags *d,
                      kanal_error *err)
{
    lua_State *L = r->L;
    meter_start(r);
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, load_protected);
    lua_pushlightuserdata(L, (void *)text);
    int status = lua_pcall(L, 1, 1, 1);
    meter_stop(r);
    if (status != LUA_OK) {
        char buf[64], first[KANAL_ERROR_MESSAGE_MAX], msg[KANAL_ERROR_MESSAGE_MAX];
        const char *raw = error_text(L, buf, sizeof buf);
        int line = 0;
        /* the first line of a traceback is the message */
        snprintf(first, sizeof first, "%.*s", (int)strcspn(raw, "\n"), raw);
        describe_failure(r, status, first, msg, sizeof msg, &line);
        if (d)
            kanal_diags_add(d, path, line, 0, "%s", msg);
        lua_settop(L, 0);
        kanal_error_set(err, KANAL_EINVALID, "rules error in %s:%d: %s", r->name, line, msg);
        return kanal_error_where(err, "%s:%d", r->name, line);
    }
    scan sc = { path, d, err, KANAL_OK };
    lua_pushcfunction(L, scan_protected);
    lua_pushlightuserdata(L, &sc);
    lua_pushvalue(L, 2);
    status = lua_pcall(L, 2, 0, 1);
    lua_settop(L, 0);
    if (status != LUA_OK && !sc.rc)
        sc.rc = kanal_error_set(err, KANAL_EINVALID, "rules error in %s: %s", r->name,
                                status == LUA_ERRMEM ? "memory limit exceeded while loading"
                                                     : "the table of hooks cannot be read");
    return sc.rc;
}

void rules_check(const char *path, const char *text, const kanal_limits *limits,
                 kanal_diags *d)
{
    const char *base = strrchr(path, '/');
    struct rules *r = rules_new(NULL, base ? base + 1 : path, limits);
    if (!r) {
        d->oom = true;
        return;
    }
    kanal_error err;
    size_t before = d->count;
    load_chunk(r, path, text, d, &err);
    kanal_diags_sort(d, before); /* Lua's table order is not the file's */
    rules_free(r);
}

int rules_open(struct rules **out, const rules_host *host, const char *name, const char *text,
               const kanal_limits *limits, kanal_buf *compiled, kanal_error *err)
{
    struct rules *r = rules_new(host, name, limits);
    if (!r)
        return kanal_error_nomem(err);
    r->compiled = compiled;
    int rc = load_chunk(r, name, text, NULL, err);
    r->compiled = NULL;
    if (rc) {
        rules_free(r);
        return rc;
    }
    *out = r;
    return KANAL_OK;
}

/* ---- calling a hook --------------------------------------------------------------------- */

/* Runs inside lua_pcall: builds the arguments and calls the hook. */
static int call_protected(lua_State *L)
{
    struct rules *r = R(L);
    const hook_call *c = r->call;
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->hooks[c->hook]);
    int nargs = 1;
    if (c->hook == HOOK_commission) {
        push_deal(L, c->deal);
        push_partner(L, c->partner);
        lua_pushstring(L, c->as_of);
        nargs = 3;
    } else {
        push_opp(L, r, c);
    }
    switch (c->hook) {
    case HOOK_can_complete:
        lua_pushstring(L, c->arg);
        lua_createtable(L, 0, (int)c->n_sets);
        for (size_t i = 0; i < c->n_sets; i++) {
            const kanal_field_def *f = &c->opp->wf->fields[c->set_fields[i]];
            push_field_value(L, f, c->set_values[i]);
            lua_setfield(L, -2, f->id);
        }
        make_readonly(L);
        nargs = 3;
        break;
    case HOOK_can_advance:
        lua_pushstring(L, c->arg);
        lua_pushstring(L, c->arg2);
        nargs = 3;
        break;
    case HOOK_on_activity:
        lua_createtable(L, 0, 4);
        set_str(L, "type", c->activity->type);
        set_str(L, "at", c->activity->at);
        set_str(L, "by", c->activity->by);
        set_str(L, "note", c->activity->note);
        make_readonly(L);
        nargs = 2;
        break;
    case HOOK_can_lose:
    case HOOK_on_complete:
    case HOOK_on_enter:
    case HOOK_on_exit:
    case HOOK_on_lost:
        lua_pushstring(L, c->arg);
        nargs = 2;
        break;
    default:
        break;
    }
    r->charging = true;
    lua_call(L, nargs, 2);
    r->charging = false;
    return 2;
}

int rules_call(struct rules *r, hook_call *c, kanal_error *err)
{
    c->figure = 0;
    if (r->hooks[c->hook] == LUA_NOREF)
        return KANAL_OK;
    lua_State *L = r->L;
    const char *hook = rules_hook_table[c->hook].name;
    int line = r->lines[c->hook];
    r->call = c;
    r->fail_code = KANAL_OK;
    lua_settop(L, 0);
    meter_start(r);
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, call_protected);
    int status = lua_pcall(L, 0, 2, 1);
    meter_stop(r);
    int rc = KANAL_OK;
    char msg[KANAL_ERROR_MESSAGE_MAX];
    if (status != LUA_OK) {
        char buf[64];
        const char *raw = error_text(L, buf, sizeof buf);
        if (r->host)
            r->host->trace(r->host->ud, raw);
        char first[KANAL_ERROR_MESSAGE_MAX];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(raw, "\n"), raw);
        describe_failure(r, status, first, msg, sizeof msg, &line);
        /* an engine error raised through Lua keeps its own code (a bad value
           given to opp:set is invalid input, a storage failure is storage) */
        kanal_code code = r->fail_code && !r->killed ? (kanal_code)r->fail_code : KANAL_EINVALID;
        rc = kanal_error_set(err, code, "rules error in hook '%s' (%s:%d): %s", hook, r->name,
                             line, msg);
    } else if (rules_hook_table[c->hook].kind == HOOK_GUARD) {
        int t1 = lua_type(L, 2), t2 = lua_type(L, 3);
        if (t1 == LUA_TNIL || (t1 == LUA_TBOOLEAN && lua_toboolean(L, 2))) {
            rc = KANAL_OK;
        } else if (t1 == LUA_TBOOLEAN && t2 == LUA_TSTRING) {
            rc = kanal_error_set(err, KANAL_EREFUSED, "refused by rules (%s:%d): %s", r->name,
                                 line, lua_tostring(L, 3));
        } else if (t1 == LUA_TBOOLEAN && t2 == LUA_TNIL) {
            rc = kanal_error_set(err, KANAL_EINVALID,
                                 "rules error in hook '%s' (%s:%d): it refused without a reason "
                                 "(return false, \"why\")",
                                 hook, r->name, line);
        } else if (t1 == LUA_TBOOLEAN) {
            rc = kanal_error_set(err, KANAL_EINVALID,
                                 "rules error in hook '%s' (%s:%d): it refused with a %s as its "
                                 "reason; the reason must be text",
                                 hook, r->name, line, lua_typename(L, t2));
        } else {
            rc = kanal_error_set(err, KANAL_EINVALID,
                                 "rules error in hook '%s' (%s:%d): a guard returns true, or "
                                 "false and a reason (it returned a %s)",
                                 hook, r->name, line, lua_typename(L, t1));
        }
    } else if (rules_hook_table[c->hook].kind == HOOK_MEASURE) {
        /* a finite number of at least 0, and nothing else: a rule that
           answers -1, NaN or "150" is a bug to show, not a figure to report */
        double v = lua_type(L, 2) == LUA_TNUMBER ? (double)lua_tonumber(L, 2) : NAN;
        if (isfinite(v) && v >= 0) {
            c->figure = v;
        } else {
            char what[64];
            if (lua_type(L, 2) == LUA_TNUMBER && isnan(v))
                snprintf(what, sizeof what, "NaN");
            else if (lua_type(L, 2) == LUA_TNUMBER)
                snprintf(what, sizeof what, "%.14g", (double)lua_tonumber(L, 2));
            else if (lua_type(L, 2) == LUA_TNIL)
                snprintf(what, sizeof what, "nothing");
            else
                snprintf(what, sizeof what, "a %s", luaL_typename(L, 2));
            rc = kanal_error_set(err, KANAL_EINVALID,
                                 "rules error in hook '%s' (%s:%d): it must return a finite "
                                 "number of at least 0 (it returned %s)",
                                 hook, r->name, line, what);
        }
    } else if (lua_type(L, 2) != LUA_TNIL) {
        rc = kanal_error_set(err, KANAL_EINVALID,
                             "rules error in hook '%s' (%s:%d): a reaction returns nothing (it "
                             "returned a %s; to refuse a step, write a can_... guard)",
                             hook, r->name, line, luaL_typename(L, 2));
    }
    if (rc && line > 0)
        kanal_error_where(err, "%s:%d", r->name, line); /* the message names it too */
    lua_settop(L, 0);
    r->call = NULL;
    return rc;
}
