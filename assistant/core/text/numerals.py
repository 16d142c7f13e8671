"""Chinese numerals as numbers, one parser for the whole project: law article numbers
(第一千零四十七条 → 1047), quantities a model's answer claims (二百元 → 200, checked against the
guide's numbers in `phrase.py`), and the fact matching of the evaluation (二十周岁 → 20周岁 in
`evaluation/metrics.py`).

    >>> cn_to_int("一千零四十七"), cn_to_int("十五"), cn_to_int("二〇二五"), cn_to_int("三万五千")
    (1047, 15, 2025, 35000)
    >>> article_number("第一千零四十七条"), article_number("第12条"), int_to_cn(1049)
    (1047, 12, '一千零四十九')

A run without 十/百/千/万/亿 is read digit by digit, as years are written (二〇二五 → 2025).  A zero
before a unit counts that unit once (一千零十 → 1010, as 一千零一十).
"""
from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"  # every character cn_to_int reads


def cn_to_int(s: str) -> int | None:
    """一千零四十六 → 1046, 十二 → 12, 二〇二五 → 2025, 三万 → 30000; None when `s` is empty or has a
    character that is not a Chinese numeral."""
    if not s or any(ch not in NUMERAL_CHARS for ch in s):
        return None
    if not any(ch in UNITS or ch in BIG_UNITS for ch in s):  # digit by digit: 二〇二五
        return int("".join(str(DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (digit or 1) * UNITS[ch]
            digit = None
        else:  # 万 / 亿 close a section
            section += digit or 0
            total += (section or 1) * BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def article_number(s: str) -> int | None:
    """第一千零四十九条 → 1049; tolerant of 第12条 and bare numerals; None for 第十条之一."""
    s = s.strip().removeprefix("第").removesuffix("条")
    if s.isdigit():
        return int(s)
    return cn_to_int(s)


def int_to_cn(n: int) -> str:
    """1049 → 一千零四十九, 10 → 十, 110 → 一百一十 (the way law articles are numbered, below 10000)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out += "零"
            out += ("" if (unit == 10 and d == 1 and not out) else digits[d]) + name
            zero = False
        elif out:
            zero = True
    return out
