#!/usr/bin/env python3
"""Measures hnswlib on a TEXMEX data set and writes the result in Cairn's benchmark JSON contract.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/hnswlib_peer.py \\
        --base B.fvecs --queries Q.fvecs --groundtruth G.ivecs --metric cosine \\
        --m 16 --ef-construction 64 --ef-search 10,20,40,64,100,200,400 --threads 2 --k 10 \\
        --json Benchmarks/results/hnswlib.json

The measuring loop is ann_harness.py's (shared with faiss_peer.py and usearch_peer.py). hnswlib's own
`cosine` space normalises; `--seed` is its random_seed; a search runs with max(ef, k) (set_ef).
"""

from __future__ import annotations

import os
import sys

# Peers run with OpenBLAS's core type chosen by OpenBLAS itself (numpy's own OpenBLAS reads this too).
os.environ.pop("OPENBLAS_CORETYPE", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ann_harness  # noqa: E402

import hnswlib  # noqa: E402

SPACES = {"cosine": "cosine", "ip": "ip", "l2": "l2"}


class HNSWLib:
    name = "hnswlib"

    def __init__(self, args):
        self.args = args
        self.space = SPACES[args.metric]

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        return vectors

    def build(self, base: np.ndarray, threads: int):
        n, dim = base.shape
        index = hnswlib.Index(space=self.space, dim=dim)
        index.init_index(max_elements=n, ef_construction=self.args.ef_construction, M=self.args.m,
                         random_seed=self.args.seed)
        index.add_items(base, np.arange(n, dtype=np.int64), num_threads=threads)
        return index

    def save(self, index, path: str) -> None:
        index.save_index(path)

    def load(self, path: str, n: int, dim: int):
        index = hnswlib.Index(space=self.space, dim=dim)
        index.load_index(path, max_elements=n)
        return index

    def search(self, index, queries: np.ndarray, k: int, ef: int, threads: int) -> np.ndarray:
        index.set_ef(ef)
        labels, _ = index.knn_query(queries, k=k, num_threads=threads)
        return labels


if __name__ == "__main__":
    arguments = ann_harness.parse_args(__doc__.split("\n\n")[0], sys.argv[1:])
    sys.exit(ann_harness.main(HNSWLib(arguments), arguments))
