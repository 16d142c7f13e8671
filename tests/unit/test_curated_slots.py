"""Which asks a correction answers (store/curated_match.py), read from the question without its item name."""
from __future__ import annotations

import pytest

from assistant.store.curated_match import answers, slots, without


@pytest.mark.parametrize("correction, asked, expected", [
    ("要带什么", "需要准备哪些东西", True),  # 材料 = 材料
    ("怎么办", "得走哪些程序", True),  # a bare how covers 流程
    ("怎么办", "要带啥", True),  # … and 材料
    ("怎么办", "在哪里申请", True),  # … and where: the reviewed answer always shows the place
    ("要带什么", "在哪个窗口办", False),  # 材料 does not answer 地点
    ("怎么办", "要多久", False),  # a bare how does not answer 时限
    ("要多久", "得等几天", True),  # 几天 is a time, not a count
    ("能领多久", "最多能领几个月", True),
    ("要收费吗", "工本费多少钱", True),  # 收费 and 多少钱 are one slot
    ("要带什么", "要带几张照片", False),  # how many is asked on both sides or neither
    ("能取吗", "能取多少", False),
])
def test_a_correction_answers_the_same_ask(correction, asked, expected):
    assert answers(correction, slots(asked)) is expected, (correction, asked)


def test_the_slot_is_read_from_the_request_not_from_the_item_name():
    # 出入境证件 contains 证件 (a materials word); without the name the question asks only where
    assert slots("出入境证件在哪办") == {"how", "place"}
    assert slots(without("出入境证件在哪办", ["出入境证件"])) == {"place"}
    # 补办结婚证 contains 办结, which is not a time word on its own (办结时限 is)
    assert slots("补办结婚证要带什么") == {"how"}
