#!/usr/bin/env bash
# Builds the release `cairn` binary and runs it: the project's run command.
#
# Usage: scripts/run.sh [cairn arguments...]
#   scripts/run.sh                      # with no arguments: cairn serve (the retrieval service on 127.0.0.1:8080)
#   scripts/run.sh index ~/notes        # any other cairn command
#   scripts/run.sh bench index --synthetic 100000 --peers
#
# Works from any directory; arguments are passed unchanged and relative paths in them are resolved
# from the caller's directory. The data directory is $CAIRN_DATA_DIR, by default <repo>/index-data/.
# Build and bootstrap output goes to stderr, so cairn's standard output is its own.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Sourced so that the PATH it sets up (for /opt/swift) stays in effect here.
# shellcheck source=scripts/bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
bootstrap_main

swift build --package-path "$ROOT" -c release --product cairn </dev/null >&2

binary="$ROOT/.build/release/cairn"
if [[ ! -x "$binary" ]]; then
    binary="$(swift build --package-path "$ROOT" -c release --show-bin-path </dev/null)/cairn"
fi

export CAIRN_DATA_DIR="${CAIRN_DATA_DIR:-$ROOT/index-data}"
mkdir -p "$CAIRN_DATA_DIR"

if [[ $# -eq 0 ]]; then
    set -- serve
fi
exec "$binary" "$@"
