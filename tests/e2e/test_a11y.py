"""Accessibility: axe-core reports no critical or serious violation on the public chat (empty, after
an answer, with the 不满意 details open), the staff login page and every staff console view, on a phone
(390×844) and a laptop (1366×768).  axe-core comes from npm (tests/axe/package-lock.json)."""
from __future__ import annotations

import re

import pytest

from a11y import assert_accessible, axe_or_skip
from servers import NEEDS_CHROMIUM, TIMEOUT_MS, app_server, ask, playwright_or_skip, sign_in

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect

USER, PASSWORD = "a11y-admin", "a11y-pass-12345"
VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}
STAFF_VIEWS = ("dashboard", "conversations", "bulk", "cases", "handoffs", "gaps", "hit-test", "curated", "staff")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    axe_or_skip()
    with app_server(tmp_path_factory.mktemp("a11y"), {USER: ("admin", PASSWORD)}) as url:
        yield url


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, server):
    errors: list[str] = []
    width, height = VIEWPORTS[request.param]
    # bypass_csp: the page's own Content-Security-Policy forbids the injected axe-core script (as it should)
    ctx = browser.new_context(base_url=server, viewport={"width": width, "height": height}, locale="zh-CN",
                              bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_public_chat_is_accessible(page):
    page.goto("/")
    expect(page.get_by_test_id("chat-input")).to_be_visible()
    assert_accessible(page, "/ (empty)")
    msg = ask(page, "我和女朋友想去领证，要带啥")
    msg.get_by_test_id("citation").first.locator("summary").click()
    assert_accessible(page, "/ after an answer")
    msg.get_by_test_id("rating-btn").filter(has_text=re.compile("^不满意$")).click()
    msg.get_by_test_id("rating-tag").first.click()
    assert_accessible(page, "/ with 不满意 pressed and its details open")
    page.get_by_test_id("chat-input").fill("我的电话13812345678")
    expect(page.get_by_test_id("pii-warning")).to_be_visible()
    assert_accessible(page, "/ with the personal-data warning")


def test_login_and_every_staff_view_are_accessible(page, server):
    # something to show: one answered question with a bad rating (opens a case)
    chat_msg = None
    page.goto("/")
    chat_msg = ask(page, "结婚登记要带什么")
    chat_msg.get_by_test_id("rating-btn").filter(has_text=re.compile("^不满意$")).click()
    chat_msg.get_by_test_id("rating-submit").click()
    expect(chat_msg.get_by_test_id("rating-status")).not_to_be_empty()

    page.goto("/staff/login")
    expect(page.get_by_test_id("login-username")).to_be_visible()
    assert_accessible(page, "/staff/login")
    sign_in(page, USER, PASSWORD)
    for view in STAFF_VIEWS:
        page.get_by_test_id(f"nav-{view}").click()
        expect(page).to_have_url(re.compile(rf"#{view}$"))
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"/staff#{view}")
    # a conversation opened, with its trace
    page.get_by_test_id("nav-conversations").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("conv-row").first
    if row.count():
        row.click()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, "/staff#conversations (one opened)")
        fix = page.get_by_test_id("open-fix").first
        if fix.count():
            fix.click()
            assert_accessible(page, "/staff#conversations (writing a correction)")
