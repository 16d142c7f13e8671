"""CPU time of one `/v1/chat` request, stage by stage: embed, retrieve, rank, compose, web.

    .venv/bin/python eval/stage_cpu.py [--n 200] [--threads 1] [--out eval/reports/stage-cpu.json]

Wall-clock latency on a shared 2-core machine moves with the neighbours' load; CPU time
(`time.process_time`, every thread of this process) barely does, so a before/after comparison of
one change is read here and the quiet-machine latency in `eval/bench.py`.  One client asks the
bench questions (`bench.questions`) one at a time through the real app (FastAPI TestClient, a
SQLite conversation store in a temporary folder), with the query-vector cache off so that every
question is embedded.  The stages are CPU time of the thread that answers (`time.thread_time`; the
embedding runs on one OpenMP thread here, which costs about as much CPU as two: 27.8 against 29.3 ms
a question, measured); the request total is the whole process's (`time.process_time`; requests are
sequential), so `web` also holds the server's other threads:

* embed    — the query embedding (`embedder.queries`);
* retrieve — `HybridRetriever.search` without the embedding (BM25, FAISS, fusion, citable filter);
* rank     — the service-item ranking (`rank_items.Router.rank`) and the answer-line ranking (`lead.LeadSelector.rank`);
* compose  — the rest of `Assistant.answer`: understanding, the dialogue rules, the answer text;
* web      — the rest of the request: routing, validation, the conversation store, metrics, JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CLOCK = time.thread_time  # the stages run on the request's thread (the embedding too, with one OpenMP thread)
STAGES = ("embed", "retrieve", "rank", "compose", "web")


class Meter:
    """Adds the CPU time spent inside wrapped callables to named counters; nested calls of a
    counter already running are counted once, and `exclusive` counters subtract their inner ones."""

    def __init__(self):
        self.total: dict[str, float] = {}
        self._depth: dict[str, int] = {}

    def wrap(self, name: str, fn):
        def timed(*a, **kw):
            if self._depth.get(name):
                return fn(*a, **kw)
            self._depth[name] = 1
            t = CLOCK()
            try:
                return fn(*a, **kw)
            finally:
                self.total[name] = self.total.get(name, 0.0) + CLOCK() - t
                self._depth[name] = 0
        return timed

    def take(self) -> dict[str, float]:
        out, self.total = self.total, {}
        return out


def instrument(app_assistant, meter: Meter) -> None:
    """Wrap the stage boundaries of one Assistant (instance attributes, nothing global)."""
    a = app_assistant
    emb = a.index.embedder
    emb.queries = meter.wrap("embed", emb.queries)
    a.retriever.search = meter.wrap("search", a.retriever.search)
    a.router.rank = meter.wrap("rank_items", a.router.rank)
    a.direct.selector.rank = meter.wrap("lead", a.direct.selector.rank)
    a.answer = meter.wrap("answer", a.answer)


def stages(raw: dict[str, float], request: float) -> dict[str, float]:
    embed = raw.get("embed", 0.0)
    retrieve = raw.get("search", 0.0) - embed
    rank = raw.get("rank_items", 0.0) + raw.get("lead", 0.0)
    answer = raw.get("answer", 0.0)
    return {"embed": embed, "retrieve": retrieve, "rank": rank, "compose": answer - embed - retrieve - rank,
            "web": request - answer}


def run(n: int, threads: int | None) -> dict:
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    from fastapi.testclient import TestClient

    from assistant.config import get_settings
    from assistant.core.assistant import Assistant
    from assistant.core.index.build import load_index
    from assistant.store.conversations import SessionStore
    from assistant.web.app import create_app
    from bench import questions

    settings = get_settings(query_cache_size=0, rate_limits="off")
    t = time.process_time()
    a = Assistant(load_index(settings))
    startup = time.process_time() - t
    meter = Meter()
    instrument(a, meter)
    qs = questions(n)
    per: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(f"sqlite:///{Path(tmp) / 'sessions.db'}")
        with TestClient(create_app(settings, a, store)) as c:
            for q in qs[:10]:  # warm-up: first-call imports and caches
                c.post("/v1/chat", json={"message": q})
            meter.take()
            for q in qs:
                t = time.process_time()
                r = c.post("/v1/chat", json={"message": q})
                request = time.process_time() - t
                assert r.status_code == 200, r.text
                for k, v in stages(meter.take(), request).items():
                    per[k].append(v * 1000)
                per["total"].append(request * 1000)
    return {"n": len(qs), "omp_threads": os.environ.get("OMP_NUM_THREADS", "default"),
            "startup_cpu_s": round(startup, 2),
            "cpu_ms": {k: {"mean": round(float(np.mean(v)), 2), "p50": round(float(np.percentile(v, 50)), 2),
                           "p95": round(float(np.percentile(v, 95)), 2)} for k, v in per.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1,
                    help="OMP_NUM_THREADS for the embedding (default 1: its CPU time is then on the request's thread)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    report = run(args.n, args.threads)
    print(f"{'stage':<10}{'mean':>9}{'p50':>9}{'p95':>9}   (CPU ms per /v1/chat, {report['n']} questions)")
    for k, v in report["cpu_ms"].items():
        print(f"{k:<10}{v['mean']:>9.2f}{v['p50']:>9.2f}{v['p95']:>9.2f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    # this checkout's code (not an installed copy) and bench.questions
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
    raise SystemExit(main())
