"""A reviewed answer written by guide staff wins for the same question (fixture corpus, stub store)."""
from __future__ import annotations

from types import SimpleNamespace

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
