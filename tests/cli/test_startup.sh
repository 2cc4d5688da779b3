#!/bin/sh
# The start-up path of a command on SQLite is short: it loads neither
# PostgreSQL's client library (and the TLS, Kerberos and LDAP libraries it
# brings), which only a postgresql:// location needs, nor ICU (and the C++
# runtime), which only a text that is not ASCII needs, nor any plugin once
# Kanal knows that none listens. glibc's loader names every object it loads
# (LD_DEBUG=files); elsewhere the test says so and passes.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
if [ "$BACKEND" = postgresql ]; then
    echo "note: this test is about SQLite's start-up path" >&2
    exit 0
fi
if [ -z "$(LD_DEBUG=files "$KANAL_BIN" --version 2>&1 >/dev/null)" ]; then
    echo "note: this loader does not tell what it loads (LD_DEBUG): skipped" >&2
    exit 0
fi
# loaded CMD...: what the loader loaded for the command, one object a line
loaded() {
    step="$*"
    LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\).*\[0\];  *needed by.*/\1/p; s/.*file=\([^ ]*\).*\[0\];  *dynamically loaded by.*/\1/p' | sort -u
}
expect_not_loaded() {
    checks=$((checks + 1))
    case "$2" in *"$1"*) fail "the command loaded $1: $(echo "$2" | tr '\n' ' ')" ;; esac
}

ok kanal init --admin admin
export KANAL_USER=admin
ok kanal user add marcin --name Marcin --role channel_rep
ok kanal workflow apply "$SRC/workflows/wholesale.yaml"
export KANAL_USER=marcin
ok kanal partner add "Sklep u Zosi" --type shop
ok kanal opp new --partner "Sklep u Zosi" --workflow wholesale
# the loader's words are what this test reads: they must name what kanal needs
objs=$(loaded "$KANAL_BIN" log 1 call)
checks=$((checks + 1))
case "$objs" in *libsqlite3*) ;; *) fail "LD_DEBUG=files names no libsqlite3: $objs" ;; esac
expect_not_loaded libpq "$objs"
# a write command, after the first one learnt that no plugin listens
expect_not_loaded /plugins/ "$objs"
expect_not_loaded libicu "$objs"
objs=$(loaded "$KANAL_BIN" opp list)
expect_not_loaded libpq "$objs"
expect_not_loaded libicu "$objs"
# ICU when a text is not ASCII, and then it folds as before: "Łódź" is found as "lodz"
ok kanal partner add "Hurtownia Łódź" --type wholesaler
objs=$(loaded "$KANAL_BIN" search lodz)
checks=$((checks + 1))
case "$objs" in *libicui18n*) ;; *) fail "a search among names that are not ASCII did not load ICU: $objs" ;; esac
ok kanal search lodz
expect_out_has "Hurtownia Łódź"
ok kanal search "ŁÓDŹ"
expect_out_has "Hurtownia Łódź"
# a plugin's format still loads the plugins
objs=$(loaded "$KANAL_BIN" opp list --format csv)
checks=$((checks + 1))
case "$objs" in */plugins/csv.so*) ;; *) fail "--format csv did not load the csv plugin: $objs" ;; esac
finish
