"""The store and service layers stand without the web layer: every module of `assistant/store/` and
`assistant/service/` imports neither FastAPI/Starlette nor a web router, the staff console or the app, so
the CLI, the migrations, a batch job or another front end can use them without the HTTP app."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules(package: str) -> list[str]:
    folder = ROOT.joinpath(*package.split("."))
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(folder)]) if m.name != "migrations"]


def test_every_store_and_service_module_loads_without_the_web_layer():
    names = _modules("assistant.store") + _modules("assistant.service")
    assert "assistant.store.guides" in names and "assistant.service.wechat_kefu" in names
    code = (f"import importlib, sys\nfor n in {names!r}: importlib.import_module(n)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette') "
            "or m.startswith(('assistant.web.routes', 'assistant.web.staff', 'assistant.web.app'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout
