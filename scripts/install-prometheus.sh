#!/usr/bin/env bash
# Installs Debian's Prometheus server, which the telemetry tests start as a plain process (their own
# generated config, a temp data dir, a loopback port) to scrape the service's /metrics. Idempotent.
# The package's own service is not used: where the package manager starts it (a machine with an
# init system), it listens on :9090 as usual and the tests do not touch it.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1; then
  echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
  exit 0
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-prometheus: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when apt cannot find a candidate.
if ! apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  as_root apt-get update -qq
fi
as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null 2>&1 || { echo "install-prometheus: prometheus is not on PATH after installing it" >&2; exit 1; }
echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
