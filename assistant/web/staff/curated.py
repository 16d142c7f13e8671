"""人工审核答案 (corrections): list, write and disable the reviewed answers that take over matching questions.

* ``GET /staff/api/curated[?all=true]`` — active corrections (``all``: disabled ones too), with item names.
* ``POST /staff/api/curated`` ``{"question": "结婚登记要带什么", "item_id": "marriage-registration",
  "answer": "请携带户口簿和身份证。", "chunk_ids": ["guide/marriage-registration#materials"],
  "message_id": "9f…", "reason": "材料清单已更新"}`` — takes effect at once for the same and similar
  questions; written from an answer, it also marks that answer wrong with the reason.  The question is
  stored with personal numbers masked; ``[n]`` markers and a leading 【人工审核】 are dropped from the answer
  (the assistant numbers the citations and adds the label itself).
* ``POST /staff/api/curated/{id}/disable`` — by an admin or the correction's author.
"""
from __future__ import annotations

import re

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assistant.core.text.normalize import mask_pii
from assistant.web.staff.conversations import answer_or_404
from assistant.web.staff.deps import Console, CurrentStaff, StaffError, staff_api
from assistant.web.staff.out import curated_out


class CuratedRequest(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    item_id: str = Field(min_length=1, max_length=128)
    answer: str = Field(min_length=1, max_length=4000)
    chunk_ids: list[str] = Field(default_factory=list, max_length=20)
    message_id: str | None = Field(None, max_length=40)
    reason: str = Field("", max_length=500)


def _checked(console: Console, a, body: CuratedRequest) -> str:
    """The answer text to store, after checking the item, the cited chunks and the answer it corrects."""
    if body.item_id not in a.guides:
        raise StaffError(422, "invalid_request", f"没有编号为「{body.item_id}」的事项")
    unknown = [c for c in body.chunk_ids if c not in a.index.by_id]
    if unknown:
        raise StaffError(422, "invalid_request", f"引用的片段不存在：{'、'.join(unknown[:3])}")
    if body.message_id:
        answer_or_404(console, body.message_id)
    answer = re.sub(r"\[\d{1,3}\]", "", body.answer).strip()  # the pipeline numbers the citations itself
    answer = answer.removeprefix("【人工审核】").strip()
    if not answer:
        raise StaffError(422, "invalid_request", "答案不能为空")
    return answer


def router(console: Console) -> APIRouter:
    api = staff_api()
    curated, local = console.curated, console.local

    @api.get("/curated", summary="人工审核答案（更正后的答案）")
    def curated_list(all: bool = False):
        a = console.assistant()
        return {"curated": [curated_out(local, c) | {"item_name": console.item_name(a, c.item_id)}
                            for c in curated.all(all)]}

    @api.post("/curated", status_code=201, summary="写更正答案：立即对相同和相近的问题生效")
    def curated_add(body: CuratedRequest, staff: CurrentStaff):
        a = console.assistant()
        answer = _checked(console, a, body)
        row = curated.add(mask_pii(body.question), body.item_id, answer, body.chunk_ids, staff.username,
                          body.message_id)
        if body.message_id:
            curated.review(body.message_id, "wrong", body.reason or "已写更正答案", staff.username, row.id)
        return curated_out(local, row) | {"item_name": console.item_name(a, row.item_id)}

    @api.post("/curated/{curated_id}/disable", summary="停用一条人工审核答案（管理员或作者）")
    def curated_disable(curated_id: str, staff: CurrentStaff):
        row = curated.get(curated_id)
        if row is None:
            raise StaffError(404, "not_found", "没有这条人工审核答案")
        if not staff.is_admin and row.created_by != staff.username:
            raise StaffError(403, "forbidden", "只有管理员或作者可以停用")
        curated.deactivate(curated_id)
        return {"id": curated_id, "active": False}

    return api
