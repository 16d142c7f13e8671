"""What a question asks of its answer's first sentence, and the yes or no a sentence gives it (issue 11).

`ask_of` reads the guide fields a question is about (办理地点, 办结时限 …), the kind of number it wants
(几岁, 几天, 多少钱), whether it wants a yes or a no, its content words and the words beside the question
word; `yes_no_word` finds the 可以 / 不需要 … a sentence supports, from what the question asks about
(answers.yaml unit cues: "全程网办" says no to "要去现场吗") before the sentence's own 可以/需要.
lead.py scores the evidence units against an `Ask`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.quantities import ASKED_UNITS, INDEFINITE, PENALTY, covers
from assistant.core.understand import ASPECT_CONTEXT, ASPECT_PATTERNS

# number kind → (what in the question asks for it, what in a unit answers it)
NUM = r"[0-9０-９]+(?:\.[0-9]+)?|[一二两三四五六七八九十百千万]+"
NUMBER_KINDS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "age": (re.compile(r"几岁|多大|年龄|多少岁|岁数|(\d+|[一二三四五六七八九十]+)岁|周岁|满.{0,3}岁"),
            re.compile(rf"(?:{NUM})周?岁|年龄")),
    "count": (re.compile(r"几次|几趟|多少次|多少趟|跑几|去几"), re.compile(rf"(?:{NUM})次|(?:{NUM})趟|一次")),
    "ratio": (re.compile(r"比例|税率|百分之|几成|多少个点|费率|%|缴费比例|几倍|多少倍"),
              re.compile(rf"(?:{NUM})\s*%|百分之|税率|比例|(?:{NUM})倍")),
    "money": (re.compile(r"多少钱|几块钱|多少元|金额|工本费|交多少|领多少|补多少|赔多少|给多少|发多少|补贴多少|罚多少|罚款"),
              re.compile(rf"(?:{NUM})\s*(?:元|块)|不收费|免费|免收|不收取|工本费|标准|(?:{NUM}|半)个月(?:的)?(?:本人)?工资|"
                         rf"(?:{NUM})倍")),
    "duration": (re.compile(r"多久|多长时间|几天|几个工作日|多少天|时限|期限|多长|几个月|多少个月|几年|多少年|"
                            r"最长|最短"),
                 re.compile(rf"(?:{NUM})\s*(?:个)?(?:工作日|日|天|月|年|小时|周)|半年|半个月|即时|当场|当日|当天|立即|即办")),
    # "利率多少", "能贷几年" without a unit word: any number
    "amount": (re.compile(r"多少|几(?!乎)"), re.compile(rf"(?:{NUM})")),
    # "什么时候", "哪天": a point in time, said as 之日起 / 前 / 后 as often as with a number
    "when": (re.compile(r"什么时候|啥时候|哪天|截止|几号|之前还是|前还是|还是.{0,4}后"),
             re.compile(r"之日|日起|之前|以前|前|以后|之后|届满|期间|内|(?:\d+|[一二三四五六七八九十]+)(?:日|月|号)")),
}
YESNO = re.compile(r"吗[？?!！。 ]*$|吗(?=[，,]|[给要能有]?(?:多少|几))|(?<=[\u4e00-\u9fff])(?:不|没|没有)[？?!！。 ]*$|了吧[？?!！。 ]*$|能不能|可不可以|可以不|是不是|要不要|需不需要|需要不|有没有|用不用|行不行|能否|是否|"
                   r"可否|算不算|会不会|让不让|准不准|许不许|得不得")
# the verb family of a yes/no question decides the words of the answer: (question words, yes, no);
# the words of this and of FIELD_CUES / UNIT_CUES are data (corpus/lexicon/answers.yaml)
YES_WORDS: tuple[tuple[re.Pattern, str, str], ...] = load_lexicon().answers.yes_words
NEG = re.compile(r"不能|不得|不可以|不可|不需要|无需|无须|不用|不必|不再需要|不再|不受理|不予|禁止|不收取|不收费|免收|免费|免征|免缴|"
                 r"不属于|不享受|不接受|不支持|可选(?!择)|非必须|自愿|不办理|不适用|没有|仅限现场")
POS = re.compile(r"可以|(?<![许认])可(?![靠能见])|(?<![可功技职性体才])能(?!力|源)|需要|须|应当|必须|应(?![用急聘届])|有权|享有|"
                 r"收费|允许|全程网办|网上办理")
# a unit that already starts with the answer ("可以。…", "不能。…", "一般不能。…", "不一定。…", "不收费。…")
# needs no added yes/no: a second one would repeat it ("不收费。不收费。") or contradict it ("可以。不一定。")
_HEDGE = r"(?:您|你)?(?:一般|通常|原则上|目前)?"
SAYS_YESNO = re.compile(_HEDGE + r"(?:可以|不可以|能|不能|需要|不需要|无需|无须|不用|不必|要|不要|有|没有|是|不是|不行|行|"
                        r"不一定|会|不会|算|不算|收费|不收费|免费|不收|照样可以)[。，,！!；;]")
# a unit that opens with a "no" ("不需要每月到窗口签到，…", "不能随意查询"): a "yes" put before it reads as a contradiction
# ("不满六个月的…", "不足五年的…" open with the case they speak of, not with a no)
OPENS_NO = re.compile(_HEDGE + r"(?:不(?!动产|同|少|超过|低于|得|满|足)|没有|无需|无须|免)")
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
CUE_FIELDS = {id(q): fs for q, fs in FIELD_CUES}  # a unit cue that borrows a field cue's words (asks_like)
# what in a sentence answers a yes/no question about it yes or no ("需要去现场吗" / "全程网办": no)
POLAR_CUES = [(q, says.get("says_yes"), says.get("says_no")) for q, _u, says in load_lexicon().answers.unit_says
              if "says_yes" in says or "says_no" in says]
# a unit that says only the other side of what is asked answers another question: "多大年纪可以开始交" (pay in) is
# not answered by "领取年龄仍为60周岁" (draw) — (question words, words that answer it, words of the other side)
CONTRASTS = [(q, u, says["against"]) for q, u, says in load_lexicon().answers.unit_says if "against" in says]
NEGATED = re.compile(r"(?:不|没|别|无需|无须|不用|不必)$")  # "不去现场能办吗" asks the other way round

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
    other: tuple[tuple[re.Pattern, re.Pattern], ...] = ()  # (answers it, the other side) of CONTRASTS

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


def _not_about(text: str) -> list[tuple[int, int, set[str]]]:
    """(start, end, fields) of each phrase of the question that is not about those fields (turns.yaml
    aspect_context instead_of: "多少天内去办变更" is the person's deadline, not the 办结时限)."""
    out = []
    for ctx in ASPECT_CONTEXT:
        gone = set().union(*(ASPECT_FIELDS.get(a, set()) for a in ctx.instead_of))
        out += [(m.start(), m.end(), gone) for m in ctx.words.finditer(text)] if gone else []
    return out


def _cued(pattern: re.Pattern, text: str, fields: set[str], not_about: list) -> bool:
    """Whether the question says a cue's words outside the phrases that are not about its fields."""
    return any(not any(lo <= m.start() and m.end() <= hi and fields & gone for lo, hi, gone in not_about)
               for m in pattern.finditer(text))


def ask_of(text: str, aspects: list[str], tokens: list[str]) -> Ask:
    fields: set[str] = set()
    for a in aspects:
        fields |= ASPECT_FIELDS.get(a, set())
    not_about = _not_about(text)
    for pattern, fs in FIELD_CUES:
        if _cued(pattern, text, fs, not_about):
            fields |= fs
    asked = INDEFINITE.sub(" ", text)  # "交过几年养老保险" says a few years, it does not ask how many
    number = next((k for k, (q, _u) in NUMBER_KINDS.items() if q.search(asked)), None)
    words = tuple(dict.fromkeys(t for t in tokens if len(t) >= 2 and not FILLER.fullmatch(t)))
    if fields & {"place", "contact"}:
        where = _where_words(text, words)
        words = tuple(w for w in words if w not in where)
    cues = tuple(u for q, u in UNIT_CUES if _cued(q, text, CUE_FIELDS.get(id(q), set()), not_about))
    other = tuple((u, against) for q, u, against in CONTRASTS if q.search(text) and not against.search(text))
    unit = next((u for q, u in ASKED_UNITS if q.search(asked)), None)
    return Ask(frozenset(fields), number, bool(YESNO.search(text)), words, cues, focus_words(text, words), unit, other)


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


def polarity(unit: str) -> bool | None:
    """True when the unit says yes (可以, 需要 …), False when no (不能, 无需, 可选 …), None when neither."""
    if NEG.search(unit):
        return False
    if POS.search(unit):
        return True
    return None


# the part of a unit that speaks of what is asked (issue 11): a yes/no comes from the clause that holds the question's
# focus words or the act it asks about (answers.yaml asked_acts: "出钱" / "缴纳"), with that clause's own negation
# ("职工不缴纳工伤保险费", "可以不设董事会", "免征契税") — never from a 可以/应当 elsewhere in the unit
ASKED_ACTS: tuple[re.Pattern, ...] = load_lexicon().answers.asked_acts
CLAUSE = re.compile(r"[^，,。；;：:！!？?\n]+[，,。；;：:！!？?\n]?")
ASKING = re.compile(r"(?:还|也|都|就|钱|我|这)?(?:要|能|不要|不能|不是|是|可以|需要|得|不用|用|非得|必须|会|不会|有|行|不行)")  # how it
# asks, not what about; and words that point at what the person described ("这样", "合法"): the scene's words count then
POINTING = re.compile(r"这样|这么|那样|合法|合规|合理|随便|出来|一下")
CASE = re.compile(r"的[，,]?$")  # "累计缴费不足十五年的，": the case a rule speaks of, not what it says of it
NOT_BEFORE = re.compile(r"(?:不|未|无需|无须|不用|不必|(?<!减)免|可以不)[^，。；]{0,2}$")  # "不缴纳", "可以不设", "免征"
NEGATED_TERM = re.compile(r"[不没免]")
SENTENCE = re.compile(r"[。；;！!？?\n]$")


def asked_terms(ask: Ask) -> tuple[str, ...]:
    """The words that name what a yes/no question asks about, nearest the question word last: its focus words, or
    its content words when the focus words only point at what the person described."""
    return _focus(ask) or _content(ask.words)


def _content(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if not ASKING.fullmatch(w) and not POINTING.fullmatch(w))


def _focus(ask: Ask) -> tuple[str, ...]:
    return _content(ask.focus)


def _held_at(clause: str, terms: tuple[str, ...]) -> tuple[int, list[int]]:
    """How near the question word the asked term a clause says is (-1: none), and where the clause says it (or a word
    of the act family the term belongs to)."""
    rank, at = -1, []
    for k, t in enumerate(terms):
        found = [m.start() for m in re.finditer(re.escape(t), clause)]
        for act in ASKED_ACTS:
            found += [m.start() for m in act.finditer(clause)] if act.search(t) else []
        if found:
            rank, at = k, at + found
    return rank, at


def _clause_polarity(clause: str, at: list[int], terms: tuple[str, ...] = ()) -> bool | None:
    """A clause's own yes/no: a no right before the asked act ("不缴纳", "免征"), else its 可以/不得 …; the person's own
    negated act ("不设监事行不行") is read as the act itself ("可以不设监事": yes)."""
    if CASE.search(clause):
        return None
    for t in terms:
        if NEGATED_TERM.match(t) and t in clause:
            return polarity(clause.replace(t, "之"))
    if any(NOT_BEFORE.search(clause[:i]) for i in at):
        return False
    return polarity(clause)


def _sentence_polarity(clauses: list[str], i: int, at: list[int], terms: tuple[str, ...]) -> bool | None:
    """The clause's own yes/no, else the first one of the rest of its sentence (a case, "…的，", says none)."""
    pol = _clause_polarity(clauses[i], at, terms)
    while pol is None and not SENTENCE.search(clauses[i]) and i + 1 < len(clauses):
        i += 1
        pol = _clause_polarity(clauses[i], [])
    return pol


def spoken_polarity(ask: Ask, unit: str, scene: str = "") -> bool | None | str:
    """Yes (True) or no (False) from the clauses of the unit that speak of what is asked, the clause of the term
    nearest the question word first (the whole unit's when they say neither); "unrelated" when no clause speaks
    of it, or none speaks of the act the question asks about (answers.yaml asked_acts: "代办，要给钱吗" is not
    answered by a clause about 代办).  With `scene`, the question when it asks whether what the person describes is
    lawful ("这样合法吗"), any content word of it names the act when the focus words are not said."""
    terms = asked_terms(ask)
    if not terms:
        return polarity(unit)
    clauses = [c for c in CLAUSE.findall(unit) if c.strip()]
    held = _held(clauses, terms)
    act = next((t for t in reversed(terms) if _act_of(t)), None) if terms == _focus(ask) or not scene else None
    if act is not None and act not in unit and not any(a.search(act) and a.search(unit) for a in ASKED_ACTS):
        return UNRELATED  # the act nearest the question word ("代办，要给钱吗": 给钱) is not spoken of
    by_scene = not held and bool(scene) and bool(ask.focus)
    if by_scene:
        terms = _content(ask.words)
        held = _held(clauses, terms)
    if not held:
        return UNRELATED
    said = next(((p, i) for _r, i, at in held if (p := _sentence_polarity(clauses, i, at, terms)) is not None), None)
    if said is None:
        return None if by_scene else polarity(unit)
    # "不提前说一声直接让我走合法吗" and "提前三十日…通知…可以解除": the person describes the act not done
    flip = scene not in ("", NEGATED_ACT_SAID) and any(
        t in clauses[said[1]] and NEGATED.search(scene.split(t)[0]) for t in terms)
    return said[0] != flip


NEGATED_ACT_SAID = "negated act"  # the question already says what is not done (answers.yaml negated_act)


def _act_of(term: str) -> bool:
    return any(a.search(term) for a in ASKED_ACTS)


def _held(clauses: list[str], terms: tuple[str, ...]) -> list[tuple[int, int, list[int]]]:
    held = ((r, i, at) for i, c in enumerate(clauses) for r, at in [_held_at(c, terms)] if r >= 0)
    return sorted(held, key=lambda h: (-h[0], h[1]))


UNRELATED = "unrelated"


def cue_polarity(question: str, unit: str) -> bool | None:
    """Yes or no from what the question asks about (answers.yaml unit_cues with yes/no words), not from the
    sentence's own 可以/需要: "全程网办" says no to "要去现场吗" and yes to "不去现场能办吗"."""
    for asks, yes, no in POLAR_CUES:
        m = asks.search(question)
        if m is None:
            continue
        said = False if no is not None and no.search(unit) else True if yes is not None and yes.search(unit) else None
        if said is not None:
            return said != bool(NEGATED.search(question[:m.start()]))
    return None


# "这合法吗" and "可以吗" ask whether what the person describes is allowed: a rule's own 应当/不得 answers them
# the other way round when the person says it is NOT done ("一分加班费不给" against "应当…支付加班费")
LAWFUL, ALLOWED = "合法", "可以"
PERMITS = re.compile(r"可以|有权|允许")
NEGATED_ACT: re.Pattern | None = load_lexicon().answers.negated_act


def asks_lawful(question: str, allowed: bool = False) -> bool:
    """Whether the question asks if what it describes is lawful ("这合法吗", "公司这样做对吗"), or with
    `allowed` also whether it may be done ("表兄妹能结婚吗")."""
    family = next((yes for q, yes, _no in YES_WORDS if q.search(question)), None)
    return family == LAWFUL or allowed and family == ALLOWED


FEE = next((q for q, yes, _no in YES_WORDS if yes == "收费"), None)
PAYING = [a for a in ASKED_ACTS if a.search("出钱")]  # the act family of paying (answers.yaml asked_acts)


FEE_WORDS = re.compile(r"不收取|不收费|免收|免费|收费|不收")  # they say yes or no only to whether it costs money


def asks_paying(question: str) -> bool:
    return FEE is not None and bool(FEE.search(question)) or any(a.search(question) for a in PAYING)


def answers_another(question: str, unit: str) -> bool:
    """Whether a unit opens with the fee answer of a field written for another question ("不收费。标准：…" under
    "公积金也能一起办吗"): that opening answers whether it costs money, which the person did not ask."""
    m = SAYS_YESNO.match(unit)
    return m is not None and bool(FEE_WORDS.search(m.group())) and not asks_paying(question)


def yes_no_word(question: str, unit: str, ask: Ask | None = None) -> str:
    """"可以" / "不需要" … for a yes/no question, only when the unit says it and does not say it itself
    (a unit that opens with its own yes/no, or with a "no", keeps its own words).  With the question's `ask`, the
    unit's own 可以/不 count only in the clause that speaks of what is asked (spoken_polarity)."""
    if SAYS_YESNO.match(unit) or OPENS_NO.match(unit):
        return ""
    unit = unit if asks_paying(question) else FEE_WORDS.sub("，", unit)  # "提取不收取手续费" does not say 提取 is not allowed
    pol, case = cue_polarity(question, unit), covers(question, unit)
    scene = (NEGATED_ACT_SAID if NEGATED_ACT is not None and NEGATED_ACT.search(question) else question) \
        if asks_lawful(question) else ""
    spoken = spoken_polarity(ask, unit, scene) if ask is not None else polarity(unit)
    if pol is None and case is None and spoken == UNRELATED:
        return ""  # a unit that does not speak of the asked act gives its fact, never a yes/no
    if pol is None and asks_lawful(question) and PENALTY.search(unit):
        pol = False  # a clause that punishes what is described: it is not lawful
    elif pol is None and (pol := spoken) is not None and NEGATED_ACT is not None \
            and NEGATED_ACT.search(question):
        pol = not pol if asks_lawful(question, allowed=True) else pol
    if pol is None and case is None:
        return ""
    if pol and case is None and asks_lawful(question) and not PERMITS.search(unit):
        return ""  # "合法" needs a rule that permits it: an 应当 binding someone else does not
    for pattern, yes, no in YES_WORDS:
        if pattern.search(question):
            # "女的20岁能领证吗" and "女不得早于二十周岁": 可以; "干了四个月有补偿吗" and "不满六个月的，…半个月工资": 有
            if case is not None and yes in (ALLOWED, "是", LAWFUL, "有"):
                return yes if case else no
            if pol is None or yes == "是":  # 是/不是 only from the person's number, never from the wording
                return ""
            if not pol and yes == ALLOWED and OPTIONAL.search(unit) and not NEG.search(OPTIONAL.sub("", unit)):
                return yes  # "能在网上预约吗" / "网上预约（可选）": it can be done, it is not required
            return yes if pol else no
    return ""
