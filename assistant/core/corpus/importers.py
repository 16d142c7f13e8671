"""Importers from what centres really have: an Excel workbook (openpyxl) and a Word 办事指南
(python-docx) become `corpus/guides/*.yaml`.

* Excel: sheet 「事项」 (one row per item, the national 办事指南 fields), sheet 「材料」 (事项编码, 名称,
  必要性, 份数, 形式, 容缺, 情形, 备注), sheet 「常见问题」 (事项编码, 问, 答).  `assistant corpus template`
  writes the workbook with these columns, a 说明 sheet and one filled example row.
* Word: the usual headed sections (事项名称, 受理条件, 申请材料, 办理流程, 办理时限, 收费标准, 设定依据 …, a
  heading being a paragraph that is just the field name, optionally numbered "一、") or a two-column
  table (字段 | 内容).

Every import is all-or-nothing: the new files are written into a copy of the corpus beside it,
validated exactly as `assistant corpus check` validates (schema, centre halls/zones, 设定依据 articles
in the law version in force), and only then swapped in with two directory renames.  A failed import
changes nothing and names every problem by file, row/section and field.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.core.corpus.schema import CorpusError, Guide, load_centre

SHEET_ITEMS, SHEET_MATERIALS, SHEET_FAQ = "事项", "材料", "常见问题"
# (column header, help text) of the 事项 sheet; lists are separated by 、 or new lines
ITEM_COLUMNS = [
    ("文件名", "可空：英文小写与连字符，如 dog-licence；空则按事项编码生成"),
    ("事项名称", "必填"), ("事项编码", "必填，唯一；已有相同编码的指南会被更新"), ("实施主体", "必填"),
    ("服务对象", "个人、法人（用顿号分隔）"), ("别名", "群众的常见说法，用顿号分隔"),
    ("大厅", "须为 centre.yaml 中的大厅"), ("专区", "可空"), ("窗口", "如 A33、A34"), ("办理时间", ""),
    ("受理条件", "每行一条"), ("办理流程", "每行一步"), ("法定办结时限", ""), ("承诺办结时限", ""),
    ("到现场次数", "0–5"), ("是否收费", "是/否"), ("收费标准", ""), ("收费依据", ""),
    ("网办深度", "全程网办 / 网上申报、现场核验 / 网上预约 / 仅限现场办理"), ("网办途径", ""), ("网办网址", ""),
    ("设定依据", "每行一部：《法规名称》第X条、第Y条"), ("咨询电话", ""), ("政策变化", "每行一条，可空"),
    ("示例数据", "是/否：官方数据填否"),
]
MATERIAL_COLUMNS = [("事项编码", "对应事项"), ("名称", ""), ("必要性", "必要 / 非必要 / 情形必要"), ("份数", "如 1份"),
                    ("形式", "原件 / 复印件 / 电子"), ("容缺", "是/否"), ("情形", "如 代办、外地户籍，可空"), ("备注", "")]
FAQ_COLUMNS = [("事项编码", "对应事项"), ("问", ""), ("答", "")]
# guide field path (pydantic loc) → the column (or Word section) it comes from
LOC_COLUMN = {"办理地点.大厅": "大厅", "办理地点.专区": "专区", "办理地点.窗口": "窗口", "收费.是否收费": "是否收费",
              "收费.标准": "收费标准", "收费.依据": "收费依据", "网上办理.深度": "网办深度", "网上办理.途径": "网办途径",
              "网上办理.网址": "网办网址", "sample": "示例数据"}
SPLIT = re.compile(r"[、，,；;\n]+")
BASIS_LINE = re.compile(r"^《(.+?)》\s*(.*?)(?:[（(](.*)[）)])?$")


class ImportFailed(ValueError):
    """The file cannot be imported; `report.problems` lists (file, where, field, message)."""

    def __init__(self, report: "ImportReport"):
        self.report = report
        super().__init__(report.text())


@dataclass
class ImportReport:
    source: str
    imported: list[str] = field(default_factory=list)  # new guide file stems
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)  # (file, where, field, message)
    written: bool = False

    def text(self) -> str:
        lines = [f"导入 {self.source}：新增 {len(self.imported)}，更新 {len(self.updated)}，跳过 {len(self.skipped)}"
                 + ("" if self.written else "（未写入）")]
        lines += [f"  新增 {i}" for i in self.imported] + [f"  更新 {i}" for i in self.updated]
        lines += [f"  跳过 {w}：{why}" for w, why in self.skipped]
        lines += [f"  错误 {f} {w} 字段「{fld}」：{msg}" if fld else f"  错误 {f} {w}：{msg}"
                  for f, w, fld, msg in self.problems]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"source": self.source, "imported": self.imported, "updated": self.updated,
                "skipped": [{"where": w, "why": y} for w, y in self.skipped],
                "problems": [{"file": f, "where": w, "field": fl, "message": m} for f, w, fl, m in self.problems],
                "written": self.written}


@dataclass
class Draft:
    """One guide read from a file: its YAML mapping, and where each field came from."""

    data: dict
    where: str  # 事项!第3行, 第2节 …
    field_where: dict[str, str] = field(default_factory=dict)  # "申请材料.0" → "材料!第5行"
    stem: str = ""


# ------------------------------------------------------------------ cells → guide fields


def _s(v) -> str:
    return "" if v is None else str(v).strip()


def _list(v) -> list[str]:
    return [x.strip() for x in SPLIT.split(_s(v)) if x.strip()]


def _lines(v) -> list[str]:
    return [re.sub(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）]|[一二三四五六七八九十]+、)\s*", "", x).strip()
            for x in _s(v).splitlines() if x.strip()]


def _bool(v, name: str, problems: list, where: str):
    s = _s(v)
    if s in ("是", "true", "True", "TRUE", "1", "有", "收费"):
        return True
    if s in ("否", "false", "False", "FALSE", "0", "", "无", "不收费", "免费"):
        return False
    problems.append((where, name, f"应为“是”或“否”，而不是「{s}」"))
    return None


def _basis(v) -> list[dict]:
    out = []
    for line in _s(v).splitlines():
        line = line.strip()
        if not line:
            continue
        m = BASIS_LINE.match(line)
        if not m:
            out.append({"法规": line})
            continue
        arts = re.findall(r"第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?|第\d+条", m.group(2))
        entry = {"法规": m.group(1), "条款": arts}
        if m.group(3):
            entry["说明"] = m.group(3)
        out.append(entry)
    return out


def slug(code: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    return f"item-{s}"[:60] if s else ""


def guide_from_columns(row: dict, materials: list[dict], faq: list[dict], problems: list, where: str) -> dict:
    """A guide YAML mapping from the 事项 columns (and its 材料/常见问题 rows)."""
    place = {"大厅": _s(row.get("大厅")), "窗口": _list(row.get("窗口"))}
    if _s(row.get("专区")):
        place["专区"] = _s(row.get("专区"))
    visits = _s(row.get("到现场次数"))
    data = {
        "事项名称": _s(row.get("事项名称")), "事项编码": _s(row.get("事项编码")), "实施主体": _s(row.get("实施主体")),
        "服务对象": _list(row.get("服务对象")), "别名": _list(row.get("别名")), "办理地点": place,
        "办理时间": _s(row.get("办理时间")), "受理条件": _lines(row.get("受理条件")), "申请材料": materials,
        "办理流程": _lines(row.get("办理流程")), "法定办结时限": _s(row.get("法定办结时限")),
        "承诺办结时限": _s(row.get("承诺办结时限")),
        "到现场次数": int(float(visits)) if re.fullmatch(r"\d+(\.0)?", visits) else visits,
        "收费": {"是否收费": _bool(row.get("是否收费"), "是否收费", problems, where), "标准": _s(row.get("收费标准")),
               "依据": _s(row.get("收费依据"))},
        "网上办理": {"深度": _s(row.get("网办深度")), "途径": _s(row.get("网办途径"))},
        "设定依据": _basis(row.get("设定依据")), "咨询电话": _s(row.get("咨询电话")), "常见问题": faq,
        "sample": _bool(row.get("示例数据"), "示例数据", problems, where),
    }
    if _s(row.get("网办网址")):
        data["网上办理"]["网址"] = _s(row.get("网办网址"))
    if _s(row.get("政策变化")):
        data["政策变化"] = _lines(row.get("政策变化"))
    return data


def material_from_columns(row: dict, problems: list, where: str) -> dict:
    m = {"名称": _s(row.get("名称")), "必要性": _s(row.get("必要性")), "份数": _s(row.get("份数")),
         "形式": _s(row.get("形式"))}
    if _bool(row.get("容缺"), "容缺", problems, where):
        m["容缺"] = True
    if _s(row.get("情形")):
        m["情形"] = _s(row.get("情形"))
    if _s(row.get("备注")):
        m["备注"] = _s(row.get("备注"))
    return m


# ------------------------------------------------------------------ Excel


def write_template(path: Path, example: dict | None = None) -> Path:
    """The workbook staff fill in: 事项, 材料, 常见问题 (header row, then `example`'s rows) and 说明."""
    from assistant.core.corpus.sheets import save_workbook, workbook

    sheets = ((SHEET_ITEMS, ITEM_COLUMNS), (SHEET_MATERIALS, MATERIAL_COLUMNS), (SHEET_FAQ, FAQ_COLUMNS))
    wb = workbook({name: ([c for c, _ in cols], []) for name, cols in sheets})
    if example:
        for sheet, rows in guide_rows(example).items():
            for r in rows:
                wb[sheet].append(r)
    info = wb.create_sheet("说明")
    info.append(["工作表", "列", "填写说明"])
    for name, cols in sheets:
        for c, tip in cols:
            info.append([name, c, tip])
    info.append(["", "", "导入：assistant corpus import 文件.xlsx（先校验，全部通过才写入；有错误时不改动任何文件）"])
    return save_workbook(wb, path)


def guide_rows(data: dict, stem: str = "") -> dict[str, list[list]]:
    """One guide YAML mapping as rows of the three sheets (the template's example; an export)."""
    place, fee, online = data["办理地点"], data["收费"], data["网上办理"]
    basis = "\n".join(f"《{b['法规']}》{'、'.join(b.get('条款', []))}" + (f"（{b['说明']}）" if b.get("说明") else "")
                      for b in data["设定依据"])
    values = {"文件名": stem, "事项名称": data["事项名称"], "事项编码": data["事项编码"], "实施主体": data["实施主体"],
              "服务对象": "、".join(data["服务对象"]), "别名": "、".join(data["别名"]), "大厅": place["大厅"],
              "专区": place.get("专区") or "", "窗口": "、".join(place["窗口"]), "办理时间": data["办理时间"],
              "受理条件": "\n".join(data["受理条件"]), "办理流程": "\n".join(data["办理流程"]),
              "法定办结时限": data["法定办结时限"], "承诺办结时限": data["承诺办结时限"], "到现场次数": data["到现场次数"],
              "是否收费": "是" if fee["是否收费"] else "否", "收费标准": fee["标准"], "收费依据": fee.get("依据", ""),
              "网办深度": online["深度"], "网办途径": online["途径"], "网办网址": online.get("网址") or "",
              "设定依据": basis, "咨询电话": data["咨询电话"], "政策变化": "\n".join(data.get("政策变化", [])),
              "示例数据": "是" if data.get("sample") else "否"}
    mats = [[data["事项编码"], m["名称"], m["必要性"], m["份数"], m["形式"], "是" if m.get("容缺") else "否",
             m.get("情形") or "", m.get("备注", "")] for m in data["申请材料"]]
    faq = [[data["事项编码"], q["问"], q["答"]] for q in data["常见问题"]]
    return {SHEET_ITEMS: [[values[c] for c, _ in ITEM_COLUMNS]], SHEET_MATERIALS: mats, SHEET_FAQ: faq}


def _sheet_rows(wb, name: str, cols: list, fname: str, problems: list) -> list[tuple[int, dict]]:
    if name not in wb.sheetnames:
        problems.append((fname, f"工作表「{name}」", "", "缺少这个工作表（请用 assistant corpus template 生成的模板）"))
        return []
    ws = wb[name]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [_s(h) for h in rows[0]]
    missing = [c for c, _ in cols if c not in header]
    if missing:
        problems.append((fname, f"{name}!第1行", "、".join(missing), "缺少这些列"))
        return []
    out = []
    for i, r in enumerate(rows[1:], 2):
        row = {h: v for h, v in zip(header, r) if h}
        if any(_s(v) for v in row.values()):
            out.append((i, row))
    return out


def read_excel(path: Path) -> tuple[list[Draft], list, list]:
    """Drafts of every item row; (file, where, field, message) problems; skipped rows."""
    from openpyxl import load_workbook

    fname = path.name
    problems: list = []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the user's file, reported
        return [], [(fname, "", "", f"不是可读取的 Excel 工作簿（.xlsx）：{type(e).__name__}")], []
    items = _sheet_rows(wb, SHEET_ITEMS, ITEM_COLUMNS, fname, problems)
    mats = _sheet_rows(wb, SHEET_MATERIALS, MATERIAL_COLUMNS, fname, problems)
    faqs = _sheet_rows(wb, SHEET_FAQ, FAQ_COLUMNS, fname, problems)
    codes = {_s(r.get("事项编码")) for _, r in items}
    for sheet, rows in ((SHEET_MATERIALS, mats), (SHEET_FAQ, faqs)):
        for i, r in rows:
            if _s(r.get("事项编码")) not in codes:
                problems.append((fname, f"{sheet}!第{i}行", "事项编码", f"「{_s(r.get('事项编码'))}」不在「事项」表中"))
    drafts, skipped = [], []
    for i, row in items:
        where = f"{SHEET_ITEMS}!第{i}行"
        code = _s(row.get("事项编码"))
        if not code and not _s(row.get("事项名称")):
            skipped.append((where, "没有事项名称和事项编码"))
            continue
        local: list = []
        m_rows = [(j, r) for j, r in mats if _s(r.get("事项编码")) == code]
        f_rows = [(j, r) for j, r in faqs if _s(r.get("事项编码")) == code]
        materials = [material_from_columns(r, local, f"{SHEET_MATERIALS}!第{j}行") for j, r in m_rows]
        faq = [{"问": _s(r.get("问")), "答": _s(r.get("答"))} for _, r in f_rows]
        data = guide_from_columns(row, materials, faq, local, where)
        problems += [(fname, w, f, msg) for w, f, msg in local]
        fw = {f"申请材料.{k}": f"{SHEET_MATERIALS}!第{j}行" for k, (j, _) in enumerate(m_rows)}
        fw |= {f"常见问题.{k}": f"{SHEET_FAQ}!第{j}行" for k, (j, _) in enumerate(f_rows)}
        drafts.append(Draft(data, where, fw, _s(row.get("文件名"))))
    return drafts, problems, skipped


# ------------------------------------------------------------------ Word

WORD_FIELDS = ["事项名称", "事项编码", "实施主体", "服务对象", "别名", "办理地点", "办理时间", "受理条件", "申请材料",
               "办理流程", "办理时限", "法定办结时限", "承诺办结时限", "到现场次数", "收费标准", "网上办理", "设定依据",
               "咨询电话", "常见问题", "政策变化", "示例数据"]
WORD_SYNONYMS = {"事项编码": ("基本编码", "实施编码"), "实施主体": ("实施机构", "办理部门"), "受理条件": ("申请条件", "办理条件"),
                 "申请材料": ("材料清单", "所需材料"), "办理流程": ("办理程序",), "收费标准": ("收费情况", "是否收费"),
                 "设定依据": ("法律依据", "政策依据"), "咨询电话": ("咨询方式", "联系电话"), "网上办理": ("网办途径",),
                 "常见问题": ("问题解答",), "别名": ("常见说法",)}
HEAD_NUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])?\s*")
WINDOW_RE = re.compile(r"[A-Z]\d{2}(?:-[A-Z]\d{2})?|导服台")
DEPTHS = ("全程网办", "网上申报、现场核验", "网上预约", "仅限现场办理")


def _field_name(text: str) -> str | None:
    t = HEAD_NUM.sub("", text.strip()).rstrip("：: ")
    for f in WORD_FIELDS:
        if t == f or t in WORD_SYNONYMS.get(f, ()):
            return f
    return None


def read_word_sections(path: Path) -> tuple[dict[str, tuple[str, str, list]], list]:
    """{field: (where, text, table rows)} of a Word guide: headed sections or a two-column table."""
    import docx

    try:
        doc = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001
        return {}, [(path.name, "", "", f"不是可读取的 Word 文档（.docx）：{type(e).__name__}")]
    sections: dict[str, tuple[str, str, list]] = {}
    for t_i, table in enumerate(doc.tables, 1):  # 字段 | 内容
        for r_i, row in enumerate(table.rows, 1):
            cells = [c.text.strip() for c in row.cells]
            name = _field_name(cells[0]) if cells else None
            if name and len(cells) >= 2 and name not in sections:
                sections[name] = (f"表格{t_i}第{r_i}行", cells[1], [])
    body = doc.element.body
    current, n_sec, texts, tables = None, 0, [], []

    def flush():
        if current and current not in sections:
            sections[current] = (f"第{n_sec}节「{current}」", "\n".join(texts), tables)

    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")).strip()
            if not text:
                continue
            name, rest = _field_name(text), ""
            m = re.match(r"^(.{1,10}?)[：:]\s*(.+)$", text)
            if name is None and m and _field_name(m.group(1)):  # 事项名称：结婚登记 on one line
                name, rest = _field_name(m.group(1)), m.group(2)
            if name:
                flush()
                current, n_sec, texts, tables = name, n_sec + 1, ([rest.strip()] if rest.strip() else []), []
            elif current:
                texts.append(text)
        elif tag == "tbl" and current:
            tbl = docx.table.Table(el, doc)
            tables.append([[c.text.strip() for c in r.cells] for r in tbl.rows])
    flush()
    return sections, []


def _material_line(line: str) -> dict:
    """“身份证原件（必要，1份，原件，代办时提供，可容缺）” → a 申请材料 entry."""
    m = re.match(r"^(.+?)[（(](.*)[）)]\s*[：:]?\s*(.*)$", line)
    name, parts, note = (m.group(1), SPLIT.split(m.group(2)), m.group(3)) if m else (line, [], "")
    out = {"名称": name.strip(), "必要性": "必要", "份数": "1份", "形式": "原件"}
    for p in (x.strip() for x in parts if x.strip()):
        if p in ("必要", "非必要", "情形必要"):
            out["必要性"] = p
        elif re.fullmatch(r"\d+份", p):
            out["份数"] = p
        elif "容缺" in p:
            out["容缺"] = True
        elif p.endswith("时提供"):
            out["情形"] = p.removesuffix("时提供")
        else:
            out["形式"] = p
    if note:
        out["备注"] = note
    return out


def read_word(path: Path, centre) -> tuple[list[Draft], list, list]:
    sections, problems = read_word_sections(path)
    if problems:
        return [], problems, []
    if not sections:
        return [], [(path.name, "", "", "没有找到任何办事指南字段（标题段落或“字段 | 内容”两列表格）")], []
    get = {k: v[1] for k, v in sections.items()}
    where = {k: v[0] for k, v in sections.items()}
    # 申请材料: a table (名称, 必要性, 份数, 形式 …) or one material per line
    mats = []
    sec = sections.get("申请材料")
    if sec and sec[2]:
        header, *rows = sec[2][0]
        for r in rows:
            row = dict(zip(header, r))
            mats.append(material_from_columns(row, problems, where["申请材料"]))
    elif sec:
        mats = [_material_line(x) for x in _lines(sec[1])]
    faq, q = [], None
    for line in _s(get.get("常见问题")).splitlines():
        line = line.strip()
        if re.match(r"^(问|Q)[：:]", line):
            q = re.sub(r"^(问|Q)[：:]\s*", "", line)
        elif re.match(r"^(答|A)[：:]", line) and q:
            faq.append({"问": q, "答": re.sub(r"^(答|A)[：:]\s*", "", line)})
            q = None
    place_text = _s(get.get("办理地点"))
    hall = next((h for h in centre.halls if h.name in place_text), None)
    zone = next((z.name for z in hall.zones if z.name in place_text), None) if hall else None
    limits = _s(get.get("办理时限"))
    legal = _s(get.get("法定办结时限")) or (re.search(r"法定[^：:]*[：:]?\s*([^；;，,\n]+)", limits) or [None, ""])[1]
    promised = _s(get.get("承诺办结时限")) or (re.search(r"承诺[^：:]*[：:]?\s*([^；;，,\n]+)", limits) or [None, ""])[1]
    visits = re.search(r"\d", _s(get.get("到现场次数")) or (re.search(r"到现场\D*(\d)", limits) or [""])[0])
    fee = _s(get.get("收费标准"))
    online = _s(get.get("网上办理"))
    url = re.search(r"https?://\S+?(?=[）)\s，。；]|$)", online)
    row = {"事项名称": get.get("事项名称"), "事项编码": get.get("事项编码"), "实施主体": get.get("实施主体"),
           "服务对象": get.get("服务对象"), "别名": get.get("别名"), "大厅": hall.name if hall else place_text,
           "专区": zone, "窗口": "、".join(WINDOW_RE.findall(place_text)), "办理时间": get.get("办理时间"),
           "受理条件": get.get("受理条件"), "办理流程": get.get("办理流程"), "法定办结时限": legal, "承诺办结时限": promised,
           "到现场次数": visits.group(0) if visits else "", "是否收费": "否" if re.match(r"^(不收费|免费|无)", fee) else "是",
           "收费标准": fee, "网办深度": next((d for d in DEPTHS if d in online), online),
           "网办途径": online, "网办网址": url.group(0) if url else "", "设定依据": get.get("设定依据"),
           "咨询电话": get.get("咨询电话"), "政策变化": get.get("政策变化"), "示例数据": get.get("示例数据") or "否"}
    local: list = []
    data = guide_from_columns(row, mats, faq, local, path.name)
    problems += [(path.name, w, f, msg) for w, f, msg in local]
    section_of = {"大厅": "办理地点", "专区": "办理地点", "窗口": "办理地点", "法定办结时限": "办理时限",
                  "承诺办结时限": "办理时限", "到现场次数": "办理时限", "是否收费": "收费标准", "网办深度": "网上办理"}
    fw = {k: where[k] for k in where} | {k: where.get(v, f"「{v}」节") for k, v in section_of.items()}
    return [Draft(data, f"{path.name}", fw, "")], problems, []


# ------------------------------------------------------------------ validate and publish


def _where_of(draft: Draft, loc: str) -> tuple[str, str]:
    """(where, field) for a pydantic field path of a draft: 申请材料.1.必要性 → (材料!第6行, 必要性)."""
    parts = loc.split(".")
    if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in draft.field_where:
        return draft.field_where[f"{parts[0]}.{parts[1]}"], ".".join(parts[2:]) or parts[0]
    column = LOC_COLUMN.get(".".join(parts[:2]), parts[0])
    return draft.field_where.get(column, draft.field_where.get(parts[0], draft.where)), column


def import_file(path: Path, settings, dry_run: bool = False) -> ImportReport:
    """Import an .xlsx or .docx into settings.corpus_dir; all-or-nothing (see module doc)."""
    from assistant.core.corpus.load import load_corpus
    from assistant.core.index.build import collect_law_chunks
    from assistant.core.corpus.laws import check_basis

    path = Path(path)
    report = ImportReport(source=path.name)
    corpus_dir = Path(settings.corpus_dir)
    centre = load_centre(corpus_dir / "centre.yaml")
    if path.suffix.lower() == ".xlsx":
        drafts, problems, skipped = read_excel(path)
    elif path.suffix.lower() == ".docx":
        drafts, problems, skipped = read_word(path, centre)
    else:
        report.problems.append((path.name, "", "", "只支持 .xlsx（Excel 模板）和 .docx（Word 办事指南）"))
        raise ImportFailed(report)
    report.skipped += skipped
    report.problems += problems
    existing = {}
    for f in sorted((corpus_dir / "guides").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        existing[str(data.get("事项编码"))] = (f.stem, data)
    plan: dict[str, tuple[Draft, dict]] = {}
    stems_seen: dict[str, str] = {}
    for d in drafts:
        old = existing.get(_s(d.data.get("事项编码")))
        if old:  # fields the template does not carry (情形, 一件事) stay as they are
            d.data = {**{k: v for k, v in old[1].items() if k not in d.data}, **d.data}
        for err in _schema_errors(d.data):
            w, col = _where_of(d, err[0])
            report.problems.append((path.name, w, col, err[1]))
        code = _s(d.data.get("事项编码"))
        old = existing.get(code)
        stem = old[0] if old else (d.stem or slug(code))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,60}", stem or ""):
            report.problems.append((path.name, d.where, "文件名", f"「{stem}」应为英文小写字母、数字和连字符"))
            continue
        if stem in stems_seen:
            report.problems.append((path.name, d.where, "事项编码", f"与 {stems_seen[stem]} 重复"))
            continue
        stems_seen[stem] = d.where
        if old and old[1] == d.data:
            report.skipped.append((d.where, f"与现有指南 {stem}.yaml 相同，无需更新"))
            continue
        plan[stem] = (d, d.data)
        (report.updated if old else report.imported).append(stem)
    if report.problems:
        raise ImportFailed(report)
    # write into a copy of the corpus beside it, validate the whole corpus there, then swap
    stage = Path(tempfile.mkdtemp(prefix=f".{corpus_dir.name}-import-", dir=corpus_dir.parent))
    try:
        shutil.copytree(corpus_dir, stage / "corpus")
        for stem, (_, data) in plan.items():
            (stage / "corpus" / "guides" / f"{stem}.yaml").write_text(
                "# 由 assistant corpus import 从 " + path.name + " 导入\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        try:
            corpus = load_corpus(stage / "corpus")
            basis = check_basis(corpus.guides, collect_law_chunks(settings, corpus))
            if basis:
                raise CorpusError(basis)
        except CorpusError as e:
            by_stem = {stem: d for stem, (d, _) in plan.items()}
            for f, fld, msg in e.problems:
                d = by_stem.get(Path(f).stem)
                w, col = _where_of(d, fld) if d else (Path(f).name, fld)
                report.problems.append((path.name if d else Path(f).name, w, col, msg))
            raise ImportFailed(report) from None
        if not dry_run and plan:
            old = corpus_dir.parent / f"{stage.name}-old"
            (corpus_dir / "guides").rename(old)
            (stage / "corpus" / "guides").rename(corpus_dir / "guides")
            shutil.rmtree(old, ignore_errors=True)
            report.written = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return report


def _schema_errors(data: dict) -> list[tuple[str, str]]:
    """(field path, message) of the Guide schema for one draft (the import names row and column)."""
    from pydantic import ValidationError

    try:
        Guide.model_validate(data)
        return []
    except ValidationError as e:
        out = []
        for err in e.errors():
            msg = {"missing": "缺失", "extra_forbidden": "不是已知字段"}.get(err["type"], f"不合法：{err['msg']}")
            if err["type"] == "too_short":
                msg = "不能为空"
            elif err["type"] == "literal_error":
                msg = f"应为 {err.get('ctx', {}).get('expected', '')} 之一，而不是「{err.get('input')}」"
            elif err["type"] in ("int_parsing", "int_type"):
                msg = f"应为整数，而不是「{err.get('input')}」"
            out.append((".".join(str(p) for p in err["loc"]), msg))
        return out

