#!/usr/bin/env python3
"""Filtered search in hnswlib and faiss, for the filtered section of `cairn bench nightly`.

Reads the base and query vectors (.fvecs), and for each selectivity the allowed labels (``<name>.allowed``:
little-endian int64) and the exact top 10 of each query within them (``<name>.truth.ivecs``, computed by
Cairn's exact scan of the same subset). Builds each engine once (M 16, ef_construction 64, cosine: vectors
normalised, inner product for faiss) on --threads threads, then asks every query alone on one thread with
ef_search --ef and the filter each engine documents:

- hnswlib 0.8: ``knn_query(q, k=10, filter=callable)``, the callable testing membership of a Python set;
- faiss: ``SearchParametersHNSW(sel=IDSelectorBatch(allowed), efSearch=ef)``.

Writes {"engines": {"hnswlib": {"<name>": {"recall_at_10", "qps", "allowed"}}, "faiss": {...}},
"versions": {...}}. An engine that fails is reported under "errors" and the other still runs.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/filtered_peer.py --base B.fvecs --queries Q.fvecs \\
        --sets DIR --names 50%,5% --ef 64 --json out.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from importlib.metadata import version

os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fvecs import read_fvecs, read_ivecs, recall_at, write_json  # noqa: E402


def normalized(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return np.ascontiguousarray(v / norms, dtype=np.float32)


def run_hnswlib(base, queries, sets, args):
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=base.shape[1])
    index.init_index(max_elements=base.shape[0], M=16, ef_construction=64)
    index.set_num_threads(args.threads)
    index.add_items(base, np.arange(base.shape[0]))
    index.set_num_threads(1)
    index.set_ef(args.ef)
    out = {}
    for name, (allowed, truth) in sets.items():
        members = set(int(x) for x in allowed)
        keep = members.__contains__
        found = np.full((queries.shape[0], 10), -1, dtype=np.int64)
        started = time.perf_counter()
        for i in range(queries.shape[0]):
            labels, _ = index.knn_query(queries[i:i + 1], k=min(10, len(members)), filter=keep)
            found[i, :labels.shape[1]] = labels[0]
        seconds = time.perf_counter() - started
        out[name] = {"recall_at_10": recall_at(found, truth, 10), "qps": queries.shape[0] / seconds,
                     "allowed": len(members)}
        print(f"filtered_peer: hnswlib {name}: recall@10 {out[name]['recall_at_10']:.4f}, {out[name]['qps']:.0f} q/s",
              file=sys.stderr, flush=True)
    return out


def run_faiss(base, queries, sets, args):
    import faiss

    faiss.omp_set_num_threads(args.threads)
    index = faiss.IndexHNSWFlat(base.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.add(base)
    faiss.omp_set_num_threads(1)
    out = {}
    for name, (allowed, truth) in sets.items():
        selector = faiss.IDSelectorBatch(allowed)
        params = faiss.SearchParametersHNSW()
        params.sel = selector
        params.efSearch = args.ef
        found = np.full((queries.shape[0], 10), -1, dtype=np.int64)
        started = time.perf_counter()
        for i in range(queries.shape[0]):
            _, labels = index.search(queries[i:i + 1], 10, params=params)
            found[i] = labels[0]
        seconds = time.perf_counter() - started
        out[name] = {"recall_at_10": recall_at(found, truth, 10), "qps": queries.shape[0] / seconds,
                     "allowed": int(allowed.shape[0])}
        print(f"filtered_peer: faiss {name}: recall@10 {out[name]['recall_at_10']:.4f}, {out[name]['qps']:.0f} q/s",
              file=sys.stderr, flush=True)
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--sets", required=True, help="directory of <name>.allowed and <name>.truth.ivecs")
    parser.add_argument("--names", required=True, help="comma-separated set names")
    parser.add_argument("--ef", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="build threads")
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    base = normalized(read_fvecs(args.base))
    queries = normalized(read_fvecs(args.queries))
    sets = {}
    for name in args.names.split(","):
        allowed = np.fromfile(os.path.join(args.sets, name + ".allowed"), dtype="<i8")
        truth = read_ivecs(os.path.join(args.sets, name + ".truth.ivecs"))
        sets[name] = (allowed, truth)
    result = {"engines": {}, "errors": {}, "versions": {}}
    for engine, run in (("hnswlib", run_hnswlib), ("faiss", run_faiss)):
        try:
            result["engines"][engine] = run(base, queries, sets, args)
            result["versions"][engine] = version("faiss-cpu" if engine == "faiss" else engine)
        except Exception as error:  # reported, and the other engine still runs
            result["errors"][engine] = f"{type(error).__name__}: {error}"
            print(f"filtered_peer: {engine} failed: {error}", file=sys.stderr, flush=True)
    write_json(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
