#!/usr/bin/env bash
# Adds the peers of `cairn bench quality` to Benchmarks/.venv: bm25s (pinned), after setup_embed.sh
# (onnxruntime and the local ONNX export of all-MiniLM-L6-v2; nothing is fetched from a model hub).
# Idempotent. Usage: bash Benchmarks/peers/setup_quality.sh [MODEL_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${ROOT}/Benchmarks/.venv/bin/python"
BM25S_VERSION="0.3.16"
NUMPY_VERSION="2.4.6"
bash "${ROOT}/Benchmarks/peers/setup_embed.sh" "$@"
if "$PY" -c "from importlib.metadata import version; assert version('bm25s') == '${BM25S_VERSION}'" 2>/dev/null; then
    printf 'peers: bm25s %s ready\n' "$BM25S_VERSION" >&2
else
    printf 'peers: installing bm25s %s\n' "$BM25S_VERSION" >&2
    "$PY" -m pip install -q --disable-pip-version-check "bm25s==${BM25S_VERSION}" "numpy==${NUMPY_VERSION}" </dev/null
fi
"$PY" -c "import bm25s; print('peers: ok: bm25s', bm25s.__version__)" >&2
