"""Quantities a question states and the ranges a clause sets, so that the clause that covers the
person's case leads and a yes/no follows the person's number, not the wording of the rule.

"失业保险交了6年，失业金最长能领多久": 6 年 falls in "累计缴费满五年不足十年的…十八个月", not in "满一年不足五年的…
十二个月"; "女的20岁能领证吗": 20 岁 meets "女不得早于二十周岁" (可以), "男的21岁" does not meet "男不得早于
二十二周岁" (不可以).  Years and months compare in months; days, ages and the rest only with their own unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.text.numerals import cn_to_int

NUM = r"([0-9]+|[零〇一二两三四五六七八九十百千]+)"
UNIT = r"(个工作日|工作日|个月|周岁|岁|日|天|月|年|个?小时|个?钟头)"
BASE = {"个工作日": ("工作日", 1), "工作日": ("工作日", 1), "个月": ("月", 1), "月": ("月", 1), "年": ("月", 12),
        "周岁": ("岁", 1), "岁": ("岁", 1), "日": ("日", 1), "天": ("日", 1),
        **{w: ("小时", 1) for w in ("小时", "个小时", "钟头", "个钟头")}}
HALF = {"半年": (6, "月"), "半个月": (15, "日")}
DATE = re.compile(r"[0-9]{4}年|[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}日|次年|当年|每年|上年")
QTY = re.compile(NUM + r"\s*" + UNIT)
# bounds a clause sets: lower ("满五年", "二十二周岁以上", "不得早于二十周岁"), upper ("不足十年", "不得超过六个月")
LOWER = re.compile(r"(?:(?<![不未])满|不得早于|不早于|不得低于|不低于|不少于|达到)" + NUM + r"\s*" + UNIT + r"|" + NUM + r"\s*" + UNIT + r"(?:以上|及以上)")
UPPER = re.compile(r"(?:不足|不满|未满|不得超过|不超过|最长不超过|少于)" + NUM + r"\s*" + UNIT + r"|" + NUM + r"\s*" + UNIT + r"(?:以下|以内)")
# a bound said as what is allowed ("不得超过六个月") limits the cases; one said plainly ("满五年", "未满十六周岁") names them
LIMIT = re.compile(r"不得|不早于|不低于|不少于|不超过|最长不超过")
LIMIT_PHRASE = re.compile(r"(?:不得早于|不早于|不得低于|不低于|不少于|不得超过|不超过|最长不超过)" + NUM + r"\s*" + UNIT)
# a clause that forbids what it covers, or punishes it ("非法招用未满十六周岁的未成年人的，…处以罚款")
PENALTY = re.compile(r"非法|违反|罚款|责令|吊销|追究")
PROHIBIT = re.compile(r"不得|禁止|严禁|不准|不能|不予|" + PENALTY.pattern)
CONTEXT = 8  # characters before a stated amount that say what it is the amount of
QUALIFIER = re.compile(r"(男|女)")
# amounts said roughly: "十几年", "二十多岁", "30来天" (the middle of the tens: 15, 25, 35), "两个多月", "一年多" (a half more)
ROUGH_TENS = re.compile(r"((?:[一二三四五六七八九]?十)|[1-9]0)(?:几|多|来)\s*" + UNIT)
ROUGH_MORE = re.compile(NUM + r"(?:个多(月)|\s*" + UNIT + r"多)")


def _value(num: str, unit: str) -> tuple[int, str] | None:
    n = int(num) if num.isdigit() else cn_to_int(num)
    if n is None:
        return None
    dim, factor = BASE[unit]
    return n * factor, dim


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))  # keeps the positions of what is left


def amounts(text: str) -> list[tuple[float, str, int, int]]:
    """(value, dimension, start, end) of every amount a question states, dates left out."""
    text = DATE.sub(_blank, text)
    out = [(v[0] + 5 * BASE[m.group(2)][1], v[1], m.start(), m.end()) for m in ROUGH_TENS.finditer(text)
           if (v := _value(m.group(1), m.group(2))) is not None]
    out += [(v[0] + BASE[unit][1] / 2, v[1], m.start(), m.end()) for m in ROUGH_MORE.finditer(text)
            if (unit := m.group(2) or m.group(3)) and (v := _value(m.group(1), unit)) is not None]
    text = ROUGH_MORE.sub(_blank, ROUGH_TENS.sub(_blank, text))
    out += [(*v, m.start(), m.end()) for m in QTY.finditer(text) if (v := _value(m.group(1), m.group(2))) is not None]
    return out + [(n, dim, i, i + len(w)) for w, (n, dim) in HALF.items() if (i := text.find(w)) >= 0]


def quantities(text: str) -> list[tuple[float, str]]:
    """(value, dimension) of every amount a question states, dates left out: "交了6年" → [(72, "月")]."""
    return [(v, d) for v, d, _s, _e in amounts(text)]


@dataclass(frozen=True)
class Bound:
    """A range a clause sets: a scope names the cases it speaks of ("满五年不足十年的", "未满十六周岁的"), a limit
    what it allows them ("不得超过六个月", "不得早于二十周岁"); `part` is the words around it."""

    qualifier: str | None
    dim: str
    low: float
    high: float
    limit: bool
    part: str


def bounds(clause: str) -> list[Bound]:
    """The ranges of a clause, one per part, dimension and kind: "三个月以上不满一年的，试用期不得超过一个月" →
    a scope of 3–12 months and a limit of at most 1 month."""
    out = []
    for part in re.split(r"[，,；;。]", DATE.sub(" ", clause)):
        q = QUALIFIER.match(part.strip())
        found: dict[tuple[str, bool], list[float]] = {}
        for m in LOWER.finditer(part):
            num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if (v := _value(num, unit)) is not None:
                found.setdefault((v[1], bool(LIMIT.match(m.group(0)))), [0.0, float("inf")])[0] = v[0]
        for m in UPPER.finditer(part):
            num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if (v := _value(num, unit)) is not None:
                inclusive = not re.match(r"不足|不满|未满|少于", m.group(0))
                found.setdefault((v[1], bool(LIMIT.match(m.group(0)))), [0.0, float("inf")])[1] = \
                    v[0] + (0.5 if inclusive else 0.0)
        out += [Bound(q.group(1) if q else None, dim, lo, hi, limit, part) for (dim, limit), (lo, hi) in found.items()]
    return out


def ranges(clause: str) -> list[tuple[str | None, str, float, float]]:
    """(qualifier, dimension, low, high) of each range of a clause (see `bounds`)."""
    return [(b.qualifier, b.dim, b.low, b.high) for b in bounds(clause)]


@dataclass(frozen=True)
class Fit:
    """How a clause meets the amounts a person states: `applies` — its scopes contain them (the clause is the
    person's case); `within` — its limits hold for them; `prohibits` — it forbids what it covers (不得/禁止
    beside its limits: "禁止…招用未满十六周岁的未成年人")."""

    applies: bool | None = None
    within: bool | None = None
    prohibits: bool = False

    @property
    def verdict(self) -> bool | None:
        """The yes the clause gives the person's case: its limits when it applies; whether it covers the case
        when it grants something ("满1年的…可以领取": 8 个月 → no); a prohibition says no to the case it covers and
        nothing about the others (that it does not forbid them does not make them lawful)."""
        if self.applies is None:
            return self.within
        if self.applies and self.within is not None:
            return self.within
        if self.prohibits:
            return False if self.applies else None
        return self.applies


def _context(question: str, start: int, end: int) -> set[str]:
    """Bigrams of the words beside a stated amount, within its clause ("劳动合同签一年，…" → 劳动, 合同, 同签 …)."""
    left = re.split(r"[，,。；;！!？?\s]", question[max(start - CONTEXT, 0):start])[-1]
    right = re.split(r"[，,。；;！!？?\s]", question[end:end + CONTEXT // 2])[0]
    return _grams(left) | _grams(right)


def _grams(text: str) -> set[str]:
    text = QTY.sub(" ", text)
    return {text[i:i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i:i + 2])}


def _assign(question: str, said: list, bs: list[Bound]) -> dict[int, list[float]]:
    """Which stated amount each range is checked against: an amount goes to the range of its dimension whose words
    it shares most ("合同签了半年" → the scope about the 劳动合同期限, "试用两个月" → the limit on the 试用期); on
    a tie, to a scope."""
    got: dict[int, list[float]] = {}
    for v, dim, start, end in said:
        same = [i for i, b in enumerate(bs) if b.dim == dim]
        if not same:
            continue
        ctx = _context(question, start, end)
        best = max(same, key=lambda i: (len(ctx & _grams(bs[i].part)), not bs[i].limit, -i))
        got.setdefault(best, []).append(v)
    return got


def fit(question: str, clause: str, said: list | None = None) -> Fit:
    """`Fit` of a clause to the amounts the question states (`said`: `amounts(question)`).  A range checked
    against two amounts, or a rule that differs for 男 and 女 when the question does not say which, decides nothing."""
    said = amounts(question) if said is None else said
    if not said:
        return Fit()
    who = set(QUALIFIER.findall(question))
    bs = []
    for b in bounds(clause):
        if b.qualifier is not None and not who:
            return Fit()  # "二十岁能结婚吗": the rule differs for 男 and 女, and the question does not say which
        if b.qualifier is None or b.qualifier in who:
            bs.append(b)
    scope: list[bool] = []
    limit: list[bool] = []
    for i, vals in _assign(question, said, bs).items():
        if len(vals) == 1:
            (limit if bs[i].limit else scope).append(bs[i].low <= vals[0] < bs[i].high)
    free = LIMIT_PHRASE.sub(" ", clause)
    return Fit(all(scope) if scope else None, all(limit) if limit else None, bool(PROHIBIT.search(free)))


def covers(question: str, clause: str, said: list | None = None) -> bool | None:
    """The yes a clause gives the person's stated amount (`Fit.verdict`): "交了6年" and "满五年不足十年的…" → True,
    "男的21岁" and "男不得早于二十二周岁" → False; None when the clause sets no range for what the question states."""
    return fit(question, clause, said).verdict


# "交过几年", "干了几个月", "住了几天": 几 after 了/过 is "a few", an amount the person states vaguely
INDEFINITE = re.compile(r"(?<=[了过])几个?(?:年|月|天|日|次|趟|岁)")
# the unit a number question names, and a number with that unit in a clause: "几个月内" wants "五个月",
# "多少天" wants "十五日" or "7天", "几年" wants "二年"; a span said in the next unit up counts too ("要住满几个
# 月" is answered by "连续居住半年以上", "几天" by "半个月")
ASKED_UNITS: tuple[tuple[re.Pattern, re.Pattern], ...] = (
    (re.compile(r"(?:几|多少)个?工作日"), re.compile(rf"(?:{NUM})\s*个?工作日")),
    (re.compile(r"(?:几|多少)个月"), re.compile(rf"(?:{NUM})\s*个月|(?:{NUM})?年半|半年")),
    (re.compile(r"(?:几|多少)(?:天|日)"), re.compile(rf"(?:{NUM})\s*(?:日|天)|半个月")),
    (re.compile(r"(?:几|多少)年"), re.compile(rf"(?:{NUM})\s*年")),
    (re.compile(r"(?:几|多少)个?(?:小时|钟头)"), re.compile(rf"(?:{NUM})\s*(?:个)?小时")),
)
