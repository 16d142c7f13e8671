"""The learned catalogue ranker (catalogue_rank.py): among candidates the meaning cannot tell apart, the
shipped weights put first the sibling whose operation the question asks for and the item whose words the
question says."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.core.catalogue_rank import (FEATURES, GATE_FEATURES, GATE_WEIGHTS, WEIGHTS, Gate, NameStats, Ranker,
                                           features)

SIBLINGS = ["烟草专卖零售许可证新办", "烟草专卖零售许可证注销", "烟草专卖零售许可证延续", "烟草专卖零售许可证补办",
            "犬类准养证核发", "道路运输证配发（县级）"]


def ranked(question: str, names: list[str] = SIBLINGS) -> list[str]:
    stats = NameStats(names)
    n = len(names)
    same = np.full(n, 0.9, dtype=np.float32)  # the meaning alone ties every candidate
    f = features(stats, names, np.zeros(n, bool), np.arange(n), question, same, same, np.zeros(n, np.float32))
    assert f.shape == (n, len(FEATURES))
    scores = Ranker.load().scores(f)
    return [names[i] for i in np.argsort(-scores, kind="stable")]


@pytest.mark.parametrize("question, expected", [
    ("小卖部不开了，烟草证要去注销", "烟草专卖零售许可证注销"),
    ("烟草证明年到期了，要续一下", "烟草专卖零售许可证延续"),
    ("烟草证弄丢了咋办", "烟草专卖零售许可证补办"),
    ("开个小卖部想卖烟，烟草证怎么办", "烟草专卖零售许可证新办"),
])
def test_the_asked_operation_ranks_its_sibling_first(question, expected):
    assert ranked(question)[0] == expected


def test_the_item_whose_words_the_question_says_ranks_first():
    assert ranked("家里养了条狗，犬类的证在哪办")[0] == "犬类准养证核发"


def test_the_shipped_weights_name_their_features_and_report():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and len(data["weights"]) == len(FEATURES)
    assert data["report"] == "eval/reports/catalogue-train.json"


def test_weights_for_other_features_are_refused():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    with pytest.raises(ValueError):
        Ranker({**data, "features": data["features"][:-1]})


def gate_input(**values) -> np.ndarray:
    data = json.loads(GATE_WEIGHTS.read_text(encoding="utf-8"))
    g = np.asarray(data["mean"], dtype=np.float32).copy()
    for name, value in values.items():
        g[GATE_FEATURES.index(name)] = value
    return g


def test_the_gate_lets_an_item_clearly_closer_than_the_guides_answer():
    gate = Gate.load()
    assert gate.prob(gate_input(near=0.95, over_guides=0.03, over_item=0.03, item_alias=0, guide=1)) >= 0.5


def test_the_gate_keeps_a_guide_found_by_its_alias_and_closer_than_the_item():
    gate = Gate.load()
    assert gate.prob(gate_input(near=0.9, over_guides=-0.03, over_item=-0.04, item_alias=1, guide=1)) < 0.5
