"""Domain words as data: the files of `corpus/lexicon/` that a centre edits without touching Python.

    terms.yaml    colloquial, abbreviated and mistyped words → the official words ("离昏" → 离婚); law_terms: → the statutes' words
    scope.yaml    off-topic words by topic (天气, 股票 …), other cities' local policies
    turns.yaml    what kind of turn a message is (转人工, 你好, 谢谢 …) and which aspect it asks about
    facts.yaml    what a person says about themselves (外地户口, 委托代办) and the guides' 情形 it brings in
    actions.yaml  what the person wants done (补领, 注销, 变更 …) and who is asking (个人 / 企业)
    answers.yaml  what a question asks of an answer (a rule, the whole guide, yes/no words, field cues)
    replies.yaml  reply texts ({centre}: corpus/centre.yaml 简称) and the suggestion buttons shown with them
    asks.yaml     how a staff correction compares what two questions ask (read by store/curated_match.py)

A regex is written as a string ('天气|下雨|暴雨'), or as {regex: '…', ignore_case: true} when upper and
lower case should match alike ('Bitcoin', 'bitcoin').  Loading validates every file and raises
:class:`CorpusError` naming the file and the field — a missing file, a wrong type, a bad regex, an empty
list — like the guides' validation (schema.py), and `assistant corpus check` reports the same problems.

Where the words are: `<corpus dir>/lexicon` (Settings.corpus_dir), else (a test's small corpus) ROOT/corpus/lexicon.
The modules that use the words (understand, rank_items, asked, direct) read them once, through :func:`load_lexicon`.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.config import ROOT, get_settings
from assistant.core.corpus.chunks import ASPECTS
from assistant.core.corpus.lexicon_file import LexiconFile, Problem
from assistant.core.corpus.schema import CorpusError

DEFAULT_DIR = ROOT / "corpus" / "lexicon"
FILES = ("terms", "scope", "turns", "facts", "actions", "answers", "replies", "asks")


@dataclass(frozen=True)
class Scope:
    """scope.yaml: topic → words of questions the centre does not handle ("明天下雨吗" → weather)."""

    out_of_scope: dict[str, re.Pattern]
    out_of_scope_unless: dict[str, re.Pattern]  # "彩票中奖要交税吗" is a tax question after all
    refuse_by_rule: frozenset[str]  # topics refused outright (illegal); the others only lower confidence
    other_city: re.Pattern
    local_policy: re.Pattern
    home_city: str  # "宿迁"


@dataclass(frozen=True)
class Turns:
    """turns.yaml: the kind of turn ("转人工", "你好" …) and the aspects a question asks about."""

    handoff: re.Pattern
    injection: re.Pattern
    greeting: re.Pattern
    thanks: re.Pattern
    who: re.Pattern
    stay_cue: re.Pattern
    together: re.Pattern
    followup_lead: re.Pattern
    policy_cue: re.Pattern
    aspects: dict[str, re.Pattern]  # in answer order: materials, time, fee, place …
    aspect_context: tuple[AspectContext, ...] = ()  # "什么时候上班" asks place, not time
    name_action: re.Pattern | None = None  # "申领" ends "出入境证件申领": 出入境证件 names the item too
    name_verb: re.Pattern | None = None  # "办" starts "办居住证": 居住证 is the name, 怎么办 the question


@dataclass(frozen=True)
class AspectContext:  # a phrase that asks `means` (if any); the words of `instead_of` in it do not count
    words: re.Pattern
    means: str | None
    instead_of: frozenset[str]


@dataclass(frozen=True)
class Facts:
    """facts.yaml: what a person says about themselves ("我是外地户口" → 外地户籍) and the 情形 it brings in."""

    facts: dict[str, re.Pattern]
    situations: dict[str, re.Pattern]
    conflicts: dict[str, str]


@dataclass(frozen=True)
class Actions:
    """actions.yaml: (words, item-name words) — "结婚证丢了" → 补领; who is asking (企业 or 个人)."""

    actions: list[tuple[re.Pattern, tuple[str, ...]]]
    company: re.Pattern
    person: re.Pattern
    variant_cues: dict[str, re.Pattern]  # catalogue variant word → the question's cue for it (补 → 丢|补|遗失 …)
    catalogue_words: dict[str, re.Pattern]  # catalogue name word → everyday words for it (犬 ← 狗)
    operations: tuple[dict[str, re.Pattern], dict[str, re.Pattern]]  # operation → its name words; its cues


@dataclass(frozen=True)
class Answers:
    """answers.yaml: what a question asks of the answer ("女的20岁能领证吗" is a rule question)."""

    rule_question: re.Pattern
    full_guide: re.Pattern
    steps_words: re.Pattern
    yes_words: tuple[tuple[re.Pattern, str, str], ...]  # (question words, yes, no)
    field_cues: dict[str, tuple[re.Pattern, set[str]]]  # name → (question words, guide fields)
    unit_cues: list[tuple[re.Pattern, re.Pattern]]  # (question words, words of a sentence that answers)
    unit_says: list[tuple[re.Pattern, re.Pattern, dict[str, re.Pattern]]]  # (asks, unit, says_yes / says_no / against)
    negated_act: re.Pattern | None = None  # "不给加班费": what the person says is not done
    asked_acts: tuple[re.Pattern, ...] = ()  # words that name one act ("出钱" and "缴纳"): a clause saying one speaks of the other
    consequence_question: re.Pattern | None = None  # "会罚多少": asks what follows a breach (governing.py)
    how_to_question: re.Pattern | None = None  # "食经证咋办": asks how to get something done (rules/policy.py)


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, str]  # "离昏" → "离婚"
    law_terms: dict[str, str]  # "加班" → "延长工作时间": the statutes' words, read on the law side only (governing.py)
    scope: Scope
    turns: Turns
    facts: Facts
    actions: Actions
    answers: Answers
    replies: dict[str, str]  # key → str.format template with {centre}
    suggestions: dict[str, tuple[str, ...]]  # situation → suggestion buttons
    folder: Path


def lexicon_dir() -> Path:
    """`<corpus dir>/lexicon` of the settings when it exists, else the project's ROOT/corpus/lexicon."""
    own = Path(get_settings().corpus_dir) / "lexicon"
    return own if own.is_dir() else DEFAULT_DIR


def _scope(f: LexiconFile) -> Scope:
    f.known("refuse_by_rule", "out_of_scope", "out_of_scope_unless", "other_city", "local_policy", "home_city")
    scope = Scope(f.regex_map("out_of_scope"), f.regex_map("out_of_scope_unless"), frozenset(f.words("refuse_by_rule")),
                  f.regex("other_city"), f.regex("local_policy"), f.get("home_city", str))
    for topic in sorted(scope.refuse_by_rule - set(scope.out_of_scope)):
        f.fail("refuse_by_rule", f"「{topic}」不是 out_of_scope 里的话题")
    for topic in sorted(set(scope.out_of_scope_unless) - set(scope.out_of_scope)):
        f.fail(f"out_of_scope_unless.{topic}", f"「{topic}」不是 out_of_scope 里的话题")
    return scope


TURN_WORDS = ("handoff", "injection", "greeting", "thanks", "who", "stay_cue", "together", "followup_lead",
              "policy_cue")


# the aspects the code reads by name (lead.ASPECT_FIELDS, the dialogue's service words): their words are the centre's
QUESTION_ASPECTS = ("materials", "time", "fee", "place", "online", "basis", "steps", "conditions", "agent", "contact")


def _aspect_context(f: LexiconFile) -> tuple[AspectContext, ...]:
    out: list[AspectContext] = []
    for at, e in f.entries("aspect_context") if "aspect_context" in f.data else []:
        f.known("words", "means", "instead_of", data=e, at=f"{at}.")
        means = str(e["means"]) if e.get("means") is not None else None
        instead = tuple(map(str, f.words(f"{at}.instead_of", e["instead_of"]))) if "instead_of" in e else ()
        for a in sorted((set(instead) | ({means} if means else set())) - set(QUESTION_ASPECTS)):
            f.fail(at, f"「{a}」不是已知的方面（应为 {' / '.join(QUESTION_ASPECTS)} 之一）")
        if (words := f.regex(f"{at}.words", e.get("words"))) is not None:
            out.append(AspectContext(words, means, frozenset(instead)))
    return tuple(out)


def _turns(f: LexiconFile) -> Turns:
    f.known(*TURN_WORDS, "aspects", "aspect_context", "name_action", "name_verb")
    turns = Turns(**{name: f.regex(name) for name in TURN_WORDS}, aspects=f.regex_map("aspects"), aspect_context=
                  _aspect_context(f), **{k: f.regex(k) for k in ("name_action", "name_verb") if k in f.data})
    if isinstance(f.data.get("aspects"), dict):
        for name in sorted(set(map(str, f.data["aspects"])) - set(QUESTION_ASPECTS)):
            f.fail(f"aspects.{name}", f"不是已知的方面（应为 {' / '.join(QUESTION_ASPECTS)} 之一）")
        for name in QUESTION_ASPECTS:
            if name not in f.data["aspects"]:
                f.fail(f"aspects.{name}", "缺失")
    return turns


def _facts(f: LexiconFile, aspects: dict[str, re.Pattern]) -> Facts:
    """A fact may borrow an aspect's words: `委托代办: {aspect: agent}` is the 代办 aspect of turns.yaml."""
    f.known("facts", "fact_situations", "conflicts")
    facts: dict[str, re.Pattern] = {}
    for k, v in (f.get("facts", dict) or {}).items():
        if isinstance(v, dict) and "aspect" in v:
            if str(v["aspect"]) not in aspects:
                f.fail(f"facts.{k}.aspect", f"「{v['aspect']}」不是 turns.yaml 的 aspects 之一")
            else:
                facts[str(k)] = aspects[str(v["aspect"])]
        elif (p := f.regex(f"facts.{k}", v)) is not None:
            facts[str(k)] = p
    out = Facts(facts, f.regex_map("fact_situations"), f.text_map("conflicts"))
    named = [("fact_situations", k) for k in out.situations] + [("conflicts", k) for k in out.conflicts] \
        + [(f"conflicts.{k}", v) for k, v in out.conflicts.items()]
    for field, k in named:
        if k not in facts:
            f.fail(field if "." in field else f"{field}.{k}", f"「{k}」不是 facts 里的事实")
    return out


def _actions(f: LexiconFile) -> Actions:
    f.known("actions", "company", "person", "variant_cues", "catalogue_words", "operation_names", "operation_cues")
    actions = []
    for at, a in f.entries("actions"):
        p, names = f.regex(f"{at}.words", a.get("words")), f.words(f"{at}.item_words", a.get("item_words"))
        if p is not None and names:
            actions.append((p, names))
    return Actions(actions, f.regex("company"), f.regex("person"), f.regex_map("variant_cues"),
                   f.regex_map("catalogue_words"), (f.regex_map("operation_names"), f.regex_map("operation_cues")))


def _answers(f: LexiconFile) -> Answers:
    """unit_cues name their question words (asks) or borrow a field cue's (asks_like), and may say yes/no."""
    f.known("rule_question", "full_guide", "steps_words", "yes_words", "field_cues", "unit_cues", "negated_act",
            "consequence_question", "how_to_question", "asked_acts")
    yes_words = []
    for at, y in f.entries("yes_words"):
        got = (f.regex(f"{at}.question", y.get("question")), f.get(f"{at}.yes_answer", str, y.get("yes_answer")),
               f.get(f"{at}.no_answer", str, y.get("no_answer")))
        yes_words += [got] if None not in got else []
    field_cues: dict[str, tuple[re.Pattern, set[str]]] = {}
    for k, c in (f.get("field_cues", dict) or {}).items():
        if f.get(f"field_cues.{k}", dict, c) is not None:
            p, fields = f.regex(f"field_cues.{k}.words", c.get("words")), f.words(f"field_cues.{k}.fields", c.get("fields"))
            for name in sorted(set(fields) - set(ASPECTS)):
                f.fail(f"field_cues.{k}.fields", f"「{name}」不是办事指南的栏目（{' / '.join(ASPECTS)}）")
            if p is not None and fields:
                field_cues[str(k)] = (p, set(fields))
    unit_cues, unit_says = [], []
    for at, u in f.entries("unit_cues"):
        q = field_cues.get(str(u["asks_like"]), (None,))[0] if "asks_like" in u else f.regex(f"{at}.asks", u.get("asks"))
        if q is None and "asks_like" in u:
            f.fail(f"{at}.asks_like", f"「{u['asks_like']}」不是 field_cues 之一")
        unit = f.regex(f"{at}.unit", u.get("unit"))
        if q is not None and unit is not None:
            unit_cues.append((q, unit))
        says = {k: f.regex(f"{at}.{k}", u[k]) for k in ("says_yes", "says_no", "against") if k in u}
        if q is not None and unit is not None and says:  # what else the cue's words say: yes, no, another question
            unit_says.append((q, unit, says))
    return Answers(f.regex("rule_question"), f.regex("full_guide"), f.regex("steps_words"), tuple(yes_words),
                   field_cues, unit_cues, unit_says, f.regex("negated_act"),
                   tuple(filter(None, (f.regex(f"asked_acts.{i}", r) for i, r in enumerate(f.get("asked_acts", list) or [])))),
                   **{k: f.regex(k) for k in ("consequence_question", "how_to_question") if k in f.data})


def _replies(f: LexiconFile) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Reply texts (each a str.format template: a stray "{" is named here, not when it is first said)
    and suggestion buttons by situation."""
    f.known("replies", "suggestions")
    texts = f.text_map("replies")
    for k, v in list(texts.items()):
        try:
            list(string.Formatter().parse(v))
        except ValueError as e:
            f.fail(f"replies.{k}", f"花括号不成对（{e}）：占位符写作 {{centre}}，字面花括号写作 {{{{ 和 }}}}")
            del texts[k]
    suggestions = {str(k): f.words(f"suggestions.{k}", v) for k, v in (f.get("suggestions", dict) or {}).items()}
    return texts, suggestions


def read_lexicon(folder: Path) -> Lexicon:
    """Every file of `folder`, validated; CorpusError lists every problem of every file."""
    problems: list[Problem] = []
    files = {name: LexiconFile(folder / f"{name}.yaml", problems) for name in FILES}
    files["terms"].known("terms", "law_terms")
    turns = _turns(files["turns"])
    texts, suggestions = _replies(files["replies"])
    terms = files["terms"]
    lexicon = Lexicon(terms=terms.text_map("terms"),
                      law_terms=terms.text_map("law_terms") if "law_terms" in terms.data else {},
                      scope=_scope(files["scope"]), turns=turns,
                      facts=_facts(files["facts"], turns.aspects), actions=_actions(files["actions"]),
                      answers=_answers(files["answers"]), replies=texts, suggestions=suggestions, folder=folder)
    if problems:
        raise CorpusError(problems)
    return lexicon


@lru_cache(maxsize=None)
def load_lexicon(folder: Path | None = None) -> Lexicon:
    """The lexicon of `folder` (default: :func:`lexicon_dir`), read once per folder."""
    return read_lexicon(folder or lexicon_dir())


def replies(folder: Path | None = None) -> dict[str, str]:
    """Reply texts by key (replies.yaml), {centre} and other {names} still to fill: see
    `core.dialogue.replies.reply`."""
    return load_lexicon(folder).replies


def suggestions(folder: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Suggestion buttons by situation (replies.yaml `suggestions`): "refuse" → 结婚登记要带什么, …"""
    return load_lexicon(folder).suggestions

