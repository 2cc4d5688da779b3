#!/bin/sh
# What the plugins provide is remembered (kanal_plugins_set_cache): a write
# command whose events no plugin hears loads no plugin at all, and a plugin
# added, rebuilt or removed since is seen by the very next command — a new
# listener hears it, a removed one is not missed.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
: "${KANAL_TEST_PLUGINS:?KANAL_TEST_PLUGINS must name the folder of the test plugins}"
LISTENER=$KANAL_TEST_PLUGINS/listener/listener.so
LOADMARK=$KANAL_TEST_PLUGINS/cache/loadmark.so

# A folder of plugins of the test's own; the cache in the test's folder.
P=$T/plugins
mkdir -p "$P"
cp "$LOADMARK" "$P/loadmark.so"
export KANAL_PLUGIN_PATH=$P XDG_CACHE_HOME=$T/cache
export KANAL_TEST_LOADED=$T/loaded.txt KANAL_TEST_EVENTS=$T/events.txt
# loads: how many times loadmark.so was loaded so far
loads() { if [ -e "$KANAL_TEST_LOADED" ]; then wc -l <"$KANAL_TEST_LOADED" | tr -d ' '; else echo 0; fi; }
expect_loads() {
    checks=$((checks + 1))
    [ "$(loads)" = "$1" ] || fail "loadmark.so was loaded $(loads) times, want $1"
}
# heard: how many events the listener heard so far
heard() { if [ -e "$KANAL_TEST_EVENTS" ]; then wc -l <"$KANAL_TEST_EVENTS" | tr -d ' '; else echo 0; fi; }
expect_heard() {
    checks=$((checks + 1))
    [ "$(heard)" = "$1" ] || fail "the listener heard $(heard) events, want $1"
}

# The first command loads every plugin to learn that none listens, and says so in the cache.
ok kanal init --admin admin
expect_loads 1
checks=$((checks + 1))
grep -q '^listeners none$' "$T"/cache/kanal/plugins-* || fail "the cache does not say: listeners none"
# Then no write command loads a plugin.
export KANAL_USER=admin
ok kanal user add marcin --name Marcin --role channel_rep
ok kanal user add ola --name Ola --role channel_rep
expect_loads 1
# A format still loads them, as before.
ok kanal user list --format loadmark
expect_loads 2

# A listener added: the very next command's event is heard.
cp "$LISTENER" "$P/listener.so"
ok kanal user add piotr --name Piotr --role channel_rep
expect_heard 1
expect_loads 3
ok kanal user add zofia --name Zofia --role channel_rep
expect_heard 2
expect_loads 4
checks=$((checks + 1))
grep -q '^listeners some$' "$T"/cache/kanal/plugins-* || fail "the cache does not say: listeners some"

# The listener removed: not missed, nothing said, and soon nothing loads again.
rm "$P/listener.so"
ok kanal user add adam --name Adam --role channel_rep
expect_err ""
expect_heard 2
ok kanal user add ewa --name Ewa --role channel_rep
expect_heard 2
expect_loads 5

# A plugin rebuilt under the same name (another file there now): it is loaded again, and,
# being a listener now, heard.
cp "$LISTENER" "$P/loadmark.so"
ok kanal user add jan --name Jan --role channel_rep
expect_heard 3
cp "$LOADMARK" "$P/loadmark.so"
ok kanal user add anna --name Anna --role channel_rep
expect_heard 3
expect_loads 6
# rewritten in place (the same inode, the same size): its times tell
touch -d '2001-01-01' "$P/loadmark.so"
ok kanal user add kasia --name Kasia --role channel_rep
expect_loads 7
ok kanal user add tomek --name Tomek --role channel_rep
expect_loads 7

# A cache that cannot be kept (its folder is a file) only means the plugins load every time.
rm -rf "$T/cache"
: >"$T/cache"
cp "$LISTENER" "$P/listener.so"
ok kanal user add ula --name Ula --role channel_rep
expect_err ""
expect_heard 4
ok kanal user add wit --name Wit --role channel_rep
expect_heard 5
expect_loads 9
# A cache that lies about its files (written for others) is not believed.
rm -f "$T/cache"
mkdir -p "$T/cache/kanal"
ok kanal user add ala --name Ala --role channel_rep
expect_heard 6
for f in "$T"/cache/kanal/plugins-*; do
    sed 's/^listeners some$/listeners none/; s/ size [0-9]*/ size 1/' "$f" >"$f.x" && mv "$f.x" "$f"
done
ok kanal user add olek --name Olek --role channel_rep
expect_heard 7
finish
