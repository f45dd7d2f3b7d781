#!/usr/bin/env bash
# Runs StreamService in the foreground with its defaults on http://127.0.0.1:5000
# (ASPNETCORE_URLS overrides). Ctrl+C / SIGTERM stops the service and everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5000}"

children=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${children[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  for hook in "${stop_hooks[@]:-}"; do
    [ -n "$hook" ] && eval "$hook" || true
  done
}
stop_hooks=()
trap cleanup INT TERM EXIT

dotnet build src/StreamService -c Release -nologo -v:q -clp:ErrorsOnly

echo "StreamService on $ASPNETCORE_URLS (Ctrl+C to stop)"
dotnet src/StreamService/bin/Release/net10.0/StreamService.dll --contentRoot src/StreamService &
children+=($!)
wait "${children[0]}"
