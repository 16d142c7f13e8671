"""Benchmark of publishing one edited guide from the staff console (issue 13; target ≤ 15 s on 2 cores):
validate, keep the version, write the YAML file, rebuild the index incrementally (only that guide's chunks
are embedded), load it and swap it in.  Runs on a copy of corpus/ and index/; prints a table and writes
eval/reports/publish-bench.json together with the counts of the default index (regulations included).

Usage:  python eval/publish_bench.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.core.index.build import load_index  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402
from assistant.service.publish import Publisher  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    base = get_settings()
    manifest = json.loads((base.index_dir / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="daoban-publish-bench-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(base.corpus_dir, tmp / "corpus")
        shutil.copytree(base.index_dir, tmp / "index", ignore=shutil.ignore_patterns(".building"))
        s = get_settings(corpus_dir=tmp / "corpus", index_dir=tmp / "index")
        t0 = time.perf_counter()
        state = SimpleNamespace(assistant=Assistant(load_index(s)), curated=None)
        load_s = time.perf_counter() - t0
        pub = Publisher(create_engine(f"sqlite:///{tmp / 'v.db'}"))
        runs = []
        for i in range(args.runs):
            data = pub.read(state.assistant.index, "marriage-registration")
            data["办理地点"]["窗口"] = [f"A{60 + i}"]
            r = pub.publish(state, "marriage-registration", data, "bench", note=f"run {i}")
            answer = state.assistant.answer("结婚登记在哪个窗口办").answer
            assert f"A{60 + i}" in answer
            runs.append(r["seconds"] | {"embedded_now": r["embedded_now"]})
    report = {
        "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "index": {"counts": manifest["counts"], "build_seconds": manifest["seconds"],
                  "law_sources": manifest["law_sources"]},
        "initial_load_seconds": round(load_s, 2),
        "publish_one_guide": runs,
        "target_seconds": 15,
    }
    out = ROOT / "eval" / "reports" / "publish-bench.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"index: {manifest['counts']['chunks']} chunks ({manifest['counts']['law_chunks']} law, "
          f"{manifest['counts']['laws']} laws); load {load_s:.1f} s; cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    print(f"{'run':>3} {'total s':>8} {'rebuild+swap s':>15} {'embedded':>9}")
    for i, r in enumerate(runs):
        print(f"{i:3d} {r['total']:8.2f} {r['rebuild_and_swap']:15.2f} {r['embedded_now']:9d}")
    print(f"report {out}")


if __name__ == "__main__":
    main()
