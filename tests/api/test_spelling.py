"""Typo tolerance: homophones and one-character slips of corpus words are understood."""
from assistant.core.text.spelling import Speller


def test_homophones_and_single_character_slips_map_to_corpus_words():
    s = Speller(["公积金", "注销", "公司注销", "居住证", "护照", "结婚登记", "结婚证", "登记证"])
    assert ("公基金", "公积金") in s.corrections("公基金怎么提")
    assert ("公司住销", "公司注销") in s.corrections("公司住销登记要多久")
    assert ("居往证", "居住证") in s.corrections("居往证在哪办")
    assert s.corrections("结婚登记要带什么") == []  # known words are never "corrected"


def test_typos_reach_the_right_item(client):
    for question, item in (("户照怎么办 要带什么", "出入境证件申领"), ("建康证多少钱", "从业人员健康证明"),
                           ("收样登记要带什么", "收养登记")):
        body = client.post("/v1/chat?debug=true", json={"message": question}).json()
        assert body["items"][0]["name"] == item, (question, body["kind"], body["items"][:1])
        assert any(r.startswith("rule:typo:") for r in body["trace"]["rules"])


def test_a_correction_never_cuts_through_a_known_word():
    s = Speller(["宿迁", "注册", "签注", "护照"])
    assert s.corrections("在宿迁注册公司") == []  # 迁注 sounds like 签注 but straddles 宿迁|注册
    assert ("户照", "护照") in s.corrections("户照怎么办")
