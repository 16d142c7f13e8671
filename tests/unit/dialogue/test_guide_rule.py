"""The last rule: the best item's guide answers, led by what was asked (fixture corpus)."""
from __future__ import annotations

from rulebook_fixture import first, item_names


def test_a_named_item_is_answered_with_what_was_asked_and_its_card(ask):
    r = ask("结婚登记要带什么")
    assert (r.kind, r.decision.rule) == ("guide", "guide")
    assert first(r) == "办理「结婚登记」要带：本人有效居民身份证、双方近期半身免冠合影照片（2寸）。[1]"
    assert item_names(r) == ["结婚登记"] and r.items[0].windows == ["A33-A34"]
    assert r.suggestions == ["查看完整办事指南", "要带什么材料", "网上能办吗", "多久能办好"]
    assert r.context.focus == ["marriage-registration"]
    assert r.trace["decision"] == "guide: 结婚登记"


def test_asking_for_the_whole_guide_gives_every_field_of_the_item_in_focus(ask):
    before = ask("离婚登记要带什么")
    r = ask("查看完整办事指南", before.context)
    assert r.decision.rule == "guide" and "rule:full-guide" in r.trace["rules"]
    assert first(r) == "您要办理的事项是「离婚登记」，由示例市民政局（婚姻登记处）实施。[1]"
    assert any(p.startswith("【需要准备的材料】") for p in r.decision.paragraphs)
