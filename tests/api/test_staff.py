"""Staff console API (/staff/api/*): sign-in, the log with traces, corrections that take
effect at once, hit test, gaps, dashboard and accounts — against the real pipeline."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant.store.curated import CuratedStore
from assistant.core.text.normalize import normalize
from assistant.store.conversations import SessionStore
from assistant.web.staff.console import COOKIE, StaffStore, check_password, hash_password

UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "请先登录"}}
PASSWORD = "s3cret-pass"
CLOCK_START = datetime(2026, 3, 4, 2, 0)  # Wednesday 10:00 in Suqian (UTC+8): the `clock` fixture (conftest.py)


@pytest.fixture()
def app(staff_app):
    return staff_app("staff.db", PASSWORD, {"guide1": "guide", "admin1": "admin"})


@pytest.fixture()
def anon(app):
    with TestClient(app) as c:
        yield c


def _login(c: TestClient, user: str = "guide1") -> TestClient:
    r = c.post("/staff/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


@pytest.fixture()
def staff(app):
    with TestClient(app) as c:
        yield _login(c)


@pytest.fixture()
def admin(app):
    with TestClient(app) as c:
        yield _login(c, "admin1")


def _chat(c: TestClient, message: str, channel: str | None = "web", session_id: str | None = None) -> dict:
    r = c.post("/v1/chat", json={"message": message, "session_id": session_id, "channel": channel})
    assert r.status_code == 200, r.text
    return r.json()


def _all_routes(app):
    """(path, methods) of every route, including those of included routers."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI includes routers lazily
    except ImportError:  # pragma: no cover - older FastAPI flattens them into app.routes
        return [(r.path, r.methods) for r in app.routes if isinstance(r, APIRoute)]
    return [(r.path, r.methods) for r in iter_route_contexts(app.routes) if r.methods]


def staff_api_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of the app under /staff/api — a new route is covered automatically."""
    out = []
    for path, methods in _all_routes(app):
        if path and path.startswith("/staff/api"):
            for method in sorted(set(methods) - {"HEAD", "OPTIONS"}):
                out.append((method, path))
    return out


# ---------------------------------------------------------------- sign-in

def test_every_staff_api_route_needs_sign_in(app, anon):
    routes = staff_api_routes(app)
    paths = {p for _, p in routes}
    assert len(routes) >= 15
    assert {"/staff/api/conversations", "/staff/api/conversations/{conversation_id}", "/staff/api/cases",
            "/staff/api/hit-test", "/staff/api/gaps", "/staff/api/dashboard", "/staff/api/curated"} <= paths
    forged = app.state.staff.issue(app.state.staff.get("admin1")).rsplit(".", 1)[0] + ".forged"
    for method, path in routes:
        url = path.replace("{", "").replace("}", "")  # any value: the sign-in check comes first
        for cookies in ({}, {COOKIE: forged}, {COOKIE: "garbage"}):
            anon.cookies.clear()
            for k, v in cookies.items():
                anon.cookies.set(k, v)
            r = anon.request(method, url, json={})
            assert r.status_code == 401, (method, path, cookies, r.text)
            assert r.json() == UNAUTHORIZED, (method, path)
    anon.cookies.clear()


def test_pages_redirect_to_sign_in(anon):
    r = anon.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    r = anon.get("/staff/login")
    assert r.status_code == 200 and "登录" in r.text
    _login(anon)
    assert anon.get("/staff/login", follow_redirects=False).headers["location"] == "/staff"
    r = anon.get("/staff")
    assert r.status_code == 200 and "导办工作台" in r.text


def test_cookie_is_signed_httponly_lax_and_secure_over_https(app):
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/staff/login", json={"username": "guide1", "password": PASSWORD})
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        low = cookie.lower()
        assert "httponly" in low and "samesite=lax" in low and "secure" in low and "path=/staff" in low
        assert PASSWORD not in cookie
        assert c.get("/staff/api/me").json()["username"] == "guide1"
        c.post("/staff/logout", json={})
        assert c.get("/staff/api/me").status_code == 401


def test_sign_in_works_without_javascript(anon):
    r = anon.post("/staff/login", data={"username": "guide1", "password": "nope"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?error=1"
    r = anon.post("/staff/login", data={"username": "guide1", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    r = anon.get("/staff/api/me")
    assert r.status_code == 200 and r.json()["role"] == "guide" and r.headers["cache-control"] == "no-store"
    r = anon.post("/staff/logout", follow_redirects=False)
    assert r.status_code == 303 and anon.get("/staff/api/me").status_code == 401


def test_bad_password_is_refused_and_repeated_failures_are_throttled(anon):
    r = anon.post("/staff/login", json={"username": "guide1", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["error"]["message"] == "用户名或密码不正确"
    assert anon.post("/staff/login", json={"username": "nobody", "password": "x"}).status_code == 401
    for _ in range(4):
        anon.post("/staff/login", json={"username": "guide1", "password": "wrong-password"})
    r = anon.post("/staff/login", json={"username": "guide1", "password": PASSWORD})
    assert r.status_code == 429 and "次数过多" in r.json()["error"]["message"]


def test_password_change_and_disabling_end_sessions(app, staff):
    assert staff.get("/staff/api/me").status_code == 200
    app.state.staff.update("guide1", password="another-pass")
    assert staff.get("/staff/api/me").status_code == 401
    _login_ok = staff.post("/staff/login", json={"username": "guide1", "password": "another-pass"})
    assert _login_ok.status_code == 200
    app.state.staff.update("guide1", active=False)
    assert staff.get("/staff/api/me").status_code == 401


def test_cross_site_writes_are_refused(staff):
    r = staff.post("/staff/api/hit-test", json={"text": "结婚登记要带什么"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = staff.post("/staff/api/hit-test", json={"text": "结婚登记要带什么"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200


def test_password_hashes_are_salted_argon2id():  # old scrypt hashes are re-hashed at sign-in
    a, b = hash_password("same-password"), hash_password("same-password")
    assert a != b and a.startswith("$argon2id$")
    assert check_password("same-password", a) and not check_password("other", a)


def test_roles_only_admins_manage_accounts(staff, admin):
    r = staff.post("/staff/api/staff", json={"username": "new1", "password": "long-enough", "role": "guide"})
    assert r.status_code == 403 and r.json()["error"]["message"] == "需要管理员权限"
    r = admin.post("/staff/api/staff", json={"username": "new1", "password": "long-enough", "role": "guide"})
    assert r.status_code == 201 and r.json()["role"] == "guide"
    assert admin.post("/staff/api/staff", json={"username": "new1", "password": "long-enough"}).status_code == 422
    assert admin.post("/staff/api/staff", json={"username": "new2", "password": "short"}).status_code == 422
    names = [u["username"] for u in staff.get("/staff/api/staff").json()["staff"]]
    assert names == ["guide1", "admin1", "new1"]
    assert admin.post("/staff/api/staff/admin1", json={"active": False}).status_code == 422  # not oneself


def test_cli_staff_add_creates_an_account(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app as cli

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    runner = CliRunner()
    r = runner.invoke(cli, ["staff", "add", "wang", "--role", "admin", "--password", "long-password"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["staff", "add", "li"], input="pw-from-prompt\npw-from-prompt\n")
    assert r.exit_code == 0, r.output
    assert runner.invoke(cli, ["staff", "add", "zhao", "--role", "boss", "--password", "long-password"]).exit_code == 1
    accounts = StaffStore(SessionStore(url).engine)
    assert accounts.get("wang").role == "admin" and accounts.get("li").role == "guide"
    assert accounts.verify("li", "pw-from-prompt") is not None
    assert accounts.get("zhao") is None


# ---------------------------------------------------------------- conversation log

def test_log_filters_and_a_conversation_with_its_trace(staff):
    a = _chat(staff, "结婚登记要带什么", "web")
    _chat(staff, "在哪个窗口办", "web", a["session_id"])
    b = _chat(staff, "公积金租房能取吗", "miniprogram")
    w = _chat(staff, "明天宿迁天气怎么样", "wechat")
    assert w["kind"] == "refuse"
    staff.post("/v1/feedback", json={"message_id": b["message_id"], "rating_token": b["rating_token"], "rating": "不满意"})

    def ids(**params) -> set[str]:
        r = staff.get("/staff/api/conversations", params=params)
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["conversations"]}

    assert ids() == {a["session_id"], b["session_id"], w["session_id"]}
    assert ids(channel="miniprogram") == {b["session_id"]}
    assert ids(kind="refuse") == {w["session_id"]}
    assert ids(item="marriage-registration") == {a["session_id"]}
    assert ids(item="结婚登记") == {a["session_id"]}
    assert ids(rating="bad") == {b["session_id"]}
    assert ids(rating="unrated") == {a["session_id"], w["session_id"]}
    assert ids(q="天气") == {w["session_id"]}
    assert ids(start="2026-03-05", end="2026-03-06") == set()
    assert ids(start="2026-03-04", end="2026-03-04") == {a["session_id"], b["session_id"], w["session_id"]}
    assert staff.get("/staff/api/conversations", params={"start": "2026-03-05", "end": "2026-03-01"}).status_code == 422

    row = next(c for c in staff.get("/staff/api/conversations").json()["conversations"] if c["id"] == a["session_id"])
    assert row["turns"] == 2 and row["questions"][0] == "结婚登记要带什么" and row["channel"] == "web"

    conv = staff.get(f"/staff/api/conversations/{a['session_id']}").json()
    assert [t["question"] for t in conv["turns"]] == ["结婚登记要带什么", "在哪个窗口办"]
    t = conv["turns"][0]
    assert t["id"] == a["message_id"] and t["kind"] == a["kind"] and t["item_ids"] == ["marriage-registration"]
    trace = t["trace"]
    assert trace["decision"].startswith("guide") and trace["normalized"] == "结婚登记要带什么"
    assert trace["retrieved"] and {"chunk_id", "bm25", "dense", "score"} <= set(trace["retrieved"][0])
    assert [c["chunk_id"] for c in t["citations"]] == [c["chunk_id"] for c in a["citations"]]
    assert t["citations"][0]["text"] and t["citations"][0]["n"] == 1
    assert "rule:followup-rewrite" in conv["turns"][1]["trace"]["rules"]  # the rewrite is visible
    assert "结婚登记" in conv["turns"][1]["trace"]["query"]
    assert staff.get("/staff/api/conversations/nope").status_code == 404


def test_review_marks_an_answer_with_a_reason(staff):
    a = _chat(staff, "结婚登记要带什么")
    url = f"/staff/api/messages/{a['message_id']}/review"
    r = staff.post(url, json={"verdict": "wrong", "reason": ""})
    assert r.status_code == 422 and "理由" in r.json()["error"]["message"]
    assert staff.post(url, json={"verdict": "maybe"}).status_code == 422
    assert staff.post(url, json={"verdict": "correct"}).status_code == 200
    assert staff.post("/staff/api/messages/nope/review", json={"verdict": "correct"}).status_code == 404
    turn = staff.get(f"/staff/api/conversations/{a['session_id']}").json()["turns"][0]
    assert turn["reviews"] == [{"verdict": "correct", "reason": "", "staff": "guide1", "curated_id": None,
                                "at": turn["reviews"][0]["at"]}]
    listed = staff.get("/staff/api/conversations", params={"review": "correct"}).json()["conversations"]
    assert [c["id"] for c in listed] == [a["session_id"]]
    assert staff.get("/staff/api/conversations", params={"review": "wrong"}).json()["total"] == 0


# ---------------------------------------------------------------- corrections (curated answers)

FIX = "（测试更正）结婚登记只需双方身份证和3张合照，无需户口簿。"


def test_a_correction_takes_effect_at_once_for_the_same_and_similar_questions(app, staff, assistant):
    first = _chat(staff, "结婚登记要带什么")
    assert "【人工审核】" not in first["answer"]
    r = staff.post("/staff/api/curated", json={
        "question": "结婚登记要带什么", "item_id": "marriage-registration", "answer": FIX + "[1]",
        "chunk_ids": ["guide/marriage-registration#materials"], "message_id": first["message_id"], "rating_token": first["rating_token"], "reason": "材料写错"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["answer"] == FIX  # hand-written [n] markers are dropped: the pipeline numbers citations

    for q in ("结婚登记要带什么", "结婚登记要带什么？", "结婚登记需要带什么材料", "结婚登记要带哪些材料"):
        body = _chat(staff, q)
        assert body["answer"].startswith("【人工审核】" + FIX), (q, body["answer"])
        assert body["kind"] == "guide" and body["items"][0]["id"] == "marriage-registration"
        assert body["citations"][0]["chunk_id"] == "guide/marriage-registration#materials"
    for q in ("离婚登记要带什么", "结婚登记要多少钱", "公积金租房能取吗"):
        assert "【人工审核】" not in _chat(staff, q)["answer"], q

    conv = staff.get(f"/staff/api/conversations/{first['session_id']}").json()["turns"][0]
    assert conv["curated"][0]["id"] == cid and conv["reviews"][0]["verdict"] == "wrong"
    assert conv["reviews"][0]["reason"] == "材料写错"
    hit = staff.get("/staff/api/hit-test", params={"q": "结婚登记要带什么"}).json()["outcome"]
    assert hit["curated"] and hit["decision"].startswith(f"curated: {cid}")

    # only the author or an admin may withdraw it; then the pipeline answers again
    assert staff.post(f"/staff/api/curated/{cid}/disable").status_code == 200
    assert "【人工审核】" not in _chat(staff, "结婚登记要带什么")["answer"]
    assert staff.get("/staff/api/curated").json()["curated"] == []


def test_curated_answers_belong_to_their_app(app, staff, assistant, tmp_path):
    other_db = f"sqlite:///{tmp_path / 'other.db'}"
    staff.post("/staff/api/curated", json={"question": "结婚登记要带什么", "item_id": "marriage-registration",
                                           "answer": FIX, "chunk_ids": []})
    assert assistant.curated is app.state.curated
    with TestClient(create_app(app.state.settings, assistant, SessionStore(other_db))) as other:
        assert "【人工审核】" not in _chat(other, "结婚登记要带什么")["answer"]
    assert assistant.curated is app.state.curated  # restored when the other app stopped


def test_shared_assistant_is_left_without_curated_answers(assistant):
    assert assistant.curated is None  # every app above detached its store on shutdown


def test_invalid_corrections_are_refused(staff):
    base = {"question": "结婚登记要带什么", "item_id": "marriage-registration", "answer": FIX, "chunk_ids": []}
    r = staff.post("/staff/api/curated", json=base | {"item_id": "no-such-item"})
    assert r.status_code == 422 and "no-such-item" in r.json()["error"]["message"]
    r = staff.post("/staff/api/curated", json=base | {"chunk_ids": ["guide/nope#x"]})
    assert r.status_code == 422 and "引用的片段不存在" in r.json()["error"]["message"]
    assert staff.post("/staff/api/curated", json=base | {"answer": ""}).status_code == 422
    assert staff.post("/staff/api/curated", json=base | {"message_id": "nope"}).status_code == 404


def test_others_cannot_withdraw_a_correction_but_admins_can(app, staff, admin):
    cid = staff.post("/staff/api/curated", json={"question": "结婚登记要带什么", "item_id": "marriage-registration",
                                                 "answer": FIX, "chunk_ids": []}).json()["id"]
    app.state.staff.add("guide2", PASSWORD, "guide")
    with TestClient(app) as other:
        _login(other, "guide2")
        assert other.post(f"/staff/api/curated/{cid}/disable").status_code == 403
    assert admin.post(f"/staff/api/curated/{cid}/disable").status_code == 200


@pytest.mark.parametrize("curated_q, asked, match", [
    ("结婚登记要带什么", "结婚登记要带什么", True),
    ("结婚登记要带什么", "结婚登记，要带什么?", True),
    ("结婚登记要带什么", "结婚登记需要带什么材料", True),
    ("结婚登记要带什么", "结婚登记要带些什么", True),
    ("公积金租房能取吗", "租房可以提取公积金吗", True),
    ("公积金租房能取吗", "公积金租房可以取吗", True),
    ("身份证丢了怎么补办", "身份证丢了要怎么补办", True),
    ("结婚登记要带什么", "离婚登记要带什么", False),
    ("结婚登记要带什么", "结婚登记在哪个窗口", False),
    ("结婚登记要带什么", "结婚登记要多少钱", False),
    ("结婚登记要带什么", "补领结婚证要带什么", False),
    ("公积金租房能取吗", "公积金买房能取吗", False),
    ("公积金租房能取吗", "公积金租房能取多少", False),
    ("身份证丢了怎么补办", "户口本丢了怎么补办", False),
    ("身份证丢了怎么补办", "驾驶证丢了怎么补办", False),
    ("户口迁入要什么材料", "户口迁出要什么材料", False),
    ("医保怎么转移", "社保怎么转移", False),
    ("结婚登记要带什么", "明天宿迁天气怎么样", False),
])
def test_curated_matching_is_strict(assistant, tmp_path, curated_q, asked, match):
    store = CuratedStore(SessionStore(f"sqlite:///{tmp_path / 'c.db'}").engine).bind(assistant)
    store.add(curated_q, "marriage-registration", "答案", [], "t")
    hit = store.lookup(normalize(asked), assistant.retriever.embed)
    assert (hit is not None) == match, (curated_q, asked, hit)
    if hit is not None:
        assert hit.item_id == "marriage-registration" and hit.answer == "答案" and 0.95 <= hit.similarity <= 1.0


def test_curated_store_is_shared_between_workers(assistant, tmp_path, monkeypatch):
    import assistant.store.curated as curated_mod

    engine = SessionStore(f"sqlite:///{tmp_path / 'c.db'}").engine
    one, two = CuratedStore(engine), CuratedStore(engine)
    assert two.lookup("结婚登记要带什么", assistant.retriever.embed) is None
    one.add("结婚登记要带什么", "marriage-registration", "答案", [], "t")
    monkeypatch.setattr(curated_mod, "REFRESH_SECONDS", 0.0)
    assert two.lookup("结婚登记要带什么", assistant.retriever.embed) is not None
    old = one.add("结婚登记要带什么。", "marriage-registration", "新答案", [], "t")  # replaces the same question
    assert [c.id for c in one.all()] == [old.id]
    assert two.lookup("结婚登记要带什么", assistant.retriever.embed).answer == "新答案"


# ---------------------------------------------------------------- hit test, gaps, dashboard

def test_hit_test_shows_fused_scores_and_the_routing_outcome(staff):
    r = staff.get("/staff/api/hit-test", params={"q": "公积金租房能取吗", "k": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["results"]) == 5
    top = body["results"][0]
    assert {"bm25", "dense", "score", "bm25_rank", "dense_rank", "title", "section"} <= set(top)
    assert body["outcome"]["kind"] in ("guide", "policy", "clarify")
    assert body["outcome"]["decision"] and isinstance(body["outcome"]["ranked"], list)
    assert staff.get("/staff/api/hit-test", params={"q": ""}).status_code == 422
    # the hit test leaves no conversation behind
    assert staff.get("/staff/api/conversations").json()["total"] == 0


def test_batch_hit_test_reports_the_hit_rate(staff):
    text = ("问题\t期望事项\n结婚登记要带什么\tmarriage-registration\n离婚登记在哪里办\t离婚登记\n"
            "明天宿迁天气怎么样\t拒答\n结婚登记要带什么\tdivorce-registration\n随便问问\t没有这个事项\n开公司要什么材料\n")
    r = staff.post("/staff/api/hit-test", json={"text": text})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["total"] == 6 and b["scored"] == 4
    hits = [row["hit"] for row in b["results"]]
    assert hits[:4] == [True, True, True, False] and hits[4] is None and hits[5] is None
    assert b["results"][4]["error"] == "未知的期望事项「没有这个事项」"
    assert b["hit_rate"] == 0.75
    r = staff.post("/staff/api/hit-test", json={"cases": [{"question": "结婚登记要带什么", "expected": "结婚登记"}]})
    assert r.json()["hit_rate"] == 1.0
    assert staff.post("/staff/api/hit-test", json={"text": ""}).status_code == 422
    too_many = "\n".join(f"问题{i}" for i in range(201))
    assert staff.post("/staff/api/hit-test", json={"text": too_many}).status_code == 422


def test_gaps_group_badly_rated_and_wrong_answers_by_similarity(staff, clock):
    for q, rating in (("结婚登记要带什么", "非常不满意"), ("结婚登记需要带什么材料", "不满意"),
                      ("公积金租房能取吗", "不满意"), ("开公司要什么材料", "满意")):
        a = _chat(staff, q)
        staff.post("/v1/feedback", json={"message_id": a["message_id"], "rating_token": a["rating_token"], "rating": rating})
        clock.t += timedelta(minutes=1)
    wrong = _chat(staff, "结婚登记要带哪些材料")
    staff.post(f"/staff/api/messages/{wrong['message_id']}/review", json={"verdict": "wrong", "reason": "缺材料"})
    weather = _chat(staff, "明天宿迁天气怎么样")
    assert weather["kind"] == "refuse"

    r = staff.get("/staff/api/gaps")
    assert r.status_code == 200, r.text
    groups = r.json()["groups"]
    assert [g["count"] for g in groups] == [3, 1]
    assert groups[0]["label"] == "结婚登记要带什么"
    assert groups[0]["reasons"] == {"bad_rating": 2, "wrong": 1}
    assert {q["text"] for q in groups[0]["questions"]} == {"结婚登记要带什么", "结婚登记需要带什么材料", "结婚登记要带哪些材料"}
    assert groups[1]["label"] == "公积金租房能取吗"
    # out-of-scope refusals are not corpus gaps unless asked for
    with_oos = staff.get("/staff/api/gaps", params={"out_of_scope": True}).json()
    assert with_oos["total"] == r.json()["total"] + 1
    assert any(g["label"] == "明天宿迁天气怎么样" and g["reasons"] == {"refused": 1} for g in with_oos["groups"])


def test_dashboard_counts_days_channels_items_refusals_and_ratings(staff, clock):
    a = _chat(staff, "结婚登记要带什么", "web")
    _chat(staff, "结婚登记在哪个窗口", "miniprogram")
    _chat(staff, "明天宿迁天气怎么样", "wechat")
    clock.t = datetime(2026, 3, 5, 3, 0)
    _chat(staff, "公积金租房能取吗", "miniprogram")
    staff.post("/v1/feedback", json={"message_id": a["message_id"], "rating_token": a["rating_token"], "rating": "满意"})
    r = staff.get("/staff/api/dashboard", params={"days": 7})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["start"] == "2026-02-27" and d["end"] == "2026-03-05"
    assert d["questions"] == 4 and d["conversations"] == 4
    days = {x["date"]: x for x in d["per_day"]}
    assert len(days) == 7 and days["2026-03-04"] == {"date": "2026-03-04", "total": 3, "refuse": 1}
    assert days["2026-03-05"]["total"] == 1
    assert {c["channel"]: c["count"] for c in d["channels"]} == {"miniprogram": 2, "web": 1, "wechat": 1}
    assert d["refusal_rate"] == 0.25
    assert d["top_items"][0] == {"name": "结婚登记", "count": 2}
    assert d["ratings"][1] == {"rating": "满意", "count": 1} and d["rated"] == 1 and d["satisfaction"] == 1.0
    assert [x["rating"] for x in d["ratings"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def test_items_and_their_citable_chunks(staff):
    items = staff.get("/staff/api/items").json()["items"]
    assert any(i["id"] == "marriage-registration" and i["name"] == "结婚登记" for i in items)
    chunks = staff.get("/staff/api/items/marriage-registration/chunks").json()["chunks"]
    ids = [c["chunk_id"] for c in chunks]
    assert "guide/marriage-registration#materials" in ids and any(i.startswith("law/") for i in ids)
    assert staff.get("/staff/api/items/nope/chunks").status_code == 404
