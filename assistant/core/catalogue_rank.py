"""A learned ranker among the catalogue's candidate items (issue 13, round 6).

Five rounds of hand-tuned scoring (meaning + BM25 + small bonuses for the department, the asked operation and
the variant words) raised the sets read while tuning but hardly new ones.  Here the few candidates that the
fused score brings up (POOL of them) are re-ranked by a linear model of features of each (question, item)
pair — the same signals, plus the words the question and the name share, weighted by how rare each
character pair is among the catalogue's names — whose weights are LEARNED from every labelled catalogue
question read so far (eval/catalogue_train.py, listwise softmax loss, numpy; cross-validated by leaving
one question set out).  The weights and the report they came from are data: assistant/data/catalogue_ranker.json.
Without that file the fused score ranks, as before.  Cost per question: POOL × len(FEATURES) numbers.

The decision whether the best item answers instead of the rulebook's decision is learned the same way (`Gate`,
a logistic model of GATE_FEATURES; eval/catalogue_gate_train.py, assistant/data/catalogue_gate.json): trained
on the read catalogue questions against the tune splits of the guide, fact, policy and out-of-scope sets, it
lets fewer law and guide questions be taken by a catalogue item than the hand rules it replaces (about 31
against 74 of the ~440 that reach it), which stay in catalogue.py for a catalogue without the file.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.core.catalogue_match import (CATALOGUE_WORDS, action_penalty, asked_operations, bigrams,
                                            operations, plain_name)

POOL = 30  # candidates re-ranked: the fused score's first 30 hold the expected item for ~97 % of read questions
WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "catalogue_ranker.json"
GATE_WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "catalogue_gate.json"
FEATURES = ("near", "near_gap", "near_rank", "cos_gap", "bm25", "bm25_rank", "name_cover", "question_cover",
            "char_cover", "unmatched", "op_agree", "op_disagree", "op_unasked", "variant_penalty", "department",
            "term_hit", "head_hit", "tail_hit", "level_note", "name_len")
_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")


def _core(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())


class NameStats:
    """What the features need of every item's name, computed once per catalogue: its plain form, its
    character pairs and characters with their rarity (IDF over the catalogue's names), its operations."""

    def __init__(self, names: list[str]):
        self.plain = [plain_name(n) for n in names]
        self.core = [_core(_BRACKETS.sub("", p)) or _core(p) for p in self.plain]
        self.pairs = [set(bigrams(p)) for p in self.core]
        self.chars = [set(p) for p in self.core]
        self.ops = [operations(n) for n in names]
        self.level = np.array([p != n for p, n in zip(self.plain, names)], dtype=np.float32)
        n = len(names)
        df2 = Counter(b for s in self.pairs for b in s)
        df1 = Counter(c for s in self.chars for c in s)
        self.idf2 = {b: math.log((n + 1) / (d + 0.5)) for b, d in df2.items()}
        self.idf1 = {c: math.log((n + 1) / (d + 0.5)) for c, d in df1.items()}


def _cover(part: set, whole: set, idf: dict) -> float:
    total = sum(idf.get(x, 0.0) for x in whole)
    return sum(idf.get(x, 0.0) for x in part) / total if total else 0.0


def reciprocal_ranks(values: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each value, best first (ties keep their order)."""
    order = np.argsort(-values, kind="stable")
    r = np.empty(len(values), dtype=np.float32)
    r[order] = np.arange(len(values))
    return 1.0 / (1.0 + r)


def features(stats: NameStats, names: list[str], departments: np.ndarray, pool: np.ndarray, text: str,
             near: np.ndarray, cos: np.ndarray, bmn: np.ndarray) -> np.ndarray:
    """One row of FEATURES per pooled item (indices `pool`); near/cos/bmn are the whole catalogue's arrays."""
    q_pairs, q_chars, q_core = set(bigrams(text)), set(_core(text)), _core(text)
    asked = asked_operations(text)
    terms = [w for w, cue in CATALOGUE_WORDS.items() if cue.search(text)]
    pn, pc, pb = near[pool], cos[pool], bmn[pool]
    rows = []
    for i in pool:
        pairs, core = stats.pairs[i], stats.core[i]
        shared = pairs & q_pairs
        ops = stats.ops[i]
        rows.append((
            _cover(shared, pairs, stats.idf2), _cover(shared, q_pairs, stats.idf2),
            _cover(stats.chars[i] & q_chars, stats.chars[i], stats.idf1),
            math.log1p(sum(1 for ch in core if ch not in q_chars)),
            float(bool(asked) and bool(ops & asked)), float(bool(asked) and not ops & asked),
            float(not asked and ops != {"新办"}), float(action_penalty(names[i], text)),
            float(departments[i]), float(any(w in names[i] for w in terms)),
            float(len(core) >= 2 and core[:2] in q_core), float(len(core) >= 2 and core[-2:] in q_core),
            float(stats.level[i]), math.log(1 + len(core))))
    rest = np.asarray(rows, dtype=np.float32).reshape(len(pool), 14)
    head = np.stack([pn, pn - pn.max(), reciprocal_ranks(pn), pc - pc.max(), pb, reciprocal_ranks(pb)], axis=1)
    return np.concatenate([head, rest], axis=1)


class Ranker:
    """score = ((f − mean) / scale) · w over FEATURES; the file records the report the weights came from."""
    NAMES, PATH = FEATURES, WEIGHTS

    def __init__(self, data: dict):
        if list(data["features"]) != list(self.NAMES):
            raise ValueError(f"{self.PATH.name}: features differ from the code's ({self.__class__.__name__})")
        self.mean = np.asarray(data["mean"], dtype=np.float32)
        self.scale = np.asarray(data["scale"], dtype=np.float32)
        self.w = np.asarray(data["weights"], dtype=np.float32)
        self.bias = float(data.get("bias", 0.0))

    def scores(self, f: np.ndarray) -> np.ndarray:
        return ((f - self.mean) / self.scale) @ self.w

    @classmethod
    def load(cls, path: Path | None = None):
        path = path or cls.PATH
        return cls(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


# The decision: does the best item answer instead of the rulebook's decision?  A logistic model of how well
# the item fits (meaning, shared words, its lead over the next candidate) against how well the rulebook's
# answer fits (the closest guide phrase, the rulebook's best item, what kind of answer it is).
GATE_FEATURES = ("near", "bm25", "name_cover", "question_cover", "char_cover", "op_agree", "margin",
                 "over_guides", "over_item", "item_alias", "other_operation", "guide", "policy", "clarify",
                 "refuse", "no_items")


class Gate(Ranker):
    """P(the catalogue item answers) = σ(((g − mean) / scale) · w + bias)."""
    NAMES, PATH = GATE_FEATURES, GATE_WEIGHTS

    def prob(self, g: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(self.scores(g) + self.bias))))
