"""One SQLAlchemy metadata for every table, and the schema's version (Alembic, `store/migrations`).

Every table is defined in a module of `assistant/store/` (`MODEL_MODULES`) on `Base` (ORM classes) or
`metadata` (Core tables), so one Alembic history describes the whole database: conversations
(`conversations`), ratings and cases (`feedback`), staff accounts and sessions (`accounts`), curated answers
(`curated`, their example questions and earlier versions in `curated_edits`), hand-offs (`handoff`), rate
counters (`ratelimit`), WeChat replay (`wechat`), pending state and the openid → conversation map
(`shared_state`) and published guide texts (`guides`).  Web and service modules only import them.

The schema is versioned by the ``alembic_version`` row.  `state(engine)` says where a database stands:

* ``empty``       – no table of ours: `ensure_schema` creates the current schema and stamps it (a fresh
                    SQLite file on a laptop, the first replica on a new PostgreSQL database; replicas
                    starting together serialise on a PostgreSQL advisory lock);
* ``current``     – at the code's head revision: nothing to do;
* ``behind``      – an older revision, or tables without ``alembic_version`` (made by a release before
                    migrations existed): refused with the command that fixes it,
                    ``assistant db upgrade`` (`SchemaOutOfDate`), because an upgrade of a database
                    holding data is the operator's decision (take a backup first);
* ``ahead``       – a revision this code does not know (a newer release migrated it): served with a
                    warning, since migrations only add tables, columns and indexes.

`upgrade(engine)` runs the migrations (the same advisory lock), e.g. ``assistant db upgrade``.
"""
from __future__ import annotations

import importlib
import logging
import threading
import weakref
from functools import lru_cache
from pathlib import Path

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger("assistant.db")

MIGRATIONS = Path(__file__).parent / "migrations"
# the modules that define tables (all in store/); `load_models` imports them so that `metadata` is complete
MODEL_MODULES = ("assistant.store.conversations", "assistant.store.feedback", "assistant.store.accounts",
                 "assistant.store.curated", "assistant.store.curated_edits", "assistant.store.handoff", "assistant.store.ratelimit",
                 "assistant.store.wechat", "assistant.store.shared_state", "assistant.store.guides")
UPGRADE_COMMAND = "assistant db upgrade"
_LOCK_KEY = 7_316_014  # pg_advisory_xact_lock key: one schema change at a time across replicas


class Base(DeclarativeBase):
    """The declarative base of every ORM table of the project."""


metadata: MetaData = Base.metadata


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older than the code (the message names the command that fixes it)."""


def load_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return metadata


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def state(conn: Connection) -> tuple[str, str | None]:
    """(``empty`` | ``current`` | ``behind`` | ``ahead``, the database's revision)."""
    rev = current_revision(conn)
    if rev is None:
        ours = set(inspect(conn).get_table_names()) & set(load_models().tables)
        return ("behind" if ours else "empty"), None
    if rev == head_revision():
        return "current", rev
    return ("behind" if rev in known_revisions() else "ahead"), rev


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def behind_message(rev: str | None) -> str:
    where = f"版本 {rev}" if rev else "迁移机制出现之前的版本"
    return (f"数据库结构落后于程序（数据库为{where}，程序需要 {head_revision()}）。"
            f"请先备份数据库，再运行：{UPGRADE_COMMAND}")


_ready: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_ready_lock = threading.Lock()


def ensure_schema(engine: Engine) -> str:
    """Make sure the database can be used by this code: create the schema in an empty database,
    accept the current one, warn on a newer one, raise `SchemaOutOfDate` on an older one.
    Cheap after the first call per engine (every store calls it)."""
    with _ready_lock:
        if engine in _ready:
            return "current"
    load_models()
    with engine.begin() as conn:
        _lock(conn)
        where, rev = state(conn)
        if where == "empty":
            metadata.create_all(conn)
            from alembic import command

            command.stamp(alembic_config(conn), "head")
            log.info("created the database schema at revision %s", head_revision())
        elif where == "behind":
            raise SchemaOutOfDate(behind_message(rev))
        elif where == "ahead":
            log.warning("database revision %s is newer than this code's %s; serving anyway", rev, head_revision())
    with _ready_lock:
        _ready.add(engine)
    return where


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run the migrations up to ``revision``; returns (revision before, revision after)."""
    from alembic import command

    load_models()
    with engine.begin() as conn:
        _lock(conn)
        before = current_revision(conn)
        command.upgrade(alembic_config(conn), revision)
        after = current_revision(conn)
    with _ready_lock:
        _ready.discard(engine)
    return before, after


def engine_for(url: str) -> Engine:
    """An engine for ``url`` configured like the app's (`sessions.SessionStore`)."""
    from assistant.store.conversations import make_engine

    return make_engine(url)


def memory_engine() -> Engine:
    """A private SQLite database in memory, shared by the threads of this process: stand-alone routers in
    tests and the console's throw-away previews."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    return create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
