"""How a question is matched against the catalogue's official item names: the everyday words of
corpus/lexicon/actions.yaml `catalogue_words`, and the level notes left out of the names."""
from __future__ import annotations

import shutil

import pytest

from assistant.core.catalogue import catalogue_query, plain_name
from assistant.core.corpus.lexicon import DEFAULT_DIR, read_lexicon
from assistant.core.corpus.schema import CorpusError


@pytest.mark.parametrize("question, official", [
    ("我家想养条狗，要去哪办证", "犬类"),
    ("准备开一家ktv，要什么手续", "歌舞娱乐场所"),
    ("开个电玩城要办什么证", "游艺娱乐场所"),
])
def test_everyday_words_bring_the_catalogue_word(question, official):
    assert official in catalogue_query(question)


def test_a_question_without_such_words_is_matched_as_asked():
    assert catalogue_query("身份证丢了在哪里挂失") == "身份证丢了在哪里挂失"
    assert catalogue_query("犬类准养证怎么办") == "犬类准养证怎么办"  # the official word is already there


@pytest.mark.parametrize("name, plain", [
    ("开具税收完税证明（县级行使）", "开具税收完税证明"),
    ("娱乐场所延续审批（含中外合资）", "娱乐场所延续审批"),
    ("生产建设项目水土保持方案审批（新办）（据省政府令第349号,部分省级权限下放成都等８市)",
     "生产建设项目水土保持方案审批（新办）"),
    ("网络预约出租汽车运输证发放（补办）", "网络预约出租汽车运输证发放（补办）"),  # the variant stays
])
def test_level_notes_are_left_out_of_the_matched_name(name, plain):
    assert plain_name(name) == plain


def test_a_centre_adds_catalogue_words_in_yaml_and_a_broken_one_is_named(tmp_path):
    folder = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_DIR, folder)
    actions = folder / "actions.yaml"
    text = actions.read_text(encoding="utf-8")
    actions.write_text(text.replace("catalogue_words:\n", "catalogue_words:\n  互联网上网服务营业场所: '网吧|网咖'\n"),
                       encoding="utf-8")
    assert read_lexicon(folder).actions.catalogue_words["互联网上网服务营业场所"].search("开个网咖")
    actions.write_text(text.replace("catalogue_words:\n", "catalogue_words:\n  上网服务: '(网吧'\n"), encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_lexicon(folder)
    assert "actions.yaml" in str(e.value) and "catalogue_words.上网服务" in str(e.value)
