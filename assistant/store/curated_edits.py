"""What staff add to a correction after writing it: example questions, and edits with their history.

* **Examples** (``curated_examples``): when writing 结婚登记要带什么 the console shows the past questions it would
  catch.  Staff may *exclude* one that must not get it (补办结婚证要带什么 — another item) and *add* a paraphrase it
  should catch (领证要准备啥).  `CuratedStore.lookup` treats an added example like the correction's own question,
  and never answers an excluded question nor one closer to an excluded example than to the included questions.
* **Versions** (``curated_versions``): every edit of a correction's question, item, answer, cited chunks or
  examples keeps the previous content, with who replaced it, when and why (a reason is required, as for a new
  correction).  Restoring a version is an edit too, so nothing is ever lost.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from assistant.core.text.normalize import normalize
from assistant.store.db import Base

INCLUDE, EXCLUDE = "include", "exclude"
MAX_EXAMPLES = 50


class CuratedExample(Base):
    """One example question of a correction: ``include`` (catch it like the correction's question) or ``exclude``."""

    __tablename__ = "curated_examples"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    curated_id: Mapped[str] = mapped_column(String(24), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # include | exclude
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CuratedVersion(Base):
    """A correction's content before an edit, and the edit that replaced it (by whom, when, why)."""

    __tablename__ = "curated_versions"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    curated_id: Mapped[str] = mapped_column(String(24), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1 for the first version replaced, then 2, …
    question: Mapped[str] = mapped_column(Text)
    item_id: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(Text)
    chunk_ids: Mapped[list] = mapped_column(JSON, default=list)
    examples: Mapped[list] = mapped_column(JSON, default=list)  # the included example questions then
    excluded: Mapped[list] = mapped_column(JSON, default=list)  # the excluded ones
    replaced_by: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    reason: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class Examples:
    """A correction's added (``include``) and excluded example questions, as staff typed them."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def clean(questions) -> tuple[str, ...]:
    """Distinct non-empty questions, in the order given: ["领证要准备啥", " ", "领证要准备啥"] → ("领证要准备啥",)."""
    return tuple(dict.fromkeys(q.strip() for q in questions or () if q and q.strip()))[:MAX_EXAMPLES]


def example_rows(curated_id: str, examples: Examples, by: str, at: datetime) -> list[CuratedExample]:
    return [CuratedExample(id=secrets.token_hex(6), curated_id=curated_id, kind=kind, question=q,
                           normalized=normalize(q), created_by=by, created_at=at)
            for kind, qs in ((INCLUDE, clean(examples.include)), (EXCLUDE, clean(examples.exclude))) for q in qs]


def examples_of(db, curated_ids) -> dict[str, Examples]:
    """{correction id: its examples} for these corrections (the ones with none are left out)."""
    ids = list(curated_ids)
    if not ids:
        return {}
    rows = db.scalars(select(CuratedExample).where(CuratedExample.curated_id.in_(ids))
                      .order_by(CuratedExample.created_at, CuratedExample.question)).all()
    found: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        found.setdefault(r.curated_id, {INCLUDE: [], EXCLUDE: []})[r.kind].append(r.question)
    return {k: Examples(tuple(v[INCLUDE]), tuple(v[EXCLUDE])) for k, v in found.items()}


def replace_examples(db, curated_id: str, examples: Examples, by: str, at: datetime) -> None:
    for old in db.scalars(select(CuratedExample).where(CuratedExample.curated_id == curated_id)):
        db.delete(old)
    db.add_all(example_rows(curated_id, examples, by, at))


class CuratedEdits:
    """The edit / history / restore half of `CuratedStore` (it brings ``_session``, ``clock``, ``refresh``, ``get``)."""

    def examples(self, curated_ids: list[str]) -> dict[str, Examples]:
        """{correction id: its added and excluded example questions} (every id given, with or without any)."""
        with self._session() as db:
            found = examples_of(db, curated_ids)
        return {k: found.get(k, Examples()) for k in curated_ids}

    def edit(self, curated_id: str, by: str, reason: str, *, question: str | None = None, item_id: str | None = None,
             answer: str | None = None, chunk_ids: list[str] | None = None,
             examples: Examples | None = None):
        """Change a correction (only the fields given); the previous content is kept as a version with
        ``by``, the time and ``reason``.  None when there is no such correction; ValueError without a reason."""
        if not reason or not reason.strip():
            raise ValueError("reason required")
        t = self.clock()
        with self._session() as db:
            row = db.get(self.model, curated_id)
            if row is None:
                return None
            before = examples_of(db, [curated_id]).get(curated_id, Examples())
            seq = db.scalar(select(func.count(CuratedVersion.id)).where(CuratedVersion.curated_id == curated_id)) + 1
            db.add(CuratedVersion(id=secrets.token_hex(6), curated_id=curated_id, seq=seq, question=row.question,
                                  item_id=row.item_id, answer=row.answer, chunk_ids=list(row.chunk_ids or []),
                                  examples=list(before.include), excluded=list(before.exclude),
                                  replaced_by=by, replaced_at=t, reason=reason.strip()))
            if question is not None and question.strip():
                row.question, row.normalized = question.strip(), normalize(question)
            if item_id:
                row.item_id = item_id
            if answer is not None and answer.strip():
                row.answer = answer.strip()
            if chunk_ids is not None:
                row.chunk_ids = list(dict.fromkeys(chunk_ids))
            if examples is not None:
                replace_examples(db, curated_id, examples, by, t)
            row.updated_at = t
            db.commit()
        self.refresh(force=True)
        return self.get(curated_id)

    def history(self, curated_id: str) -> list[CuratedVersion]:
        """The earlier versions of a correction, the latest replaced first."""
        with self._session() as db:
            return list(db.scalars(select(CuratedVersion).where(CuratedVersion.curated_id == curated_id)
                                   .order_by(CuratedVersion.seq.desc())))

    def restore(self, curated_id: str, version_id: str, by: str, reason: str):
        """Bring an earlier version back (an edit like any other: the content it replaces becomes a version)."""
        with self._session() as db:
            v = db.get(CuratedVersion, version_id)
        if v is None or v.curated_id != curated_id:
            return None
        return self.edit(curated_id, by, reason, question=v.question, item_id=v.item_id, answer=v.answer,
                         chunk_ids=list(v.chunk_ids or []), examples=Examples(tuple(v.examples or ()),
                                                                              tuple(v.excluded or ())))
