"""Guide versions (``guide_versions``): every text of a guide the console published, so an admin can
see who changed what, diff two versions and roll back (`service.publish.Publisher`).

One row per publish, e.g. ``GuideVersion(item_id="marriage-registration", action="publish",
note="窗口调整", by="admin", content="name: 结婚登记\\n…")``.  ``action`` says where the text came from:
``original`` (the file as it was before the first publish, kept so there is always something to roll
back to), ``publish``, ``rollback`` or ``import``.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.store.db import Base, ensure_schema


class GuideVersion(Base):
    __tablename__ = "guide_versions"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), index=True)
    content: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))  # original | publish | rollback | import
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class GuideVersions:
    """The versions of the guides, newest first."""

    def __init__(self, engine: Engine):
        ensure_schema(engine)
        self._session = sessionmaker(engine, expire_on_commit=False)

    def of(self, item_id: str) -> list[GuideVersion]:
        with self._session() as db:
            return list(db.scalars(select(GuideVersion).where(GuideVersion.item_id == item_id)
                                   .order_by(GuideVersion.at.desc(), GuideVersion.id)))

    def get(self, version_id: str) -> GuideVersion | None:
        with self._session() as db:
            return db.get(GuideVersion, version_id)

    def has_any(self, item_id: str) -> bool:
        with self._session() as db:
            return db.scalars(select(GuideVersion.id).where(GuideVersion.item_id == item_id).limit(1)).first() is not None

    def add(self, item_id: str, content: str, action: str, by: str, at: datetime, note: str = "") -> GuideVersion:
        row = GuideVersion(id=secrets.token_hex(6), item_id=item_id, content=content, action=action, note=note,
                           by=by, at=at)
        with self._session() as db:
            db.add(row)
            db.commit()
        return row
