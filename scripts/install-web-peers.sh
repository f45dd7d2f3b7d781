#!/usr/bin/env bash
# Installs the browser-side peers of the gRPC-Web and status-page tests, idempotently:
#  - Debian's chromium (run headless by the tests, with its own profile and --no-sandbox as root);
#  - @connectrpc/connect-node (gRPC-Web client), @bufbuild/protobuf, puppeteer-core and pngjs into
#    tests/Interop/web (versions pinned by its package-lock.json). puppeteer-core downloads no
#    browser: it drives Debian's chromium.
# Needs scripts/install-peers.sh first (node, npm, protoc and the well-known .proto files).
# Safe to run on every test run: it does nothing when everything is already there.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web_dir="$repo_root/tests/Interop/web"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-web-peers: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    as_root apt-get update -qq
  fi
  if ! as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi
[ -x /usr/lib/chromium/chromium ] || { echo "install-web-peers: /usr/lib/chromium/chromium is missing after installing chromium" >&2; exit 1; }

web_peers_ok() {
  (cd "$web_dir" && node -e 'require("@connectrpc/connect-node"); require("@bufbuild/protobuf"); require("puppeteer-core"); require("pngjs")') >/dev/null 2>&1
}

if ! web_peers_ok; then
  (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
  web_peers_ok || { echo "install-web-peers: the packages of $web_dir are not loadable" >&2; exit 1; }
fi

echo "install-web-peers: $(/usr/lib/chromium/chromium --version 2>/dev/null | head -n1), connect-node $(cd "$web_dir" && node -p 'JSON.parse(require("fs").readFileSync("node_modules/@connectrpc/connect-node/package.json")).version'), puppeteer-core $(cd "$web_dir" && node -p 'require("puppeteer-core/package.json").version')"
