"""Importers: the Excel template filled with 3 guides and a Word 办事指南 become validated
corpus files; a malformed file of each kind is rejected with row/section and field, changing nothing."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from openpyxl import load_workbook

from assistant.config import ROOT, get_settings
from assistant.core.corpus.load import load_corpus
from assistant.core.corpus.importers import ImportFailed, guide_rows, import_file, write_template

BASE = yaml.safe_load((ROOT / "corpus" / "guides" / "marriage-registration.yaml").read_text(encoding="utf-8"))


@pytest.fixture()
def settings(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return get_settings(corpus_dir=tmp_path / "corpus")


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _new_guide(n: int) -> dict:
    g = dict(BASE)
    g.update({"事项名称": f"犬只登记{n}号事项", "事项编码": f"TEST-DOG-{n}", "别名": [f"养狗登记{n}", f"狗证{n}"],
              "办理地点": {"大厅": "综合政务大厅", "专区": "公共服务和综合办件专区", "窗口": [f"A3{n}"]},
              "设定依据": [{"法规": "婚姻登记条例", "条款": ["第五条"]}],
              "常见问题": [{"问": f"狗证{n}要本人去吗", "答": "需要本人带身份证到窗口办理。"}]})
    return g


def _workbook(tmp_path: Path, guides: list[dict], name: str = "filled.xlsx") -> Path:
    path = write_template(tmp_path / name)
    wb = load_workbook(path)
    for i, g in enumerate(guides):
        for sheet, rows in guide_rows(g, stem=f"dog-{i + 1}").items():
            for r in rows:
                wb[sheet].append(r)
    wb.save(path)
    return path


def test_template_filled_with_three_guides_is_imported(tmp_path, settings):
    path = _workbook(tmp_path, [_new_guide(1), _new_guide(2), _new_guide(3)])
    report = import_file(path, settings)
    assert report.written and sorted(report.imported) == ["dog-1", "dog-2", "dog-3"] and not report.problems
    corpus = load_corpus(settings.corpus_dir)  # what `assistant corpus check` loads
    g = corpus.by_name("犬只登记2号事项")
    assert g.code == "TEST-DOG-2" and g.place.windows == ["A32"] and len(g.materials) == len(BASE["申请材料"])
    assert g.faq[0].question == "狗证2要本人去吗" and g.basis[0].articles == ["第五条"]
    # importing the same workbook again changes nothing and says why
    again = import_file(path, settings)
    assert not again.imported and not again.updated and len(again.skipped) == 3
    assert "相同" in again.skipped[0][1]


def test_an_update_keeps_what_the_template_does_not_carry(tmp_path, settings):
    changed = dict(BASE, 办理地点=dict(BASE["办理地点"], 窗口=["A40"]))
    report = import_file(_workbook(tmp_path, [changed]), settings)
    assert report.updated == ["marriage-registration"]
    new = yaml.safe_load((settings.corpus_dir / "guides" / "marriage-registration.yaml").read_text(encoding="utf-8"))
    assert new["办理地点"]["窗口"] == ["A40"] and new.get("情形") == BASE.get("情形")


def test_a_malformed_workbook_is_rejected_with_rows_and_fields_and_nothing_changes(tmp_path, settings):
    bad = _new_guide(4)
    bad["申请材料"] = [dict(BASE["申请材料"][0], 必要性="可能要")]
    bad["办理地点"] = {"大厅": "火星大厅", "窗口": ["A01"]}
    bad["设定依据"] = [{"法规": "婚姻登记条例", "条款": ["第九十九条"]}]
    path = _workbook(tmp_path, [_new_guide(5), bad])
    wb = load_workbook(path)
    wb["事项"].cell(3, 15).value = "三次"  # 到现场次数 of the second item
    wb["常见问题"].append(["NO-SUCH-CODE", "孤立的问题是什么", "没有对应事项"])
    wb.save(path)
    before = _snapshot(settings.corpus_dir)
    with pytest.raises(ImportFailed) as e:
        import_file(path, settings)
    msg = str(e.value)
    bad_row = 2 + len(BASE["申请材料"])  # the materials of the first guide come first
    assert f"材料!第{bad_row}行" in msg and "必要性" in msg and "可能要" in msg
    assert "事项!第3行" in msg and "到现场次数" in msg
    assert "常见问题!第4行" in msg and "NO-SUCH-CODE" in msg
    assert not e.value.report.written
    assert _snapshot(settings.corpus_dir) == before
    # fix those three: the remaining problems are found by the corpus-wide check, still by row and field
    wb["事项"].cell(3, 15).value = 1
    wb["材料"].cell(bad_row, 3).value = "必要"
    wb["常见问题"].delete_rows(4)
    wb.save(path)
    with pytest.raises(ImportFailed) as e:
        import_file(path, settings)
    msg = str(e.value)
    assert "事项!第3行" in msg and "大厅" in msg and "火星大厅" in msg
    assert _snapshot(settings.corpus_dir) == before
    assert not list(settings.corpus_dir.parent.glob(".corpus-import-*"))  # no staging copy left behind


def _word_guide(path: Path, table: bool = False, drop: str | None = None) -> Path:
    fields = [
        ("事项名称", "养犬登记证核发"), ("事项编码", "TEST-WORD-1"), ("实施主体", "宿迁市公安局宿城分局"),
        ("服务对象", "个人"), ("别名", "狗证、养狗登记、办狗证"),
        ("办理地点", "综合政务大厅 公共服务和综合办件专区 A35窗口"), ("办理时间", "周一至周五 工作日"),
        ("受理条件", "1. 在城区饲养犬只\n2. 犬只已接种狂犬病疫苗"),
        ("申请材料", "1. 居民身份证（必要，1份，原件）\n2. 犬只免疫证明（必要，1份，原件）\n3. 授权委托书（情形必要，1份，原件，代办时提供）"),
        ("办理流程", "申请\n受理\n审核\n发证"), ("办理时限", "法定：20个工作日；承诺：5个工作日；到现场1次"),
        ("收费标准", "不收费"), ("网上办理", "网上预约：宿心办 app 搜索“养犬登记”"),
        ("设定依据", "《婚姻登记条例》第五条"), ("咨询电话", "0527-80000000（示例）"),
        ("常见问题", "问：狗证可以代办吗\n答：可以，代办人带授权委托书和双方身份证。"), ("示例数据", "是"),
    ]
    fields = [f for f in fields if f[0] != drop]
    d = docx.Document()
    d.add_heading("养犬登记证核发办事指南", 0)
    if table:
        t = d.add_table(rows=0, cols=2)
        for k, v in fields:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = k, v
    else:
        for i, (k, v) in enumerate(fields, 1):
            d.add_heading(f"{i}、{k}", 2)
            for line in v.split("\n"):
                d.add_paragraph(line)
    d.save(path)
    return path


@pytest.mark.parametrize("table", [False, True], ids=["headed-sections", "two-column-table"])
def test_a_word_guide_is_imported(tmp_path, settings, table):
    report = import_file(_word_guide(tmp_path / "guide.docx", table=table), settings)
    assert report.written and len(report.imported) == 1
    g = load_corpus(settings.corpus_dir).by_name("养犬登记证核发")
    assert g.place.hall == "综合政务大厅" and g.place.zone == "公共服务和综合办件专区" and g.place.windows == ["A35"]
    assert [m.name for m in g.materials] == ["居民身份证", "犬只免疫证明", "授权委托书"]
    assert g.materials[2].necessity == "情形必要" and g.materials[2].situation == "代办"
    assert (g.legal_limit, g.promised_limit, g.visits) == ("20个工作日", "5个工作日", 1)
    assert not g.fee.charged and g.online.depth == "网上预约" and g.aliases == ["狗证", "养狗登记", "办狗证"]
    assert g.faq[0].question == "狗证可以代办吗"


def test_a_malformed_word_guide_is_rejected_by_section_and_nothing_changes(tmp_path, settings):
    path = _word_guide(tmp_path / "bad.docx", drop="申请材料")
    d = docx.Document(str(path))
    for p in d.paragraphs:
        if p.text == "综合政务大厅 公共服务和综合办件专区 A35窗口":
            p.text = "火星大厅 A35窗口"
    d.save(path)
    before = _snapshot(settings.corpus_dir)
    with pytest.raises(ImportFailed) as e:
        import_file(path, settings)
    msg = str(e.value)
    assert "申请材料" in msg and "不能为空" in msg
    assert _snapshot(settings.corpus_dir) == before
    (tmp_path / "not-a-doc.docx").write_bytes(b"plain text, not a docx")
    with pytest.raises(ImportFailed, match="不是可读取的 Word 文档"):
        import_file(tmp_path / "not-a-doc.docx", settings)
    assert _snapshot(settings.corpus_dir) == before
