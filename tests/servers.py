"""Live servers and the browser that drives them, shared by the end-to-end test modules.

* ``serve``: a command that listens on ``--port N`` (a free loopback port picked here) runs in a
  subprocess, logging to a file, until it answers ``GET <ready>`` with 200; it is terminated after.
* ``uvicorn_server``: ``serve`` for ``python -m uvicorn <factory> --factory`` on 127.0.0.1.
* ``run_cli`` / ``ensure_index``: the project's CLI in a subprocess.
* ``NEEDS_CHROMIUM``, ``playwright_or_skip``, ``chromium``, ``new_page``, ``ask``, ``reply``: headless
  Debian Chromium (/usr/bin/chromium) through the Python ``playwright`` package; never downloads a browser.
* ``shared_index`` / ``app_server``: the index loaded once per test process, and the real app served by
  uvicorn in a thread of the test process on it (its own SQLite file and staff accounts).
* ``postgres``: a throw-away PostgreSQL cluster from Debian's server binaries, for the database-URL tests.
"""
from __future__ import annotations

import functools
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


# ---------------------------------------------------------------- processes

class Server(NamedTuple):
    url: str  # http://127.0.0.1:<port>
    proc: subprocess.Popen


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def serve(args: list[str], log: Path, *, env: dict | None = None, ready: str = "/healthz", timeout: float = 300,
          name: str = "the server") -> Iterator[Server]:
    """Run ``args + ["--port", <free port>]`` from the repository root until ``GET <ready>`` answers 200.

    Fails the test (with the tail of the log) when the process exits first or is not ready within
    ``timeout`` seconds; terminates it (then kills it) on the way out.
    """
    port = free_port()
    url = f"http://{HOST}:{port}"
    with open(log, "w+b") as out:
        proc = subprocess.Popen([*args, "--port", str(port)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    out.seek(0)
                    pytest.fail(f"{name} exited with code {proc.returncode}:\n"
                                f"{out.read().decode(errors='replace')[-3000:]}")
                try:
                    if httpx.get(url + ready, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not answer GET {ready} within {timeout:g} s")
                time.sleep(0.1)
            yield Server(url, proc)
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` (then kill it after 15 s); nothing when it has already exited."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def uvicorn_server(factory: str, log: Path, *, env: dict | None = None, app_dir: Path | None = None) -> Iterator[Server]:
    """``uvicorn <factory> --factory`` (e.g. ``assistant.api:create_app``) on a free loopback port."""
    args = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", HOST]
    if app_dir is not None:
        args += ["--app-dir", str(app_dir)]
    with serve(args, log, env=env) as server:
        yield server


def run_cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m assistant.cli <args>`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=3600)


@contextmanager
def index_build_lock() -> Iterator[None]:
    """Held while index/ is built: pytest-xdist workers share it, so one builds and the others wait."""
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "daoban-index-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_index(env: dict | None = None) -> None:
    """No-op when index/ is fresh (checked in this process: a CLI process per browser module cost seconds);
    else builds it with the CLI, one builder at a time (pytest-xdist workers share index/)."""
    from assistant.config import get_settings
    from assistant.core.index.build import IndexError_, check_fresh

    try:
        check_fresh(get_settings())
        return
    except IndexError_:
        pass
    with index_build_lock():  # the other worker waits here, then finds the index fresh
        r = run_cli(["index", "build", "--if-stale"], env)
    if r.returncode != 0:
        pytest.fail(f"building the index failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")


# ---------------------------------------------------------------- the browser

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000
MSG = "[data-testid=assistant-msg]"

NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} not found; install it with `apt-get update && apt-get install -y chromium` "
           "(CI installs it; the browser tests never download a browser)",
)


def playwright_or_skip():
    """``playwright.sync_api``; at module level, skips the whole module when the package is missing."""
    return pytest.importorskip("playwright.sync_api", reason="the `playwright` Python package is not installed")


@contextmanager
def chromium():
    """Headless Debian Chromium, closed on the way out."""
    with playwright_or_skip().sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def run_async(coro_fn, *args):
    """``asyncio.run(coro_fn(*args))`` in a thread of its own, its exceptions raised here: the session's
    Chromium (sync Playwright) keeps an event loop running in the test thread, where asyncio.run() fails."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn(*args))).result()


def new_page(browser, base_url: str, errors: list[str], width: int, height: int):
    """A page in a new context (its own cookie jar) that records JavaScript errors in ``errors``."""
    ctx = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page


def watch_modules(page, folder: str) -> tuple[list[str], set[str]]:
    """What a page of native ES modules got wrong, and which of its modules it fetched.

    A module that fails to import (a 404, a misspelt export, a syntax error) raises no page error: the
    browser only logs "Failed to load module script" or a SyntaxError to the console, and the page sits
    there, drawn but dead.  So ``problems`` collects page errors, console errors (except the browser's
    own request for /favicon.ico: the site has none), failed requests and 4xx/5xx answers; ``fetched``
    the file names answered under ``folder`` ("/web/chat/" → {"main.js", "dom.js", …}).
    """
    problems: list[str] = []
    fetched: set[str] = set()

    def console(m):
        if m.type == "error" and not m.location["url"].endswith("/favicon.ico"):
            problems.append(f"console: {m.text} at {m.location['url']}")

    def response(r):
        if folder in r.url and r.ok:
            fetched.add(r.url.rsplit("/", 1)[1])
        if r.status >= 400:
            problems.append(f"{r.status} {r.url}")

    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", console)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", response)
    return problems, fetched


def ask(page, text: str, enter: bool = False):
    """Type a question into the chat, send it, and return the (finished) assistant message it produced."""
    n = page.locator(MSG).count()
    box = page.get_by_test_id("chat-input")
    box.fill(text)
    if enter:
        box.press("Enter")
    else:
        page.get_by_test_id("chat-send").click()
    return reply(page, n)


def reply(page, n_before: int):
    """The assistant message after the first ``n_before``, once it has finished."""
    expect = playwright_or_skip().expect
    msg = page.locator(MSG).nth(n_before)
    expect(msg).to_have_attribute("aria-busy", "false", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("chat-send")).to_be_enabled()
    return msg


# ---------------------------------------------------------------- PostgreSQL

def _pg_bin(name: str) -> str | None:
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return versions[-1] if versions else None


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL cluster (Debian's server binaries) on a free loopback port; yields its
    SQLAlchemy URL.  As root the cluster runs as the ``postgres`` system user, which initdb requires
    (in a directory of its own under the system temp dir, which that user can reach)."""
    import os
    import shutil
    import tempfile

    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL 未安装（apt-get install postgresql；.ci/run 会安装），跳过")
    pytest.importorskip("psycopg", reason="psycopg 未安装（pip install -e '.[test]'）")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("以 root 运行且没有 runuser，无法启动 PostgreSQL，跳过")
        as_user = ["runuser", "-u", "postgres", "--"]
    workdir = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data, sock = workdir / "pgdata", workdir / "pgsock"
    sock.mkdir(parents=True, exist_ok=True)
    if as_user:
        shutil.chown(workdir, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    log = workdir / "postgres.log"
    made = subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                           "--locale=C.UTF-8"], capture_output=True, text=True)
    if made.returncode:
        pytest.fail(f"initdb failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}")
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "start",
                    "-o", f"-p {port} -k {sock} -c listen_addresses={HOST}"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- the app with staff accounts

@functools.cache
def shared_index():
    """The default index (built first when missing or stale, one builder at a time), loaded once per test
    process: the session fixture ``index`` and every in-process app server use this one."""
    from assistant.config import get_settings
    from assistant.core.index.build import ensure_index as build_if_stale, load_index

    with index_build_lock():  # pytest-xdist workers share index/: one builds, the other finds it fresh
        build_if_stale(get_settings(), log=lambda *_: None)
    return load_index(get_settings())


@contextmanager
def app_server(tmp: Path, accounts: dict[str, tuple[str, str]] | None = None, **settings_) -> Iterator[str]:
    """The real app on a real loopback port, on its own SQLite file in ``tmp``, with ``{username: (role,
    password)}`` staff accounts and any other settings (``embed_origins=[…]``); yields its base URL.

    It is the app ``uvicorn assistant.web.app:create_app --factory`` serves (the settings of the environment,
    rate limits on), but run by uvicorn in a thread of the test process, on an ``Assistant`` of its own over the index
    this process already holds: a server process per module re-imported the app and re-loaded the index,
    about 5 s of CPU each.  Tests that kill or restart a server (durability, replicas, serving) start real
    processes with ``serve``/``uvicorn_server``."""
    import threading

    import uvicorn

    from assistant.config import get_settings
    from assistant.core.assistant import Assistant
    from assistant.web.app import create_app

    settings = get_settings(**{"database_url": f"sqlite:///{tmp / 't.db'}"} | settings_)
    app = create_app(settings, Assistant(shared_index()))
    for user, (role, password) in (accounts or {}).items():
        app.state.staff.add(user, password, role)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"app-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the in-process app server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.store.engine.dispose()


def sign_in(page, username: str, password: str) -> None:
    """Sign in on /staff/login and wait for the console."""
    import re

    page.goto("/staff/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    playwright_or_skip().expect(page).to_have_url(re.compile(r"/staff$"))
