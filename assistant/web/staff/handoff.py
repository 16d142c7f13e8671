"""A hand-off that reaches a person, and a 回访 that can happen.

转人工 (see `handoff.py` for what the answer says at this hour) flags the conversation for the 导办台:
every stored answer of kind ``handoff`` opens (or re-opens) a row in ``handoff_threads`` — an ORM
hook on `Message`, so no channel can forget it.  A signed-in staff member sees the open ones in the
console (``GET /staff/api/handoffs``), reads the conversation and replies into it
(``POST /staff/api/handoffs/{conversation_id}/reply``); the person's page or mini-program picks the
reply up by polling ``GET /v1/chat/{session_id}/staff-replies?after=<last id>`` — the session id is the
random, unguessable key of the conversation, as for ``/v1/chat`` itself.

回访: after 不满意 or worse, the person may leave a phone number with a one-line consent
(``POST /v1/feedback/callback``).  The number is

* stored only Fernet-encrypted (``ASSISTANT_CALLBACK_KEY``; without a key the route answers 404 and
  the page offers no callback), so the database row never contains the digits;
* shown only to the staff member the case is assigned to (``GET /staff/api/cases/{id}/callback``);
* deleted when the case closes (an ORM hook on the case's status, whatever closes it), and
* never written to logs or traces (nothing here logs it; the request body is not logged).

Without a number the case still opens for review and nothing promises a call.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime

from cryptography.fernet import Fernet
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.core.text.normalize import public_numbers
from assistant.store.conversations import SESSION_ID
from assistant.store.feedback import NotYourMessage
from assistant.store.handoff import (  # noqa: F401 - the tables and the store, importable from here too
    ANSWERED, CLOSED, OPEN, REPLY_LIMIT, CallbackContact, HandoffStore, HandoffThread, StaffReply)
from assistant.web.errors import error_response
from assistant.web.staff.deps import CurrentStaff, StaffError, StaffRoute

log = logging.getLogger("assistant.handoff")

PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CONSENT_TEXT = "我同意工作人员使用此号码就本次评价回访，办结后号码即删除。"
FIELD_NAMES = {"phone": "回访电话 phone", "consent": "同意回访 consent"}


# ---------------------------------------------------------------- HTTP

class CallbackRequest(BaseModel):
    message_id: str = Field(min_length=1, max_length=40)
    rating_token: str = Field(min_length=1, max_length=64, description="/v1/chat 随回答返回的 rating_token（只有提问者持有）")
    phone: str = Field(min_length=5, max_length=20)
    consent: bool


class ReplyRequest(BaseModel):
    text: str = Field(min_length=1, max_length=REPLY_LIMIT)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") + "Z" if dt else None


def install(app: FastAPI, settings: Settings, field_names: dict[str, str]) -> None:
    """Tables, the public routes and the staff routes, on the app's database and clock
    (`field_names`: the app's labels for Chinese 422 messages)."""
    for name, label in FIELD_NAMES.items():
        field_names.setdefault(name, label)
    store = app.state.store
    centre_yaml = settings.corpus_dir / "centre.yaml"
    numbers = public_numbers(centre_yaml.read_text(encoding="utf-8")) if centre_yaml.exists() else []
    handoffs = app.state.handoffs = HandoffStore(store.engine, store.clock, settings.callback_key, numbers)
    app.include_router(_public_router(app, settings, handoffs))
    app.include_router(_staff_router(app, handoffs))


def _public_router(app: FastAPI, settings: Settings, handoffs: HandoffStore) -> APIRouter:
    """What the person's page calls: staff replies (polled), and leaving a 回访 number."""
    public = APIRouter(tags=["handoff"])

    @public.get("/v1/chat/{session_id}/staff-replies", summary="工作人员在这个会话里的回复（转人工后轮询）")
    def staff_replies(session_id: str, after: int = Query(0, ge=0)):
        if not SESSION_ID.match(session_id):
            return error_response(404, "not_found", "没有这个会话")
        th = handoffs.thread(session_id)
        return {"status": th.status if th else None,
                "replies": [{"id": r.id, "text": r.text, "from": "导办台工作人员", "at": _iso(r.created_at)}
                            for r in handoffs.replies(session_id, after)]}

    @public.get("/v1/feedback/callback", summary="能否留下回访电话（以及同意书文字）")
    def callback_info():
        return {"enabled": handoffs.callbacks_enabled, "consent_text": CONSENT_TEXT}

    @public.post("/v1/feedback/callback", status_code=201, summary="不满意评价后留下回访电话（需同意；加密保存，办结即删除）")
    def callback(req: CallbackRequest):
        if not handoffs.callbacks_enabled:
            return error_response(404, "not_configured", "本中心暂未开通电话回访，您的评价已转工作人员复核。")
        if not req.consent:
            return error_response(422, "invalid_request", "需要您同意使用号码回访，才能留下电话")
        phone = re.sub(r"[\s()（）]", "", req.phone)
        if not PHONE.match(phone):
            return error_response(422, "invalid_request", "电话号码格式不正确：请填写11位手机号或带区号的固定电话")
        case = handoffs.case_for_message(req.message_id)
        try:  # only the asker (who holds the answer's rating_token) may leave a number for its case
            if case is not None:
                app.state.feedback.check_asker(req.message_id, req.rating_token)
        except NotYourMessage:
            return error_response(403, "forbidden", "只能为自己提问得到的回答留下回访电话")
        if case is None:
            return error_response(404, "not_found", "这条回答没有回访工单：只有评价为不满意或非常不满意后才能留下电话")
        if case.status == "已办结":
            return error_response(409, "conflict", "这个工单已办结，不再回访")
        handoffs.keep_phone(case.id, phone)
        due = case.reply_due
        return {"follow_up": True, "message": f"已记下您的回访电话，工作人员会在1个工作日内（{_local(due, settings)}前）"
                                              "与您联系；工单办结后号码即删除。"}

    return public


def _thread_out(handoffs: HandoffStore, th: HandoffThread, with_messages: bool = False) -> dict:
    msgs = handoffs.messages(th.conversation_id)
    asked = [m.text for m in msgs if m.role == "user"]
    out = {"conversation_id": th.conversation_id, "status": th.status, "owner": th.owner,
           "channel": handoffs.channel(th.conversation_id),
           "requested_at": _iso(th.requested_at), "updated_at": _iso(th.updated_at),
           "last_question": asked[-1] if asked else "", "turns": len(asked)}
    if with_messages:
        out["messages"] = [{"role": m.role, "text": m.text, "kind": m.kind, "at": _iso(m.created_at)} for m in msgs]
        out["replies"] = [{"id": r.id, "staff": r.staff, "text": r.text, "at": _iso(r.created_at)}
                          for r in handoffs.replies(th.conversation_id)]
    return out


def _staff_router(app: FastAPI, handoffs: HandoffStore) -> APIRouter:
    """The 导办台's side: open hand-offs, replying into a conversation, and the 回访 numbers."""
    staff_api = APIRouter(prefix="/staff/api", route_class=StaffRoute, include_in_schema=False)

    def thread_or_404(conversation_id: str) -> HandoffThread:
        th = handoffs.thread(conversation_id)
        if th is None:
            raise StaffError(404, "not_found", "这个会话没有转人工请求")
        return th

    @staff_api.get("/handoffs", summary="转人工的会话（待处理在前）")
    def handoff_list(_: CurrentStaff, status: str | None = None):
        if status and status not in (OPEN, ANSWERED, CLOSED):
            raise StaffError(422, "invalid_request", "状态只能是 待处理、已回复 或 已关闭")
        rows = handoffs.threads(status)
        rows.sort(key=lambda th: th.status != OPEN)
        return {"handoffs": [_thread_out(handoffs, th) for th in rows],
                "open": sum(th.status == OPEN for th in rows)}

    @staff_api.get("/handoffs/{conversation_id}", summary="一个转人工会话：对话和已发的回复")
    def handoff_one(conversation_id: str, _: CurrentStaff):
        return _thread_out(handoffs, thread_or_404(conversation_id), with_messages=True)

    @staff_api.post("/handoffs/{conversation_id}/reply", status_code=201, summary="回复到这个人的对话里")
    def handoff_reply(conversation_id: str, body: ReplyRequest, staff: CurrentStaff):
        thread_or_404(conversation_id)
        if not body.text.strip():
            raise StaffError(422, "invalid_request", "回复内容不能为空")
        r = handoffs.reply(conversation_id, staff.username, body.text)
        log.info("staff reply conversation=%s by=%s", conversation_id[:8], staff.username)
        return {"id": r.id, "staff": r.staff, "text": r.text, "at": _iso(r.created_at)}

    @staff_api.post("/handoffs/{conversation_id}/close", summary="关闭转人工请求")
    def handoff_close(conversation_id: str, staff: CurrentStaff):
        thread_or_404(conversation_id)
        return _thread_out(handoffs, handoffs.close(conversation_id, staff.username))

    _callback_routes(staff_api, app, handoffs)
    return staff_api


def _callback_routes(staff_api: APIRouter, app: FastAPI, handoffs: HandoffStore) -> None:
    @staff_api.get("/callbacks", summary="哪些工单留了回访电话（不含号码）")
    def callbacks(_: CurrentStaff):
        cases = app.state.feedback.cases()
        return {"cases": sorted(handoffs.has_phone([c.id for c in cases]))}

    @staff_api.get("/cases/{case_id}/callback", summary="回访电话：只给该工单的负责人看")
    def callback_phone(case_id: str, staff: CurrentStaff):
        case = app.state.feedback.case(case_id)
        if case is None:
            raise StaffError(404, "not_found", "没有这个工单")
        if case.owner != staff.username:
            raise StaffError(403, "forbidden", "只有负责该工单的工作人员可以查看回访电话，请先认领")
        phone = handoffs.phone(case_id)
        if phone is None:
            raise StaffError(404, "not_found", "这个工单没有留回访电话（或已办结删除）")
        log.info("callback number shown case=%s to=%s", case_id, staff.username)
        return {"case_id": case_id, "phone": phone}


def _local(utc: datetime, settings: Settings) -> str:
    from assistant.core.handoff import local_now

    t = local_now(utc, settings.staff_utc_offset_hours)
    return f"{t.month}月{t.day}日 {t:%H:%M}"


def new_key() -> str:
    """A fresh ASSISTANT_CALLBACK_KEY (``python -c "from assistant.web.staff.handoff import new_key; print(new_key())"``)."""
    return Fernet.generate_key().decode()

