"""What a person says does not apply is no evidence for an item, and a follow-up made of words that name
the item in focus stays with it (understand.denied, follow_up.sibling)."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.core.dialogue.follow_up import sibling
from assistant.core.rank_items import ItemCandidate
from assistant.core.understand import Understanding, denied


def test_the_words_after_a_denial_are_said_not_to_apply_but_a_question_form_denies_nothing():
    assert denied("我又没开公司，也没有个体户执照，这票从哪来") == ["开公司", "个体户执照"]
    assert denied("没单位的人自己怎么交社保") == ["单位"]  # the denial ends at 的, the ask is not denied
    assert denied("有没有人帮我填表") == [] and denied("是不是要本人去") == []


class _Tokens:
    def tokens(self, text: str) -> list[str]:
        return [w for w in ("医保", "医疗保险", "贷款", "孩子", "户口") if w in text]


def _guide(gid: str, name: str, aliases: list[str]):
    return SimpleNamespace(id=gid, name=name, aliases=aliases, bundle=None)


BUNDLE = _guide("born", "出生一件事", ["新生儿上户口医保社保卡一起办"])
MEDICAL = _guide("med", "城乡居民医疗保险参保缴费", ["居民医保"])
LOAN = _guide("loan", "住房公积金个人住房贷款", ["公积金贷款"])
GUIDES = {g.id: g for g in (BUNDLE, MEDICAL, LOAN)}
CANDS = [ItemCandidate("born", BUNDLE.name, 1.0), ItemCandidate("med", MEDICAL.name, 0.5),
         ItemCandidate("loan", LOAN.name, 0.4)]


def test_a_follow_up_whose_words_name_the_focus_stays_with_it():
    u = Understanding("医保呢", "question", expansion="医疗保险")
    assert sibling(_Tokens(), GUIDES, u, BUNDLE, CANDS) is None


def test_a_follow_up_naming_what_sets_another_item_apart_still_moves():
    u = Understanding("那贷款呢", "question")
    assert sibling(_Tokens(), GUIDES, u, BUNDLE, CANDS) is LOAN


def test_one_character_that_names_a_few_items_is_a_topic_word_after_an_unrelated_turn():
    from assistant.core.dialogue.follow_up import bare_topic

    guides = {g.id: g for g in (
        _guide("deed", "契税申报", []), _guide("iit", "个人所得税综合所得年度汇算", []),
        _guide("tax-off", "税务注销", []), _guide("div", "离婚登记", ["协议离婚"]))}
    asked = Understanding("税", "question")
    assert {g.id for g in bare_topic(guides, asked, ["div"])} == {"deed", "iit", "tax-off"}
    assert bare_topic(guides, asked, ["deed"]) == []  # the word names the item in focus
    assert bare_topic(guides, Understanding("婚", "question"), ["deed"]) == []  # one item is no family


def test_between_items_saying_as_much_of_a_follow_up_the_one_whose_name_says_it_wins():
    divorce = _guide("div", "离婚登记", [])
    adopt, move = _guide("adopt", "收养登记", ["领养孩子"]), _guide("move", "户口迁入", ["迁户口"])
    guides = {g.id: g for g in (divorce, adopt, move)}
    cands = [ItemCandidate("div", divorce.name, 1.0), ItemCandidate("adopt", adopt.name, 0.5),
             ItemCandidate("move", move.name, 0.4)]
    assert sibling(_Tokens(), guides, Understanding("那孩子户口怎么迁", "question"), divorce, cands) is move
