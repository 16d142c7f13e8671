"""Shared fixtures: the real default index (built once if missing or stale) and an API client."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import ROOT, get_settings

SHARED = ROOT.parent / "shared" / "corpus"


def shared_or_skip(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"需要 ../shared/corpus/{sub}（共享语料不在本机），跳过")
    return path


@pytest.fixture(scope="session")
def settings():
    return get_settings()


@pytest.fixture(scope="session")
def index(settings):
    from assistant.index import ensure_index, load_index

    ensure_index(settings, log=lambda *_: None)
    return load_index(settings)


@pytest.fixture(scope="session")
def assistant(index):
    from assistant.pipeline import Assistant

    return Assistant(index)


@pytest.fixture()
def client(assistant, settings, tmp_path):
    from fastapi.testclient import TestClient

    from assistant.api import create_app
    from assistant.sessions import SessionStore

    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}")
    with TestClient(create_app(settings, assistant, store)) as c:
        yield c
