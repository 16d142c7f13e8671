"""Which clause of an article is the person's case, and the yes or no it gives a legality question
(quantities.fit, asked.yes_no_word): the amounts the person states against the scopes and limits of a clause."""
from assistant.core.asked import yes_no_word
from assistant.core.quantities import bounds, covers, fit
from assistant.evaluation.metrics import lead_polarity

ONE_YEAR = "劳动合同期限三个月以上不满一年的，试用期不得超过一个月"
THREE_YEARS = "劳动合同期限一年以上不满三年的，试用期不得超过二个月"


def test_an_upper_bound_said_with_bu_man_is_not_also_read_as_a_lower_bound():
    scope, limit = bounds(ONE_YEAR)
    assert (scope.low, scope.high, scope.limit) == (3, 12, False)
    assert limit.limit and limit.high < 2
    assert bounds("禁止用人单位招用未满十六周岁的未成年人")[0].low == 0


def test_the_clause_whose_scope_holds_the_stated_contract_length_is_the_case():
    q = "劳动合同签一年，试用期可以约定多久"
    assert fit(q, THREE_YEARS).applies and fit(q, ONE_YEAR).applies is False


def test_two_amounts_of_one_kind_go_to_the_ranges_whose_words_they_share():
    q = "合同才签半年，老板要我试用两个月，能这么搞吗"
    f = fit(q, ONE_YEAR)
    assert f.applies and f.within is False  # half a year is this clause's case, two months exceed its limit
    assert fit(q, THREE_YEARS).applies is False
    assert covers("签了三年的合同，公司说试用期六个月，这合法不", "三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月")


def test_a_prohibition_says_no_to_the_case_it_covers_and_nothing_about_others():
    ban = "对怀孕七个月以上的女职工，不得安排其延长工作时间和夜班劳动。"
    assert covers("老婆怀孕八个多月了，单位还排她上夜班，合法吗", ban) is False
    assert covers("我怀孕三个月，单位排夜班合法吗", ban) is None


def test_a_legality_question_gets_lawful_or_not_from_the_rule():
    assert yes_no_word("厂里招15岁的小孩干活，这合法吗", "禁止用人单位招用未满十六周岁的未成年人。") == "不合法"
    assert yes_no_word("公司要扣着我身份证，这合法吗", "用人单位招用劳动者，不得扣押劳动者的居民身份证和其他证件。") == "不合法"
    # the person says it is NOT done, the rule says it shall be: not lawful
    assert yes_no_word("一分加班费不给，这合法吗", "用人单位安排加班的，应当按照国家有关规定向劳动者支付加班费。") == "不合法"
    # doing what an 应当 asks is not thereby declared lawful (合法 needs a rule that permits or a range that holds)
    assert yes_no_word("公司发了加班费，这合法吗", "用人单位安排加班的，应当按照国家有关规定向劳动者支付加班费。") == ""
    # a clause that punishes what is described
    assert yes_no_word("收了我们押金，这合法吗", "违反本法规定，以担保名义收取财物的，由劳动行政部门责令限期退还，并处以罚款。") == "不合法"
    assert yes_no_word("签了三年的合同，公司说试用期六个月，这合法不",
                       "三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。") == "合法"


def test_lawful_leads_as_a_yes():
    assert lead_polarity("合法。《劳动合同法》第十九条：…") == "是"
    assert lead_polarity("不合法。《劳动合同法》第九条：…") == "否"


def test_hours_are_an_amount_a_limit_checks():
    assert covers("车间每天让加班四个钟头，合法吗", "延长工作时间每日不得超过三小时") is False


def test_a_clause_opening_with_its_scope_takes_the_yes_of_the_case_it_holds():
    # "不满六个月的" names a case, it is not a "no"; "有补偿吗给多少" asks a yes/no before its number
    assert yes_no_word("才干了四个月就被辞退了，有补偿吗给多少", "不满六个月的，向劳动者支付半个月工资的经济补偿。") == "有"
    assert lead_polarity("有。《劳动合同法》第四十七条：…") == "是" and lead_polarity("有效期为十年") is None


def test_lawful_is_said_only_by_a_rule_that_permits_or_a_range_that_holds():
    # an 应当 that binds the authority says nothing about whether the fee the person paid was lawful
    assert yes_no_word("部门收了我审批费，这合法吗", "行政机关应当依法作出准予行政许可的书面决定。") == ""
    assert yes_no_word("部门收了我审批费，这合法吗", "行政机关实施行政许可，不得收取任何费用。") == "不合法"
    # 符合法律援助条件 is not a legality question
    assert yes_no_word("符合法律援助条件，公证费能不能少交点", "公证机构应当按照规定减免公证费。") == "可以"


def test_hui_bu_hui_is_answered_by_the_rule():
    assert yes_no_word("失业金会不会比低保还低", "失业保险金的标准，不得低于城市居民最低生活保障标准。") == "不会"
    assert lead_polarity("会。《民法典》第二百二十一条：…") == "是"
