"""Load on `cairn serve` and on a Chroma server from a separate process on loopback, at several concurrencies,
over the same chunks and vectors; recall@10 of each against exact search on the same queries.

`cairn bench serve --peers` runs this after its own phases (it builds the prepared data directory). Standalone:

    Benchmarks/.venv/bin/python Benchmarks/peers/serve_peer.py --cairn .build/release/cairn \
        --data Benchmarks/data/serve-34000-t64 --chroma-onnx Benchmarks/.venv/chroma-onnx \
        [--seconds 20] [--concurrency 1,8,32] [--json OUT]

Cairn: POST /v1/retrieve {"query", "top_k": 10} with a coach key (the server embeds the question with its
built-in model and restricts the search to the key's tenant). Chroma (`chroma run` on loopback, the same
chunk ids, texts and Cairn's stored vectors, cosine space, its default HNSW settings), in the layout that
serves it best — one collection per tenant, so a query needs no filter:
`collection.query(query_texts=[q], n_results=10)` through chromadb's HttpClient, the question embedded on the
client by chromadb's own ONNXMiniLM_L6_V2 (onnxruntime) from the local ONNX export (serve_export_onnx.py
writes it where chromadb looks). Also measured: Chroma's server alone (query vectors computed before the
run), and the tenant as a metadata filter in one shared collection (`where={"owner_id": tenant}`). Each worker thread holds its own connection/client and sends
requests back to back for --seconds after a warm-up; latency is measured around each call.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

TENANT = "school"


def log(message):
    print(f"serve_peer: {message}", file=sys.stderr, flush=True)


def percentile(values, q):
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_corpus(data_dir):
    """Chunk ids, texts and stored vectors (float32, normalised by the model) of the prepared store."""
    db = sqlite3.connect(f"file:{data_dir}/cairn.sqlite3?mode=ro", uri=True)
    rows = db.execute("SELECT c.id, c.content, c.embedding FROM material_chunks c JOIN materials m "
                      "ON m.id = c.material_id WHERE m.status = 'completed' ORDER BY c.id").fetchall()
    db.close()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    texts = [r[1] for r in rows]
    vectors = np.stack([np.frombuffer(r[2], dtype="<f4") for r in rows]).astype(np.float32)
    return ids, texts, vectors


def exact_top_k(vectors, queries, k):
    """Exact top-k by cosine similarity (numpy/BLAS), as chunk row indices."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    q = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    scores = q @ unit.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)


def run_load(make_worker, queries, concurrency, seconds, warmup=3.0):
    """Runs `concurrency` threads, each calling its worker(query) back to back; returns latencies (ms),
    the count of errors and requests per second over the measured window."""
    latencies, errors, lock = [], [0], threading.Lock()
    start_barrier = threading.Barrier(concurrency + 1)
    state = {"measure_from": None, "stop_at": None}

    def thread_main(index):
        call = make_worker()
        i = index * 7919
        start_barrier.wait()
        while True:
            now = time.monotonic()
            if now >= state["stop_at"]:
                return
            q = queries[i % len(queries)]
            i += 1
            began = time.monotonic()
            ok = False
            try:
                ok = call(q)
            except Exception as error:  # counted, and the first few are shown
                with lock:
                    if errors[0] < 3:
                        log(f"error: {error!r}")
            ended = time.monotonic()
            if began >= state["measure_from"]:
                with lock:
                    if ok:
                        latencies.append((ended - began) * 1000)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=thread_main, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    now = time.monotonic()
    state["measure_from"] = now + warmup
    state["stop_at"] = now + warmup + seconds
    start_barrier.wait()
    for t in threads:
        t.join()
    return {
        "concurrency": concurrency, "requests": len(latencies), "errors": errors[0],
        "rps": len(latencies) / seconds, "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
    }


class Cairn:
    def __init__(self, binary, prepared, work):
        self.binary = binary
        self.data = str(work / "cairn-data")
        shutil.copytree(prepared, self.data)
        self.coach = self._key("coach", TENANT)
        self.log = open(work / "cairn-serve.log", "w")
        self.process = subprocess.Popen([binary, "serve", "--data-dir", self.data, "--port", "0"],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        env={**os.environ, "CAIRN_RATE_LIMIT": "0"})
        self.port = None
        for line in self.process.stdout:
            m = re.search(r" at http://127\.0\.0\.1:(\d+)", line)
            if m and self.port is None:
                self.port = int(m.group(1))
            if "Stop: Ctrl-C" in line:
                break
        if self.port is None:
            raise RuntimeError("cairn serve did not start; see cairn-serve.log")
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()

    def _key(self, role, tenant):
        out = subprocess.run([self.binary, "keys", "create", "--data-dir", self.data, "--role", role,
                              "--tenant", tenant], check=True, capture_output=True, text=True).stdout
        return out.strip().splitlines()[-1]

    def worker(self, overheads):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.coach}", "Content-Type": "application/json"}

        def call(query):
            connection.request("POST", "/v1/retrieve", json.dumps({"query": query, "top_k": 10}), headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                return False
            timing = response.getheader("Server-Timing") or ""
            m = re.search(r"app;dur=([0-9.]+)", timing)
            if m:
                t = json.loads(body)["timings"]
                app = float(m.group(1))
                overheads.append((app - t["embed_ms"] - t["search_ms"]) / app if app > 0 else 0.0)
            return True
        return call

    def top_ids(self, query, k):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        # Vector mode: recall is measured against exact vector search, which the default hybrid ranking (vector
        # and keyword fused) is not meant to reproduce; Chroma's query is vector-only too.
        connection.request("POST", "/v1/retrieve", json.dumps({"query": query, "top_k": k, "mode": "vector"}),
                           {"Authorization": f"Bearer {self.coach}", "Content-Type": "application/json"})
        body = json.loads(connection.getresponse().read())
        return [r["chunk_id"] for r in body["results"]]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        self.log.close()


class Chroma:
    def __init__(self, venv_bin, work, onnx_dir, ids, texts, vectors):
        import chromadb
        from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2
        self.port = free_port()
        self.log = open(work / "chroma.log", "w")
        self.process = subprocess.Popen([str(venv_bin / "chroma"), "run", "--path", str(work / "chroma"),
                                         "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.monotonic() + 120
        while True:
            try:
                self.client = chromadb.HttpClient(host="127.0.0.1", port=self.port)
                self.client.heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("chroma run did not start; see chroma.log")
                time.sleep(0.5)
        # chromadb's own default embedder, with the local ONNX export and tokenizer in the place it looks
        # (nothing is downloaded).
        if not (Path(onnx_dir) / "onnx" / "model.onnx").exists():
            raise RuntimeError(f"{onnx_dir}/onnx/model.onnx is missing: run Benchmarks/peers/setup_serve.sh")
        ONNXMiniLM_L6_V2.DOWNLOAD_PATH = Path(onnx_dir)
        self.embedder_class = ONNXMiniLM_L6_V2
        self.collection = self.client.create_collection(
            "chunks", embedding_function=ONNXMiniLM_L6_V2(), metadata={"hnsw:space": "cosine"})
        started = time.monotonic()
        step = 4000
        for start in range(0, len(ids), step):
            end = min(start + step, len(ids))
            self.collection.add(ids=[str(i) for i in ids[start:end]], embeddings=vectors[start:end],
                                documents=texts[start:end], metadatas=[{"owner_id": TENANT}] * (end - start))
        self.load_seconds = time.monotonic() - started
        log(f"chroma: loaded {len(ids)} chunks in {self.load_seconds:.0f} s")

    def worker(self, precomputed=None, where=None):
        """A client as an application uses it (the question embedded on the client), or, with `precomputed`
        query vectors, Chroma's server alone (the embedding is then left out of the latency); `where` filters
        by metadata."""
        import chromadb
        client = chromadb.HttpClient(host="127.0.0.1", port=self.port)
        collection = client.get_collection("chunks", embedding_function=self.embedder_class())

        def call(query):
            if precomputed is not None:
                result = collection.query(query_embeddings=[precomputed[query]], n_results=10, where=where)
            else:
                result = collection.query(query_texts=[query], n_results=10, where=where)
            return len(result["ids"][0]) > 0
        return call

    def embed(self, queries):
        return np.asarray(self.embedder_class()(queries), dtype=np.float32)

    def top_ids(self, query, k):
        result = self.collection.query(query_texts=[query], n_results=k)
        return [int(i) for i in result["ids"][0]]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def recall(engine, queries, truth, ids, k=10):
    hits = 0
    for query, row in zip(queries, truth):
        expected = set(int(ids[j]) for j in row[:k])
        hits += len(expected & set(engine.top_ids(query, k)))
    return hits / (len(queries) * k)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--data", required=True, help="the prepared data directory (copied, never changed)")
    parser.add_argument("--texts", default="Benchmarks/texts")
    parser.add_argument("--chroma-onnx", default="Benchmarks/.venv/chroma-onnx")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--recall-queries", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    queries = [q for q in Path(args.texts, "queries.txt").read_text().splitlines() if q.strip()]
    work = Path(tempfile.mkdtemp(prefix="cairn-serve-peer-"))
    report = {"concurrency": levels, "seconds": args.seconds, "cairn": [], "chroma": [], "chroma_server_only": [],
              "chroma_where": []}
    try:
        ids, texts, vectors = load_corpus(args.data)
        log(f"{len(ids)} chunks of {vectors.shape[1]} dimensions; {len(queries)} queries")
        report["chunks"] = int(len(ids))

        cairn = Cairn(args.cairn, args.data, work)
        for c in levels:
            overheads = []
            result = run_load(lambda: cairn.worker(overheads), queries, c, args.seconds)
            result["server_overhead_p50"] = percentile(overheads, 50)
            report["cairn"].append(result)
            log(f"cairn  c={c}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
                f"{result['errors']} errors, server overhead p50 {result['server_overhead_p50'] * 100:.1f} %")
        recall_queries = queries[:args.recall_queries]
        cairn_recall_set = recall_queries
        cairn_top = [cairn.top_ids(q, 10) for q in cairn_recall_set]
        cairn.stop()

        venv_bin = Path(sys.executable).parent
        chroma = Chroma(venv_bin, work, args.chroma_onnx, ids, texts, vectors)
        query_vectors = chroma.embed(recall_queries)
        truth = exact_top_k(vectors, query_vectors, 10)
        report["cairn_recall_at_10"] = sum(
            len(set(int(ids[j]) for j in row) & set(top)) for row, top in zip(truth, cairn_top)) / (len(truth) * 10)
        report["chroma_recall_at_10"] = recall(chroma, recall_queries, truth, ids)
        report["chroma_load_seconds"] = chroma.load_seconds
        for c in levels:
            result = run_load(chroma.worker, queries, c, args.seconds)
            report["chroma"].append(result)
            log(f"chroma c={c}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
                f"{result['errors']} errors")
        vectors_by_query = dict(zip(queries, chroma.embed(queries).tolist()))
        for c in levels:
            result = run_load(lambda: chroma.worker(vectors_by_query), queries, c, args.seconds)
            report["chroma_server_only"].append(result)
            log(f"chroma (query vectors precomputed) c={c}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.2f} ms, "
                f"p99 {result['p99_ms']:.2f} ms, {result['errors']} errors")
        for c in levels[:2]:
            result = run_load(lambda: chroma.worker(where={"owner_id": TENANT}), queries, c, args.seconds)
            report["chroma_where"].append(result)
            log(f"chroma (tenant as a where filter) c={c}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.2f} ms, "
                f"p99 {result['p99_ms']:.2f} ms, {result['errors']} errors")
        chroma.stop()
        import chromadb
        import onnxruntime
        report["versions"] = {"chromadb": chromadb.__version__, "onnxruntime": onnxruntime.__version__}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
