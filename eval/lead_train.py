"""Learn the weights of the lead unit's score (thresholds.LeadWeights w_*) from labels instead of tuning them
one at a time.

The score of a unit (lead.weighted) is a linear model of its parts (dense, lexical, field, rank, number, yesno,
basis, bigram, law, cue, case, focus, unit, contrast, and the FAQ prior).  This script

1. runs the TUNE split of eval/fact_dev.jsonl and eval/followup_dev.jsonl through the real pipeline
   (Assistant.answer, with the conversation context for follow-ups) and records, at every call of
   LeadSelector.rank the pipeline makes, every candidate unit's parts — the same call path that answers;
2. labels a unit positive when its sentence contains an expected fact and its chunk is the source: for a law
   question the governing article, for a guide question a chunk of the expected item (a guide sentence of a
   law question's ``also`` item that states the fact is left out, neither positive nor negative);
3. fits the weights with a listwise softmax loss (the positives' share of the softmax of the scores over each
   call's candidates, temperature ``T``) or a smooth top-1 loss (``top1``: the sigmoid of the gap between the
   soft maxima of the negatives and of the positives), with an L2 pull towards the hand weights (``l2``),
   numpy only, and cross-validates by question (5 folds): top-1 precision of each call with the hand and the
   learned weights; the chosen fit is refit on all groups and rescaled (``rescale``).

Holdout splits are never read.  Scores stay on the hand weights' scale: the fit starts from them and is pulled
towards them, the result is rescaled to the same mean best score, and ``--check`` blends mix the two
(w = (1-a)·hand + a·learned).  Whether the learned weights are kept is
decided end to end on the tune splits (``--check``: fact, followup, guide and dialog tune with each blend).

    python eval/lead_train.py                      # collect, fit, CV → eval/reports/lead-train.json
    python eval/lead_train.py --check 0.5 1.0      # ... and the tune sets with those blends
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.core import lead as L  # noqa: E402
from assistant.core.dialogue import thresholds as T  # noqa: E402
from assistant.evaluation.metrics import has_fact  # noqa: E402

PARTS = list(L.PART_WEIGHTS) + ["faq"]
WEIGHTS = [L.PART_WEIGHTS[p] for p in L.PART_WEIGHTS] + ["w_faq"]


def hand_weights() -> np.ndarray:
    return np.array([getattr(T.LeadWeights(), w) for w in WEIGHTS])


def _short(law: str | None) -> str:
    return (law or "").removeprefix("中华人民共和国")


def label(u, facts: list[str], src: dict, also: list[dict]) -> int | None:
    """1 positive, 0 negative, None left out (see the module docstring)."""
    c = u.chunk
    if not has_fact(u.text, facts):
        return 0
    if "law" in src:
        if c.kind == "law" and _short(c.law) == _short(src["law"]) and c.article == src["article"]:
            return 1
        return None if c.kind == "guide" and any(c.item_id == s.get("item") for s in also) else 0
    return 1 if c.kind == "guide" and c.item_id == src["item"] else 0


def features(u) -> list[float]:
    return [u.parts.get(p, 0.0) for p in PARTS[:-1]] + [float(u.chunk.aspect == "faq")]


class Recorder:
    """Wraps LeadSelector.rank: every call made while a labelled question is answered becomes a group."""

    def __init__(self):
        self.groups: list[dict] = []
        self.row: dict | None = None
        self._orig = L.LeadSelector.rank

    def __enter__(self):
        rec = self

        def rank(selector, question, *args, **kw):
            units = rec._orig(selector, question, *args, **kw)
            if rec.row is not None:
                rec.add(units, question, selector, args[1])
            return units

        L.LeadSelector.rank = rank
        return self

    def __exit__(self, *exc):
        L.LeadSelector.rank = self._orig

    def add(self, units, question: str, selector, qvec) -> None:
        r = self.row
        X, y, info = [], [], []
        for u in units:
            lab = label(u, r["facts"], r["source"], r["also"])
            if lab is not None:
                X.append(features(u))
                y.append(lab)
                info.append({"text": u.text, "chunk": u.chunk.chunk_id, "aspect": u.chunk.aspect, "kind": u.chunk.kind,
                             "cos": selector.dense(u.chunk, qvec), "first": selector.units(u.chunk)[:1] == [u.text],
                             "parts": dict(u.parts)})
        if 0 < sum(y) < len(y):
            self.groups.append({"qid": r["qid"], "kind": r["kind"], "q": question, "X": np.array(X), "y": np.array(y),
                                "info": info})


def tune_rows(eval_dir: Path) -> tuple[list[dict], list[dict]]:
    def rows(name):
        return [json.loads(x) for x in (eval_dir / name).read_text(encoding="utf-8").splitlines() if x.strip()]
    fact = [r for r in rows("fact_dev.jsonl") if r.get("split", "tune") == "tune"]
    follow = [r for r in rows("followup_dev.jsonl") if r.get("split", "tune") == "tune"]
    return fact, follow


def collect(a, eval_dir: Path) -> list[dict]:
    from assistant.core.assistant import Context

    fact, follow = tune_rows(eval_dir)
    with Recorder() as rec:
        for r in fact:
            rec.row = {"qid": r["id"], "kind": r.get("kind", "?"), "facts": r["expected"], "source": r["source"],
                       "also": r.get("also", [])}
            a.answer(r["question"])
        for r in follow:
            ctx = Context()
            for t, turn in enumerate(r["turns"]):
                rec.row = {"qid": f"{r['id']}#{t}", "kind": "followup", "facts": turn["facts"],
                           "source": turn["source"], "also": []} if turn.get("facts") else None
                ctx = a.answer(turn["user"], ctx).context
    return rec.groups


# ------------------------------------------------------------------ fitting


def _stack(groups: list[dict]):
    X = np.concatenate([g["X"] for g in groups])
    y = np.concatenate([g["y"] for g in groups]).astype(float)
    gid = np.concatenate([np.full(len(g["y"]), i) for i, g in enumerate(groups)])
    per_q = defaultdict(int)
    for g in groups:
        per_q[g["qid"]] += 1
    gw = np.array([1.0 / per_q[g["qid"]] for g in groups])  # each question weighs one
    return X, y, gid, gw / gw.sum()


def loss_grad(w: np.ndarray, X, y, gid, gw, temp: float, l2: float, w0: np.ndarray):
    """Listwise softmax loss: −log Σ_pos softmax(s/T) per group, weighted, plus l2·|w − w0|²."""
    n = len(gw)
    s = X @ w / temp
    m = np.full(n, -np.inf)
    np.maximum.at(m, gid, s)
    e = np.exp(s - m[gid])
    z_all = np.bincount(gid, e, n)
    z_pos = np.bincount(gid, e * y, n)
    loss = float(gw @ (np.log(z_all) - np.log(z_pos))) + l2 * float(((w - w0) ** 2).sum())
    p_all, p_pos = e / z_all[gid], e * y / z_pos[gid]
    g = X.T @ (gw[gid] * (p_all - p_pos)) / temp + 2 * l2 * (w - w0)
    return loss, g


def top1_grad(w: np.ndarray, X, y, gid, gw, temp: float, l2: float, w0: np.ndarray):
    """Smooth top-1 loss: per group σ((soft-max of the negatives − soft-max of the positives)/T), the soft maxima
    being log-sum-exps at temperature T.  Bounded, so a positive far down the list (a fact the features cannot see)
    does not pull every weight the way the listwise loss does; not convex, so it starts from the hand weights."""
    n = len(gw)
    s = X @ w / temp
    lse, soft = {}, {}
    for side, mask in (("pos", y == 1), ("neg", y == 0)):  # each side's log-sum-exp with its own maxima
        m = np.full(n, -np.inf)
        np.maximum.at(m, gid[mask], s[mask])
        e = np.where(mask, np.exp(np.where(mask, s - m[gid], 0.0)), 0.0)
        z = np.bincount(gid, e, n)
        lse[side], soft[side] = m + np.log(z), e / z[gid]
    gap = np.clip(lse["neg"] - lse["pos"], -50, 50)
    sig = 1 / (1 + np.exp(-gap))
    loss = float(gw @ sig) + l2 * float(((w - w0) ** 2).sum())
    coef = (gw * sig * (1 - sig))[gid] * (soft["neg"] - soft["pos"])  # dσ/dgap · dgap/ds
    return loss, X.T @ coef / temp + 2 * l2 * (w - w0)


LOSSES = {"listwise": loss_grad, "top1": top1_grad}


def fit(groups: list[dict], temp: float, l2: float, w0: np.ndarray, steps: int = 600, lr: float = 0.02,
        loss: str = "listwise") -> np.ndarray:
    """Full-batch Adam from the hand weights (deterministic)."""
    X, y, gid, gw = _stack(groups)
    w = w0.copy()
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, steps + 1):
        _, g = LOSSES[loss](w, X, y, gid, gw, temp, l2, w0)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w


def top1(groups: list[dict], w: np.ndarray) -> float:
    """Share of questions whose calls put a positive first (mean over each question's calls)."""
    per_q: dict = defaultdict(list)
    for g in groups:
        per_q[g["qid"]].append(float(g["y"][int(np.argmax(g["X"] @ w))]))
    return float(np.mean([np.mean(v) for v in per_q.values()]))


def cross_validate(groups: list[dict], temp: float, l2: float, w0: np.ndarray, folds: int = 5,
                   loss: str = "listwise") -> dict:
    qids = sorted({g["qid"] for g in groups})
    fold_of = {q: i % folds for i, q in enumerate(np.random.default_rng(7).permutation(qids))}
    hand, learned = [], []
    for k in range(folds):
        train = [g for g in groups if fold_of[g["qid"]] != k]
        test = [g for g in groups if fold_of[g["qid"]] == k]
        w = fit(train, temp, l2, w0, loss=loss)
        hand.append(top1(test, w0))
        learned.append(top1(test, w))
    return {"loss": loss, "temp": temp, "l2": l2, "cv_top1_hand": round(float(np.mean(hand)), 4),
            "cv_top1_learned": round(float(np.mean(learned)), 4)}


def rescale(groups: list[dict], w: np.ndarray, w0: np.ndarray) -> np.ndarray:
    """`w` times the factor that gives the best unit of each call the same mean score as with the hand weights,
    so the thresholds on scores (min_score, law_over_guide, item_over_law …) keep their meaning; the order of
    units within a call does not change."""
    top = lambda v: float(np.mean([np.max(g["X"] @ v) for g in groups]))  # noqa: E731
    return w * (top(w0) / top(w)) if top(w) > 0 else w


def with_unit_cosine(groups: list[dict], w0: np.ndarray, k: int) -> list[dict]:
    """The `k` best units of each call (hand weights) with one more part: the cosine of the question with the
    unit's own sentence (embedded now, e5 "passage:"), relative to the best of the call like `dense` — what
    sentence vectors stored in the index would add to the chunk's."""
    from assistant.config import get_settings
    from assistant.core.index.embed import make_embedder

    emb = make_embedder(get_settings())
    tops = [np.argsort(-(g["X"] @ w0))[:k] for g in groups]
    texts = sorted({g["info"][i]["text"] for g, o in zip(groups, tops) for i in o})
    qs = sorted({g["q"] for g in groups})
    pv = dict(zip(texts, np.concatenate([emb.passages(texts[i:i + 32]) for i in range(0, len(texts), 32)])))
    qv = dict(zip(qs, emb.queries(qs)))
    out = []
    for g, o in zip(groups, tops):
        cos = np.array([pv[g["info"][i]["text"]] @ qv[g["q"]] for i in o])
        rel = np.clip(1 + (cos - cos.max()) / T.LeadWeights().dense_span, 0, 1)
        out.append(dict(g, X=np.column_stack([g["X"][o], rel]), y=g["y"][o]))
    return out


def unit_cosine_report(groups: list[dict], w0: np.ndarray, k: int) -> dict:
    """CV of the weights with the unit-cosine part added (top-1 over all calls: a call whose positives are all
    below the k best counts as a miss for both)."""
    ext = with_unit_cosine(groups, w0, k)
    w0x = np.concatenate([w0, [0.0]])
    fit_on = [g for g in ext if 0 < g["y"].sum() < len(g["y"])]
    sweep = {str(v): round(top1(ext, np.concatenate([w0, [v]])), 4) for v in (0.0, 0.4, 0.8, 1.2)}
    cv = [cross_validate(fit_on, t, l2, w0x, loss=lo) for lo, t, l2 in (("top1", 0.05, 0.1), ("top1", 0.05, 1.0),
                                                                         ("listwise", 0.1, 0.1))]
    return {"k": k, "calls": len(ext), "calls_with_a_positive_in_top_k": len(fit_on), "top1_with_weight": sweep, "cv_on_calls_with_a_positive_in_top_k": cv}


# ------------------------------------------------------------------ end to end on tune


def with_weights(w: np.ndarray) -> T.LeadWeights:
    return dataclasses.replace(T.LeadWeights(), **{name: round(float(x), 3) for name, x in zip(WEIGHTS, w)})


def use(weights: T.LeadWeights) -> None:
    """Every module that imported LEAD now reads `weights`."""
    for mod in list(sys.modules.values()):
        if getattr(mod, "LEAD", None) is not None and isinstance(getattr(mod, "LEAD"), T.LeadWeights):
            mod.LEAD = weights


def check(a, eval_dir: Path, weights: T.LeadWeights) -> dict:
    """Tune split of fact, followup, guide and dialog with `weights`."""
    from assistant.evaluation.harness import Evaluator, set_rows

    use(weights)
    ev = Evaluator(a)
    out = {}
    for name in ("fact", "followup", "guide", "dialog"):
        rows, method = set_rows(eval_dir, name)
        rows = [r for r in rows if r.get("split", "tune") == "tune"]
        out[name] = getattr(ev, method)(rows)["ours"]["tune"]
    use(T.LeadWeights())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", type=float, nargs="*", default=[], help="blends to score end to end on tune")
    ap.add_argument("--fit-only", action="store_true", help="skip the grid: fit the first --loss/--temp/--l2")
    ap.add_argument("--unit-cosine", type=int, default=0, help="also test a sentence-cosine part on the K best units")
    ap.add_argument("--temp", type=float, nargs="*", default=[0.05, 0.1, 0.2])
    ap.add_argument("--l2", type=float, nargs="*", default=[0.001, 0.01, 0.1])
    ap.add_argument("--loss", nargs="*", default=["listwise", "top1"])
    ap.add_argument("--report", default="lead-train")
    ap.add_argument("--groups", type=Path, help="reuse (or write) the collected groups here (a pickle)")
    args = ap.parse_args()
    from assistant.cli import _assistant

    a = _assistant()
    eval_dir = ROOT / "eval"
    if args.groups and args.groups.exists():
        groups = pickle.loads(args.groups.read_bytes())
    else:
        groups = collect(a, eval_dir)
        if args.groups:
            args.groups.write_bytes(pickle.dumps(groups))
    w0 = hand_weights()
    grid = [(lo, t, l2) for lo in args.loss for t in args.temp for l2 in args.l2]
    cv = [cross_validate(groups, t, l2, w0, loss=lo) for lo, t, l2 in (grid[:1] if args.fit_only else grid)]
    best = max(cv, key=lambda r: (r["cv_top1_learned"], r["l2"]))  # ties: the weights nearer the hand ones
    w = rescale(groups, fit(groups, best["temp"], best["l2"], w0, loss=best["loss"]), w0)
    report = {"groups": len(groups), "questions": len({g["qid"] for g in groups}),
              "units": int(sum(len(g["y"]) for g in groups)), "cv": cv, "chosen": best,
              "top1_train_hand": round(top1(groups, w0), 4), "top1_train_learned": round(top1(groups, w), 4),
              "hand": dict(zip(WEIGHTS, np.round(w0, 3).tolist())),
              "learned": dict(zip(WEIGHTS, np.round(w, 3).tolist())), "check": {}}
    if args.unit_cosine:
        report["unit_cosine"] = unit_cosine_report(groups, w0, args.unit_cosine)
    print(json.dumps({k: v for k, v in report.items() if k != "check"}, ensure_ascii=False, indent=1))
    for blend in args.check:
        wb = (1 - blend) * w0 + blend * w
        report["check"][str(blend)] = {"weights": dict(zip(WEIGHTS, np.round(wb, 3).tolist())),
                                       "tune": check(a, eval_dir, with_weights(wb))}
        print(blend, json.dumps(report["check"][str(blend)]["tune"], ensure_ascii=False))
    out = ROOT / "eval" / "reports" / f"{args.report}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"→ {out}")


if __name__ == "__main__":
    main()
