"""命中测试 (hit test): what retrieval finds and what the assistant would answer, for one question or a batch.

* ``GET /staff/api/hit-test?q=公积金租房能取吗&k=10`` — the fused hits (BM25 and vector scores and ranks) and
  the outcome: kind, deciding rule's text, items, citations, the "why" in Chinese.
* ``POST /staff/api/hit-test`` ``{"text": "结婚登记要带什么\\tmarriage-registration\\n在哪里办护照\\t拒答"}`` (or
  ``"cases": [{"question": …, "expected": …}]``), up to 200 questions: each with hit (the first item is the
  expected one and nothing asks to choose), hit_any (among the items), and the rates.  The expected value is
  an item id or name, or a kind: 拒答/refuse, 转人工/handoff, 澄清/clarify, 政策/policy.
"""
from __future__ import annotations

import csv
import io
from collections import Counter

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assistant.core.assistant import Context
from assistant.core.dialogue.decision import CURATED, rule_of
from assistant.core.rule_labels import explain, labelled
from assistant.web.staff.deps import Console, StaffError, staff_api

BATCH_LIMIT = 200
KIND_WORDS = {"refuse": "refuse", "拒答": "refuse", "拒绝": "refuse", "handoff": "handoff", "转人工": "handoff",
              "clarify": "clarify", "澄清": "clarify", "policy": "policy", "政策": "policy"}


class HitCase(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    expected: str | None = Field(None, max_length=128)


class BatchRequest(BaseModel):
    cases: list[HitCase] = Field(default_factory=list, max_length=BATCH_LIMIT)
    text: str | None = Field(None, max_length=200_000, description="每行一题：问题<Tab或逗号>期望事项（编号或名称）")


def parse_batch(text: str) -> list[HitCase]:
    """Lines of `question<TAB>expected` or CSV `question,expected`; a header line is skipped."""
    rows: list[HitCase] = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        if "\t" in line:
            parts = line.split("\t")
        else:
            parts = next(csv.reader(io.StringIO(line.replace("，", ","))), [line])
        q = parts[0].strip()
        exp = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
        if not rows and q.lower() in ("question", "问题", "q"):
            continue
        if q:
            rows.append(HitCase(question=q[:500], expected=exp[:128] if exp else None))
    return rows


def outcome(a, question: str) -> dict:
    """What the assistant answers to ``question`` as the first message of a conversation."""
    r = a.answer(question, Context())
    resp, trace = r, r.trace
    return {"kind": resp.kind, "decision": trace.get("decision"), "answer": resp.answer,
            "items": [{"id": i.id, "name": i.name, "score": i.score} for i in resp.items],
            "citations": [c.chunk_id for c in resp.citations], "ranked": trace.get("items", []),
            "signals": trace.get("signals"), "rules": trace.get("rules", []), "query": trace.get("query"),
            "curated": rule_of(trace) == CURATED, "ms": trace.get("ms"),
            "why": explain(trace), "rule_labels": labelled(trace.get("rules"))}


def resolve_expected(a, exp: str | None) -> tuple[str | None, str | None, str | None]:
    """(item id, expected kind, error)."""
    if not exp:
        return None, None, None
    e = exp.strip()
    if e.lower() in KIND_WORDS:
        return None, KIND_WORDS[e.lower()], None
    if e in a.guides:
        return e, None, None
    by_name = {g.name: g.id for g in a.index.corpus.guides}
    if e in by_name:
        return by_name[e], None, None
    return None, None, f"未知的期望事项「{e}」"


def score_case(a, c: HitCase) -> dict:
    """One row of a batch: the outcome and whether it hit what was expected (None: nothing to score)."""
    exp_id, exp_kind, error = resolve_expected(a, c.expected)
    o = outcome(a, c.question)
    got = [i["id"] for i in o["items"]]
    hit = hit_any = None
    if exp_id:
        hit, hit_any = bool(got) and got[0] == exp_id and o["kind"] != "clarify", exp_id in got
    elif exp_kind:
        hit = hit_any = o["kind"] == exp_kind
    return {"question": c.question, "expected": c.expected, "expected_id": exp_id,
            "expected_kind": exp_kind, "error": error, "kind": o["kind"], "decision": o["decision"],
            "items": o["items"], "hit": hit, "hit_any": hit_any, "curated": o["curated"]}


def router(console: Console) -> APIRouter:
    api = staff_api()

    @api.get("/hit-test", summary="命中测试：融合检索（BM25 与向量分数）和路由结果")
    def hit_test(q: str = Query(min_length=1, max_length=500), k: int = Query(10, ge=1, le=50)):
        a = console.assistant()
        retrieval = a.search(q, k=k)
        return {"query": q, "search_text": retrieval.query,
                "results": [h.as_dict() | {"bm25_rank": h.bm25_rank, "dense_rank": h.dense_rank, "kind": h.chunk.kind,
                                           "item_id": h.chunk.item_id} for h in retrieval.hits[:k]],
                "outcome": outcome(a, q)}

    @api.post("/hit-test", summary="批量命中测试：每题的结果与命中率")
    def hit_test_batch(body: BatchRequest):
        a = console.assistant()
        cases = list(body.cases) + (parse_batch(body.text) if body.text else [])
        if not cases:
            raise StaffError(422, "invalid_request", "请至少提供一道题（每行：问题<Tab>期望事项）")
        if len(cases) > BATCH_LIMIT:
            raise StaffError(422, "invalid_request", f"一次最多 {BATCH_LIMIT} 道题")
        rows = [score_case(a, c) for c in cases]
        scored = [r for r in rows if r["hit"] is not None]
        hits, hits_any = sum(r["hit"] for r in scored), sum(r["hit_any"] for r in scored)
        n = len(scored)
        return {"total": len(rows), "scored": n, "hits": hits, "hit_rate": round(hits / n, 4) if n else None,
                "hit_any_rate": round(hits_any / n, 4) if n else None,
                "kinds": dict(Counter(r["kind"] for r in rows)), "results": rows}

    return api
