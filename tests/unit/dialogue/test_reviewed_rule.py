"""A reviewed answer written by guide staff wins for the same question (fixture corpus, stub store)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rulebook_fixture import first, item_names

from assistant.core.dialogue.state import Context


class OneAnswer:
    """A curated store that knows one answer, for any question."""

    def lookup(self, text, embed):
        return SimpleNamespace(id="3f2a9c", item_id="marriage-registration", similarity=0.951,
                               answer="双方带身份证到窗口即可，不需要户口本。",
                               chunk_ids=["guide/marriage-registration#materials"])


def test_a_reviewed_answer_leads_with_its_mark_and_names_the_place(ask, assistant):
    assistant.curated = OneAnswer()
    r = ask("结婚要带户口本吗")
    assert (r.kind, r.decision.rule) == ("guide", "curated-answer")
    assert first(r) == "【人工审核】双方带身份证到窗口即可，不需要户口本。[1]"
    assert r.decision.paragraphs[1].startswith("办理地点：综合政务大厅公共服务和综合办件专区A33-A34窗口。")
    assert item_names(r) == ["结婚登记"] and r.context.focus == ["marriage-registration"]
    assert r.trace["decision"] == "curated: 3f2a9c (similarity 0.951)"


def test_a_reply_to_a_clarifying_question_is_not_answered_from_the_reviewed_answers(ask, assistant):
    assistant.curated = OneAnswer()
    pending = ["housing-fund-withdrawal-rent", "housing-fund-withdrawal-purchase"]
    r = ask("租房的", Context(focus=pending, pending=pending, clarified_once=True))
    assert r.decision.rule == "guide" and item_names(r)[0] == "住房公积金租房提取"


class Says:
    """A curated store whose one answer is `text`."""

    def __init__(self, text: str):
        self.text = text

    def lookup(self, text, embed):
        return SimpleNamespace(id="5d1e07", item_id="marriage-registration", similarity=1.0, answer=self.text,
                               chunk_ids=[])


PLACE = "办理地点：综合政务大厅公共服务和综合办件专区A33-A34窗口。"


@pytest.mark.parametrize("staff_text", [
    "双方带身份证即可。\n" + PLACE,                 # the staff copied the place line the answer would add
    "双方带身份证即可。\n办理地点：市民中心二楼。",  # their own place line
    "双方带身份证到A33-A34窗口办理。",              # the windows named in the text
])
def test_a_reviewed_answer_that_says_where_gets_no_second_place_line(ask, assistant, staff_text):
    assistant.curated = Says(staff_text)
    r = ask("结婚登记要带什么")
    assert r.decision.rule == "curated-answer"
    assert r.answer == "【人工审核】" + staff_text
    assert r.answer.count("办理地点") <= 1 and r.answer.count("A33-A34") <= 1


def test_a_reviewed_answer_that_does_not_say_where_gets_the_place_line(ask, assistant):
    assistant.curated = Says("双方带身份证即可。")
    assert ask("结婚登记要带什么").answer.split("\n")[-1].startswith(PLACE)
