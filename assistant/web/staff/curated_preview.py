"""Before a correction is published, staff see which past questions it would catch (issue 15).

``POST /staff/api/curated/preview`` ``{"question": "结婚登记要带什么", "item_id": "marriage-registration", "days": 90}``
→ ``{"catches": [{"question": "我和女朋友想去领证，要带啥", "count": 3, "similarity": 0.93}, …], "checked": 120}``:
the distinct questions asked in the last ``days`` days that this correction, alone in a throw-away store with the
live matching rules (curated.CuratedStore.lookup), would answer.  Nothing is stored.  With ``"examples": [...]``
(paraphrases staff added) and ``"excluded": [...]`` (caught questions they took out) the preview shows what the
correction with them would catch: an excluded question and its close paraphrases drop out of the list.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from fastapi import FastAPI
from pydantic import BaseModel, Field

from assistant.store.curated import CuratedStore
from assistant.store.curated_edits import MAX_EXAMPLES, Examples
from assistant.web.staff.deps import CurrentStaff, StaffError, console_of, staff_api

MAX_QUESTIONS = 2000


class PreviewRequest(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    item_id: str = Field(min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=365)
    examples: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    excluded: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)


def install(app: FastAPI) -> None:
    console = console_of(app)
    api = staff_api("/curated")

    @api.post("/preview", summary="写更正答案前：看看它会命中哪些以往的问题")
    def preview(body: PreviewRequest, _: CurrentStaff):
        a = console.assistant()
        if body.item_id not in a.guides:
            raise StaffError(422, "invalid_request", f"没有事项「{body.item_id}」")
        since = app.state.store.clock() - timedelta(days=body.days)
        asked = Counter(q.strip() for q in console.log.questions_since(since, MAX_QUESTIONS) if q and q.strip())
        trial = CuratedStore.scratch().bind(a)
        trial.add(body.question, body.item_id, "（预览）", [], "preview", examples=Examples(tuple(body.examples),
                                                                                       tuple(body.excluded)))
        catches = []
        for q, n in asked.items():
            hit = trial.lookup(q, a.retriever.embed)
            if hit is not None:
                catches.append({"question": q, "count": n, "similarity": hit.similarity})
        catches.sort(key=lambda c: (-c["count"], -c["similarity"]))
        return {"catches": catches, "checked": len(asked), "days": body.days}

    app.include_router(api)
