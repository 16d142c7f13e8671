"""Learn the law re-ranker's weights (assistant/core/law_rank.py) from every labelled law question read so far,
and estimate how well that generalises by LEAVE-ONE-SET-OUT cross-validation.

1. Every law question of the read sets goes through the law ranking's own call path (HybridRetriever.search,
   kind "law", without the re-ranker: the fused order's first law_rank.POOL articles, then their features); an
   article is positive when it is an expected one (policy sets) or the governing one (fact sets, kind law).
   Read sets: the TUNE splits of eval/policy_dev.jsonl and eval/fact_dev.jsonl, policy_fresh, policy_fresh2,
   fact_fresh … fact_fresh8 (each scored once before it was read).  Holdout splits and the sets written for
   this round (policy_fresh3, fact_fresh9) are never read here.
2. A linear score over the standardised features is fitted with a listwise softmax loss plus an L2 penalty
   (catalogue_train.fit, numpy only).
3. Leave one set out: fit on the other sets, rank the left-out set's pools — top-1 and recall@5 next to the
   fused order's.
4. The fit on all read sets is written to assistant/data/law_ranker.json (with this report's name).

    python eval/law_train.py [--no-write] [--l2 0.001 0.01 0.1]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from assistant.config import get_settings  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402
from assistant.core.corpus.laws import short_law_name  # noqa: E402
from assistant.core.index.build import load_index  # noqa: E402
from assistant.core.law_rank import FEATURES, POOL, WEIGHTS, LawRanker  # noqa: E402
from assistant.core.text.normalize import normalize  # noqa: E402
from assistant.evaluation.harness import load_set  # noqa: E402
from catalogue_train import fit  # noqa: E402

# (set name, file, split kept): the read sets, each a fold of the leave-one-set-out check
SETS = (("policy_tune", "policy_dev", "tune"), ("policy_fresh", "policy_fresh", None),
        ("policy_fresh2", "policy_fresh2", None), ("fact_tune", "fact_dev", "tune"),
        *((f"fact_fresh{n}", f"fact_fresh{n}", None) for n in ("", "2", "3", "4", "5", "6", "7", "8")))
REPORT = ROOT / "eval" / "reports" / "law-train.json"


def expected(row: dict) -> set[tuple[str, str]]:
    if "source" in row:  # a fact question: its governing article
        src = row["source"]
        return {(short_law_name(src["law"]), src["article"])} if "law" in src else set()
    return {(short_law_name(e["law"]), e["article"]) for e in row["expected"]}


def rows_of(file: str, split: str | None) -> list[dict]:
    path = ROOT / "eval" / f"{file}.jsonl"
    if not path.exists():
        return []
    rows = [r for r in load_set(path) if split is None or r.get("split", "tune") == split]
    if any(r.get("split") == "holdout" for r in rows):
        raise SystemExit(f"{file}: a holdout row would be read")
    return [r for r in rows if expected(r)]


def collect(a: Assistant, rows: list[dict]) -> list[dict]:
    """Per question: the pool's features, which articles are positive, and the fused order's scores."""
    r = a.retriever
    ranker, r.law_ranker = r.law_ranker, None
    out = []
    try:
        for row in rows:
            query = normalize(row["question"])
            ret = r.search(query, k=POOL, kind="law")
            hits = ret.hits
            if not hits:
                continue
            exp = expected(row)
            out.append({"id": row["id"], "f": r.law_features(query, hits),
                        "fused": -np.arange(len(hits), dtype=np.float64),
                        "pos": np.array([(short_law_name(h.chunk.law), h.chunk.article) in exp for h in hits])})
    finally:
        r.law_ranker = ranker
    return out


def scores(g: dict, ranker: LawRanker | None) -> np.ndarray:
    return g["fused"] if ranker is None else ranker.scores(g["f"]).astype(np.float64)


def metrics(groups: list[dict], ranker: LawRanker | None) -> dict:
    top1 = top5 = 0
    for g in groups:
        order = np.argsort(-scores(g, ranker), kind="stable")
        top1 += bool(g["pos"][order[0]])
        top5 += bool(g["pos"][order[:5]].any())
    n = max(1, len(groups))
    return {"top1": round(top1 / n, 4), "hit5": round(top5 / n, 4), "n": len(groups)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--l2", type=float, nargs="*", default=[0.001, 0.01, 0.1])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    a = Assistant(load_index(get_settings()))
    t0 = time.perf_counter()
    groups = {name: collect(a, rows_of(file, split)) for name, file, split in SETS}
    groups = {k: v for k, v in groups.items() if v}
    names = list(groups)
    report = {"features": list(FEATURES), "pool": POOL, "collect_seconds": round(time.perf_counter() - t0, 1),
              "pool_recall": {s: round(float(np.mean([g["pos"].any() for g in gs])), 4) for s, gs in groups.items()},
              "fused": {s: metrics(gs, None) for s, gs in groups.items()}, "loso": {}}
    for l2 in args.l2:
        report["loso"][str(l2)] = {
            s: metrics(groups[s], LawRanker(fit([g for o in names if o != s for g in groups[o]], l2, names=FEATURES)))
            for s in names}
    mean_hit5 = {l2: float(np.mean([m["hit5"] + m["top1"] for m in report["loso"][str(l2)].values()])) for l2 in args.l2}
    best = max(args.l2, key=mean_hit5.get)
    report["l2"] = best
    final = fit([g for s in names for g in groups[s]], best, names=FEATURES)
    report["weights"] = dict(zip(FEATURES, final["weights"]))
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_write:
        WEIGHTS.write_text(json.dumps({**final, "trained_on": [f"eval/{f}.jsonl" + (f" ({s})" if s else "")
                                                             for _n, f, s in SETS],
                                       "report": "eval/reports/law-train.json"}, indent=1), encoding="utf-8")
    print("set            fused top1/hit5   LOSO top1/hit5 (l2=%s)" % best)
    for s in names:
        f, l = report["fused"][s], report["loso"][str(best)][s]
        print(f"{s:14} {f['top1']:.3f}/{f['hit5']:.3f}      {l['top1']:.3f}/{l['hit5']:.3f}   n={f['n']}")
    print(json.dumps(report["weights"], indent=1))


if __name__ == "__main__":
    main()
