#!/usr/bin/env python3
"""Exports all-MiniLM-L6-v2 from its local PyTorch weights to ONNX and checks the graph against PyTorch.

    Benchmarks/.venv/bin/python Benchmarks/peers/embed_export_onnx.py \
        --model-dir index-data/models/all-MiniLM-L6-v2 --out Benchmarks/.venv/minilm.onnx \
        --fused-out Benchmarks/.venv/minilm-fused.onnx

The graph takes input_ids, attention_mask and token_type_ids (int64, [batch, sequence], both axes
dynamic) and returns "embedding" [batch, 384]: the BERT encoder, mean pooling over the attention mask
and L2 normalisation, which is what sentence-transformers computes for this model. Pooling lives in the
graph so that onnxruntime does all of the model's arithmetic, as Cairn does. --fused-out also writes
the graph after onnxruntime's transformer optimiser (fused Attention, SkipLayerNormalization,
EmbedLayerNormalization, BiasGelu), which embed_peer.py uses by default because it is faster.

Nothing is downloaded: the model is read from --model-dir with HF_HUB_OFFLINE=1 and
TRANSFORMERS_OFFLINE=1. Each graph is written to a temporary file and renamed into place only after the
check passes (cosine >= 0.99999 and max |difference| <= 1e-4 against sentence-transformers on PyTorch
for a few texts, padded batches included), so an existing output is always a verified graph.
"""

import argparse
import os
import sys
import warnings

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.pop("OPENBLAS_CORETYPE", None)

CHECK_TEXTS = [
    "What is photosynthesis?",
    "Explain Schrödinger's equation in simple terms",
    "光合作用是绿色植物利用光能的过程。",
    "감사합니다 is more formal than 고마워",
    "The usual method has three steps: first chlorophyll absorbs light, then water is split and oxygen is "
    "released, and finally carbon dioxide is fixed in the Calvin cycle. " * 3,
]


def log(message):
    print(f"export: {message}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="local all-MiniLM-L6-v2 directory")
    parser.add_argument("--out", required=True, help="where to write the .onnx file")
    parser.add_argument("--fused-out", help="also write the graph with onnxruntime's transformer fusions here")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (at least 14)")
    args = parser.parse_args()
    if args.opset < 14:
        parser.error("--opset must be at least 14")

    import onnx
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    st = SentenceTransformer(args.model_dir, device="cpu", local_files_only=True)
    max_length = st.max_seq_length
    # Eager attention exports as plain MatMul/Softmax, which onnxruntime's own fusions recognise.
    bert = AutoModel.from_pretrained(args.model_dir, attn_implementation="eager", local_files_only=True).eval()

    class MeanPooledEncoder(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    model = MeanPooledEncoder(bert).eval()
    sample = st.tokenizer(CHECK_TEXTS[:2], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    axes = {0: "batch", 1: "sequence"}
    tmp = args.out + ".tmp"
    log(f"exporting {args.model_dir} (opset {args.opset}, torch {torch.__version__})")
    # The TorchScript exporter (dynamic_axes) warns that it is the legacy path and about traced shape
    # checks; the numerical check below is what decides whether the graph is kept.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, inputs, tmp, dynamo=False, opset_version=args.opset, do_constant_folding=True,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "embedding": {0: "batch"}},
        )
    onnx.checker.check_model(tmp)
    reference = st.encode(CHECK_TEXTS, batch_size=len(CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    if not matches(tmp, st, reference, max_length):
        os.remove(tmp)
        return 1
    if args.fused_out:
        # onnxruntime's transformer optimiser fuses each layer's attention into one Attention kernel,
        # residual + LayerNorm into SkipLayerNormalization and the embeddings into
        # EmbedLayerNormalization: the fastest form of this model onnxruntime offers on the CPU.
        from onnxruntime.transformers import optimizer

        fused_tmp = args.fused_out + ".tmp"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimizer.optimize_model(tmp, model_type="bert", num_heads=bert.config.num_attention_heads,
                                             hidden_size=bert.config.hidden_size, opt_level=0)
        counts = fused.get_fused_operator_statistics()
        log("fused: " + ", ".join(f"{name} x{n}" for name, n in counts.items() if n))
        fused.save_model_to_file(fused_tmp)
        if not matches(fused_tmp, st, reference, max_length):
            os.remove(fused_tmp)
            os.remove(tmp)
            return 1
        os.replace(fused_tmp, args.fused_out)
        log(f"wrote {args.fused_out}")
    os.replace(tmp, args.out)
    log(f"wrote {args.out}")
    return 0


def matches(path, st, reference, max_length):
    """Whether the graph at `path` reproduces sentence-transformers' embeddings of CHECK_TEXTS."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    worst_cos, worst_abs = 1.0, 0.0
    for batch in ([CHECK_TEXTS], [[t] for t in CHECK_TEXTS]):  # padded together, then one at a time
        got = []
        for texts in batch:
            enc = st.tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="np")
            feed = {name: enc[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
            got.append(session.run(["embedding"], feed)[0])
        got = np.concatenate(got)
        cos = np.sum(got * reference, axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(reference, axis=1))
        worst_cos = min(worst_cos, float(cos.min()))
        worst_abs = max(worst_abs, float(np.abs(got - reference).max()))
    name = os.path.basename(path).removesuffix(".tmp")
    log(f"{name} against sentence-transformers: min cosine {worst_cos:.7f}, max |diff| {worst_abs:.2e}")
    if worst_cos < 0.99999 or worst_abs > 1e-4:
        log(f"{name} does not match PyTorch; not installed")
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
