"""Learn the catalogue stage's decision (catalogue_rank.Gate: does the best catalogue item answer instead of
the rulebook's decision?) from labels, and estimate it by leaving one catalogue set out.

1. Every question runs through Assistant.answer with the catalogue loaded and the learned ranker; where the
   stage reaches its decision (an uncovered item at least CatalogueThresholds.min close), the gate's features are recorded
   (CatalogueAnswers.gate_features — the call path that answers).  Labels: 1 for the read catalogue sets'
   questions whose best item is an expected one (a wrong best item is wrong either way: left out); 0 for the
   TUNE splits of guide_dev, fact_dev, policy_dev and out_of_scope_dev (answered by a guide, a law, or
   declined: a catalogue item there is a stolen answer).  Holdout splits and catalogue_fresh6 are not read.
2. Logistic regression with L2 (numpy, standardised features); the negatives are weighted up to the
   positives' total.
3. Leave one catalogue set out: the gate is fitted without it (and without a sixth of the negatives) and the
   left-out set is answered END TO END with the ranker AND the gate of its fold (eval/catalogue_train.py's
   ranker fitted without that set), next to the hand-scored figures; the left-out negatives report how many
   would have been taken by a catalogue item.
4. The fit on everything is written to assistant/data/catalogue_gate.json.

    python eval/catalogue_gate_train.py [--index-copy DIR] [--no-end-to-end] [--no-write]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from assistant.config import get_settings  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402
from assistant.core.catalogue_rank import GATE_FEATURES, GATE_WEIGHTS, WEIGHTS, Gate, Ranker  # noqa: E402
from assistant.core.index.build import load_index  # noqa: E402
from assistant.evaluation.harness import load_set  # noqa: E402
from catalogue_eval import CATALOGUE, catalogue_set  # noqa: E402
from catalogue_train import SETS, collect, fit  # noqa: E402

NEGATIVE_SETS = ("guide_dev", "fact_dev", "policy_dev", "out_of_scope_dev")
REPORT = ROOT / "eval" / "reports" / "catalogue-gate-train.json"


class Recorder:
    """Stands in for the gate while collecting: records the features, never lets the item answer."""

    def __init__(self, stage):
        self.stage, self.last = stage, None
        stage.gate = self
        original = stage.gate_features

        def features(text, decided, matches, near, qvec, top):
            g = original(text, decided, matches, near, qvec, top)
            self.last = (g, matches[0]["item"].name)
            return g
        stage.gate_features = features

    def prob(self, g) -> float:
        return 0.0


def gate_rows(a: Assistant, rec: Recorder, rows: list[dict], label: int | None) -> list[dict]:
    out = []
    for row in rows:
        rec.last = None
        a.answer(row["question"])
        if rec.last is None:
            continue
        g, best = rec.last
        y = label if label is not None else (1 if best in row["expected"] else None)
        if y is not None:
            out.append({"id": row["id"], "g": g, "y": y})
    return out


def fit_gate(rows: list[dict], l2: float, steps: int = 800, lr: float = 0.05) -> dict:
    x = np.stack([r["g"] for r in rows]).astype(np.float64)
    y = np.array([r["y"] for r in rows], dtype=np.float64)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    x = (x - mean) / scale
    weight = np.where(y == 1, 1.0, y.sum() / max(1.0, (1 - y).sum()))
    w, b = np.zeros(x.shape[1]), 0.0
    m = v = np.zeros(x.shape[1] + 1)
    for t in range(1, steps + 1):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        r = weight * (p - y) / weight.sum()
        grad = np.append(x.T @ r + 2 * l2 * w, r.sum())
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        step = lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        w, b = w - step[:-1], b - step[-1]
    return {"features": list(GATE_FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
            "weights": w.round(6).tolist(), "bias": round(float(b), 6), "l2": l2}


def passed(gate: Gate, rows: list[dict]) -> int:
    return sum(gate.prob(r["g"]) >= 0.5 for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-copy", default="/tmp/daoban-catalogue-index")
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--no-end-to-end", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    a = Assistant(load_index(get_settings(index_dir=Path(args.index_copy), catalogs=[CATALOGUE])))
    stage, cat = a.catalogue, a.index.catalogue
    cat_rows = {s: load_set(ROOT / "eval" / f"catalogue_{s}.jsonl") for s in SETS}
    neg_rows = [r for n in NEGATIVE_SETS for r in load_set(ROOT / "eval" / f"{n}.jsonl") if r.get("split") == "tune"]
    rec = Recorder(stage)
    pos = {s: gate_rows(a, rec, rows, None) for s, rows in cat_rows.items()}
    neg = gate_rows(a, rec, neg_rows, 0)
    folds = {s: [r for k, r in enumerate(neg) if k % len(SETS) == n] for n, s in enumerate(SETS)}
    report = {"features": list(GATE_FEATURES), "l2": args.l2, "positives": {s: len(p) for s, p in pos.items()},
              "negatives_reaching_the_gate": len(neg), "negatives_asked": len(neg_rows), "loso": {}}
    groups = {s: collect(a, cat_rows[s], {}) for s in SETS} if not args.no_end_to_end else None
    ranker_l2 = json.loads(WEIGHTS.read_text(encoding="utf-8"))["l2"]  # the shipped ranker's
    for s in SETS:
        train = [r for o in SETS if o != s for r in pos[o]] + [r for o in SETS if o != s for r in folds[o]]
        gate = Gate(fit_gate(train, args.l2))
        fold = {"positives_passed": f"{passed(gate, pos[s])}/{len(pos[s])}",
                "negatives_taken": f"{passed(gate, folds[s])}/{len(folds[s])}"}
        if groups is not None:
            cat.ranker, stage.gate = Ranker(fit([g for o in SETS if o != s for g in groups[o]], ranker_l2)), gate
            fold["end_to_end_ranker_and_gate"] = catalogue_set(a, cat_rows[s])["first_rate"]["all"]
            stage.gate = rec
        report["loso"][s] = fold
        print(s, fold, flush=True)
    final = fit_gate([r for p in pos.values() for r in p] + neg, args.l2)
    report["weights"] = dict(zip(GATE_FEATURES, final["weights"])) | {"bias": final["bias"]}
    report["all_negatives_taken_by_the_final_gate"] = passed(Gate(final), neg)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_write:
        GATE_WEIGHTS.write_text(json.dumps({**final, "trained_on": [f"eval/catalogue_{s}.jsonl" for s in SETS]
                                            + [f"eval/{n}.jsonl (tune)" for n in NEGATIVE_SETS],
                                            "report": "eval/reports/catalogue-gate-train.json"}, indent=1),
                                encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "features"}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
