#!/usr/bin/env bash
# Runs StreamService in the foreground with its defaults: gRPC (h2c) on http://127.0.0.1:5000 and
# HTTP/JSON over HTTP/1.1 on http://127.0.0.1:5001 (ASPNETCORE_URLS or Kestrel__Endpoints__*
# override both). Unless ConnectionStrings__Postgres is set, it installs (if missing),
# starts and seeds a throwaway local PostgreSQL under .data/run-pg first.
# Ctrl+C / SIGTERM stops the service and everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# A 16 MiB gen0 budget: the runtime's default follows the CPU's reported L3 size, which cloud VMs
# report in the hundreds of MiB (see the GC note in src/StreamService/StreamService.csproj).
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x1000000}"
# Local zero-set-up path: no authentication unless the caller configures it. The service logs a
# loud warning at start-up; see "Operations" in the README for API keys and JWT.
export StreamGrpc__Auth__Mode="${StreamGrpc__Auth__Mode:-None}"

service_pid=
started_pg=
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$service_pid" ]; then
    kill -TERM "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  if [ -n "$started_pg" ]; then
    scripts/pg.sh stop "$started_pg" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  started_pg="$PWD/.data/run-pg"
  ConnectionStrings__Postgres=$(scripts/pg.sh start "$started_pg" | tail -n 1)
  export ConnectionStrings__Postgres
  scripts/pg.sh seed "$ConnectionStrings__Postgres" >&2
else
  echo "run.sh: using the database from ConnectionStrings__Postgres" >&2
fi

# Demo content for the file streams (root "demo"): a sample log to stream, grep and follow.
if [ -x scripts/demo-files.sh ]; then
  scripts/demo-files.sh "$PWD/.data/demo-files" >&2
  export StreamGrpc__Files__Roots__demo="$PWD/.data/demo-files"
fi

dotnet build src/StreamService -c Release -nologo -v:q -clp:ErrorsOnly

echo "StreamService on ${ASPNETCORE_URLS:-http://127.0.0.1:5000 (gRPC, h2c) and http://127.0.0.1:5001 (HTTP/1.1)} (Ctrl+C to stop)" >&2
dotnet src/StreamService/bin/Release/net10.0/StreamService.dll --contentRoot "$PWD/src/StreamService" &
service_pid=$!
wait "$service_pid"
