"""The lead-weight trainer (eval/lead_train.py): its labels, its losses' gradients and that fitting finds weights
that put the labelled unit first."""
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("lead_train", ROOT / "eval" / "lead_train.py")
LT = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(LT)


def _unit(text, kind="law", law="中华人民共和国民法典", article="第一千零四十七条", item=None, aspect=None):
    return SimpleNamespace(text=text, chunk=SimpleNamespace(kind=kind, law=law, article=article, item_id=item,
                                                            aspect=aspect, chunk_id=f"{kind}/{law or item}#{article}"))


def test_a_law_question_is_answered_only_by_its_governing_article():
    src = {"law": "民法典", "article": "第一千零四十七条"}
    also = [{"item": "marriage-registration", "field": "受理条件"}]
    facts = ["二十二周岁"]
    assert LT.label(_unit("男不得早于二十二周岁"), facts, src, also) == 1
    assert LT.label(_unit("男不得早于二十二周岁", article="第一千零四十六条"), facts, src, also) == 0
    assert LT.label(_unit("结婚年龄，女不得早于二十周岁"), facts, src, also) == 0
    # the item's own guide saying the fact is neither right nor wrong for the law question
    guide = _unit("男方年满二十二周岁", kind="guide", law=None, article=None, item="marriage-registration",
                  aspect="conditions")
    assert LT.label(guide, facts, src, also) is None


def test_a_guide_question_is_answered_by_its_item():
    src = {"item": "divorce-registration", "field": "办结时限"}
    mine = _unit("当场办结", kind="guide", law=None, article=None, item="divorce-registration", aspect="time")
    other = _unit("当场办结", kind="guide", law=None, article=None, item="marriage-registration", aspect="time")
    assert LT.label(mine, ["当场办结"], src, []) == 1
    assert LT.label(other, ["当场办结"], src, []) == 0


def _problem(seed=3, groups=12, size=7, dim=4):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(groups):
        X = rng.normal(size=(size, dim))
        y = np.zeros(size)
        y[np.argmax(X[:, 0])] = 1  # feature 0 says which unit answers
        out.append({"qid": f"q{i // 2}", "X": X, "y": y})
    return out


@pytest.mark.parametrize("loss", ["listwise", "top1"])
def test_loss_gradients_match_finite_differences(loss):
    X, y, gid, gw = LT._stack(_problem())
    w = np.array([0.3, -0.2, 0.5, 0.1])
    w0 = np.zeros(4)
    _, g = LT.LOSSES[loss](w, X, y, gid, gw, 0.5, 0.01, w0)
    eps = 1e-6
    num = [(LT.LOSSES[loss](w + eps * e, X, y, gid, gw, 0.5, 0.01, w0)[0]
            - LT.LOSSES[loss](w - eps * e, X, y, gid, gw, 0.5, 0.01, w0)[0]) / (2 * eps) for e in np.eye(4)]
    assert np.allclose(g, num, atol=1e-5)


@pytest.mark.parametrize("loss", ["listwise", "top1"])
def test_fitting_moves_wrong_weights_to_ones_that_rank_the_answer_first(loss):
    groups = _problem()
    wrong = np.array([-0.5, 1.0, 0.0, 0.0])  # starts out preferring another feature
    assert LT.top1(groups, wrong) < 0.5
    w = LT.fit(groups, temp=0.5, l2=0.0, w0=wrong, steps=400, lr=0.05, loss=loss)
    assert LT.top1(groups, w) == 1.0
