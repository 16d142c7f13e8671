"""Quantities a question states and the ranges a clause sets, so that the clause that covers the
person's case leads and a yes/no follows the person's number, not the wording of the rule.

"失业保险交了6年，失业金最长能领多久": 6 年 falls in "累计缴费满五年不足十年的…十八个月", not in "满一年不足五年的…
十二个月"; "女的20岁能领证吗": 20 岁 meets "女不得早于二十周岁" (可以), "男的21岁" does not meet "男不得早于
二十二周岁" (不可以).  Years and months compare in months; days, ages and the rest only with their own unit.
"""
from __future__ import annotations

import re

from assistant.core.text.numerals import cn_to_int

NUM = r"([0-9]+|[零〇一二两三四五六七八九十百千]+)"
UNIT = r"(个工作日|工作日|个月|周岁|岁|日|天|月|年)"
BASE = {"个工作日": ("工作日", 1), "工作日": ("工作日", 1), "个月": ("月", 1), "月": ("月", 1), "年": ("月", 12),
        "周岁": ("岁", 1), "岁": ("岁", 1), "日": ("日", 1), "天": ("日", 1)}
HALF = {"半年": (6, "月"), "半个月": (15, "日")}
DATE = re.compile(r"[0-9]{4}年|[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}日|次年|当年|每年|上年")
QTY = re.compile(NUM + r"\s*" + UNIT)
# bounds a clause sets: lower ("满五年", "二十二周岁以上", "不得早于二十周岁"), upper ("不足十年", "不得超过六个月")
LOWER = re.compile(r"(?:满|不得早于|不早于|不得低于|不低于|不少于|达到)" + NUM + r"\s*" + UNIT + r"|" + NUM + r"\s*" + UNIT + r"(?:以上|及以上)")
UPPER = re.compile(r"(?:不足|不满|未满|不得超过|不超过|最长不超过|少于)" + NUM + r"\s*" + UNIT + r"|" + NUM + r"\s*" + UNIT + r"(?:以下|以内)")
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


def quantities(text: str) -> list[tuple[int, str]]:
    """(value, dimension) of every amount a question states, dates left out: "交了6年" → [(72, "月")]."""
    text = DATE.sub(" ", text)
    out = [(v[0] + 5 * BASE[m.group(2)][1], v[1]) for m in ROUGH_TENS.finditer(text)
           if (v := _value(m.group(1), m.group(2))) is not None]
    out += [(v[0] + BASE[unit][1] / 2, v[1]) for m in ROUGH_MORE.finditer(text)
            if (unit := m.group(2) or m.group(3)) and (v := _value(m.group(1), unit)) is not None]
    text = ROUGH_MORE.sub(" ", ROUGH_TENS.sub(" ", text))
    out += [v for m in QTY.finditer(text) if (v := _value(m.group(1), m.group(2))) is not None]
    return out + [(n, dim) for w, (n, dim) in HALF.items() if w in text]


def ranges(clause: str) -> list[tuple[str | None, str, float, float]]:
    """(qualifier, dimension, low, high) of each part of a clause that sets a range: "累计缴费满五年不足十年的"
    → [(None, "月", 60, 120)]; "男不得早于二十二周岁，女不得早于二十周岁" → [("男", "岁", 22, inf), ("女", "岁", 20, inf)]."""
    out = []
    for part in re.split(r"[，,；;。]", DATE.sub(" ", clause)):
        q = QUALIFIER.match(part.strip())
        bounds: dict[str, list[float]] = {}
        for m in LOWER.finditer(part):
            num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if (v := _value(num, unit)) is not None:
                bounds.setdefault(v[1], [0.0, float("inf")])[0] = v[0]
        for m in UPPER.finditer(part):
            num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if (v := _value(num, unit)) is not None:
                inclusive = not re.match(r"不足|不满|未满|少于", m.group(0))
                bounds.setdefault(v[1], [0.0, float("inf")])[1] = v[0] + (0.5 if inclusive else 0.0)
        out += [(q.group(1) if q else None, dim, lo, hi) for dim, (lo, hi) in bounds.items()]
    return out


def covers(question: str, clause: str, said: list[tuple[float, str]] | None = None) -> bool | None:
    """True when a range the clause sets for the person's stated amount contains it ("交了6年" and "满五年不足
    十年的"), False when the clause sets such ranges and none contains it, None when it sets none (or the
    question states two amounts of one kind, or the rule differs for 男 and 女 and the question does not say).
    `said`: `quantities(question)` when the caller already has it (one question against many clauses)."""
    said = quantities(question) if said is None else said
    if not said:
        return None
    who = set(QUALIFIER.findall(question))
    verdicts = []
    for qual, dim, lo, hi in ranges(clause):
        if qual is not None and who and qual not in who:
            continue
        if qual is not None and not who:
            return None  # "二十岁能结婚吗": the rule differs for 男 and 女, and the question does not say which
        vals = [v for v, d in said if d == dim]
        if len(vals) == 1:
            verdicts.append(lo <= vals[0] < hi)
    return any(verdicts) if verdicts else None


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
