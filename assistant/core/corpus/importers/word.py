"""Word side of the importers: a 办事指南 .docx, either headed sections (a paragraph that is just the field
name, optionally numbered "一、", or "事项名称：结婚登记" on one line) or a two-column table (字段 | 内容),
read into one draft whose fields remember their section ("第3节「申请材料」")."""
from __future__ import annotations

import re
from pathlib import Path

from assistant.core.corpus.importers.common import (SPLIT, Draft, cell, cell_lines, guide_from_columns,
                                                    material_from_columns)


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
        mats = [_material_line(x) for x in cell_lines(sec[1])]
    faq, q = [], None
    for line in cell(get.get("常见问题")).splitlines():
        line = line.strip()
        if re.match(r"^(问|Q)[：:]", line):
            q = re.sub(r"^(问|Q)[：:]\s*", "", line)
        elif re.match(r"^(答|A)[：:]", line) and q:
            faq.append({"问": q, "答": re.sub(r"^(答|A)[：:]\s*", "", line)})
            q = None
    place_text = cell(get.get("办理地点"))
    hall = next((h for h in centre.halls if h.name in place_text), None)
    zone = next((z.name for z in hall.zones if z.name in place_text), None) if hall else None
    limits = cell(get.get("办理时限"))
    legal = cell(get.get("法定办结时限")) or (re.search(r"法定[^：:]*[：:]?\s*([^；;，,\n]+)", limits) or [None, ""])[1]
    promised = cell(get.get("承诺办结时限")) or (re.search(r"承诺[^：:]*[：:]?\s*([^；;，,\n]+)", limits) or [None, ""])[1]
    visits = re.search(r"\d", cell(get.get("到现场次数")) or (re.search(r"到现场\D*(\d)", limits) or [""])[0])
    fee = cell(get.get("收费标准"))
    online = cell(get.get("网上办理"))
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
