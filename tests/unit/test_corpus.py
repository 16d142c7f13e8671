"""Corpus format v1 and the 宿迁 便民方舟 sample knowledge base: every guide is complete, placed where the
centre handles it and cites articles that exist; a malformed guide is named by file and field."""
from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
import yaml

from assistant.config import ROOT
from assistant.core.corpus.load import load_corpus
from assistant.core.corpus.schema import CorpusError, load_guides
from assistant.core.corpus.laws import default_law_db, load_markdown_dir, short_law_name
from tests.conftest import shared_or_skip

EXPECTED = {
    ("综合政务大厅", "市场准入准营专区"): "企业设立登记、个体工商户设立登记、企业变更登记、企业注销登记、企业名称自主申报、外商投资企业设立登记、食品经营许可、公共场所卫生许可、营业执照遗失补领",
    ("综合政务大厅", "一件事一次办专区"): "企业开办一件事、出生一件事、职工退休一件事",
    ("综合政务大厅", "工程建设审批专区"): "企业投资项目备案、建设工程规划许可证核发、建筑工程施工许可证核发、建设工程消防设计审查、建设工程消防验收",
    ("税务办理大厅", None): "新办纳税人套餐服务、发票申领、个人所得税综合所得年度汇算、契税申报、税务注销、代开发票",
    ("人社医保大厅", None): "城乡居民基本养老保险参保登记、单位职工参保登记、社会保障卡申领、失业保险金申领、工伤认定申请、职工基本养老保险待遇申领、基本医疗保险关系转移接续、异地就医备案、城乡居民医疗保险参保缴费、灵活就业人员参保登记、就业创业证申领、生育津贴申领",
    ("住房公积金大厅", None): "住房公积金单位缴存登记、住房公积金提取（购房）、住房公积金提取（租房）、住房公积金提取（离职退休）、住房公积金个人住房贷款、灵活就业人员住房公积金缴存",
    ("不动产登记大厅", None): "存量房转移登记、新建商品房转移登记、不动产抵押权登记、不动产抵押权注销登记、不动产登记资料查询、不动产权证书补发、继承不动产转移登记",
    ("综合政务大厅", "公共服务和综合办件专区"): "结婚登记、离婚登记、补领婚姻登记证、收养登记、最低生活保障申请、居住证申领、户口迁入、出入境证件申领、从业人员健康证明、义务教育入学报名、残疾人证申领、高龄津贴申领、退役军人优待证申领、法律援助申请、公证申请",
    ("公共资源交易大厅", None): "政府采购项目进场交易、工程建设项目招标投标进场交易、投标保证金退还",
    ("综合政务大厅", "政务公开专区"): "政府信息公开申请",
    ("综合政务大厅", "前台导服和帮办代办专区"): "帮办代办服务、办不成事反映",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "corpus")


def test_the_69_items_are_where_the_centre_handles_them(corpus):
    where = {g.name: (g.place.hall, g.place.zone) for g in corpus.guides}
    expected = {name: place for place, names in EXPECTED.items() for name in names.split("、")}
    assert len(expected) == 69
    assert where == expected


def test_centre_map_has_halls_zones_and_special_windows(corpus):
    c = corpus.centre
    assert [h.name for h in c.halls] == ["综合政务大厅", "人社医保大厅", "税务办理大厅", "不动产登记大厅", "住房公积金大厅", "公共资源交易大厅"]
    assert len(c.hall("综合政务大厅").zones) == 6
    for keyword in ("导办台", "办不成事", "外资登记", "24小时"):
        assert c.point(keyword) is not None, keyword
    assert {o.name for o in c.online} >= {"宿心办", "江苏政务服务网"}
    assert c.hotline == "12345"


def test_every_guide_is_complete_and_marked_sample(corpus):
    for g in corpus.guides:
        assert g.sample is True, g.id
        assert len(g.aliases) >= 4, f"{g.name} 别名不足4个"
        assert len(g.faq) >= 3, f"{g.name} 常见问题不足3个"
        assert all(m.necessity and m.copies and m.form for m in g.materials)
        assert g.name not in g.aliases


def test_no_alias_is_shared_between_items(corpus):
    owner: dict[str, str] = {}
    for g in corpus.guides:
        for a in [g.name, *g.aliases]:
            assert a not in owner or owner[a] == g.name, f"「{a}」同时属于 {owner.get(a)} 和 {g.name}"
            owner[a] = g.name


def test_bundles_list_member_items_and_what_is_saved(corpus):
    names = {g.name for g in corpus.guides}
    bundles = {g.name: g.bundle for g in corpus.guides if g.bundle}
    assert set(bundles) == {"企业开办一件事", "出生一件事", "职工退休一件事"}
    for name, b in bundles.items():
        assert len(set(b.members) & names) >= 2, name
        assert b.saving


def test_marriage_follows_the_2025_rule(corpus):
    g = corpus.by_name("结婚登记")
    assert not any("户口簿" in m.name for m in g.materials)
    assert any("2025" in u for u in g.updates)


def _law_articles() -> dict[str, set[str]]:
    con = sqlite3.connect(default_law_db())
    out: dict[str, set[str]] = {}
    for law, no in con.execute("SELECT law_name, article_no FROM articles WHERE status IN ('现行有效','已被修改')"):
        out.setdefault(short_law_name(law), set()).add(no)
    return out


def test_legal_bases_resolve_to_existing_articles(corpus):
    """Every 设定依据 article that points to laws.db or ../shared/corpus/laws exists there."""
    known = _law_articles()
    shared = {}
    try:
        for c in load_markdown_dir(shared_or_skip("laws")):
            shared.setdefault(short_law_name(c.law), set()).add(c.article)
    except pytest.skip.Exception:
        pass
    checked = missing = 0
    for g in corpus.guides:
        for b in g.basis:
            key = short_law_name(b.law)
            pool = known.get(key) or shared.get(key)
            if pool is None:
                continue
            for a in b.articles:
                checked += 1
                if a not in pool:
                    missing += 1
                    pytest.fail(f"{g.name}: 《{b.law}》{a} 不存在")
    assert checked >= 60 and missing == 0


def test_a_malformed_guide_names_the_file_and_the_field(tmp_path):
    src = ROOT / "corpus" / "guides" / "marriage-registration.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    del data["申请材料"]
    data["收费"]["是否收费"] = "maybe"
    bad = tmp_path / "bad-guide.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("事项名称: [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        load_guides(tmp_path)
    msg = str(e.value)
    assert "bad-guide.yaml" in msg and "申请材料" in msg and "缺失" in msg
    assert "收费.是否收费" in msg
    assert "broken.yaml" in msg and "YAML 格式错误" in msg


def test_corpus_check_cli_reports_problems_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    runner = CliRunner()
    ok = runner.invoke(app, ["corpus", "check"], env={"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert ok.exit_code == 0 and "69 个事项" in ok.output
    guide = tmp_path / "corpus" / "guides" / "marriage-registration.yaml"
    guide.write_text(re.sub(r"^办理时间:.*$", "", guide.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    bad = runner.invoke(app, ["corpus", "check"], env={"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert bad.exit_code == 1
    assert "marriage-registration.yaml" in bad.output and "办理时间" in bad.output
    assert "Traceback" not in bad.output
