#!/usr/bin/env bash
# Adds the retrieval-service peer of `cairn bench serve --peers` to Benchmarks/.venv: Chroma (PyPI chromadb,
# pinned; its server runs with `chroma run`), after setup_embed.sh (onnxruntime and the local ONNX export of
# all-MiniLM-L6-v2 that Chroma's client-side embedder runs; nothing is fetched from a model hub).
#
# Idempotent: when the pinned chromadb imports, it only prints the summary.
#
# Also exports the encoder as the ONNX graph chromadb's embedder runs (serve_export_onnx.py, checked against
# sentence-transformers) to Benchmarks/.venv/chroma-onnx.
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
MODEL_DIR="${1:-${CAIRN_MODEL_DIR:-${ROOT}/index-data/models/all-MiniLM-L6-v2}}"
EXPORT="${ROOT}/Benchmarks/.venv/chroma-onnx"
if [[ ! -f "${EXPORT}/onnx/model.onnx" || "${ROOT}/Benchmarks/peers/serve_export_onnx.py" -nt "${EXPORT}/onnx/model.onnx" ]]; then
    log "exporting the encoder for Chroma's client-side embedder to ${EXPORT}"
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$PY" "${ROOT}/Benchmarks/peers/serve_export_onnx.py" \
        --model-dir "$MODEL_DIR" --out "$EXPORT" 2>&1 | grep -v "Loading weights" >&2
fi
"$PY" -c "import chromadb; print('peers: ok: chromadb', chromadb.__version__)" >&2
