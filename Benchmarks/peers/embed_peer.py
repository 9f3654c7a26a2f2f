#!/usr/bin/env python3
"""Measures a reference embedder (onnxruntime or sentence-transformers on PyTorch) on the benchmark texts.

Example:
    Benchmarks/.venv/bin/python Benchmarks/peers/embed_peer.py --engine onnxruntime \\
        --texts Benchmarks/texts --threads 2 --json Benchmarks/results/embed-onnxruntime-2t.json

Reads queries.txt and documents.txt (one text per line) from --texts and, after a warm-up, measures
the same two things as `cairn bench embed`, each the best of --repeats passes:
  * queries at batch 1: every query embedded on its own, tokenisation included; query_p50_ms and
    query_p99_ms are nearest-rank percentiles of the per-query wall times of the fastest pass and
    queries_per_s = queries / (sum of those times);
  * documents at batch --batch (32): consecutive documents in file order, each batch padded to its
    longest text, truncation at 256 tokens; docs_per_s = documents / wall time of the pass.
Both engines run with --threads intra-op threads and OPENBLAS_CORETYPE removed from the environment
(see embed_engines.py). The model is read from --model-dir and nothing is downloaded. Progress goes to
standard error; the JSON object (engine, threads, query_p50_ms, query_p99_ms, queries_per_s,
docs_per_s, batch, ...) to --json ('-' for standard output).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--engine", required=True, choices=["onnxruntime", "torch"])
    p.add_argument("--texts", default=os.path.join(ROOT, "Benchmarks", "texts"),
                   help="directory with queries.txt and documents.txt")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads")
    p.add_argument("--json", required=True, help="output file ('-' for standard output)")
    p.add_argument("--batch", type=int, default=32, help="documents per call")
    p.add_argument("--repeats", type=int, default=3, help="passes per measurement; the fastest counts")
    p.add_argument("--warmup", type=int, default=16, help="queries embedded (plus one document batch) before timing")
    p.add_argument("--model-dir", default=os.environ.get("CAIRN_MODEL_DIR") or
                   os.path.join(ROOT, "index-data", "models", "all-MiniLM-L6-v2"),
                   help="local all-MiniLM-L6-v2 (default: $CAIRN_MODEL_DIR or index-data/models/all-MiniLM-L6-v2)")
    p.add_argument("--graph", choices=["fused", "exported"], default="fused",
                   help="onnxruntime only: the graph after onnxruntime's transformer fusions (minilm-fused.onnx, "
                        "the default) or as exported from PyTorch (minilm.onnx), both in Benchmarks/.venv")
    p.add_argument("--onnx", help="onnxruntime only: a graph file to use instead of --graph")
    args = p.parse_args(argv)
    if args.threads < 1 or args.batch < 1 or args.repeats < 1 or args.warmup < 0:
        p.error("--threads, --batch and --repeats must be at least 1, --warmup at least 0")
    return args


def configure_environment(threads):
    """Must run before numpy, onnxruntime, tokenizers or torch are imported."""
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    # The Rust tokenizer parallelises batches over its own pool; hold it to the same thread budget.
    os.environ["RAYON_NUM_THREADS"] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "true" if threads > 1 else "false"
    os.environ["OMP_NUM_THREADS"] = str(threads)


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except OSError as e:
        raise SystemExit(f"embed_peer: cannot read {path}: {e.strerror}")
    lines = [line for line in lines if line]
    if not lines:
        raise SystemExit(f"embed_peer: {path} has no texts")
    return lines


def quantile(sorted_ns, p):
    """Nearest-rank p-quantile, as Cairn's BenchClock.quantile computes it."""
    import math

    rank = math.ceil(p * len(sorted_ns))
    return sorted_ns[min(max(rank, 1), len(sorted_ns)) - 1]


def check(vectors, count):
    import numpy as np

    if vectors.shape != (count, 384):
        raise SystemExit(f"embed_peer: expected {count} x 384 vectors, got {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1)
    if not np.all(np.abs(norms - 1) < 1e-3):
        raise SystemExit(f"embed_peer: vectors are not unit length (norms {norms.min():.4f}..{norms.max():.4f})")


def measure_queries(engine, queries, repeats):
    best = None
    for _ in range(repeats):
        samples = []
        for text in queries:
            start = time.perf_counter_ns()
            engine.embed([text])
            samples.append(time.perf_counter_ns() - start)
        if best is None or sum(samples) < sum(best):
            best = samples
    ordered = sorted(best)
    return {
        "query_p50_ms": quantile(ordered, 0.5) / 1e6,
        "query_p99_ms": quantile(ordered, 0.99) / 1e6,
        "queries_per_s": len(queries) / (sum(ordered) / 1e9),
    }


def measure_documents(engine, documents, batch, repeats):
    best = None
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for lo in range(0, len(documents), batch):
            engine.embed(documents[lo:lo + batch])
        elapsed = time.perf_counter_ns() - start
        best = elapsed if best is None else min(best, elapsed)
    return {"docs_per_s": len(documents) / (best / 1e9)}


def make_engine(args):
    from embed_engines import OnnxRuntimeEngine, TorchEngine

    if not os.path.isfile(os.path.join(args.model_dir, "tokenizer.json")):
        raise SystemExit(f"embed_peer: no all-MiniLM-L6-v2 in {args.model_dir}: run `bash scripts/bootstrap.sh`")
    if args.engine == "onnxruntime":
        name = "minilm-fused.onnx" if args.graph == "fused" else "minilm.onnx"
        path = args.onnx or os.path.join(ROOT, "Benchmarks", ".venv", name)
        if not os.path.isfile(path):
            raise SystemExit(f"embed_peer: {path} not found: run `bash Benchmarks/peers/setup_embed.sh`")
        return OnnxRuntimeEngine(args.model_dir, path, args.threads)
    return TorchEngine(args.model_dir, args.threads)


def log(message):
    print(f"embed_peer: {message}", file=sys.stderr, flush=True)


def main(argv):
    args = parse_args(argv)
    configure_environment(args.threads)
    sys.path.insert(0, HERE)
    from fvecs import write_json

    queries = read_lines(os.path.join(args.texts, "queries.txt"))
    documents = read_lines(os.path.join(args.texts, "documents.txt"))
    engine = make_engine(args)
    log(f"{args.engine}, {args.threads} thread(s): {engine.runtime}")

    warm = queries[: args.warmup]
    for text in warm:
        check(engine.embed([text]), 1)
    first = documents[: args.batch]
    check(engine.embed(first), len(first))

    doc_tokens = engine.token_counts(documents)
    query_tokens = engine.token_counts(queries)
    log(f"{len(queries)} queries at batch 1, best of {args.repeats}")
    result = {"engine": args.engine, "threads": args.threads}
    result.update(measure_queries(engine, queries, args.repeats))
    log(f"  p50 {result['query_p50_ms']:.3f} ms, p99 {result['query_p99_ms']:.3f} ms, "
        f"{result['queries_per_s']:.1f} queries/s")
    log(f"{len(documents)} documents at batch {args.batch}, best of {args.repeats}")
    result.update(measure_documents(engine, documents, args.batch, args.repeats))
    log(f"  {result['docs_per_s']:.1f} documents/s")
    result.update({
        "batch": args.batch,
        "queries": len(queries),
        "documents": len(documents),
        "repeats": args.repeats,
        "max_tokens": 256,
        "doc_tokens_mean": sum(doc_tokens) / len(doc_tokens),
        "query_tokens_mean": sum(query_tokens) / len(query_tokens),
        "runtime": engine.runtime,
    })
    write_json(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
