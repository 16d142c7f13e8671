"""Catalogue files (issue 13): the 政务服务事项目录 a centre exports — JSON lines / a JSON list with the keys of
the 四川政务服务网 export or Chinese keys, or CSV — read into `CatalogueItem`s, every problem named by file,
row and field; and which items a full guide already covers.  Matching and answering: catalogue.py."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.schema import Centre, CorpusError

TASK_TYPES = {"1": "行政许可", "2": "行政处罚", "3": "行政强制", "4": "行政征收", "5": "行政给付",
              "6": "行政检查", "7": "行政确认", "8": "行政奖励", "9": "行政裁决", "10": "其他行政权力",
              "20": "公共服务"}
KEYS = {  # accepted column → field
    "name": "name", "事项名称": "name",
    "department": "department", "实施主体": "department", "部门": "department",
    "itemCode": "code", "事项编码": "code", "code": "code",
    "taskType": "kind", "办理项类型": "kind", "事项类型": "kind", "kind": "kind",
    "link": "url", "网址": "url", "办事链接": "url", "url": "url",
    "hall": "hall", "大厅": "hall", "zone": "zone", "专区": "zone",
    "main_item": "group", "主项": "group",
}
REQUIRED = {"name": "事项名称", "department": "实施主体", "code": "事项编码"}


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    name: str
    department: str
    kind: str = ""
    url: str | None = None
    hall: str | None = None
    zone: str | None = None
    group: str = ""
    source: str = ""

    @property
    def id(self) -> str:
        return "catalogue:" + hashlib.sha1(self.code.encode()).hexdigest()[:12]

    def chunk(self) -> Chunk:
        """The citable record of the item (never part of the guide/law retrieval arrays)."""
        parts = [f"事项名称：{self.name}", f"实施主体：{self.department}", f"事项编码：{self.code}"]
        if self.kind:
            parts.append(f"办理项类型：{self.kind}")
        if self.url:
            parts.append(f"网上办理：{self.url}")
        return Chunk(chunk_id=f"{self.id}#catalogue", doc_id=self.id, kind="catalogue", title=self.name,
                     section="事项目录", text="；".join(parts) + "。", source=self.source, url=self.url,
                     item_id=self.id, meta={"department": self.department, "code": self.code})


def _rows(path: Path) -> list[tuple[str, dict]]:
    """(where, row) for every record of a catalogue file; where = '第N行'."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError([(str(path), "", f"无法读取：{e}")]) from None
    if path.suffix.lower() == ".csv":
        return [(f"第{i}行", dict(r)) for i, r in enumerate(csv.DictReader(text.splitlines()), 2)]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CorpusError([(str(path), "", f"JSON 格式错误（第{e.lineno}行）：{e.msg}")]) from None
        if not isinstance(data, list):
            raise CorpusError([(str(path), "", "JSON 文件应为事项列表")])
        return [(f"第{i}项", r) for i, r in enumerate(data, 1)]
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"第{i}行", json.loads(line)))
        except json.JSONDecodeError as e:
            raise CorpusError([(str(path), f"第{i}行", f"不是合法的 JSON：{e.msg}")]) from None
    return out


def load_catalogue_file(path: Path) -> list[CatalogueItem]:
    """Every item of one catalogue file; all problems are collected and raised together
    as CorpusError naming the file, the row and the field."""
    if not path.exists():
        raise CorpusError([(str(path), "", "事项目录文件不存在")])
    items, problems = [], []
    for where, raw in _rows(path):
        if not isinstance(raw, dict):
            problems.append((str(path), where, "应为键值对象"))
            continue
        row = {KEYS[k]: str(v).strip() for k, v in raw.items() if k in KEYS and v is not None and str(v).strip()}
        missing = [label for f, label in REQUIRED.items() if not row.get(f)]
        if missing:
            problems += [(str(path), f"{where}.{label}", "缺失") for label in missing]
            continue
        url = row.get("url")
        if url and not re.match(r"^https?://", url):
            problems.append((str(path), f"{where}.网址", f"不是 http(s) 链接：{url[:40]}"))
            continue
        kind = TASK_TYPES.get(row.get("kind", ""), row.get("kind", ""))
        items.append(CatalogueItem(code=row["code"], name=row["name"], department=row["department"], kind=kind,
                                   url=url, hall=row.get("hall"), zone=row.get("zone"),
                                   group="" if row.get("group") == "未分类" else row.get("group", ""),
                                   source=f"{path.name} {where}"))
    if problems:
        raise CorpusError(problems)
    return items


def load_catalogues(paths: list[Path], guides) -> tuple[list[CatalogueItem], dict]:
    """Catalogue-only items of all files (first file wins a duplicate code), without the items a
    full guide covers; and counts of what was read, covered and duplicated."""
    covered_names = {n for g in guides for n in (g.name, *g.aliases)}
    covered_codes = {g.code for g in guides}
    seen: set[str] = set()
    out: list[CatalogueItem] = []
    counts = {"read": 0, "covered_by_guide": 0, "duplicate": 0}
    for path in paths:
        for item in load_catalogue_file(Path(path)):
            counts["read"] += 1
            if item.code in covered_codes or item.name in covered_names:
                counts["covered_by_guide"] += 1
            elif item.code in seen:
                counts["duplicate"] += 1
            else:
                seen.add(item.code)
                out.append(item)
    counts["items"] = len(out)
    return out, counts


def department_place(centre: Centre, item: CatalogueItem) -> tuple[str, str | None] | None:
    """(hall, zone) where the centre handles the item: the item's own 大厅/专区, else the centre.yaml
    「部门」 entry one of whose 关键词 the department contains (区人社局 → 人社 → 人社医保大厅)."""
    if item.hall:
        return item.hall, item.zone
    for d in centre.departments:
        if any(k in item.department for k in d.keywords):
            return d.hall, d.zone
    return None
