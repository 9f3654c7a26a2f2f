"""The peers of `cairn bench quality`: what a user gets by gluing the usual libraries together, on Cairn's chunks.

    Benchmarks/.venv/bin/python Benchmarks/peers/quality_peer.py --chunks CHUNKS.jsonl --queries QUERIES.jsonl \
        --model-dir DIR --onnx Benchmarks/.venv/minilm-fused.onnx --depth 120 --out RANKINGS.json \\
        [--cache Benchmarks/.venv/quality-cache]

- bm25s: `bm25s.tokenize(texts)` with its defaults (lower case, `(?u)\\b\\w\\w+\\b`, English stop words, no
  stemmer) and `bm25s.BM25()` with its defaults (method "lucene", k1 1.5, b 0.75); chunks that share no term
  with the question (score 0) are not part of its ranking.
- onnxruntime: all-MiniLM-L6-v2 from the local ONNX export (embed_engines.OnnxRuntimeEngine: mean pooling
  and L2 normalisation in the graph), exact search by one numpy matrix product per query batch.
- rrf: reciprocal-rank fusion (k = 60, equal weights) of the two rankings, each `--depth` deep.

Writes {"versions", "seconds", "rankings": {"bm25s" | "onnx_exact" | "rrf": {query id: [chunk id, …]}}}.
"""

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def log(message):
    print(f"quality_peer: {message}", file=sys.stderr, flush=True)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rrf(a, b, k=60.0):
    scores = {}
    for ranking in (a, b):
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank)
    return [cid for cid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--depth", type=int, default=120)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cache", help="directory keeping the chunk embeddings between runs")
    args = parser.parse_args()
    import bm25s
    import onnxruntime
    from embed_engines import OnnxRuntimeEngine

    chunks = read_jsonl(args.chunks)
    queries = read_jsonl(args.queries)
    ids = np.array([c["id"] for c in chunks], dtype=np.int64)
    texts = [c["text"] for c in chunks]
    seconds = {}

    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
    seconds["bm25s_index"] = time.perf_counter() - started
    started = time.perf_counter()
    depth = min(args.depth, len(chunks))
    tokens = bm25s.tokenize([q["query"] for q in queries], show_progress=False)
    docs, scores = retriever.retrieve(tokens, k=depth, show_progress=False, n_threads=1)
    bm25 = {q["id"]: [int(ids[d]) for d, s in zip(row, srow) if s > 0] for q, row, srow in zip(queries, docs, scores)}
    seconds["bm25s_search"] = time.perf_counter() - started

    threads = args.threads or (len(__import__("os").sched_getaffinity(0)))
    engine = OnnxRuntimeEngine(args.model_dir, args.onnx, threads)
    started = time.perf_counter()
    # The chunk matrix is kept by the hash of the chunk texts and the graph, so a second run does not embed again.
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    digest.update(Path(args.onnx).read_bytes())
    cache = Path(args.cache) / f"{digest.hexdigest()[:24]}.npy" if args.cache else None
    if cache is not None and cache.exists():
        matrix = np.load(cache)
        log(f"chunk embeddings from {cache}")
    else:
        matrix = np.concatenate([engine.embed(texts[i:i + 64]) for i in range(0, len(texts), 64)]).astype(np.float32)
        log(f"embedded {len(texts)} chunks in {time.perf_counter() - started:.1f} s")
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, matrix)
    seconds["onnx_embed_chunks"] = time.perf_counter() - started
    started = time.perf_counter()
    qv = np.concatenate([engine.embed([q["query"] for q in queries[i:i + 64]])
                         for i in range(0, len(queries), 64)]).astype(np.float32)
    sims = qv @ matrix.T
    top = np.argsort(-sims, axis=1, kind="stable")[:, :depth]
    dense = {q["id"]: [int(ids[d]) for d in row] for q, row in zip(queries, top)}
    seconds["onnx_search"] = time.perf_counter() - started
    fused = {q["id"]: rrf(dense[q["id"]], bm25[q["id"]]) for q in queries}
    versions = {"bm25s": bm25s.__version__, "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    with open(args.out, "w") as f:
        json.dump({"versions": versions, "seconds": seconds,
                   "rankings": {"bm25s": bm25, "onnx_exact": dense, "rrf": fused}}, f)
    log(f"done: {json.dumps(seconds)}")


if __name__ == "__main__":
    main()
