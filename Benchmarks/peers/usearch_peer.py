#!/usr/bin/env python3
"""Measures USearch (its HNSW Index) on a TEXMEX data set and writes the result in Cairn's benchmark JSON contract.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/usearch_peer.py \\
        --base B.fvecs --queries Q.fvecs --groundtruth G.ivecs --metric cosine \\
        --m 16 --ef-construction 64 --ef-search 10,20,40,64,100,200,400 --threads 2 --k 10 \\
        --json Benchmarks/results/usearch.json

The measuring loop is ann_harness.py's. usearch from PyPI as shipped, float32 storage (dtype "f32", no
quantisation), connectivity = --m (its base layer keeps 2M, as HNSW's), expansion_add = --ef-construction,
expansion_search = ef. Cosine: vectors are normalised first and compared by inner product ("ip"), so
each distance is one dot product as in the other engines (usearch's "cos" would recompute both norms).
"""

from __future__ import annotations

import os
import sys

os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ann_harness  # noqa: E402

from usearch.index import Index  # noqa: E402


class USearch:
    name = "usearch"

    def __init__(self, args):
        self.args = args
        self.metric = "l2sq" if args.metric == "l2" else "ip"

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        return ann_harness.inner_product_ready(self.args.metric, vectors)

    def new_index(self, dim: int) -> Index:
        return Index(ndim=dim, metric=self.metric, dtype="f32", connectivity=self.args.m,
                     expansion_add=self.args.ef_construction, expansion_search=64)

    def build(self, base: np.ndarray, threads: int):
        n, dim = base.shape
        index = self.new_index(dim)
        index.add(np.arange(n, dtype=np.uint64), base, threads=threads)
        return index

    def save(self, index, path: str) -> None:
        index.save(path)

    def load(self, path: str, n: int, dim: int):
        index = self.new_index(dim)
        index.load(path)
        return index

    def search(self, index, queries: np.ndarray, k: int, ef: int, threads: int) -> np.ndarray:
        index.expansion_search = ef
        matches = index.search(queries, k, threads=threads)
        keys = np.asarray(matches.keys)
        return keys.reshape(len(queries), -1).astype(np.int64)


if __name__ == "__main__":
    arguments = ann_harness.parse_args(__doc__.split("\n\n")[0], sys.argv[1:])
    sys.exit(ann_harness.main(USearch(arguments), arguments))
