"""`assistant db upgrade | status | revision`: the conversations database's schema (see `db.py`).

    $ assistant db status
    数据库：postgresql+psycopg://assistant:***@db/assistant
    结构版本：0002（程序需要 0003）——请先备份数据库，再运行 assistant db upgrade
    $ assistant db upgrade
    数据库结构已升级：0002 → 0003
"""
from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.engine import make_url

from assistant.config import get_settings

db_app = typer.Typer(help="数据库结构（Alembic 迁移）", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _engine():
    from assistant.store.db import engine_for

    url = get_settings().database_url
    console.print(f"数据库：{make_url(url).render_as_string(hide_password=True)}")
    return engine_for(url)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="目标版本（默认最新）")) -> None:
    """把数据库结构升级到程序需要的版本（不删除任何数据；多个副本同时运行也安全）。"""
    from assistant.store.db import upgrade as run_upgrade

    before, after = run_upgrade(_engine(), revision)
    if before == after:
        console.print(f"[green]数据库结构已是最新[/green]：{after}")
    else:
        console.print(f"[green]数据库结构已升级[/green]：{before or '（空库或迁移前的版本）'} → {after}")


@db_app.command("status")
def status() -> None:
    """显示数据库结构版本，以及是否需要升级。"""
    from assistant.store.db import UPGRADE_COMMAND, head_revision, state

    with _engine().connect() as conn:
        where, rev = state(conn)
    text = {"empty": f"空库（首次启动 serve 时自动建立 {head_revision()} 的结构）",
            "current": f"{rev}（最新）",
            "behind": f"{rev or '迁移前的版本'}（程序需要 {head_revision()}）——请先备份数据库，再运行 {UPGRADE_COMMAND}",
            "ahead": f"{rev}（比程序的 {head_revision()} 新：这是更新版本的程序升级过的数据库）"}[where]
    console.print(f"结构版本：{text}")
    if where == "behind":
        raise typer.Exit(1)


@db_app.command("revision")
def revision(message: str = typer.Option(..., "-m", "--message", help="这次结构变化的说明")) -> None:
    """（开发者）改了表定义后，生成下一个迁移脚本：与一个升级到最新版本的临时 SQLite 库比较得出。"""
    import tempfile
    from pathlib import Path

    from alembic import command
    from sqlalchemy import create_engine

    from assistant.store.db import alembic_config, upgrade as run_upgrade

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        run_upgrade(engine)
        with engine.begin() as conn:
            script = command.revision(alembic_config(conn), message=message, autogenerate=True)
    console.print(f"[green]已生成[/green] {script.path}（请检查后提交）")


def check_before_serving(url: str) -> str | None:
    """None when `serve` may start (an empty database gets the current schema now), else the message that
    names the command to run."""
    from assistant.store.db import SchemaOutOfDate, engine_for, ensure_schema

    try:
        ensure_schema(engine_for(url))
    except SchemaOutOfDate as e:
        return str(e)
    return None
