"""Schema migrations (assistant/db.py, assistant/migrations): a database made by the first release, with
a row in every table, is refused by `serve` with the command that fixes it, upgraded by
`assistant db upgrade` without losing or changing a row — on SQLite and on PostgreSQL — and then used
by the app; the migrations and the models describe the same schema."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

import legacy_schema
from servers import free_port, postgres, run_cli

NEW_TABLES = {"rate_counters", "wechat_seen", "staff_sessions", "handoff_threads", "staff_replies",
              "callback_contacts", "wechat_sessions", "wechat_pending", "guide_versions", "access_tokens",
              "alembic_version"}


@pytest.fixture(scope="module")
def pg_server():
    with postgres() as url:
        yield url


@contextmanager
def _database(kind: str, tmp_path, request):
    """A new, empty database of ``kind`` (a SQLite file, or a fresh database on the test's PostgreSQL)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'assistant.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"legacy_{os.getpid()}_{free_port()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows(engine, table) -> list[dict]:
    with engine.connect() as db:
        return [dict(r._mapping) for r in db.execute(select(table).order_by(*table.primary_key.columns))]


def _schema_diff(engine) -> list:
    from assistant.store.db import load_models

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), load_models())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_first_release_database_is_upgraded_with_every_row_kept(kind, tmp_path, request):
    with _database(kind, tmp_path, request) as url:
        engine = create_engine(url)
        legacy_schema.create_and_fill(engine)
        env = os.environ | {"ASSISTANT_DATABASE_URL": url}

        # serve refuses the old database before loading anything, and names the command
        refused = run_cli(["serve", "--host", "127.0.0.1", "--port", str(free_port())], env)
        assert refused.returncode == 1
        assert "assistant db upgrade" in refused.stderr and "数据库结构落后于程序" in refused.stderr
        from assistant.store.db import state
        with engine.connect() as conn:
            assert state(conn) == ("behind", None)

        done = run_cli(["db", "upgrade"], env)
        assert done.returncode == 0, done.stderr
        assert "数据库结构已升级" in done.stdout and "→ 0006" in done.stdout

        # every row of every table, column by column
        for table in legacy_schema.meta.sorted_tables:
            expected = sorted((dict(r) for r in legacy_schema.ROWS[table.name]),
                              key=lambda r: tuple(r[c.name] for c in table.primary_key))
            got = _rows(engine, table)
            if table.name == "messages":  # the clashing turns were renumbered in time order; nothing else changed
                order = {m: i for i, m in enumerate(["r-u0", "r-a1", "r-u0b", "r-a1b"])}
                for r in expected:
                    if r["id"] in order:
                        r["seq"] = order[r["id"]]
            assert got == expected, table.name
        assert NEW_TABLES <= set(inspect(engine).get_table_names())
        assert _schema_diff(engine) == []  # exactly the schema the models describe
        from assistant.store.db import upgrade
        assert upgrade(engine) == ("0006", "0006")  # a second upgrade changes nothing

        # and the app carries on with the old data: the conversation continues with the next turn number
        from assistant.web.routes.feedback import FeedbackStore
        from assistant.core.assistant import Context
        from assistant.store.conversations import SessionStore, now

        store = SessionStore(url, idle_minutes=10**7)
        sid, ctx = store.open(legacy_schema.SID, "web")
        assert sid == legacy_schema.SID and ctx.focus == ["hukou-move"] and ctx.facts == ["外地户籍"]
        store.record(sid, "要多久", "guide", "当场办结。", ["户口迁移"], {}, Context(focus=["hukou-move"]))
        assert [m.seq for m in store.messages(sid)] == [0, 1, 2, 3, 4, 5]
        assert [m.seq for m in store.messages(legacy_schema.RACED)] == [0, 1, 2, 3]
        feedback = FeedbackStore(store.engine, now)
        assert [c.status for c in feedback.cases()] == ["整改中"]
        store.engine.dispose()
        engine.dispose()


def test_migrations_and_models_describe_the_same_schema(tmp_path):
    """A fresh database made by `serve` (create_all + stamp) and one made by running every migration are
    the same, and both match the models: a model change without a revision fails here — write one with
    `assistant db revision -m "…"`."""
    from assistant.store.db import ensure_schema, head_revision, upgrade

    created, migrated = create_engine(f"sqlite:///{tmp_path / 'c.db'}"), create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert ensure_schema(created) == "empty"
    assert upgrade(migrated) == (None, head_revision())
    assert _schema_diff(created) == [] and _schema_diff(migrated) == []
    assert set(inspect(created).get_table_names()) == set(inspect(migrated).get_table_names())


def test_a_database_from_before_migrations_with_the_newer_tables_is_upgraded(tmp_path):
    """Deployments that ran the security/channels code before migrations have those tables already
    (made by create_all) but no version: the upgrade keeps their rows and adds only what is missing."""
    from assistant.store.db import SchemaOutOfDate, ensure_schema, load_models

    url = f"sqlite:///{tmp_path / 'mid.db'}"
    engine = create_engine(url)
    meta = load_models()
    present = [t for t in meta.sorted_tables if t.name not in ("wechat_sessions", "wechat_pending")]
    meta.create_all(engine, tables=present)
    with engine.begin() as db:
        db.execute(meta.tables["rate_counters"].insert().values(key="login_ip/1.2.3.4", hits=3, expires_at=9e9))
        db.execute(meta.tables["staff_sessions"].insert().values(
            id="f" * 64, username="wang", created_at=legacy_schema.T0, last_seen=legacy_schema.T0,
            expires_at=legacy_schema.T2))
    with pytest.raises(SchemaOutOfDate, match="assistant db upgrade"):
        ensure_schema(engine)
    r = run_cli(["db", "upgrade"], os.environ | {"ASSISTANT_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    assert _rows(engine, meta.tables["rate_counters"])[0]["hits"] == 3
    assert len(_rows(engine, meta.tables["staff_sessions"])) == 1
    assert _schema_diff(engine) == []


def test_guide_versions_made_by_the_old_guide_editor_are_kept_by_the_upgrade(tmp_path):
    """Before revision 0004 the guide editor made ``guide_versions`` itself (``create_all``) in a database
    at 0003: the upgrade finds the table, keeps its rows and only moves the version on."""
    from assistant.store.db import SchemaOutOfDate, ensure_schema, load_models, upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'editor.db'}")
    assert upgrade(engine, "0003") == (None, "0003")
    versions = load_models().tables["guide_versions"]
    versions.create(engine)
    row = {"id": "a1b2c3d4e5f6", "item_id": "marriage-registration", "content": "name: 结婚登记\n",
           "action": "publish", "note": "窗口调整", "by": "admin", "at": legacy_schema.T0}
    with engine.begin() as db:
        db.execute(versions.insert().values(**row))
    with pytest.raises(SchemaOutOfDate, match="assistant db upgrade"):
        ensure_schema(engine)
    assert upgrade(engine) == ("0003", "0006")
    assert _rows(engine, versions) == [row]
    assert _schema_diff(engine) == []


def test_a_fresh_database_is_created_by_the_first_store():
    """An empty database (a laptop's first `make run`, the first replica on a new PostgreSQL database)
    gets the current schema at once, stamped with the head revision."""
    from assistant.store.db import head_revision, state
    from assistant.store.conversations import SessionStore

    store = SessionStore("sqlite://")
    with store.engine.connect() as conn:
        assert state(conn) == ("current", head_revision())
