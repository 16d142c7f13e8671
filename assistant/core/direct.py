"""Answers that start with the answer (issue 11): the lead unit first, then the item in one or two
lines, then only the fields the question is about; the governing law clause for a rule question.

    "女的20岁能领证吗" →
        《民法典》第一千零四十七条：结婚年龄，男不得早于二十二周岁，女不得早于二十周岁。[1]
        办理事项「结婚登记」：综合政务大厅（1楼）公共服务和综合办件专区A33-A34窗口[2]；网上预约：宿心办app → …[3]
        依据：…
    "要预约吗" (after 结婚登记) → 不需要。网上预约（宿心办或江苏政务服务网，可选）[1]

The whole guide stays one tap away (suggestion 查看完整办事指南, GET /v1/items/{id}).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.core.compose import (Citations, _chunk, _join, basis_line, field_para, item_line, law_quote, law_refs,
                      no_answer_line, sample_note)
from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.dialogue.replies import reply
from assistant.core.corpus.schema import Guide
from assistant.core.index.build import Index
from assistant.core.corpus.laws import short_law_name
from assistant.core.governing import (LawFacts, facts_of, governing_unit, NamedLaws, law_words, named_articles,
                                     named_law_first, rule_before_penalty)
from assistant.core.asked import WHERE_ASPECTS, Ask, ask_of, cue_polarity
from assistant.core.lead import (LEAD_MAX, LeadSelector, Unit, answers, body_of, cite_name, clip, faq_question,
                                 lead_line)
from assistant.core.dialogue.thresholds import LEAD
from assistant.core.understand import POLICY_CUE, mask_names, names_of

# a question about a rule: conditions, rights, legality, deadlines, amounts, who inherits, allowed or not
# (the words of RULE, STEPS_WORDS and FULL_GUIDE are data: corpus/lexicon/answers.yaml)
RULE: re.Pattern = load_lexicon().answers.rule_question
PLAIN_FIELDS = {"materials", "situations", "steps"}
SERVICE_FIELDS = {"time", "fee", "place", "online", "materials", "steps", "contact"}
PLAIN_MAX = 12  # a question this short without a field or a number is "X怎么办"
STEPS_WORDS: re.Pattern = load_lexicon().answers.steps_words


def is_rule(text: str, ask: Ask, policy_cue: bool, item: bool = True) -> bool:
    """Whether the question may be about a rule: it says so (规定, 合法, 继承 …), or wants a number or a
    yes/no that is not about a service field of an item (时限, 收费, 地点, 网办, 材料).  `item` False: no service
    item fits the question, so 收钱吗 / 多久 ask what the law says ("家里着火了叫消防队来灭火，要收钱吗")."""
    service = ask.fields & SERVICE_FIELDS if item else set()
    return policy_cue or "conditions" in ask.fields or bool(RULE.search(text)) \
        or (bool(ask.number or ask.yesno) and not service)


def states_rule(text: str, ask: Ask, policy_cue: bool, item: bool = True) -> bool:
    """A question that says it is about a rule (规定, 条件, 期限 …) or asks for a number, not only a yes/no:
    "公积金提取要符合什么条件", "质疑后对方多少天内要答复" — but not "辞职了公积金能提取吗", which the items answer.
    `item` False (no service item fits): a yes/no question too, and a service word does not make it a service
    question ("老两口没收入，儿子一分钱不给，能找他要赡养费吗": no item says whether)."""
    if not item:
        return is_rule(text, ask, policy_cue, item=False)
    return policy_cue or bool(RULE.search(text)) or bool(ask.number and not ask.fields & SERVICE_FIELDS)


@dataclass
class Composed:
    paras: list[str]
    lead: Unit | None = None
    law: Unit | None = None  # the law clause quoted for a rule question
    rules: list[str] = field(default_factory=list)

    def trace(self) -> dict:
        return {"lead": self.lead.as_dict() if self.lead else None,
                "law": self.law.as_dict() if self.law else None, "rules": self.rules}


def see_also(chunks: list[Chunk], shown: set[str], cites: Citations, limit: int = 2) -> str:
    """"另见《民法典》第一千零七十七条[3]、第一千零七十九条[4]": other articles retrieval ranked high, one tap away."""
    rest = [c for c in chunks if c.chunk_id not in shown][:limit]
    if not rest:
        return ""
    parts, law = [], None
    for c in rest:
        name = short_law_name(c.law or "")
        parts.append((f"《{name}》" if name != law else "") + f"{c.article}{cites.ref(c)}")
        law = name
    return "另见" + "、".join(parts)


def _says_more(best: Unit | None, in_field: Unit | None, g: Guide, ask: Ask) -> bool:
    """Whether `best` scores well above the field asked about and repeats more of the question's words
    beyond the item's name: "失业金最长能领多久" asks 多久 of a benefit (最长 …), not the 办结时限, while
    "离婚登记多久能办好" stays with the 办结时限."""
    if best is None or in_field is None:
        return False
    return best.score >= in_field.score + LEAD.service_margin \
        and _said(best, ask.words, g) > _said(in_field, ask.words, g)


def _said(u: Unit, words: tuple[str, ...], g: Guide) -> int:
    """Characters of `words` beyond the item's names that a unit (with its FAQ question) says."""
    names = (g.name, *g.aliases)
    text = faq_question(u.chunk) + u.text
    return sum(len(w) for w in words if w in text and not any(w in n for n in names))


def _extra_words(expansion: str) -> tuple[str, ...]:
    """The official words the term map added ("结婚登记" for 领证): they count half in a unit's score."""
    return tuple(w for w in expansion.split() if len(w) >= 2)


def _ranks(chunks: list[Chunk]) -> dict[str, int]:
    return {c.chunk_id: i for i, c in enumerate(chunks, 1)}


def _of_item(found: list[Chunk] | None, g: Guide) -> list[Chunk]:
    return [c for c in found or [] if c.item_id == g.id]


def _best(units: list[Unit], kind: str) -> Unit | None:
    return next((x for x in units if x.chunk.kind == kind), None)


def _materials_lead(g: Guide, c: Chunk, cites: Citations) -> list[str]:
    """"要带什么": the necessary materials in one line, the ones a 情形 needs in a second."""
    must = [m.name for m in g.materials if not m.situation]
    when = [f"{m.situation}另带{m.name}" for m in g.materials if m.situation]
    ref = cites.ref(c)
    first = clip(f"办理「{g.name}」要带：{'、'.join(must)}", 118 - len(ref)) + f"。{ref}"
    return [first] + ([f"按情形：{_join(when)}"] if when else [])


class DirectComposer:
    def __init__(self, index: Index):
        self.index = index
        self.selector = LeadSelector(index)
        self.law_facts = LawFacts(index)
        self.named_laws = NamedLaws(index)

    def ask(self, text: str, aspects: list[str]) -> Ask:
        return ask_of(text, aspects, self.index.tokenizer.tokens(text))

    def guide(self, g: Guide, text: str, aspects: list[str], policy_cue: bool, qvec: np.ndarray,
              law_chunks: list[Chunk], cites: Citations, *, followup: bool = False, facts: list[str] | None = None,
              expansion: str = "", found: list[Chunk] | None = None, named: bool = True) -> Composed:
        """Paragraphs about one item, led by the unit that answers `text`."""
        ask = self.ask(text, aspects)
        basis = law_refs(self.index, g, limit=99)
        own = self.index.by_item.get(g.id, [])
        units = rule_before_penalty(text, self.selector.rank(
            text, ask, qvec, own + basis + law_chunks, basis={c.chunk_id for c in basis},
            extra_words=_extra_words(f"{expansion} {law_words(text)}"),
            rank=_ranks(law_chunks) | _ranks(_of_item(found, g)), field_scale=1.0 if named else LEAD.unnamed_field))
        rule = is_rule(text, ask, policy_cue)
        out = Composed([])
        # "X怎么办", "要带什么": the materials and the place; anything more specific gets a specific answer
        plain = not ask.number and not ask.yesno and ask.fields <= PLAIN_FIELDS and not rule \
            and (bool(ask.fields) or len(text) <= PLAIN_MAX)
        if plain:
            self._plain(out, g, text, ask, cites, followup, facts)
        else:
            # a policy word inside the item's name (法律援助申请) does not make "在哪个窗口" a rule question
            own_cue = policy_cue and bool(POLICY_CUE.search(mask_names(text, sorted(names_of(g), key=len, reverse=True))))
            service = self._lead(out, g, text, ask, units, cites, own_cue, named)
            self._behind_lead(out, g, basis + law_chunks, cites, followup)
            self._fields(out, g, ask, cites, followup, facts)
            self._laws(out, g, ask, units, basis, law_chunks, cites, rule=rule, service=service, followup=followup)
        if not followup and not any("《" in p and "》第" in p for p in out.paras):
            out.paras.append(basis_line(self.index, g, cites))
        if g.bundle and not followup and plain:
            out.paras.insert(1, f"【一件事一次办】一次申请同时办理：{'、'.join(g.bundle.members)}。"
                                f"{cites.ref(_chunk(self.index, g, 'bundle'))}")
        out.paras += sample_note(g)
        return out

    def _plain(self, out: Composed, g: Guide, text: str, ask: Ask, cites: Citations, followup: bool,
               facts: list[str] | None) -> None:
        """"X怎么办", "要带什么": the materials (or the steps) and the item line; after the item was
        named ("要带什么" as a follow-up) only that one field."""
        if followup:
            out.rules.append("rule:lead-plain-followup")
            if "materials" in ask.fields or not ask.fields:
                out.paras += _materials_lead(g, _chunk(self.index, g, "materials"), cites)
            else:
                out.paras += field_para(self.index, g, "steps", cites)
        else:
            out.rules.append("rule:lead-plain")
            if "materials" in ask.fields or not ask.fields:
                out.paras += _materials_lead(g, _chunk(self.index, g, "materials"), cites)
                out.paras.append(item_line(self.index, g, cites))
            else:
                out.paras.append(item_line(self.index, g, cites))
            if STEPS_WORDS.search(text) or ("steps" in ask.fields and "materials" not in ask.fields and ask.fields):
                out.paras += field_para(self.index, g, "steps", cites)
        if facts:
            out.paras += field_para(self.index, g, "materials", cites, facts)[1:]

    def _lead(self, out: Composed, g: Guide, text: str, ask: Ask, units: list, cites: Citations,
              policy_cue: bool, named: bool) -> bool:
        """The first paragraph: the unit that answers.  A service question (时限, 收费, 地点, 网办 …) about the
        item the person named is answered by that field of its guide; otherwise guide sentences and law
        clauses compete on their scores.  Returns whether it was such a service question."""
        fielded = [x for x in units if x.chunk.kind == "guide" and x.parts["field"] > 0]
        # a yes/no is answered by the field sentence that says yes or no to it ("要跑一趟吗": 到现场次数：2次)
        in_field = next((x for x in fielded if ask.yesno and cue_polarity(text, x.text) is not None),
                        fielded[0] if fielded else None)
        best = next((x for x in units if answers(x, ask)), None)
        # where to go is the place field's even for an item matched by meaning: no clause or FAQ says it better
        where = in_field is not None and in_field.chunk.aspect in WHERE_ASPECTS
        # a clause whose scope holds the amount the person states is about their case, not the item's 办结时限
        # ("交了七年失业险，失业金最多领几个月": 满5年不足10年的…18个月)
        case = best is not None and best.parts.get("applies", 0.0) > 0 and not where
        service = (named or where) and bool(ask.fields & SERVICE_FIELDS) and not case \
            and not policy_cue and answers(in_field, ask) and not _says_more(best, in_field, g, ask)
        lead = in_field if service else best
        out.lead = lead
        if lead is not None:
            out.rules.append(f"rule:lead-{lead.chunk.kind}")
            out.paras.append(lead_line(text, ask, lead, cites.ref(lead.chunk)))
        else:
            out.rules.append("rule:lead-none")
            out.paras.append(no_answer_line(g, set(ask.fields), cites.ref(_chunk(self.index, g, "overview"))))
        return service

    def _fields(self, out: Composed, g: Guide, ask: Ask, cites: Citations, followup: bool,
                facts: list[str] | None) -> None:
        """The other fields asked about, after the lead (a follow-up: at most one more)."""
        lead = out.lead
        lead_field = lead.chunk.aspect if lead is not None and lead.chunk.kind == "guide" else None
        asked = [f for f in ("conditions", "materials", "time", "fee", "steps", "contact", "basis", "place", "online")
                 if f in ask.fields and f != lead_field]
        if followup:  # the one thing asked: at most one more field
            if lead is None or lead.chunk.kind == "law":
                out.paras += field_para(self.index, g, asked[0], cites, facts)[:2] if asked else []
        else:
            out.paras.append(item_line(self.index, g, cites))
            for f in asked:
                if f in ("place", "online"):
                    continue  # said in the item line
                out.paras += field_para(self.index, g, f, cites, facts)

    def _laws(self, out: Composed, g: Guide, ask: Ask, units: list, basis: list[Chunk], law_chunks: list[Chunk],
              cites: Citations, *, rule: bool, service: bool, followup: bool) -> None:
        """The law behind the answer: the item's own articles ("依据是什么"), the clause behind a rule
        question, and the other articles retrieval ranked high (另见 …)."""
        lead, best_law = out.lead, _best(units, "law")
        own_law = best_law is not None and any(short_law_name(b.law) == short_law_name(best_law.chunk.law or "")
                                               for b in g.basis)
        if "basis" in ask.fields:  # "依据是什么": the articles the item rests on
            for art in basis[:2]:
                out.paras.append(law_quote(art, body_of(art), cites, limit=100))
        elif (rule or not service) and lead is not None and lead.chunk.kind != "law" and answers(best_law, ask) \
                and best_law.score >= LEAD.law_quote_min and not (out.law and out.law.chunk is best_law.chunk) \
                and best_law.parts.get("focus", 1.0) >= LEAD.law_quote_focus \
                and (own_law or not followup and best_law.score >= lead.score - LEAD.law_over_guide):
            out.law = out.law or best_law
            out.rules.append("rule:law-behind-rule")
            out.paras.append(law_quote(best_law.chunk, best_law.text, cites))
        if rule and not followup and not service:  # the other articles retrieval ranked high
            shown = {x.chunk.chunk_id for x in (lead, out.law) if x is not None}
            more = see_also(law_chunks[:LEAD.see_also_within], shown, cites)
            if more:
                out.paras.append(more)
        elif lead is not None and lead.chunk.kind == "law":
            out.law = lead

    def _behind_lead(self, out: Composed, g: Guide, laws: list[Chunk], cites: Citations, followup: bool) -> None:
        """A guide or FAQ sentence that leads is cited with the article that says the same thing
        (lead.governing_unit; the item's 设定依据 laws are searched for an article with the same number):
        in the first paragraph when it fits, else quoted after it."""
        lead = out.lead
        if lead is None or lead.chunk.kind == "law":
            return
        facts = facts_of(lead.text)
        own = [c for b in g.basis for c in self.law_facts.with_fact(b.law, facts)] if facts else []
        law = governing_unit(self.index, lead, laws + own)
        if law is None:
            return
        out.law = law
        out.rules.append("rule:law-behind-lead")
        named = any(c.chunk_id == law.chunk.chunk_id for c in named_articles(self.index, lead.text))
        tail = cites.ref(law.chunk) if named else f"（{cite_name(law.chunk)}{cites.ref(law.chunk)}）"
        if len(out.paras[0]) + len(tail) <= LEAD_MAX:
            out.paras[0] += tail
        elif followup:
            out.paras.insert(1, f"依据：{cite_name(law.chunk)}{cites.ref(law.chunk)}")
        else:
            out.paras.insert(1, law_quote(law.chunk, law.text, cites))

    def _units(self, text: str, ask: Ask, qvec: np.ndarray, chunks: list[Chunk], expansion: str,
               ranked: list[Chunk]) -> list[Unit]:
        """The units of `chunks`, best first, scored against the question and its expansion's words
        (`ranked`: the retrieval order of those chunks)."""
        if not chunks:
            return []
        return rule_before_penalty(text, self.selector.rank(
            text, ask, qvec, chunks, extra_words=_extra_words(f"{expansion} {law_words(text)}"), rank=_ranks(ranked)))

    def _guide_units(self, text: str, ask: Ask, qvec: np.ndarray, g: Guide, expansion: str,
                     found: list[Chunk] | None) -> list[Unit]:
        return self._units(text, ask, qvec, self.index.by_item.get(g.id, []), expansion, _of_item(found, g))

    def law_answers_rule(self, text: str, aspects: list[str], policy_cue: bool, qvec: np.ndarray,
                         law_chunks: list[Chunk], g: Guide | None, expansion: str = "",
                         found: list[Chunk] | None = None, named: bool = False, item: bool = True) -> bool:
        """A rule question ("试用期可以约定多久", "小公司不设监事行不行") that a law clause answers better
        than any unit of the best item's guide is answered from the law (rule:law-answers-rule).  `item` False:
        no service item fits (is_rule)."""
        ask = self.ask(text, aspects)
        if not law_chunks or not is_rule(text, ask, policy_cue, item) or (named and ask.fields & SERVICE_FIELDS):
            return False  # "规划许可证多少个工作日办完": the item's own 办结时限 answers it
        laws = self._units(text, ask, qvec, law_chunks, expansion, law_chunks)
        if not laws or not answers(laws[0], ask):
            return False
        if g is None:
            return True
        basis = law_refs(self.index, g, limit=99)
        guide = self._guide_units(text, ask, qvec, g, expansion, found)
        return not guide or not answers(guide[0], ask) or laws[0].score > guide[0].score + LEAD.item_over_law \
            and not any(c.chunk_id == laws[0].chunk.chunk_id for c in basis)

    def guide_answers_better(self, text: str, aspects: list[str], qvec: np.ndarray, law_chunks: list[Chunk],
                             g: Guide, expansion: str = "", found: list[Chunk] | None = None) -> bool:
        """A specific question (a field, a number, a yes/no) that a sentence of the item's guide answers, and no
        law clause better ("法律援助的律师要我自己出钱吗": the guide's 收费 says 国家无偿提供; a policy word
        alone does not send it to the law).  A bare topic ("法律援助") is not such a question."""
        ask = self.ask(text, aspects)
        if not ask.specific:
            return False
        guide = self._guide_units(text, ask, qvec, g, expansion, found)
        if not guide or not answers(guide[0], ask):
            return False
        laws = self._units(text, ask, qvec, law_chunks, expansion, law_chunks)
        return not (laws and answers(laws[0], ask) and laws[0].score > guide[0].score + LEAD.item_over_law)

    def policy(self, text: str, aspects: list[str], qvec: np.ndarray, law_chunks: list[Chunk],
               cites: Citations, expansion: str = "") -> Composed:
        """The clause that answers, with its article; one more article of the same law when it scores
        close (a policy answer quotes one law)."""
        ask = self.ask(text, aspects)
        # which clause leads: the law the question names first (the decision to answer from the law is taken)
        units = named_law_first(text, self.named_laws.of(f"{text} {expansion}"),
                                self._units(text, ask, qvec, law_chunks, expansion, law_chunks))
        out = Composed([])
        if not units:
            return out
        lead = units[0]
        out.lead = out.law = lead
        out.rules.append("rule:lead-law")
        out.paras.append(lead_line(text, ask, lead, cites.ref(lead.chunk)))
        second = next((x for x in units[1:] if x.chunk.law == lead.chunk.law and x.chunk is not lead.chunk
                       and x.score >= lead.score - 0.25), None)
        if second is not None:
            out.paras.append(law_quote(second.chunk, second.text, cites))
        shown = {lead.chunk.chunk_id} | ({second.chunk.chunk_id} if second is not None else set())
        more = see_also([c for c in law_chunks[:LEAD.see_also_within] if c.law == lead.chunk.law], shown, cites)
        if more:
            out.paras.append(more)
        out.paras.append(reply("law-excerpt-note"))
        return out


FULL_GUIDE: re.Pattern = load_lexicon().answers.full_guide  # "给我完整的办事指南"
