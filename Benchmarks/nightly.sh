#!/usr/bin/env bash
# The nightly benchmark, for cron or a systemd timer: builds cairn if needed, runs `cairn bench nightly`
# against the data directory whose history it extends, and keeps the Markdown summary, the HTML report of the
# history and the log under Benchmarks/results/ (a server on the same data directory also serves the history
# at GET /v1/benchmarks and the report at GET /v1/benchmarks/report).
#
# Usage: Benchmarks/nightly.sh [cairn bench nightly arguments...]
#   CAIRN_DATA_DIR   the data directory (default: index-data, the server's default)
# Exit code: cairn's (1 when a regression was found).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p Benchmarks/results
stamp="$(date -u +%Y%m%d-%H%M%S)"
exec scripts/run.sh bench nightly --data-dir "${CAIRN_DATA_DIR:-index-data}" --rules Benchmarks/nightly-rules.json \
    --markdown "Benchmarks/results/${stamp}-nightly.md" --html "Benchmarks/results/${stamp}-nightly.html" "$@" 2> "Benchmarks/results/${stamp}-nightly.log"
