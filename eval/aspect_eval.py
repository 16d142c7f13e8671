"""How well the assistant reads WHAT a question asks (its aspects: 材料, 时限, 收费, 地点, 网办, 依据, 流程, 条件,
代办, 电话).  eval/aspect_dev.jsonl holds short questions and follow-ups in citizens' own words, each with the
expected set of aspects (empty: a bare "I want to do X"), split tune / holdout.  Reads them the way the assistant
does (understand.aspects_of with the corpus' item names masked out) and reports exact-set accuracy and per-aspect
precision / recall.  Needs no index: only the corpus' guide names.

    python eval/aspect_eval.py                         # tune split → eval/reports/aspect.json
    python eval/aspect_eval.py --split all NAME        # tune and holdout → eval/reports/NAME.json
"""
from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.core import understand as U  # noqa: E402
from assistant.core.corpus.load import load_corpus  # noqa: E402


def reader():
    """The assistant's aspect reading: with the item names masked out where the code supports it."""
    if "names" in inspect.signature(U.aspects_of).parameters:
        names = U.item_names(load_corpus(get_settings().corpus_dir).guides)
        return lambda q: U.aspects_of(q, names)
    return U.aspects_of


def score(rows: list[dict], read) -> dict:
    aspects = sorted({a for r in rows for a in r["aspects"]} | set(U.ASPECT_PATTERNS))
    tp = {a: 0 for a in aspects}
    fp, fn = dict(tp), dict(tp)
    exact, misses = 0, []
    for r in rows:
        want, got = set(r["aspects"]), set(read(r["q"]))
        exact += want == got
        if want != got:
            misses.append({"q": r["q"], "want": sorted(want), "got": sorted(got)})
        for a in aspects:
            tp[a] += a in want and a in got
            fp[a] += a in got and a not in want
            fn[a] += a in want and a not in got
    per = {a: {"precision": round(tp[a] / (tp[a] + fp[a]), 3) if tp[a] + fp[a] else None,
               "recall": round(tp[a] / (tp[a] + fn[a]), 3) if tp[a] + fn[a] else None,
               "n": tp[a] + fn[a]} for a in aspects}
    return {"n": len(rows), "exact": round(exact / len(rows), 3), "per_aspect": per, "misses": misses}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name", nargs="?", default="aspect")
    ap.add_argument("--split", default="tune", choices=["tune", "holdout", "all"])
    ap.add_argument("--show", action="store_true", help="print the misses")
    args = ap.parse_args()
    rows = [json.loads(x) for x in (ROOT / "eval" / "aspect_dev.jsonl").read_text(encoding="utf-8").splitlines() if x]
    read = reader()
    splits = ["tune", "holdout"] if args.split == "all" else [args.split]
    report = {s: score([r for r in rows if r["split"] == s], read) for s in splits}
    print(f"{'split':8} {'n':>4} {'exact':>6}   " + " ".join(f"{a[:6]:>11}" for a in U.ASPECT_PATTERNS))
    for s, rep in report.items():
        cells = []
        for a in U.ASPECT_PATTERNS:
            p = rep["per_aspect"][a]
            cells.append(f"{(p['precision'] if p['precision'] is not None else 0):.2f}/{(p['recall'] or 0):.2f}".rjust(11))
        print(f"{s:8} {rep['n']:>4} {rep['exact']:>6.3f}   " + " ".join(cells))
        if args.show:
            for m in rep["misses"]:
                print(f"   {m['q']}  want={m['want']} got={m['got']}")
    print("(cells: precision/recall)")
    out = ROOT / "eval" / "reports" / f"{args.name}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"→ {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
