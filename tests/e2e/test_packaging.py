"""Packaging that keeps working: `python -m assistant` with every command, an SPDX licence
with its LICENSE file, any Python from 3.11 on, and the shipped data inside the built wheel."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

import pytest

from assistant.config import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
COMMANDS = ["ask", "serve", "eval", "corpus", "index", "staff"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


@pytest.mark.parametrize("module", ["assistant", "assistant.cli"])
def test_python_dash_m_runs_the_cli_with_every_command(module):
    r = run("-m", module, "--help")
    assert r.returncode == 0, r.stderr
    for command in COMMANDS:
        assert f"│ {command} " in r.stdout, f"`python -m {module}` lacks `{command}`:\n{r.stdout}"
    r = run("-m", module, "eval", "--help")  # registered after the old __main__ guard: it used to be missing
    assert r.returncode == 0 and "--no-baselines" in r.stdout, r.stdout + r.stderr
    r = run("-m", module, "index", "--help")
    assert all(c in r.stdout for c in ("build", "export", "import", "ship-embeddings"))


def test_an_unknown_command_fails_with_a_message():
    r = run("-m", "assistant", "no-such-command")
    assert r.returncode == 2 and "no-such-command" in r.stderr


def test_licence_and_python_versions():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert project["requires-python"] == ">=3.11"
    pins = [d for d in project["dependencies"]] + [d for ds in project["optional-dependencies"].values() for d in ds
                                                    if not d.startswith("daoban-assistant")]
    assert all("==" in d for d in pins), [d for d in pins if "==" not in d]


def test_the_default_install_has_no_torch_and_torch_is_pinned_where_it_is_needed():
    deps = " ".join(PYPROJECT["project"]["dependencies"])
    assert "torch" not in deps and "sentence-transformers" not in deps and "langchain" not in deps
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "torch==2.13.0" in extras["st"]
    assert not any("minilm" in d for d in extras["test"])  # pulls sentence-transformers and torch
    assert any("minilm" in d for d in extras["st-test"]) and "daoban-assistant[st]" in extras["st-test"]


def test_the_wheel_carries_the_shipped_vectors_and_licence_without_warnings(tmp_path):
    pytest.importorskip("setuptools", reason="setuptools is needed to build the wheel offline")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr  # -v shows setuptools' own output, e.g. "BuildBackendWarning: `project.license`
    assert "BuildBackendWarning" not in out and "DeprecationWarning" not in out, out[-3000:]  # as a TOML table …"
    wheel = next(tmp_path.glob("daoban_assistant-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta and "Requires-Python: >=3.11" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.startswith("assistant/data/embeddings/") and n.endswith(".npy") for n in names)
    assert any(n.startswith("assistant/data/embeddings/") and n.endswith(".json") for n in names)
    assert "assistant/__main__.py" in names and "assistant/web/static/chat/main.js" in names
