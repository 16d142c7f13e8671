"""Browser tests of the staff console (/staff, native ES modules) and the 好差评 buttons, against the real server.

Headless Debian Chromium (/usr/bin/chromium) through the Python ``playwright`` package; never
downloads a browser.  The server runs with uvicorn in a subprocess on a free loopback port with
its own SQLite file; the staff account is created with the CLI (`assistant staff add`).
"""
from __future__ import annotations

import os
import re
import subprocess

import httpx
import pytest

from servers import NEEDS_CHROMIUM, ROOT, app_server, ask, new_page, playwright_or_skip, watch_modules

USER, PASSWORD = "daoban", "console-pass-1"
QUESTION = "结婚登记要带什么"
FIX = "（人工更正）结婚登记请双方带本人身份证和3张2寸近期半身免冠合照，不再需要户口簿。"
SHOTS = {"dashboard": "/tmp/staff-dashboard.png", "console": "/tmp/staff-console.png",
         "cases": "/tmp/staff-cases.png", "hit": "/tmp/staff-hit-test.png", "chat": "/tmp/staff-chat-curated.png"}
UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "请先登录"}}

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("staffweb"), {USER: ("admin", PASSWORD)}) as url:
        yield url


class Pages:
    """New browser contexts (separate cookie jars) that fail the test on JavaScript errors."""

    def __init__(self, browser, server):
        self.browser, self.server, self.contexts, self.errors = browser, server, [], []

    def new(self, path: str, width: int = 1360, height: int = 900):
        ctx, page = new_page(self.browser, self.server, self.errors, width, height)
        self.contexts.append(ctx)
        page.goto(path)
        return page


@pytest.fixture
def pages(browser, server):
    p = Pages(browser, server)
    yield p
    for ctx in p.contexts:
        ctx.close()
    assert not p.errors, f"JavaScript errors on the page: {p.errors}"


def _sign_in(pages: Pages):
    page = pages.new("/staff")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.get_by_test_id("login-username").fill(USER)
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码不正确")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    expect(page.get_by_test_id("who")).to_contain_text(USER)
    return page


# ---------------------------------------------------------------- tests

def test_anonymous_requests_to_every_staff_route_get_401(server):
    spec = httpx.get(f"{server}/openapi.json", timeout=30).json()
    routes = [(m.upper(), p) for p, ops in spec["paths"].items() if p.startswith("/staff/api") for m in ops]
    assert len(routes) >= 15 and ("GET", "/staff/api/conversations") in routes and ("GET", "/staff/api/cases") in routes
    for method, path in routes:
        url = server + re.sub(r"\{[^}]+\}", "x", path)
        for cookies in ({}, {"daoban_staff": "forged.token"}):
            r = httpx.request(method, url, json={}, cookies=cookies, timeout=30)
            assert r.status_code == 401 and r.json() == UNAUTHORIZED, (method, path, r.status_code, r.text)
    r = httpx.get(f"{server}/staff", follow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"


def test_rate_sign_in_correct_and_the_next_identical_question_gets_the_correction(pages, server):
    # 1. someone asks on the public chat and rates the answer 不满意 with a tag and a comment
    chat = pages.new("/")
    msg = ask(chat, QUESTION)
    assert "【人工审核】" not in msg.locator(".answer").inner_text()
    bar = msg.get_by_test_id("rating-bar")
    expect(bar.get_by_test_id("rating-btn")).to_have_text(["非常满意", "满意", "基本满意", "不满意", "非常不满意"])
    expect(chat.get_by_test_id("welcome-msg").get_by_test_id("rating-bar")).to_have_count(0)
    bar.get_by_test_id("rating-btn").filter(has_text=re.compile("^不满意$")).click()
    expect(bar.get_by_test_id("rating-detail")).to_be_visible()
    bar.get_by_test_id("rating-tag").filter(has_text="信息有误").click()
    bar.get_by_test_id("rating-text").fill("户口簿已经不需要了")
    bar.get_by_test_id("rating-submit").click()
    expect(bar.get_by_test_id("rating-status")).to_contain_text("工作人员复核")  # no number left: no call promised

    # 2. a guide signs in to the console: the dashboard has charts
    staff = _sign_in(pages)
    expect(staff.get_by_test_id("kpi-questions")).to_contain_text("1")
    expect(staff.locator(".chart-per-day svg")).to_be_visible()
    expect(staff.locator(".chart-ratings svg").first).to_be_visible()
    expect(staff.locator("#overdue-badge")).to_be_hidden()
    staff.screenshot(path=SHOTS["dashboard"], full_page=True)

    # 3. the bad rating opened a case, not yet overdue
    staff.get_by_test_id("nav-cases").click()
    case = staff.get_by_test_id("case").first
    expect(case).to_contain_text(QUESTION)
    expect(case).to_contain_text("待回访")
    expect(case).to_contain_text("信息有误")
    expect(case).to_have_attribute("data-overdue", "false")
    case.get_by_test_id("case-claim").click()
    expect(staff.get_by_test_id("case").first).to_contain_text(f"负责人：{USER}")
    staff.screenshot(path=SHOTS["cases"], full_page=True)

    # 4. open the conversation: the answer with its trace
    staff.get_by_test_id("nav-conversations").click()
    row = staff.get_by_test_id("conv-row").filter(has_text=QUESTION).first
    expect(row).to_contain_text("不满意")
    row.click()
    turn = staff.get_by_test_id("turn").first
    expect(turn).to_contain_text(QUESTION)
    expect(turn.get_by_test_id("turn-rating")).to_contain_text("不满意")
    turn.get_by_test_id("trace").locator("summary").click()
    expect(turn.get_by_test_id("trace-retrieved")).to_be_visible()
    expect(turn.get_by_test_id("trace-retrieved").locator("tbody tr").first).to_be_visible()
    expect(turn.get_by_test_id("trace-citation").first).to_be_visible()
    expect(turn.get_by_test_id("trace")).to_contain_text("guide: 结婚登记")

    # 5. correct it: the item, the citations it should use, the corrected answer
    turn.get_by_test_id("open-fix").click()
    form = turn.get_by_test_id("fix-form")
    expect(form.get_by_test_id("fix-question")).to_have_value(QUESTION)
    expect(form.get_by_test_id("fix-item")).to_have_value("marriage-registration")
    materials = form.locator("input[data-testid=fix-cite][value='guide/marriage-registration#materials']")
    materials.check()
    form.get_by_test_id("fix-answer").fill(FIX)
    form.get_by_test_id("fix-reason").fill("户口簿已不需要")
    # before publishing: the past questions it would catch (the conversation's own question among them)
    form.get_by_test_id("fix-preview").click()
    expect(form.get_by_test_id("fix-catches-status")).to_contain_text("这条更正会回答")
    expect(form.get_by_test_id("fix-catch").filter(has_text=QUESTION)).to_have_count(1)
    form.get_by_test_id("fix-save").click()
    expect(staff.get_by_test_id("toast")).to_contain_text("立即生效")
    turn = staff.get_by_test_id("turn").first
    expect(turn.get_by_test_id("curated-entry")).to_contain_text(FIX)
    expect(turn.get_by_test_id("review")).to_contain_text("有误")
    staff.screenshot(path=SHOTS["console"], full_page=True)

    # 6. the next identical question on the public chat gets the corrected answer, marked 人工审核
    again = ask(chat, QUESTION)
    answer = again.locator(".answer")
    expect(answer).to_contain_text("【人工审核】" + FIX)
    expect(answer.locator("strong.sec").first).to_have_text("【人工审核】")
    expect(again.get_by_test_id("citation").first).to_contain_text("申请材料")
    expect(again.get_by_test_id("item-card").first).to_contain_text("结婚登记")
    chat.screenshot(path=SHOTS["chat"], full_page=False)
    # ... and so does a fresh visitor asking the same thing a little differently
    body = httpx.post(f"{server}/v1/chat", json={"message": "结婚登记需要带什么材料", "channel": "miniprogram"},
                      timeout=60).json()
    assert body["answer"].startswith("【人工审核】" + FIX)
    # three paraphrases on the public chat get it too; a question about another item does not
    for paraphrase in ("我和女朋友想去领证，要带啥", "领结婚证需要准备哪些材料", "我们俩打算登记结婚，得带什么东西"):
        fresh = pages.new("/")
        expect(ask(fresh, paraphrase).locator(".answer")).to_contain_text("【人工审核】" + FIX)
    other = ask(pages.new("/"), "离婚登记要带什么材料")
    expect(other.locator(".answer")).not_to_contain_text("【人工审核】")

    # 7. the hit test shows the curated outcome and the fused scores
    staff.get_by_test_id("nav-hit-test").click()
    staff.get_by_test_id("ht-q").fill(QUESTION)
    staff.get_by_test_id("ht-run").click()
    expect(staff.get_by_test_id("ht-decision")).to_contain_text("curated")
    expect(staff.get_by_test_id("ht-results").locator("tbody tr").first).to_be_visible()
    staff.get_by_test_id("batch-text").fill(f"{QUESTION}\t结婚登记\n明天宿迁天气怎么样\t拒答")
    staff.get_by_test_id("batch-run").click()
    expect(staff.get_by_test_id("batch-rate")).to_contain_text("100%")
    staff.screenshot(path=SHOTS["hit"], full_page=True)

    # 8. the dashboard counts the curated answer and the channels
    staff.get_by_test_id("nav-dashboard").click()
    expect(staff.get_by_test_id("kpi-curated")).to_contain_text("1 / ")
    expect(staff.locator(".chart-channels")).to_contain_text("小程序")


def test_sign_out_ends_the_session(pages):
    staff = _sign_in(pages)
    staff.get_by_test_id("logout").click()
    expect(staff).to_have_url(re.compile(r"/staff/login$"))
    r = staff.request.get("/staff/api/me")
    assert r.status == 401
    staff.goto("/staff")
    expect(staff).to_have_url(re.compile(r"/staff/login$"))


# ---------------------------------------------------------------- the console's native ES modules (static/staff/)
# A module that fails to import (a 404, a misspelt export, a syntax error) raises no page error: the
# browser only logs "Failed to load module script" or a SyntaxError to the console, and the console stays
# blank.  So these tests watch the console, failed requests and page errors, and open every view.

STATIC = ROOT / "assistant" / "web" / "static"
MODULES = sorted(p.name for p in (STATIC / "staff").glob("*.js"))
# every view of the nav, with the heading it draws (staff.html's data-view → the first h2 of #view)
VIEWS = {"dashboard": "看板", "conversations": "会话记录", "bulk": "批量核对", "cases": "差评工单", "handoffs": "转人工",
         "gaps": "缺口", "hit-test": "命中测试", "curated": "人工审核答案", "kb": "办事指南编辑与发布", "staff": "工作人员"}


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


def test_every_view_draws_with_every_module_loaded_and_no_console_error(browser, server):
    """Signed in as an admin, open each view from the nav: its heading appears, every file in
    static/staff/ was fetched (none is left out of the import graph), and the console has no error."""
    ctx = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    problems, fetched = watch_modules(page, "/web/staff/")
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


def test_a_view_answered_after_the_user_moved_on_does_not_draw_over_the_new_one(browser, server):
    """差评工单 waits on /cases and /callbacks: /callbacks held back until the user has opened 转人工 must not
    bring 差评工单 back over it (on a loaded CI machine it did)."""
    ctx = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    held = []
    page.route("**/staff/api/callbacks", lambda route: held.append(route))
    try:
        assert ctx.request.post(f"{server}/staff/login", data={"username": USER, "password": PASSWORD}).ok
        page.goto("/staff#cases")
        expect(page.locator("#view h2").first).to_have_text("差评工单")
        page.wait_for_timeout(200)
        page.get_by_test_id("nav-handoffs").click()
        expect(page.locator("#view h2").first).to_have_text("转人工")
        assert held, "the case list did not ask for /callbacks"
        for route in held:
            route.continue_()
        page.wait_for_timeout(500)  # the held answers come back and are dropped
        expect(page.locator("#view h2").first).to_have_text("转人工")
        expect(page.locator("#view h2")).to_have_count(1)
    finally:
        ctx.close()


# ---------------------------------------------------------------- the mini-program's own code (miniprogram/utils)

WX_SHIM = """
const __store = {};
global.wx = {
  request({ url, method, data, header, success, fail }) {
    fetch(url, { method, headers: header, body: data === undefined ? undefined : JSON.stringify(data) })
      .then(async (r) => { const t = await r.text(); let d; try { d = JSON.parse(t); } catch (e) { d = t; }
                           success({ statusCode: r.status, data: d }); })
      .catch(fail);
  },
  getStorageSync: (k) => __store[k] || '',
  setStorageSync: (k, v) => { __store[k] = v; },
  removeStorageSync: (k) => { delete __store[k]; },
};
"""
WX_DRIVER = """
require(process.env.MP + '/config.js').baseUrl = process.env.SERVER;
const api = require(process.env.MP + '/utils/api.js');
const { segments, place } = require(process.env.MP + '/utils/text.js');
(async () => {
  const a = await api.chat('结婚登记要带什么', null);
  wx.setStorageSync('daoban.session_id', a.session_id);
  const b = await api.chat('在哪个窗口', a.session_id);
  const r = await api.feedback(a.message_id, a.rating_token, '不满意');
  let err = null;
  try { await api.feedback('no-such-answer', 'no-token', '满意'); } catch (e) { err = e.message; }
  let bad = null;
  try { await api.feedback(a.message_id, a.rating_token, '还行'); } catch (e) { bad = e.message; }
  console.log(JSON.stringify({ a, b, r, err, bad, segs: segments(a.answer, a.citations), place: place(a.items[0]),
                               sid: __store['daoban.session_id'] }));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_miniprogram_code_works_against_the_server(server, tmp_path):
    """miniprogram/utils (the code the mini-program runs) under node, against the live server."""
    import json
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run the mini-program's code")
    script = tmp_path / "mp_test.js"
    script.write_text(WX_SHIM + WX_DRIVER, encoding="utf-8")
    env = os.environ | {"MP": str(ROOT / "miniprogram"), "SERVER": server}
    r = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    a, b = out["a"], out["b"]
    assert a["kind"] == "guide" and a["items"][0]["name"] == "结婚登记" and "窗口" in out["place"]
    assert any(s["type"] == "cite" for s in out["segs"]) and "".join(s["text"] for s in out["segs"]) == a["answer"]
    assert b["items"] and b["items"][0]["name"] == "结婚登记"  # the follow-up stayed in the conversation
    assert out["r"]["follow_up"] is True and "复核" in out["r"]["message"]
    assert "没有找到这条回答" in out["err"] and "评价等级" in out["bad"]
    # the dashboard tells this door apart
    with httpx.Client(base_url=server, timeout=60) as staff:
        assert staff.post("/staff/login", json={"username": USER, "password": PASSWORD}).status_code == 200
        convs = staff.get("/staff/api/conversations", params={"channel": "miniprogram"}).json()["conversations"]
        assert out["sid"] in {c["id"] for c in convs}
        assert any(c["channel"] == "miniprogram" for c in staff.get("/staff/api/dashboard").json()["channels"])
