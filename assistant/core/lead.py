"""The lead unit: the one sentence of the evidence that answers the question.

An answer starts with the answer.  The retrieved evidence — the fields of the item's guide
(受理条件, 办结时限, 收费, 常见问题 …), the articles its 设定依据 names, and the best articles of all
indexed laws — is cut into sentences and clauses ("units"), and each unit is scored against the
question:

* dense: the cosine of the question vector with the unit's chunk vector (the index's passage
  vectors; embedding single sentences at query time costs ~45 ms each on this CPU, too slow);
* lexical: how much of the question's own content words the unit repeats;
* asked field: the question asks about 多久 / 多少钱 / 条件 / 代办 … and the unit is that guide field;
* expectation: a number question (几岁, 几天, 多少钱, 比例, 几次) wants a unit with that kind of number,
  a yes/no question a unit that says 可以/不能/需要/不需要.

"女的20岁能领证吗" → 《民法典》第一千零四十七条 "结婚年龄，男不得早于二十二周岁，女不得早于二十周岁";
"要预约吗" (about 结婚登记) → the 办理流程 unit "网上预约（宿心办或江苏政务服务网，可选）".
The winner becomes the first paragraph (≤ LEAD_MAX characters) with its [n]; `trace.lead` names it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.core.corpus.chunks import Chunk
from assistant.core.index.build import Index
from assistant.core.corpus.laws import short_law_name
from assistant.core.dialogue.thresholds import LEAD
from assistant.core.asked import (FILLER, LAWFUL, NUMBER_KINDS, OPENS_NO, SAYS_YESNO, WHERE_ASPECTS, Ask, answers_another,
                                  asks_lawful, cue_polarity, polarity, yes_no_word)
from assistant.core.quantities import amounts, covers, fit, quantities

LEAD_MAX = 120  # characters of the first paragraph (a 390 px phone shows ~7 lines of it)

NO_LEAD_FIELDS = {"overview", "basis", "contact", "bundle"}  # names and lists, not answers


# ------------------------------------------------------------------ units


@dataclass
class Unit:
    chunk: Chunk
    text: str  # what is quoted
    score: float = 0.0
    parts: dict = field(default_factory=dict)
    basis: bool = False  # an article of the item's 设定依据

    def as_dict(self) -> dict:
        return {"chunk_id": self.chunk.chunk_id, "sentence": self.text, "score": round(self.score, 4),
                "parts": {k: round(v, 3) for k, v in self.parts.items()}}


SENTENCE = re.compile(r"(?<=[。；;！!？?\n])")
ITEM = re.compile(r"（[一二三四五六七八九十]+）")  # an item of a list: "（四）…"
TABLE_RULE = re.compile(r"-{5,}")
LIST_START = re.compile(r"[：:]\s*（一）")  # "…不得有下列行为：（一）…": where a list begins
ARTICLE_NO = re.compile(r"^第[一二三四五六七八九十百千零〇两0-9]+条(之[一二三四五六七八九十]+)?\s*")


def faq_question(chunk: Chunk) -> str:
    """A FAQ chunk's question as indexed ("问：…"), "" for any other chunk."""
    return chunk.text.split("答：", 1)[0] if chunk.aspect == "faq" else ""


def body_of(chunk: Chunk) -> str:
    """What a chunk says, as quoted: a FAQ's answer, a law article without its number."""
    text = chunk.text
    if chunk.aspect == "faq":
        text = text.split("答：", 1)[-1]
    elif chunk.kind == "law":
        text = ARTICLE_NO.sub("", text.split(" ", 1)[-1] if ARTICLE_NO.match(text) else text)
    return re.sub(r"\s+", " ", text).strip()


def units_of(chunk: Chunk) -> list[str]:
    """Sentences of a chunk as they would be quoted: a FAQ's answer, a law article without its
    number, each clause of a long sentence kept whole up to LEAD_MAX characters."""
    text = body_of(chunk)
    out = []
    pieces = [re.sub(r"\s+", " ", p).strip(" ；;\n") for p in SENTENCE.split(text)]
    joined: list[str] = []
    lead_in = ""
    for p in pieces:  # "个人所得税的税率：" belongs with "（一）综合所得，适用百分之三至百分之四十五…",
        # and a bare "不能。" with the sentence that says why
        if joined and (joined[-1].endswith(("：", ":")) or len(joined[-1]) < 6):
            joined[-1] += p
        elif p:
            # every later item of a list keeps the sentence that introduces it: "（四）女职工在孕期…的" says
            # nothing alone; "用人单位不得…解除劳动合同：（四）女职工在孕期、产期、哺乳期的" answers
            joined.append(lead_in + p if lead_in and ITEM.match(p) else p)
        if (m := LIST_START.search(joined[-1] if joined else "")) is not None:
            lead_in = joined[-1][:m.start() + 1]
        elif p and not ITEM.match(p):
            lead_in = ""
    for s in joined:
        if len(s) < 4 or TABLE_RULE.search(s):  # a table drawn in text ("------- ---- 级数 …") is not quotable
            continue
        if len(s) > LEAD_MAX:  # a long sentence: its clauses, each with the sentence's opening
            parts = [p for p in re.split(r"(?<=[，,：:])", s) if p.strip()]
            head = parts[0] if len(parts[0]) <= 40 else ""
            cur = ""
            for p in parts:
                if len(cur) + len(p) > LEAD_MAX - len(head) and cur:
                    out.append(cur if cur.startswith(head) else head + cur)
                    cur = ""
                cur += p
            if cur:
                out.append(cur if cur.startswith(head) else head + cur)
        else:
            out.append(s)
    return out


CJK = re.compile(r"[\u4e00-\u9fff0-9]{2,}")


def bigrams(text: str) -> set[str]:
    """Character bigrams of the question's Chinese runs, without the fillers (怎么, 什么 …)."""
    out = set()
    for run in CJK.findall(FILLER.sub(" ", text)):
        out |= {run[i:i + 2] for i in range(len(run) - 1)}
    return out


class LeadSelector:
    """Scores units of candidate chunks against a question.  Uses the index's chunk vectors
    (`Index.vectors()`, float32, one row per chunk) so any chunk's cosine costs one dot product."""

    def __init__(self, index: Index):
        self.index = index
        n = index.dense.ntotal
        self.vecs = index.vectors()  # the index's own matrix, shared with retrieval (not a second copy)
        self.row = {c.chunk_id: i for i, c in enumerate(index.chunks[:n])}
        self._units: dict[str, list[str]] = {}

    def units(self, chunk: Chunk) -> list[str]:
        if chunk.chunk_id not in self._units:
            self._units[chunk.chunk_id] = units_of(chunk)
        return self._units[chunk.chunk_id]

    def dense(self, chunk: Chunk, qvec: np.ndarray) -> float:
        i = self.row.get(chunk.chunk_id)
        return float(self.vecs[i] @ qvec) if i is not None else 0.0

    def rank(self, question: str, ask: Ask, qvec: np.ndarray, chunks: list[Chunk],
             basis: set[str] | None = None, extra_words: tuple[str, ...] = (),
             rank: dict[str, int] | None = None, field_scale: float = 1.0) -> list[Unit]:
        """Every unit of `chunks`, best first.  `basis`: chunk ids of the item's 设定依据 articles (a small
        prior: the item's own law is searched first).  `extra_words`: official words of the term map,
        which count half.  `rank`: chunk id → rank (1 = best) in the retrieval that found it.  The dense
        part is relative to the best candidate: cosines of e5 crowd above 0.9, their order is what counts."""
        basis = basis or set()
        rank = rank or {}
        dmax = max((self.dense(c, qvec) for c in chunks), default=0.0)
        ctx = _Context(question, ask, bigrams(question), amounts(question), Words.of(ask, extra_words))
        out: list[Unit] = []
        seen: set[str] = set()
        for c in chunks:
            if c.chunk_id in seen or (c.kind == "guide" and c.aspect in NO_LEAD_FIELDS
                                      and not (c.aspect == "basis" and "basis" in ask.fields)):
                continue
            seen.add(c.chunk_id)
            s_dense = min(max(1.0 + (self.dense(c, qvec) - dmax) / LEAD.dense_span, 0.0), 1.0)
            chunk_parts = {"dense": s_dense, "rank": 1.0 / rank[c.chunk_id] if c.chunk_id in rank else 0.0,
                           "law": float(c.kind == "law")}
            if c.chunk_id in basis:
                chunk_parts["basis"] = 1.0
            # (where to go is the place field's whatever matched the item: no other unit answers it)
            field_hit = ((1.0 if c.aspect in WHERE_ASPECTS else field_scale)
                         if c.kind == "guide" and c.aspect in ask.fields else 0.0)
            for s in self.units(c):
                parts = chunk_parts | ctx.parts(c, s, field_hit)
                out.append(Unit(c, s, weighted(parts, c.aspect == "faq"), parts, c.chunk_id in basis))
        _prefer_case(out)
        out.sort(key=lambda u: -u.score)
        return out


def _prefer_case(units: list[Unit]) -> None:
    """Of the clauses of one article, the one whose scope holds the person's amount comes first, whatever words
    the others share with the question: "劳动合同签一年，试用期可以约定多久" is answered by "一年以上不满三年的…
    不得超过二个月", not by "…不满三个月的，不得约定试用期"; "才干了四个月…给多少" by "不满六个月的，…半个月工资"."""
    best: dict[str, Unit] = {}
    for u in units:
        if u.parts.get("applies", 0.0) > 0 and (u.chunk.chunk_id not in best or u.score > best[u.chunk.chunk_id].score):
            best[u.chunk.chunk_id] = u
    for u in units:
        b = best.get(u.chunk.chunk_id)
        if b is not None and u is not b and u.parts.get("applies", 0.0) <= 0 and u.score >= b.score:
            b.score = u.score + 1e-3


@dataclass(frozen=True)
class Words:
    """The question's words a unit is matched on: its content words, the term map's official words (half
    weight) and the words beside the question word."""

    words: tuple[str, ...]
    extra: tuple[str, ...]
    focus: tuple[str, ...]

    @classmethod
    def of(cls, ask: Ask, extra: tuple[str, ...]) -> "Words":
        return cls(ask.words, extra, ask.focus)

    def lexical(self, text: str) -> float:
        total = sum(len(w) for w in self.words) + 0.5 * sum(len(w) for w in self.extra)
        if not total:
            return 0.0
        return (sum(len(w) for w in self.words if w in text) + 0.5 * sum(len(w) for w in self.extra if w in text)) / total


@dataclass(frozen=True)
class _Context:
    """What every unit of one question is scored against (LeadSelector.rank)."""

    question: str
    ask: Ask
    qgrams: set[str]
    stated: list
    words: Words

    def parts(self, c: Chunk, s: str, field_hit: float) -> dict:
        """The parts of a unit's score that depend on its sentence."""
        ask = self.ask
        words = self.words
        match_text = faq_question(c) + s
        lex = words.lexical(match_text)
        cue = sum(1.0 for q in ask.cues if q.search(s)) / len(ask.cues) if ask.cues else 0.0
        # the field asked about counts fully when the unit also says the person's words, or what answers the
        # question ("办理时间：周一至周五…" for "周六能办吗"), or is where to go (a place says no word of the question)
        field_w = (1.0 if lex >= 0.1 or not words.words or cue or c.aspect in WHERE_ASPECTS else 0.5) * field_hit
        parts = {"lexical": lex, "field": field_w,
                 "bigram": sum(1 for b in self.qgrams if b in match_text) / len(self.qgrams) if self.qgrams else 0.0}
        if ask.number:
            parts["number"] = 1.0 if NUMBER_KINDS[ask.number][1].search(s) else -1.0
        if ask.unit is not None:
            parts["unit"] = 1.0 if ask.unit.search(s) else 0.0
        if words.focus:
            parts["focus"] = sum(len(w) for w in words.focus if w in match_text) / sum(len(w) for w in words.focus)
        if ask.cues:
            parts["cue"] = cue
        if any(against.search(s) and not answer.search(s) for answer, against in ask.other):
            parts["contrast"] = -1.0  # it speaks only of the other side: drawing a pension, not paying in
        case = fit(self.question, s, self.stated) if self.stated else None
        if case is not None and case.applies is not None:  # the clause for the person's case ("交了6年":
            # 满五年不足十年的…); a yes/no question is answered by one that excludes it too ("交了8个月能领吗":
            # 满1年的 → 不可以), after a clause of the same article that holds it (_prefer_case)
            parts["applies"] = 1.0 if case.applies else -1.0
            parts["case"] = 1.0 if case.applies or ask.yesno else -1.0
        elif case is not None and case.within is not None:  # only a limit: "21岁能领证吗" → 不得早于二十二周岁
            parts["case"] = 1.0 if case.within or ask.yesno else -1.0
        if ask.yesno:
            parts["yesno"] = 1.0 if (SAYS_YESNO.match(s) or polarity(s) is not None
                                     or cue_polarity(self.question, s) is not None) else 0.0
        return parts


# each part of a unit's score and its weight in LEAD (thresholds.LeadWeights)
PART_WEIGHTS = {"dense": "w_dense", "lexical": "w_lexical", "field": "w_field", "rank": "w_rank", "number": "w_number",
                "yesno": "w_yesno", "basis": "w_basis", "bigram": "w_bigram", "law": "w_law", "cue": "w_cue",
                "case": "w_case", "focus": "w_focus", "unit": "w_unit", "contrast": "w_contrast"}


def weighted(parts: dict, faq: bool) -> float:
    """A unit's score: its parts by their weights, and the small prior of a reviewed FAQ answer."""
    return sum(w * parts.get(p, 0.0) for p, w in _part_weights()) + (LEAD.w_faq if faq else 0.0)


_WEIGHTS: list = [None, ()]  # (LEAD, its weight per part in PART_WEIGHTS order): read once per LEAD, not per unit


def _part_weights() -> tuple[tuple[str, float], ...]:
    if _WEIGHTS[0] is not LEAD:
        _WEIGHTS[:] = [LEAD, tuple((p, getattr(LEAD, w)) for p, w in PART_WEIGHTS.items())]
    return _WEIGHTS[1]


def answers(unit: Unit | None, ask: Ask) -> bool:
    """Whether a unit is good enough to lead: it repeats the question's words or is the field asked
    about, and for a number question it has that kind of number."""
    if unit is None or (unit.score < LEAD.min_score and not unit.parts.get("cue")):
        return False
    if ask.number and unit.parts.get("number", 0.0) < 0:
        return False
    return unit.parts["lexical"] >= LEAD.min_lexical or unit.parts["field"] > 0 or unit.parts.get("number", 0.0) > 0 \
        or best_found(unit)


def best_found(unit: Unit) -> bool:
    """A clause of the article retrieval found first and the question's vector is closest to, that repeats some
    of its words: "表兄妹能结婚吗" → "直系血亲或者三代以内的旁系血亲禁止结婚" shares only 结婚, but no other text
    is nearer; it answers rather than "办事指南中没有写明…"."""
    return unit.parts.get("rank") == 1.0 and unit.parts["dense"] >= 1.0 and unit.parts["lexical"] >= LEAD.min_lexical_best


def clip(text: str, limit: int = LEAD_MAX) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip("，、；：,;") + "…"


def cite_name(chunk: Chunk) -> str:
    """《民法典》第一千零四十七条 for a law unit, 「结婚登记」办结时限 for a guide unit."""
    if chunk.kind == "law":
        return f"《{short_law_name(chunk.law or chunk.title)}》{chunk.article}"
    return f"「{chunk.title}」{chunk.section}"


def faq_for_an_amount(question: str, chunk: Chunk) -> bool:
    """A FAQ whose question states an amount the person's does not ("刚交公积金一个月能提吗", 答：不能。… for
    "公积金租房能取吗"): its opening yes/no holds for that amount, not for the person, who gets the rest of it."""
    return chunk.aspect == "faq" and not quantities(question) and bool(quantities(faq_question(chunk)))


def whole(unit: Unit, room: int) -> str:
    """The unit, or the whole article / FAQ answer it belongs to when that fits in `room`: "累计缴费满一年
    不足五年的…十二个月；满五年不足十年的…十八个月；十年以上的…二十四个月" answers every case at once."""
    if unit.chunk.aspect not in ("materials", "steps", "conditions", "situations"):
        full = body_of(unit.chunk)
        if len(full) <= room or unit.chunk.aspect == "time" and full.startswith(unit.text[:8]):
            return full
    return unit.text


def addresses(ask: Ask, unit: Unit) -> bool:
    """Whether a unit speaks of what a yes/no question asks, when the question names it (UNIT_CUES: 本人/代办 for
    "领证能让家里人替她来吗"): "结婚登记已全国通办，可在任一婚姻登记机关办理" is not answered yes by its 可."""
    return not ask.cues or any(q.search(unit.text) for q in ask.cues)


def lead_line(question: str, ask: Ask, unit: Unit, ref: str) -> str:
    """The first paragraph: yes/no when asked and supported, the unit, its [n] — at most LEAD_MAX characters."""
    said = covers(question, unit.text) is not None or cue_polarity(question, unit.text) is not None \
        or unit.parts.get("lexical", 0.0) >= LEAD.yesno_lexical and addresses(ask, unit) \
        or unit.chunk.kind == "law" and asks_lawful(question, allowed=True)  # "这合法吗", "表兄妹能结婚吗": the
    # rule that leads says 不得/禁止/应当/可以
    yn = yes_no_word(question, unit.text, ask) if ask.yesno and said else ""
    if yn == LAWFUL and covers(question, unit.text) is None and unit.parts.get("lexical", 0.0) < LEAD.yesno_lexical:
        yn = ""  # "lawful" is said only by a clause about what is described, never from a stray 应当
    head = f"{yn}。" if yn else ""
    source = f"{cite_name(unit.chunk)}：" if unit.chunk.kind == "law" else ""
    room = LEAD_MAX - len(head) - len(source) - len(ref)
    full = whole(unit, room)
    if (faq_for_an_amount(question, unit.chunk) or ask.yesno and answers_another(question, full)) and SAYS_YESNO.match(full):
        full = SAYS_YESNO.sub("", full, count=1)
    body = clip(full, room)
    if head and not source and (SAYS_YESNO.match(body) or OPENS_NO.match(body)):
        head = ""  # the whole field already opens with its answer ("不收费。标准：…")
    return f"{head}{source}{body}{ref}"


