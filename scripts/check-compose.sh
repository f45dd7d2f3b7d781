#!/usr/bin/env bash
# Validates docker-compose.yml with `docker compose config` (no engine needed), printing the
# resolved file on stdout. Uses the compose v2 plugin when the docker client has one, else Debian's
# docker-compose (v1.29, which reads the same Compose Specification files), installing it when the
# docker client is present but has no compose, or when --require is given. Without a docker client
# and without --require it only says so and exits 0 (test.sh runs it like that).
#   scripts/check-compose.sh [--require] [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

require=0
if [ "${1:-}" = "--require" ]; then
  require=1
  shift
fi
file=${1:-docker-compose.yml}

if docker compose version >/dev/null 2>&1; then
  exec docker compose -f "$file" config
fi

if ! command -v docker-compose >/dev/null 2>&1; then
  if ! command -v docker >/dev/null 2>&1 && [ "$require" -eq 0 ]; then
    echo "check-compose: no docker client; $file not validated" >&2
    exit 0
  fi
  as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
      echo "check-compose: need root (or sudo) to run: $*" >&2; return 1; fi
  }
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache policy docker-compose 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    as_root apt-get update -qq
  fi
  as_root apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

exec docker-compose -f "$file" config
