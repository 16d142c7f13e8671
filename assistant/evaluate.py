"""Evaluation harness: runs the question sets of `eval/` through the real
pipeline (and the baselines through the same index) and reports item hit@k,
hall/zone accuracy, policy recall@5 and MRR, refusal precision/recall,
citation validity, dialog turn accuracy — per split (tune / holdout) and per
kind — plus every failure with what came back."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .index import Index
from .laws import short_law_name
from .pipeline import Assistant, Context
from .schemas import ChatResponse

SETS = ("guide", "policy", "out_of_scope", "dialog")
MARKER = re.compile(r"\[(\d+)\]")


def load_set(path: Path, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


@dataclass
class Tally:
    n: int = 0
    sums: dict = field(default_factory=lambda: defaultdict(float))

    def add(self, **metrics: float) -> None:
        self.n += 1
        for k, v in metrics.items():
            self.sums[k] += float(v)

    def means(self) -> dict:
        return {k: round(v / self.n, 4) for k, v in self.sums.items()} | {"n": self.n} if self.n else {"n": 0}


def citation_problems(index: Index, resp: ChatResponse, allowed_items: set[str] | None = None,
                      allowed_laws: set[str] | None = None) -> list[str]:
    """Every [n] must resolve to a citation of an indexed chunk; guide citations must belong
    to a recommended item, policy citations to an allowed law."""
    problems = []
    numbers = {c.n: c for c in resp.citations}
    for m in MARKER.finditer(resp.answer):
        if int(m.group(1)) not in numbers:
            problems.append(f"[{m.group(1)}] 无对应引用")
    for c in resp.citations:
        chunk = index.by_id.get(c.chunk_id)
        if chunk is None:
            problems.append(f"{c.chunk_id} 不在索引中")
            continue
        if c.text != chunk.text:
            problems.append(f"{c.chunk_id} 引用文本与索引不一致")
        if resp.kind == "guide" and chunk.kind == "guide" and allowed_items is not None and chunk.item_id not in allowed_items:
            problems.append(f"{c.chunk_id} 不属于推荐事项")
        if resp.kind == "policy" and chunk.kind == "law" and allowed_laws is not None \
                and short_law_name(chunk.law) not in allowed_laws:
            problems.append(f"{c.chunk_id} 不属于预期法规")
    return problems


class Evaluator:
    def __init__(self, assistant: Assistant, baselines: list | None = None):
        self.a = assistant
        self.index = assistant.index
        self.by_name = {g.name: g for g in self.index.corpus.guides}
        self.baselines = baselines or []

    # ---------------------------------------------------------------- sets

    def guide(self, rows: list[dict]) -> dict:
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        for row in rows:
            resp = self.a.answer(row["question"]).response
            names = [i.name for i in resp.items]
            exp = set(row["expected"])
            hit1 = bool(names) and names[0] in exp
            hit3 = any(n in exp for n in names[:3])
            place = False
            if names and names[0] in self.by_name:
                g = self.by_name[names[0]]
                place = any((g.place.hall, g.place.zone) == (self.by_name[e].place.hall, self.by_name[e].place.zone)
                            for e in exp if e in self.by_name)
            probs = citation_problems(self.index, resp, {i.id for i in resp.items})
            m = dict(hit1=hit1, hit3=hit3, hall_zone=place, citations_valid=not probs,
                     refused=resp.kind == "refuse", clarify=resp.kind == "clarify")
            for key in (row.get("split", "tune"), "all"):
                out["ours"][key].add(**m)
            out["kinds"][row.get("kind", "?")].add(**m)
            if not hit1 or probs:
                out["failures"].append({"id": row["id"], "question": row["question"], "expected": row["expected"],
                                        "kind": resp.kind, "got": names[:3], "citation_problems": probs})
        for b in self.baselines:
            t = defaultdict(Tally)
            for row in rows:
                names = b.items(row["question"], 3)
                exp = set(row["expected"])
                m = dict(hit1=bool(names) and names[0] in exp, hit3=any(n in exp for n in names[:3]))
                for key in (row.get("split", "tune"), "all"):
                    t[key].add(**m)
            out["baselines"][b.name] = {k: v.means() for k, v in t.items()}
        return _finish(out)

    def policy(self, rows: list[dict]) -> dict:
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        for row in rows:
            exp = {(short_law_name(e["law"]), e["article"]) for e in row["expected"]}
            ranked = self.a.law_ranking(row["question"], 5)
            m = _rank_metrics(ranked, exp)
            resp = self.a.answer(row["question"]).response
            probs = citation_problems(self.index, resp, {i.id for i in resp.items}, {law for law, _ in exp})
            m |= dict(citations_valid=not probs, refused=resp.kind == "refuse", answered_policy=resp.kind == "policy")
            for key in (row.get("split", "tune"), "all"):
                out["ours"][key].add(**m)
            out["kinds"][row.get("kind", "?")].add(**m)
            if not m["recall5"] or probs:
                out["failures"].append({"id": row["id"], "question": row["question"],
                                        "expected": sorted(exp), "got": ranked[:5], "kind": resp.kind,
                                        "citation_problems": probs})
        for b in self.baselines:
            t = defaultdict(Tally)
            for row in rows:
                exp = {(short_law_name(e["law"]), e["article"]) for e in row["expected"]}
                ranked = [(short_law_name(law), art) for law, art in b.articles(row["question"], 5)]
                for key in (row.get("split", "tune"), "all"):
                    t[key].add(**_rank_metrics(ranked, exp))
            out["baselines"][b.name] = {k: v.means() for k, v in t.items()}
        return _finish(out)

    def out_of_scope(self, rows: list[dict]) -> dict:
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        for row in rows:
            resp = self.a.answer(row["question"]).response
            declined = resp.kind in ("refuse", "handoff")
            for key in (row.get("split", "tune"), "all"):
                out["ours"][key].add(declined=declined)
            out["kinds"][row.get("kind", "?")].add(declined=declined)
            if not declined:
                out["failures"].append({"id": row["id"], "question": row["question"], "kind": resp.kind,
                                        "got": [i.name for i in resp.items][:3]})
        return _finish(out)

    def dialog(self, rows: list[dict]) -> dict:
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        for row in rows:
            ctx = Context()
            for t, turn in enumerate(row["turns"]):
                result = self.a.answer(turn["user"], ctx)
                ctx = result.context
                resp = result.response
                names = [i.name for i in resp.items]
                if turn.get("expected"):
                    ok = bool(names) and names[0] in set(turn["expected"])
                    kind = "item"
                else:
                    ok = resp.kind == turn.get("expect_kind")
                    kind = turn.get("expect_kind", "?")
                for key in (row.get("split", "tune"), "all"):
                    out["ours"][key].add(turn_ok=ok)
                out["kinds"][kind].add(turn_ok=ok)
                if not ok:
                    out["failures"].append({"id": row["id"], "turn": t, "user": turn["user"],
                                            "expected": turn.get("expected") or turn.get("expect_kind"),
                                            "kind": resp.kind, "got": names[:3],
                                            "rewrite": result.trace.get("query")})
        return _finish(out)


def _rank_metrics(ranked: list[tuple[str, str]], exp: set[tuple[str, str]]) -> dict:
    rr = next((1.0 / (i + 1) for i, r in enumerate(ranked[:5]) if r in exp), 0.0)
    return {"recall5": rr > 0, "mrr": rr}


def _finish(out: dict) -> dict:
    return {"ours": {k: v.means() for k, v in out["ours"].items()},
            "kinds": {k: v.means() for k, v in out["kinds"].items()},
            "baselines": out["baselines"], "failures": out["failures"]}


def refusal_summary(results: dict) -> dict:
    """Refusal precision/recall over all sets: out-of-scope should be declined, the rest not."""
    per_split = {}
    for split in ("tune", "holdout", "all"):
        tp = results.get("out_of_scope", {}).get("ours", {}).get(split, {})
        n_oos = tp.get("n", 0)
        refused_oos = tp.get("declined", 0) * n_oos
        wrong = 0.0
        for name in ("guide", "policy"):
            s = results.get(name, {}).get("ours", {}).get(split, {})
            wrong += s.get("refused", 0) * s.get("n", 0)
        precision = refused_oos / (refused_oos + wrong) if (refused_oos + wrong) else 0.0
        recall = refused_oos / n_oos if n_oos else 0.0
        per_split[split] = {"precision": round(precision, 4), "recall": round(recall, 4)}
    return per_split
