#!/usr/bin/env bash
# Adds the embedding peers of `cairn bench embed --peers` to Benchmarks/.venv: onnxruntime, onnx, PyTorch
# and sentence-transformers (pinned, from PyPI), and exports all-MiniLM-L6-v2 from the LOCAL model
# directory to Benchmarks/.venv/minilm.onnx (dynamic batch and sequence axes, opset 17) and
# minilm-fused.onnx (the same after onnxruntime's transformer fusions, what embed_peer.py runs), each
# checked against PyTorch before it is kept (see embed_export_onnx.py). Nothing is fetched from a hub.
#
# Creates the venv with setup.sh first when it is missing. Idempotent: when the pinned versions import
# and the graph is newer than the model and the export script, it only prints the summary. Delete
# Benchmarks/.venv/minilm.onnx to force a new export.
#
# PyTorch from PyPI brings its CUDA libraries (about 6 GB, several minutes the first time); the peers run
# on the CPU only.
#
# Usage: bash Benchmarks/peers/setup_embed.sh [MODEL_DIR]
#        (default: $CAIRN_MODEL_DIR, else index-data/models/all-MiniLM-L6-v2)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS="${ROOT}/Benchmarks/peers"
VENV="${ROOT}/Benchmarks/.venv"
PY="${VENV}/bin/python"
ONNX="${VENV}/minilm.onnx"
FUSED="${VENV}/minilm-fused.onnx"
MODEL_DIR="${1:-${CAIRN_MODEL_DIR:-${ROOT}/index-data/models/all-MiniLM-L6-v2}}"

ONNXRUNTIME_VERSION="1.31.1"
ONNX_VERSION="1.23.2"
TORCH_VERSION="2.15.0"
SENTENCE_TRANSFORMERS_VERSION="6.2.0"
# Held at the version setup.sh installs, so that adding these packages does not move it.
NUMPY_VERSION="2.4.6"

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error
unset OPENBLAS_CORETYPE

log() {
    printf 'peers: %s\n' "$*" >&2
}

# Succeeds when the venv imports the pinned versions of every embedding peer; prints them.
packages_ready() {
    [[ -x "$PY" ]] || return 1
    "$PY" - "$ONNXRUNTIME_VERSION" "$ONNX_VERSION" "$TORCH_VERSION" "$SENTENCE_TRANSFORMERS_VERSION" \
        2>/dev/null <<'EOF'
import sys
from importlib.metadata import version
import onnx, onnxruntime, sentence_transformers, tokenizers, torch
names = ["onnxruntime", "onnx", "torch", "sentence-transformers"]
for name, want in zip(names, sys.argv[1:]):
    have = version(name)
    assert have == want or have.startswith(want + "+"), f"{name} {have} != {want}"
print(", ".join(f"{name} {version(name)}" for name in names + ["tokenizers"]))
EOF
}

# Succeeds when both graphs exist and are newer than the weights and the export script.
graph_ready() {
    local graph
    for graph in "$ONNX" "$FUSED"; do
        [[ -s "$graph" && "$graph" -nt "${MODEL_DIR}/model.safetensors" \
            && "$graph" -nt "${PEERS}/embed_export_onnx.py" ]] || return 1
    done
}

main() {
    if [[ ! -f "${MODEL_DIR}/model.safetensors" || ! -f "${MODEL_DIR}/tokenizer.json" ]]; then
        log "all-MiniLM-L6-v2 not found in ${MODEL_DIR}: run \`bash scripts/bootstrap.sh\` to install it"
        exit 1
    fi
    if [[ ! -x "$PY" ]]; then
        log "no ${VENV} yet: running setup.sh first"
        bash "${PEERS}/setup.sh"
    fi
    local versions
    if versions="$(packages_ready)"; then
        log "embedding peers ready"
    else
        log "installing onnxruntime ${ONNXRUNTIME_VERSION}, onnx ${ONNX_VERSION}, torch ${TORCH_VERSION}," \
            "sentence-transformers ${SENTENCE_TRANSFORMERS_VERSION} (torch is large: this takes a while)"
        "$PY" -m pip install -q --disable-pip-version-check \
            "numpy==${NUMPY_VERSION}" "onnxruntime==${ONNXRUNTIME_VERSION}" "onnx==${ONNX_VERSION}" \
            "torch==${TORCH_VERSION}" "sentence-transformers==${SENTENCE_TRANSFORMERS_VERSION}" </dev/null
        versions="$(packages_ready)" || { log "the embedding peers do not import after installing them"; exit 1; }
    fi
    if graph_ready; then
        log "ONNX graphs ready (${ONNX}, ${FUSED})"
    else
        "$PY" "${PEERS}/embed_export_onnx.py" --model-dir "$MODEL_DIR" --out "$ONNX" --fused-out "$FUSED" </dev/null
    fi
    log "ok: ${versions}; graphs ${ONNX}, ${FUSED}; run with ${PY} ${PEERS}/embed_peer.py"
}

main "$@"
