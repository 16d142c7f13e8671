"""How a message is read against the conversation (turn.py, follow_up.py): a reply picks a choice, a
short question follows the focus, "那…呢" moves to a related item."""
from __future__ import annotations

from rulebook_fixture import first, item_names


def test_a_reply_to_the_choices_answers_the_chosen_item(ask):
    choices = ask("公积金怎么取")
    r = ask("买房的", choices.context)
    assert r.decision.rule == "guide" and "rule:clarify-reply" in r.trace["rules"]
    assert first(r).startswith("办理「住房公积金购房提取」要带：")
    assert item_names(r)[0] == "住房公积金购房提取"


def test_a_short_follow_up_stays_with_the_item_in_focus(ask):
    before = ask("离婚登记要带什么")
    r = ask("要多久", before.context)
    assert "rule:followup-rewrite" in r.trace["rules"]
    assert item_names(r) == ["离婚登记"] and r.context.turns == 2


def test_that_one_then_moves_to_the_related_item(ask):
    rent = ask("租房的", ask("公积金怎么取").context)
    r = ask("那买房呢", rent.context)
    assert any(x.startswith("rule:followup-sibling:住房公积金购房提取") for x in r.trace["rules"])
    assert item_names(r)[0] == "住房公积金购房提取"
