"""The first paragraph answers the aspect asked (issue 11, item 1): where to go is the 办理地点 field, a question
about going on site is answered yes or no by the visits and the online route, a validity or a deadline to act is
not the 办结时限, paying in is not drawing out, and a yes/no comes only from a sentence about what was asked
(fixture corpus for the answers, the real lexicon for the words)."""
from __future__ import annotations

from types import SimpleNamespace

from rulebook_fixture import first

from assistant.core.asked import ask_of, yes_no_word
from assistant.core.understand import aspects_of, names_of


def test_where_to_go_leads_with_the_windows_not_a_sentence_that_mentions_a_window(ask):
    assert "C01-C02" in first(ask("公积金租房提取在哪个窗口办"))
    assert "A35" in first(ask("离婚登记去大厅哪个窗口"))


def test_a_question_about_going_on_site_is_answered_by_the_visits_and_the_online_route(ask):
    assert first(ask("租房提取公积金需要去现场吗")).startswith("不需要。")
    assert first(ask("离婚登记要跑一趟吗")).startswith("需要。")


def test_the_online_route_says_no_to_going_and_yes_to_not_going():
    route = "全程网办。江苏政务服务网 → 选择“宿迁市” → 在线申报"
    assert yes_no_word("企业投资项目备案需要去现场吗", route) == "不需要"
    assert yes_no_word("开饭店办证要不要到窗口跑一趟", route) == "不需要"
    assert yes_no_word("不去现场能办吗", "到现场次数：0次。") == "可以"
    assert yes_no_word("办居住证要去窗口吗", "到现场次数：1次。") == "需要"


def test_a_yes_or_no_is_not_taken_from_a_sentence_about_something_else(ask):
    # "可以" of "可在全国任一婚姻登记机关办理" does not answer whether a relative may come instead
    lead = first(ask("结婚登记能让家里人替我去吗"))
    assert not lead.startswith("可以") and "亲自到场" in lead


def test_where_words_are_not_what_the_question_is_about():
    ask = ask_of("离婚登记去大厅哪个窗口", ["place"], ["离婚", "登记", "去", "大厅", "哪个", "窗口"])
    assert "窗口" not in ask.words and "大厅" not in ask.words and "离婚" in ask.words


def test_how_long_a_licence_is_valid_and_a_deadline_to_act_are_not_the_time_the_office_takes():
    assert "time" in aspects_of("健康证办下来要多长时间")
    assert "time" not in aspects_of("健康证办一次管多长时间")
    assert "time" not in aspects_of("食品经营许可证有效期几年")
    assert "time" not in aspects_of("单位不报工伤，我自己去申请最晚能拖到啥时候")
    assert "place" not in aspects_of("下班骑电动车回家路上被撞了算工伤吗")


def test_paying_in_and_drawing_out_are_told_apart():
    pay = ask_of("城乡居民养老保险多大年纪可以开始交", ["conditions"], ["城乡", "居民", "养老", "保险", "年纪", "开始"])
    assert any(against.search("领取年龄仍为60周岁") for _answer, against in pay.other)
    draw = ask_of("职工养老金多少岁可以领", [], ["职工", "养老金", "多少岁"])
    assert any(against.search("年满16周岁可以参保缴费") for _answer, against in draw.other)
    both = ask_of("居民养老保险交够了，多少岁开始领钱", [], ["居民", "养老", "保险", "交够", "开始"])
    assert not both.other  # it says both: no side is the other


def test_an_item_is_named_by_its_name_without_the_closing_action_word():
    legal_aid = SimpleNamespace(name="法律援助申请", aliases=["申请法律援助", "办社保卡"])
    assert {"法律援助", "社保卡"} <= names_of(legal_aid)


def test_a_cue_inside_a_phrase_about_something_else_asks_nothing():
    # "多少天内去办变更" is the person's deadline and "搬了新地址" their own address: no 办结时限, no 办理地点
    ask = ask_of("公司搬了新地址，要在多少天内去办变更", [], ["公司", "搬", "新", "地址", "多少", "天内", "去", "办", "变更"])
    assert not ask.fields & {"time", "place"}
    assert ask_of("营业执照变更多少天能办好", ["time"], ["营业执照", "变更", "多少", "天", "办好"]).fields >= {"time"}
