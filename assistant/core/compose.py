"""Stage 5: compose the answer.  Every sentence about a service or a law is
taken from a chunk and carries its [n]; fixed sentences (hand-off, refusal)
come from the centre map and name the rule that produced them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.core.corpus.chunks import Chunk, material_brief
from assistant.core.corpus.schema import Centre, Guide
from assistant.core.dialogue.replies import reply
from assistant.core.index.build import Index
from assistant.core.corpus.laws import citation_note, short_law_name
from assistant.core.understand import FACT_SITUATIONS

SAMPLE_NOTE = "（本指南为示例数据，窗口号、电话和办理时间以中心官方公告为准。）"


@dataclass
class Citation:
    """One numbered source of an answer: the chunk the [n] of a sentence refers to.  The web layer
    serialises it as it is (web/schemas.py `Citation`)."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    url: str | None = None


@dataclass
class ItemCard:
    """A recommended item as a card: where it is handled and how to do it online.

    ``ItemCard(id="marriage-registration", name="结婚登记", department="宿迁市民政局", hall="综合政务大厅",
    zone="婚姻登记专区", windows=["A01"], address="宿迁市… 1楼 综合政务大厅", hours="…",
    online_available=True, online_route="全程网办：…", online_url=None, score=0.93)``; the web layer turns
    it into the `ItemOut` of the HTTP contract."""

    id: str
    name: str
    department: str
    hall: str
    zone: str | None
    windows: list[str]
    address: str
    hours: str
    online_available: bool
    online_route: str
    online_url: str | None
    score: float | None = None


@dataclass
class Citations:
    """Numbers chunks in order of first use."""

    items: list[Citation] = field(default_factory=list)
    _n: dict[str, int] = field(default_factory=dict)

    def ref(self, chunk: Chunk) -> str:
        if chunk.chunk_id not in self._n:
            n = len(self.items) + 1
            self._n[chunk.chunk_id] = n
            self.items.append(Citation(n=n, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=chunk.title,
                                       section=chunk.section, text=chunk.text, source=source_label(chunk),
                                       url=chunk.url))
        return f"[{self._n[chunk.chunk_id]}]"


def source_label(chunk: Chunk) -> str:
    """Where a citation comes from, as a citizen reads it, never a file path or file name:
    ``办事指南 · 结婚登记 · 申请材料``, ``《民法典》第一千零四十七条``, ``政务服务事项目录 · 犬只登记``.
    (``chunk.source`` — e.g. ``corpus/guides/marriage-registration.yaml`` — stays in the index and the trace.)"""
    if chunk.kind == "law":
        return f"《{short_law_name(chunk.title)}》{chunk.section}"
    if chunk.kind == "catalogue":
        return f"政务服务事项目录 · {chunk.title}"
    if chunk.kind == "guide":
        return f"办事指南 · {chunk.title} · {chunk.section}"
    return " · ".join(p for p in (chunk.title, chunk.section) if p)


def item_card(g: Guide, centre: Centre, score: float | None = None) -> ItemCard:
    """The card of a guide's item; the address is the centre's plus the hall's floor and name."""
    hall = centre.hall(g.place.hall)
    floor = f"{hall.floor} " if hall else ""
    return ItemCard(id=g.id, name=g.name, department=g.department, hall=g.place.hall, zone=g.place.zone,
                    windows=list(g.place.windows), address=f"{centre.address} {floor}{g.place.hall}".strip(),
                    hours=g.hours, online_available=g.online.depth != "仅限现场办理",
                    online_route=f"{g.online.depth}：{g.online.route}", online_url=g.online.url,
                    score=None if score is None else round(score, 4))


def _chunk(index: Index, g: Guide, aspect: str) -> Chunk | None:
    return index.by_id.get(f"guide/{g.id}#{aspect}")


def _where(g: Guide, centre: Centre) -> str:
    hall = centre.hall(g.place.hall)
    floor = f"（{hall.floor}）" if hall else ""
    zone = g.place.zone or ""
    return f"{g.place.hall}{floor}{zone}{'、'.join(g.place.windows)}窗口"


def hall_zone(g: Guide) -> str:
    """综合政务大厅公共服务和综合办件专区 — where an item is handled, without windows."""
    return f"{g.place.hall}{g.place.zone or ''}"


def says_where(text: str, g: Guide) -> bool:
    """Does a staff-written answer already say where to go?  "…到A33-A34窗口办理" names every window, or it has
    its own "办理地点：…" line: the curated answer then adds no second place line."""
    windows = [w for w in g.place.windows if w]
    return "办理地点" in text or (bool(windows) and all(w in text for w in windows))


_MARK = re.compile(r"\[\d{1,3}\]")


def distinct_lines(paras: list[str]) -> list[str]:
    """The answer's paragraphs with every non-empty line shown once: a line equal to an earlier one (ignoring
    [n] markers and spaces: "办理地点：…A33-A34窗口。[2]" after "办理地点：…A33-A34窗口。") is left out, and
    a paragraph left empty goes too."""
    seen: set[str] = set()
    out: list[str] = []
    for p in paras:
        kept = []
        for line in p.split("\n"):
            key = _MARK.sub("", line).strip()
            if key and key in seen:
                continue
            seen.add(key)
            kept.append(line)
        if len(kept) == p.count("\n") + 1:
            out.append(p)
        elif any(line.strip() for line in kept):
            out.append("\n".join(kept))
    return out


def _join(lines: list[str]) -> str:
    """Guide lines as one sentence: "…半年以上；符合以下条件之一：…" (no "。；")."""
    return "；".join(line.rstrip("。；; ") for line in lines) + "。"


def _short(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit].rstrip("，、；：") + "……"


def fee_text(g: Guide) -> str:
    """"不收费。首次申领免费…", or the standard alone when it already says it ("不收费", not "不收费。不收费")."""
    word = "收费" if g.fee.charged else "不收费"
    return g.fee.standard if g.fee.standard.startswith(word) else f"{word}。{g.fee.standard}"


def law_refs(index: Index, g: Guide, limit: int = 3) -> list[Chunk]:
    """The indexed articles behind an item's 设定依据."""
    out = []
    for b in g.basis:
        for a in b.articles:
            c = index.article(b.law, a)
            if c and c not in out:
                out.append(c)
    return out[:limit]


def situation_paras(g: Guide, facts: list[str] | None, ref: str) -> list[str]:
    """For each fact the person said (外地户籍, 委托代办) that some materials depend on: those materials."""
    out = []
    for fact in facts or []:
        extra = [f"{i}. {m.name}" for i, m in enumerate(g.materials, 1)
                 if m.situation and FACT_SITUATIONS[fact].search(m.situation)]
        if extra:
            out.append(f"【按您的情形：{fact}】除必要材料外，还要准备：{_join(extra)}{ref}")
    return out


def _aspect_paras(index: Index, g: Guide, a: str, cites: Citations, facts: list[str] | None) -> list[str]:
    """The 【…】 paragraphs of one guide field: 【需要准备的材料】 (and 【按您的情形：外地户籍】), 【办理地点】 …"""
    centre = index.corpus.centre
    c = _chunk(index, g, a)
    if a == "materials":
        lines = [material_brief(m) for m in g.materials]
        body = "\n".join(f"{i}. {ln}" for i, ln in enumerate(lines, 1))
        return [f"【需要准备的材料】{cites.ref(c)}\n{body}", *situation_paras(g, facts, cites.ref(c))]
    if a == "place":
        return [f"【办理地点】{centre.short_name}{_where(g, centre)}。办理时间：{g.hours}{cites.ref(c)}"]
    if a == "online":
        url = f"（{g.online.url}）" if g.online.url else ""
        return [f"【网上办理】{g.online.depth}：{g.online.route}{url}{cites.ref(c)}"]
    if a == "time":
        return [f"【办理时限】承诺{g.promised_limit}（法定{g.legal_limit}），需到现场{g.visits}次。{cites.ref(c)}"]
    if a == "fee":
        return [f"【收费】{fee_text(g)}"
                + (f"（依据：{g.fee.basis}）" if g.fee.basis else "") + cites.ref(c)]
    if a == "steps":
        return [f"【办理流程】{' → '.join(g.steps)}{cites.ref(c)}"]
    if a == "conditions":
        return [f"【受理条件】{_join(g.conditions)}{cites.ref(c)}"]
    if a == "contact":
        return [f"【咨询电话】{g.phone}{cites.ref(c)}"]
    if a == "basis":
        paras = [f"【设定依据】{c.text}{cites.ref(c)}"]
        for art in law_refs(index, g):
            paras.append(f"《{short_law_name(art.law)}》{art.article}{citation_note(art)}："
                         f"{_short(art.text.split(' ', 1)[-1])}{cites.ref(art)}")
        return paras
    return []


def guide_answer(index: Index, g: Guide, aspects: list[str], cites: Citations,
                 faq: Chunk | None = None, facts: list[str] | None = None) -> list[str]:
    """Paragraphs answering about one item, led by the aspects asked for.  When the person has said
    something about themselves (外地户籍, 委托代办) and materials depend on it, those are pointed out."""
    centre = index.corpus.centre
    paras: list[str] = []
    ov = _chunk(index, g, "overview")
    paras.append(f"您要办理的事项是「{g.name}」，由{g.department}实施。{cites.ref(ov)}")
    if faq is not None:
        answer = faq.text.split("答：", 1)[-1]
        paras.append(f"【常见问题】{answer}{cites.ref(faq)}")
    asked = [a for a in aspects if a in {"materials", "time", "fee", "place", "online", "basis", "steps",
                                          "conditions", "agent", "contact"}]
    show = asked or ["place", "materials", "online", "time"]
    if "agent" in show:
        agent_faq = next((c for c in index.by_item.get(g.id, []) if c.aspect == "faq"
                          and re.search(r"代办|委托|代理|亲自", c.text)), None)
        if agent_faq is not None and agent_faq is not faq:
            paras.append(f"【能否代办】{agent_faq.text.split('答：', 1)[-1]}{cites.ref(agent_faq)}")
        elif not any(m.situation and "代" in m.situation for m in g.materials):
            cond = _chunk(index, g, "conditions")
            paras.append(f"【受理条件】{_join(g.conditions)}{cites.ref(cond)}")
        if "materials" not in show:
            show.append("materials")
    for a in show:
        if a != "agent":  # answered above
            paras += _aspect_paras(index, g, a, cites, facts)
    if "place" not in show:
        paras.append(f"办理地点：{_where(g, centre)}。{cites.ref(_chunk(index, g, 'place'))}")
    if "basis" not in show:
        arts = law_refs(index, g, limit=1)
        basis = _chunk(index, g, "basis")
        if arts:
            art = arts[0]
            paras.append(f"依据：《{short_law_name(art.law)}》{art.article}{citation_note(art)}{cites.ref(art)}等{cites.ref(basis)}")
        else:
            paras.append(f"依据：{basis.text}{cites.ref(basis)}")
    if g.bundle:
        paras.insert(1, f"【一件事一次办】一次申请同时办理：{'、'.join(g.bundle.members)}。{g.bundle.saving}"
                        f"{cites.ref(_chunk(index, g, 'bundle'))}")
    if g.updates and ("materials" in show or "conditions" in show):
        paras.append(f"提示：{_join(g.updates)}{cites.ref(ov)}")
    if g.sample:
        paras.append(SAMPLE_NOTE)
    return paras


def policy_answer(laws: list[Chunk], cites: Citations) -> list[str]:
    paras = ["根据现行法律法规的规定："]
    for c in laws:
        note = citation_note(c)  # 将于…起施行 for a version not yet in force
        paras.append(f"《{short_law_name(c.law)}》{c.article}{note}：{_short(c.text.split(' ', 1)[-1], 220)}{cites.ref(c)}")
    paras.append(reply("law-excerpt-note"))
    return paras


def handoff_text(centre: Centre, reason: str) -> str:
    """`reason`, then where a person can help: the desk, the hotline, the 办不成事 window (texts in
    corpus/lexicon/replies.yaml, places and numbers from corpus/centre.yaml)."""
    desk, fail = centre.point("导办台"), centre.point("办不成事")
    parts = [reason]
    if desk:
        parts.append(reply("handoff:desk", desk_location=desk.location, desk_hours=desk.hours, hours=centre.hours,
                           desk_description=desk.description))
    parts.append(reply("handoff:hotline", hotline=centre.hotline))
    if fail:
        parts.append(reply("handoff:unresolved", fail_location=fail.location, fail_name=fail.name))
    return "".join(parts)


# ------------------------------------------------------------------ answer first (issue 11)

FIELD_ORDER = ("conditions", "materials", "time", "fee", "steps", "contact", "basis")
NO_ANSWER_WHAT = {"time": "办理时限", "fee": "收费", "conditions": "这一条件", "materials": "这项材料",
                  "steps": "这一步骤", "online": "网上办理方式", "place": "办理地点", "contact": "联系电话",
                  "basis": "设定依据"}


def _online_short(g: Guide) -> str:
    """宿心办app → 民政服务 → 婚姻登记预约 (the first route of several)."""
    route = re.split(r"；|;|。", g.online.route)[0].strip()
    return f"{g.online.depth}：{route}" if g.online.depth != "仅限现场办理" else "仅限现场办理"


def item_line(index: Index, g: Guide, cites: Citations) -> str:
    """The item in one line: where (hall, zone, windows) and the online route."""
    return (f"办理事项「{g.name}」：{_where(g, index.corpus.centre)}{cites.ref(_chunk(index, g, 'place'))}；"
            f"{_online_short(g)}{cites.ref(_chunk(index, g, 'online'))}")


def materials_short(g: Guide) -> str:
    """Names of the materials, one line each, with the 情形 that needs them."""
    lines = []
    for i, m in enumerate(g.materials, 1):
        when = f"（{m.situation}）" if m.situation else ""
        lines.append(f"{i}. {m.name}{when}")
    return "\n".join(lines)


def field_para(index: Index, g: Guide, field: str, cites: Citations, facts: list[str] | None = None) -> list[str]:
    """One guide field as a short paragraph, cited."""
    c = _chunk(index, g, field)
    if c is None:
        return []
    if field == "materials":
        return [f"需要准备的材料{cites.ref(c)}：\n{materials_short(g)}", *situation_paras(g, facts, cites.ref(c))]
    if field == "time":
        return [f"办理时限：承诺{g.promised_limit}（法定{g.legal_limit}），需到现场{g.visits}次。{cites.ref(c)}"]
    if field == "fee":
        return [f"收费：{fee_text(g)}{cites.ref(c)}"]
    if field == "conditions":
        return [f"受理条件：{_join(g.conditions)}{cites.ref(c)}"]
    if field == "steps":
        return [f"办理流程：{' → '.join(g.steps)}{cites.ref(c)}"]
    if field == "contact":
        return [f"咨询电话：{g.phone}{cites.ref(c)}"]
    if field == "basis":
        return [f"设定依据：{c.text}{cites.ref(c)}"]
    if field == "place":
        return [f"办理地点：{_where(g, index.corpus.centre)}。办理时间：{g.hours}{cites.ref(c)}"]
    if field == "online":
        url = f"（{g.online.url}）" if g.online.url else ""
        return [f"网上办理：{g.online.depth}：{g.online.route}{url}{cites.ref(c)}"]
    return []


def no_answer_line(g: Guide, fields: set[str], ref: str) -> str:
    what = "、".join(NO_ANSWER_WHAT[f] for f in FIELD_ORDER + ("online", "place") if f in fields) or "您问的这一点"
    return f"办事指南中没有写明{what}的具体答案，以下是「{g.name}」的办理信息，细节请向窗口确认。{ref}"


def basis_line(index: Index, g: Guide, cites: Citations) -> str:
    arts = law_refs(index, g, limit=1)
    basis = _chunk(index, g, "basis")
    if arts:
        return f"依据：《{short_law_name(arts[0].law)}》{arts[0].article}{cites.ref(arts[0])}等{cites.ref(basis)}"
    return f"依据：{basis.text}{cites.ref(basis)}"


def law_quote(unit_chunk: Chunk, sentence: str, cites: Citations, limit: int = 150) -> str:
    return f"《{short_law_name(unit_chunk.law)}》{unit_chunk.article}规定：{_short(sentence, limit)}{cites.ref(unit_chunk)}"


def sample_note(g: Guide) -> list[str]:
    return [SAMPLE_NOTE] if g.sample else []
