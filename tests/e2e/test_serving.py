"""`assistant serve --workers 2`: both workers answer, /metrics adds up their counters, a stale
index is refused before any worker starts."""
from __future__ import annotations

import os
import re
import sys
import time

import httpx
import pytest

from servers import ensure_index, run_cli, serve


@pytest.mark.slow
def test_two_workers_answer_and_metrics_add_up_across_them(tmp_path):
    ensure_index()
    env = {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "serve.log"
    with serve([sys.executable, "-m", "assistant.cli", "serve", "--workers", "2"], log, env=env,
               ready="/readyz") as s:
        deadline = time.monotonic() + 120
        while log.read_text(errors="replace").count("startup complete") < 2 and time.monotonic() < deadline:
            time.sleep(0.5)  # both workers have loaded their index
        with httpx.Client(base_url=s.url, timeout=60) as c:
            for _ in range(12):  # new connections are spread over the workers by the kernel
                r = httpx.post(s.url + "/v1/chat", json={"message": "结婚登记要带什么"}, timeout=60)
                assert r.status_code == 200 and r.json()["kind"] == "guide"
            m = c.get("/metrics").text
        total = sum(float(line.rsplit(" ", 1)[1]) for line in m.splitlines()
                    if line.startswith("assistant_answers_total{"))
        assert total == 12  # whichever worker answered the scrape, it reports both workers' answers
        assert re.search(r'assistant_http_request_duration_seconds_count\{method="POST",route="/v1/chat"\} 12', m)
        workers = [ln for ln in log.read_text(errors="replace").splitlines() if "Started server process" in ln]
        pids = {re.search(r"\[(\d+)\]", ln).group(1) for ln in workers}
        assert len(pids) == 2


def test_serve_refuses_a_stale_index_and_names_the_command(tmp_path):
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "no-index")}
    r = run_cli(["serve", "--workers", "2", "--port", "1"], env)
    assert r.returncode == 1 and "assistant index build" in r.stderr
