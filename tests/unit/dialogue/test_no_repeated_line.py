"""No answer shows the same line twice, whatever rule composed it (fixture corpus)."""
from __future__ import annotations

import re

import pytest

from assistant.core.compose import distinct_lines
from assistant.core.dialogue.state import Context

ITEMS = ("结婚登记", "离婚登记", "公积金租房提取", "公积金买房提取")
ASKS = ("要带什么", "在哪办", "怎么办", "要多久", "多少钱", "流程", "条件", "能网上办吗", "查看完整办事指南", "")
FOLLOW_UPS = ("那要多久", "在哪个窗口", "要带什么材料", "能委托别人吗")


def _repeated(answer: str) -> list[str]:
    lines = [re.sub(r"\[\d+\]", "", line).strip() for line in answer.split("\n")]
    return sorted({line for line in lines if line and lines.count(line) > 1})


def test_an_earlier_line_is_not_shown_again_even_with_another_citation_number():
    paras = ["【人工审核】双方带身份证即可。\n办理地点：A33窗口。", "办理地点：A33窗口。[2]", "办理时限：当场办结。"]
    assert distinct_lines(paras) == ["【人工审核】双方带身份证即可。\n办理地点：A33窗口。", "办理时限：当场办结。"]
    assert distinct_lines(["a", "b\n\nc"]) == ["a", "b\n\nc"]  # blank lines are not repeats


@pytest.mark.parametrize("item", ITEMS)
def test_no_composed_answer_repeats_a_line(ask, item):
    for q in (item + a for a in ASKS):
        r = ask(q)
        assert _repeated(r.answer) == [], (q, r.answer)
        for f in FOLLOW_UPS:
            follow = ask(f, Context(focus=r.context.focus, turns=1))
            assert _repeated(follow.answer) == [], (q, f, follow.answer)
