#!/usr/bin/env bash
# Throwaway local PostgreSQL for development, tests and benchmarks.
#
#   scripts/pg.sh start DATADIR           start (creating if needed) a cluster under DATADIR; prints the
#                                         Npgsql connection string as the last line of stdout and writes
#                                         it to DATADIR/connection-string
#   scripts/pg.sh stop DATADIR            stop the cluster under DATADIR (no-op when not running)
#   scripts/pg.sh install                 only install the PostgreSQL packages when missing
#   scripts/pg.sh seed CONNSTRING [TABLE [ROWS]]
#                                         create and fill the demo table (default: events, 1000000 rows);
#                                         skipped when the table already holds exactly ROWS rows
#
# Callers pass a DATADIR under the repository's ignored .data/ folder. The cluster listens on
# 127.0.0.1 only, on a free port chosen at first start (kept across restarts while it stays free),
# with its unix socket inside DATADIR so clusters of different checkouts never collide.
#
# SECURITY: this cluster is throwaway and loopback-only, so authentication is "trust" for loopback
# TCP and the local socket: any local process can connect as any role. Never point it at real data
# and never change listen_addresses. Durability is switched off (fsync, full_page_writes) for speed
# for the same reason: a crash may lose the cluster, and the script simply recreates it.
set -euo pipefail

readonly SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly DB_NAME=streamgrpc
readonly DB_ROLE=streamgrpc
readonly RUN_USER_AS_ROOT=streamgrpc

die() { echo "pg.sh: $*" >&2; exit 1; }
log() { echo "pg.sh: $*" >&2; }

usage() {
  sed -n '2,11p' "$0" >&2
  exit 2
}

# --- PostgreSQL binaries ------------------------------------------------------------------------

pg_bindir() {
  local initdb
  initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$initdb" ]] && dirname "$initdb"
}

ensure_packages() {
  if [[ -n "$(pg_bindir)" ]]; then
    return
  fi
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is unavailable"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "PostgreSQL is not installed; run as root or install the postgresql package"
    sudo=(sudo)
  fi
  log "installing the postgresql packages"
  # Only refresh the package lists when apt does not know the package yet (fresh images ship none).
  if ! apt-cache show postgresql >/dev/null 2>&1; then
    "${sudo[@]}" apt-get update -qq >&2
  fi
  # Do not let the package create and start its own cluster: we run our own under DATADIR.
  "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/50-streamgrpc.conf >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-client >&2
  [[ -n "$(pg_bindir)" ]] || die "postgresql installed but initdb not found under /usr/lib/postgresql"
}

psql_bin() {
  local bindir
  bindir=$(pg_bindir || true)
  if [[ -n "$bindir" && -x "$bindir/psql" ]]; then
    echo "$bindir/psql"
  elif command -v psql >/dev/null; then
    command -v psql
  else
    ensure_packages
    echo "$(pg_bindir)/psql"
  fi
}

# --- Running as a non-root user -----------------------------------------------------------------

# initdb and postgres refuse to run as root; as root we run them as a dedicated system user.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$RUN_USER_AS_ROOT" -- "$@"
  else
    "$@"
  fi
}

ensure_owner_user() {
  if [[ $(id -u) -ne 0 ]]; then
    return
  fi
  if ! id -u "$RUN_USER_AS_ROOT" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$RUN_USER_AS_ROOT" 2>/dev/null || id -u "$RUN_USER_AS_ROOT" >/dev/null \
      || die "cannot create system user $RUN_USER_AS_ROOT"
  fi
}

# --- Ports --------------------------------------------------------------------------------------

port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
  # Fallback when ss filters are unavailable: try to connect.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! port_in_use "$port"; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# --- Cluster ------------------------------------------------------------------------------------

connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=$DB_ROLE;Database=$DB_NAME"
}

cluster_running() {
  local pgdata=$1
  [[ -f "$pgdata/postmaster.pid" ]] || return 1
  as_owner "$BINDIR/pg_ctl" status -D "$pgdata" >/dev/null 2>&1
}

wait_ready() {
  local port=$1 sockdir=$2
  for _ in $(seq 1 100); do
    if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

cmd_start() {
  local datadir=$1
  ensure_packages
  BINDIR=$(pg_bindir)
  ensure_owner_user

  mkdir -p "$datadir"
  datadir=$(cd "$datadir" && pwd)
  local requested=$datadir
  if [[ $(id -u) -eq 0 ]]; then
    chown "$RUN_USER_AS_ROOT" "$datadir"
    # The cluster's owner must reach DATADIR through its parents. A checkout under a private
    # folder (e.g. /root) is not reachable: keep the cluster in a mapped folder under /var/tmp
    # instead, and still write the connection string to DATADIR.
    if ! as_owner test -x "$datadir"; then
      datadir=$(mapped_dir "$requested")
      mkdir -p "$datadir"
      chown "$RUN_USER_AS_ROOT" "$datadir"
      log "$requested is not reachable by $RUN_USER_AS_ROOT; keeping the cluster in $datadir"
    fi
  fi
  local pgdata="$datadir/pgdata" sockdir="$datadir/socket" logfile="$datadir/postgres.log"

  # Serialise concurrent starts on the same DATADIR (parallel test runs, run.sh + test.sh).
  exec 9>"$datadir/.lock"
  flock -w 120 9 || die "timed out waiting for the lock on $datadir"

  if [[ ! -f "$pgdata/PG_VERSION" ]]; then
    log "initialising a new cluster in $pgdata"
    rm -rf "$pgdata"
    as_owner mkdir -p "$pgdata"
    as_owner "$BINDIR/initdb" -D "$pgdata" --username="$DB_ROLE" --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$datadir/initdb.log" 2>&1 \
      || { cat "$datadir/initdb.log" >&2; die "initdb failed"; }
    # Loopback only, trust (see SECURITY above); fast and lossy settings for a throwaway cluster.
    cat >>"$pgdata/postgresql.conf" <<EOF

# --- streamgrpc throwaway cluster (scripts/pg.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
# JIT compilation costs more than it saves on these short demo queries.
jit = off
EOF
    cat >"$pgdata/pg_hba.conf" <<EOF
# Throwaway loopback-only cluster: trust authentication (see scripts/pg.sh).
local all all trust
host  all all 127.0.0.1/32 trust
EOF
    [[ $(id -u) -eq 0 ]] && chown "$RUN_USER_AS_ROOT" "$pgdata/postgresql.conf" "$pgdata/pg_hba.conf"
  fi
  as_owner mkdir -p "$sockdir"

  local port=""
  [[ -f "$datadir/port" ]] && port=$(<"$datadir/port")

  if cluster_running "$pgdata"; then
    [[ -n "$port" ]] || die "cluster in $pgdata runs but $datadir/port is missing"
    wait_ready "$port" "$sockdir" || die "cluster in $pgdata runs but does not accept connections on port $port"
  else
    local attempt started=0
    for attempt in 1 2 3 4 5; do
      if [[ -z "$port" ]] || port_in_use "$port"; then
        port=$(pick_port)
      fi
      # The port is passed on the command line (not written to postgresql.conf) so a stale
      # choice never sticks; another process may grab it between the check and the bind, hence retries.
      # 9>&-: the server must not inherit the lock descriptor, or it would hold the lock forever.
      if as_owner "$BINDIR/pg_ctl" start -D "$pgdata" -l "$logfile" -w -t 30 \
          -o "-p $port -k $sockdir" >/dev/null 2>&1 9>&-; then
        started=1
        break
      fi
      log "start on port $port failed (attempt $attempt); last log lines:"
      tail -n 5 "$logfile" >&2 || true
      port=""
    done
    [[ $started -eq 1 ]] || die "could not start PostgreSQL (see $logfile)"
    echo "$port" >"$datadir/port"
  fi

  if [[ "$("$PSQL" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" -d postgres -tAX \
        -c "select 1 from pg_database where datname = '$DB_NAME'")" != "1" ]]; then
    "$PSQL" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" -d postgres -qX -c "create database $DB_NAME" >&2
  fi

  local cs
  cs=$(connection_string "$port")
  echo "$cs" >"$datadir/connection-string"
  [[ "$requested" == "$datadir" ]] || echo "$cs" >"$requested/connection-string"
  echo "$cs"
}

# Where the cluster of an unreachable DATADIR lives: one folder per DATADIR path.
mapped_dir() {
  echo "/var/tmp/streamgrpc-pg/$(printf '%s' "$1" | sha1sum | cut -c1-16)"
}

cmd_stop() {
  local datadir=$1
  if [[ ! -d "$datadir/pgdata" && -d "$datadir" ]]; then
    local mapped
    mapped=$(mapped_dir "$(cd "$datadir" && pwd)")
    [[ -d "$mapped/pgdata" ]] && datadir=$mapped
  fi
  [[ -d "$datadir/pgdata" ]] || { log "no cluster in $datadir"; return 0; }
  BINDIR=$(pg_bindir) || die "PostgreSQL is not installed"
  if cluster_running "$datadir/pgdata"; then
    as_owner "$BINDIR/pg_ctl" stop -D "$datadir/pgdata" -m fast -w -t 30 >/dev/null
    log "stopped cluster in $datadir"
  else
    log "cluster in $datadir is not running"
  fi
}

# --- Seed ---------------------------------------------------------------------------------------

# Turns an Npgsql connection string into libpq environment variables (PGHOST, PGPORT, ...).
export_libpq_env() {
  local cs=$1 pair key value
  IFS=';' read -r -a pairs <<<"$cs"
  for pair in "${pairs[@]}"; do
    [[ "$pair" == *=* ]] || continue
    key=$(echo "${pair%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')
    value=${pair#*=}
    case "$key" in
      host|server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      username|userid|user|uid) export PGUSER="$value" ;;
      password|pwd) export PGPASSWORD="$value" ;;
      database|db) export PGDATABASE="$value" ;;
      sslmode) export PGSSLMODE=$(echo "$value" | tr '[:upper:]' '[:lower:]') ;;
    esac
  done
}

cmd_seed() {
  local cs=$1 table=${2:-events} rows=${3:-1000000}
  [[ "$table" =~ ^[a-z_][a-z0-9_]*$ ]] || die "table name must match [a-z_][a-z0-9_]*"
  [[ "$rows" =~ ^[0-9]+$ ]] || die "row count must be a number"
  export_libpq_env "$cs"
  export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

  "$PSQL" -qX -v ON_ERROR_STOP=1 -v tbl="$table" -v nrows="$rows" -f "$SCRIPT_DIR/seed-events.sql" >&2
}

# --- Main ---------------------------------------------------------------------------------------

[[ $# -ge 1 ]] || usage
cmd=$1
shift
[[ "$cmd" == install || $# -ge 1 ]] || usage
case "$cmd" in
  install) ensure_packages ;;
  start)
    ensure_packages
    PSQL=$(psql_bin)
    cmd_start "$1"
    ;;
  stop) cmd_stop "$1" ;;
  seed)
    PSQL=$(psql_bin)
    cmd_seed "$@"
    ;;
  *) usage ;;
esac
