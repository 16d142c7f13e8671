"""One file of `corpus/lexicon/` being read and validated: typed getters that note (file, field, message)
problems instead of raising, so `assistant corpus check` reports every mistake of every file at once.  Used by
lexicon.py (the seven files of domain words) and store/curated_match.py (asks.yaml)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.core.corpus.schema import YAML_LOADER, CorpusError, _read_yaml

Problem = tuple[str, str, str]


def _repeated_keys(node: yaml.Node, at: str = "") -> list[tuple[str, int]]:
    """(field path, line) of every key written twice in one mapping: "  社保: 社会保险" twice in terms.yaml
    would silently keep only the second."""
    out: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = f"{at}.{key.value}" if at else str(key.value)
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                out.append((name, key.start_mark.line + 1))
            seen.add(key.value if isinstance(key, yaml.ScalarNode) else "")
            out += _repeated_keys(value, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _repeated_keys(item, f"{at}.{i}")
    return out


_TOP = object()  # "read the top-level field of this name"
_KIND_NAMES = {str: "文字", list: "列表", dict: "键值映射", bool: "true/false", int: "数字", float: "数字"}


class LexiconFile:
    """One lexicon file being read: typed getters that note (file, field, message) problems instead of
    raising, so one run reports every mistake of every file.  `name` is the field's path as reported
    ("actions.1.item_words"); `value` defaults to the top-level field `name`."""

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
        for field, line in _repeated_keys(yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)):
            self.fail(field, f"第{line}行重复出现：YAML 只保留最后一个，前面的会被悄悄丢掉")

    def fail(self, field: str, message: str) -> None:
        if self.ok or not field:
            self.problems.append((str(self.path), field, message))

    def known(self, *fields: str, data: dict | None = None, at: str = "") -> None:
        for key in self.data if data is None else data:
            if key not in fields:
                self.fail(f"{at}{key}", "不是已知字段（拼写错误？）")

    def get(self, name: str, kind: type, value: object = _TOP):
        """`value` when it has type `kind` and is not empty, else None (and a problem noted)."""
        value = self.data.get(name) if value is _TOP else value
        if value is None:
            self.fail(name, "缺失")
            return None
        if not isinstance(value, kind):
            self.fail(name, f"应为{_KIND_NAMES[kind]}，实为{_KIND_NAMES.get(type(value), type(value).__name__)}")
            return None
        if not (value.strip() if isinstance(value, str) else value):
            self.fail(name, "不能为空")
            return None
        return value

    def regex(self, name: str, value: object = _TOP) -> re.Pattern | None:
        """A regex string, or {regex: '…', ignore_case: true}."""
        value = self.data.get(name) if value is _TOP else value
        flags = 0
        if isinstance(value, dict):
            unknown = sorted(map(str, set(value) - {"regex", "ignore_case"}))
            if unknown:
                self.fail(f"{name}.{unknown[0]}", "不是已知字段（应为 regex / ignore_case）")
                return None
            if not isinstance(value.get("ignore_case", False), bool):
                self.fail(f"{name}.ignore_case", "应为 true 或 false")
                return None
            flags = re.I if value.get("ignore_case") else 0
            name, value = f"{name}.regex", value.get("regex")
        text = self.get(name, str, value)
        if text is None:
            return None
        try:
            return re.compile(text, flags)
        except re.error as e:
            self.fail(name, f"正则表达式不合法：{e}")
            return None

    def regex_map(self, name: str) -> dict[str, re.Pattern]:
        """key → regex, in the file's order (the order of the rules that read them)."""
        out = {str(k): self.regex(f"{name}.{k}", v) for k, v in (self.get(name, dict) or {}).items()}
        return {k: p for k, p in out.items() if p is not None}

    def text_map(self, name: str) -> dict[str, str]:
        return {str(k): v for k, v in (self.get(name, dict) or {}).items() if self.get(f"{name}.{k}", str, v)}

    def words(self, name: str, value: object = _TOP) -> tuple[str, ...]:
        items = self.get(name, list, value) or []
        for i, w in enumerate(items):
            if not isinstance(w, str) or not w.strip():
                self.fail(f"{name}.{i}", "应为非空文字")
        return tuple(w for w in items if isinstance(w, str) and w.strip())

    def entries(self, name: str) -> list[tuple[str, dict]]:
        """(path, mapping) of each entry of a list of mappings ("actions.0", {...})."""
        items = [(f"{name}.{i}", e) for i, e in enumerate(self.get(name, list) or [])]
        return [(at, e) for at, e in items if self.get(at, dict, e) is not None]
