"""Measuring whether an answer answers the question (issue 11): the pieces the
evaluation sets `fact`, `scope` and `followup` are scored with.

Definitions (used everywhere, documented once here):

* **first paragraph** — the answer text before the first blank line (the first
  ``"\\n\\n"``, blank lines made of spaces count too), leading/trailing whitespace
  stripped.  ``"女方不得早于二十周岁[1]。\\n\\n【结婚登记】…"`` → ``"女方不得早于二十周岁[1]。"``.
  An answer without a blank line is all first paragraph.
* **length** — ``len()`` of the text as the person sees it, [n] markers included.
* **fact present** — after :func:`norm` of both sides, one of the expected strings is
  a substring of the text.  :func:`norm` makes 二十周岁 / 20周岁 / ２０周岁 and
  百分之八十 / 80% / ８０％ compare equal, and drops spaces.
* **yes/no lead** — :func:`lead_polarity` of the first paragraph: does its first clause
  *start* with a yes or a no word (after [n] markers, 【…】 labels and 答： are removed;
  您/你 and 一般/通常/原则上 may precede the word)?  "不能。结婚登记必须…" → 否;
  "可以，全程网办" → 是; "合法。…", "有。…" and "会。…" → 是; "您可以委托代理人" → 是; "根据现行法律法规的规定：…",
  "您要办理的事项是「结婚登记」" and "不动产登记费按件收取" → None (no lead).
"""
from __future__ import annotations

import re
import statistics
import unicodedata

from assistant.core.text.numerals import DIGITS, UNITS, cn_to_int

_CN_RUN = re.compile(f"[{''.join(DIGITS)}{''.join(UNITS)}]+")
_PERCENT = re.compile(f"百分之([0-9.]+|[{''.join(DIGITS)}{''.join(UNITS)}]+)")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
MARKER = re.compile(r"\[\d+\]")
# a lead word opens the clause; 不动产, 是否, 要求 … open clauses without answering yes or no
_HEDGE = r"(?:(?:您|你)(?=可|能|需|须|必|应|不|无|免|没))?(?:一般|通常|原则上)?"
NO_LEAD = re.compile(_HEDGE + r"(?:不(?!动产)|没|无需|无须|否|免|禁止|别)")
YES_LEAD = re.compile(_HEDGE + r"(?:是(?!否)|可|能|需|须|必须|应|要(?!求|办)|对的|合法|[有会]的?$|行的?(?:$|[啊呀]))")
_LEAD_STRIP = re.compile(r"^(?:\s|【[^】]*】|\[\d+\]|答[:：]|您好[,，]?|[*#>\-•])+")
_CLAUSE_END = re.compile(r"[，,。；;！!？?：:\n]")


def norm(text: str) -> str:
    """Text for fact matching: NFKC (full-width → ASCII), no whitespace, Chinese numerals as
    Arabic (万/亿 stay words, so 十二万元 → 12万元 like the guides write it), 百分之X → X%.
    Applied to the answer and the expected string alike, so 二十周岁, 20周岁 and ２０周岁 match."""
    t = unicodedata.normalize("NFKC", text or "")
    t = re.sub(r"\s+", "", t)
    t = _PERCENT.sub(lambda m: f"{_number(m.group(1))}%", t)
    return _CN_RUN.sub(lambda m: str(cn_to_int(m.group(0))), t).lower()


def _number(s: str) -> str:
    return s if s[0].isdigit() else str(cn_to_int(s))


def first_paragraph(answer: str) -> str:
    """The answer up to its first blank line (see the module docstring)."""
    return _BLANK_LINE.split((answer or "").strip(), maxsplit=1)[0].strip()


def has_fact(text: str, expected: list[str]) -> bool:
    """True when one of the expected strings occurs in `text` (both normalised with :func:`norm`)."""
    t = norm(text)
    return any(norm(e) and norm(e) in t for e in expected)


def lead_polarity(paragraph: str) -> str | None:
    """"是", "否" or None: the yes/no word the first clause starts with (see the module docstring)."""
    clause = _CLAUSE_END.split(MARKER.sub("", _LEAD_STRIP.sub("", paragraph or "")), maxsplit=1)[0]
    if NO_LEAD.match(clause):
        return "否"
    if YES_LEAD.match(clause):
        return "是"
    return None


def length_stats(lengths: list[int], limit: int = 120) -> dict:
    """Median length and the share of answers at most `limit` characters long."""
    if not lengths:
        return {"n": 0}
    return {"n": len(lengths), "median": statistics.median(lengths),
            f"share_le_{limit}": round(sum(x <= limit for x in lengths) / len(lengths), 4)}


# A guide source names the YAML field; a citation of that item counts when its chunk is the
# field's chunk (documents.guide_chunks: 到现场次数 is written into both 事项概述 and 办结时限).
FIELD_ASPECTS: dict[str, set[str]] = {
    "受理条件": {"conditions"}, "申请材料": {"materials"}, "办理地点": {"place"}, "办理时间": {"place"},
    "办理流程": {"steps"}, "办结时限": {"time"}, "法定办结时限": {"time"}, "承诺办结时限": {"time"},
    "到现场次数": {"time", "overview"}, "收费": {"fee"}, "网上办理": {"online"}, "设定依据": {"basis"},
    "咨询电话": {"contact"}, "情形": {"situations"}, "一件事": {"bundle"}, "常见问题": {"faq"},
}


def chunk_matches(chunk, source: dict, facts: list[str] | None = None) -> bool:
    """Does an indexed chunk carry `source` — {"law", "article"} or {"item", "field"}?
    A 常见问题 chunk of the same item that states one of `facts` counts for a guide field too
    (the FAQ answer restates the field: "办护照要多久？一般7个工作日…")."""
    if "law" in source:
        return chunk.kind == "law" and _short(chunk.law) == _short(source["law"]) and chunk.article == source["article"]
    if chunk.kind != "guide" or chunk.item_id != source["item"]:
        return False
    if chunk.aspect in FIELD_ASPECTS.get(source["field"], set()):
        return True
    return chunk.aspect == "faq" and bool(facts) and has_fact(chunk.text, facts)


def _short(law: str | None) -> str:
    return (law or "").removeprefix("中华人民共和国")
