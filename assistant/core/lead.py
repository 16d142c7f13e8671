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
from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.index.build import Index
from assistant.core.corpus.laws import short_law_name
from assistant.core.dialogue.thresholds import LEAD
from assistant.core.quantities import ASKED_UNITS, INDEFINITE, covers, quantities
from assistant.core.understand import ASPECT_PATTERNS

LEAD_MAX = 120  # characters of the first paragraph (a 390 px phone shows ~7 lines of it)

# ------------------------------------------------------------------ what the question asks

# number kind → (what in the question asks for it, what in a unit answers it)
NUM = r"[0-9０-９]+(?:\.[0-9]+)?|[一二两三四五六七八九十百千万]+"
NUMBER_KINDS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "age": (re.compile(r"几岁|多大|年龄|多少岁|岁数|(\d+|[一二三四五六七八九十]+)岁|周岁|满.{0,3}岁"),
            re.compile(rf"(?:{NUM})周?岁|年龄")),
    "count": (re.compile(r"几次|几趟|多少次|多少趟|跑几|去几"), re.compile(rf"(?:{NUM})次|(?:{NUM})趟|一次")),
    "ratio": (re.compile(r"比例|税率|百分之|几成|多少个点|费率|%|缴费比例"), re.compile(rf"(?:{NUM})\s*%|百分之|税率|比例")),
    "money": (re.compile(r"多少钱|几块钱|多少元|金额|工本费|交多少|领多少|补多少|赔多少|给多少|发多少|补贴多少|罚多少|罚款"),
              re.compile(rf"(?:{NUM})\s*(?:元|块)|不收费|免费|免收|不收取|工本费|标准")),
    "duration": (re.compile(r"多久|多长时间|几天|几个工作日|多少天|时限|期限|多长|几个月|多少个月|几年|多少年|"
                            r"最长|最短"),
                 re.compile(rf"(?:{NUM})\s*(?:个)?(?:工作日|日|天|月|年|小时|周)|半年|半个月|即时|当场|当日|当天|立即|即办")),
    # "利率多少", "能贷几年" without a unit word: any number
    "amount": (re.compile(r"多少|几(?!乎)"), re.compile(rf"(?:{NUM})")),
    # "什么时候", "哪天": a point in time, said as 之日起 / 前 / 后 as often as with a number
    "when": (re.compile(r"什么时候|啥时候|哪天|截止|几号|之前还是|前还是|还是.{0,4}后"),
             re.compile(r"之日|日起|之前|以前|前|以后|之后|届满|期间|内|(?:\d+|[一二三四五六七八九十]+)(?:日|月|号)")),
}
YESNO = re.compile(r"吗[？?!！。 ]*$|(?<=[\u4e00-\u9fff])(?:不|没|没有)[？?!！。 ]*$|了吧[？?!！。 ]*$|能不能|可不可以|可以不|是不是|要不要|需不需要|需要不|有没有|用不用|行不行|能否|是否|"
                   r"可否|算不算|会不会|让不让|准不准|许不许|得不得")
# the verb family of a yes/no question decides the words of the answer: (question words, yes, no);
# the words of this and of FIELD_CUES / UNIT_CUES are data (corpus/lexicon/answers.yaml)
YES_WORDS: tuple[tuple[re.Pattern, str, str], ...] = load_lexicon().answers.yes_words
NEG = re.compile(r"不能|不得|不可以|不可|不需要|无需|无须|不用|不必|不再需要|不再|不受理|不予|禁止|不收取|不收费|免收|免费|"
                 r"不属于|不享受|不接受|不支持|可选(?!择)|非必须|自愿|不办理|不适用|没有|仅限现场")
POS = re.compile(r"可以|可|能|需要|须|应当|必须|应|有权|享有|收费|允许|全程网办|网上办理")
# a unit that already starts with the answer ("可以。…", "不能。…", "一般不能。…", "不一定。…", "不收费。…")
# needs no added yes/no: a second one would repeat it ("不收费。不收费。") or contradict it ("可以。不一定。")
_HEDGE = r"(?:您|你)?(?:一般|通常|原则上|目前)?"
SAYS_YESNO = re.compile(_HEDGE + r"(?:可以|不可以|能|不能|需要|不需要|无需|无须|不用|不必|要|不要|有|没有|是|不是|不行|行|"
                        r"不一定|会|不会|算|不算|收费|不收费|免费|不收|照样可以)[。，,！!；;]")
# a unit that opens with a "no" ("不需要每月到窗口签到，…", "不能随意查询"): a "yes" put before it reads as a contradiction
OPENS_NO = re.compile(_HEDGE + r"(?:不(?!动产|同|少|超过|低于|得)|没有|无需|无须|免)")
# "可选", "自愿", "非必须" say no to 需要…吗 but yes to 能…吗 ("能在网上预约吗" → 可以, it is optional)
OPTIONAL = re.compile(r"可选(?!择)|自愿|非必须|也可以不")

# guide field each aspect of understand.ASPECT_PATTERNS asks about
ASPECT_FIELDS = {
    "materials": {"materials", "situations"}, "time": {"time"}, "fee": {"fee"}, "place": {"place"},
    "online": {"online"}, "basis": {"basis"}, "steps": {"steps"}, "conditions": {"conditions"},
    "agent": {"conditions"}, "contact": {"contact"},
}
# words of a question that ask about something a field answers, beyond understand's aspects
FIELD_CUES: list[tuple[re.Pattern, set[str]]] = list(load_lexicon().answers.field_cues.values())
# what a question asks about → words of the unit that answer it ("要本人去吗" → 本人/亲自/代办 …)
UNIT_CUES: list[tuple[re.Pattern, re.Pattern]] = load_lexicon().answers.unit_cues
NO_LEAD_FIELDS = {"overview", "basis", "contact", "bundle"}  # names and lists, not answers

# question words that carry no content (lexical overlap ignores them)
FILLER = re.compile(r"请问|你好|您好|我想|我要|想问|问一下|一下|怎么|怎样|如何|什么|啥|咋|哪里|哪儿|哪个|哪些|多少|多久|"
                    r"能不能|可不可以|可以|能|需要|要不要|是不是|是否|有没有|吗|呢|吧|啊|呀|的|了|我|你|他|她|办理|办|"
                    r"规定|法律|请|谢谢|这个|那个|一个|还|也|都|就")


@dataclass(frozen=True)
class Ask:
    """What a question asks: guide fields it is about, the kind of number it wants, whether it wants yes/no."""

    fields: frozenset[str]
    number: str | None
    yesno: bool
    words: tuple[str, ...]  # content words of the question (jieba tokens, fillers removed)
    cues: tuple[re.Pattern, ...] = ()  # words of a unit that answer what is asked (UNIT_CUES)
    focus: tuple[str, ...] = ()  # the words next to the question word: what is asked about ("从哪天开始生效": 生效)
    unit: re.Pattern | None = None  # a number with the unit the question names ("几个月" → "五个月", not "六十日")

    @property
    def specific(self) -> bool:
        return bool(self.fields or self.number or self.yesno)


# aspects whose words say where or when to go, not what about: "哪个窗口", "在大厅哪块", "周六" ask for the 办理地点
# field; a steps or FAQ sentence that also says 窗口 ("不需要每月到窗口签到") does not answer them
WHERE_ASPECTS = ("place", "contact")


def _where_words(text: str, words: tuple[str, ...]) -> set[str]:
    """The question's words that only say which field is asked (窗口, 大厅, 周六 …): the field and the unit
    cues score them, the lexical overlap does not."""
    spans = [m.group() for a in WHERE_ASPECTS for m in ASPECT_PATTERNS[a].finditer(text)]
    return {w for w in words if any(w in s or s in w for s in spans)}


def ask_of(text: str, aspects: list[str], tokens: list[str]) -> Ask:
    fields: set[str] = set()
    for a in aspects:
        fields |= ASPECT_FIELDS.get(a, set())
    for pattern, fs in FIELD_CUES:
        if pattern.search(text):
            fields |= fs
    asked = INDEFINITE.sub(" ", text)  # "交过几年养老保险" says a few years, it does not ask how many
    number = next((k for k, (q, _u) in NUMBER_KINDS.items() if q.search(asked)), None)
    words = tuple(dict.fromkeys(t for t in tokens if len(t) >= 2 and not FILLER.fullmatch(t)))
    if fields & {"place", "contact"}:
        where = _where_words(text, words)
        words = tuple(w for w in words if w not in where)
    cues = tuple(u for q, u in UNIT_CUES if q.search(text))
    unit = next((u for q, u in ASKED_UNITS if q.search(asked)), None)
    return Ask(frozenset(fields), number, bool(YESNO.search(text)), words, cues, focus_words(text, words), unit)


# where a question asks: the question word itself ("几次", "多少天", "哪天", "吗", "能不能" …)
QUESTION_AT = re.compile(r"几|多少|多久|多长|多大|哪|什么|啥|怎么|咋|吗|能不能|可不可以|是否|是不是|有没有|要不要|算不算|行不行")
FOCUS_SPAN = 6  # characters on each side of the question word


def focus_words(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The content words beside a question word — what the question asks about, as against the words that
    set the scene: "公证书从哪天开始生效" → 开始, 生效; "施工许可证能延期几次" → 延期.  A unit that says them
    answers the question, not only its topic."""
    near = [(max(m.start() - FOCUS_SPAN, 0), m.end() + FOCUS_SPAN) for m in QUESTION_AT.finditer(text)]
    out = []
    for w in words:
        if QUESTION_AT.search(w):  # "几次", "哪天": the question word itself
            continue
        at = [m.start() for m in re.finditer(re.escape(w), text)]
        if any(lo <= i and i + len(w) <= hi for i in at for lo, hi in near):
            out.append(w)
    return tuple(out)


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


def polarity(unit: str) -> bool | None:
    """True when the unit says yes (可以, 需要 …), False when no (不能, 无需, 可选 …), None when neither."""
    if NEG.search(unit):
        return False
    if POS.search(unit):
        return True
    return None


def yes_no_word(question: str, unit: str) -> str:
    """"可以" / "不需要" … for a yes/no question, only when the unit says it and does not say it itself
    (a unit that opens with its own yes/no, or with a "no", keeps its own words)."""
    if SAYS_YESNO.match(unit) or OPENS_NO.match(unit):
        return ""
    pol, case = polarity(unit), covers(question, unit)
    if pol is None and case is None:
        return ""
    for pattern, yes, no in YES_WORDS:
        if pattern.search(question):
            if case is not None and yes in ("可以", "是"):  # "女的20岁能领证吗" and "女不得早于二十周岁": 可以
                return yes if case else no
            if pol is None or yes == "是":  # 是/不是 only from the person's number, never from the wording
                return ""
            if not pol and yes == "可以" and OPTIONAL.search(unit) and not NEG.search(OPTIONAL.sub("", unit)):
                return yes  # "能在网上预约吗" / "网上预约（可选）": it can be done, it is not required
            return yes if pol else no
    return ""


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
        ctx = _Context(question, ask, bigrams(question), quantities(question), Words.of(ask, extra_words))
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
            field_hit = (field_scale if c.kind == "guide" and c.aspect in ask.fields else 0.0)
            for s in self.units(c):
                parts = chunk_parts | ctx.parts(c, s, field_hit)
                out.append(Unit(c, s, weighted(parts, c.aspect == "faq"), parts, c.chunk_id in basis))
        out.sort(key=lambda u: -u.score)
        return out


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
        match_text = (c.text.split("答：", 1)[0] if c.aspect == "faq" else "") + s
        lex = words.lexical(match_text)
        cue = sum(1.0 for q in ask.cues if q.search(s)) / len(ask.cues) if ask.cues else 0.0
        # the field asked about counts fully when the unit also says the person's words, or what answers the
        # question ("办理时间：周一至周五…" for "周六能办吗")
        field_w = (1.0 if lex >= 0.1 or not words.words or cue else 0.5) * field_hit
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
        case = covers(self.question, s, self.stated) if self.stated else None
        if case is not None:  # the clause for the person's case ("交了6年": 满五年不足十年的…); a yes/no
            # question is answered by the clause that excludes the case too ("21岁能领证吗": 不可以)
            parts["case"] = 1.0 if case or ask.yesno else -1.0
        if ask.yesno:
            parts["yesno"] = 1.0 if (SAYS_YESNO.match(s) or polarity(s) is not None) else 0.0
        return parts


# each part of a unit's score and its weight in LEAD (thresholds.LeadWeights)
PART_WEIGHTS = {"dense": "w_dense", "lexical": "w_lexical", "field": "w_field", "rank": "w_rank", "number": "w_number",
                "yesno": "w_yesno", "basis": "w_basis", "bigram": "w_bigram", "law": "w_law", "cue": "w_cue",
                "case": "w_case", "focus": "w_focus", "unit": "w_unit"}


def weighted(parts: dict, faq: bool) -> float:
    """A unit's score: its parts by their weights, and the small prior of a reviewed FAQ answer."""
    return sum(getattr(LEAD, w) * parts.get(p, 0.0) for p, w in PART_WEIGHTS.items()) + (LEAD.w_faq if faq else 0.0)


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


def whole(unit: Unit, room: int) -> str:
    """The unit, or the whole article / FAQ answer it belongs to when that fits in `room`: "累计缴费满一年
    不足五年的…十二个月；满五年不足十年的…十八个月；十年以上的…二十四个月" answers every case at once."""
    if unit.chunk.aspect not in ("materials", "steps", "conditions", "situations"):
        full = body_of(unit.chunk)
        if len(full) <= room or unit.chunk.aspect == "time" and full.startswith(unit.text[:8]):
            return full
    return unit.text


def lead_line(question: str, ask: Ask, unit: Unit, ref: str) -> str:
    """The first paragraph: yes/no when asked and supported, the unit, its [n] — at most LEAD_MAX characters."""
    said = unit.parts.get("lexical", 0.0) >= LEAD.yesno_lexical or covers(question, unit.text) is not None
    yn = yes_no_word(question, unit.text) if ask.yesno and said else ""
    head = f"{yn}。" if yn else ""
    source = f"{cite_name(unit.chunk)}：" if unit.chunk.kind == "law" else ""
    room = LEAD_MAX - len(head) - len(source) - len(ref)
    body = clip(whole(unit, room), room)
    if head and not source and (SAYS_YESNO.match(body) or OPENS_NO.match(body)):
        head = ""  # the whole field already opens with its answer ("不收费。标准：…")
    return f"{head}{source}{body}{ref}"


