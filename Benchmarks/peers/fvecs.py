"""Reading and writing TEXMEX vector files and result JSON, shared by the peer benchmarks.

Format (little-endian, no header): each record is an int32 dimension ``d`` followed by ``d`` values,
float32 in ``.fvecs`` and int32 in ``.ivecs``. Every record of a file has the same ``d``.
"""

from __future__ import annotations

import json
import os

import numpy as np


def _read_vecs(path: str, dtype: np.dtype) -> np.ndarray:
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        raise ValueError(f"{path}: empty file")
    dim = int(raw[0])
    if dim <= 0:
        raise ValueError(f"{path}: bad dimension {dim} in the first record")
    if raw.size % (dim + 1) != 0:
        raise ValueError(f"{path}: size {raw.size * 4} bytes is not a whole number of {dim}-dim records")
    records = raw.reshape(-1, dim + 1)
    if not np.all(records[:, 0] == dim):
        bad = int(np.argmax(records[:, 0] != dim))
        raise ValueError(f"{path}: record {bad} has dimension {int(records[bad, 0])}, expected {dim}")
    return np.ascontiguousarray(records[:, 1:]).view(dtype)


def read_fvecs(path: str) -> np.ndarray:
    """Returns an (n, d) float32 array."""
    return _read_vecs(path, np.dtype(np.float32))


def read_ivecs(path: str) -> np.ndarray:
    """Returns an (n, d) int32 array."""
    return _read_vecs(path, np.dtype(np.int32))


def _write_vecs(path: str, data: np.ndarray, dtype: np.dtype) -> None:
    data = np.ascontiguousarray(data, dtype=dtype)
    if data.ndim != 2:
        raise ValueError("expected a 2-D array")
    n, dim = data.shape
    out = np.empty((n, dim + 1), dtype=np.int32)
    out[:, 0] = dim
    out[:, 1:] = data.view(np.int32)
    tmp = f"{path}.tmp"
    out.tofile(tmp)
    os.replace(tmp, path)


def write_fvecs(path: str, data: np.ndarray) -> None:
    """Writes an (n, d) array as float32 records."""
    _write_vecs(path, data, np.dtype(np.float32))


def write_ivecs(path: str, data: np.ndarray) -> None:
    """Writes an (n, d) array as int32 records."""
    _write_vecs(path, data, np.dtype(np.int32))


def recall_at(found: np.ndarray, truth: np.ndarray, r: int) -> float:
    """recall@r averaged over queries: |first r found ∩ first r true| / r per query.

    Matches Cairn's `Recall`: when the ground truth has fewer than r columns (a base smaller than r),
    r shrinks to their number; found ids beyond position r never count.
    """
    if found.shape[0] > truth.shape[0]:
        raise ValueError(f"{found.shape[0]} result rows but {truth.shape[0]} ground-truth rows")
    depth = min(r, truth.shape[1])
    if depth == 0:
        return 1.0
    if found.shape[0] == 0:
        return 0.0
    hits = 0
    for got, want in zip(found[:, :depth], truth[:, :depth]):
        hits += np.isin(got, want).sum()
    return float(hits) / (depth * found.shape[0])


def write_json(result: dict, target: str) -> None:
    """Writes result as indented JSON to target (temp file, then rename), or to standard output for '-'."""
    text = json.dumps(result, indent=2) + "\n"
    if target == "-":
        print(text, end="", flush=True)
        return
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    tmp = f"{target}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, target)
