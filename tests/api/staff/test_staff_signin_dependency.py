"""Sign-in to the staff API is one FastAPI dependency (`deps.current_staff`, used as `CurrentStaff`), checked
by every staff router: without a session every route answers 401, and a test (or another front door) can
replace it with `app.dependency_overrides` — the admin-only routes then still ask for the admin role.
No index is loaded: these routes do not need the assistant."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.store.accounts import Staff
from assistant.store.conversations import SessionStore
from assistant.web.app import create_app
from assistant.web.staff.deps import current_staff

UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "请先登录"}}


@pytest.fixture()
def app(settings, tmp_path):
    return create_app(settings, None, SessionStore(f"sqlite:///{tmp_path / 'signin.db'}"))


def test_without_a_session_every_staff_router_answers_401_and_no_data(app):
    c = TestClient(app)  # no lifespan: the index is never loaded
    for path in ("/staff/api/me", "/staff/api/staff", "/staff/api/dashboard", "/staff/api/gaps", "/staff/api/cases",
                 "/staff/api/conversations", "/staff/api/curated", "/staff/api/items", "/staff/api/bulk/turns"):
        r = c.get(path)
        assert (r.status_code, r.json(), r.headers["cache-control"]) == (401, UNAUTHORIZED, "no-store"), path


def test_the_signed_in_staff_member_comes_from_the_one_dependency(app):
    app.dependency_overrides[current_staff] = lambda: Staff("guide7", "guide")
    c = TestClient(app)
    assert c.get("/staff/api/me").json()["username"] == "guide7"
    assert c.get("/staff/api/staff").json() == {"staff": []}
    refused = c.post("/staff/api/staff", json={"username": "new1", "password": "long-enough-1"})
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "需要管理员权限"
    app.dependency_overrides[current_staff] = lambda: Staff("admin7", "admin")
    made = c.post("/staff/api/staff", json={"username": "new1", "password": "long-enough-1"})
    assert made.status_code == 201 and made.json()["username"] == "new1"


def test_a_report_asked_for_an_impossible_date_range_answers_422(app):
    app.dependency_overrides[current_staff] = lambda: Staff("guide7", "guide")
    r = TestClient(app).get("/staff/api/dashboard", params={"start": "2026-03-05", "end": "2026-03-04"})
    assert r.status_code == 422
    assert r.json() == {"error": {"code": "invalid_request", "message": "开始日期不能晚于结束日期"}}
