"""``GET /v1/items`` (every service item with its hall, zone, windows and online route) and
``GET /v1/items/{item_id}`` (one item with its whole guide: materials, steps, fees, legal basis)."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.web.deps import CurrentAssistant
from assistant.web.errors import DOCUMENTED, error_response
from assistant.web.schemas import ErrorResponse, ItemOut, item_out

router = APIRouter()


@router.get("/v1/items", summary="全部服务事项")
def items(a: CurrentAssistant) -> dict[str, list[ItemOut]]:
    return {"items": [item_out(g, a.centre) for g in a.index.corpus.guides]}


@router.get("/v1/items/{item_id}", summary="一个事项的完整办事指南",
            responses={404: {"model": ErrorResponse, "description": "没有这个事项"}, 429: DOCUMENTED[429]})
def item(item_id: str, a: CurrentAssistant):
    g = a.guides.get(item_id)
    if g is None:
        return error_response(404, "not_found", f"没有编号为「{item_id}」的事项")
    return item_out(g, a.centre).model_dump() | {"guide": g.model_dump(by_alias=True)}
