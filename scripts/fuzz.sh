#!/usr/bin/env bash
# A longer schemathesis run than the test command's: every route of /openapi.json against a live release
# `cairn serve`, with a random seed (the test command uses seed 1 and 150 s).
#
# Usage: scripts/fuzz.sh [SECONDS]     (default 900; reports and the server log in Benchmarks/results/fuzz/)

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. "$ROOT/scripts/bootstrap.sh"
bootstrap_main
bash Tests/Clients/setup.sh </dev/null
swift build -c release --product cairn </dev/null
CAIRN_BINARY="$ROOT/.build/release/cairn" CAIRN_FUZZ_SECONDS="${1:-900}" CAIRN_FUZZ_SEED=random \
    CAIRN_FUZZ_REPORTS="$ROOT/Benchmarks/results/fuzz" \
    Tests/Clients/.venv/bin/python -m pytest Tests/Clients/test_schemathesis.py -q -s -p no:cacheprovider
