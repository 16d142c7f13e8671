"""The whole catalogue beside the full guides: loading catalogue files, and answers about
catalogue-only items through the real pipeline with the shared 广安 catalogue loaded."""
from __future__ import annotations

import json
import shutil

import pytest

from assistant.core.catalogue import CatalogueItem, department_place, load_catalogue_file, load_catalogues
from assistant.config import ROOT
from assistant.core.corpus.load import load_corpus
from assistant.core.corpus.schema import CorpusError
from assistant.web.schemas import to_response
from tests.conftest import shared_or_skip


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "corpus")


def test_the_shared_catalogue_loads_without_the_items_guides_cover(corpus):
    path = shared_or_skip("catalogs") / "guangan_items.jsonl"
    items, counts = load_catalogues([path], corpus.guides)
    assert counts["read"] == 1135 and counts["items"] == len(items) > 1000
    dog = next(i for i in items if i.name == "犬类准养证核发")
    assert dog.department == "区公安分局" and dog.kind == "行政许可" and dog.url.startswith("http")
    assert dog.code.startswith("511") and "第" in dog.source
    guide_names = {n for g in corpus.guides for n in (g.name, *g.aliases)}
    assert not any(i.name in guide_names for i in items)  # e.g. 补领结婚证 is the guide's


def test_chinese_csv_and_json_layouts(tmp_path):
    (tmp_path / "c.csv").write_text("事项名称,实施主体,事项编码,办理项类型,网址,大厅,专区\n"
                                    "养蜂证申领,区农业农村局,X-001,公共服务,https://example.org/a,综合政务大厅,\n",
                                    encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps([{"事项名称": "文物认定", "实施主体": "区文广旅局",
                                                  "事项编码": "X-002", "办理项类型": "7"}], ensure_ascii=False),
                                     encoding="utf-8")
    a, = load_catalogue_file(tmp_path / "c.csv")
    b, = load_catalogue_file(tmp_path / "c.json")
    assert (a.name, a.hall, a.zone, a.kind) == ("养蜂证申领", "综合政务大厅", None, "公共服务")
    assert (b.name, b.kind, b.url) == ("文物认定", "行政确认", None)


def test_a_malformed_catalogue_names_file_row_and_field(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "犬类准养证核发", "department": "区公安分局", "itemCode": "A1"}\n'
                   '{"name": "缺部门的事项", "itemCode": "A2"}\n\n'
                   '{"name": "坏链接", "department": "区公安分局", "itemCode": "A3", "link": "javascript:x"}\n',
                   encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        load_catalogue_file(bad)
    msg = str(e.value)
    assert "bad.jsonl" in msg and "第2行.实施主体" in msg and "缺失" in msg and "第4行.网址" in msg
    (tmp_path / "broken.jsonl").write_text('{"name": \n', encoding="utf-8")
    with pytest.raises(CorpusError, match="第1行"):
        load_catalogue_file(tmp_path / "broken.jsonl")


def test_department_place_comes_from_the_item_or_centre_yaml(corpus):
    centre = corpus.centre
    social = CatalogueItem(code="1", name="社会保障卡挂失", department="区人社局")
    assert department_place(centre, social) == ("人社医保大厅", None)
    police = CatalogueItem(code="2", name="犬类准养证核发", department="区公安分局")
    assert department_place(centre, police) == ("综合政务大厅", "公共服务和综合办件专区")
    assert department_place(centre, CatalogueItem(code="3", name="雷电灾害鉴定", department="区气象局")) is None
    own = CatalogueItem(code="4", name="x", department="区气象局", hall="不动产登记大厅")
    assert department_place(centre, own) == ("不动产登记大厅", None)


# ------------------------------------------------------------------ through the pipeline


@pytest.fixture(scope="module")
def cat_assistant(index, tmp_path_factory):
    """The default index copied (embedding cache included) and rebuilt with the shared catalogue."""
    from assistant.config import get_settings
    from assistant.core.index.build import build_index, load_index
    from assistant.core.assistant import Assistant

    lines = (shared_or_skip("catalogs") / "guangan_items.jsonl").read_text(encoding="utf-8").splitlines()
    d = tmp_path_factory.mktemp("catindex")
    part = d / "part.jsonl"  # every 8th item and the ones asked about below: fewer names to embed
    asked = ("居民身份证", "残疾人证", "娱乐场所", "完税证明")
    part.write_text("\n".join(ln for i, ln in enumerate(lines) if i % 8 == 0 or any(w in ln for w in asked)),
                    encoding="utf-8")
    shutil.copytree(index.settings.index_dir, d / "index", ignore=shutil.ignore_patterns(".building"))
    # one process: forking embedding workers from a test process that already runs threads can hang
    s = get_settings(index_dir=d / "index", catalogs=[part], embed_workers=1)
    build_index(s, log=lambda *_: None)
    return Assistant(load_index(s))


def test_a_catalogue_only_item_is_named_with_department_link_and_handoff(cat_assistant):
    r = cat_assistant.answer("身份证丢了在哪里挂失")
    resp = to_response(r)
    assert resp.items and resp.items[0].name == "居民身份证挂失申报、丢失招领"
    assert resp.items[0].id.startswith("catalogue:") and resp.items[0].online.url.startswith("http")
    assert "区公安分局" in resp.answer and "公共服务和综合办件专区" in resp.answer
    assert "还没有收录" in resp.answer and "12345" in resp.answer and "导办" in resp.answer
    assert resp.citations and resp.citations[0].chunk_id.startswith("catalogue:")
    assert any(x.startswith("rule:catalogue-only") for x in r.trace["rules"])


def test_guide_questions_still_get_their_guide_with_the_catalogue_loaded(cat_assistant):
    for q, name in (("结婚登记要带什么", "结婚登记"), ("公积金租房能取吗", "住房公积金提取（租房）"),
                    ("残疾证怎么办", "残疾人证申领")):
        resp = to_response(cat_assistant.answer(q))
        assert resp.items and resp.items[0].name == name, q


def test_everyday_words_find_the_item_under_its_official_name(cat_assistant):
    # "卡拉OK歌厅" is 歌舞娱乐场所 in the catalogue (corpus/lexicon/actions.yaml catalogue_words), not 游艺娱乐场所
    r = cat_assistant.answer("准备开一家卡拉OK歌厅，要办什么证")
    resp = to_response(r)
    assert resp.items and resp.items[0].name == "设立歌舞娱乐场所《娱乐经营许可证》核发"
    assert resp.items[0].id.startswith("catalogue:") and resp.items[0].online.url.startswith("http")
    assert "区行政审批局" in resp.answer and "还没有收录" in resp.answer and "12345" in resp.answer


def test_a_name_with_a_level_note_is_found_and_named_in_full(cat_assistant):
    resp = to_response(cat_assistant.answer("我要开一张税收完税证明，去哪里开"))
    assert resp.items and resp.items[0].name == "开具税收完税证明（县级行使）"
    assert "广安区税务局" in resp.answer and "还没有收录" in resp.answer
