#!/usr/bin/env bash
# Installs the Debian PostgreSQL packages when missing (test.sh runs this before the tests; the
# tests then start their own throwaway cluster through scripts/pg.sh).
set -euo pipefail
exec "$(dirname "$0")/pg.sh" install
