"""``GET /healthz``: the process is up, and which index it serves (items, chunks, embedder, build time).
Liveness only; ``/readyz`` (observability.py) also checks the database and that the index is loaded."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.web.deps import CurrentAssistant

router = APIRouter()


@router.get("/healthz", summary="健康检查")
def healthz(a: CurrentAssistant):
    m = a.index.manifest if a else {}
    return {"status": "ok", "items": m.get("counts", {}).get("items"), "chunks": m.get("counts", {}).get("chunks"),
            "embedder": m.get("embedder"), "built_at": m.get("built_at")}
