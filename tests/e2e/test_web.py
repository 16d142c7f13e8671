"""Browser tests of the chat page (assistant/web/static/) against the real server.

Runs headless Debian Chromium (/usr/bin/chromium) through the Python
``playwright`` package; never downloads a browser.  The server is started with
uvicorn in a subprocess on a free loopback port, with its own SQLite file.
"""
from __future__ import annotations

import json
import re

import httpx
import pytest

from assistant.store.feedback import PAGE_TAGS
from servers import MSG, NEEDS_CHROMIUM, ROOT, app_server, ask, new_page, playwright_or_skip, reply, watch_modules

SCREENSHOT = "/tmp/web.png"

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect

DONE_MSG = MSG + "[aria-busy=false]"


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("web")) as url:
        for asset in ("/web/chat/main.js", "/web/style.css"):
            r = httpx.get(url + asset, timeout=10)
            assert r.status_code == 200, (
                f"GET {asset} -> {r.status_code}: web/app.py must serve assistant/web/static/ at /web, e.g. "
                'app.mount("/web", StaticFiles(directory=WEB), name="web")')
        yield url


def _new_page(browser, server, width=1280, height=900):
    errors = []
    ctx, page = new_page(browser, server, errors, width, height)
    page.errors = errors
    page.goto("/")
    expect(page.get_by_test_id("chat-input")).to_be_visible()
    return ctx, page


@pytest.fixture
def page(browser, server):
    ctx, pg = _new_page(browser, server)
    yield pg
    errors = list(pg.errors)
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser, server):
    ctx, pg = _new_page(browser, server, width=375, height=812)
    yield pg
    errors = list(pg.errors)
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _api(server, message: str) -> dict:
    r = httpx.post(f"{server}/v1/chat", json={"message": message, "session_id": None, "channel": "web"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def _kind(kind: str) -> re.Pattern:
    return re.compile(rf"(^|\s)kind-{kind}(\s|$)")


def _sse(*events: tuple[str, dict]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events)


# ---------------------------------------------------------------- against the real pipeline

def test_page_shell(page):
    assert "便民方舟" in page.title() and "导办助手" in page.title()
    expect(page.locator("h1")).to_contain_text("便民方舟 导办助手")
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")
    expect(page.locator("label[for=chat-input]")).to_have_count(1)
    chips = page.get_by_test_id("welcome-msg").get_by_test_id("chip")
    expect(chips).to_have_count(3)
    expect(chips.first).to_have_text("我和女朋友想去领证，要带啥")


def test_marriage_question_shows_item_card_and_citations(page, server):
    requests = []
    page.on("request", lambda r: requests.append(r) if r.url.endswith("/v1/chat") else None)
    msg = ask(page, "我和女朋友想去领证，要带啥")

    card = msg.get_by_test_id("item-card").filter(has_text="结婚登记").first
    expect(card).to_be_visible()
    expect(card).to_contain_text("窗口")
    cites = msg.get_by_test_id("citation")
    assert cites.count() >= 1

    # [1] in the answer is a superscript link to citation 1
    ref = msg.locator(".answer sup a[data-cite='1']").first
    expect(ref).to_have_text("[1]")
    first = cites.first
    expect(first).to_have_attribute("data-n", "1")
    expect(first.locator(".citation-text")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator(".citation-text")).to_be_visible()
    assert first.locator(".citation-text").inner_text().strip()
    first.locator("summary").click()  # closes again
    expect(first.locator(".citation-text")).to_be_hidden()
    ref.click()  # the [1] link opens its citation
    expect(first.locator(".citation-text")).to_be_visible()

    # the stream was used, and its final body is what the page shows
    assert requests[0].headers.get("accept") == "text/event-stream"
    body = json.loads(requests[0].post_data)
    assert body == {"message": "我和女朋友想去领证，要带啥", "session_id": None, "channel": "web"}
    sid = page.evaluate("sessionStorage.getItem('daoban.session_id')")
    assert sid

    # a suggestion chip asks the next question in the same session
    chips = msg.get_by_test_id("chip")
    if chips.count():
        n = page.locator(MSG).count()
        text = chips.first.inner_text()
        chips.first.click()
        reply(page, n)
        expect(page.locator("[data-testid=user-msg]").last).to_have_text(text)
        assert json.loads(requests[-1].post_data)["session_id"] == sid


def test_vague_question_matches_api_kind(page, server):
    api = _api(server, "公积金")
    msg = ask(page, "公积金")
    expect(msg).to_have_class(_kind(api["kind"]))
    choices = msg.locator(".chip.choice")
    if api["kind"] != "clarify":
        expect(choices).to_have_count(0)
        return
    assert api["suggestions"], "a clarify answer should offer choices"
    expect(choices).to_have_count(len(api["suggestions"]))
    n = page.locator(MSG).count()
    choices.first.click()
    follow = reply(page, n)
    expect(follow.get_by_test_id("item-card").first).to_be_visible()


def test_weather_question_is_refused(page, server):
    api = _api(server, "明天宿迁天气怎么样")
    msg = ask(page, "明天宿迁天气怎么样", enter=True)
    expect(msg).to_have_class(_kind(api["kind"]))
    assert api["kind"] == "refuse", f"the API answered a weather question with kind={api['kind']!r}"
    expect(msg).to_have_class(_kind("refuse"))


def test_phone_width_has_no_horizontal_scroll(phone):
    expect(phone.get_by_test_id("chat-send")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    msg = ask(phone, "我和女朋友想去领证，要带啥")
    expect(msg.get_by_test_id("item-card").first).to_be_visible()
    msg.get_by_test_id("citation").first.locator("summary").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.evaluate("document.body.scrollWidth") <= 375
    msg.get_by_test_id("item-card").first.scroll_into_view_if_needed()
    phone.screenshot(path=SCREENSHOT)


# ---------------------------------------------------------------- rendering and failure paths (mocked responses)

FAKE = {
    "session_id": "s-fake", "message_id": "m-fake", "kind": "handoff",
    "answer": "第一行 <img src=x onerror=\"window.__xss=1\"> & 继续[1]\n第二行见[2]，[9]不存在。",
    "items": [{"id": "x", "name": "测试事项<b>", "department": "某局", "score": 0.5,
               "location": {"hall": "综合政务大厅", "zone": "一号专区", "windows": ["A01", "A02"], "address": "某地"},
               "hours": "周一至周五", "online": {"available": True, "route": "全程网办：某网", "url": "https://example.org/x"}}],
    "citations": [{"n": 1, "chunk_id": "c1", "doc_id": "d1", "title": "测试指南", "section": "申请材料",
                   "text": "原文一<script>window.__xss=2</script>", "source": "guide", "url": None},
                  {"n": 2, "chunk_id": "c2", "doc_id": "d2", "title": "某法", "section": "第一条",
                   "text": "原文二", "source": "law", "url": "javascript:alert(1)"}],
    "suggestions": ["转人工窗口"],
}


def test_stream_renders_escaped_answer_cards_and_kind(page):
    meta = {k: FAKE[k] for k in ("session_id", "message_id", "kind", "items", "citations", "suggestions")}
    a = FAKE["answer"]
    stream = _sse(("meta", meta), *[("delta", {"text": a[i:i + 7]}) for i in range(0, len(a), 7)], ("done", FAKE))
    page.route("**/v1/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=stream))
    msg = ask(page, "测试")
    expect(msg).to_have_class(_kind("handoff"))
    answer = msg.locator(".answer")
    expect(answer).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert answer.locator("img").count() == 0
    assert "\n" in answer.inner_text()
    expect(answer.locator("a[data-cite]")).to_have_count(2)  # [9] has no citation: stays text
    card = msg.get_by_test_id("item-card")
    expect(card).to_contain_text("测试事项<b>")
    expect(card).to_contain_text("A01、A02")
    expect(card.locator("a[href='https://example.org/x']")).to_have_count(1)
    expect(msg.get_by_test_id("citation")).to_have_count(2)
    expect(msg.get_by_test_id("citation").nth(1).locator("a")).to_have_count(0)  # javascript: URL dropped
    expect(msg.locator(".chip.choice")).to_have_count(0)
    expect(msg.get_by_test_id("chip")).to_have_text(["转人工窗口"])
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("sessionStorage.getItem('daoban.session_id')") == "s-fake"


def test_broken_stream_falls_back_to_json(page):
    seen = []

    def handle(route):
        seen.append(route.request.headers.get("accept", ""))
        if "text/event-stream" in route.request.headers.get("accept", ""):
            route.fulfill(status=200, content_type="text/event-stream", body='event: meta\ndata: {"broken')
        else:
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps(FAKE | {"kind": "clarify", "suggestions": ["选项甲", "选项乙"]}))

    page.route("**/v1/chat", handle)
    msg = ask(page, "测试")
    assert len(seen) == 2 and "text/event-stream" in seen[0] and "text/event-stream" not in seen[1]
    expect(msg).to_have_class(_kind("clarify"))
    expect(msg.locator(".chip.choice")).to_have_text(["选项甲", "选项乙"])
    expect(msg.get_by_test_id("item-card")).to_have_count(1)


def test_error_message_is_shown(page):
    page.route("**/v1/chat", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body=json.dumps({"error": {"code": "invalid_request", "message": "消息 message太长，最多2000个字符"}})))
    msg = ask(page, "测试")
    expect(msg).to_have_class(_kind("error"))
    expect(msg).to_contain_text("消息 message太长")
    page.unroute("**/v1/chat")
    page.route("**/v1/chat", lambda route: route.abort())
    msg = ask(page, "再试一次")
    expect(msg).to_contain_text("网络连接失败")
    expect(page.get_by_test_id("chat-input")).to_be_editable()


# ---------------------------------------------------------------- the page's native ES modules (static/chat/)

STATIC = ROOT / "assistant" / "web" / "static"
MODULES = sorted(p.name for p in (STATIC / "chat").glob("*.js"))


def test_chat_page_loads_only_the_entry_module_and_no_inline_script():
    """index.html has common.js (classic, for el()) and one module; the rest comes in through imports."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script src="/web/common.js" defer>', '<script src="/web/chat/main.js" type="module">']
    assert "main.js" in MODULES and len(MODULES) > 5


def test_chat_page_preloads_every_module_so_a_quick_tap_does_not_reload_the_page():
    """Each import level would cost a round trip before main.js runs, and until it has run 发送 submits the
    bare form (the page reloads, the question is lost).  So index.html names every other module with
    <link rel="modulepreload">: all are fetched at once, with main.js."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    preloaded = re.findall(r'<link rel="modulepreload" href="/web/chat/([\w.]+)">', html)
    assert sorted(preloaded + ["main.js"]) == MODULES


def test_chat_modules_are_served_as_javascript_under_a_self_only_script_policy(server):
    """A module served as text/plain or blocked by the CSP would not run at all."""
    for name in MODULES:
        r = httpx.get(f"{server}/web/chat/{name}", timeout=30)
        assert r.status_code == 200, name
        assert r.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript"), name
    script_src = re.search(r"script-src ([^;]*)", httpx.get(server + "/", timeout=30).headers["content-security-policy"])
    assert script_src.group(1).split()[0] == "'self'" and "'unsafe-inline'" not in script_src.group(1)


def test_every_chat_module_is_loaded_and_an_answer_draws_with_no_console_error(browser, server):
    """Open the page and get a (mocked, streamed) answer with its 好差评 bar: every file in static/chat/ was
    fetched (none is left out of the import graph), 不满意 offers the server's tags, and nothing failed."""
    ctx = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    problems, fetched = watch_modules(page, "/web/chat/")
    body = FAKE | {"kind": "guide"}
    meta = {k: body[k] for k in ("session_id", "message_id", "kind", "items", "citations", "suggestions")}
    stream = _sse(("meta", meta), ("delta", {"text": body["answer"]}), ("done", body))
    page.route("**/v1/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=stream))
    try:
        page.goto("/")  # waits for the load event: every module has been fetched and run (or failed) by then
        assert not problems, f"the page did not start: {problems}"
        msg = ask(page, "结婚登记要带什么")
        expect(msg.get_by_test_id("item-card")).to_have_count(1)
        msg.get_by_test_id("rating-btn").filter(has_text="非常不满意").click()
        expect(msg.get_by_test_id("rating-detail")).to_be_visible()
        expect(msg.get_by_test_id("rating-tag")).to_have_text(PAGE_TAGS)
        assert fetched == set(MODULES), f"not loaded: {set(MODULES) - fetched}"
        assert not problems, problems
    finally:
        ctx.close()
