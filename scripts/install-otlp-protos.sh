#!/usr/bin/env bash
# Installs the published OpenTelemetry protocol definitions (opentelemetry-proto: the OTLP collector
# services and their messages) that the tests' OTLP/gRPC receiver is compiled from, idempotently,
# into .data/otlp-proto (not committed). No Debian or NuGet package ships the .proto files; the npm
# package @opentelemetry/otlp-grpc-exporter-base did up to 0.38 (build/protos, the
# opentelemetry-proto tree it was built with), so its tarball is fetched with npm and only the
# .proto files are kept. The tarball's integrity is checked against the pinned hash.
# Usage: scripts/install-otlp-protos.sh [destination]   (prints the destination)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$repo_root/.data/otlp-proto}"
package="@opentelemetry/otlp-grpc-exporter-base@0.38.0"
integrity="sha512-wwGxeJt80w+mIA0aE+K9OshkyEoYQrXuwXl1TNZBs9K7qE4AAiEuxU9cbd3VX3BTsp+xzNcDRWIb9WWkiU9+kA=="
marker="$dest/.installed-from"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$package $integrity" ] \
  && [ -f "$dest/opentelemetry/proto/collector/trace/v1/trace_service.proto" ]; then
  echo "$dest"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then echo "install-otlp-protos: npm is missing and this is not root" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$package" --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "install-otlp-protos: $package tarball has integrity $actual, expected $integrity" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/build/protos
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$work/package/build/protos/opentelemetry" "$dest/"
cp "$work/package/LICENSE" "$dest/" 2>/dev/null || true
echo "$package $integrity" > "$marker"
echo "$dest"
