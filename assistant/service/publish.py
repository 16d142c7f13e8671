"""Staff edit and publish without a restart (issue 13).

An admin opens a guide in the console, edits its fields, previews answers, and publishes.
Publishing (one at a time, under a lock):

1. validates the edited guide exactly as `assistant corpus check` does (schema, centre halls and
   zones, 设定依据 articles in the law version in force) — a problem names the field;
2. keeps the version (YAML text, who, when, note) in the database — the first publish of a guide
   also keeps the text it replaces, so there is always something to roll back to;
3. writes the YAML file atomically (temporary file + rename);
4. rebuilds the index incrementally (`rebuild_index`: only the changed guide's chunks are embedded
   and tokenised; the rest come from the embedding and token caches), loads it and swaps the new
   `Assistant` into ``app.state.assistant`` with one assignment.  Requests already running finish on the old index;
   the next one sees the new.  If the build fails, the old file is put back and nothing changes.

Preview builds the same way into a temporary folder (the running index is not touched) and answers the
typed questions there.  One server process is assumed (several workers would each need a reload).
"""
from __future__ import annotations

import difflib
import os
import shutil
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.clock import utcnow
from assistant.core.corpus.schema import Guide, _cross_check
from assistant.store.guides import GuideVersion, GuideVersions  # noqa: F401 - the table, importable from here too


class PublishError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems  # (field, message)
        super().__init__("；".join(f"「{f}」{m}" if f else m for f, m in problems))


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


_now = utcnow


class Publisher:
    """Paths come from the running index's settings (its corpus_dir and index_dir)."""

    def __init__(self, engine, clock=_now):
        self.store = GuideVersions(engine)
        self.clock = clock
        self.lock = threading.Lock()

    # ------------------------------------------------------------ reading
    @staticmethod
    def path(index, item_id: str) -> Path:
        if not item_id.replace("-", "").isalnum() or not item_id.isascii():
            raise PublishError([("", f"事项编号不合法：{item_id}")])
        return Path(index.settings.corpus_dir) / "guides" / f"{item_id}.yaml"

    def read(self, index, item_id: str) -> dict | None:
        p = self.path(index, item_id)
        return yaml.safe_load(p.read_text(encoding="utf-8")) if p.exists() else None

    def versions(self, item_id: str) -> list[GuideVersion]:
        return self.store.of(item_id)

    def version(self, version_id: str) -> GuideVersion | None:
        return self.store.get(version_id)

    def diff(self, a: str, b: str, label_a: str = "旧版本", label_b: str = "新版本") -> str:
        return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), label_a, label_b))

    # ------------------------------------------------------------ checking
    def validate(self, item_id: str, data: dict, index) -> Guide:
        """The edited guide, or PublishError naming each field (as corpus check would)."""
        from assistant.core.corpus.laws import check_basis

        if not isinstance(data, dict):
            raise PublishError([("", "指南内容应为字段映射")])
        try:
            g = Guide.model_validate(data).model_copy(update={"id": item_id})
        except ValidationError as e:
            raise PublishError([(".".join(str(p) for p in err["loc"]),
                                 {"missing": "缺失", "extra_forbidden": "不是已知字段"}.get(err["type"], err["msg"])
                                 if err["type"] != "too_short" else "不能为空") for err in e.errors()]) from None
        others = [x for x in index.corpus.guides if x.id != item_id]
        problems = [(f, m) for where, f, m in _cross_check(others + [g], index.corpus.centre, Path("guides"))
                    if where.endswith(f"{item_id}.yaml")]
        problems += [(f, m) for _, f, m in check_basis([g], [c for c in index.chunks if c.law])]
        if problems:
            raise PublishError(problems)
        return g

    # ------------------------------------------------------------ preview
    def preview(self, item_id: str, data: dict, questions: list[str], index) -> list[dict]:
        """Answers the edited guide would give, from an index built in a temporary folder."""
        from assistant.core.index.build import rebuild_index
        from assistant.core.assistant import Assistant

        self.validate(item_id, data, index)
        with tempfile.TemporaryDirectory(prefix="daoban-preview-") as tmp:
            tmp = Path(tmp)
            shutil.copytree(index.settings.corpus_dir, tmp / "corpus")
            (tmp / "corpus" / "guides" / f"{item_id}.yaml").write_text(dump(data), encoding="utf-8")
            shutil.copytree(index.settings.index_dir, tmp / "index",
                            ignore=shutil.ignore_patterns(".building"))
            s = index.settings.model_copy(update={"corpus_dir": tmp / "corpus", "index_dir": tmp / "index"})
            a = Assistant(rebuild_index(s, index.embedder, log=lambda *_: None))
            out = []
            for q in questions[:5]:
                r = a.answer(q)
                out.append({"question": q, "kind": r.kind, "answer": r.answer,
                            "items": [i.name for i in r.items], "windows": r.items[0].windows if r.items else []})
            return out

    # ------------------------------------------------------------ publish
    def publish(self, app_state, item_id: str, data: dict, by: str, note: str = "", action: str = "publish") -> dict:
        """Validate, keep the version, write, rebuild incrementally, swap. Returns timings and the version."""
        with self.lock:
            t0 = time.perf_counter()
            index = app_state.assistant.index
            self.validate(item_id, data, index)
            path = self.path(index, item_id)
            before = path.read_text(encoding="utf-8") if path.exists() else None
            content = dump(data)
            now = self.clock()
            if before is not None and not self.store.has_any(item_id):
                self.store.add(item_id, before, "original", "corpus", now - timedelta(milliseconds=1), "发布前的版本")
            tmp = path.with_suffix(".yaml.publishing")
            tmp.write_text(content, encoding="utf-8")
            os.replace(tmp, path)
            t_write = time.perf_counter()
            try:
                manifest = self.rebuild_and_swap(app_state)
            except Exception:
                if before is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_text(before, encoding="utf-8")
                self.rebuild_and_swap(app_state)  # the index matches the files again
                raise
            t_swap = time.perf_counter()
            row = self.store.add(item_id, content, action, by, self.clock(), note)
            return {"version": row.id, "item_id": item_id, "at": row.at.isoformat(), "by": by,
                    "embedded_now": manifest["counts"]["embedded_now"],
                    "seconds": {"total": round(time.perf_counter() - t0, 2), "write": round(t_write - t0, 2),
                                "rebuild_and_swap": round(t_swap - t_write, 2)}}

    @staticmethod
    def rebuild_and_swap(app_state) -> dict:
        """Build the running index's folder from the corpus files (only changed chunks are embedded),
        load it, and swap a new Assistant in.  Returns the build manifest."""
        from assistant.core.index.build import rebuild_index
        from assistant.core.assistant import Assistant

        old = app_state.assistant
        index = old.index
        new = Assistant(rebuild_index(index.settings, index.embedder, log=lambda *_: None), phraser=old.phraser)
        curated = getattr(app_state, "curated", None)
        new.curated = curated.bind(new) if curated is not None else old.curated
        app_state.assistant = new  # the swap: one assignment; running requests keep the old object
        return new.index.manifest

    def rollback(self, app_state, item_id: str, version_id: str, by: str) -> dict:
        v = self.version(version_id)
        if v is None or v.item_id != item_id:
            raise PublishError([("", "没有这个版本")])
        return self.publish(app_state, item_id, yaml.safe_load(v.content), by, note=f"回滚到 {version_id}",
                            action="rollback")


