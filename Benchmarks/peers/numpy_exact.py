#!/usr/bin/env python3
"""Measures exact (brute-force) search with numpy: the BLAS peer for Cairn's exact search.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/numpy_exact.py \\
        --base B.fvecs --queries Q.fvecs --metric cosine --k 10 --batch 1000 --json Benchmarks/results/numpy.json

For each batch of queries it computes the score matrix Q_b @ X.T (float32, one BLAS sgemm), and for top-k
it then turns scores into distances in place and selects the k nearest per query with np.argpartition
(sorted afterwards). Each measurement is the best of --repeats passes over all queries:
  * matmul_gflops = 2 * queries * n * dim / seconds / 1e9, matmul_qps = queries / seconds (sgemm only);
  * topk_qps = queries / seconds (sgemm + distance + top-k).
"blas" reports numpy's BLAS from np.show_config() and, when threadpoolctl is installed, the BLAS thread
pool actually loaded (library, version, threads and the core type OpenBLAS picked at run time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# Peers run with OpenBLAS's core type chosen by OpenBLAS itself (numpy's bundled OpenBLAS reads this).
os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fvecs import read_fvecs, read_ivecs, recall_at, write_json  # noqa: E402

# Largest score matrix one batch may hold; larger --batch values are reduced to fit.
MAX_BATCH_BYTES = 1 << 30


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="base vectors, .fvecs")
    p.add_argument("--queries", required=True, help="query vectors, .fvecs")
    p.add_argument("--metric", choices=["cosine", "ip", "l2"], default="cosine")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--batch", type=int, default=1000, help="queries per matrix product")
    p.add_argument("--repeats", type=int, default=3, help="passes per measurement; the best one counts")
    p.add_argument("--groundtruth", help="optional .ivecs: check (on standard error) that the top-k is exact")
    p.add_argument("--json", required=True, help="output file ('-' for standard output)")
    args = p.parse_args(argv)
    if args.k < 1 or args.batch < 1 or args.repeats < 1:
        p.error("--k, --batch and --repeats must be at least 1")
    return args


def prepare(base: np.ndarray, queries: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Returns (X, Q, squared norms of X for l2) in the form the search uses."""
    if metric == "cosine":
        base = base / np.maximum(np.linalg.norm(base, axis=1, keepdims=True), 1e-30)
        queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-30)
    x = np.ascontiguousarray(base, dtype=np.float32)
    q = np.ascontiguousarray(queries, dtype=np.float32)
    norms = np.einsum("ij,ij->i", x, x) if metric == "l2" else None
    return x, q, norms


def matmul_pass(x: np.ndarray, q: np.ndarray, batch: int, scores: np.ndarray) -> float:
    xt = x.T
    start = time.perf_counter()
    for lo in range(0, len(q), batch):
        hi = min(lo + batch, len(q))
        np.matmul(q[lo:hi], xt, out=scores[: hi - lo])
    return time.perf_counter() - start


def topk_pass(x: np.ndarray, q: np.ndarray, norms: np.ndarray | None, k: int, batch: int,
              scores: np.ndarray) -> tuple[float, np.ndarray]:
    """One pass of exact top-k; returns (seconds, ids of the k nearest per query, nearest first)."""
    xt = x.T
    ids = np.empty((len(q), k), dtype=np.int64)
    start = time.perf_counter()
    for lo in range(0, len(q), batch):
        hi = min(lo + batch, len(q))
        dist = scores[: hi - lo]
        np.matmul(q[lo:hi], xt, out=dist)
        if norms is None:  # cosine / ip: distance = 1 - dot, ranked by -dot
            np.negative(dist, out=dist)
        else:  # l2: |x|^2 - 2 q.x ranks like |q - x|^2
            dist *= -2.0
            dist += norms
        for row in range(hi - lo):
            d = dist[row]
            part = np.argpartition(d, k - 1)[:k] if k < len(d) else np.arange(len(d))
            ids[lo + row] = part[np.argsort(d[part], kind="stable")]
    return time.perf_counter() - start, ids


def blas_info() -> dict:
    info: dict = {}
    try:
        deps = np.show_config(mode="dicts").get("Build Dependencies", {})
        blas = deps.get("blas", {})
        info["name"] = blas.get("name")
        info["version"] = blas.get("version")
        info["configuration"] = blas.get("openblas configuration")
    except (TypeError, AttributeError):  # numpy older than 1.26 has no mode="dicts"
        info["name"] = None
    info["numpy"] = np.__version__
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [
            {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "threading_layer",
                                            "architecture", "filepath")}
            for pool in threadpool_info() if pool.get("user_api") == "blas"
        ]
    except ImportError:
        info["threadpools"] = None
    return info


def run(args: argparse.Namespace) -> dict:
    base = read_fvecs(args.base)
    queries = read_fvecs(args.queries)
    n, dim = base.shape
    if queries.shape[1] != dim:
        raise SystemExit(f"queries have dimension {queries.shape[1]}, base has {dim}")
    k = min(args.k, n)
    x, q, norms = prepare(base, queries, args.metric)
    del base, queries
    batch = max(1, min(args.batch, len(q), MAX_BATCH_BYTES // (4 * n)))
    if batch < args.batch and batch < len(q):
        log(f"numpy: --batch {args.batch} reduced to {batch} to keep the score matrix under 1 GiB")
    scores = np.empty((batch, n), dtype=np.float32)
    blas = blas_info()
    log(f"numpy: n={n} dim={dim} queries={len(q)} metric={args.metric} k={k} batch={batch} blas={blas.get('name')}")

    matmul_seconds = min(matmul_pass(x, q, batch, scores) for _ in range(args.repeats))
    best_topk = None
    ids = None
    for _ in range(args.repeats):
        seconds, ids = topk_pass(x, q, norms, k, batch, scores)
        best_topk = seconds if best_topk is None else min(best_topk, seconds)

    flops = 2.0 * len(q) * n * dim
    result = {
        "engine": "numpy",
        "n": n,
        "dim": dim,
        "queries": len(q),
        "matmul_gflops": flops / matmul_seconds / 1e9,
        "matmul_qps": len(q) / matmul_seconds,
        "topk_qps": len(q) / best_topk,
        "blas": blas,
    }
    log(f"  matmul {result['matmul_gflops']:.1f} GFLOP/s, {result['matmul_qps']:.0f} q/s; "
        f"top-{k} {result['topk_qps']:.0f} q/s")
    if args.groundtruth:
        truth = read_ivecs(args.groundtruth)
        log(f"  recall@{k} against {args.groundtruth}: {recall_at(ids, truth, k):.4f}")
    return result


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    write_json(run(args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
