"""Stage 4: route the question to service items.

Each item gets four signals, all kept for the trace:
  * name/alias hit — the longest item name or alias found verbatim in the question;
  * lexical — BM25 over the item's profile (name, aliases, FAQ questions weigh three times);
  * semantic — the best cosine between the question and the item's name/aliases/FAQ questions;
  * evidence — the fused retrieval score of the item's own chunks among the hits;
plus action words (补领, 注销, 变更, 提取 …) that decide between items about the same thing,
and who is asking (个人 or 企业) against the item's 服务对象.
They are combined into one score; the pipeline's thresholds, calibrated on the dev sets
(eval/), decide between answering, asking, and handing off.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.dialogue.thresholds import DIALOGUE
from assistant.core.index.build import Index
from assistant.core.text.containing import Containing
from assistant.core.retrieve import Retrieval
from assistant.core.understand import (CLAUSE_BREAK, QUESTION_WORD, aspects_of, denied, expand_terms, names_of, negated,
                                      request_span)

# What the person wants done to a thing decides between items about the same thing
# (结婚证 → 结婚登记 / 补领婚姻登记证; 抵押 → 抵押权登记 / 抵押权注销登记).  The words: corpus/lexicon/actions.yaml.
ACTIONS: list[tuple[re.Pattern, tuple[str, ...]]] = load_lexicon().actions.actions
# Who is asking: an item only for companies (单位职工参保登记) does not fit "个人怎么交社保", and the
# reverse.  Items for both are untouched.
COMPANY: re.Pattern = load_lexicon().actions.company
PERSON: re.Pattern = load_lexicon().actions.person
AUDIENCE_MISMATCH = 0.15


def asker(text: str) -> str | None:
    """"个人" or "法人" when the question says who is asking, else None."""
    company, person = bool(COMPANY.search(text)), bool(PERSON.search(text))
    if company == person:
        return None
    return "法人" if company else "个人"


# a request pointing back at a thing the story named: 这个证, 那张卡, 这执照
POINTING = re.compile(r"(这个|这张|那个|那张|这本|这)(证|卡|照)")
# a purpose clause names what is needed: "孩子上学需要居住证", "学校说要先有居住证", "再婚要用离婚证" — the
# document right after the cue is asked for, not the purpose's item
NEEDS = re.compile(r"要用|需要|要先有|要有|得有|先有|要先办|得先办|先办|要开|开个|开一个|要提供")
NEED_WINDOW = 4  # the document starts within this many characters of the cue ("需要一张居住证")
ACTION_BONUS = 0.2
# an item that does something specific (注销, 补领…) the question does not ask for, also when it asks for another
# action (guide tune hit@1 0.949 -> 0.952, clarify 0.084 -> 0.072; dialog, follow-up, fact unchanged:
# eval/reports/action-mismatch.json).  Not the item the question is closest to in meaning, which may say the action
# in its own words ("公司变跟登记…", "註冊資本想增加"): guide tune hit@1 +1 (g0258), nothing else on tune changes.
ACTION_MISMATCH = 0.1
# an item the person names in a denial ("我又没开公司，也没有个体户执照，这票从哪来"): the same step as ACTION_MISMATCH
DENIED = 0.1

# calibrated on eval/guide_dev.jsonl + eval/out_of_scope_dev.jsonl (tune split).  The span was 0.12: every cosine
# above 0.92 counted the same, and the item the question is closest to in meaning (社会保障卡申领 0.966 for
# "社會保障卡丟了怎麼補辦") tied with ones it only shares words with (营业执照遗失补领 0.925).  Floor 0.80–0.87 with a
# span 0.15–0.20 all give guide tune hit@1 0.937–0.940 (0.12: 0.934); dialog and follow-up tune unchanged
# (eval/reports/s9route-calibration.json).
SEM_FLOOR, SEM_SPAN = 0.80, 0.15
# A long story ("我们结婚三年了 … 想把她的户口迁过来 需要准备什么"): a name said only in the background
# counts this much of a name said in the request, and the request's own words carry this share of the
# lexical signal.  Tune split of eval/guide_dev.jsonl (long questions: 0.5/0.5 best, 38 of 46), eval/reports/route-after.json.
CONTEXT_ALIAS = 0.5
REQUEST_LEXICAL = 0.5


@dataclass
class ItemCandidate:
    item_id: str
    name: str
    score: float
    alias: str | None = None
    lexical: float = 0.0
    semantic: float = 0.0
    evidence: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"item_id": self.item_id, "name": self.name, "score": round(self.score, 4), "alias": self.alias,
                "lexical": round(self.lexical, 3), "semantic": round(self.semantic, 4),
                "evidence": round(self.evidence, 4), "reasons": self.reasons}


class Router:
    def __init__(self, index: Index):
        self.index = index
        self.guides = {g.id: g for g in index.corpus.guides}
        # name/alias → item ids (an alias shared by several items is ambiguous on purpose)
        self.names: dict[str, set[str]] = {}
        for g in index.corpus.guides:
            for n in (g.name, *g.aliases):
                self.names.setdefault(n.lower(), set()).add(g.id)
        self._by_len = sorted(self.names, key=len, reverse=True)
        # the names of two characters or more by their first two, each list in `_by_len` order: a question
        # is only searched for the names that start with one of its character pairs
        self._by_head: dict[str, list[str]] = {}
        for n in self._by_len:
            if len(n) >= 2:
                self._by_head.setdefault(n[:2], []).append(n)
        self._order = {n: i for i, n in enumerate(self._by_len)}
        self._texts: dict[str, str] = {}
        self._generic: dict[str, bool] = {}
        self._guide_texts: Containing | None = None
        # a name's part up to its 证/卡/照 (居住证 of 居住证申领) → item ids: what "这个证" can point back at
        self._stems: dict[str, set[str]] = {}
        for g in index.corpus.guides:
            for n in (g.name, *g.aliases):
                for h in "证卡照":
                    if (i := n.find(h)) >= 2:
                        self._stems.setdefault(n[:i + 1], set()).add(g.id)
        self._said = {g.id: names_of(g) for g in index.corpus.guides}  # the words that name an item ("个体户")
        self._phrase_rows: dict[str, np.ndarray] = {}
        items = np.array(index.phrase_items)
        for iid in self.guides:
            self._phrase_rows[iid] = np.where(items == iid)[0]

    def _item_text(self, iid: str) -> str:
        """Everything an item's guide says (its chunks, name and aliases), lower-cased, built once."""
        if iid not in self._texts:
            g = self.guides[iid]
            self._texts[iid] = "".join([g.name, *g.aliases, *(c.text for c in self.index.by_item.get(iid, []))]).lower()
        return self._texts[iid]

    def guide_uses(self, iid: str, words) -> bool:
        """Whether the item's guide uses one of `words`: "单位不给报怎么办" after 工伤认定申请 (单位) is about it;
        "骨折了吃什么好得快" is not."""
        own = self._item_text(iid) if iid in self.guides else ""
        return any(w in own for w in words)

    def _containing(self) -> Containing:
        """The guides' texts for counting which use a word (text/containing.py), built on first use."""
        if self._guide_texts is None:
            self._guide_texts = Containing([self._item_text(iid) for iid in self.guides])
        return self._guide_texts

    def generic(self, word: str) -> bool:
        """Whether most guides use the word (单位, 本人): it says what the person is about, not which item.  Only
        words of two characters or more, on a corpus large enough for a share of its guides to say anything (of
        four guides, half share most words); remembered per word."""
        if word not in self._generic:
            self._generic[word] = len(self.guides) >= DIALOGUE.generic_min_guides and len(word) >= 2 and \
                self._containing().count(word) / len(self.guides) >= DIALOGUE.generic_word_share
        return self._generic[word]

    def foreign_words(self, text: str, focus: str) -> list[str]:
        """The words of a message that name something the focus item's guide never mentions but another
        item's name or alias does ("房屋过户" after 残疾人证申领): the message is about something else, not a follow-up.
        One word of the person's own that the focus's guide uses ties the message to it ("食品经营" after
        从业人员健康证明).  Aspect words (多少钱, 在哪) are never foreign."""
        if focus not in self.guides:
            return []
        words = [t for t in self.index.tokenizer.tokens(text) if len(t) >= 2 and not aspects_of(t)]
        if self.guide_uses(focus, words):
            return []
        return [w for w in words if any(w in n for n, ids in self.names.items() if focus not in ids)]

    def alias_hits(self, text: str) -> dict[str, str]:
        """item id → the longest name/alias of it contained in `text` (non-overlapping, longest first)."""
        found: dict[str, str] = {}
        taken = [False] * len(text)
        low = text.lower()
        heads = {low[i:i + 2] for i in range(len(low) - 1)}
        for n in sorted((n for h in heads for n in self._by_head.get(h, ())), key=self._order.__getitem__):
            start = low.find(n)
            while start >= 0:
                if not any(taken[start:start + len(n)]) and not negated(low, start):
                    for i in range(start, start + len(n)):
                        taken[i] = True
                    for iid in self.names[n]:
                        found.setdefault(iid, n)
                    break
                start = low.find(n, start + 1)
        return found

    def _lexical(self, tokens: list[str]) -> dict[str, float]:
        """BM25 over the item profiles, scaled to the best item (1.0).  A word most guides use (单位, 申请)
        names no item and is left out: "单位给我交了五年社保 … 听说可以去领一点钱" is not about 单位职工参保登记."""
        tokens = [t for t in tokens if not self.generic(t)]
        if not tokens:
            return {}
        lex = self.index.bm25_items.get_scores(tokens)
        top = float(max(lex, default=0.0)) or 1.0
        return {iid: float(s) / top for iid, s in zip(self.index.item_ids, lex)}

    def _affirmed(self, text: str, tokens: list[str]) -> list[str]:
        """`tokens` without the words said not to apply ("我又没开公司，也没有个体户执照" is not about
        个体工商户设立登记), unless the message also says them outside a denial."""
        gone = [n for part in denied(text) for names in self._said.values() for n in names if n in part]
        if not gone:
            return tokens
        tok = self.index.tokenizer.tokens
        kept = text
        for name in gone:
            kept = kept.replace(name, " ")
        drop = {t for name in gone for t in tok(name)} - set(tok(kept))
        return [t for t in tokens if t not in drop]

    def _semantic(self, qvec: np.ndarray) -> dict[str, float]:
        """The best cosine between the query vector and each item's phrases (name, aliases, FAQ questions)."""
        sims = self.index.phrase_vecs @ qvec if len(self.index.phrase_vecs) else np.zeros(0)
        return {iid: float(sims[rows].max()) if len(rows) else 0.0 for iid, rows in self._phrase_rows.items()}

    def _story(self, text: str, lex_by: dict[str, float], alias: dict[str, str],
               needed: dict[str, str]) -> tuple[dict, set[str], str]:
        """In a long story, the request clause's own words share the lexical signal, and names said only
        in the background ("我们结婚三年了") are the ones whose weight is cut: (lexical, background ids,
        the request — where who is asking is read: "我老公厂里下岗了，打算开个店" is a person).  A document
        a purpose clause says is needed (`needed`: "学校说要有居住证 … 去哪办") is one of the request's words."""
        span = request_span(text) or self._purpose_span(text)
        if span is None:
            return lex_by, set(), text
        request = span[0].lower()
        words = " ".join([request, expand_terms(request), *sorted(set(needed.values()))])
        req = self._lexical(self._affirmed(request, self.index.tokenizer.tokens(words)))
        mixed = {iid: (1 - REQUEST_LEXICAL) * v + REQUEST_LEXICAL * req.get(iid, 0.0) for iid, v in lex_by.items()}
        return mixed, {iid for iid, n in alias.items() if n not in request}, request

    def _needed(self, text: str) -> dict[str, str]:
        """The document a purpose clause says is needed: item id → its name word.  "孩子在宿迁上学需要居住证"
        asks for 居住证申领; the longest document named within NEED_WINDOW characters of the cue."""
        low, out = text.lower(), {}
        for m in NEEDS.finditer(low):
            window = low[m.end():m.end() + NEED_WINDOW + 8]
            found = [(window.find(st), -len(st), st) for st in self._stems if 0 <= window.find(st) <= NEED_WINDOW]
            if found:
                stem = min(found)[2]
                out.update({iid: stem for iid in self._stems[stem]})
        return out

    @staticmethod
    def _purpose_span(text: str) -> tuple[str, str] | None:
        """(what is needed, the purpose) of a short message with a purpose clause: "孩子上学要社保缴费证明" asks
        for 社保缴费证明; 上学 is why.  None without a cue or with nothing named after it ("需要带什么")."""
        m = NEEDS.search(text)
        if m is None or m.start() == 0:
            return None
        need = CLAUSE_BREAK.split(text[m.end():])[0]
        if len(need) < 2 or QUESTION_WORD.search(need[:3]) or aspects_of(need[:4]):
            return None
        return text[m.end():], text[:m.start()]

    def _referent(self, text: str, request: str) -> dict[str, str]:
        """A request that points back ("这个证怎么办") at a thing the story named: item id → that name.
        "学校那边说要先有这边的居住证才好报名 这个证怎么办" asks for 居住证申领, not 入学报名."""
        m = POINTING.search(request)
        if m is None or request == text:
            return {}
        head, before = m.group(2), text[:text.rfind(m.group(0))]
        found = [(before.rfind(st), st) for st in self._stems if st.endswith(head) and st in before]
        if not found:
            return {}
        stem = max(found)[1]
        return {iid: stem for iid in self._stems[stem]}

    def rank(self, text: str, retrieval: Retrieval, limit: int = 8, expansion: str = "") -> list[ItemCandidate]:
        """The items for `text`, best first.  `expansion`: the official words understand.py added to the
        person's (term map, spelling); a name found only there is a guess and counts `expansion_alias`.
        In a story whose two best items are within `story_tie`, the asking clause's own meaning is embedded
        and takes `request_semantic` of the semantic signal (one more embedding only where it can decide)."""
        alias = self.alias_hits(text)
        own = self.alias_hits(text[:len(text) - len(expansion)]) if expansion and text.endswith(expansion) else alias
        needed = self._needed(text)
        lex_by, background, request = self._story(text, self._lexical(self._affirmed(text, retrieval.tokens)), alias,
                                                  needed)
        for iid, stem in (needed | self._referent(text, request)).items():  # the thing "这个证"
            # points at, or a purpose clause says is needed, is asked for
            alias.setdefault(iid, stem)
            if own is not alias:
                own.setdefault(iid, stem)
            background.discard(iid)
        sem_by = self._semantic(retrieval.qvec)
        # evidence from the fused chunk hits
        ev_by: dict[str, float] = {}
        for h in retrieval.hits:
            if h.chunk.item_id:
                ev_by[h.chunk.item_id] = ev_by.get(h.chunk.item_id, 0.0) + h.score
        denial = {iid for part in denied(text) for iid, names in self._said.items() if any(n in part for n in names)}
        signals = (lex_by, ev_by, alias, own, background, [names for p, names in ACTIONS if p.search(text)],
                   asker(request), denial)
        out = self._scored(sem_by, *signals)
        share = DIALOGUE.request_semantic
        if request != text and share and len(out) >= 2 and out[0].score - out[1].score < DIALOGUE.story_tie \
                and getattr(self.index, "embedder", None) is not None:
            said = request  # the asking clause's meaning without what it denies ("也没有个体户执照，这票从哪来")
            for part in denied(request):
                said = said.replace(part, " ")
            req_sem = self._semantic(self.index.embedder.queries([said.strip() or request])[0])
            out = self._scored({iid: (1 - share) * v + share * req_sem.get(iid, v) for iid, v in sem_by.items()},
                               *signals)
        return out[:limit]

    def _scored(self, sem_by, lex_by, ev_by, alias, own, background, actions, who, denial) -> list[ItemCandidate]:
        """Every item with a positive combined score, best first, with the reasons for the trace."""
        ev_max = max(ev_by.values(), default=0.0) or 1.0
        closest = max(sem_by, key=sem_by.get, default=None)  # what the question means, said in any words
        out = []
        for iid, g in self.guides.items():
            sem = sem_by.get(iid, 0.0)
            s_sem = min(max((sem - SEM_FLOOR) / SEM_SPAN, 0.0), 1.0)
            s_lex = lex_by.get(iid, 0.0)
            s_ev = ev_by.get(iid, 0.0) / ev_max
            s_alias = 0.0
            reasons = []
            if iid in alias:
                s_alias = min(1.0, 0.5 + 0.1 * len(alias[iid]))
                reasons.append(f"命中名称/别名「{alias[iid]}」")
                if iid in background:
                    s_alias *= CONTEXT_ALIAS
                    reasons.append("该名称只出现在叙述背景中，不在所问的句子里，权重减半")
                if iid not in own:
                    s_alias *= DIALOGUE.expansion_alias
                    reasons.append("该名称只出现在补充的同义词或纠错中，不是原话")
            score = 0.30 * s_sem + 0.25 * s_lex + 0.20 * s_ev + 0.45 * s_alias
            asked = False
            for names in actions:
                if any(n in g.name for n in names):
                    score += ACTION_BONUS
                    asked = True
                    reasons.append(f"动作词→「{'/'.join(names)}」")
            # also when the question asks for another action: "房本上的抵押咋去掉" (注销) is not 不动产权证书补发
            if not asked and iid != closest and any(n in g.name for _p, names in ACTIONS for n in names if n != "提取"):
                score -= ACTION_MISMATCH
                reasons.append("事项含问题未提到的动作（注销/补领/变更），略降")
            if who is not None and who not in g.audience:
                score -= AUDIENCE_MISMATCH
                reasons.append(f"问题说明是{who}办理，事项只面向{'/'.join(g.audience)}，略降")
            if iid in denial:
                score -= DENIED
                reasons.append("问题说没有/不是这件事，略降")
            if score > 0:
                out.append(ItemCandidate(iid, g.name, score, alias.get(iid), s_lex, sem, ev_by.get(iid, 0.0), reasons))
        out.sort(key=lambda c: -c.score)
        return out
