#!/usr/bin/env bash
# Creates Benchmarks/.venv with the peer engines that `cairn bench ... --peers` compares against:
# hnswlib (built here from its source with -O3 -march=native), faiss-cpu and usearch (PyPI wheels, their
# own run-time SIMD dispatch), numpy and threadpoolctl, all pinned.
#
# Idempotent: when the venv already imports the pinned versions and a tiny hnswlib index works on
# this CPU, it only prints the summary. Delete Benchmarks/.venv to force a rebuild.
#
# Usage: bash Benchmarks/peers/setup.sh         (then run peers with Benchmarks/.venv/bin/python)
#
# Files left in the venv: hnswlib-build.log (pip's verbose build log, with the compiler command lines)
# and hnswlib-simd.txt (the compile flags and the SIMD level -march=native gave hnswlib).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/python.sh
. "${ROOT}/scripts/python.sh"
VENV="${ROOT}/Benchmarks/.venv"
PY="${VENV}/bin/python"

HNSWLIB_VERSION="0.8.0"
NUMPY_VERSION="2.4.6"
THREADPOOLCTL_VERSION="3.6.0"
FAISS_VERSION="1.15.1"
USEARCH_VERSION="2.26.6"
# Build-time only (hnswlib is built without build isolation against these).
PYBIND11_VERSION="2.13.6"
SETUPTOOLS_VERSION="75.8.0"
WHEEL_VERSION="0.45.1"

log() {
    printf 'peers: %s\n' "$*" >&2
}

# Succeeds when the venv has the pinned packages and hnswlib runs on this CPU (an index built with
# -march=native elsewhere would die here with SIGILL, and is then rebuilt).
venv_ready() {
    [[ -x "$PY" ]] || return 1
    "$PY" - "$HNSWLIB_VERSION" "$NUMPY_VERSION" "$THREADPOOLCTL_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
import hnswlib, numpy, threadpoolctl
want = dict(zip(["hnswlib", "numpy", "threadpoolctl"], sys.argv[1:]))
assert all(version(name) == v for name, v in want.items()), "version mismatch"
data = numpy.random.default_rng(0).random((64, 16), dtype=numpy.float32)
index = hnswlib.Index(space="l2", dim=16)
index.init_index(max_elements=64, M=8, ef_construction=32)
index.add_items(data, numpy.arange(64))
labels, _ = index.knn_query(data[:4], k=1)
assert list(labels[:, 0]) == [0, 1, 2, 3]
EOF
}

# Succeeds when faiss-cpu and usearch are the pinned versions and each builds and searches a tiny index here.
graph_peers_ready() {
    "$PY" - "$FAISS_VERSION" "$USEARCH_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
import numpy
assert version("faiss-cpu") == sys.argv[1] and version("usearch") == sys.argv[2], "version mismatch"
import faiss
from usearch.index import Index
data = numpy.random.default_rng(0).random((64, 16), dtype=numpy.float32)
f = faiss.IndexHNSWFlat(16, 8)
f.add(data)
_, labels = f.search(data[:4], 1)
assert list(labels[:, 0]) == [0, 1, 2, 3]
u = Index(ndim=16, metric="l2sq", dtype="f32", connectivity=8)
u.add(numpy.arange(64, dtype=numpy.uint64), data)
assert [int(u.search(data[i], 1).keys[0]) for i in range(4)] == [0, 1, 2, 3]
EOF
}

install_graph_peers() {
    log "installing faiss-cpu ${FAISS_VERSION} and usearch ${USEARCH_VERSION}"
    # numpy stays pinned: nothing may upgrade it behind the other peers' back.
    "$PY" -m pip install -q --disable-pip-version-check \
        "faiss-cpu==${FAISS_VERSION}" "usearch==${USEARCH_VERSION}" "numpy==${NUMPY_VERSION}" </dev/null
    graph_peers_ready || { log "faiss/usearch check failed after install"; exit 1; }
}

# Writes the flags pip's build used and the SIMD macros they enable to hnswlib-simd.txt.
record_simd() {
    local flags cxx simd
    flags="$(grep -Eo -- '-march=[a-z0-9-]+|-O[0-3s]|-std=c\+\+[0-9]+|-fopenmp' "${VENV}/hnswlib-build.log" \
        | sort -u | tr '\n' ' ' || true)"
    cxx="$("$PY" -c 'import sysconfig; print((sysconfig.get_config_var("CXX") or "c++").split()[0])')"
    simd="$(echo | "$cxx" -march=native -dM -E - 2>/dev/null \
        | grep -Eo '__(AVX512F|AVX512BW|AVX512VL|AVX512DQ|AVX2|AVX|FMA|SSE4_2)__' | sort -u | tr '\n' ' ' || true)"
    local level="SSE"
    case "$simd" in
        *__AVX512F__*) level="AVX-512" ;;
        *__AVX__*) level="AVX" ;;
    esac
    {
        echo "compile flags: ${flags}"
        echo "compiler: ${cxx}"
        echo "native macros: ${simd}"
        # hnswlib.h: USE_SSE always on x86, USE_AVX with __AVX__, USE_AVX512 with __AVX512F__.
        echo "hnswlib SIMD: ${level}"
    } >"${VENV}/hnswlib-simd.txt"
}

install_venv() {
    local python
    python="$(python_for_venv python3-dev)"
    log "creating ${VENV} with $("$python" --version 2>&1)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$PY" -m pip install -q --disable-pip-version-check \
        "numpy==${NUMPY_VERSION}" "threadpoolctl==${THREADPOOLCTL_VERSION}" \
        "pybind11==${PYBIND11_VERSION}" "setuptools==${SETUPTOOLS_VERSION}" "wheel==${WHEEL_VERSION}" </dev/null
    log "building hnswlib ${HNSWLIB_VERSION} from source (-march=native), log in ${VENV}/hnswlib-build.log"
    # --no-cache-dir: a wheel built with -march=native must not be reused on another CPU.
    env -u HNSWLIB_NO_NATIVE "$PY" -m pip install -v --disable-pip-version-check --no-cache-dir \
        --no-build-isolation --no-binary hnswlib "hnswlib==${HNSWLIB_VERSION}" \
        </dev/null >"${VENV}/hnswlib-build.log" 2>&1 \
        || { tail -n 40 "${VENV}/hnswlib-build.log" >&2; log "hnswlib build failed"; exit 1; }
    record_simd
    venv_ready || { log "venv check failed after install"; exit 1; }
}

main() {
    if venv_ready; then
        log "venv ready (${VENV})"
    else
        install_venv
    fi
    graph_peers_ready || install_graph_peers
    local numpy_blas simd
    numpy_blas="$("$PY" -c 'import numpy as np; d = np.show_config(mode="dicts")["Build Dependencies"]["blas"]; print(d["name"], d["version"])' 2>/dev/null || echo unknown)"
    simd="$(sed -n 's/^hnswlib SIMD: //p' "${VENV}/hnswlib-simd.txt" 2>/dev/null || true)"
    log "ok: hnswlib ${HNSWLIB_VERSION} (${simd:-SIMD unknown}), faiss-cpu ${FAISS_VERSION}, usearch ${USEARCH_VERSION}, numpy ${NUMPY_VERSION} (${numpy_blas}); run peers with ${PY}"
}

main "$@"
