#!/bin/sh
# Starts and stops a throwaway PostgreSQL server for Kanal's test suite.
#
#   scripts/pg-server.sh start DIR   new cluster in DIR (absent or empty);
#                                    prints its connection URI on stdout
#   scripts/pg-server.sh uri DIR     prints that URI again
#   scripts/pg-server.sh stop DIR    stops the server (immediate) and removes
#                                    DIR; silent if it is already gone
#
# The tests start one server in a scratch directory, pass the URI (one line,
#   postgresql:///postgres?host=DIR&port=5432&user=kanal_super
# with DIR absolute) to the PostgreSQL store, and stop it at the end.
# kanal_super is a superuser, authentication is `trust`: to act as another
# role or database, create them and change user= and the path in the URI.
#
# The server listens only on the Unix socket DIR/.s.PGSQL.5432 (no TCP; the
# port only names the socket), so it never collides with the system cluster
# or with other test servers. Data is in DIR/data, logs in DIR/*.log.
# It is tuned for speed, not safety: fsync, synchronous_commit and
# full_page_writes are off. It uses the newest /usr/lib/postgresql/*/bin.
# initdb and postgres refuse to run as root: as root, they run as the
# `postgres` system user (or `nobody`), which then owns DIR.
set -eu

port=5432
super=kanal_super
timeout=30
marker=.kanal-pg-server

die() { echo "pg-server: $*" >&2; exit 1; }

usage() {
  sed -n '2,9p' "$0" >&2
  exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
arg=$2

# Newest PostgreSQL server binaries installed by Debian.
find_bindir() {
  bindir=""
  best=0
  for b in /usr/lib/postgresql/*/bin; do
    v=${b%/bin}
    v=${v##*/}
    case "$v" in *[!0-9]*|"") continue ;; esac
    if [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ] && [ "$v" -gt "$best" ]; then
      bindir=$b
      best=$v
    fi
  done
  [ -n "$bindir" ] ||
    die "no PostgreSQL server in /usr/lib/postgresql/*/bin" \
        "(install the Debian package 'postgresql', see scripts/setup.sh)"
}

# as USER CMD...: runs CMD as USER (directly if that is us).
as() {
  u=$1
  shift
  if [ "$u" = "$(id -un)" ]; then
    "$@"
  else
    runuser -u "$u" -- "$@"
  fi
}

# Whether the postmaster of $dir/data is alive (pg_ctl status: 3 if not,
# e.g. a stale postmaster.pid after a crash).
running() {
  as "$user" "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

uri() {
  echo "postgresql:///postgres?host=$dir&port=$port&user=$super"
}

# Absolute, symlink-free path of an existing directory.
absdir() {
  (cd "$1" && pwd -P) || die "cannot enter '$1'"
}

start() {
  find_bindir
  created=""
  [ -e "$arg" ] || created=1
  mkdir -p "$arg" || die "cannot create '$arg'"
  dir=$(absdir "$arg")
  # The path goes unescaped into the URI and postgresql.conf, and a socket
  # path has at most 107 bytes.
  bad=""
  case "$dir" in
    *[!A-Za-z0-9/._-]*) bad="use only letters, digits and / . _ - in DIR" ;;
  esac
  sock="$dir/.s.PGSQL.$port"
  [ ${#sock} -le 107 ] || bad="too long for a Unix socket path"
  if [ -n "$bad" ]; then
    [ -z "$created" ] || rmdir "$dir"
    die "'$dir': $bad"
  fi
  if [ -n "$(ls -A "$dir")" ]; then
    if [ -e "$dir/$marker" ]; then
      die "'$dir' already holds a test server (run: $0 stop $dir)"
    fi
    die "'$dir' is not empty"
  fi
  : >"$dir/$marker"

  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
    chown "$user" "$dir" "$dir/$marker"
    runuser -u "$user" -- test -w "$dir" ||
      die "user $user cannot reach '$dir' (is a parent directory private?)"
  else
    user=$(id -un)
  fi
  chmod 0755 "$dir"
  mkdir -m 0700 "$dir/data"
  [ "$(id -u)" -ne 0 ] || chown "$user" "$dir/data"

  # Never run in an inaccessible working directory (e.g. /root) as $user.
  cd /
  as "$user" "$bindir/initdb" -D "$dir/data" -U "$super" -A trust \
      -E UTF8 --locale=C --no-sync --no-instructions \
      >"$dir/initdb.log" 2>&1 || {
    tail -n 20 "$dir/initdb.log" >&2
    die "initdb failed (log: $dir/initdb.log)"
  }

  cat >>"$dir/data/postgresql.conf" <<EOF

# --- kanal test server (scripts/pg-server.sh) ---
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
max_connections = 64
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 256MB
EOF

  # pg_ctl -w returns at once if the postmaster dies during startup.
  if ! as "$user" "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/server.log" \
         -w -t "$timeout" >"$dir/pg_ctl.log" 2>&1; then
    as "$user" "$bindir/pg_ctl" stop -D "$dir/data" -m immediate \
        >/dev/null 2>&1 || true
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    die "server in '$dir' did not start (log: $dir/server.log)"
  fi
  i=0
  until "$bindir/pg_isready" -q -h "$dir" -p "$port" -U "$super" -d postgres; do
    i=$((i + 1))
    if [ "$i" -ge "$((timeout * 10))" ]; then
      as "$user" "$bindir/pg_ctl" stop -D "$dir/data" -m immediate \
          >/dev/null 2>&1 || true
      tail -n 20 "$dir/server.log" >&2
      die "server in '$dir' does not accept connections (log: $dir/server.log)"
    fi
    sleep 0.1
  done
  uri
}

stop() {
  [ -d "$arg" ] || exit 0
  dir=$(absdir "$arg")
  [ -e "$dir/$marker" ] ||
    die "'$dir' was not made by $0 start; not removing it"
  if [ -f "$dir/data/postmaster.pid" ]; then
    find_bindir
    cd /
    user=$(stat -c %U "$dir/data")
    if running; then
      if ! out=$(as "$user" "$bindir/pg_ctl" stop -D "$dir/data" \
                   -m immediate -w -t "$timeout" 2>&1); then
        # A postmaster that died meanwhile cannot be signalled; fine.
        sleep 1
        if running; then
          echo "$out" >&2
          die "could not stop the server in '$dir' (log: $dir/server.log)"
        fi
      fi
    fi
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  uri)
    [ -d "$arg" ] || die "no test server in '$arg'"
    dir=$(absdir "$arg")
    [ -f "$dir/data/PG_VERSION" ] || die "no test server in '$dir'"
    uri ;;
  *) usage ;;
esac
