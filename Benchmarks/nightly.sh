#!/usr/bin/env bash
# The nightly benchmark, for cron or a systemd timer: builds cairn if needed, runs `cairn bench nightly`
# against the data directory whose history it extends, and keeps the Markdown summary and the log.
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
    --markdown "Benchmarks/results/${stamp}-nightly.md" "$@" 2> "Benchmarks/results/${stamp}-nightly.log"
