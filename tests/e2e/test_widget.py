"""The embeddable widget on a page from another origin, in headless Debian Chromium: the allowed host
opens the chat, asks and gets an answer with citations; a host not on the allow-list gets a blocked
frame.  Also: 转人工 on the web page shows tap-to-call numbers and the staff reply when it comes, and a
不满意 with a consented number promises a call (and without one, does not)."""
from __future__ import annotations

import re
import threading
from types import SimpleNamespace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography.fernet import Fernet

from servers import NEEDS_CHROMIUM, TIMEOUT_MS, app_server, ask, new_page, playwright_or_skip

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect


class HostSite:
    """A government website on its own origin (127.0.0.1:<port>) whose page carries the one script line."""

    def __init__(self):
        self.script = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>宿迁市人民政府</title>"
                        f"<style>button{{background:red!important}} div{{font-size:40px}}</style></head>"
                        f"<body><h1>宿迁市人民政府门户网站</h1>{site.script}</body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sites():
    allowed, other = HostSite(), HostSite()
    yield allowed, other
    allowed.close()
    other.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sites):
    tmp = tmp_path_factory.mktemp("widget")
    with app_server(tmp, embed_origins=[sites[0].url], callback_key=Fernet.generate_key().decode()) as url:
        script = f'<script src="{url}/widget.js" data-label="导办" async></script>'
        for s in sites:
            s.script = script
        yield SimpleNamespace(url=url, db=f"sqlite:///{tmp / 't.db'}")


def _page(browser, url):
    errors: list[str] = []
    ctx, page = new_page(browser, url, errors, 1280, 900)
    page.errors = errors
    return ctx, page


def test_headers_follow_the_allow_list(server, sites):
    allowed, other = sites
    csp = httpx.get(server.url + "/", timeout=10).headers["content-security-policy"]
    ancestors = [d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors")]
    assert ancestors == [f"frame-ancestors 'self' {allowed.url}"]  # exactly one, from ASSISTANT_EMBED_ORIGINS
    assert "default-src 'self'" in csp and "script-src 'self'" in csp  # the guard's full policy stays
    js = httpx.get(server.url + "/widget.js", timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "便民方舟" in js.text and "#1557a0" in js.text  # name and colour from centre.yaml
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = httpx.options(server.url + "/v1/chat", headers={"Origin": allowed.url} | pre, timeout=10)
    assert ok.headers.get("access-control-allow-origin") == allowed.url
    no = httpx.options(server.url + "/v1/chat", headers={"Origin": other.url} | pre, timeout=10)
    assert "access-control-allow-origin" not in no.headers


def test_widget_on_an_allowed_site_answers_with_citations(browser, server, sites):
    ctx, page = _page(browser, sites[0].url)
    page.goto("/")
    button = page.get_by_test_id("widget-open")
    expect(button).to_have_text("导办")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(21, 87, 160)"  # host CSS kept out
    button.click()
    expect(page.get_by_role("dialog", name="便民方舟导办助手")).to_be_visible()
    frame = page.frame_locator("#daoban-widget iframe")
    expect(frame.get_by_test_id("chat-input")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.locator("#daoban-widget iframe").get_attribute("sandbox").startswith("allow-scripts allow-same-origin")
    msg = ask(frame, "结婚登记要带什么")
    expect(msg.get_by_test_id("item-card").first).to_be_visible()
    expect(msg.get_by_test_id("citation").first).to_be_visible()
    assert re.search(r"\[\d+\]", msg.locator(".answer").inner_text())
    page.screenshot(path="/tmp/widget.png")
    ctx.close()
    assert not page.errors, page.errors


def test_a_site_not_on_the_allow_list_cannot_frame_the_chat(browser, server, sites):
    ctx, page = _page(browser, sites[1].url)
    page.goto("/")
    page.get_by_test_id("widget-open").click()
    page.wait_for_function("() => { const f = document.querySelector('#daoban-widget').shadowRoot.querySelector('iframe');"
                           " return f !== null; }")
    blocked = None
    for _ in range(100):  # the frame commits Chromium's error page instead of the chat
        frames = [f for f in page.frames if f is not page.main_frame]
        if frames and frames[0].url.startswith("chrome-error://"):
            blocked = frames[0]
            break
        page.wait_for_timeout(100)
    assert blocked is not None, [f.url for f in page.frames]
    expect(page.frame_locator("#daoban-widget iframe").get_by_test_id("chat-input")).to_have_count(0)
    ctx.close()


STAFF, PASSWORD = "guide1", "s3cret-pass"


@pytest.fixture(scope="module")
def staff_account(server):
    from sqlalchemy import create_engine

    from assistant.web.staff.console import StaffStore

    StaffStore(create_engine(server.db)).add(STAFF, PASSWORD, "guide")  # the server reads the same database


def _console(browser, server):
    ctx, page = _page(browser, server.url)
    page.goto("/staff/login")
    page.get_by_test_id("login-username").fill(STAFF)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("who")).to_contain_text(STAFF)
    return ctx, page


def test_handoff_numbers_are_tap_to_call_and_a_reply_from_the_console_appears(browser, server, staff_account):
    ctx, page = _page(browser, server.url)
    page.goto("/")
    msg = ask(page, "转人工")
    tel = msg.get_by_test_id("tel-link")
    expect(tel.first).to_be_visible()
    assert {tel.nth(i).get_attribute("href") for i in range(tel.count())} & {"tel:12345", "tel:0527-80000000"}

    sctx, staff = _console(browser, server)
    staff.get_by_test_id("nav-handoffs").click()
    expect(staff.get_by_test_id("handoff").first).to_contain_text("转人工")
    staff.get_by_test_id("handoff-open").first.click()
    staff.get_by_test_id("handoff-text").fill("您好，我是导办员，请问您要办什么事？也可以拨打0527-80000000。")
    staff.get_by_test_id("handoff-send").click()
    expect(staff.get_by_test_id("handoff-reply")).to_contain_text("我是导办员")

    staff_msg = page.get_by_test_id("staff-msg")
    expect(staff_msg).to_contain_text("我是导办员", timeout=20_000)
    expect(staff_msg.get_by_test_id("tel-link")).to_have_attribute("href", "tel:0527-80000000")
    for c, p in ((ctx, page), (sctx, staff)):
        c.close()
        assert not p.errors, p.errors


def test_bad_rating_with_and_without_a_number(browser, server, staff_account):
    ctx, page = _page(browser, server.url)
    page.goto("/")
    for with_number in (False, True):
        msg = ask(page, "结婚登记要带什么" if not with_number else "公积金租房能取吗")
        bar = msg.get_by_test_id("rating-bar")
        bar.get_by_test_id("rating-btn").filter(has_text=re.compile("^不满意$")).click()
        expect(bar.get_by_test_id("callback")).to_be_visible()
        expect(bar.get_by_test_id("callback")).to_contain_text("办结后号码即删除")
        if with_number:
            bar.get_by_test_id("callback-phone").fill("13912345678")
            bar.get_by_test_id("rating-submit").click()
            expect(bar.get_by_test_id("rating-status")).to_contain_text("勾选同意")  # no consent, nothing sent
            bar.get_by_test_id("callback-consent").check()
        bar.get_by_test_id("rating-submit").click()
        status = bar.get_by_test_id("rating-status")
        if with_number:
            expect(status).to_contain_text("1个工作日内")
        else:
            expect(status).to_contain_text("工作人员复核")
            assert "回访" not in status.inner_text() and "联系" not in status.inner_text()

    # the staff member who claims the case sees the number; once closed it is gone
    sctx, staff = _console(browser, server)
    staff.get_by_test_id("nav-cases").click()
    case = staff.get_by_test_id("case").filter(has_text="公积金租房能取吗")
    expect(case.get_by_test_id("callback-show")).to_be_visible()
    expect(staff.get_by_test_id("case").filter(has_text="结婚登记要带什么").get_by_test_id("callback-show")).to_have_count(0)
    case.get_by_test_id("case-claim").click()
    case = staff.get_by_test_id("case").filter(has_text="公积金租房能取吗")
    expect(case).to_contain_text(f"负责人：{STAFF}")
    case.get_by_test_id("callback-show").click()
    expect(case.get_by_test_id("callback-phone")).to_have_text("13912345678")
    case_id = case.get_attribute("data-case-id")
    case.locator(f"#case-status-{case_id}").select_option("已办结")
    case.get_by_test_id("case-save").click()
    closed = staff.locator(f"[data-case-id='{case_id}']")
    expect(closed).to_contain_text("已办结")
    expect(closed.get_by_test_id("callback-show")).to_have_count(0)
    assert staff.request.get(f"/staff/api/cases/{case_id}/callback").status == 404
    for c, p in ((ctx, page), (sctx, staff)):
        c.close()
        assert not p.errors, p.errors
