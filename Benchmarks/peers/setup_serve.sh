#!/usr/bin/env bash
# Adds the retrieval-service peer of `cairn bench serve --peers` to Benchmarks/.venv: Chroma (PyPI chromadb,
# pinned; its server runs with `chroma run`), after setup_embed.sh (onnxruntime and the local ONNX export of
# all-MiniLM-L6-v2 that Chroma's client-side embedder runs; nothing is fetched from a model hub).
#
# Idempotent: when the pinned chromadb imports, it only prints the summary.
#
# Usage: bash Benchmarks/peers/setup_serve.sh [MODEL_DIR]

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${ROOT}/Benchmarks/.venv/bin/python"
CHROMADB_VERSION="1.5.9"
# Held at the versions the other peer scripts install, so that adding chromadb does not move them.
NUMPY_VERSION="2.4.6"
ONNXRUNTIME_VERSION="1.31.1"

log() {
    printf 'peers: %s\n' "$*" >&2
}

bash "${ROOT}/Benchmarks/peers/setup_embed.sh" "$@"
if "$PY" -c "from importlib.metadata import version; assert version('chromadb') == '${CHROMADB_VERSION}'" 2>/dev/null; then
    log "chromadb ${CHROMADB_VERSION} ready"
else
    log "installing chromadb ${CHROMADB_VERSION}"
    "$PY" -m pip install -q --disable-pip-version-check "chromadb==${CHROMADB_VERSION}" \
        "numpy==${NUMPY_VERSION}" "onnxruntime==${ONNXRUNTIME_VERSION}" </dev/null
fi
"$PY" -c "import chromadb; print('peers: ok: chromadb', chromadb.__version__)" >&2
