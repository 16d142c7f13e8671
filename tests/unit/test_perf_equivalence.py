"""The speed-ups of the answer path return exactly what the code they replace returned: the dense scan the
hits (rows, scores and order, ties included) of a FAISS flat search, the pair index the count of texts
containing a word, and the remembered tokens a fresh list."""
from __future__ import annotations

import random
from types import SimpleNamespace

import faiss
import numpy as np

from assistant.core.index.dense_scan import DenseScan
from assistant.core.text.containing import Containing
from assistant.core.text.segment import Tokenizer


def _flat(vecs: np.ndarray) -> faiss.IndexFlatIP:
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    return index


def _faiss_hits(index, q: np.ndarray, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
    params = None
    if mask is not None:
        bits = np.packbits(mask, bitorder="little")
        sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        params = faiss.SearchParameters(sel=sel)
    sims, ids = index.search(q[None, :], n, params=params)
    keep = ids[0] >= 0
    return list(zip(ids[0][keep].tolist(), sims[0][keep].tolist()))


def test_the_dense_scan_returns_the_flat_search_hits_in_its_order_ties_and_masks_included():
    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((500, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs[[40, 300, 450]] = vecs[10]  # equal scores: listed higher row first
    index = _flat(vecs)
    scan = DenseScan(SimpleNamespace(dense=index, vectors=lambda: vecs))
    assert scan.exact
    answered = 0
    for t in range(20):
        q = vecs[10] if t == 0 else rng.standard_normal(32).astype(np.float32)
        for mask in (None, rng.random(500) < 0.3, np.zeros(500, dtype=bool)):
            for n in (1, 2, 5, 60, 100, 180, 700):
                got = scan.search(q, n, mask)
                assert got is None or got == _faiss_hits(index, q, n, mask)
                answered += got is not None
    assert answered >= 0.9 * 20 * 3 * 7
    # the four equal best rows straddle the 2nd place: which two FAISS keeps is its heap's business
    assert scan.search(vecs[10], 2) is None and scan.search(vecs[10], 4) == _faiss_hits(index, vecs[10], 4, None)


def test_the_pair_index_counts_the_texts_that_contain_a_word():
    rng = random.Random(3)
    alphabet = "社保卡补办身份证明户口本人单位公积金"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(40)]
    containing = Containing(texts)
    words = ["", "社", "单位", "本人单位", "xyz", "金社"] + \
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5))) for _ in range(300)]
    for w in words:
        assert containing.count(w) == sum(w in t for t in texts), w


def test_remembered_tokens_are_a_fresh_list_each_time():
    tok = Tokenizer(["社保卡"])
    first = tok.tokens("社保卡丢了怎么补办")
    first.append("changed")
    assert tok.tokens("社保卡丢了怎么补办") == first[:-1]
    assert "社保卡" in first
