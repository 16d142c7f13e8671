"""One way to write an Excel workbook (openpyxl), shared by the knowledge-base template export
(importers.write_template) and the staff console's exports (staff_bulk.py): a bold header row, readable
column widths, one sheet per table.

    >>> data = workbook_bytes({"会话": (["时间", "问题"], [["2026-03-06 09:00", "结婚登记要带什么"]])})
    >>> data[:2]
    b'PK'
"""
from __future__ import annotations

import io
from pathlib import Path


def workbook(sheets: dict[str, tuple[list[str], list[list]]], widths: dict[str, int] | None = None):
    """An openpyxl Workbook: for each ``name → (header, rows)`` a sheet with a bold header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    for i, (name, (header, rows)) in enumerate(sheets.items()):
        ws = wb.active if i == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for j, col in enumerate(header, 1):
            ws.column_dimensions[ws.cell(1, j).column_letter].width = (widths or {}).get(col, 18)
        for r in rows:
            ws.append(r)
    return wb


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]], widths: dict[str, int] | None = None) -> bytes:
    buf = io.BytesIO()
    workbook(sheets, widths).save(buf)
    return buf.getvalue()


def save_workbook(wb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
