"""The eval on both search backends, side by side (issue 14, item 5).

    .venv/bin/assistant eval --backend local          # → eval/reports/eval-full-local.json
    ASSISTANT_MILVUS_URI=var/milvus.db .venv/bin/assistant eval --backend milvus   # → eval-full-milvus.json
    .venv/bin/python eval/compare_backends.py [--build-seconds S]

Writes eval/reports/eval-backends.json and .md: every metric of every set and split, in points
(percentage points), with the difference milvus − local.  The target is |difference| ≤ 1 point.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPORTS = Path(__file__).resolve().parent / "reports"
NOT_RATES = {"n"}


def rows(local: dict, milvus: dict) -> list[dict]:
    out = []
    for name, result in local.items():
        if name == "refusal" or "ours" not in result:
            continue
        for split, metrics in result["ours"].items():
            other = milvus.get(name, {}).get("ours", {}).get(split, {})
            for metric, value in metrics.items():
                if metric in NOT_RATES or metric not in other:
                    continue
                a, b = round(100 * value, 2), round(100 * other[metric], 2)
                out.append({"set": name, "split": split, "metric": metric, "local": a, "milvus": b,
                            "diff_points": round(b - a, 2), "within_1_point": abs(b - a) <= 1.0,
                            "n": metrics.get("n")})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--local", type=Path, default=REPORTS / "eval-full-local.json")
    ap.add_argument("--milvus", type=Path, default=REPORTS / "eval-full-milvus.json")
    ap.add_argument("--build-seconds", type=float, default=None,
                    help="Milvus collection build time for the default corpus (from `assistant index milvus`)")
    ap.add_argument("--note", default="", help="conditions of the run (machine load, Milvus Lite or cluster)")
    args = ap.parse_args(argv)
    local = json.loads(args.local.read_text(encoding="utf-8"))
    milvus = json.loads(args.milvus.read_text(encoding="utf-8"))
    table = rows(local, milvus)
    worst = max((abs(r["diff_points"]) for r in table), default=0.0)
    report = {"target": "every metric within 1 point", "all_within_1_point": all(r["within_1_point"] for r in table),
              "largest_difference_points": worst, "milvus_build_seconds": args.build_seconds, "note": args.note,
              "rows": table}
    (REPORTS / "eval-backends.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["# Eval on both search backends", "",
             "Default: in-process bm25s + FAISS. Milvus: Milvus Lite 3.2.2 through pymilvus 3.0.2 "
             "(dense + built-in BM25 with the jieba analyzer, RRF in the engine).", ""]
    if args.build_seconds is not None:
        lines += [f"Milvus collection build for the default corpus: {args.build_seconds} s.", ""]
    if args.note:
        lines += [args.note, ""]
    lines += [f"Largest difference: {worst} points; all within 1 point: {report['all_within_1_point']}.", "",
              "| set | split | metric | default | Milvus | Δ points |", "|---|---|---|---:|---:|---:|"]
    for r in table:
        mark = "" if r["within_1_point"] else " ⚠"
        lines.append(f"| {r['set']} | {r['split']} (n={r['n']}) | {r['metric']} | {r['local']} | {r['milvus']} | "
                     f"{r['diff_points']:+}{mark} |")
    (REPORTS / "eval-backends.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if report["all_within_1_point"] else 1


if __name__ == "__main__":
    sys.exit(main())
