"""Shared fixtures: the real default index (built once if missing or stale), an API client, a settable
clock with staff accounts, and the headless browser (tests/servers.py has the live-server helpers)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assistant.config import ROOT, get_settings
from servers import chromium, shared_index

SHARED = ROOT.parent / "shared" / "corpus"


def shared_or_skip(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"需要 ../shared/corpus/{sub}（共享语料不在本机），跳过")
    return path


@pytest.fixture(scope="session")
def settings():
    # rate limits off for the functional tests (they ask many questions from one address);
    # tests/test_security_*.py switch them on with their own settings
    return get_settings(rate_limits="off")


def as_staff(c):
    """`?debug=true` shows the trace to signed-in staff only: sign this TestClient in as a guide
    (a server-side session sent as ``Authorization: Bearer``)."""
    staff = c.app.state.staff
    if staff.get("debug-tester") is None:
        staff.add("debug-tester", "debug-tester-password", "guide")
    c.headers["Authorization"] = "Bearer " + staff.issue(staff.get("debug-tester"))
    return c


@pytest.fixture(scope="session")
def index():
    return shared_index()


@pytest.fixture(scope="session")
def assistant(index):
    from assistant.core.assistant import Assistant

    return Assistant(index)


@pytest.fixture()
def client(assistant, settings, tmp_path):
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app
    from assistant.store.conversations import SessionStore

    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}")
    with TestClient(create_app(settings, assistant, store)) as c:
        yield as_staff(c)


@pytest.fixture()
def open_client():
    """``open_client(app, **TestClient kwargs)``: a started TestClient (lifespan run), closed after the test."""
    from contextlib import ExitStack

    from fastapi.testclient import TestClient

    with ExitStack() as stack:
        yield lambda app, **kw: stack.enter_context(TestClient(app, **kw))


class FakeClock:
    """SessionStore's clock, set by the test: ``clock.t = ...`` (naive UTC)."""

    def __init__(self, t: datetime):
        self.t = t

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture()
def clock(request):
    """A FakeClock at the test module's ``CLOCK_START``."""
    return FakeClock(request.module.CLOCK_START)


@pytest.fixture()
def staff_app(assistant, settings, tmp_path, clock):
    """``staff_app(db_name, password, {username: role})``: create_app on its own SQLite file in tmp_path,
    on ``clock``, with those staff accounts (added in order, all with ``password``)."""
    from assistant.web.app import create_app
    from assistant.store.conversations import SessionStore

    def make(db_name: str, password: str, accounts: dict[str, str]):
        app = create_app(settings, assistant, SessionStore(f"sqlite:///{tmp_path / db_name}", clock=clock))
        for username, role in accounts.items():
            app.state.staff.add(username, password, role)
        return app

    return make


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per test process (the first browser module starts it; it skips when
    Chromium is missing).  Each test opens its own context.  Sync Playwright keeps an asyncio loop running in
    this thread while it is open, so the tests that drive a coroutine use `servers.run_async`, which runs it
    in a thread of its own."""
    with chromium() as b:
        yield b


def pytest_collection_modifyitems(items):
    """Tests are marked by their folder: tests/api/ drive the HTTP app in process (`-m api`), tests/e2e/
    need the real index, a live server, chromium or a database server (`-m "not e2e"` leaves them out)."""
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in ("api", "e2e"):
            item.add_marker(getattr(pytest.mark, folder))
