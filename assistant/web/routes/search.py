"""``GET /v1/search?q=…&k=…``: the retrieval itself, without an answer — what the dialogue would cite.

Hybrid: BM25 over segmented Chinese and dense vectors, fused by reciprocal rank (RRF); every hit shows
both scores, e.g. ``/v1/search?q=身份证&k=3`` → the 居民身份证法 articles and the 身份证 guide fields."""
from __future__ import annotations

from fastapi import APIRouter, Query

from assistant.web.deps import CurrentAssistant
from assistant.web.errors import documented
from assistant.web.schemas import SearchResponse, SearchResult

router = APIRouter()


@router.get("/v1/search", response_model=SearchResponse, responses=documented(422, 429),
            summary="混合检索（BM25 + 向量，RRF 融合）")
def search(a: CurrentAssistant, q: str = Query(min_length=1, max_length=500), k: int = Query(10, ge=1, le=50)):
    retrieval = a.search(q, k=k)
    return SearchResponse(results=[SearchResult(**h.as_dict()) for h in retrieval.hits[:k]])
