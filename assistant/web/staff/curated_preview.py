"""Before a correction is published, staff see which past questions it would catch (issue 15).

``POST /staff/api/curated/preview`` ``{"question": "结婚登记要带什么", "item_id": "marriage-registration", "days": 90}``
→ ``{"catches": [{"question": "我和女朋友想去领证，要带啥", "count": 3, "similarity": 0.93}, …], "checked": 120}``:
the distinct questions asked in the last ``days`` days that this correction, alone in a throw-away store with the
live matching rules (curated.CuratedStore.lookup), would answer.  Nothing is stored.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from assistant.store.curated import CuratedStore
from assistant.store.conversations import Message
from assistant.web.staff.console import Staff, StaffError, StaffRoute

MAX_QUESTIONS = 2000


class PreviewRequest(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    item_id: str = Field(min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=365)


def install(app: FastAPI) -> None:
    current = app.state.staff.signed_in
    api = APIRouter(prefix="/staff/api/curated", route_class=StaffRoute, tags=["staff"])

    @api.post("/preview", summary="写更正答案前：看看它会命中哪些以往的问题")
    def preview(body: PreviewRequest, _: Staff = Depends(current)):
        a = app.state.assistant
        if a is None:
            raise StaffError(503, "not_ready", "服务正在启动，请稍后再试")
        if body.item_id not in a.guides:
            raise StaffError(422, "invalid_request", f"没有事项「{body.item_id}」")
        store = app.state.store
        since = store.clock() - timedelta(days=body.days)
        with store.engine.connect() as conn:
            asked = Counter(r[0].strip() for r in conn.execute(
                select(Message.text).where(Message.role == "user", Message.created_at >= since)
                .order_by(Message.created_at.desc()).limit(MAX_QUESTIONS)) if r[0] and r[0].strip())
        trial = CuratedStore(create_engine("sqlite://", poolclass=StaticPool,
                                           connect_args={"check_same_thread": False})).bind(a)
        trial.add(body.question, body.item_id, "（预览）", [], "preview")
        catches = []
        for q, n in asked.items():
            hit = trial.lookup(q, a.retriever.embed)
            if hit is not None:
                catches.append({"question": q, "count": n, "similarity": hit.similarity})
        catches.sort(key=lambda c: (-c["count"], -c["similarity"]))
        return {"catches": catches, "checked": len(asked), "days": body.days}

    app.include_router(api)
