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
    ("首套房契税能减免吗", "在哪个窗口交", False),  # a yes/no about the item is no bare how: it does not answer where
    ("", "在哪申请", True),
    ("什么时候开始", "几号开始报名", True),  # 几号 is a date, not a count  # the item's name alone (失业金怎么领 is an alias) asks how, and so where
])
def test_a_correction_answers_the_same_ask(correction, asked, expected):
    assert answers(correction, slots(asked)) is expected, (correction, asked)


def test_the_slot_is_read_from_the_request_not_from_the_item_name():
    # 出入境证件 contains 证件 (a materials word); without the name the question asks only where
    assert slots("出入境证件在哪办") == {"how", "materials", "place"}
    assert slots(without("出入境证件在哪办", ["出入境证件"])) == {"place"}
    # 补办结婚证 contains 办结, which is not a time word on its own (办结时限 is)
    assert slots("补办结婚证要带什么") == {"how", "materials"}


def test_a_correction_counts_when_the_router_is_unsure_only_if_it_is_the_nearest_example():
    from assistant.store.curated_match import routed

    # 公司要开发票，发票怎么申领: 代开发票 leads (no alias), 发票申领 second; the correction is closer than any phrase of 代开发票
    cands = [("invoice-issuing", 0.75, False, 0.935), ("invoice-application", 0.597, False, 0.962)]
    assert routed(cands, "invoice-application", 0.964)
    assert not routed(cands, "invoice-application", 0.93)  # a phrase of the leader is closer than the correction
    assert not routed(cands, "invoice-application", 0.964, lambda rivals: True)  # says a word only the rival's names say
    assert not routed([("invoice-issuing", 0.75, True, 0.935)] + cands[1:], "invoice-application", 0.964)  # alias decided
    assert not routed(cands, "legal-aid", 0.99)  # the correction's item is not among the leading ones
    # the item leads by less than route_margin: the runner-up is the rival
    close = [("housing-fund-loan", 0.698, False, 0.941), ("withdrawal-purchase", 0.673, False, 0.933)]
    assert routed(close, "housing-fund-loan", 0.936)
    assert not routed(close, "housing-fund-loan", 0.92)
    # the item leads by the margin: routed, however close a runner-up's phrase (led_slack is off)
    led = [("employee-pension-claim", 0.70, False, 0.916), ("resident-pension-enrollment", 0.60, False, 0.939)]
    assert routed(led, "employee-pension-claim", 0.85)


def test_a_rival_word_is_one_the_rival_names_say_and_the_correction_does_not():
    from assistant.store.curated_match import rival_words

    rent = ["租房提取公积金要什么材料", "住房公积金提取（租房）", "租房提公积金"]
    assert rival_words("买房提取公积金要什么材料", ["住房公积金提取（购房）", "买房提公积金"], rent) == {"买"}
    loan = ["公积金贷款最多能贷多少", "住房公积金个人住房贷款", "公积金买房贷款"]
    assert rival_words("用公积金买房能贷多少钱", ["住房公积金提取（购房）", "买房提公积金"], loan) == set()

    # an aspect word is not a rival's: 证件 (in 出入境证件申领) asks for materials here
    move_in = ["老婆户口迁过来要带什么", "户口迁入", "迁户口"]
    assert rival_words("我老婆是外地的，户口迁宿迁得带什么证件", ["出入境证件申领", "办护照"], move_in) == set()


@pytest.mark.parametrize("correction, asked, expected", [
    ("能补吗", "去哪里补", True),  # a yes/no about the item itself (离婚证丢了能补吗) is a bare how: it answers where
    ("营业执照坏了能换吗", "撕坏了咋办", True),  # a yes/no about a detail answers how …
    ("营业执照坏了能换吗", "营业执照丢了要带什么", False),  # … but not 要带什么
    ("要什么条件", "自己辞职能领失业保险金吗", True),  # whether one may is asked by a yes/no question
    ("怎么弄", "厂里招了几个工人，社保增员咋弄", True),  # a count told in the story asks no how-much
    ("查名下有几套房要带什么", "需要带啥", True),  # … nor does a count that is the object of another question word
    ("要带什么", "跑了好几趟都没办成，要带啥", True),
    ("有什么用", "怎么办", False),  # what it is for is an ask of its own
    ("怎么开", "要交税吗", False),  # a tax, like a fee, is a how-much
    ("开公司一次办完要准备哪些材料", "要几天能办完", False),  # 一次办完 names a one-stop service, it asks no time
    ("申请了几天能到账", "多久能到账", True),  # a count of days is still asked after 了
    ("领取要什么条件", "交了多久失业保险才能领", True),  # how long one must have paid: who may
])
def test_asks_are_read_as_citizens_ask_them(correction, asked, expected):
    assert answers(correction, slots(asked)) is expected, (correction, asked)


def test_an_act_the_item_is_need_not_be_said_on_either_side():
    from assistant.store.curated_match import acts, item_acts, same_acts

    tax = item_acts(("税务注销", "清税证明"))
    assert same_acts(acts("公司注销前税务清税要几天"), acts("清税证明多久能开出来"), tax)
    # an alias is no act of the item: 社会保障卡申领 has 补办社保卡, but 补办 is not 申请
    card = item_acts(("社会保障卡申领", "补办社保卡", "社保卡丢了"))
    assert not same_acts(acts("社保卡怎么申请"), acts("社保卡丢了怎么补办"), card)
    assert not same_acts(acts("补领结婚证要带什么"), acts("结婚登记要带什么"), item_acts(("结婚登记", "领证")))


def test_a_word_only_the_correction_says_counts_for_it_against_a_closer_rival():
    from assistant.store.curated_match import routed

    # 执照被水泡烂了，能换个新的吗: 不动产权证书补发 leads (no alias) and its phrases are closer than the correction
    cands = [("real-estate-certificate-reissue", 0.528, False, 0.934), ("business-license-replacement", 0.419, False, 0.903)]
    assert not routed(cands, "business-license-replacement", 0.915)
    assert routed(cands, "business-license-replacement", 0.915, says_own=lambda rivals: True)  # 执照
    assert not routed(cands, "business-license-replacement", 0.915, lambda rivals: True, lambda rivals: True)


def test_a_word_said_not_to_apply_is_no_rivals():
    from assistant.store.curated_match import rival_words

    own = ["自由职业怎么交社保", "灵活就业人员参保登记", "自己交社保"]
    assert rival_words("我没单位，社保自己怎么缴", ["单位职工参保登记", "给员工交社保"], own) == set()
    assert rival_words("单位怎么给交社保", ["单位职工参保登记", "给员工交社保"], own) == {"单", "位"}


def test_replacing_a_damaged_card_is_an_act_of_its_own():
    from assistant.store.curated_match import item_acts, same_acts, told_acts

    card = item_acts(("社会保障卡申领", "换社保卡"))
    assert not same_acts(told_acts("社保卡怎么申请"), told_acts("社保卡坏了怎么换"), card)
    assert same_acts(told_acts("社保卡消磁了怎么办"), told_acts("社保卡坏了怎么换"), card)
    assert same_acts(told_acts("社保卡芯片读不出来了，咋换新卡"), told_acts("社保卡坏了怎么换"), card)
