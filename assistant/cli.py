"""Command line: `assistant index build | ask | serve | corpus check | eval`."""
from __future__ import annotations

import sys

import typer
from rich.console import Console

from .config import get_settings
from .guides import CorpusError

app = typer.Typer(help="导办 assistant 命令行", no_args_is_help=True)
corpus_app = typer.Typer(help="语料", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
console = Console()


@corpus_app.command("check")
def corpus_check() -> None:
    """校验 corpus/centre.yaml 与全部办事指南。"""
    from .corpus import load_corpus

    settings = get_settings()
    try:
        corpus = load_corpus(settings.corpus_dir)
    except CorpusError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    halls = {g.place.hall for g in corpus.guides}
    console.print(f"[green]语料校验通过[/green]：{len(corpus.guides)} 个事项，{len(halls)} 个大厅。")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
