"""An item that does something specific (变更, 补发) is lowered when the question names no such action,
except the item the question is closest to in meaning: "公司变跟登记需要什么材料" (a typo of 变更) still
asks for 企业变更登记 (rank_items.Router._scored)."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.core.rank_items import Router


def _router() -> Router:
    r = object.__new__(Router)
    r.guides = {"set": SimpleNamespace(name="企业设立登记", audience=["法人"]),
                "chg": SimpleNamespace(name="企业变更登记", audience=["法人"])}
    return r


def _score(r: Router, sem: dict[str, float]) -> dict[str, float]:
    out = r._scored(sem, {"set": 1.0, "chg": 1.0}, {}, {}, {}, set(), [], None, set())
    return {c.item_id: c.score for c in out}


def test_the_item_closest_in_meaning_is_not_lowered_for_an_action_the_question_words_differently():
    scores = _score(_router(), {"set": 0.90, "chg": 0.92})
    assert scores["chg"] > scores["set"]


def test_an_action_item_the_question_does_not_mean_is_still_lowered():
    scores = _score(_router(), {"set": 0.92, "chg": 0.90})
    assert scores["set"] - scores["chg"] > 0.1
