"""Which clause a rule question's answer quotes: the rule rather than the penalty for breaking it, the law the
question names before another law's clause, and the statutes' words for what people call a subject."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.core.corpus.chunks import Chunk
from assistant.core.governing import NamedLaws, law_words, named_law_first, rule_before_penalty
from assistant.core.lead import Unit


def clause(law: str, article: str, text: str, chapter: str = "第二章 劳动合同的订立") -> Chunk:
    return Chunk(chunk_id=f"law/{law}#{article}", doc_id=f"law/{law}", kind="law", title=law, section=article,
                 text=f"{article} {text}", source="laws.db", law=law, article=article, meta={"chapter": chapter})


RULE = clause("中华人民共和国劳动合同法", "第四十七条", "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
              "第四章 劳动合同的解除和终止")
PENALTY = clause("中华人民共和国劳动合同法", "第八十七条", "用人单位违反本法规定解除或者终止劳动合同的，应当依照本法第四十七条规定的"
                 "经济补偿标准的二倍向劳动者支付赔偿金。", "第七章 法律责任")


def ranked() -> list[Unit]:
    return [Unit(PENALTY, PENALTY.text, 2.0), Unit(RULE, RULE.text, 1.8)]


def test_a_rule_question_quotes_the_rule_not_the_penalty():
    units = rule_before_penalty("被公司裁员了，经济补偿是按啥算的", ranked())
    assert units[0].chunk is RULE


def test_a_question_about_what_follows_a_breach_may_quote_the_penalty():
    units = rule_before_penalty("公司违法解除合同，能赔多少", ranked())
    assert units[0].chunk is PENALTY and units[0].score == 2.0


HOUSING = clause("住房公积金管理条例", "第十八条", "职工和单位住房公积金的缴存比例均不得低于职工上一年度月平均工资的5%。")
TRIAL = clause("中华人民共和国劳动合同法", "第二十条", "劳动者在试用期的工资不得低于…约定工资的百分之八十。")
LAWS = [clause("住房公积金管理条例", "第二十四条", "职工有下列情形之一的，可以提取职工住房公积金账户内的存储余额。"),
        clause("中华人民共和国劳动合同法", "第十九条", "劳动合同期限三个月以上不满一年的，试用期不得超过一个月。"),
        clause("中华人民共和国个人所得税法", "第四条", "下列各项个人所得，免征个人所得税。")]


def test_the_law_a_question_names_by_its_title_leads():
    named = NamedLaws(SimpleNamespace(chunks=LAWS)).of("公积金最低按工资的百分之几交 个人所得税")  # + the term map's 个税 → 个人所得税
    assert {"住房公积金管理条例", "中华人民共和国个人所得税法"} <= named
    assert "中华人民共和国劳动合同法" not in named
    units = named_law_first("公积金最低按工资的百分之几交", named, [Unit(TRIAL, TRIAL.text, 2.8), Unit(HOUSING, HOUSING.text, 2.3)])
    assert units[0].chunk is HOUSING


def test_no_law_named_keeps_the_order():
    units = [Unit(TRIAL, TRIAL.text, 2.8), Unit(HOUSING, HOUSING.text, 2.3)]
    assert named_law_first("最低按百分之几交", set(), units) == units


def test_the_statutes_words_for_what_people_say():
    assert law_words("周末加班又不给调休") == "延长工作时间 补休"
    assert law_words("结婚登记要带什么") == ""
