"""Chunks: the unit that is indexed, retrieved and cited.

A service guide becomes one chunk per field (概述, 申请材料, 办理地点, …) and
one per 常见问题; a law becomes one chunk per article (see `laws.py`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields

from assistant.core.corpus.schema import Centre, Guide


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    kind: str  # "guide" | "law"
    title: str  # item name, or the law's name
    section: str  # guide field (申请材料 …), or the article (第X条)
    text: str  # what is shown and cited
    source: str  # where it came from (file path, laws.db)
    url: str | None = None
    item_id: str | None = None
    aspect: str | None = None  # guide: overview/materials/place/… ; law: None
    law: str | None = None
    article: str | None = None
    meta: dict = field(default_factory=dict)  # chapter, status, version date, …
    index_text: str = ""  # extra words indexed but not shown (aliases, law name)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()[:24]

    @property
    def embed_text(self) -> str:
        head = self.title if self.kind == "law" else f"{self.title} {self.section}"
        return f"{head}：{self.text}"[:1200]

    def to_json(self) -> str:
        """One line of chunks.jsonl; the same text as ``json.dumps(asdict(self))`` in a third of the time
        (meta holds strings and booleans only, so nothing needs the deep copy `asdict` makes)."""
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "Chunk":
        return cls(**json.loads(line))


# Guide field → (aspect key, section title shown in citations)
ASPECTS = {
    "overview": "事项概述",
    "conditions": "受理条件",
    "materials": "申请材料",
    "place": "办理地点",
    "steps": "办理流程",
    "time": "办结时限",
    "fee": "收费标准",
    "online": "网上办理",
    "basis": "设定依据",
    "contact": "咨询电话",
    "situations": "办理情形",
    "bundle": "一件事",
    "faq": "常见问题",
}


def material_line(m) -> str:
    parts = [m.necessity, m.copies, m.form]
    if m.situation:
        parts.insert(0, f"{m.situation}时提供")
    if m.waivable:
        parts.append("可容缺后补")
    line = f"{m.name}（{'，'.join(parts)}）"
    return line + (f"：{m.note}" if m.note else "")


DEFAULT_MATERIAL = ("必要", "1份", "原件")


def material_brief(m) -> str:
    """A material as a citizen reads it: only what differs from the default 必要、原件1份.

    ``居民身份证（必要，1份，原件）`` → ``居民身份证``; ``委托书（情形必要，1份，原件，代办时提供）`` →
    ``委托书（代办时提供）``; ``照片（必要，3份，原件）`` → ``照片（3份）``.  The indexed chunk keeps the full
    line (material_line) so the citation still shows everything the guide says."""
    parts = []
    if m.situation:
        parts.append(f"{m.situation}时提供")
    elif m.necessity != "必要":
        parts.append(m.necessity)
    if m.copies != "1份":
        parts.append(m.copies)
    if m.form != "原件" and m.form not in m.name:
        parts.append(m.form)
    if m.waivable:
        parts.append("可容缺后补")
    line = m.name + (f"（{'，'.join(parts)}）" if parts else "")
    return line + (f"：{m.note}" if m.note else "")


def place_text(g: Guide, centre: Centre) -> str:
    hall = centre.hall(g.place.hall)
    floor = f"（{hall.floor}）" if hall else ""
    zone = f"{g.place.zone}" if g.place.zone else ""
    return (f"{centre.short_name}{g.place.hall}{floor}{zone}，{'、'.join(g.place.windows)}窗口。"
            f"地址：{centre.address}。办理时间：{g.hours}")


def guide_chunks(g: Guide, centre: Centre, source: str) -> list[Chunk]:
    doc_id = f"guide/{g.id}"
    names = f"{g.name} {' '.join(g.aliases)}"

    def make(aspect: str, text: str, suffix: str = "", section: str | None = None) -> Chunk:
        return Chunk(
            chunk_id=f"{doc_id}#{aspect}{suffix}", doc_id=doc_id, kind="guide", title=g.name,
            section=section or ASPECTS[aspect], text=text, source=source, item_id=g.id, aspect=aspect,
            meta={"department": g.department, "sample": g.sample}, index_text=names,
        )

    online = f"{g.online.depth}。{g.online.route}" + (f"（{g.online.url}）" if g.online.url else "")
    chunks = [
        make("overview", f"「{g.name}」由{g.department}实施，服务对象：{'、'.join(g.audience)}。"
                         f"常见说法：{'、'.join(g.aliases)}。到现场次数：{g.visits}次。"
                         + (f"政策变化：{'；'.join(g.updates)}" if g.updates else "")),
        make("conditions", "；".join(g.conditions)),
        make("materials", "\n".join(f"{i}. {material_line(m)}" for i, m in enumerate(g.materials, 1))),
        make("place", place_text(g, centre)),
        make("steps", " → ".join(g.steps)),
        make("time", f"法定办结时限：{g.legal_limit}；承诺办结时限：{g.promised_limit}；到现场次数：{g.visits}次。"),
        make("fee", ("收费" if g.fee.charged else "不收费") + f"。标准：{g.fee.standard}"
                    + (f"。依据：{g.fee.basis}" if g.fee.basis else "")),
        make("online", online),
        make("basis", "；".join(f"《{b.law}》{'、'.join(b.articles)}" + (f"（{b.note}）" if b.note else "")
                               for b in g.basis)),
        make("contact", f"咨询电话：{g.phone}"),
    ]
    if g.situations:
        chunks.append(make("situations", "；".join(f"{s.name}：{s.description}" for s in g.situations)))
    if g.bundle:
        chunks.append(make("bundle", f"本事项一次办理：{'、'.join(g.bundle.members)}。{g.bundle.saving}"))
    for i, qa in enumerate(g.faq, 1):
        chunks.append(make("faq", f"问：{qa.question}\n答：{qa.answer}", suffix=str(i),
                           section=f"常见问题：{qa.question}"))
    return chunks
