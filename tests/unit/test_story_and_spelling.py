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
