"""Benchmark of publishing one edited guide from the staff console (issue 13; target ≤ 15 s on 2 cores):
validate, keep the version, write the YAML file, rebuild the index incrementally (only that guide's
changed texts are tokenised and embedded), load it and swap it in.  Runs on a copy of corpus/ and
index/ (the index in the project folder is never written), for two corpora:

* ``default``: the index as configured (the 32 default laws);
* ``regulations``: with the administrative regulations of ../shared/corpus/laws and the laws.db laws
  the guides cite (ASSISTANT_REGULATION_DIRS, ASSISTANT_CITED_LAWS).  The copy is first brought up to
  date by an untimed build (`prepare`), whose vectors all come with the project (nothing is embedded).

Each run changes the window of 结婚登记 and asks "结婚登记在哪个窗口办" on the swapped-in index.  An index
built before tokens.json existed has no token cache: its first publish tokenises every text (shown in
the "tokenised" column) and writes the cache the later ones use.  Prints a table per corpus and writes
eval/reports/publish-bench.json with each run, the median and the load average.

Usage:  python eval/publish_bench.py [--runs 3] [--corpus default regulations]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.core.index.build import build_index, check_fresh, load_index  # noqa: E402
from assistant.core.index.load import IndexError_  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402
from assistant.service.publish import Publisher  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

CORPORA = {"default": {},
           "regulations": {"regulation_dirs": [ROOT.parent / "shared" / "corpus" / "laws"], "cited_laws": True}}
TARGET_SECONDS = 15


def prepare(s) -> dict | None:
    """Bring the copied index up to date for the settings `s` (untimed in the runs); None when it was."""
    try:
        check_fresh(s)
        return None
    except IndexError_:
        t0 = time.perf_counter()
        m = build_index(s, log=lambda *_: None)
        return {"seconds": round(time.perf_counter() - t0, 2), "embedded_now": m["counts"]["embedded_now"]}


def bench(name: str, runs: int) -> dict:
    base = get_settings()
    with tempfile.TemporaryDirectory(prefix="daoban-publish-bench-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(base.corpus_dir, tmp / "corpus")
        shutil.copytree(base.index_dir, tmp / "index", ignore=shutil.ignore_patterns(".building"))
        s = get_settings(corpus_dir=tmp / "corpus", index_dir=tmp / "index", **CORPORA[name])
        prepared = prepare(s)
        token_cache = (s.index_dir / "tokens.json").exists()
        t0 = time.perf_counter()
        state = SimpleNamespace(assistant=Assistant(load_index(s)), curated=None)
        load_s = time.perf_counter() - t0
        manifest = state.assistant.index.manifest
        pub = Publisher(create_engine(f"sqlite:///{tmp / 'v.db'}"))
        out = []
        for i in range(runs):
            data = pub.read(state.assistant.index, "marriage-registration")
            data["办理地点"]["窗口"] = [f"A{60 + i}"]
            r = pub.publish(state, "marriage-registration", data, "bench", note=f"run {i}")
            answer = state.assistant.answer("结婚登记在哪个窗口办").answer
            assert f"A{60 + i}" in answer
            counts = state.assistant.index.manifest["counts"]
            out.append(r["seconds"] | {"embedded_now": counts["embedded_now"],
                                       "tokenised_now": counts.get("tokenised_now")})
    return {"counts": manifest["counts"], "law_sources": manifest["law_sources"], "prepared": prepared,
            "token_cache_at_start": token_cache, "initial_load_seconds": round(load_s, 2),
            "publish_one_guide": out,
            "median_seconds": statistics.median(r["total"] for r in out),
            "load_average_after": os.getloadavg()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    args = ap.parse_args()
    report = {"cpus": os.cpu_count(), "load_average_before": os.getloadavg(), "target_seconds": TARGET_SECONDS,
              "corpora": {}}
    for name in args.corpus:
        r = report["corpora"][name] = bench(name, args.runs)
        c = r["counts"]
        print(f"\n{name}: {c['chunks']} chunks ({c['law_chunks']} law, {c['laws']} laws); "
              f"prepared {r['prepared']}; token cache at start: {r['token_cache_at_start']}; "
              f"load {r['initial_load_seconds']:.1f} s")
        print(f"{'run':>3} {'total s':>8} {'rebuild+swap s':>15} {'embedded':>9} {'tokenised':>10}")
        for i, run in enumerate(r["publish_one_guide"]):
            print(f"{i:3d} {run['total']:8.2f} {run['rebuild_and_swap']:15.2f} {run['embedded_now']:9d} "
                  f"{run['tokenised_now']:10d}")
        print(f"median {r['median_seconds']:.2f} s (target ≤ {TARGET_SECONDS} s); "
              f"load average {', '.join(f'{x:.1f}' for x in r['load_average_after'])}")
    out = ROOT / "eval" / "reports" / "publish-bench.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\ncpus {os.cpu_count()}; report {out}")


if __name__ == "__main__":
    main()
