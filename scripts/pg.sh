#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL on loopback for differential tests
# and benchmarks. Usage: scripts/pg.sh start DIR PORT | scripts/pg.sh stop DIR
# It runs as the "postgres" OS user when invoked as root, initializes DIR
# with the C locale and trust auth, and stops the server by its process id.
set -euo pipefail

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:-}
dir=${2:-}
port=${3:-55432}
case "$cmd" in
start)
  bin=$(pgbin) || { echo "pg.sh: no PostgreSQL server binaries found" >&2; exit 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U postgres -A trust --locale=C --encoding=UTF8 >/dev/null
  fi
  as_pg "$bin/postgres" -D "$dir" -p "$port" -h 127.0.0.1 -k "$dir" \
    -c fsync=on -c max_connections=200 -c shared_buffers=256MB >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    if as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then exit 0; fi
    sleep 0.1
  done
  echo "pg.sh: PostgreSQL did not start; log:" >&2
  cat "$dir/server.log" >&2
  exit 1
  ;;
stop)
  # As root the recorded pid is runuser's, which does not pass signals on:
  # signal the postmaster itself, whose pid heads postmaster.pid.
  for pid in $(head -n 1 "$dir/postmaster.pid" 2>/dev/null) $(cat "$dir/pid" 2>/dev/null); do
    kill -INT "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$dir/pid"
  ;;
*)
  echo "usage: scripts/pg.sh start DIR [PORT] | stop DIR" >&2
  exit 2
  ;;
esac
