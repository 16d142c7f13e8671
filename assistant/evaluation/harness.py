"""Evaluation harness: runs the question sets of `eval/` through the real
pipeline (and the baselines through the same index) and reports item hit@k,
hall/zone accuracy, policy recall@5 and MRR, refusal precision/recall,
citation validity, dialog turn accuracy — per split (tune / holdout) and per
kind — plus every failure with what came back.

The sets `fact`, `scope` and `followup` measure whether an answer answers the
question (issue 11): the asked-for fact in the first paragraph, the governing
article or guide field cited, the yes/no lead, in-scope questions answered and
off-topic ones declined, clarifying questions for vague words, and answer
lengths.  Their definitions (first paragraph, numeral normalisation, yes/no
lead) live in `metrics.py`."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.metrics import chunk_matches, first_paragraph, has_fact, lead_polarity, length_stats
from assistant.core.index.build import Index
from assistant.core.corpus.laws import short_law_name
from assistant.core.assistant import Assistant, Context
from assistant.web.schemas import ChatResponse, to_response

SETS = ("guide", "policy", "out_of_scope", "dialog", "fact", "scope", "followup")
MARKER = re.compile(r"\[(\d+)\]")
FRESH = re.compile(r"_fresh\d*$")


def set_source(eval_dir: Path, name: str) -> tuple[Path, str]:
    """The file of a named set and the Evaluator method that scores it: ``guide`` is
    eval/guide_dev.jsonl; ``guide_fresh`` (any ``<set>_fresh`` or ``<set>_fresh<N>``, e.g.
    ``fact_fresh2``) is eval/guide_fresh.jsonl, a set written later, scored with its base set's metrics."""
    base = FRESH.sub("", name)
    if base not in SETS:
        raise ValueError(f"未知的题集：{name}")
    return eval_dir / (f"{name}.jsonl" if base != name else f"{name}_dev.jsonl"), base


def set_rows(eval_dir: Path, name: str, limit: int | None = None) -> tuple[list[dict], str]:
    """The questions of a named set and the Evaluator method that scores them: ``guide`` is
    eval/guide_dev.jsonl plus eval/guide_fresh.jsonl when there is one (its split "fresh" is reported
    apart); ``guide_fresh`` is that file alone.  ValueError for an unknown set, FileNotFoundError for a
    missing file."""
    path, method = set_source(eval_dir, name)
    if not path.exists():
        raise FileNotFoundError(path)
    rows = load_set(path, limit)
    fresh = eval_dir / f"{name}_fresh.jsonl"
    if method == name and fresh.exists():
        rows += load_set(fresh, limit)
    return rows, method


def load_set(path: Path, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


@dataclass
class Tally:
    """Means of metrics over the rows that report them.  A metric only some rows carry
    (yes/no lead: only yes/no questions) is averaged over those rows, and its row count
    is reported as ``n_<metric>``."""
    n: int = 0
    sums: dict = field(default_factory=lambda: defaultdict(float))
    counts: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, **metrics: float) -> None:
        self.n += 1
        for k, v in metrics.items():
            self.sums[k] += float(v)
            self.counts[k] += 1

    def means(self) -> dict:
        if not self.n:
            return {"n": 0}
        out = {k: round(v / self.counts[k], 4) for k, v in self.sums.items()}
        out |= {f"n_{k}": c for k, c in self.counts.items() if c != self.n}
        return out | {"n": self.n}


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
            resp = to_response(self.a.answer(row["question"]))
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
            resp = to_response(self.a.answer(row["question"]))
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
            resp = to_response(self.a.answer(row["question"]))
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
                resp = to_response(result)
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

    # ------------------------------------------------ answers that answer the question (issue 11)

    def _answer_metrics(self, resp: ChatResponse, facts: list[str], source: dict,
                        also: list[dict] = (), yesno: str | None = None) -> dict:
        """Fact in the first paragraph (in its first 120 characters, anywhere), governing source
        cited (and any source stating the fact), yes/no lead and wrong yes/no lead — for one answer to a one-fact question.
        `fact_first_120` does not depend on where the answer puts its first blank line."""
        first = first_paragraph(resp.answer)
        chunks = [c for c in (self.index.by_id.get(ref.chunk_id) for ref in resp.citations) if c is not None]
        governing = any(chunk_matches(c, source, facts) for c in chunks)
        m = dict(fact_first_paragraph=has_fact(first, facts), fact_first_120=has_fact(first[:120], facts),
                 fact_anywhere=has_fact(resp.answer, facts),
                 governing_cited=governing,
                 any_source_cited=governing or any(chunk_matches(c, s, facts) for c in chunks for s in also),
                 refused=resp.kind == "refuse")
        if yesno:  # yesno_wrong: the first paragraph leads with the opposite yes/no (worse than none)
            lead = lead_polarity(first)
            m["yesno_lead"], m["yesno_wrong"] = lead == yesno, lead is not None and lead != yesno
        return m

    def _failure(self, row_id: str, question: str, resp: ChatResponse, **extra) -> dict:
        cited = [f"{c.title} {c.section}" for c in resp.citations]
        return {"id": row_id, "question": question, "kind": resp.kind, "got": [i.id for i in resp.items][:3],
                "first_paragraph": first_paragraph(resp.answer)[:300], "cited": cited[:6], **extra}

    def fact(self, rows: list[dict]) -> dict:
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        lengths = _Lengths()
        for row in rows:
            resp = to_response(self.a.answer(row["question"]))
            src = row["source"]
            m = self._answer_metrics(resp, row["expected"], src, row.get("also", []), row.get("yesno"))
            if "law" in src:  # retrieval: the governing article among the 5 best law chunks
                m["article_top5"] = (short_law_name(src["law"]), src["article"]) in self.a.law_ranking(row["question"], 5)
            else:
                m["item_top3"] = src["item"] in [i.id for i in resp.items[:3]]
            split = row.get("split", "tune")
            for key in (split, "all"):
                out["ours"][key].add(**m)
            out["kinds"][row.get("kind", "?")].add(**m)
            lengths.add(resp, split)
            if not (m["fact_first_paragraph"] and m["governing_cited"] and m.get("yesno_lead", True)):
                out["failures"].append(self._failure(
                    row["id"], row["question"], resp, expected=row["expected"], source=src,
                    lead=lead_polarity(first_paragraph(resp.answer)), yesno=row.get("yesno"),
                    missing=[k for k in ("fact_first_paragraph", "governing_cited", "yesno_lead") if not m.get(k, True)]))
        for b in self.baselines:
            t = defaultdict(Tally)
            for row in rows:
                src = row["source"]
                if "law" in src:
                    ranked = [(short_law_name(law), art) for law, art in b.articles(row["question"], 5)]
                    m = {"article_top5": (short_law_name(src["law"]), src["article"]) in ranked}
                else:
                    m = {"item_top3": src["item"] in self._ids(b.items(row["question"], 3))}
                for key in (row.get("split", "tune"), "all"):
                    t[key].add(**m)
            out["baselines"][b.name] = {k: v.means() for k, v in t.items()}
        return _finish(out) | {"lengths": lengths.summary()}

    def scope(self, rows: list[dict]) -> dict:
        """In-scope questions with an incidental off-topic word must be answered with the right
        item in the top 3; off-topic questions must be declined (kind refuse, no citation)."""
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        lengths = _Lengths()
        for row in rows:
            resp = to_response(self.a.answer(row["question"]))
            ids = [i.id for i in resp.items]
            if row["scope"] == "in":
                exp = set(row["items"])
                m = dict(in_answered=resp.kind not in ("refuse", "handoff"), in_item_top3=bool(exp & set(ids[:3])),
                         in_item_top1=bool(ids) and ids[0] in exp, in_clarify=resp.kind == "clarify")
                ok = m["in_answered"] and m["in_item_top3"]
            else:
                m = dict(out_declined=resp.kind == "refuse" and not resp.citations,
                         out_declined_or_handoff=resp.kind in ("refuse", "handoff"), out_with_items=bool(ids))
                ok = m["out_declined"]
            split = row.get("split", "tune")
            for key in (split, "all"):
                out["ours"][key].add(**m)
            out["kinds"][f"{row['scope']}:{row.get('kind', '?')}"].add(**m)
            if resp.kind != "refuse":
                lengths.add(resp, split)
            if not ok:
                out["failures"].append(self._failure(row["id"], row["question"], resp, scope=row["scope"],
                                                     expected=row.get("items") or row.get("expect_kind")))
        for b in self.baselines:  # retrieval only: a baseline never declines, so only the item side
            t = defaultdict(Tally)
            for row in rows:
                if row["scope"] == "in":
                    got = self._ids(b.items(row["question"], 3))
                    for key in (row.get("split", "tune"), "all"):
                        t[key].add(in_item_top3=bool(set(row["items"]) & set(got)))
            out["baselines"][b.name] = {k: v.means() for k, v in t.items()}
        return _finish(out) | {"lengths": lengths.summary()}

    def followup(self, rows: list[dict]) -> dict:
        """Conversations: follow-ups asking one thing must lead with that fact; a vague topic
        word after an unrelated turn must get a clarifying question."""
        out = {"ours": defaultdict(Tally), "kinds": defaultdict(Tally), "failures": [], "baselines": {}}
        lengths = _Lengths()
        for row in rows:
            ctx = Context()
            split = row.get("split", "tune")
            for t, turn in enumerate(row["turns"]):
                result = self.a.answer(turn["user"], ctx)
                ctx, resp = result.context, to_response(result)
                ids = [i.id for i in resp.items]
                m = {}
                if turn.get("items"):
                    m["turn_item_ok"] = bool(ids) and ids[0] in set(turn["items"])
                if turn.get("expect_kind"):
                    m["clarify_ok"] = resp.kind == turn["expect_kind"]
                if turn.get("facts"):
                    fm = self._answer_metrics(resp, turn["facts"], turn["source"], (), turn.get("yesno"))
                    m |= {"followup_" + k: v for k, v in fm.items() if k != "any_source_cited"}
                    lengths.add(resp, split)
                if not m:
                    continue
                for key in (split, "all"):
                    out["ours"][key].add(**m)
                out["kinds"][row.get("kind", "?") if t else "first turn"].add(**m)
                bad = [k for k in ("turn_item_ok", "clarify_ok", "followup_fact_first_paragraph", "followup_yesno_lead")
                       if k in m and not m[k]]
                if bad:
                    out["failures"].append(self._failure(
                        row["id"], turn["user"], resp, turn=t, missing=bad, rewrite=result.trace.get("query"),
                        expected=turn.get("facts") or turn.get("items") or turn.get("expect_kind")))
        return _finish(out) | {"lengths": lengths.summary()}

    def _ids(self, names: list[str]) -> list[str]:
        return [self.by_name[n].id for n in names if n in self.by_name]


class _Lengths:
    """Characters of the first paragraph and of the whole answer, per answer kind and split."""

    def __init__(self):
        self.data: dict = defaultdict(lambda: defaultdict(lambda: {"first": [], "whole": []}))

    def add(self, resp: ChatResponse, split: str) -> None:
        for key in (split, "all"):
            d = self.data[resp.kind][key]
            d["first"].append(len(first_paragraph(resp.answer)))
            d["whole"].append(len(resp.answer))

    def summary(self) -> dict:
        return {kind: {split: {"first_paragraph": length_stats(v["first"]), "whole": length_stats(v["whole"], 450)}
                       for split, v in splits.items()} for kind, splits in self.data.items()}


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
