"""The measuring loop the graph-index peers share (hnswlib, faiss, usearch), in Cairn's benchmark JSON contract.

Each peer script supplies an engine adapter with four operations — build on T threads, save to a file,
load that file, and a batch k-nearest search on T threads at a given ef — and this module measures them
the same way `cairn bench index` measures Cairn (see Benchmarks/README.md):

  * build_seconds_1t / build_seconds: building from all base vectors with 1 / --threads threads;
  * bytes_per_vector: size of the saved index file / n;
  * load_seconds: loading that file (the loaded index serves every query below);
  * per ef_search: recall@1 and @10 of the k-nearest query, recall@100 of a separate 100-nearest query
    (run with ef = max(ef, 100), as hnswlib and Cairn raise ef to k themselves, so a 100-nearest query
    inside the k-nearest one would hide a small ef's recall),
    qps_1t / qps_all from a batch query over all queries with 1 / --threads threads (best of --repeats),
    p50_us / p99_us from one single-query call per query (1 thread, perf_counter_ns).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Protocol

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fvecs import read_fvecs, read_ivecs, recall_at, write_json  # noqa: E402

METRICS = ("cosine", "ip", "l2")
RECALL_DEPTH = 100


class Engine(Protocol):
    """What a peer script provides. `prepare` may normalise (cosine) before anything is timed."""

    name: str

    def prepare(self, vectors: np.ndarray) -> np.ndarray: ...
    def build(self, base: np.ndarray, threads: int) -> object: ...
    def save(self, index: object, path: str) -> None: ...
    def load(self, path: str, n: int, dim: int) -> object: ...
    def search(self, index: object, queries: np.ndarray, k: int, ef: int, threads: int) -> np.ndarray: ...


def parse_args(description: str, argv: list[str], extra=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--base", required=True, help="base vectors, .fvecs")
    p.add_argument("--queries", required=True, help="query vectors, .fvecs")
    p.add_argument("--groundtruth", required=True, help="true neighbour ids per query (nearest first), .ivecs")
    p.add_argument("--metric", choices=METRICS, default="cosine")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=64)
    p.add_argument("--ef-search", default="10,20,40,64,100,200,400", help="comma-separated list")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=int, default=100, help="the engine's random seed where it takes one")
    p.add_argument("--repeats", type=int, default=1, help="passes per batch measurement; the best one counts")
    p.add_argument("--skip-build-1t", action="store_true",
                   help="skip the single-threaded build (build_seconds_1t is then null)")
    p.add_argument("--json", required=True, help="output file ('-' for standard output)")
    if extra:
        extra(p)
    args = p.parse_args(argv)
    args.ef_search = [int(x) for x in args.ef_search.split(",") if x.strip()]
    if args.m < 2 or args.ef_construction < 1 or args.k < 1 or args.threads < 1 or args.repeats < 1 \
            or not args.ef_search:
        p.error("--m >= 2, --ef-construction >= 1, --k >= 1, --threads >= 1 and one --ef-search value are needed")
    return args


def normalized(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows kept), float32 and C-contiguous."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def inner_product_ready(metric: str, vectors: np.ndarray) -> np.ndarray:
    """What engines without a cosine space search: normalised rows under cosine (then compared by inner
    product, one dot per distance), the rows as they are otherwise; float32 and C-contiguous either way."""
    if metric == "cosine":
        return normalized(vectors)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def timed_batch(engine: Engine, index: object, queries: np.ndarray, k: int, ef: int, threads: int,
                repeats: int = 1) -> tuple[np.ndarray, float]:
    """Batch search over all queries; returns the labels and the best time of `repeats` passes."""
    best = float("inf")
    labels = None
    for _ in range(repeats):
        start = time.perf_counter()
        labels = engine.search(index, queries, k, ef, threads)
        best = min(best, time.perf_counter() - start)
    return labels, best


def single_query_latencies_us(engine: Engine, index: object, queries: np.ndarray, k: int, ef: int) -> np.ndarray:
    out = np.empty(len(queries), dtype=np.float64)
    clock = time.perf_counter_ns
    for i in range(len(queries)):
        q = queries[i:i + 1]
        start = clock()
        engine.search(index, q, k, ef, 1)
        out[i] = (clock() - start) / 1000.0
    return out


def run(engine: Engine, args: argparse.Namespace) -> dict:
    base = read_fvecs(args.base)
    queries = read_fvecs(args.queries)
    truth = read_ivecs(args.groundtruth)
    n, dim = base.shape
    if queries.shape[1] != dim:
        raise SystemExit(f"queries have dimension {queries.shape[1]}, base has {dim}")
    if truth.shape[0] != queries.shape[0]:
        raise SystemExit(f"{truth.shape[0]} ground-truth rows for {queries.shape[0]} queries")
    base = engine.prepare(base)
    queries = engine.prepare(queries)
    log(f"{engine.name}: n={n} dim={dim} queries={len(queries)} metric={args.metric} "
        f"M={args.m} efC={args.ef_construction} threads={args.threads}")

    build_1t = None
    if not args.skip_build_1t:
        start = time.perf_counter()
        index = engine.build(base, 1)
        build_1t = time.perf_counter() - start
        del index
        log(f"  build 1 thread: {build_1t:.2f}s")
    start = time.perf_counter()
    index = engine.build(base, args.threads)
    build_all = time.perf_counter() - start
    log(f"  build {args.threads} threads: {build_all:.2f}s")

    with tempfile.TemporaryDirectory(prefix=f"{engine.name}-peer-") as tmp:
        path = os.path.join(tmp, "index.bin")
        engine.save(index, path)
        file_bytes = os.path.getsize(path)
        del index
        start = time.perf_counter()
        loaded = engine.load(path, n, dim)
        load_seconds = time.perf_counter() - start
    log(f"  index file {file_bytes} bytes, load {load_seconds * 1000:.1f} ms")
    del base

    k = min(args.k, n)
    deep = min(max(k, RECALL_DEPTH), n)
    runs = []
    for ef in args.ef_search:
        found, seconds_1t = timed_batch(engine, loaded, queries, k, ef, threads=1, repeats=args.repeats)
        _, seconds_all = timed_batch(engine, loaded, queries, k, ef, threads=args.threads, repeats=args.repeats)
        if deep > k:
            deep_found, _ = timed_batch(engine, loaded, queries, deep, max(ef, deep), threads=args.threads)
        else:
            deep_found = found
        latencies = single_query_latencies_us(engine, loaded, queries, k, ef)
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
                r1=f"{entry['recall_at_1']:.4f}", r10=f"{entry['recall_at_10']:.4f}",
                r100=f"{entry['recall_at_100']:.4f}", **entry))

    return {
        "engine": engine.name,
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


def main(engine: Engine, args: argparse.Namespace) -> int:
    write_json(run(engine, args), args.json)
    return 0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
