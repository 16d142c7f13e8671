"""Learn the catalogue ranker's weights (assistant/core/catalogue_rank.py) from every labelled catalogue
question read so far, and estimate how well that generalises by LEAVE-ONE-SET-OUT cross-validation.

1. Every question of the read sets (eval/catalogue_dev.jsonl — tune, tune2, tune3 and its holdout split —,
   catalogue_holdout, catalogue_fresh … fresh4, and fresh5 once its final score was taken) goes through the
   catalogue stage's own call path (catalogue_query → embed → CatalogueIndex.candidates → features); a
   candidate is positive when its name is an expected one.  catalogue_fresh6.jsonl is never read here.
2. A linear score over the standardised features is fitted with a listwise softmax loss (the positives' share
   of the softmax over the question's candidates) plus an L2 penalty, by gradient descent (numpy only).
3. Leave one set out: fit on the other sets, then (a) rank the left-out set's candidates and (b) answer its
   questions end to end (Assistant.answer with that fold's weights): the item named first, next to the
   same figure with the hand-scored ranking (no weights) and the set's recorded first score.
4. The fit on all read sets is written to assistant/data/catalogue_ranker.json (with this report's name).

    python eval/catalogue_train.py [--index-copy /tmp/daoban-catalogue-index] [--no-end-to-end] [--no-write]
The catalogue index must exist in the copy (run eval/catalogue_eval.py once).
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from assistant.config import get_settings  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402
from assistant.core.catalogue_match import catalogue_query  # noqa: E402
from assistant.core.catalogue_rank import FEATURES, WEIGHTS, Ranker  # noqa: E402
from assistant.core.index.build import load_index  # noqa: E402
from assistant.evaluation.harness import load_set  # noqa: E402
from catalogue_eval import CATALOGUE, catalogue_set  # noqa: E402

SETS = ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")
REPORT = ROOT / "eval" / "reports" / "catalogue-train.json"


def set_rows(name: str) -> list[dict]:
    return load_set(ROOT / "eval" / f"catalogue_{name}.jsonl")


def collect(a: Assistant, rows: list[dict], cache: dict) -> list[dict]:
    """Per question: the candidates' features, which are positive, and the hand (fused) order.  `cache`
    keeps the candidates by question (features are recomputed: --cache while trying features)."""
    cat, tok = a.index.catalogue, a.index.tokenizer
    out = []
    for row in rows:
        text = catalogue_query(row["question"])
        if text not in cache:
            cache[text] = cat.candidates(tok, text, a.retriever.embed(text))
        c = cache[text]
        pool = c["pool"]
        out.append({"id": row["id"], "f": cat.features(text, c), "fused": c["fused"][pool],
                    "pos": np.array([cat.items[i].name in row["expected"] for i in pool])})
    return out


def fit(groups: list[dict], l2: float, steps: int = 600, lr: float = 0.1, names: tuple = FEATURES) -> dict:
    """Listwise softmax loss + l2·|w|², Adam on the standardised features.  A group may hold fewer candidates
    than the longest (the law ranking's pool of a question few articles match): it is padded, and the padding
    takes no share of the softmax and no part in the standardisation."""
    train = [g for g in groups if g["pos"].any()]
    width = max(len(g["pos"]) for g in train)
    x = np.zeros((len(train), width, len(names)))  # questions × candidates × features
    live = np.zeros((len(train), width), dtype=bool)
    q = np.zeros((len(train), width))
    for j, g in enumerate(train):
        n = len(g["pos"])
        x[j, :n], live[j, :n], q[j, :n] = g["f"], True, g["pos"] / g["pos"].sum()
    rows = x[live]
    mean, scale = rows.mean(0), rows.std(0) + 1e-6
    x = np.where(live[..., None], (x - mean) / scale, 0.0)
    w = np.zeros(len(names))
    m = v = np.zeros_like(w)
    for t in range(1, steps + 1):
        s = np.where(live, x @ w, -1e9)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        grad = 2 * l2 * w + np.einsum("gc,gcf->f", p - q, x) / len(train)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w = w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return {"features": list(names), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
            "weights": w.round(6).tolist(), "l2": l2}


def top1(groups: list[dict], ranker: Ranker | None) -> float:
    hits = 0
    for g in groups:
        s = g["fused"] if ranker is None else ranker.scores(g["f"])
        hits += bool(g["pos"][int(np.argmax(s))])
    return round(hits / len(groups), 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-copy", default="/tmp/daoban-catalogue-index")
    ap.add_argument("--l2", type=float, nargs="*", default=[0.001, 0.01, 0.1])
    ap.add_argument("--no-end-to-end", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--cache", help="a pickle of the candidates by question (speeds up trying features)")
    args = ap.parse_args()
    a = Assistant(load_index(get_settings(index_dir=Path(args.index_copy), catalogs=[CATALOGUE])))
    cat = a.index.catalogue
    rows = {s: set_rows(s) for s in SETS}
    t0 = time.perf_counter()
    cache = pickle.loads(Path(args.cache).read_bytes()) if args.cache and Path(args.cache).exists() else {}
    groups = {s: collect(a, r, cache) for s, r in rows.items()}
    if args.cache:
        Path(args.cache).write_bytes(pickle.dumps(cache))
    report = {"features": list(FEATURES), "collect_seconds": round(time.perf_counter() - t0, 1),
              "pool_recall": {s: round(float(np.mean([g["pos"].any() for g in gs])), 4) for s, gs in groups.items()},
              "rank_top1_hand": {s: top1(gs, None) for s, gs in groups.items()}, "loso_rank_top1": {}}
    for l2 in args.l2:  # ranking level, cheap: which L2 generalises across sets
        report["loso_rank_top1"][str(l2)] = {
            s: top1(groups[s], Ranker(fit([g for o in SETS if o != s for g in groups[o]], l2))) for s in SETS}
    best = max(args.l2, key=lambda l2: np.mean(list(report["loso_rank_top1"][str(l2)].values())))
    report["l2"] = best
    if not args.no_end_to_end:
        firsts = json.loads((ROOT / "eval" / "reports" / "catalogue.json").read_text(encoding="utf-8"))
        report["end_to_end"] = {}
        for s in SETS:
            cat.ranker = Ranker(fit([g for o in SETS if o != s for g in groups[o]], best))
            learned = catalogue_set(a, rows[s])["first_rate"]["all"]
            cat.ranker = None
            hand = catalogue_set(a, rows[s])["first_rate"]["all"]
            key = "catalogue_item_first" if s == "dev" else f"catalogue_{s}_first_score"
            first = firsts.get("first_score_before_tuning", {}).get(key) if s == "dev" else firsts.get(key)
            report["end_to_end"][s] = {"loso_learned": learned, "hand_now": hand, "first_score": first}
            print(s, report["end_to_end"][s], flush=True)
    final = fit([g for s in SETS for g in groups[s]], best)
    report["weights"] = dict(zip(FEATURES, final["weights"]))
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_write:
        WEIGHTS.write_text(json.dumps({**final, "trained_on": [f"eval/catalogue_{s}.jsonl" for s in SETS],
                                       "report": "eval/reports/catalogue-train.json"}, indent=1), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("pool_recall", "rank_top1_hand", "loso_rank_top1", "l2")}, indent=1))


if __name__ == "__main__":
    main()
