"""The dense side of retrieval as one scan per question vector.

One question searches the flat index two or three times (all chunks, the laws, the laws an item rests
on), each a full pass over the 6,437 × 384 matrix (about 1 ms, bound by memory).  `DenseScan` computes
the inner products once per question vector with FAISS's own kernel (`fvec_inner_products_ny`, the one
`IndexFlatIP.search` uses: the same float32 values, bit for bit) and selects each search's best rows
from them in FAISS's order: higher score first, and of equal scores the higher row id first (FAISS's
heap compares ids on ties).  When rows of equal score straddle the cut, which of them FAISS keeps depends
on the order its heap met them: such a search (rare) is left to FAISS, as is any other index type
(`exact` is False)."""
from __future__ import annotations

import threading

import faiss
import numpy as np


class DenseScan:
    def __init__(self, index):
        """`index`: an Index (its `dense` FAISS index and `vectors()`, the same rows as one float32 matrix)."""
        self.index = index
        self._last = threading.local()  # (question vector bytes, scores) of this thread's last question

    @property
    def exact(self) -> bool:
        return type(self.index.dense) is faiss.IndexFlatIP

    def scores(self, qvec: np.ndarray) -> np.ndarray:
        """The inner product of `qvec` with every row (read-only; computed once per question vector)."""
        q = np.ascontiguousarray(qvec, dtype=np.float32)
        key = q.tobytes()
        last = getattr(self._last, "value", None)
        if last is not None and last[0] == key:
            return last[1]
        vecs = self.index.vectors()
        out = np.empty(len(vecs), dtype=np.float32)
        if len(vecs):
            faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(vecs),
                                         vecs.shape[1], len(vecs))
        out.setflags(write=False)
        self._last.value = (key, out)
        return out

    def search(self, qvec: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]] | None:
        """The `n` best (row, score) of the rows in `mask` (all rows without one), as `IndexFlatIP.search`
        returns them (only for an exact flat index: `self.exact`); None when rows of equal score straddle the
        n-th place, where which of them FAISS keeps depends on the order its heap met them: search FAISS then."""
        scores = self.scores(qvec)
        rows = np.arange(len(scores)) if mask is None else np.flatnonzero(mask)
        s = scores[rows]
        if n <= 0 or not len(s):
            return []
        if len(s) > n:
            part = np.partition(s, [len(s) - n - 1, len(s) - n])
            if part[len(s) - n - 1] == part[len(s) - n]:
                return None
            keep = s >= part[len(s) - n]
            rows, s = rows[keep], s[keep]
        order = np.lexsort((-rows, -s))  # higher score first; equal scores higher row first (FAISS's heap order)
        return list(zip(rows[order].tolist(), s[order].tolist()))
