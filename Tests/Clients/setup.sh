#!/usr/bin/env bash
# Creates Tests/Clients/.venv with the clients the test command runs against a live `cairn serve`: the
# official `openai` Python package, schemathesis (which brings pytest) and Pillow (to look at the report as
# Chromium renders it), pinned, from PyPI.
#
# Idempotent: when the venv already imports the pinned versions it only prints one line. Delete
# Tests/Clients/.venv to force a rebuild.
#
# Usage: bash Tests/Clients/setup.sh      (then: Tests/Clients/.venv/bin/python -m pytest Tests/Clients)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/python.sh
. "${ROOT}/scripts/python.sh"
VENV="${ROOT}/Tests/Clients/.venv"
PY="${VENV}/bin/python"

OPENAI_VERSION="3.63.0"
SCHEMATHESIS_VERSION="4.32.5"
PYTEST_VERSION="9.2.0"
PILLOW_VERSION="11.3.0"

log() {
    printf 'clients: %s\n' "$*" >&2
}

venv_ready() {
    [[ -x "$PY" ]] || return 1
    "$PY" - "$OPENAI_VERSION" "$SCHEMATHESIS_VERSION" "$PYTEST_VERSION" "$PILLOW_VERSION" >/dev/null 2>&1 <<'PYEOF'
import sys
from importlib.metadata import version
import openai, schemathesis, pytest, PIL
want = dict(zip(["openai", "schemathesis", "pytest", "pillow"], sys.argv[1:]))
assert all(version(name) == v for name, v in want.items()), "version mismatch"
PYEOF
}

main() {
    if venv_ready; then
        log "venv ready (${VENV})"
        return 0
    fi
    local python
    python="$(python_for_venv)"
    log "creating ${VENV} with $("$python" --version 2>&1)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$PY" -m pip install -q --disable-pip-version-check \
        "openai==${OPENAI_VERSION}" "schemathesis==${SCHEMATHESIS_VERSION}" "pytest==${PYTEST_VERSION}" \
        "pillow==${PILLOW_VERSION}" </dev/null
    venv_ready || { log "venv check failed after install"; exit 1; }
    log "ok: openai ${OPENAI_VERSION}, schemathesis ${SCHEMATHESIS_VERSION}, pytest ${PYTEST_VERSION}, pillow ${PILLOW_VERSION}"
}

main "$@"
