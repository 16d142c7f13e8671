"""The first paragraph answers (issue 11): the sentence that answers leads, its yes/no is said once and
never contradicts it, and the article behind a guide sentence is cited (fixture corpus)."""
from __future__ import annotations

import dataclasses

import jieba

from rulebook_fixture import first

from assistant.core.compose import Citations, field_para, no_answer_line
from assistant.core.governing import corroboration, facts_of
from assistant.core.dialogue.thresholds import LEAD
from assistant.core.asked import ask_of, yes_no_word
from assistant.core.lead import LeadSelector, answers, units_of
from assistant.core.quantities import covers, quantities

COOLING_OFF = "law/中华人民共和国民法典（婚姻家庭编摘录，测试用）#第一千零七十七条"


def test_a_faq_sentence_that_leads_is_cited_with_the_article_that_says_the_same(ask):
    r = ask("离婚冷静期是多长时间")
    lead = first(r)
    assert lead.startswith("自婚姻登记机关收到离婚登记申请之日起三十日内为冷静期。[1]")
    assert lead.endswith("第一千零七十七条[2]）") and len(lead) <= 120
    assert r.decision.citations.items[1].chunk_id == COOLING_OFF
    assert "rule:law-behind-lead" in r.trace["rules"]


def test_a_guide_sentence_no_article_states_is_not_given_one_and_its_answer_is_said_once(ask):
    r = ask("结婚登记要钱吗")
    assert first(r) == "不收费。标准：不收费[1]"  # not "不收费。不收费。…"
    assert "rule:law-behind-lead" not in r.trace["rules"]


def test_a_sentence_that_opens_with_its_own_answer_gets_no_second_one():
    assert yes_no_word("父母去世后过户一定要先做公证吗", "不一定。可以办继承权公证，也可以不公证。") == ""
    assert yes_no_word("上小学要考试吗", "一般不能。学校不得招收未达入学年龄的儿童。") == ""
    assert yes_no_word("找到工作了还能接着领吗", "不需要每月到窗口签到，但要保持求职状态。") == ""
    assert yes_no_word("能委托家人代办吗", "结婚登记必须男女双方本人亲自到场，不受理委托代办。") == "不可以"


def test_an_optional_step_is_a_yes_to_can_and_a_no_to_must():
    step = "网上预约（宿心办或江苏政务服务网，可选）"
    assert yes_no_word("能在网上先预约吗", step) == "可以"
    assert yes_no_word("要先预约吗", step) == "不需要"


def test_the_same_number_written_two_ways_is_one_fact():
    assert facts_of("自受理之日起15个工作日内出具") == facts_of("十五个工作日内向当事人出具") == {("15", "工作日")}
    assert facts_of("试用期工资不得低于百分之八十") == facts_of("不低于80%") == {("80", "%")}
    assert corroboration("30日内未答复视为放弃", "自接到书面通知之日起三十日内未答复的，视为放弃优先购买权") > 0
    assert corroboration("30日内未答复视为放弃", "股东会会议召开前二十日内不得变更股东名册") == 0


def test_the_yes_or_no_follows_the_age_the_person_says_not_the_wording_of_the_rule(ask):
    assert first(ask("女的二十岁能领结婚证吗")).startswith("可以。《民法典（婚姻家庭编摘录，测试用）》第一千零四十七条：")
    assert first(ask("男的二十一岁能领结婚证不")).startswith("不可以。《民法典（婚姻家庭编摘录，测试用）》第一千零四十七条：")


def test_the_clause_for_the_persons_case_leads(ask):
    r = ask("离婚后孩子一岁半归谁带")
    assert "不满两周岁的子女，以由母亲直接抚养为原则" in first(r)
    r = ask("离婚时孩子都十岁了，抚养归谁法律怎么规定")
    assert "不满两周岁" not in first(r)


def test_a_fee_standard_that_says_it_is_free_is_not_repeated(assistant):
    g = next(x for x in assistant.index.corpus.guides if x.id == "marriage-registration")
    assert field_para(assistant.index, g, "fee", Citations()) == ["收费：不收费[1]"]  # not "不收费。不收费"


def test_no_answer_for_the_legal_basis_is_said_plainly(assistant):
    g = next(x for x in assistant.index.corpus.guides if x.id == "marriage-registration")
    assert no_answer_line(g, {"basis", "fee"}, "[1]").startswith("办事指南中没有写明收费、设定依据的具体答案")


def test_a_service_question_about_a_named_item_is_answered_by_its_field(ask):
    assert first(ask("离婚登记多久能办好")).startswith("法定办结时限：冷静期届满后当场办结")
    # "多久" of the cooling-off period: the sentence that says 冷静期 answers, not the 办结时限
    assert first(ask("离婚登记的冷静期要等多久")).startswith("自婚姻登记机关收到离婚登记申请之日起三十日内为冷静期。")


def test_is_it_so_is_answered_only_when_the_persons_number_decides_it():
    assert yes_no_word("50岁换的身份证是不是就长期有效了", "四十六周岁以上的，发给长期有效的居民身份证。") == "是"
    assert yes_no_word("生育保险是不是从我工资里扣", "由用人单位缴纳生育保险费，职工不缴纳生育保险费。") == ""


def test_an_item_of_a_list_is_quoted_with_the_sentence_that_introduces_it(ask, assistant):
    article = next(c for c in assistant.index.chunks if c.kind == "law" and c.article == "第二十四条")
    items = units_of(article)
    assert items[3] == "职工有下列情形之一的，可以提取职工住房公积金账户内的存储余额：（四）出境定居的"
    assert all(u.startswith("职工有下列情形之一的") for u in items)
    # "（四）出境定居的" alone answers nothing; with its lead-in it says that the money can be taken out
    assert "可以提取职工住房公积金账户内的存储余额：（四）出境定居的" in first(ask("我要出国定居了，公积金能全取出来吗"))


def test_an_amount_said_roughly_is_read_as_the_middle_of_its_range():
    assert quantities("交了十几年失业保险") == [(180, "月")]
    assert quantities("入职两个多月了") == [(2.5, "月")]
    assert quantities("工作一年多了") == [(18.0, "月")]  # not also 一年
    assert covers("交了十几年失业保险，失业金最多领几个月", "累计缴费十年以上的，领取失业保险金的期限最长为二十四个月")
    assert not covers("交了十几年失业保险，失业金最多领几个月", "累计缴费满五年不足十年的，领取失业保险金的期限最长为十八个月")


def test_the_clause_found_first_and_nearest_answers_though_it_shares_one_word(assistant):
    """"表兄妹能结婚吗" shares only 结婚 with "直系血亲或者三代以内的旁系血亲禁止结婚": the clause retrieval put first
    and the question's vector is nearest to answers; the same clause found second does not."""
    q = "我跟我表妹处对象了，表兄妹能结婚吗"
    law = [c for c in assistant.index.chunks if c.kind == "law" and c.article == "第一千零四十八条"]
    qvec = assistant.index.embedder.queries([q])[0]
    selector, ask = LeadSelector(assistant.index), ask_of(q, [], assistant.index.tokenizer.tokens(q))
    units = selector.rank(q, ask, qvec, law[:1], rank={law[0].chunk_id: 1})
    assert units[0].parts["lexical"] < LEAD.min_lexical and answers(units[0], ask)
    second = selector.rank(q, ask, qvec, law[:1], rank={law[0].chunk_id: 2})
    assert not answers(second[0], ask)


def test_a_table_drawn_in_text_is_never_quoted_as_an_answer(assistant):
    article = next(c for c in assistant.index.chunks if c.kind == "law" and c.article == "第一千零四十七条")
    table = dataclasses.replace(article, text="第一千零四十七条 税率表（测试用） ------- ------------ 级数 全年应纳税所得额 税率 "
                                                "1 不超过36000元的 3")
    assert units_of(table) == []
    assert units_of(article) == ["结婚年龄，男不得早于二十二周岁，女不得早于二十周岁。"]


def test_what_a_question_asks_about_is_the_words_beside_its_question_word():
    def focus(q: str) -> tuple[str, ...]:
        return ask_of(q, [], [t for t in jieba.cut_for_search(q) if t.strip()]).focus
    assert "生效" in focus("公证书从哪天开始生效") and "哪天" not in focus("公证书从哪天开始生效")
    assert "延期" in focus("施工许可证能延期几次") and "几次" not in focus("施工许可证能延期几次")
    assert "答复" in focus("给采购人提了质疑，对方多少天内要答复")
    assert focus("结婚登记") == ()


def test_a_number_question_that_names_its_unit_wants_a_clause_with_that_unit():
    ask = ask_of("企业所得税汇算清缴，年底以后几个月内要办完", [], [])
    assert ask.unit.search("企业应当自年度终了之日起五个月内，向税务机关报送年度企业所得税纳税申报表")
    assert not ask.unit.search("应当自实际经营终止之日起六十日内，向税务机关办理当期企业所得税汇算清缴")
    assert ask_of("一天最多能干几个钟头", [], []).unit.search("每日工作时间不超过八小时")
    assert ask_of("试用期可以约定多久", [], []).unit is None  # 多久 names no unit
    # a span in the next unit up answers too: 半年 is a number of months, 半个月 a number of days
    months = ask_of("居住证要住满几个月才能办", [], []).unit
    assert months.search("在居住地连续居住半年以上") and months.search("满一年半的")
    assert ask_of("多少天能办好", [], []).unit.search("半个月内办结")


def test_a_few_years_said_after_a_verb_is_an_amount_the_person_states_not_a_number_asked():
    assert ask_of("我在外地交过几年养老保险，回来接着交，年限能合起来算吗", [], []).number is None
    assert ask_of("公司社保晚交了几个月，滞纳金咋算", [], []).number != "duration"
    assert ask_of("失业保险交了6年，失业金最长能领几个月", [], []).number == "duration"
