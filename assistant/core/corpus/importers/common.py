"""What the Excel and Word importers share: the template's columns, the import report, the draft of one
guide, and the reading of cells into guide fields ("身份证、户口簿" → a list, "是" → True, a 设定依据 line
"《中华人民共和国民法典》第一千零四十七条" → {"法规": …, "条款": ["第一千零四十七条"]}).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def cell(v) -> str:
    return "" if v is None else str(v).strip()


def cell_list(v) -> list[str]:
    return [x.strip() for x in SPLIT.split(cell(v)) if x.strip()]


def cell_lines(v) -> list[str]:
    return [re.sub(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）]|[一二三四五六七八九十]+、)\s*", "", x).strip()
            for x in cell(v).splitlines() if x.strip()]


def cell_bool(v, name: str, problems: list, where: str):
    s = cell(v)
    if s in ("是", "true", "True", "TRUE", "1", "有", "收费"):
        return True
    if s in ("否", "false", "False", "FALSE", "0", "", "无", "不收费", "免费"):
        return False
    problems.append((where, name, f"应为“是”或“否”，而不是「{s}」"))
    return None


def basis_entries(v) -> list[dict]:
    out = []
    for line in cell(v).splitlines():
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
    place = {"大厅": cell(row.get("大厅")), "窗口": cell_list(row.get("窗口"))}
    if cell(row.get("专区")):
        place["专区"] = cell(row.get("专区"))
    visits = cell(row.get("到现场次数"))
    data = {
        "事项名称": cell(row.get("事项名称")), "事项编码": cell(row.get("事项编码")), "实施主体": cell(row.get("实施主体")),
        "服务对象": cell_list(row.get("服务对象")), "别名": cell_list(row.get("别名")), "办理地点": place,
        "办理时间": cell(row.get("办理时间")), "受理条件": cell_lines(row.get("受理条件")), "申请材料": materials,
        "办理流程": cell_lines(row.get("办理流程")), "法定办结时限": cell(row.get("法定办结时限")),
        "承诺办结时限": cell(row.get("承诺办结时限")),
        "到现场次数": int(float(visits)) if re.fullmatch(r"\d+(\.0)?", visits) else visits,
        "收费": {"是否收费": cell_bool(row.get("是否收费"), "是否收费", problems, where), "标准": cell(row.get("收费标准")),
               "依据": cell(row.get("收费依据"))},
        "网上办理": {"深度": cell(row.get("网办深度")), "途径": cell(row.get("网办途径"))},
        "设定依据": basis_entries(row.get("设定依据")), "咨询电话": cell(row.get("咨询电话")), "常见问题": faq,
        "sample": cell_bool(row.get("示例数据"), "示例数据", problems, where),
    }
    if cell(row.get("网办网址")):
        data["网上办理"]["网址"] = cell(row.get("网办网址"))
    if cell(row.get("政策变化")):
        data["政策变化"] = cell_lines(row.get("政策变化"))
    return data


def material_from_columns(row: dict, problems: list, where: str) -> dict:
    m = {"名称": cell(row.get("名称")), "必要性": cell(row.get("必要性")), "份数": cell(row.get("份数")),
         "形式": cell(row.get("形式"))}
    if cell_bool(row.get("容缺"), "容缺", problems, where):
        m["容缺"] = True
    if cell(row.get("情形")):
        m["情形"] = cell(row.get("情形"))
    if cell(row.get("备注")):
        m["备注"] = cell(row.get("备注"))
    return m
