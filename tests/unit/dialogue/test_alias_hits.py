"""`Router.alias_hits` finds each item's longest name or alias said in the question (non-overlapping,
longest first, not negated); it searches only the names that start with one of the question's character
pairs, and must find exactly what trying every name finds."""
from __future__ import annotations

import random

from assistant.core.rank_items import Router
from assistant.core.understand import negated


def every_name(router: Router, text: str) -> dict[str, str]:
    """The same search over every name, longest first (the search before names were indexed by their start)."""
    found: dict[str, str] = {}
    taken = [False] * len(text)
    low = text.lower()
    for n in router._by_len:
        if len(n) < 2:
            continue
        start = low.find(n)
        while start >= 0:
            if not any(taken[start:start + len(n)]) and not negated(low, start):
                taken[start:start + len(n)] = [True] * len(n)
                for iid in router.names[n]:
                    found.setdefault(iid, n)
                break
            start = low.find(n, start + 1)
    return found


def test_alias_hits_match_a_search_over_every_name(fixture_index):
    router = Router(fixture_index)
    names = list(router.names)
    rng = random.Random(7)
    glue = ["", "我想", "不是", "，", "要带什么", "租房", "不要", "办"]
    questions = ["结婚登记要带什么", "不是结婚是离婚", "领结婚证和离婚登记", "租房提取公积金", "我不想离婚"]
    questions += ["".join(rng.choice(names + glue) for _ in range(rng.randint(1, 5))) for _ in range(300)]
    hits = 0
    for q in questions:
        got = router.alias_hits(q)
        assert got == every_name(router, q), q
        hits += bool(got)
    assert hits > 200  # the questions do name items
