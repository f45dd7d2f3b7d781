#!/usr/bin/env bash
# Runs the whole StreamGrpc test suite: builds the solution, installs what the tests need that a
# fresh machine lacks (PostgreSQL, interop peers), and runs every test project.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Rows]
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Peers and servers the tests start themselves (idempotent, quick when already installed):
# PostgreSQL 15, Python grpcio + Node grpc-js interop peers, nginx for the scale-out test,
# chromium + the gRPC-Web and page-check npm packages for the browser tests.
scripts/install-postgres.sh
scripts/install-peers.sh
scripts/install-web-peers.sh
scripts/install-nginx.sh
# Telemetry receivers: Debian's Prometheus, and the opentelemetry-proto files the OTLP receiver is built from.
scripts/install-prometheus.sh
scripts/install-otlp-protos.sh >/dev/null

dotnet build StreamGrpc.sln -c Release -nologo -v:q -clp:ErrorsOnly

passed=0; failed=0; status=0
log=$(mktemp)
# The tests' throwaway PostgreSQL (.data/test-pg) stays up across test projects; stop it at the end.
trap 'rm -f "$log"; scripts/pg.sh stop "$PWD/.data/test-pg" >/dev/null 2>&1 || true' EXIT
for project in tests/*/*.Tests.csproj; do
  echo "== $project"
  if ! dotnet test "$project" -c Release --no-build -nologo "$@" 2>&1 | tee "$log"; then
    status=1
  fi
  # "Passed!  - Failed:     0, Passed:    35, Skipped:     0, Total:    35, ..."
  summary=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | tail -n1 || true)
  if [ -z "$summary" ]; then
    echo "!! $project produced no test summary"; status=1; continue
  fi
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f))
done

echo
echo "tests: $passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi
exit $status
