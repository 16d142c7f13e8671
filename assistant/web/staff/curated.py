"""人工审核答案 (corrections): list, write and disable the reviewed answers that take over matching questions.

* ``GET /staff/api/curated[?all=true]`` — active corrections (``all``: disabled ones too), with item names.
* ``POST /staff/api/curated`` ``{"question": "结婚登记要带什么", "item_id": "marriage-registration",
  "answer": "请携带户口簿和身份证。", "chunk_ids": ["guide/marriage-registration#materials"],
  "message_id": "9f…", "reason": "材料清单已更新"}`` — takes effect at once for the same and similar
  questions; written from an answer, it also marks that answer wrong with the reason.  The question is
  stored with personal numbers masked; ``[n]`` markers and a leading 【人工审核】 are dropped from the answer
  (the assistant numbers the citations and adds the label itself).  ``"examples": ["领证要几张照片"]`` adds
  paraphrases it should catch like its question; ``"excluded": ["补办结婚证要带什么"]`` past questions it must
  not answer (shown in the preview, curated_preview.py).
* ``POST /staff/api/curated/{id}/disable`` — by an admin or the correction's author.
* ``PUT /staff/api/curated/{id}`` ``{"answer": "…", "reason": "收费标准已调整"}`` — edit the question, item,
  answer, cited chunks or examples (only the fields sent); a reason is required; by an admin or the author.
  The previous content is kept: ``GET /staff/api/curated/{id}/history`` lists the versions (who replaced each,
  when, why) and ``POST /staff/api/curated/{id}/restore`` ``{"version_id": "…", "reason": "…"}`` brings one back.
"""
from __future__ import annotations

import re

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assistant.core.text.normalize import mask_pii
from assistant.store.curated_edits import MAX_EXAMPLES, Examples
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
    examples: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    excluded: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)


class CuratedEdit(BaseModel):
    question: str | None = Field(None, max_length=500)
    item_id: str | None = Field(None, max_length=128)
    answer: str | None = Field(None, max_length=4000)
    chunk_ids: list[str] | None = Field(None, max_length=20)
    examples: list[str] | None = Field(None, max_length=MAX_EXAMPLES)
    excluded: list[str] | None = Field(None, max_length=MAX_EXAMPLES)
    reason: str = Field(min_length=1, max_length=500)


class RestoreRequest(BaseModel):
    version_id: str = Field(min_length=1, max_length=24)
    reason: str = Field(min_length=1, max_length=500)


def examples_of(body) -> Examples:
    """The example questions sent, personal numbers masked like the question's."""
    return Examples(tuple(mask_pii(q[:500]) for q in body.examples or ()),
                    tuple(mask_pii(q[:500]) for q in body.excluded or ()))


def version_out(local, v) -> dict:
    return {"id": v.id, "seq": v.seq, "question": v.question, "item_id": v.item_id, "answer": v.answer,
            "chunk_ids": list(v.chunk_ids or []), "examples": list(v.examples or []),
            "excluded": list(v.excluded or []), "replaced_by": v.replaced_by,
            "replaced_at": local.iso(v.replaced_at), "reason": v.reason}


def _clean_answer(text: str) -> str:
    answer = re.sub(r"\[\d{1,3}\]", "", text).strip()  # the pipeline numbers the citations itself
    answer = answer.removeprefix("【人工审核】").strip()
    if not answer:
        raise StaffError(422, "invalid_request", "答案不能为空")
    return answer


def _check_refs(a, item_id: str | None, chunk_ids: list[str] | None) -> None:
    if item_id is not None and item_id not in a.guides:
        raise StaffError(422, "invalid_request", f"没有编号为「{item_id}」的事项")
    unknown = [c for c in chunk_ids or () if c not in a.index.by_id]
    if unknown:
        raise StaffError(422, "invalid_request", f"引用的片段不存在：{'、'.join(unknown[:3])}")


def _checked(console: Console, a, body: CuratedRequest) -> str:
    """The answer text to store, after checking the item, the cited chunks and the answer it corrects."""
    _check_refs(a, body.item_id, body.chunk_ids)
    if body.message_id:
        answer_or_404(console, body.message_id)
    return _clean_answer(body.answer)


def _own(curated, curated_id: str, staff, verb: str):
    """The correction, if this staff member may change it (an admin or its author)."""
    row = curated.get(curated_id)
    if row is None:
        raise StaffError(404, "not_found", "没有这条人工审核答案")
    if not staff.is_admin and row.created_by != staff.username:
        raise StaffError(403, "forbidden", f"只有管理员或作者可以{verb}")
    return row


def router(console: Console) -> APIRouter:
    api = staff_api()
    curated = console.curated

    @api.get("/curated", summary="人工审核答案（更正后的答案）")
    def curated_list(all: bool = False):
        a, rows = console.assistant(), curated.all(all)
        examples = curated.examples([c.id for c in rows])
        return {"curated": [_out(console, a, c, examples[c.id]) for c in rows]}

    @api.post("/curated", status_code=201, summary="写更正答案：立即对相同和相近的问题生效")
    def curated_add(body: CuratedRequest, staff: CurrentStaff):
        a = console.assistant()
        answer = _checked(console, a, body)
        examples = examples_of(body)
        row = curated.add(mask_pii(body.question), body.item_id, answer, body.chunk_ids, staff.username,
                          body.message_id, examples)
        if body.message_id:
            curated.review(body.message_id, "wrong", body.reason or "已写更正答案", staff.username, row.id)
        return _out(console, a, row, examples)

    @api.post("/curated/{curated_id}/disable", summary="停用一条人工审核答案（管理员或作者）")
    def curated_disable(curated_id: str, staff: CurrentStaff):
        _own(curated, curated_id, staff, "停用")
        curated.deactivate(curated_id)
        return {"id": curated_id, "active": False}

    _edit_routes(api, console)

    return api


def _out(console: Console, a, row, examples: Examples | None = None) -> dict:
    """A correction as the console shows it: its fields, the item's name and its example questions."""
    if examples is None:
        examples = console.curated.examples([row.id])[row.id]
    return curated_out(console.local, row) | {"item_name": console.item_name(a, row.item_id),
                                              "examples": list(examples.include), "excluded": list(examples.exclude)}


def _edit_routes(api: APIRouter, console: Console) -> None:
    curated, local = console.curated, console.local

    @api.put("/curated/{curated_id}", summary="修改人工审核答案（管理员或作者；须写理由，旧版本保留）")
    def curated_edit(curated_id: str, body: CuratedEdit, staff: CurrentStaff):
        _own(curated, curated_id, staff, "修改")
        a = console.assistant()
        _check_refs(a, body.item_id, body.chunk_ids)
        answer = _clean_answer(body.answer) if body.answer is not None else None
        if not body.reason.strip():
            raise StaffError(422, "invalid_request", "请写明修改理由")
        sent = body.examples is not None or body.excluded is not None
        row = curated.edit(curated_id, staff.username, body.reason,
                           question=mask_pii(body.question) if body.question else None, item_id=body.item_id,
                           answer=answer, chunk_ids=body.chunk_ids, examples=examples_of(body) if sent else None)
        return _out(console, a, row)

    @api.get("/curated/{curated_id}/history", summary="人工审核答案的修改历史")
    def curated_history(curated_id: str, _: CurrentStaff):
        row = curated.get(curated_id)
        if row is None:
            raise StaffError(404, "not_found", "没有这条人工审核答案")
        return {"curated": _out(console, console.assistant(), row),
                "versions": [version_out(local, v) for v in curated.history(curated_id)]}

    @api.post("/curated/{curated_id}/restore", summary="恢复人工审核答案的一个旧版本（管理员或作者）")
    def curated_restore(curated_id: str, body: RestoreRequest, staff: CurrentStaff):
        _own(curated, curated_id, staff, "恢复")
        if not body.reason.strip():
            raise StaffError(422, "invalid_request", "请写明恢复理由")
        row = curated.restore(curated_id, body.version_id, staff.username, body.reason)
        if row is None:
            raise StaffError(404, "not_found", "没有这个版本")
        return _out(console, console.assistant(), row)
