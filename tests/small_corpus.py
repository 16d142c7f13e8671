"""A two-guide, one-law corpus copied into a temp folder: builds in seconds (shared by test modules); and
BigramEmbedder, a deterministic stand-in for the model where the vectors' meaning does not matter."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from assistant.config import ROOT, get_settings

GUIDES = ("marriage-registration", "divorce-registration")
LAW = "中华人民共和国契税法"  # one of the default laws, so the shipped vectors cover it


def small_settings(tmp: Path, **overrides):
    corpus = tmp / "corpus"
    (corpus / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "centre.yaml", corpus / "centre.yaml")
    for name in GUIDES:
        shutil.copy(ROOT / "corpus" / "guides" / f"{name}.yaml", corpus / "guides" / f"{name}.yaml")
    return get_settings(**({"corpus_dir": corpus, "index_dir": tmp / "index", "laws": [LAW], "regulation_dirs": [], "cited_laws": False, "embed_workers": 1}
                           | overrides))


class BigramEmbedder:
    """Deterministic stand-in for multilingual-e5-small: character bigrams hashed into `dim` buckets."""

    name = "fake-bigram-512"
    dim = 512

    shared = 6.0  # squared weight of the dimension every text shares

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        chars = [c for c in text if not c.isspace()]
        for a, b in zip(chars, chars[1:] or chars):
            v[1 + int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16) % (self.dim - 1)] += 1.0
        n = np.linalg.norm(v)
        v = v / n if n else v
        v[0] = self.shared ** 0.5
        return v / np.linalg.norm(v)

    def queries(self, texts):
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    passages = queries

    def bulk(self, side, batches):
        for b in batches:
            yield self.queries(b)
