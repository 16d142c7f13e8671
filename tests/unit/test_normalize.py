from assistant.core.text.normalize import mask_pii, normalize


def test_traditional_fullwidth_and_stray_punctuation():
    assert normalize("我和女朋友想去領證，要帶啥？？") == "我和女朋友想去领证，要带啥？"
    assert normalize("ＡＰＰ　能辦【急】") == "app 能办急"
    assert normalize("结婚 登记") == "结婚登记"


def test_id_card_and_phone_numbers_are_masked():
    out = mask_pii("身份证32130219900101123X，手机13812345678")
    assert out == "身份证321302********123X，手机138****5678"
