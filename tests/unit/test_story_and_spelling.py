"""Where a long story's request is, and which typed words the speller leaves alone."""
from assistant.core.text.spelling import Speller
from assistant.core.understand import request_span


def test_the_request_of_a_story_is_the_clause_that_asks_and_the_one_before_it():
    request, context = request_span("我老婆是外省人，我们结婚三年了，孩子都两岁了，她的户口一直在老家，"
                                    "现在想把她的户口迁过来，需要准备什么")
    assert request == "现在想把她的户口迁过来 需要准备什么"
    assert context == "我老婆是外省人 我们结婚三年了 孩子都两岁了 她的户口一直在老家"


def test_a_clause_that_says_what_the_person_wants_stays_in_the_request():
    request, context = request_span("我想办居住证，我是外地人，在这里上班两年了，需要什么材料")
    assert "居住证" in request and context == "我是外地人"


def test_an_ordinary_question_has_no_story():
    assert request_span("结婚登记要带什么") is None
    assert request_span("公积金，租房，怎么取") is None  # three clauses, but short


def test_a_measure_word_is_not_a_typo_but_a_wrong_character_still_is():
    speller = Speller(["办公证", "居住证", "公积金"])
    assert speller.corrections("老师说办个证可以享受补助") == []
    assert speller.corrections("居往证怎么办") == [("居往证", "居住证")]


def test_a_number_and_a_measure_word_is_a_quantity_not_a_typo():
    speller = Speller(["基本", "公积金", "四次"])
    assert speller.corrections("第一次领能领几本") == []  # 几本 sounds like 基本
    assert speller.corrections("领了两次还能领几次") == []
    assert speller.corrections("公基金怎么取") == [("公基金", "公积金")]


def test_a_word_of_everyday_chinese_is_typed_on_purpose_and_never_cut_through():
    from assistant.core.text.segment import Tokenizer
    speller = Speller(["法援", "核发", "迁移", "成立", "公积金", "护照"], Tokenizer())
    assert speller.corrections("朋友借我钱一直不还，拖几年就不能去法院告了") == []  # 法院, and 钱一 cuts 一直
    assert speller.corrections("公司说这岗位只要男的，这样合法吗") == []
    assert speller.corrections("我住在城里") == []
    assert ("公基金", "公积金") in speller.corrections("公基金怎么提")  # a misspelling is no word: still corrected
    assert ("户照", "护照") in speller.corrections("户照怎么办")
    # without the everyday dictionary only the corpus's own words count (the old behaviour)
    assert ("合法", "核发") in Speller(["核发"]).corrections("这样合法吗")


def test_a_longer_sound_alike_is_corrected_even_across_an_everyday_word():
    from assistant.core.text.segment import Tokenizer
    speller = Speller(["结婚证", "迁移", "社保"], Tokenizer())
    assert ("结婚正", "结婚证") in speller.corrections("领结婚正要户口本吗")  # 正要 is a word; 结婚正 is no word
    assert speller.corrections("是不是要先跟人社报告") == []  # 社报 cuts 报告
