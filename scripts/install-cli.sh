#!/usr/bin/env bash
# Installs the `streamgrpc` command-line tool from this checkout as a .NET global tool:
#   scripts/install-cli.sh
# Packs src/StreamClient (PackAsTool) into .data/cli-package under a version of its own (so a
# reinstall never picks up an older package of the same version) and installs the tool
# StreamGrpc.Cli from there (`dotnet tool install --global --add-source`), replacing an earlier
# install. Run it again after pulling to update. Remove: dotnet tool uninstall --global StreamGrpc.Cli
#
# Global tools live in ~/.dotnet/tools. When that folder is not on PATH, the script adds it for
# login and interactive shells (~/.profile, ~/.bashrc, one marked line each) and says how to use
# the command in the current shell at once.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

package_id=StreamGrpc.Cli
feed="$PWD/.data/cli-package"
tools="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"

version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"

rm -rf "$feed"
# Built under .data/cli-build, not into src/*/bin: a pack with its own version rebuilds the
# projects it packs, and tests (and a developer's shell) run the CLI from src/StreamClient/bin.
dotnet pack src/StreamClient -c Release -nologo -v:q -clp:ErrorsOnly -o "$feed" -p:Version="$version" \
  --artifacts-path "$PWD/.data/cli-build"
dotnet tool uninstall --global "$package_id" >/dev/null 2>&1 || true
dotnet tool install --global --add-source "$feed" --ignore-failed-sources --version "$version" "$package_id"

case ":$PATH:" in
  *":$tools:"*)
    echo "streamgrpc is on PATH: $(command -v streamgrpc)" ;;
  *)
    line="export PATH=\"\$PATH:$tools\" # added by StreamGrpc scripts/install-cli.sh"
    for rc in "$HOME/.profile" "$HOME/.bashrc"; do
      if ! grep -qsF "# added by StreamGrpc scripts/install-cli.sh" "$rc"; then
        printf '\n%s\n' "$line" >>"$rc"
        echo "added $tools to PATH in $rc"
      fi
    done
    echo "new shells find streamgrpc; in this one run:  export PATH=\"\$PATH:$tools\"" ;;
esac
