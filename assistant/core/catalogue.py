"""The centre's whole item catalogue beside the full guides (issue 13).

A real centre lists 1,000–2,000 items (政务服务事项目录) but has full 办事指南 for only some of them.
A catalogue-only item carries 事项名称, 实施主体, 事项编码, 办理项类型 and the official online link
(optionally 大厅/专区).  When a question is about such an item, the assistant names it, its department,
where the centre handles that department's items (centre.yaml 「部门」, when known) and the official
link, and says plainly that the full guide is not in the assistant yet (导办台 and 12345 next).

Files: the setting ``ASSISTANT_CATALOGS`` (a JSON list) names them; `assistant index build` indexes them
into ``index/catalogue.jsonl`` + ``bm25_catalogue/`` + name vectors in ``catalogue.npz``.  Accepted:

* JSON lines / a JSON list with the keys of the 四川政务服务网 export
  (``{"name", "department", "itemCode", "taskType", "link", "main_item"}``, e.g.
  ../shared/corpus/catalogs/guangan_items.jsonl), or with Chinese keys
  (事项名称, 实施主体, 事项编码, 办理项类型, 网址, 大厅, 专区);
* CSV with a header row of those Chinese (or English) keys.

Items that a full guide already covers (same 事项编码, or a name equal to a guide's name or alias) are
left out: the guide answers them.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.core.catalogue_files import (  # noqa: F401  (the catalogue's public names, re-exported)
    CatalogueItem, department_place, load_catalogue_file, load_catalogues)
from assistant.core.catalogue_match import (  # noqa: F401  (re-exported)
    ACTION_PENALTY, DEPARTMENT_CUE, OPERATION_WEIGHT, action_penalty, asked_operations, bigrams, catalogue_query,
    catalogue_tokens, department_cued, department_words, operation_agreement, operations, other_matter,
    other_operation, plain_name, words_lead)
from assistant.core.catalogue_rank import FEATURES, POOL, Gate, NameStats, Ranker, features
from assistant.core.dialogue.thresholds import CATALOGUE as T


# ------------------------------------------------------------------ index side


def item_text(item: CatalogueItem) -> str:
    return f"{item.name} {item.group}".strip()


@dataclass
class CatalogueIndex:
    items: list[CatalogueItem]
    vectors: np.ndarray  # name vectors, embedded on the query side: compared with the guides' phrases
    bm25: object  # bm25s.BM25 over catalogue_tokens
    counts: dict
    passages: np.ndarray | None = None  # plain names embedded on the passage side: rank the items

    covered: np.ndarray | None = None  # items all but named like a guide (补领结婚证 ~ 补领婚姻登记证's alias)

    def __post_init__(self):
        self.by_id = {i.id: i for i in self.items}
        self.row = {i.id: n for n, i in enumerate(self.items)}
        self.chunks = {i.id: i.chunk() for i in self.items}
        self.names = [i.name for i in self.items]
        self.stats = NameStats(self.names)
        self.ranker = Ranker.load()

    def candidates(self, tok, text: str, qvec: np.ndarray) -> dict:
        """The question (a query) against each plain name embedded as a passage — e5's question → answer
        direction, which ranks a person's words against an official name better than name-as-query (top-1
        0.80 → 0.85 on the tune split) — plus T.bm25_weight·normalised BM25 of words and character pairs and
        DEPARTMENT_CUE when the question names the item's department: the fused score; its first POOL items,
        with the variant words and the asked operation counted (OPERATION_WEIGHT, ACTION_PENALTY)."""
        cos = self.vectors @ qvec
        near = self.passages @ qvec if self.passages is not None else cos
        toks = catalogue_tokens(tok, text)
        bm = np.asarray(self.bm25.get_scores(toks), dtype=np.float32) if toks else np.zeros(len(self.items))
        bmn = bm / bm.max() if bm.max() > 0 else bm
        dept = department_cued(self.items, text)
        fused = near + T.bm25_weight * bmn + DEPARTMENT_CUE * dept
        pool = np.argsort(-fused)[:POOL]
        asked = asked_operations(text)
        for i in pool[:T.hand_pool]:  # variants whose action word the question gives no cue for; the asked operation
            fused[i] += OPERATION_WEIGHT * operation_agreement(self.items[i].name, asked) \
                - ACTION_PENALTY * action_penalty(self.items[i].name, text)
        return {"pool": pool, "cos": cos, "near": near, "bm": bm, "bmn": bmn, "dept": dept, "fused": fused}

    def features(self, text: str, c: dict) -> np.ndarray:
        return features(self.stats, self.names, c["dept"], c["pool"], text, c["near"], c["cos"], c["bmn"])

    def search(self, tok, text: str, qvec: np.ndarray, k: int = 5) -> list[dict]:
        """Best items for a question: the candidates' order by the learned ranker (catalogue_rank.py) when
        its weights exist, else by the fused score.  `cos` (name as a query) is what the stage compares
        with the guides' phrases, which are embedded the same way.  Items a guide covers (`covered`) are
        ranked too: when one comes first, the question is the guide's."""
        if not self.items:
            return []
        c = self.candidates(tok, text, qvec)
        pool, cos, bm, bmn, fused = c["pool"], c["cos"], c["bm"], c["bmn"], c["fused"]
        f = None if self.ranker is None else self.features(text, c)
        order = fused[pool] if f is None else self.ranker.scores(f)
        covered = self.covered if self.covered is not None else np.zeros(len(self.items), bool)
        out = []
        for j in np.argsort(-order, kind="stable")[:k]:
            i = pool[j]
            out.append({"item": self.items[i], "cos": float(cos[i]), "bm25": float(bm[i]), "bm25_norm": float(bmn[i]),
                        "score": float(fused[i]), "covered": bool(covered[i]), "rank_score": float(order[j]),
                        "features": None if f is None else f[j]})
        return out


def build_catalogue(settings, corpus, tok, embed_all, out: Path) -> dict | None:
    """Write catalogue.jsonl, catalogue.npz and bm25_catalogue/ into `out` (the build's temporary
    folder); `embed_all(texts, keys, side)` returns vectors through the embedding cache.
    Returns the manifest entry, or None when no catalogue is configured."""
    if not settings.catalogs:
        return None
    import bm25s

    items, counts = load_catalogues(list(settings.catalogs), corpus.guides)
    texts = [item_text(i) for i in items]
    keys = [f"q:{hashlib.sha256(t.encode()).hexdigest()[:24]}" for t in texts]
    vecs, n_new = embed_all(texts, keys, "query")
    plain = [plain_name(i.name) for i in items]
    pkeys = [f"p:catalogue:{hashlib.sha256(t.encode()).hexdigest()[:24]}" for t in plain]
    pvecs, n_new_p = embed_all(plain, pkeys, "passage")
    bm = bm25s.BM25()
    bm.index([catalogue_tokens(tok, t) or ["∅"] for t in texts] or [["∅"]], show_progress=False)
    bm.save(str(out / "bm25_catalogue"))
    with (out / "catalogue.jsonl").open("w", encoding="utf-8") as f:
        for i in items:
            f.write(json.dumps(asdict(i), ensure_ascii=False) + "\n")
    np.savez(out / "catalogue.npz", vectors=vecs, passages=pvecs)
    return {"files": [str(p) for p in settings.catalogs], **counts, "embedded_now": n_new + n_new_p,
            "keys": keys + pkeys}


def load_catalogue_index(d: Path, manifest: dict) -> CatalogueIndex | None:
    info = manifest.get("catalogue")
    if not info:
        return None
    import bm25s

    with (d / "catalogue.jsonl").open(encoding="utf-8") as f:
        items = [CatalogueItem(**json.loads(line)) for line in f if line.strip()]
    with np.load(d / "catalogue.npz") as z:
        vecs = z["vectors"].astype(np.float32)
        passages = z["passages"].astype(np.float32) if "passages" in z.files else None
    if len(vecs) != len(items) or (passages is not None and len(passages) != len(items)):
        raise ValueError("catalogue.npz 与 catalogue.jsonl 条数不符")
    return CatalogueIndex(items=items, vectors=vecs, bm25=bm25s.BM25.load(str(d / "bm25_catalogue")),
                          counts={k: v for k, v in info.items() if k != "keys"}, passages=passages)


# ------------------------------------------------------------------ answering

# The thresholds and weights of this stage: dialogue/thresholds.py CatalogueThresholds (T).
DECIDED_BY_FOCUS = ("rule:followup-rewrite", "rule:clarify-reply", "rule:curated-answer", "rule:followup-sibling")


def covered_items(items: list[CatalogueItem], sims: np.ndarray, phrases: list[str]) -> np.ndarray:
    """Items a guide covers: named all but like one of its phrases (≥ T.covered) for the same operation —
    补领结婚证 ~ 结婚证补领 is the guide's; 建筑工程施工许可证变更 ~ 建筑工程施工许可证核发 and 公共场所卫生许可延续 ~
    公共场所卫生许可 are other operations on the guide's matter, items of their own."""
    out = np.array([bare_name(i.name) in phrases for i in items], dtype=bool)
    for i, j in zip(*np.nonzero(sims >= T.covered)):
        out[i] = out[i] or operations(items[i].name) == operations(phrases[j])
    return out


SCOPE_NOTE = re.compile(r"[（(]含[^（()）]*[)）]")
ISSUING = re.compile(r"(新办|核发|审批|办理)+$")


def bare_name(name: str) -> str:
    """The name without its level note, its scope note and its issuing words: 食品(含保健食品)经营许可核发 →
    食品经营许可 and 公共场所卫生许可新办审批（县级） → 公共场所卫生许可, the names of two guides."""
    return ISSUING.sub("", SCOPE_NOTE.sub("", plain_name(name))) or name


class CatalogueAnswers:
    """The catalogue stage of the dialogue policy (dialogue/policy.py `decide`): after the rulebook's
    decision, a catalogue-only item that fits the question clearly better answers instead (kind "guide",
    item id ``catalogue:…``, rule ``catalogue-only``)."""

    def __init__(self, index):
        self.index = index
        self.cat: CatalogueIndex = index.catalogue
        if len(index.phrase_vecs) and len(self.cat.vectors):
            self.cat.covered = covered_items(self.cat.items, self.cat.vectors @ index.phrase_vecs.T, index.phrase_texts)
        self.guide_names = {g.name: [g.name, *g.aliases] for g in index.corpus.guides}
        names = {n for ns in self.guide_names.values() for n in ns}
        self.is_name = np.array([t in names for t in index.phrase_texts], dtype=bool)
        self.gate = Gate.load()

    def closest_guide(self, qvec: np.ndarray, text: str, item: CatalogueItem, decided) -> float:
        """How close the nearest guide phrase is, an FAQ question counting T.faq_slack less; lowered by
        T.other_operation_slack when the rulebook's guide is for another operation than the question's."""
        return self._closest(qvec) - T.other_operation_slack * self._other(item, text, decided)

    def _closest(self, qvec: np.ndarray) -> float:
        if not len(self.index.phrase_vecs):
            return 0.0
        sims = self.index.phrase_vecs @ qvec
        names, faqs = sims[self.is_name], sims[~self.is_name]
        return max(float(names.max()) if len(names) else 0.0, float(faqs.max()) - T.faq_slack if len(faqs) else 0.0)

    def _other(self, item: CatalogueItem, text: str, decided) -> bool:
        """The rulebook's guide is for another operation or matter than the item the question names."""
        guide = decided.items[0].name if decided.kind in ("guide", "policy") and decided.items else None
        return guide in self.guide_names and (other_operation(item.name, text, self.guide_names[guide])
                                              or other_matter(item.name, text, self.guide_names[guide])
                                              or words_lead(item.name, text, self.guide_names[guide]))

    def gate_features(self, text: str, decided, matches: list[dict], near: float, qvec: np.ndarray,
                      top: dict | None) -> np.ndarray:
        """catalogue_rank.GATE_FEATURES of the best item against the rulebook's decision."""
        best, col = matches[0], FEATURES.index
        f = best["features"]
        margin = best["rank_score"] - matches[1]["rank_score"] if len(matches) > 1 else 1.0
        kind = decided.kind
        return np.array([near, best["bm25_norm"], f[col("name_cover")], f[col("question_cover")],
                         f[col("char_cover")], f[col("op_agree")] - f[col("op_disagree")], margin,
                         near - self._closest(qvec), near - (top["semantic"] if top else T.min),
                         bool(top and top.get("alias")), self._other(best["item"], text, decided), kind == "guide",
                         kind == "policy", kind == "clarify", kind in ("refuse", "handoff"), not decided.items],
                        dtype=np.float32)

    def _fits(self, text: str, decided, matches: list[dict], near: float, qvec: np.ndarray, top) -> bool:
        """The learned gate (catalogue_rank.Gate) when its weights exist, else the hand rules: shared words
        (T.min_words) unless the meaning is sure, and closer than every guide phrase or `_gives_way`."""
        best = matches[0]
        if self.gate is not None and best["features"] is not None:
            return self.gate.prob(self.gate_features(text, decided, matches, near, qvec, top)) >= T.gate_min
        if best["bm25_norm"] < T.min_words and near < T.sure:  # "扯个证"
            return False
        return near >= self.closest_guide(qvec, text, best["item"], decided) + T.over_names \
            or self._gives_way(decided, best, top)

    def consider(self, turn, decided):
        """`decided` (a `Decision`), or the catalogue item's answer when one fits clearly better than it:
        better in meaning than a guide matched by meaning only, close enough to beat a clarifying question,
        or any fit for a law answer without a service item, a refusal or a hand-off.  Not after a rule
        that followed the conversation (a follow-up, a clarify reply, a reviewed answer)."""
        u = turn.u
        if u.turn != "question" or any(r.startswith(DECIDED_BY_FOCUS) for r in turn.rules + decided.rules) \
                or len(bigrams(u.text)) + 1 < T.min_chars:
            return decided
        text = catalogue_query(u.text)
        qvec = turn.assistant.retriever.embed(text)
        matches = self.cat.search(self.index.tokenizer, text, qvec)
        if not matches:
            return decided
        if text != u.text:  # the everyday → administrative words are the catalogue's aliases, as a guide has its
            qvec = turn.assistant.retriever.embed(u.text)  # own: the guides' phrases meet the person's own words
            for m in matches:
                m["cos_words"], m["cos"] = m["cos"], float(self.cat.vectors[self.cat.row[m["item"].id]] @ qvec)
        best = matches[0]
        near = max(best["cos"], best.get("cos_words", 0.0))  # the item with its aliases, like a guide
        decided.diagnostics["catalogue"] = [{"name": m["item"].name, "department": m["item"].department,
                                             "cos": round(m["cos"], 4), "bm25": round(m["bm25"], 3)}
                                            for m in matches[:3]]
        if best["covered"]:  # "结婚登记要预约吗": 结婚登记预约 is the guide's, not 离婚登记预约 the next one
            return decided
        if near < T.min or not self._fits(u.text, decided, matches, near, qvec,
                                            (turn.diagnostics.get("items") or [None])[0]):
            return decided
        was = decided.diagnostics.get("decision", "")
        return self.answer(best["item"], best["score"], matches, decided,
                           f"catalogue: {best['item'].name} (cos {best['cos']:.3f}; was {was})")

    @staticmethod
    def _gives_way(decided, best: dict, top: dict | None) -> bool:
        kind = decided.kind
        if kind == "guide":
            return not (top is None or top.get("alias") or best["cos"] < top.get("semantic", 0.0) + T.over_guide)
        if kind == "policy":
            return decided.rule == "policy-no-item"
        if kind == "clarify":
            return best["cos"] >= T.over_clarify
        return kind in ("refuse", "handoff")

    def answer(self, item: CatalogueItem, score: float, matches: list[dict], decided, why: str):
        """The item's name, department, where the centre handles that department, the official link, and
        plainly that the full guide is not in the assistant yet."""
        from assistant.core.compose import Citations, ItemCard, handoff_text
        from assistant.core.dialogue.decision import Decision
        from assistant.core.dialogue.state import Context

        centre = self.index.corpus.centre
        cites = Citations()
        ref = cites.ref(self.cat.chunks[item.id])
        kind = f"（{item.kind}）" if item.kind else ""
        paras = [f"您要办理的可能是「{item.name}」{kind}，实施主体：{item.department}。{ref}"]
        place = department_place(centre, item)
        if place:
            hall, zone = place
            floor = centre.hall(hall).floor if centre.hall(hall) else ""
            paras.append(f"本中心在{hall}{f'（{floor}）' if floor else ''}{zone or ''}办理{item.department}的事项，"
                         f"具体窗口请以现场指引为准。")
        else:
            paras.append(f"{item.department}的事项在本中心的办理窗口暂未登记。")
        if item.url:
            paras.append(f"网上办理入口（政务服务网）：{item.url}{ref}")
        paras.append(handoff_text(centre, "这个事项的完整办事指南（申请材料、办理时限、收费等）还没有收录进本助手，"
                                          "请不要仅凭以上信息准备材料。"))
        others = [m["item"].name for m in matches[1:3]
                  if m["cos"] >= T.min and not m["covered"] and m["item"].name != item.name]
        if others:
            paras.append(f"相近的事项还有：{'、'.join(others)}。")
        hall, zone = place if place else ("导办台", None)
        card = ItemCard(id=item.id, name=item.name, department=item.department, hall=hall, zone=zone, windows=[],
                        address=centre.address, hours=centre.hours, online_available=bool(item.url),
                        online_route="政务服务网" if item.url else "", online_url=item.url, score=round(score, 4))
        desk = centre.point("导办台")
        return Decision("guide", "catalogue-only", paras, [card], cites, [desk.location if desk else "转人工", "转人工"],
                        Context(focus=[]), decided.diagnostics | {"decision": why},
                        decided.rules + [f"rule:catalogue-only:{item.name}"])
