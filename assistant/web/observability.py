"""Watching a running service: one JSON log line per request, Prometheus metrics at
`/metrics`, and `/readyz` that checks the database and the index.

`install(app)` is the only thing `create_app` calls.  It adds

- an ASGI middleware that gives every request an id (the caller's `X-Request-ID` when it is a
  plain token, otherwise a new one, echoed in the response), times it, counts it per route
  template (`/v1/items/{item_id}`, never the raw path, never the query string) and writes one
  line such as::

      {"ts": "2026-12-01T15:02:11.418Z", "level": "INFO", "logger": "assistant.access",
       "msg": "request", "request_id": "5f0c…", "method": "POST", "route": "/v1/chat",
       "status": 200, "duration_ms": 41.7, "kind": "guide", "rule": "guide: 结婚登记",
       "rules": ["rule:followup-rewrite"], "channel": "web"}

  Nothing the person typed is logged: the rule is the pipeline's decision with anything quoted
  from the question (「…」) and every number removed, and the rule names lose their arguments
  (`rule:typo:婚姻→结婚` is logged as `rule:typo`).
- `GET /metrics` (Prometheus text format) and `GET /readyz` (200, or 503 with the reason in Chinese).

The answer's kind and rule reach the request line through `note_answer`, called once by the
chat handler; the request id reaches every other log line of that request through a context
variable (`RequestIdFilter`).

Several worker processes (`assistant serve --workers N`) share their counters through
prometheus-client's multiprocess mode: `serve` sets `PROMETHEUS_MULTIPROC_DIR` before the
workers start, and `/metrics` then adds up every worker's files.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from assistant.core.dialogue.decision import CURATED, rule_of

access_log = logging.getLogger("assistant.access")
log = logging.getLogger("assistant.observability")

# per-request facts filled in while the request runs (a dict, so threadpool copies of the context share it)
_request: ContextVar[dict | None] = ContextVar("assistant_request", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8)


def current_request_id() -> str | None:
    state = _request.get()
    return state["request_id"] if state else None


# ------------------------------------------------------------------ what decided, without personal data

_QUOTED = re.compile(r"「[^」]*」")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def decision_label(trace: dict) -> str:
    """The pipeline's decision, safe to log: `clarify: 「火星居住权」 not in any guide or law` →
    `clarify: 「…」 not in any guide or law`; a reviewed answer (deciding rule `curated-answer`) → `curated`;
    `guide: 结婚登记 (faq)` stays (item names come from the guides, not from the person)."""
    if rule_of(trace) == CURATED:
        return "curated"
    decision = _QUOTED.sub("「…」", str(trace.get("decision") or ""))
    return _NUMBER.sub("N", decision)[:80] or "none"


def metric_rule(kind: str, rule: str) -> str:
    """`decision_label` for a metric label: the item name of a guide answer is dropped, so the number of
    series does not grow with the catalogue (`guide: 结婚登记 (faq)` → `guide (faq)`)."""
    if kind == "guide" and rule.startswith("guide:"):
        return "guide (faq)" if rule.endswith("(faq)") else "guide"
    return rule


def rule_names(trace: dict) -> list[str]:
    """`rule:typo:婚姻→结婚` → `rule:typo`: the argument may be the person's own words."""
    out = []
    for r in trace.get("rules") or []:
        parts = str(r).split(":")
        out.append(":".join(parts[:2]))
    return list(dict.fromkeys(out))


def llm_fallback_reason(trace: dict) -> str | None:
    """Why the LLM phrasing was not used (`timeout`, `check failed`, `error`, `skipped`), or None."""
    info = trace.get("llm")
    if not isinstance(info, dict) or info.get("used"):
        return None
    reason = str(info.get("reason") or "unknown")
    return re.split(r"[:(]", reason, maxsplit=1)[0].strip() or "unknown"


# ------------------------------------------------------------------ metrics


class Metrics:
    """This app's counters, on their own registry (several apps may live in one test process)."""

    def __init__(self, app: FastAPI):
        self.app = app
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("assistant_http_requests_total", "HTTP requests by route template and status",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("assistant_http_request_duration_seconds",
                                 "Time to the last byte of the response, by route template",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=r)
        self.answers = Counter("assistant_answers_total", "Answers by kind and by the rule that decided",
                               ["kind", "rule", "channel"], registry=r)
        self.refusals = Counter("assistant_refusals_total", "Refused questions by rule", ["rule"], registry=r)
        self.clarifications = Counter("assistant_clarifications_total", "Clarifying questions asked, by rule",
                                      ["rule"], registry=r)
        self.llm_fallbacks = Counter("assistant_llm_fallbacks_total",
                                     "LLM phrasing not used, the extractive answer stood, by reason",
                                     ["reason"], registry=r)
        self.llm_used = Counter("assistant_llm_phrased_total", "Answers phrased by the LLM", registry=r)
        r.register(_StateCollector(app))
        from assistant.core.index.backends import CACHE_LOOKUPS

        r.register(CACHE_LOOKUPS)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            merged.register(_StateCollector(self.app))
            return generate_latest(merged)
        return generate_latest(self.registry)


class _StateCollector:
    """Read at scrape time: the loaded index (size and age) and the ratings stored in the database
    (the same numbers on every replica: aggregate them with max, not sum)."""

    def __init__(self, app: FastAPI):
        self.app = app

    def describe(self):
        return []

    def collect(self):
        a = getattr(self.app.state, "assistant", None)
        manifest = a.index.manifest if a is not None else {}
        counts = manifest.get("counts", {})
        chunks = GaugeMetricFamily("assistant_index_chunks", "Chunks in the loaded index", labels=["kind"])
        for kind, key in (("all", "chunks"), ("guide", "guide_chunks"), ("law", "law_chunks")):
            if counts.get(key) is not None:
                chunks.add_metric([kind], counts[key])
        yield chunks
        yield GaugeMetricFamily("assistant_index_items", "Service items in the loaded index",
                                value=counts.get("items") or 0)
        built = _parse_time(manifest.get("built_at"))
        if built is not None:
            yield GaugeMetricFamily("assistant_index_built_timestamp_seconds", "When the loaded index was built",
                                    value=built)
            yield GaugeMetricFamily("assistant_index_age_seconds", "Age of the loaded index",
                                    value=max(0.0, time.time() - built))
        yield from self._ratings()

    def _ratings(self):
        feedback = getattr(self.app.state, "feedback", None)
        if feedback is None:
            return
        try:
            ratings, cases = feedback.counts()
        except Exception as e:  # noqa: BLE001 - a scrape must not fail because the database is down
            log.warning("metrics: ratings unavailable (%s)", type(e).__name__)
            return
        g = GaugeMetricFamily("assistant_ratings", "好差评 ratings stored, by rating", labels=["rating"])
        for rating, n in ratings:
            g.add_metric([rating], n)
        yield g
        g = GaugeMetricFamily("assistant_feedback_cases", "Follow-up cases opened by bad ratings, by status",
                              labels=["status"])
        for status, n in cases:
            g.add_metric([status], n)
        yield g


def _parse_time(value) -> float | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None


# ------------------------------------------------------------------ the per-request middleware


class RequestObserver:
    """Pure ASGI (so streamed answers are timed to their last byte and never buffered)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = {"request_id": rid, "status": 500}
        # not reset afterwards: the request's own task ends with it, and the 500 handler, which runs
        # outside this middleware, still logs with the request id
        _request.set(state)
        t0 = time.perf_counter()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._done(scope, state, time.perf_counter() - t0)

    def _done(self, scope, state: dict, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or _mount_of(scope)
        method = scope.get("method", "GET")
        self.metrics.requests.labels(method, route, str(state["status"])).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        if route in ("/metrics", "/readyz", "/healthz") and state["status"] < 400:
            return  # probes every few seconds would drown the log
        fields = {"request_id": state["request_id"], "method": method, "route": route, "status": state["status"],
                  "duration_ms": round(seconds * 1000, 1)}
        for key in ("kind", "rule", "rules", "channel", "answer_by"):
            if key in state:
                fields[key] = state[key]
        access_log.info("request", extra={"fields": fields})


def _mount_of(scope) -> str:
    path = scope.get("path", "")
    for prefix in ("/web/", "/staff/"):
        if path.startswith(prefix):
            return prefix + "*"
    return "unmatched"


def note_answer(app: FastAPI, kind: str, trace: dict) -> None:
    """Called by the chat handler once per answer: counts it and adds kind and rule to the request line."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    rule = decision_label(trace)
    channel = str(trace.get("channel") or "web")[:20]
    state = _request.get()
    if state is not None:
        state.update(kind=kind, rule=rule, rules=rule_names(trace), channel=channel,
                     answer_by=str(trace.get("answer_by", "")).split(":")[0])
    if metrics is None:
        return
    label = metric_rule(kind, rule)
    metrics.answers.labels(kind, label, channel).inc()
    if kind == "refuse":
        metrics.refusals.labels(label).inc()
    elif kind == "clarify":
        metrics.clarifications.labels(label).inc()
    reason = llm_fallback_reason(trace)
    if reason is not None:
        metrics.llm_fallbacks.labels(reason).inc()
    elif isinstance(trace.get("llm"), dict):
        metrics.llm_used.inc()


# ------------------------------------------------------------------ readiness


def readiness(app: FastAPI) -> tuple[bool, dict[str, str], str]:
    """(ready, every check's result, the first failure in Chinese)."""
    checks: dict[str, str] = {}
    reasons: list[str] = []
    store = getattr(app.state, "store", None)
    try:
        store.ping()
        checks["database"] = "ok"
    except Exception as e:  # noqa: BLE001 - any failure means not ready; the type says which
        checks["database"] = f"error: {type(e).__name__}"
        reasons.append(f"数据库不可用（{type(e).__name__}），请检查 ASSISTANT_DATABASE_URL 与数据库服务")
    a = getattr(app.state, "assistant", None)
    if a is None:
        checks["index"] = "not loaded"
        reasons.append("索引尚未加载")
    else:
        index = a.index
        n = len(index.chunks)
        if n == 0:
            checks["index"] = "empty"
            reasons.append("索引为空，请运行 `assistant index build`")
        elif index.manifest.get("counts", {}).get("chunks") != n:
            checks["index"] = "incomplete"
            reasons.append("索引不完整（片段数与清单不符），请运行 `assistant index build`")
        else:
            checks["index"] = "ok"
        backend_ready = getattr(a.retriever, "ready", None)  # e.g. a remote search engine
        if backend_ready is not None:
            problem = backend_ready()
            checks["search_backend"] = "ok" if problem is None else "error"
            if problem is not None:
                reasons.append(problem)
    return not reasons, checks, "；".join(reasons)


# ------------------------------------------------------------------ wiring


def install(app: FastAPI) -> None:
    """Add the request middleware, `/metrics` and `/readyz` to `app` (call at the end of create_app)."""
    metrics = Metrics(app)
    app.state.metrics = metrics
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def prometheus_metrics():
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/readyz", summary="就绪检查（数据库与索引）",
                responses={503: {"description": "未就绪，reason 说明原因"}})
    def readyz():
        ready, checks, reason = readiness(app)
        if ready:
            return {"status": "ready", "checks": checks}
        log.warning("not ready: %s", reason)
        return JSONResponse(status_code=503, content={"status": "not_ready", "reason": reason, "checks": checks})

    app.include_router(router)
    app.add_middleware(RequestObserver, metrics=metrics)


# ------------------------------------------------------------------ JSON logs


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
               .replace("+00:00", "Z"), "level": record.levelname, "logger": record.name,
               "msg": record.getMessage()}
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO", json_logs: bool = True) -> dict:
    """A `logging.config.dictConfig` for `assistant serve` (given to uvicorn as `log_config`, so every
    worker process uses it): the app's own loggers and uvicorn's, on stderr, as JSON lines.
    uvicorn's access log is off: `assistant.access` writes the request lines."""
    fmt = {"()": "assistant.web.observability.JsonFormatter"} if json_logs else \
        {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "main",
               "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "assistant.web.observability.RequestIdFilter"}},
        "formatters": {"main": fmt},
        "handlers": {"main": handler},
        "loggers": {
            "assistant": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
        "root": {"handlers": ["main"], "level": "WARNING"},
    }
