"""The staff console is native ES modules (assistant/web/static/staff/*.js, no build step): the server
serves them as JavaScript under the page's CSP, and in a real browser every module loads and every view
draws without a console error.

A module that fails to import (a 404, a misspelt export, a syntax error) does not raise a page error:
the browser only logs "Failed to load module script" or a SyntaxError to the console and the console
stays blank.  So these tests watch the console, failed requests and page errors, and open every view.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from servers import NEEDS_CHROMIUM, ROOT, ensure_index, playwright_or_skip, run_cli, uvicorn_server

USER, PASSWORD = "modules", "modules-pass-1"
STATIC = ROOT / "assistant" / "web" / "static"
MODULES = sorted(p.name for p in (STATIC / "staff").glob("*.js"))
# every view of the nav, with the heading it draws (staff.html's data-view → the h2 of the view)
VIEWS = {"dashboard": "看板", "conversations": "会话记录", "bulk": "批量核对", "cases": "差评工单", "handoffs": "转人工",
         "gaps": "缺口", "hit-test": "命中测试", "curated": "人工审核答案", "kb": "办事指南编辑与发布", "staff": "工作人员"}

expect = playwright_or_skip().expect


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("modules")
    env = os.environ | {"ASSISTANT_DATABASE_URL": f"sqlite:///{tmp / 't.db'}"}
    ensure_index(env)
    r = run_cli(["staff", "add", USER, "--role", "admin", "--password", PASSWORD], env)
    assert r.returncode == 0, r.stdout + r.stderr
    with uvicorn_server("assistant.web.app:create_app", tmp / "server.log", env=env) as srv:
        yield srv.url


def test_staff_page_loads_only_the_entry_module_and_no_inline_script():
    """staff.html has common.js (classic, for el()) and one module; the rest comes in through imports."""
    html = (STATIC / "staff.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script src="/web/common.js" defer>', '<script src="/web/staff/main.js" type="module">']
    assert "main.js" in MODULES and len(MODULES) > 10


def test_modules_are_served_as_javascript_under_a_self_only_script_policy(server):
    """A module served as text/plain or blocked by the CSP would not run at all."""
    for name in MODULES:
        r = httpx.get(f"{server}/web/staff/{name}", timeout=30)
        assert r.status_code == 200, name
        assert r.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript"), name
    csp = httpx.get(f"{server}/staff/login", timeout=30).headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    assert script_src[0] == "'self'" and "'unsafe-inline'" not in script_src


def console_error(message) -> bool:
    """An error in the console, except the browser's own request for /favicon.ico (the site has none)."""
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


@NEEDS_CHROMIUM
def test_every_view_draws_with_every_module_loaded_and_no_console_error(browser, server):
    """Signed in as an admin, open each view from the nav: its heading appears, every file in
    static/staff/ was fetched (none is left out of the import graph), and the console has no error."""
    ctx = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}, locale="zh-CN")
    problems, fetched = [], set()
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text} at {m.location['url']}") if console_error(m) else None)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: fetched.add(r.url.rsplit("/", 1)[1]) if "/web/staff/" in r.url and r.ok else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        r = ctx.request.post(f"{server}/staff/login", data={"username": USER, "password": PASSWORD})
        assert r.ok, r.text()
        page.goto("/staff")
        expect(page.get_by_test_id("who"), f"the console did not start: {problems}").to_contain_text(USER)
        for view, heading in VIEWS.items():
            page.get_by_test_id(f"nav-{view}").click()
            expect(page.locator("#view h2").first).to_have_text(heading)
            expect(page.get_by_test_id(f"nav-{view}")).to_have_attribute("aria-current", "page")
        assert fetched == set(MODULES), f"not loaded: {set(MODULES) - fetched}"
        assert not problems, problems
    finally:
        ctx.close()
