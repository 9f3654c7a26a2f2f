#!/usr/bin/env python3
"""Exports all-MiniLM-L6-v2's encoder from its local weights to the ONNX graph Chroma's client-side embedder
(chromadb's ONNXMiniLM_L6_V2) runs: input_ids, attention_mask and token_type_ids in, last_hidden_state out
([batch, sequence, 384]); Chroma pools and normalises on the client. Checked before it is kept: Chroma's own
embedder over the graph must agree with sentence-transformers on PyTorch (cosine >= 0.99999).

    Benchmarks/.venv/bin/python Benchmarks/peers/serve_export_onnx.py \
        --model-dir index-data/models/all-MiniLM-L6-v2 --out Benchmarks/.venv/chroma-onnx

Writes OUT/onnx/{model.onnx, tokenizer files}: the layout chromadb looks for under its DOWNLOAD_PATH, so
nothing is downloaded. Nothing is fetched from a hub (HF_HUB_OFFLINE=1).
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

TEXTS = ["What is photosynthesis?", "光合作用是绿色植物利用光能的过程。", "감사합니다 is more formal than 고마워",
         "Water moves toward the higher solute concentration. " * 8]
FILES = ["config.json", "special_tokens_map.json", "tokenizer_config.json", "tokenizer.json", "vocab.txt"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel

    out = Path(args.out)
    staging = Path(tempfile.mkdtemp(prefix="chroma-onnx-", dir=out.parent))
    (staging / "onnx").mkdir()
    encoder = AutoModel.from_pretrained(args.model_dir).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state

    model = LastHiddenState().eval()
    axes = {0: "batch", 1: "sequence"}
    dummy = {name: torch.ones(2, 8, dtype=torch.int64) for name in ["input_ids", "attention_mask", "token_type_ids"]}
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
            str(staging / "onnx" / "model.onnx"), dynamo=False, opset_version=17, do_constant_folding=True,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                          "last_hidden_state": axes})
    for name in FILES:
        shutil.copy(Path(args.model_dir) / name, staging / "onnx" / name)

    from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2
    ONNXMiniLM_L6_V2.DOWNLOAD_PATH = staging
    got = np.asarray(ONNXMiniLM_L6_V2()(TEXTS), dtype=np.float32)
    want = SentenceTransformer(args.model_dir, device="cpu").encode(TEXTS, normalize_embeddings=True)
    cosine = (got * want).sum(axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))
    if cosine.min() < 0.99999:
        shutil.rmtree(staging)
        print(f"serve_export_onnx: Chroma's embedder over the graph disagrees (cosine {cosine.min():.6f})",
              file=sys.stderr)
        return 1
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    print(f"serve_export_onnx: wrote {out}/onnx (cosine to sentence-transformers >= {cosine.min():.6f})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
