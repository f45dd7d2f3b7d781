#!/usr/bin/env bash
# Installs the real gRPC peers the interop tests (docs/interop.md) talk to, idempotently:
#  - Debian's python3-grpcio (C-core), python3-protobuf and python3-grpc-tools (for the well-known
#    .proto files), used through /usr/bin/python3 (a python3 earlier on PATH, e.g. pyenv, does not
#    see Debian's modules), and Debian's protoc (protobuf-compiler): grpc_tools' bundled protoc
#    3.5.1 predates proto3 `optional`, which our contracts use;
#  - @grpc/grpc-js and @grpc/proto-loader into tests/Interop/node (versions pinned by its
#    package-lock.json).
# Safe to run on every test run: it does nothing when everything is already there.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$repo_root/tests/Interop/node"

apt_packages=(python3-grpcio python3-grpc-tools python3-protobuf protobuf-compiler)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-peers: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

python_peers_ok() {
  /usr/bin/python3 -c 'import grpc, grpc_tools, google.protobuf.message_factory' >/dev/null 2>&1 \
    && [ -x /usr/bin/protoc ]
}

if [ ! -x /usr/bin/python3 ] || ! python_peers_ok; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # Update the package lists only when apt cannot find a candidate for what we need.
    if ! apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      as_root apt-get update -qq
    fi
    if ! as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      as_root apt-get update -qq
      as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
  python_peers_ok || { echo "install-peers: /usr/bin/python3 cannot import grpc / grpc_tools, or /usr/bin/protoc is missing" >&2; exit 1; }
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

node_peers_ok() {
  (cd "$node_dir" && node -e 'require("@grpc/grpc-js"); require("@grpc/proto-loader")') >/dev/null 2>&1
}

if ! node_peers_ok; then
  (
    cd "$node_dir"
    if [ -f package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    else
      npm install --no-audit --no-fund --loglevel=error
    fi
  )
  node_peers_ok || { echo "install-peers: @grpc/grpc-js or @grpc/proto-loader not loadable in $node_dir" >&2; exit 1; }
fi

echo "install-peers: python3-grpcio $(/usr/bin/python3 -c 'import grpc; print(grpc.__version__)'), $(/usr/bin/protoc --version), grpc-js $(cd "$node_dir" && node -p 'require("@grpc/grpc-js/package.json").version')"
