"""A four-guide fixture corpus (tests/unit/fixtures: 结婚登记, 离婚登记 and two 公积金 提取 items, with
excerpts of two laws) indexed with a fake embedder, so that an `Assistant` exists in about a second and
every rule of the dialogue policy can be tested on its own.

The fake embedder (small_corpus.BigramEmbedder) hashes character bigrams into 512 dimensions: texts that share words are close,
nothing is downloaded or loaded, and the same text always gives the same vector.  Like e5, it keeps
every cosine high: one shared dimension of weight √6 puts unrelated texts at 6/7 ≈ 0.857 (below the
0.875 / 0.895 thresholds) and texts sharing half their bigrams near 0.93.  The scope model is
switched off (every message counts as a service question) except where a test sets one.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MONDAY_MORNING = datetime(2026, 12, 7, 10, 0)  # the 导办台 is staffed


def first(result) -> str:
    """The answer's first paragraph: what the person reads first."""
    return result.decision.paragraphs[0]


def item_names(result) -> list[str]:
    return [card.name for card in result.items]


class FixedScope(SimpleNamespace):
    """A scope model that gives every message the same probability."""

    def probability(self, text, qvec):
        return self.p
