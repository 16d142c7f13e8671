"""The guide-staff console: the `/staff` pages and the signed-in JSON API `/staff/api/*`, one router per
resource, mounted on the app by `install_staff` in this order:

=================  ==========================================================================
`auth`             sign-in / sign-out, the pages, ``/me``
`conversations`    会话记录, one conversation with its traces, checking an answer
`curated`          人工审核答案 (corrections); `items`: items and the chunks they may cite
`hit_test`         命中测试, one question or a batch
`gaps`, `dashboard`  缺口 and 看板 (computed in `service.reports`)
`cases`            差评工单 list and updates (outcomes and the digest: `cases.install`)
`accounts`         staff accounts (admins change them)
`kb`               bulk in and out (``/staff/api/kb/*``)
=================  ==========================================================================

Every API router checks the sign-in (`deps.CurrentStaff`): without it the answer is 401
``{"error": {"code": "unauthorized", "message": "请先登录"}}`` and never data; pages redirect to
``/staff/login``; state-changing requests from another origin are refused (403).  Accounts and sessions:
`store.accounts`; SQL: `store.turns`; aggregation: `service.reports`.
"""
from __future__ import annotations

from typing import Callable

from fastapi import FastAPI

from assistant.config import Settings
from assistant.store.accounts import (  # noqa: F401 - re-exported: the CLI, web.app and tests import them here
    AccountError, Staff, StaffStore, check_password, hash_password)
from assistant.store.conversations import SessionStore
from assistant.store.curated import CuratedStore
from assistant.web.staff import accounts as accounts_routes
from assistant.web.staff import auth, cases, conversations, curated as curated_routes, dashboard, gaps, hit_test, items
from assistant.web.staff.deps import (  # noqa: F401 - re-exported for the staff routes registered elsewhere
    COOKIE, Console, StaffError, StaffRoute, admin_staff, current_staff, staff_api, staff_api_options)
from assistant.web.staff.kb import kb_router

# field names for the app's Chinese 422 messages
FIELD_NAMES = {"username": "用户名 username", "password": "密码 password", "role": "角色 role",
               "question": "问题 question", "item_id": "事项 item_id", "answer": "答案 answer",
               "chunk_ids": "引用 chunk_ids", "verdict": "结论 verdict", "reason": "理由 reason",
               "status": "状态 status", "owner": "负责人 owner", "note": "备注 note", "cases": "题目 cases",
               "start": "开始日期 start", "end": "结束日期 end", "days": "天数 days", "threshold": "阈值 threshold",
               "page": "页码 page", "size": "每页条数 size"}


def install_staff(app: FastAPI, *, accounts: StaffStore, sessions: SessionStore, curated: CuratedStore, feedback,
                  get_assistant: Callable[[], object], settings: Settings) -> None:
    """Pages `/staff`, `/staff/login`, `/staff/logout` and the signed-in JSON API `/staff/api/*`.

    Each resource's router goes straight onto the app: FastAPI rebuilds every route (its parameters' pydantic
    adapters) at each ``include_router``, so a router of routers built each one three times, about half of
    ``create_app``'s time."""
    console = Console(accounts, sessions, curated, feedback, get_assistant, settings)
    app.include_router(auth.pages(console))
    for part in (auth.api, conversations.router, curated_routes.router, items.router, hit_test.router, gaps.router,
                 dashboard.router, cases.router, accounts_routes.router):
        app.include_router(part(console))
    # bulk in/out (kb.py), under /staff/api with the same sign-in check as every router made by staff_api()
    app.include_router(kb_router(curated=curated, feedback=feedback, sessions=sessions, get_assistant=get_assistant,
                                 settings=settings, current=current_staff, admin=admin_staff, route_class=StaffRoute,
                                 error=StaffError), **staff_api_options())
