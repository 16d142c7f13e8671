"""Law versions that stay true: the version in force today is cited as current, a version not
yet in force as 将于…起施行, a superseded text never; `corpus check` rejects an article the version in
force does not have.  The date is injected with `laws.fixed_today`."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from typer.testing import CliRunner

from assistant.core.compose import Citations, policy_answer
from assistant.config import ROOT, get_settings
from assistant.core.index.build import Index, build_index, load_index
from assistant.core.corpus.laws import (IN_FORCE, NOT_YET, SUPERSEDED, check_basis, citation_note, fixed_today,
                            load_markdown_dir, version_status)
from tests.conftest import shared_or_skip

HEAD_2003 = "# 示例登记条例\n\n2003年8月8日 国务院令公布\n\n2003年10月1日 施行\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
HEAD_2025 = ("# 示例登记条例\n\n2003年8月8日 国务院令公布\n\n2025年4月6日 第二次修订\n\n2025年5月10日 施行\n\n"
             "<!-- INFO END -->\n\n## 第一章 总则\n\n")


def _two_versions(tmp_path):
    d = tmp_path / "laws" / "行政法规"
    d.mkdir(parents=True)
    (d / "示例登记条例(2003-08-08).md").write_text(
        HEAD_2003 + "第一条 旧文本第一条。\n\n第二条 旧文本须出具户口簿。\n\n第二十二条 旧文本最后一条。\n", encoding="utf-8")
    (d / "示例登记条例(2025-04-06).md").write_text(
        HEAD_2025 + "第一条 新文本第一条。\n\n第二条 新文本凭身份证办理，无需户口簿。\n", encoding="utf-8")
    return tmp_path / "laws"


def _index_of(chunks) -> Index:
    """Only the law-version bookkeeping of an Index (no BM25 or vectors needed)."""
    return Index(settings=None, corpus=None, chunks=chunks, tokenizer=None, bm25_chunks=None, bm25_items=None,
                 item_ids=[], dense=None, phrase_vecs=None, phrase_items=[], phrase_texts=[], embedder=None,
                 manifest={})


def test_before_the_revision_the_old_text_is_current_and_the_new_one_will_take_effect(tmp_path):
    folder = _two_versions(tmp_path)
    with fixed_today(date(2025, 1, 1)):
        chunks = load_markdown_dir(folder)
        index = _index_of(chunks)
        art = index.article("示例登记条例", "第二条")
        assert "户口簿" in art.text and "旧文本" in art.text and index.law_status(art) == IN_FORCE
        new = next(c for c in chunks if c.doc_id.endswith("@2025-05-10") and c.article == "第二条")
        assert index.law_status(new) == NOT_YET
        assert citation_note(new) == "（将于2025年5月10日起施行）"
        answer = "\n".join(policy_answer([art, new], Citations()))
        assert "将于2025年5月10日起施行" in answer and answer.count("将于") == 1


def test_after_the_revision_only_the_new_text_is_indexed(tmp_path):
    with fixed_today(date(2025, 5, 10)):
        chunks = load_markdown_dir(_two_versions(tmp_path))
        assert {c.meta["effective"] for c in chunks} == {"2025-05-10"}
        index = _index_of(chunks)
        art = index.article("示例登记条例", "第二条")
        assert "新文本" in art.text and index.law_status(art) == IN_FORCE
        assert citation_note(art) == "（2025年5月10日起施行的版本）"
        assert index.article("示例登记条例", "第二十二条") is None  # only the old text had it


def test_a_running_index_stops_citing_a_text_once_its_replacement_takes_effect(tmp_path):
    with fixed_today(date(2025, 1, 1)):  # built before the revision: both texts are indexed
        index = _index_of(load_markdown_dir(_two_versions(tmp_path)))
    old = next(c for c in index.chunks if c.doc_id == "law/示例登记条例" and c.article == "第二条")
    with fixed_today(date(2025, 6, 1)):  # served after it, no rebuild
        assert index.law_status(old) == SUPERSEDED and not index.citable(old)
        assert "新文本" in index.article("示例登记条例", "第二条").text
        assert index.article("示例登记条例", "第二十二条") is None
    assert version_status(old, ["2003-10-01", "2025-05-10"], date(2025, 5, 9)) == IN_FORCE


def test_the_rows_retrieval_skips_follow_the_date_without_a_restart(tmp_path):
    """Retrieval drops replaced texts by a per-row mask worked out once a day: the day the new
    version takes effect, the old rows (and only they) leave the results of a running index."""
    with fixed_today(date(2025, 1, 1)):
        index = _index_of(load_markdown_dir(_two_versions(tmp_path)))
        assert not index.uncitable_rows().any()
    old_rows = [i for i, c in enumerate(index.chunks) if c.doc_id == "law/示例登记条例"]
    for day in (date(2025, 5, 9), date(2025, 5, 10), date(2026, 1, 1)):
        with fixed_today(day):
            mask = index.uncitable_rows()
            assert [i for i, c in enumerate(index.chunks) if not index.citable(c)] == list(mask.nonzero()[0])
            assert list(mask.nonzero()[0]) == (old_rows if day >= date(2025, 5, 10) else [])


def test_the_shared_marriage_regulation_versions():
    folder = shared_or_skip("laws")
    with fixed_today(date(2025, 3, 1)):
        chunks = [c for c in load_markdown_dir(folder, regulations_only=True) if c.law == "婚姻登记条例"]
        assert {c.doc_id for c in chunks} == {"law/婚姻登记条例", "law/婚姻登记条例@2025-05-10"}
    with fixed_today(date(2026, 1, 1)):
        chunks = [c for c in load_markdown_dir(folder, regulations_only=True) if c.law == "婚姻登记条例"]
        assert {c.meta["effective"] for c in chunks} == {"2025-05-10"}
        assert all("Theonefkguy/Chinese-Laws" in c.source for c in chunks)  # origin from SOURCES.tsv


@pytest.fixture(scope="module")
def laws_index(index, tmp_path_factory):
    """The default corpus with the shared regulations and the laws.db laws the guides cite (both opt-in);
    their vectors ship with the project, so this builds without embedding."""
    folder = shared_or_skip("laws")
    d = tmp_path_factory.mktemp("lawsindex")
    shutil.copytree(index.settings.index_dir, d, dirs_exist_ok=True)
    s = get_settings(index_dir=d, regulation_dirs=[folder], cited_laws=True)
    build_index(s, log=lambda *_: None)
    return load_index(s)


def test_regulations_and_cited_laws_db_laws_are_indexed_when_configured(laws_index):
    index = laws_index
    laws = {c.law for c in index.chunks if c.law}
    assert {"婚姻登记条例", "住房公积金管理条例", "不动产登记暂行条例", "工伤保险条例", "社会保险经办条例",
            "中华人民共和国市场主体登记管理条例"} <= laws
    assert {"中华人民共和国劳动法", "中华人民共和国城市房地产管理法", "中华人民共和国医疗保障法"} <= laws
    assert not any(c.doc_id.endswith("@2003-10-01") for c in index.chunks)  # the 2003 text is gone


def test_a_law_not_yet_in_force_is_cited_with_its_date(laws_index):
    """laws.db's 医疗保障法 takes effect on 2027-01-01: before that day it is 将于…起施行."""
    with fixed_today(date(2026, 6, 1)):
        art = laws_index.article("中华人民共和国医疗保障法", "第一条")
        assert art is not None and laws_index.law_status(art) == NOT_YET
        assert "将于2027年1月1日起施行" in citation_note(art)
    with fixed_today(date(2027, 1, 2)):
        assert laws_index.law_status(art) == IN_FORCE and citation_note(art) == ""


def test_corpus_check_rejects_an_article_missing_from_the_version_in_force(tmp_path, monkeypatch):
    folder = _two_versions(tmp_path)
    g = type("G", (), {})()
    g.id = "demo"
    g.basis = [type("B", (), {"law": "示例登记条例", "articles": ["第二条", "第二十二条"]})()]
    with fixed_today(date(2025, 1, 1)):
        assert check_basis([g], load_markdown_dir(folder)) == []
    with fixed_today(date(2025, 6, 1)):
        problems = check_basis([g], load_markdown_dir(folder))
    assert problems == [("corpus/guides/demo.yaml", "设定依据.0.条款", "《示例登记条例》现行版本中没有第二十二条")]

    # the same through `assistant corpus check` on a copy of the corpus with one guide citing it
    from assistant.cli import app

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    path = corpus / "guides" / "marriage-registration.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["设定依据"].append({"法规": "示例登记条例", "条款": ["第二十二条"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASSISTANT_LAW_DIRS", f'["{folder}"]')
    monkeypatch.setenv("ASSISTANT_TODAY", "2025-06-01")
    assert get_settings().law_dirs == [folder]
    result = CliRunner().invoke(app, ["corpus", "check"])
    assert result.exit_code == 1
    assert "marriage-registration.yaml" in result.output and "设定依据" in result.output
    assert "第二十二条" in result.output
    monkeypatch.setenv("ASSISTANT_TODAY", "2025-01-01")
    assert CliRunner().invoke(app, ["corpus", "check"]).exit_code == 0
