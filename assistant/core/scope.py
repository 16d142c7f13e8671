"""Scope decided by evidence: is a question something the service centre answers?

A small logistic regression, learned from labelled questions, gives the probability that a question
is in scope from two views of its words: the query embedding (the same vector retrieval uses) and
hashed character 1–3-grams.  The evidence found for it — an item named in the person's own words, an
item phrase or a law article very close in meaning — can keep a question in scope that the model
doubts; an off-topic word (天气, 彩票, 发烧 …) only asks for more probability, it never refuses on its
own.  "我感冒发烧在家，社保卡丢了能在网上补吗" is answered; "帮我订一张去南京的高铁票" is declined.
Rule-based refusal stays only for prompt injection and clearly illegal requests (understand.py).

Training (reproducible; writes assistant/data/scope.npz, runtime needs numpy only):

    python -m assistant.core.scope train

Labelled data: the `tune` splits of eval/guide_dev, policy_dev, dialog_dev (first turns) and
scope_dev (when present) as in scope, eval/out_of_scope_dev (tune, without prompt injection) and the
off-topic questions of scope_dev (tune) as out of scope, plus assistant/data/scope_extra.jsonl
(questions written for training only; none is in an eval set).  Holdout splits are never read.
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.dialogue.thresholds import SCOPE

DATA = Path(__file__).resolve().parents[1] / "data"
MODEL_PATH = DATA / "scope.npz"
NGRAM_DIM = 2048


def ngrams(text: str, dim: int = NGRAM_DIM) -> np.ndarray:
    """Hashed character 1–3-grams (crc32, stable across runs), L2-normalised."""
    t = re.sub(r"\s+", " ", text.lower()).strip()
    v = np.zeros(dim, dtype=np.float32)
    for n in (1, 2, 3):
        for i in range(len(t) - n + 1):
            g = t[i:i + n]
            if g.strip():
                v[zlib.crc32(g.encode("utf-8")) % dim] = 1.0
    norm = np.linalg.norm(v)
    return v / norm if norm else v


@dataclass(frozen=True)
class ScopeDecision:
    """Typed result of the scope rule; `rule` names what decided."""

    in_scope: bool
    probability: float
    evidence: str  # "alias" | "semantic" | "law" | "none"
    topic: str | None
    rule: str

    def as_dict(self) -> dict:
        return {"in_scope": self.in_scope, "probability": round(self.probability, 4), "evidence": self.evidence,
                "topic": self.topic, "rule": self.rule}


class ScopeModel:
    def __init__(self, path: Path = MODEL_PATH, embedder_name: str | None = None):
        with np.load(path, allow_pickle=False) as z:
            self.w_full, self.b_full = z["w_full"], float(z["b_full"])
            self.w_ngram, self.b_ngram = z["w_ngram"], float(z["b_ngram"])
            self.platt_full, self.platt_ngram = z["platt_full"], z["platt_ngram"]
            self.embedder = str(z["embedder"])
        # a deployment with another embedder (bge-m3 …) uses the n-gram head only
        self.use_embedding = embedder_name is None or embedder_name == self.embedder

    def probability(self, text: str, qvec: np.ndarray | None) -> float:
        x = ngrams(text)
        if self.use_embedding and qvec is not None and len(qvec) + len(x) == len(self.w_full):
            z = float(np.concatenate([qvec.astype(np.float32), x]) @ self.w_full + self.b_full)
            a, b = self.platt_full
        else:
            z = float(x @ self.w_ngram + self.b_ngram)
            a, b = self.platt_ngram
        return float(1.0 / (1.0 + np.exp(-(a * z + b))))


def decide(p: float, topic: str | None, own_alias: str | None, semantic: float, law_dense: float) -> ScopeDecision:
    """Evidence first: an item named in the person's own words, or an item/law very close in meaning,
    keeps the question unless the model is nearly sure it is off-topic; evidence that names the item
    ("高龄津贴每个月多少钱": its phrase at 0.99) keeps it whatever the model says, unless an off-topic word
    comes with it; otherwise the probability must clear the bar, which an off-topic word raises."""
    evidence = ("alias" if own_alias else "semantic" if semantic >= SCOPE.strong_semantic
                else "law" if law_dense >= SCOPE.strong_law_dense else "none")
    names_item = (semantic >= SCOPE.names_item_semantic
                  or len(own_alias or "") >= SCOPE.names_item_alias_chars)
    bar = SCOPE.decline_below + (SCOPE.topic_word_penalty if topic else 0.0)
    floor = SCOPE.topic_evidence_floor if topic else 0.0 if names_item else SCOPE.evidence_floor
    if evidence != "none" and p >= floor:
        return ScopeDecision(True, p, evidence, topic, f"rule:scope-evidence:{evidence}")
    if p >= bar:
        return ScopeDecision(True, p, evidence, topic, "rule:scope-model")
    return ScopeDecision(False, p, evidence, topic, "rule:scope-decline" + (f":{topic}" if topic else ""))


def decide_followup(p: float, own_alias: str | None) -> ScopeDecision:
    """A follow-up that nothing ties to the item in focus ("你是人还是机器人" after 法律援助申请): it stays
    with the item unless the model is nearly sure it is off-topic, or the person names an item."""
    if own_alias or p >= SCOPE.followup_decline_below:
        return ScopeDecision(True, p, "alias" if own_alias else "none", None, "rule:scope-model")
    return ScopeDecision(False, p, "none", None, "rule:scope-decline-followup")


# ------------------------------------------------------------------ training


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def training_data(eval_dir: Path) -> list[tuple[str, int]]:
    """(question, 1 in scope / 0 out) from tune splits only."""
    data: list[tuple[str, int]] = []
    for name in ("guide_dev.jsonl", "policy_dev.jsonl"):
        data += [(r["question"], 1) for r in _rows(eval_dir / name) if r.get("split") == "tune"]
    data += [(r["turns"][0]["user"], 1) for r in _rows(eval_dir / "dialog_dev.jsonl")
             if r.get("split") == "tune" and r["turns"][0].get("expected")]
    data += [(r["question"], 0) for r in _rows(eval_dir / "out_of_scope_dev.jsonl")
             if r.get("split") == "tune" and r.get("kind") != "injection"]
    for r in _rows(eval_dir / "scope_dev.jsonl"):
        if r.get("split") == "tune":
            data.append((r["question"], 0 if _offtopic(r) else 1))
    data += [(r["question"], int(r["in_scope"])) for r in _rows(DATA / "scope_extra.jsonl")]
    return data


def _offtopic(row: dict) -> bool:
    return row.get("scope") == "out"


def _fit(X: np.ndarray, y: np.ndarray, l2: float, epochs: int = 400, lr: float = 0.05) -> tuple[np.ndarray, float]:
    """L2 logistic regression, class-balanced, full-batch Adam (deterministic)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    pos = y.mean()
    sw = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))
    m_w, v_w, m_b, v_b = np.zeros(d), np.zeros(d), 0.0, 0.0
    for t in range(1, epochs + 1):
        z = X @ w + b
        p = 1 / (1 + np.exp(-z))
        g = sw * (p - y) / n
        gw, gb = X.T @ g + l2 * w, g.sum()
        m_w, v_w = 0.9 * m_w + 0.1 * gw, 0.999 * v_w + 0.001 * gw * gw
        m_b, v_b = 0.9 * m_b + 0.1 * gb, 0.999 * v_b + 0.001 * gb * gb
        w -= lr * (m_w / (1 - 0.9 ** t)) / (np.sqrt(v_w / (1 - 0.999 ** t)) + 1e-8)
        b -= lr * (m_b / (1 - 0.9 ** t)) / (np.sqrt(v_b / (1 - 0.999 ** t)) + 1e-8)
    return w, b


def _platt(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Calibrate out-of-fold scores: p = sigmoid(a z + b), fitted by Newton steps."""
    a, b = 1.0, 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a * z + b)))
        ga, gb = ((p - y) * z).sum(), (p - y).sum()
        h = p * (1 - p)
        H = np.array([[(h * z * z).sum(), (h * z).sum()], [(h * z).sum(), h.sum()]]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(H, [ga, gb])
        a, b = a - step[0], b - step[1]
    return np.array([a, b])


def _embed_cached(emb, texts: list[str], cache_path: Path) -> np.ndarray:
    """Query vectors, reusing earlier runs' (keyed by embedder and text) so retraining costs seconds."""
    from assistant.core.index.embed import EmbeddingCache
    import hashlib

    cache = EmbeddingCache(cache_path, emb.dim)
    keys = [hashlib.sha256(f"{emb.name}|{t}".encode()).hexdigest()[:24] for t in texts]
    todo = [i for i, k in enumerate(keys) if cache.get(k) is None]
    for s in range(0, len(todo), 32):
        part = todo[s:s + 32]
        for i, v in zip(part, emb.queries([texts[i] for i in part])):
            cache.put(keys[i], v)
    cache.save(set(keys) | set(cache._vecs))
    return np.stack([cache.get(k) for k in keys])


def train(eval_dir: Path = Path("eval"), out: Path = MODEL_PATH, l2: float = 1e-3, folds: int = 5) -> dict:
    from assistant.core.text.normalize import normalize
    from assistant.core.understand import understand
    from assistant.config import get_settings
    from assistant.core.index.embed import make_embedder

    data = training_data(eval_dir)
    texts = [normalize(q) for q, _ in data]
    y = np.array([lab for _, lab in data], dtype=float)
    settings = get_settings()
    emb = make_embedder(settings)
    search = [understand(t).search_text for t in texts]  # what retrieval embeds at run time
    Qs = _embed_cached(emb, search, settings.index_dir / "scope-train-cache.npz")
    G = np.stack([ngrams(t) for t in texts])
    heads = {"full": np.concatenate([Qs, G], axis=1).astype(np.float64), "ngram": G.astype(np.float64)}
    rng = np.random.default_rng(11)
    fold = rng.integers(0, folds, len(y))
    result: dict = {"n": int(len(y)), "in_scope": int(y.sum()), "out_of_scope": int(len(y) - y.sum()),
                    "embedder": emb.name, "l2": l2}
    arrays = {"embedder": np.array(emb.name)}
    for name, X in heads.items():
        oof = np.zeros(len(y))
        for k in range(folds):
            tr, te = fold != k, fold == k
            w, b = _fit(X[tr], y[tr], l2)
            oof[te] = X[te] @ w + b
        platt = _platt(oof, y)
        p = 1 / (1 + np.exp(-(platt[0] * oof + platt[1])))
        acc = float(((p >= 0.5) == y).mean())
        recall_out = float(((p < 0.5) & (y == 0)).sum() / max(1, (y == 0).sum()))
        result[name] = {"cv_accuracy": round(acc, 4), "cv_brier": round(float(((p - y) ** 2).mean()), 4),
                        "cv_out_of_scope_recall": round(recall_out, 4)}
        w, b = _fit(X, y, l2)
        arrays[f"w_{name}"], arrays[f"b_{name}"], arrays[f"platt_{name}"] = w.astype(np.float32), np.array(b), platt
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    (out.with_suffix(".json")).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["train"]:
        raise SystemExit("usage: python -m assistant.core.scope train")
    print(json.dumps(train(), ensure_ascii=False, indent=2))
