"""What a question asks (its aspects) is read the way citizens ask it: general question forms from
corpus/lexicon/turns.yaml, with the item's own names masked out, and context phrases deciding what a word
asks ("什么时候上班" is opening hours, "什么时候能拿到" is how long).  eval/aspect_eval.py measures it; a centre
adding a phrasing in turns.yaml: test_lexicon.py."""
from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from assistant.core.corpus.lexicon import DEFAULT_DIR, read_lexicon
from assistant.core.corpus.schema import CorpusError
from assistant.core.understand import aspects_of, item_names, understand

GUIDES = [SimpleNamespace(name="补领婚姻登记证", aliases=["补办结婚证", "结婚证丢了", "保证金什么时候退"]),
          SimpleNamespace(name="出入境证件申领", aliases=["办护照"]),
          SimpleNamespace(name="社会保障卡申领", aliases=["电子社保卡"]),
          SimpleNamespace(name="居住证申领", aliases=["办居住证"])]
NAMES = item_names(GUIDES)

ASKS = {
    # an item name never asks: 补办结婚证 holds 办结 (time), 出入境证件 证件 (materials), 电子社保卡 电子
    "补办结婚证要带啥": ["materials"],
    "补办结婚证": [],
    "出入境证件在哪办": ["place"],
    "我要办电子社保卡": [],
    # an alias that is itself a question keeps its ask
    "保证金什么时候退": ["time"],
    "上哪办": ["place"],
    "搁哪办": ["place"],
    "什么时候上班": ["place"],
    "什么时候能拿到": ["time"],
    "啥时候到账": ["time"],
    "什么人能办": ["conditions"],
    "有啥要求": ["conditions"],
    "网上能办吗": ["online"],
    "要本人去吗": ["agent"],
    "我帮我妈问一下低保要啥材料": ["materials"],
    "要去几次": ["time"],
    "要预约吗": ["steps"],
    "流程怎么走": ["steps"],
    "公积金能贷多少": [],
    "居民医保缴费在哪交": ["place"],
    "要带什么 多少钱": ["materials", "fee"],
    # a name's starting verb is the person's: 办居住证 names 居住证, and 怎么办 still asks how
    "外地人在宿迁怎么办居住证": ["steps"],
    # 营业 (opening hours) inside 营业执照, 上班 in 去后厨上班, 老公去 in a story: not what is asked
    "营业执照": [],
    "我是乙肝携带，还能办健康证去后厨上班吗": ["conditions"],
    "我跟老公去民政局办离婚，要等多少天": ["time"],
    "我老公去可以吗": ["agent"],
    "孩子报名上小学要交报名费吗": ["fee"],
    "中了彩票一万块钱，要交多少税": [],
}


@pytest.mark.parametrize("question, asks", ASKS.items(), ids=ASKS.keys())
def test_a_question_asks_what_the_person_means(question, asks):
    assert aspects_of(question, NAMES) == asks


def test_understanding_masks_the_names_it_is_given():
    assert understand("出入境证件在哪办").aspects == ["materials", "place"]  # no names: 证件 reads as materials
    assert understand("出入境证件在哪办", NAMES).aspects == ["place"]


def test_a_name_without_its_action_word_names_the_item_and_question_aliases_are_kept():
    assert "出入境证件" in NAMES and "保证金什么时候退" not in NAMES
    assert "居住证" in NAMES and "办居住证" not in NAMES and "结婚证" in NAMES  # 补办结婚证 → 结婚证


def test_a_context_phrase_naming_an_unknown_aspect_is_reported(tmp_path):
    folder = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_DIR, folder)
    turns = folder / "turns.yaml"
    turns.write_text(turns.read_text(encoding="utf-8").replace("means: place, instead_of: [time]",
                                                               "means: hours, instead_of: [time]", 1), encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_lexicon(folder)
    assert "turns.yaml: 字段「aspect_context.0」「hours」不是已知的方面" in str(e.value)
