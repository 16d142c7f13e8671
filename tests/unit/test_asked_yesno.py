"""The yes/no a first paragraph starts with comes from the part of the evidence that speaks of what is asked
(issue 11: a wrong yes/no is worse than none)."""
import pytest

from assistant.core.asked import answers_another, ask_of, yes_no_word
from assistant.core.text.segment import Tokenizer

TOKENIZER = Tokenizer(["个税", "契税", "董事会", "工伤保险"])  # the index adds the domain words (index/userdict.txt)


def _yes_no(question: str, unit: str) -> str:
    return yes_no_word(question, unit, ask_of(question, [], TOKENIZER.tokens(question)))


@pytest.mark.parametrize("question, unit, expected", [
    pytest.param("工伤保险我个人要不要出钱", "职工应当参加工伤保险，由用人单位缴纳工伤保险费，职工不缴纳工伤保险费。",
                 "不需要", id="the clause about paying decides, not the duty to take part"),
    pytest.param("我们小公司就两个股东，非得设董事会吗",
                 "规模较小或者股东人数较少的有限责任公司，可以不设董事会，设一名董事，行使本法规定的董事会的职权。",
                 "不需要", id="may leave out is a no to must"),
    pytest.param("我爸走了，房子过户到我名下，这还要交契税吗",
                 "婚姻关系存续期间夫妻之间变更房屋权属，以及法定继承人继承房屋，免征契税，但仍需到窗口办理减免手续。",
                 "不需要", id="exempt in the clause about the asked tax"),
    pytest.param("退休后领的养老金还要交个税吗",
                 "参加基本养老保险的个人，达到法定退休年龄时累计缴费不足十五年的，可以缴费至满十五年，按月领取基本养老金。",
                 "", id="a unit that does not speak of the asked tax gives no yes or no"),
    pytest.param("找大厅工作人员帮我代办，要给钱吗", "行动不便的群众，可申请帮办（工作人员陪同指导）或代办（受委托代为递交、领取）。",
                 "", id="a unit that does not speak of paying gives no yes or no"),
    pytest.param("我叔叔比我爷爷先走的，爷爷的遗产我叔家的孩子能继承吗",
                 "继承开始后，继承人于遗产分割前死亡，并没有放弃继承的，该继承人应当继承的遗产转给其继承人。",
                 "可以", id="a no in the case a rule speaks of is not its answer"),
    pytest.param("6岁小孩自己签的字有没有法律效力", "可靠的电子签名与手写签名或者盖章具有同等的法律效力。",
                 "", id="reliable is not a yes"),
    pytest.param("老板说我不能胜任要辞退我，不提前说一声直接让我走合法吗",
                 "用人单位提前三十日以书面形式通知劳动者本人或者额外支付劳动者一个月工资后，可以解除劳动合同。",
                 "不合法", id="a rule that binds the act the person says was not done is a no to lawful"),
])
def test_the_yes_or_no_comes_from_the_clause_about_what_is_asked(question, unit, expected):
    assert _yes_no(question, unit) == expected


def test_a_fee_opening_answers_only_a_question_about_paying():
    assert answers_another("公积金也能一起办了吗", "不收费。标准：不收费。")
    assert not answers_another("办这个要钱吗", "不收费。标准：不收费。")
    assert not answers_another("法律援助的律师要我自己出钱吗", "不收费。法律援助是国家无偿提供的法律服务")
