"""Excel side of the importers: the template workbook staff fill in (`assistant corpus template`), a
guide as rows of its three sheets (the template's example row; an export), and reading a filled-in
workbook back into drafts with every problem named by sheet, row and column ("材料!第5行 字段「必要性」")."""
from __future__ import annotations

from pathlib import Path

from assistant.core.corpus.importers.common import (FAQ_COLUMNS, ITEM_COLUMNS, MATERIAL_COLUMNS, SHEET_FAQ, SHEET_ITEMS,
                                                    SHEET_MATERIALS, Draft, cell, guide_from_columns,
                                                    material_from_columns)



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
    header = [cell(h) for h in rows[0]]
    missing = [c for c, _ in cols if c not in header]
    if missing:
        problems.append((fname, f"{name}!第1行", "、".join(missing), "缺少这些列"))
        return []
    out = []
    for i, r in enumerate(rows[1:], 2):
        row = {h: v for h, v in zip(header, r) if h}
        if any(cell(v) for v in row.values()):
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
    codes = {cell(r.get("事项编码")) for _, r in items}
    for sheet, rows in ((SHEET_MATERIALS, mats), (SHEET_FAQ, faqs)):
        for i, r in rows:
            if cell(r.get("事项编码")) not in codes:
                problems.append((fname, f"{sheet}!第{i}行", "事项编码", f"「{cell(r.get('事项编码'))}」不在「事项」表中"))
    drafts, skipped = [], []
    for i, row in items:
        where = f"{SHEET_ITEMS}!第{i}行"
        code = cell(row.get("事项编码"))
        if not code and not cell(row.get("事项名称")):
            skipped.append((where, "没有事项名称和事项编码"))
            continue
        local: list = []
        m_rows = [(j, r) for j, r in mats if cell(r.get("事项编码")) == code]
        f_rows = [(j, r) for j, r in faqs if cell(r.get("事项编码")) == code]
        materials = [material_from_columns(r, local, f"{SHEET_MATERIALS}!第{j}行") for j, r in m_rows]
        faq = [{"问": cell(r.get("问")), "答": cell(r.get("答"))} for _, r in f_rows]
        data = guide_from_columns(row, materials, faq, local, where)
        problems += [(fname, w, f, msg) for w, f, msg in local]
        fw = {f"申请材料.{k}": f"{SHEET_MATERIALS}!第{j}行" for k, (j, _) in enumerate(m_rows)}
        fw |= {f"常见问题.{k}": f"{SHEET_FAQ}!第{j}行" for k, (j, _) in enumerate(f_rows)}
        drafts.append(Draft(data, where, fw, cell(row.get("文件名"))))
    return drafts, problems, skipped
