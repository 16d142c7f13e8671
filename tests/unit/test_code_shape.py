"""The shape a newcomer can find their way in: the core knows nothing of HTTP or databases, and no
function or module is too long to read in one sitting (issue 10's limits: 60 lines, 400 lines)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
WEB_OR_DB = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn")
MAX_FUNCTION, MAX_MODULE = 60, 400


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _modules(PACKAGE / "core"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_imports_no_web_framework_and_no_database(path):
    """`assistant/core` answers a message from the index alone: the same code runs in the CLI, the
    evaluation, the web app and the WeChat bot.  It may not import FastAPI, Starlette or SQLAlchemy, nor
    the web or store layers that do."""
    bad = sorted(n for n in _imports(path)
                 if n.split(".")[0] in WEB_OR_DB or n.startswith(("assistant.web", "assistant.store",
                                                                   "assistant.service")))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in _modules(PACKAGE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, "split these functions:\n" + "\n".join(long)


def test_no_module_is_longer_than_four_hundred_lines():
    big = [f"{p.relative_to(PACKAGE)} ({n} lines)" for p in _modules(PACKAGE)
           if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE]
    assert not big, "split these modules:\n" + "\n".join(big)
