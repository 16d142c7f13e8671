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
from assistant.core.corpus.importers.apply import import_file
from assistant.core.corpus.importers.common import Draft, ImportFailed, ImportReport
from assistant.core.corpus.importers.excel import guide_rows, read_excel, write_template
from assistant.core.corpus.importers.word import read_word

__all__ = ["Draft", "ImportFailed", "ImportReport", "guide_rows", "import_file", "read_excel", "read_word",
           "write_template"]
