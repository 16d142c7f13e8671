"""Domain words as data: the files of `corpus/lexicon/` that a centre edits without touching Python.

    terms.yaml    colloquial, abbreviated and mistyped words → the official words ("离昏" → 离婚)
    scope.yaml    off-topic words by topic (天气, 股票 …), other cities' local policies
    turns.yaml    what kind of turn a message is (转人工, 你好, 谢谢 …) and which aspect it asks about
    facts.yaml    what a person says about themselves (外地户口, 委托代办) and the guides' 情形 it brings in
    actions.yaml  what the person wants done (补领, 注销, 变更 …) and who is asking (个人 / 企业)
    answers.yaml  what a question asks of an answer (a rule, the whole guide, yes/no words, field cues)
    replies.yaml  reply texts, with {centre} for the centre's short name (corpus/centre.yaml 简称)

A regex is written as a string ('天气|下雨|暴雨'), or as {regex: '…', ignore_case: true} when upper and
lower case should match alike ('Bitcoin', 'bitcoin').  Loading validates every file and raises
:class:`CorpusError` naming the file and the field — a missing file, a wrong type, a bad regex, an empty
list — like the guides' validation (schema.py), and `assistant corpus check` reports the same problems.

Where the words are: `<corpus dir>/lexicon` (Settings.corpus_dir, ASSISTANT_CORPUS_DIR), or, when that
corpus has no lexicon folder (a test's small corpus of three guides), the project's own
ROOT/corpus/lexicon.  The modules that use the words (understand, rank_items, lead, direct) read them
once, at import time, through the cached :func:`load_lexicon`.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.core.corpus.schema import CorpusError, _read_yaml

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "corpus" / "lexicon"  # ROOT/corpus/lexicon
FILES = ("terms", "scope", "turns", "facts", "actions", "answers", "replies")
Problem = tuple[str, str, str]


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, str]
    scope: dict
    turns: dict
    facts: dict
    actions: dict
    answers: dict
    replies: dict[str, str]
    suggestions: dict[str, tuple[str, ...]]
    folder: Path


def lexicon_dir() -> Path:
    """`<corpus dir>/lexicon` of the settings when it exists, else the project's ROOT/corpus/lexicon."""
    from assistant.config import get_settings

    own = Path(get_settings().corpus_dir) / "lexicon"
    return own if own.is_dir() else DEFAULT_DIR


class _File:
    """One lexicon file being read: typed getters that note (file, field, message) problems instead of
    raising, so one run reports every mistake of every file."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path, self.problems = path, problems
        self.data: dict = {}
        self.ok = False  # readable: only then are its fields checked (a missing file is one problem, not ten)
        if not path.exists():
            self.fail("", "文件不存在")
            return
        try:
            data = _read_yaml(path)
        except CorpusError as e:
            problems.extend(e.problems)
            return
        if not isinstance(data, dict):
            self.fail("", "文件内容应为键值映射（YAML 字典）")
            return
        self.data, self.ok = data, True

    def fail(self, field: str, message: str) -> None:
        if self.ok or not field:
            self.problems.append((str(self.path), field, message))

    def known(self, *fields: str) -> None:
        for key in self.data:
            if key not in fields:
                self.fail(str(key), "不是已知字段（拼写错误？）")

    def get(self, field: str, kind: type, value: object = None, *, at: str | None = None):
        """`value` (or the top-level `field`) when it has type `kind` and is not empty, else None."""
        value = self.data.get(field) if at is None else value
        name = at or field
        if value is None:
            self.fail(name, "缺失")
            return None
        if not isinstance(value, kind):
            self.fail(name, f"应为{_KIND_NAMES.get(kind, kind.__name__)}，实为{_KIND_NAMES.get(type(value), type(value).__name__)}")
            return None
        if kind in (str, list, dict) and not (value.strip() if kind is str else value):
            self.fail(name, "不能为空")
            return None
        return value

    def regex(self, field: str, value: object = None, *, at: str | None = None) -> re.Pattern | None:
        """A regex string, or {regex: '…', ignore_case: true}."""
        value = self.data.get(field) if at is None else value
        name = at or field
        flags = 0
        if isinstance(value, dict):
            unknown = set(value) - {"regex", "ignore_case"}
            if unknown:
                self.fail(f"{name}.{sorted(map(str, unknown))[0]}", "不是已知字段（应为 regex / ignore_case）")
                return None
            if not isinstance(value.get("ignore_case", False), bool):
                self.fail(f"{name}.ignore_case", "应为 true 或 false")
                return None
            flags = re.I if value.get("ignore_case") else 0
            name, value = f"{name}.regex", value.get("regex")
        text = self.get(name, str, value, at=name)
        if text is None:
            return None
        try:
            return re.compile(text, flags)
        except re.error as e:
            self.fail(name, f"正则表达式不合法：{e}")
            return None

    def regex_map(self, field: str) -> dict[str, re.Pattern]:
        """name → regex, in the file's order (the order is the order of the rules that read them)."""
        items = self.get(field, dict) or {}
        out = {str(k): self.regex(field, v, at=f"{field}.{k}") for k, v in items.items()}
        return {k: p for k, p in out.items() if p is not None}

    def words(self, field: str, value: object = None, *, at: str | None = None) -> tuple[str, ...]:
        items = self.get(field, list, value, at=at) or []
        name = at or field
        for i, w in enumerate(items):
            if not isinstance(w, str) or not w.strip():
                self.fail(f"{name}.{i}", "应为非空文字")
        return tuple(w for w in items if isinstance(w, str) and w.strip())


_KIND_NAMES = {str: "文字", list: "列表", dict: "键值映射", int: "整数", float: "数字", bool: "true/false"}


def _terms(f: _File) -> dict[str, str]:
    f.known("terms")
    out: dict[str, str] = {}
    for k, v in (f.get("terms", dict) or {}).items():
        if f.get("", str, v, at=f"terms.{k}") is not None:
            out[str(k)] = v
    return out


def _scope(f: _File) -> dict:
    f.known("refuse_by_rule", "out_of_scope", "out_of_scope_unless", "other_city", "local_policy", "home_city")
    out = {"out_of_scope": f.regex_map("out_of_scope"), "out_of_scope_unless": f.regex_map("out_of_scope_unless"),
           "refuse_by_rule": frozenset(f.words("refuse_by_rule")),
           "other_city": f.regex("other_city"), "local_policy": f.regex("local_policy"),
           "home_city": f.get("home_city", str)}
    for name, table in (("refuse_by_rule", out["refuse_by_rule"]), ("out_of_scope_unless", out["out_of_scope_unless"])):
        for topic in sorted(set(table) - set(out["out_of_scope"])):
            f.fail(f"{name}.{topic}" if name != "refuse_by_rule" else name, f"「{topic}」不是 out_of_scope 里的话题")
    return out


TURN_WORDS = ("handoff", "injection", "greeting", "thanks", "who", "stay_cue", "together", "followup_lead",
              "policy_cue")


def _turns(f: _File) -> dict:
    f.known(*TURN_WORDS, "aspects")
    return {name: f.regex(name) for name in TURN_WORDS} | {"aspects": f.regex_map("aspects")}


def _facts(f: _File, aspects: dict[str, re.Pattern]) -> dict:
    """Facts may borrow an aspect's words: `委托代办: {aspect: agent}` is the 代办 aspect of turns.yaml."""
    f.known("facts", "fact_situations", "conflicts")
    facts: dict[str, re.Pattern] = {}
    for k, v in (f.get("facts", dict) or {}).items():
        if isinstance(v, dict) and "aspect" in v:
            if v["aspect"] not in aspects:
                f.fail(f"facts.{k}.aspect", f"「{v['aspect']}」不是 turns.yaml 的 aspects 之一")
            else:
                facts[str(k)] = aspects[v["aspect"]]
        elif (p := f.regex("facts", v, at=f"facts.{k}")) is not None:
            facts[str(k)] = p
    situations = f.regex_map("fact_situations")
    conflicts = {str(k): v for k, v in (f.get("conflicts", dict) or {}).items()
                 if f.get("", str, v, at=f"conflicts.{k}") is not None}
    for name, table in (("fact_situations", situations), ("conflicts", conflicts)):
        for k in sorted(set(table) - set(facts)):
            f.fail(f"{name}.{k}", f"「{k}」不是 facts 里的事实")
    return {"facts": facts, "fact_situations": situations, "conflicts": conflicts}


def _actions(f: _File) -> dict:
    f.known("actions", "company", "person")
    actions = []
    for i, a in enumerate(f.get("actions", list) or []):
        if f.get("", dict, a, at=f"actions.{i}") is None:
            continue
        p, names = f.regex("", a.get("words"), at=f"actions.{i}.words"), f.words("", a.get("item_words"), at=f"actions.{i}.item_words")
        if p is not None and names:
            actions.append((p, names))
    return {"actions": actions, "company": f.regex("company"), "person": f.regex("person")}


def _answers(f: _File) -> dict:
    """yes_words: (question words, yes, no); field_cues: name → (words, fields); unit_cues: (question words
    or the name of a field cue, unit words)."""
    f.known("rule_question", "full_guide", "steps_words", "yes_words", "field_cues", "unit_cues")
    yes_words = []
    for i, y in enumerate(f.get("yes_words", list) or []):
        if f.get("", dict, y, at=f"yes_words.{i}") is not None:
            got = (f.regex("", y.get("question"), at=f"yes_words.{i}.question"),
                   f.get("", str, y.get("yes_answer"), at=f"yes_words.{i}.yes_answer"),
                   f.get("", str, y.get("no_answer"), at=f"yes_words.{i}.no_answer"))
            if None not in got:
                yes_words.append(got)
    field_cues: dict[str, tuple[re.Pattern, set[str]]] = {}
    for k, c in (f.get("field_cues", dict) or {}).items():
        if f.get("", dict, c, at=f"field_cues.{k}") is not None:
            p, fields = f.regex("", c.get("words"), at=f"field_cues.{k}.words"), f.words("", c.get("fields"), at=f"field_cues.{k}.fields")
            if p is not None and fields:
                field_cues[str(k)] = (p, set(fields))
    unit_cues = []
    for i, u in enumerate(f.get("unit_cues", list) or []):
        if f.get("", dict, u, at=f"unit_cues.{i}") is None:
            continue
        if "asks_like" in u:
            q = field_cues.get(u["asks_like"], (None,))[0]
            if q is None:
                f.fail(f"unit_cues.{i}.asks_like", f"「{u['asks_like']}」不是 field_cues 之一")
        else:
            q = f.regex("", u.get("asks"), at=f"unit_cues.{i}.asks")
        unit = f.regex("", u.get("unit"), at=f"unit_cues.{i}.unit")
        if q is not None and unit is not None:
            unit_cues.append((q, unit))
    return {"rule_question": f.regex("rule_question"), "full_guide": f.regex("full_guide"),
            "steps_words": f.regex("steps_words"), "yes_words": yes_words,
            "field_cues": field_cues, "unit_cues": unit_cues}


def _replies(f: _File) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Reply texts (each a str.format template: a stray "{" is named here, not at the first reply) and
    suggestion buttons by situation."""
    f.known("replies", "suggestions")
    texts: dict[str, str] = {}
    for k, v in (f.get("replies", dict) or {}).items():
        if f.get("", str, v, at=f"replies.{k}") is None:
            continue
        try:
            list(string.Formatter().parse(v))
        except ValueError as e:
            f.fail(f"replies.{k}", f"花括号不成对（{e}）：占位符写作 {{centre}}，字面花括号写作 {{{{ 和 }}}}")
            continue
        texts[str(k)] = v
    suggestions = {str(k): f.words("", v, at=f"suggestions.{k}") for k, v in (f.get("suggestions", dict) or {}).items()}
    return texts, suggestions


def read_lexicon(folder: Path) -> Lexicon:
    """Every file of `folder`, validated; CorpusError lists every problem of every file."""
    problems: list[Problem] = []
    files = {name: _File(folder / f"{name}.yaml", problems) for name in FILES}
    turns = _turns(files["turns"])
    texts, suggestions = _replies(files["replies"])
    lexicon = Lexicon(terms=_terms(files["terms"]), scope=_scope(files["scope"]), turns=turns,
                      facts=_facts(files["facts"], turns["aspects"]), actions=_actions(files["actions"]),
                      answers=_answers(files["answers"]), replies=texts, suggestions=suggestions, folder=folder)
    if problems:
        raise CorpusError(problems)
    return lexicon


@lru_cache(maxsize=None)
def load_lexicon(folder: Path | None = None) -> Lexicon:
    """The lexicon of `folder` (default: :func:`lexicon_dir`), read once per folder."""
    return read_lexicon(folder or lexicon_dir())


def replies(folder: Path | None = None) -> dict[str, str]:
    """Reply texts by key (replies.yaml), {centre} and other {names} still to fill: see :func:`render`."""
    return load_lexicon(folder).replies


def suggestions(folder: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Suggestion buttons by situation (replies.yaml `suggestions`): "refuse" → 结婚登记要带什么, …"""
    return load_lexicon(folder).suggestions


def render(key: str, centre: str, folder: Path | None = None, **values: object) -> str:
    """The reply text `key` for a centre whose short name (centre.yaml 简称) is `centre`:
    render("greeting", "便民方舟") → "您好！我是便民方舟的导办助手，…"; render("clarify_topic", "便民方舟",
    topic="工程") → "关于工程，本中心可以办理以下事项，…"."""
    return replies(folder)[key].format(centre=centre, **values)
