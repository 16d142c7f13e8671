"""The article behind a guide sentence: a guide or FAQ sentence that answers the question is cited with
the law article that says the same thing.

"去公证处办公证，一般多久能拿到公证书" is answered by the guide's 办结时限 "自受理之日起15个工作日内出具公证书";
《公证法》第三十条 says "…自受理公证申请之日起十五个工作日内向当事人出具公证书": the same number with its
unit (15 个工作日) and many of the same words, so it is cited beside the sentence.  A sentence that names its
article ("（《中华人民共和国就业促进法》第三十五条）") is cited with that article.  Nothing is embedded at
query time: numbers and character bigrams only, and the number facts of a law are worked out once.
"""
from __future__ import annotations

import re

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.laws import law_key
from assistant.core.law_cues import GENERIC, cued_laws, title_cues
from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.dialogue.thresholds import LEAD
from assistant.core.index.build import Index
from assistant.core.lead import Unit, body_of, units_of
from assistant.core.quantities import DATE
from assistant.core.text.numerals import cn_to_int

# a number with its unit, as a fact two texts can share: "15个工作日" = "十五个工作日", "30日" = "三十日内"
FACT_NUM = re.compile(r"百分之([0-9.]+|[零〇一二两三四五六七八九十百千]+)|([0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千]+)\s*"
                      r"(%|个工作日|工作日|个月|周岁|日|天|岁|月|年|元|次|倍|趟)")
UNIT_CLASS = {"天": "日", "周岁": "岁", "个月": "月", "趟": "次", "个工作日": "工作日"}
HANZI = re.compile(r"[\u4e00-\u9fff]{2,}")
NAMED_ARTICLE = re.compile(r"《([^》]{2,30})》\s*(第[一二三四五六七八九十百千零]+条)")


def facts_of(text: str) -> set[tuple[str, str]]:
    """{("15", "工作日"), ("30", "日")}: the numbers of a text with their units, numerals read."""
    out = set()
    for m in FACT_NUM.finditer(DATE.sub(" ", text)):
        pct, num, unit = m.groups()
        raw = pct or num
        n = raw if raw[0].isdigit() else cn_to_int(raw)
        if n is not None:
            out.add((str(n), "%" if pct else UNIT_CLASS.get(unit, unit)))
    return out


def text_grams(text: str) -> set[str]:
    """Character bigrams of the Chinese runs (digits and dates left to facts_of)."""
    return {run[i:i + 2] for run in HANZI.findall(text) for i in range(len(run) - 1)}


def corroboration(lead: str, text: str) -> float:
    """How far `text` (a law article) states what `lead` (a guide sentence) says: the number facts
    they share, plus the share of the lead's character bigrams it repeats; 0 when it does neither enough."""
    grams = text_grams(lead)
    over = len(grams & text_grams(text)) / len(grams) if grams else 0.0
    shared = len(facts_of(lead) & facts_of(text))
    if (shared and over >= LEAD.corroborate_with_number) or over >= LEAD.corroborate_alone:
        return shared + over
    return 0.0


def named_articles(index: Index, text: str) -> list[Chunk]:
    """Articles a guide sentence names itself: "（《中华人民共和国就业促进法》第三十五条）"."""
    found = (index.article(law, art) for law, art in NAMED_ARTICLE.findall(text))
    return [c for c in found if c is not None]


def _only_named(index: Index, chunk: Chunk) -> list[Chunk]:
    """The one article a guide field names for all its sentences ("…收取证件工本费。依据：《居住证暂行条例》
    第二十一条"); none when the field names several (each belongs to its own sentence)."""
    if chunk.kind != "guide":
        return []
    found = {c.chunk_id: c for c in named_articles(index, chunk.text)}
    return list(found.values()) if len(found) == 1 else []


def governing_unit(index: Index, lead: Unit, laws: list[Chunk]) -> Unit | None:
    """The law clause behind a guide or FAQ sentence that leads: an article the sentence names, else the
    article among `laws` that states the same thing — the same number with its unit and enough of its
    words ("公证书15个工作日内出具" ← 《公证法》第三十条 "…十五个工作日内向当事人出具公证书")."""
    named = named_articles(index, lead.text) or _only_named(index, lead.chunk)
    best, best_score = None, 0.0
    for c in {c.chunk_id: c for c in named or laws}.values():
        if named and best is None:
            best = Unit(c, body_of(c), 0.0, {"named": 1.0})
        for s in units_of(c):
            score = corroboration(lead.text, s)
            if score > best_score:
                best, best_score = Unit(c, s, score, {"corroboration": score}), score
    return best


class LawFacts:
    """Which articles of a law state a number fact ("三十日", "百分之八十"), worked out once per law on
    first use: the item's 设定依据 laws are searched for the article behind a guide sentence."""

    def __init__(self, index: Index):
        self.index = index
        self._by_law: dict[str, dict[tuple[str, str], list[Chunk]]] = {}

    def with_fact(self, law: str, facts: set[tuple[str, str]]) -> list[Chunk]:
        key = law_key(law)
        if key not in self._by_law:
            table: dict[tuple[str, str], list[Chunk]] = {}
            for (k, art) in self.index.by_article:
                c = self.index.article(k, art) if k == key else None
                for f in facts_of(c.text) if c is not None else ():
                    table.setdefault(f, []).append(c)
            self._by_law[key] = table
        return [c for f in facts for c in self._by_law[key].get(f, [])]


# what people call a rule's subject → the statutes' words (corpus/lexicon/terms.yaml law_terms)
LAW_TERMS: dict[str, str] = load_lexicon().law_terms
_LAW_TERM = re.compile("|".join(sorted(map(re.escape, LAW_TERMS), key=len, reverse=True)), re.I) if LAW_TERMS else None


def law_words(text: str) -> str:
    """The statutes' words for what `text` says, space-separated: "周末加班又不给调休" → "延长工作时间 补休"
    (law_terms: read when searching and scoring law clauses, never when finding the service item)."""
    if _LAW_TERM is None:
        return ""
    found = (LAW_TERMS.get(m.group(0)) or LAW_TERMS.get(m.group(0).upper(), "") for m in _LAW_TERM.finditer(text))
    return " ".join(dict.fromkeys(w for w in found if w))


# a clause of a law's 法律责任 chapter (penalties, damages) answers what follows a breach, not the rule itself
LIABILITY_CHAPTER = "法律责任"
CONSEQUENCE: re.Pattern | None = load_lexicon().answers.consequence_question


def liability(chunk: Chunk) -> bool:
    """An article of the law's 法律责任 chapter: "违反本法规定…的，由…责令改正，处…罚款"."""
    return chunk.kind == "law" and LIABILITY_CHAPTER in (chunk.meta.get("chapter") or "")


def rule_before_penalty(question: str, units: list[Unit]) -> list[Unit]:
    """A rule question is answered by the rule, not by the penalty for breaking it: "被公司裁员了，经济补偿是
    按啥算的" by 《劳动合同法》第四十七条 (每满一年支付一个月工资), not by 第八十七条 (违法解除的，按第四十七条
    的二倍支付赔偿金); "厂里招15岁的小孩干活，这合法吗" by 《劳动法》第十五条, not by 第九十四条 (罚款).  Unless
    the question asks what follows a breach (corpus/lexicon/answers.yaml consequence_question: 罚, 赔, 滞纳金 …),
    the clauses of a 法律责任 chapter count LEAD.liability_penalty less; the order is otherwise kept."""
    if not units or LEAD.liability_penalty <= 0 or (CONSEQUENCE is not None and CONSEQUENCE.search(question)):
        return units
    for u in units:
        if liability(u.chunk):
            u.score -= LEAD.liability_penalty
            u.parts["liability"] = -1.0
    return sorted(units, key=lambda u: -u.score)


class NamedLaws:
    """The laws a question names in its own words: by the core of the title ("个人所得税" of 个人所得税法, said
    directly or given by the term map: 个税 → 个人所得税), or by a piece of the title a regulation owns
    (law_cues.title_cues: 公积 → 住房公积金管理条例, 失业 → 失业保险条例).  Worked out once, on first use."""

    def __init__(self, index: Index):
        self.index = index
        self._cores: dict[str, str] | None = None
        self._cues: dict[str, set[str]] = {}

    def _load(self) -> dict[str, str]:
        if self._cores is None:
            laws = {c.law for c in self.index.chunks if c.kind == "law" and c.law}
            self._cores = {law: core for law in laws if len(core := GENERIC.sub("", law_key(law)).removesuffix("法")) >= 3}
            titled = {law for law in laws if law_key(law).endswith("法") and not law_key(law).endswith("办法")}
            self._cues = title_cues(laws - titled, titled, self.index.chunks)
        return self._cores

    def of(self, text: str) -> set[str]:
        cores = self._load()
        return {law for law, core in cores.items() if core in text} | cued_laws(text, self._cues)


def named_law_first(text: str, named: set[str], units: list[Unit]) -> list[Unit]:
    """A clause of a law the question names counts LEAD.named_law more: "公积金最低按工资的百分之几交" is
    answered from 住房公积金管理条例 (公积), not from 劳动合同法's 试用期工资 ≥ 百分之八十; "单位代扣的个税…" from
    个人所得税法, not 企业所得税法.  No law named (or only one law among the units): the order is kept."""
    if not named or not units or LEAD.named_law <= 0 or len({u.chunk.law for u in units if u.chunk.kind == "law"}) < 2:
        return units
    for u in units:
        if u.chunk.kind == "law" and u.chunk.law in named:
            u.score += LEAD.named_law
            u.parts["named_law"] = 1.0
    return sorted(units, key=lambda u: -u.score)
