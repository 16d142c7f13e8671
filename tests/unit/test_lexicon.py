"""The domain words and reply texts are data (corpus/lexicon/*.yaml): a centre edits them without touching
Python, a mistake is reported with its file and field, and the shipped words are exactly the ones the
code used before they moved."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from assistant.config import ROOT
from assistant.core.corpus.lexicon import DEFAULT_DIR, FILES, QUESTION_ASPECTS, load_lexicon, read_lexicon
from assistant.core.dialogue.replies import reply
from assistant.core.corpus.schema import CorpusError


@pytest.fixture
def lexicon(tmp_path):
    """A copy of the shipped lexicon to break or extend."""
    folder = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder) -> str:
    with pytest.raises(CorpusError) as e:
        read_lexicon(folder)
    return str(e.value)


def test_the_shipped_lexicon_is_the_project_corpus_lexicon_and_loads():
    lex = load_lexicon(DEFAULT_DIR)
    assert DEFAULT_DIR == ROOT / "corpus" / "lexicon"
    assert sorted(p.stem for p in DEFAULT_DIR.glob("*.yaml")) == sorted(FILES)
    assert lex.terms["离昏"] == "离婚" and lex.terms["公积金贷款"] == "住房公积金个人住房贷款"
    assert list(lex.turns.aspects)[:2] == ["materials", "time"]  # the order the answer follows
    assert lex.scope.refuse_by_rule == frozenset({"illegal"})
    assert lex.scope.out_of_scope["finance"].search("BITCOIN")  # ignore_case: true
    assert not lex.turns.who.flags & re.I


def test_the_modules_keep_their_names_and_read_the_words_from_the_lexicon():
    from assistant.core import asked, direct, rank_items, understand

    lex = load_lexicon()
    assert set(asked.ASPECT_FIELDS) == set(QUESTION_ASPECTS) == set(understand.ASPECT_PATTERNS)
    assert understand.TERMS is lex.terms and understand.OUT_OF_SCOPE is lex.scope.out_of_scope
    assert understand.FACTS["委托代办"] is understand.ASPECT_PATTERNS["agent"]  # {aspect: agent}
    assert rank_items.ACTIONS[0][1] == ("补领", "补发") and rank_items.COMPANY.search("我们公司")
    assert asked.UNIT_CUES[0][0] is asked.FIELD_CUES[2][0]  # asks_like: in_person
    assert asked.YES_WORDS[0][1:] == ("合法", "不合法") and asked.YES_WORDS[1][1:] == ("收费", "不收费")
    assert direct.FULL_GUIDE.search("查看完整办事指南") and direct.RULE.search("试用期最长多久")


def test_a_missing_file_is_named(lexicon):
    (lexicon / "scope.yaml").unlink()
    msg = problems_of(lexicon)
    assert "scope.yaml" in msg and "文件不存在" in msg


MISTAKES = {
    "a bad regex": ([("turns.yaml", "greeting: {regex: '^(你好", "greeting: {regex: '^((你好")],
                    ["turns.yaml: 字段「greeting.regex」正则表达式不合法"]),
    "a wrong type": ([("actions.yaml", "item_words: [注销]", "item_words: 注销")],
                     ["actions.yaml: 字段「actions.1.item_words」应为列表"]),
    "an empty list and a misspelt field, reported together": (
        [("scope.yaml", "refuse_by_rule: [illegal]", "refuse_by_rule: []"), ("facts.yaml", "conflicts:", "conflict:")],
        ["scope.yaml: 字段「refuse_by_rule」不能为空", "facts.yaml: 字段「conflict」不是已知字段",
         "facts.yaml: 字段「conflicts」缺失"]),
    # YAML keeps only the last of two equal keys: a centre adding "社保" again would silently lose the first
    "a term written twice": ([("terms.yaml", "terms:\n", "terms:\n  社保: 社会保险\n")],
                             ["terms.yaml: 字段「terms.社保」第"]),
    # the code reads the aspects by name: their words are the centre's, their names are not
    "a renamed aspect": ([("turns.yaml", "  contact:", "  phone:")],
                         ["turns.yaml: 字段「aspects.phone」不是已知的方面", "turns.yaml: 字段「aspects.contact」缺失"]),
    "a misspelt field of an aspect context phrase": ([("turns.yaml", "means: place, instead_of: [time]", "mean: place, instead_of: [time]")],
                                                     ["turns.yaml: 字段「aspect_context.0.mean」不是已知字段"]),
    "a field cue naming no guide field": ([("answers.yaml", "fields: [place]", "fields: [hours]")],
                                          ["answers.yaml: 字段「field_cues.opening_hours.fields」「hours」不是办事指南的栏目"]),
    "a conflict with an unknown fact": ([("facts.yaml", "  外地户籍: 本地户籍", "  外地户籍: 本地人")],
                                        ["facts.yaml: 字段「conflicts.外地户籍」「本地人」不是 facts 里的事实"]),
    # the law side's words are checked like the others (governing.py reads them through load_lexicon)
    "a bad consequence regex": ([("answers.yaml", "consequence_question: '罚|", "consequence_question: '(罚|")],
                                ["answers.yaml: 字段「consequence_question」正则表达式不合法"]),
    "an empty law term": ([("terms.yaml", "  加班: 延长工作时间", "  加班: ''")], ["terms.yaml: 字段「law_terms.加班」不能为空"]),
    "a reply with a stray brace": ([("replies.yaml", "thanks: 不客气！", "thanks: 不客气{！")],
                                   ["replies.yaml: 字段「replies.thanks」花括号不成对"]),
}


@pytest.mark.parametrize("edits, says", MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_is_reported_with_its_file_and_field(lexicon, edits, says):
    for name, old, new in edits:
        edit(lexicon / name, old, new)
    msg = problems_of(lexicon)
    assert all(s in msg for s in says), msg


def test_reply_texts_take_the_centre_name_and_render_as_before():
    """The sample centre's texts are byte for byte the ones the code held before (便民方舟 / 宿迁市便民方舟);
    the hand-off texts of this hour (handoff.py) come from the same file."""
    assert reply("greeting", centre="便民方舟") == ("您好！我是便民方舟的导办助手，可以告诉您办什么事项、带什么材料、去哪个窗口、"
                                          "能不能网上办，以及相关政策依据。")
    assert reply("decline", centre="便民方舟", centre_name="宿迁市便民方舟") == \
        "抱歉，这个问题不在政务服务的范围内，我只能解答宿迁市便民方舟的办事和政策问题。"
    assert reply("who", centre="城东中心").startswith("我是城东中心的24小时导办助手")
    assert reply("clarify:topic", centre="便民方舟", topic="工程") == "关于工程，本中心可以办理以下事项，请问您要办的是哪一项？"


def test_corpus_check_reports_a_broken_lexicon_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    edit(tmp_path / "corpus" / "lexicon" / "terms.yaml", "  离昏: 离婚\n", "  离昏: [离婚]\n")
    r = CliRunner().invoke(app, ["corpus", "check"], env={"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "terms.yaml" in r.output and "terms.离昏" in r.output


def test_asking_with_a_broken_lexicon_names_the_file_and_the_fix_without_a_traceback(tmp_path):
    """`assistant ask` loads the lexicon when it loads the assistant: a mistake there stops it with the
    file, the field and the command that lists every problem — not a Python traceback."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    edit(tmp_path / "corpus" / "lexicon" / "terms.yaml", "  离昏: 离婚\n", "  离昏: [离婚]\n")
    r = subprocess.run([sys.executable, "-m", "assistant", "ask", "结婚登记要带什么"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env=os.environ | {"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout
    assert "assistant corpus check" in r.stderr and "terms.yaml" in r.stderr and "terms.离昏" in r.stderr


def run_with_lexicon(tmp_path, file: str, old: str, new: str, code: str) -> str:
    """What `code` prints with a copy of the shipped lexicon edited in a centre's own corpus dir."""
    shutil.copytree(DEFAULT_DIR, tmp_path / "corpus" / "lexicon")
    edit(tmp_path / "corpus" / "lexicon" / file, old, new)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env=os.environ | {"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_centre_adds_a_colloquial_term_in_yaml_and_understanding_maps_it(tmp_path):
    """"摆地摊" is not in the shipped term map; one line in the centre's own corpus/lexicon/terms.yaml
    (ASSISTANT_CORPUS_DIR) makes "我想摆地摊" search 个体工商户 too."""
    from assistant.core.understand import understand

    assert understand("我想摆地摊").expansion == ""
    code = "from assistant.core.understand import understand; print(understand('我想摆地摊').expansion)"
    assert run_with_lexicon(tmp_path, "terms.yaml", "terms:\n", "terms:\n  摆地摊: 个体工商户\n", code) == "个体工商户"


def test_a_centre_adds_a_phrasing_of_an_aspect_in_yaml_and_it_is_read(tmp_path):
    """"咋个去" is not a place word in the shipped lexicon; one word in turns.yaml makes it one."""
    from assistant.core.understand import aspects_of

    assert aspects_of("咋个去") == []
    code = "from assistant.core.understand import aspects_of; print(aspects_of('咋个去'))"
    assert run_with_lexicon(tmp_path, "turns.yaml", "  place: '", "  place: '咋个去|", code) == "['place']"


def test_the_index_fingerprint_leaves_the_lexicon_out(tmp_path):
    """Editing a word list never makes the index stale: nothing indexed comes from corpus/lexicon/."""
    from assistant.config import get_settings
    from assistant.core.index.build import fingerprint

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    settings = get_settings(corpus_dir=tmp_path / "corpus")
    before = fingerprint(settings, "e")
    edit(tmp_path / "corpus" / "lexicon" / "terms.yaml", "terms:\n", "terms:\n  摆地摊: 个体工商户\n")
    assert fingerprint(settings, "e") == before
    edit(tmp_path / "corpus" / "centre.yaml", "简称: 便民方舟", "简称: 方舟")
    assert fingerprint(settings, "e") != before
