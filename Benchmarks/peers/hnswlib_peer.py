#!/usr/bin/env python3
"""Measures hnswlib on a TEXMEX data set and writes the result in Cairn's benchmark JSON contract.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/hnswlib_peer.py \\
        --base B.fvecs --queries Q.fvecs --groundtruth G.ivecs --metric cosine \\
        --m 16 --ef-construction 64 --ef-search 10,20,40,64,100,200,400 --threads 2 --k 10 \\
        --json Benchmarks/results/hnswlib.json

What is measured (see Benchmarks/README.md for the contract):
  * build_seconds_1t / build_seconds: add_items with num_threads=1 / num_threads=--threads;
  * bytes_per_vector: size of the saved index file / n;
  * load_seconds: load_index of that file (the loaded index serves every query below);
  * per ef_search: recall@1 and @10 of the k-nearest query, recall@100 of a separate 100-nearest query
    (hnswlib searches with max(ef, k), so a 100-nearest query would hide a small ef's recall),
    qps_1t / qps_all from a batch knn_query over all queries with 1 / --threads threads (best of --repeats),
    p50_us / p99_us from one single-query knn_query call per query (1 thread, perf_counter_ns).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

# Peers run with OpenBLAS's core type chosen by OpenBLAS itself (numpy's own OpenBLAS reads this too).
os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fvecs import read_fvecs, read_ivecs, recall_at, write_json  # noqa: E402

import hnswlib  # noqa: E402

SPACES = {"cosine": "cosine", "ip": "ip", "l2": "l2"}
RECALL_DEPTH = 100


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="base vectors, .fvecs")
    p.add_argument("--queries", required=True, help="query vectors, .fvecs")
    p.add_argument("--groundtruth", required=True, help="true neighbour ids per query (nearest first), .ivecs")
    p.add_argument("--metric", choices=sorted(SPACES), default="cosine")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=64)
    p.add_argument("--ef-search", default="10,20,40,64,100,200,400", help="comma-separated list")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=int, default=100, help="hnswlib random_seed")
    p.add_argument("--repeats", type=int, default=1, help="passes per batch measurement; the best one counts")
    p.add_argument("--skip-build-1t", action="store_true",
                   help="skip the single-threaded build (build_seconds_1t is then null)")
    p.add_argument("--json", required=True, help="output file ('-' for standard output)")
    args = p.parse_args(argv)
    args.ef_search = [int(x) for x in args.ef_search.split(",") if x.strip()]
    if args.m < 2 or args.ef_construction < 1 or args.k < 1 or args.threads < 1 or args.repeats < 1 \
            or not args.ef_search:
        p.error("--m >= 2, --ef-construction >= 1, --k >= 1, --threads >= 1 and one --ef-search value are needed")
    return args


def build(space: str, base: np.ndarray, args: argparse.Namespace, threads: int) -> tuple[hnswlib.Index, float]:
    n, dim = base.shape
    index = hnswlib.Index(space=space, dim=dim)
    index.init_index(max_elements=n, ef_construction=args.ef_construction, M=args.m, random_seed=args.seed)
    labels = np.arange(n, dtype=np.int64)
    start = time.perf_counter()
    index.add_items(base, labels, num_threads=threads)
    return index, time.perf_counter() - start


def timed_batch(index: hnswlib.Index, queries: np.ndarray, k: int, threads: int,
                repeats: int = 1) -> tuple[np.ndarray, float]:
    """Batch knn_query over all queries; returns the labels and the best time of `repeats` passes."""
    best = float("inf")
    labels = None
    for _ in range(repeats):
        start = time.perf_counter()
        labels, _ = index.knn_query(queries, k=k, num_threads=threads)
        best = min(best, time.perf_counter() - start)
    return labels, best


def single_query_latencies_us(index: hnswlib.Index, queries: np.ndarray, k: int) -> np.ndarray:
    out = np.empty(len(queries), dtype=np.float64)
    clock = time.perf_counter_ns
    for i in range(len(queries)):
        q = queries[i:i + 1]
        start = clock()
        index.knn_query(q, k=k, num_threads=1)
        out[i] = (clock() - start) / 1000.0
    return out


def run(args: argparse.Namespace) -> dict:
    base = read_fvecs(args.base)
    queries = read_fvecs(args.queries)
    truth = read_ivecs(args.groundtruth)
    n, dim = base.shape
    if queries.shape[1] != dim:
        raise SystemExit(f"queries have dimension {queries.shape[1]}, base has {dim}")
    if truth.shape[0] != queries.shape[0]:
        raise SystemExit(f"{truth.shape[0]} ground-truth rows for {queries.shape[0]} queries")
    space = SPACES[args.metric]
    log(f"hnswlib: n={n} dim={dim} queries={len(queries)} metric={args.metric} "
        f"M={args.m} efC={args.ef_construction} threads={args.threads}")

    build_1t = None
    if not args.skip_build_1t:
        index, build_1t = build(space, base, args, threads=1)
        del index
        log(f"  build 1 thread: {build_1t:.2f}s")
    index, build_all = build(space, base, args, threads=args.threads)
    log(f"  build {args.threads} threads: {build_all:.2f}s")

    with tempfile.TemporaryDirectory(prefix="hnswlib-peer-") as tmp:
        path = os.path.join(tmp, "index.bin")
        index.save_index(path)
        file_bytes = os.path.getsize(path)
        del index
        loaded = hnswlib.Index(space=space, dim=dim)
        start = time.perf_counter()
        loaded.load_index(path, max_elements=n)
        load_seconds = time.perf_counter() - start
    log(f"  index file {file_bytes} bytes, load {load_seconds * 1000:.1f} ms")

    k = min(args.k, n)
    deep = min(max(k, RECALL_DEPTH), n)
    runs = []
    for ef in args.ef_search:
        loaded.set_ef(ef)
        found, seconds_1t = timed_batch(loaded, queries, k, threads=1, repeats=args.repeats)
        _, seconds_all = timed_batch(loaded, queries, k, threads=args.threads, repeats=args.repeats)
        if deep > k:
            deep_found, _ = timed_batch(loaded, queries, deep, threads=args.threads)
        else:
            deep_found = found
        latencies = single_query_latencies_us(loaded, queries, k)
        entry = {
            "ef_search": ef,
            "recall_at_1": recall_at(found, truth, 1),
            "recall_at_10": recall_at(found, truth, 10) if k >= 10 else recall_at(deep_found, truth, 10),
            "recall_at_100": recall_at(deep_found, truth, 100),
            "qps_1t": len(queries) / seconds_1t,
            "qps_all": len(queries) / seconds_all,
            "p50_us": float(np.percentile(latencies, 50)),
            "p99_us": float(np.percentile(latencies, 99)),
        }
        runs.append(entry)
        log("  ef={ef_search:<4} r@1={r1} r@10={r10} r@100={r100} qps_1t={qps_1t:.0f} qps_all={qps_all:.0f} "
            "p50={p50_us:.1f}us p99={p99_us:.1f}us".format(
                r1=fmt(entry["recall_at_1"]), r10=fmt(entry["recall_at_10"]),
                r100=fmt(entry["recall_at_100"]), **entry))

    return {
        "engine": "hnswlib",
        "n": n,
        "dim": dim,
        "m": args.m,
        "ef_construction": args.ef_construction,
        "build_seconds": build_all,
        "build_threads": args.threads,
        "build_seconds_1t": build_1t,
        "bytes_per_vector": file_bytes / n,
        "load_seconds": load_seconds,
        "runs": runs,
    }


def fmt(value: float) -> str:
    return f"{value:.4f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    write_json(run(args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
