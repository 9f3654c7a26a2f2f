"""The two reference embedders of `cairn bench embed --peers`, both all-MiniLM-L6-v2 on the CPU.

- OnnxRuntimeEngine: the ONNX graph exported by embed_export_onnx.py (encoder, mean pooling and L2
  normalisation in the graph; by default the variant with onnxruntime's transformer fusions) run by
  onnxruntime's CPU execution provider with every graph optimisation on; texts are tokenised by the Hugging Face fast tokenizer (`tokenizers`) from the model's
  tokenizer.json, truncated at 256 tokens and padded to the longest text of each batch.
- TorchEngine: sentence-transformers on PyTorch (CPU), `SentenceTransformer.encode` with the batch as
  given; it tokenises with the same fast tokenizer through transformers and the model's max_seq_length
  of 256.

Both `embed(texts)` return a float32 array [len(texts), 384] of unit vectors. Each engine is given
the intra-op thread count (onnxruntime's intra_op_num_threads, torch.set_num_threads) and runs one
inter-op thread, so `--threads N` means N cores of arithmetic for both. Importing this module does not
import onnxruntime or torch; the engine's constructor does.
"""

import os

MAX_LENGTH = 256


class OnnxRuntimeEngine:
    name = "onnxruntime"

    def __init__(self, model_dir, onnx_path, threads, max_length=MAX_LENGTH):
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._np = np
        # tokenizer.json carries truncation and padding at 128; the model's settings are 256 and
        # padding to the longest text of the batch.
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        opset = next((o.version for o in _onnx_opsets(onnx_path)), None)
        self.runtime = (f"onnxruntime {ort.__version__} ({', '.join(self.session.get_providers())}, "
                        f"{os.path.basename(onnx_path)}, opset {opset}), tokenizers {_version('tokenizers')}")

    def token_counts(self, texts):
        """Tokens of each text after truncation, [CLS] and [SEP] included, padding excluded."""
        return [sum(e.attention_mask) for e in self.tokenizer.encode_batch(texts)]

    def embed(self, texts):
        np = self._np
        encodings = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return self.session.run(["embedding"], feed)[0]


class TorchEngine:
    name = "torch"

    def __init__(self, model_dir, threads, max_length=MAX_LENGTH):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(1)
        self._torch = torch
        self.model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
        self.model.max_seq_length = max_length
        self.model.eval()
        self.runtime = (f"torch {torch.__version__} CPU ({_torch_backend(torch)}), "
                        f"sentence-transformers {_version('sentence-transformers')}, "
                        f"transformers {_version('transformers')}")

    def token_counts(self, texts):
        """Tokens of each text after truncation, [CLS] and [SEP] included."""
        encoded = self.model.tokenizer(texts, truncation=True, max_length=self.model.max_seq_length)
        return [len(ids) for ids in encoded["input_ids"]]

    def embed(self, texts):
        with self._torch.inference_mode():
            return self.model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)


def _onnx_opsets(path):
    import onnx

    model = onnx.load(path, load_external_data=False)
    return [o for o in model.opset_import if o.domain in ("", "ai.onnx")]


def _torch_backend(torch):
    parts = []
    if torch.backends.mkldnn.is_available():
        parts.append("oneDNN")
    if torch.backends.mkl.is_available():
        parts.append("MKL")
    parts.append(f"{torch.get_num_threads()} intra-op threads")
    return ", ".join(parts)


def _version(package):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"
