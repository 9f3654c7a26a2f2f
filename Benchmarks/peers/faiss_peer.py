#!/usr/bin/env python3
"""Measures faiss (IndexHNSWFlat) on a TEXMEX data set and writes the result in Cairn's benchmark JSON contract.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/faiss_peer.py \\
        --base B.fvecs --queries Q.fvecs --groundtruth G.ivecs --metric cosine \\
        --m 16 --ef-construction 64 --ef-search 10,20,40,64,100,200,400 --threads 2 --k 10 \\
        --json Benchmarks/results/faiss.json

The measuring loop is ann_harness.py's. faiss-cpu from PyPI as shipped (its wheel's best SIMD level for
this CPU). Cosine: vectors are normalised first and searched by inner product (METRIC_INNER_PRODUCT),
which is how faiss documents cosine; l2 uses METRIC_L2. Threads are OpenMP's (omp_set_num_threads);
faiss spreads a batch search over them by query. ef_search is set per search through SearchParametersHNSW.
"""

from __future__ import annotations

import os
import sys

os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ann_harness  # noqa: E402

import faiss  # noqa: E402


class Faiss:
    name = "faiss"

    def __init__(self, args):
        self.args = args
        self.metric = faiss.METRIC_L2 if args.metric == "l2" else faiss.METRIC_INNER_PRODUCT

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        return ann_harness.inner_product_ready(self.args.metric, vectors)

    def build(self, base: np.ndarray, threads: int):
        faiss.omp_set_num_threads(threads)
        index = faiss.IndexHNSWFlat(base.shape[1], self.args.m, self.metric)
        index.hnsw.efConstruction = self.args.ef_construction
        index.add(base)
        return index

    def save(self, index, path: str) -> None:
        faiss.write_index(index, path)

    def load(self, path: str, n: int, dim: int):
        return faiss.read_index(path)

    def search(self, index, queries: np.ndarray, k: int, ef: int, threads: int) -> np.ndarray:
        faiss.omp_set_num_threads(threads)
        params = faiss.SearchParametersHNSW()
        params.efSearch = ef
        _, labels = index.search(queries, k, params=params)
        return labels


if __name__ == "__main__":
    arguments = ann_harness.parse_args(__doc__.split("\n\n")[0], sys.argv[1:])
    sys.exit(ann_harness.main(Faiss(arguments), arguments))
