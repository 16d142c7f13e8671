from assistant.core.text.normalize import mask_pii, normalize


def test_traditional_fullwidth_and_stray_punctuation():
    assert normalize("我和女朋友想去領證，要帶啥？？") == "我和女朋友想去领证，要带啥？"
    assert normalize("ＡＰＰ　能辦【急】") == "app 能办急"
    assert normalize("结婚 登记") == "结婚登记"


def test_id_card_and_phone_numbers_are_masked():
    out = mask_pii("身份证32130219900101123X，手机13812345678")
    assert out == "身份证321302********123X，手机138****5678"


def test_a_long_story_typed_with_spaces_keeps_its_clause_breaks():
    # a short question: the spaces carry no meaning; a story: they end its clauses
    assert normalize("结婚 登记 要带什么") == "结婚登记要带什么"
    assert normalize("我们结婚三年了 孩子都两岁了 一直租房住 现在想取公积金交房租 要带什么") \
        == "我们结婚三年了，孩子都两岁了，一直租房住，现在想取公积金交房租，要带什么"
