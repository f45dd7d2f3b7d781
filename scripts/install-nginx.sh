#!/usr/bin/env bash
# Installs Debian's nginx for the scale-out test (tests/StreamService.Tests/ScaleOut), idempotently.
# The test runs nginx itself, as a non-daemon child with its own prefix, config, pid and log files
# under a temp dir; nothing here configures or starts the system's nginx. Debian's policy-rc.d (as
# in this image) keeps the package from starting its service; without one, the service the package
# starts is stopped again so it does not hold port 80.
set -euo pipefail

nginx_ok() {
  command -v nginx >/dev/null 2>&1 && nginx -V 2>&1 | grep -q -- '--with-http_v2_module'
}

if nginx_ok; then
  exit 0
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-nginx: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

export DEBIAN_FRONTEND=noninteractive
had_policy=0
[ -x /usr/sbin/policy-rc.d ] && had_policy=1
# Update the package lists only when apt has no candidate (fresh images ship none).
if ! apt-cache policy nginx 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  as_root apt-get update -qq
fi
as_root apt-get install -y -qq --no-install-recommends nginx >/dev/null
if [ "$had_policy" -eq 0 ] && command -v service >/dev/null 2>&1; then
  as_root service nginx stop >/dev/null 2>&1 || true
fi

nginx_ok || { echo "install-nginx: nginx without the HTTP/2 module" >&2; exit 1; }
echo "install-nginx: $(nginx -v 2>&1)"
