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

import csv
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.corpus.schema import Centre, CorpusError

# 办理项类型 of the national catalogue (taskType of provincial exports)
TASK_TYPES = {"1": "行政许可", "2": "行政处罚", "3": "行政强制", "4": "行政征收", "5": "行政给付",
              "6": "行政检查", "7": "行政确认", "8": "行政奖励", "9": "行政裁决", "10": "其他行政权力",
              "20": "公共服务"}
KEYS = {  # accepted column → field
    "name": "name", "事项名称": "name",
    "department": "department", "实施主体": "department", "部门": "department",
    "itemCode": "code", "事项编码": "code", "code": "code",
    "taskType": "kind", "办理项类型": "kind", "事项类型": "kind", "kind": "kind",
    "link": "url", "网址": "url", "办事链接": "url", "url": "url",
    "hall": "hall", "大厅": "hall", "zone": "zone", "专区": "zone",
    "main_item": "group", "主项": "group",
}
REQUIRED = {"name": "事项名称", "department": "实施主体", "code": "事项编码"}


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    name: str
    department: str
    kind: str = ""
    url: str | None = None
    hall: str | None = None
    zone: str | None = None
    group: str = ""
    source: str = ""

    @property
    def id(self) -> str:
        return "catalogue:" + hashlib.sha1(self.code.encode()).hexdigest()[:12]

    def chunk(self) -> Chunk:
        """The citable record of the item (never part of the guide/law retrieval arrays)."""
        parts = [f"事项名称：{self.name}", f"实施主体：{self.department}", f"事项编码：{self.code}"]
        if self.kind:
            parts.append(f"办理项类型：{self.kind}")
        if self.url:
            parts.append(f"网上办理：{self.url}")
        return Chunk(chunk_id=f"{self.id}#catalogue", doc_id=self.id, kind="catalogue", title=self.name,
                     section="事项目录", text="；".join(parts) + "。", source=self.source, url=self.url,
                     item_id=self.id, meta={"department": self.department, "code": self.code})


def _rows(path: Path) -> list[tuple[str, dict]]:
    """(where, row) for every record of a catalogue file; where = '第N行'."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError([(str(path), "", f"无法读取：{e}")]) from None
    if path.suffix.lower() == ".csv":
        return [(f"第{i}行", dict(r)) for i, r in enumerate(csv.DictReader(text.splitlines()), 2)]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CorpusError([(str(path), "", f"JSON 格式错误（第{e.lineno}行）：{e.msg}")]) from None
        if not isinstance(data, list):
            raise CorpusError([(str(path), "", "JSON 文件应为事项列表")])
        return [(f"第{i}项", r) for i, r in enumerate(data, 1)]
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"第{i}行", json.loads(line)))
        except json.JSONDecodeError as e:
            raise CorpusError([(str(path), f"第{i}行", f"不是合法的 JSON：{e.msg}")]) from None
    return out


def load_catalogue_file(path: Path) -> list[CatalogueItem]:
    """Every item of one catalogue file; all problems are collected and raised together
    as CorpusError naming the file, the row and the field."""
    if not path.exists():
        raise CorpusError([(str(path), "", "事项目录文件不存在")])
    items, problems = [], []
    for where, raw in _rows(path):
        if not isinstance(raw, dict):
            problems.append((str(path), where, "应为键值对象"))
            continue
        row = {KEYS[k]: str(v).strip() for k, v in raw.items() if k in KEYS and v is not None and str(v).strip()}
        missing = [label for f, label in REQUIRED.items() if not row.get(f)]
        if missing:
            problems += [(str(path), f"{where}.{label}", "缺失") for label in missing]
            continue
        url = row.get("url")
        if url and not re.match(r"^https?://", url):
            problems.append((str(path), f"{where}.网址", f"不是 http(s) 链接：{url[:40]}"))
            continue
        kind = TASK_TYPES.get(row.get("kind", ""), row.get("kind", ""))
        items.append(CatalogueItem(code=row["code"], name=row["name"], department=row["department"], kind=kind,
                                   url=url, hall=row.get("hall"), zone=row.get("zone"),
                                   group="" if row.get("group") == "未分类" else row.get("group", ""),
                                   source=f"{path.name} {where}"))
    if problems:
        raise CorpusError(problems)
    return items


def load_catalogues(paths: list[Path], guides) -> tuple[list[CatalogueItem], dict]:
    """Catalogue-only items of all files (first file wins a duplicate code), without the items a
    full guide covers; and counts of what was read, covered and duplicated."""
    covered_names = {n for g in guides for n in (g.name, *g.aliases)}
    covered_codes = {g.code for g in guides}
    seen: set[str] = set()
    out: list[CatalogueItem] = []
    counts = {"read": 0, "covered_by_guide": 0, "duplicate": 0}
    for path in paths:
        for item in load_catalogue_file(Path(path)):
            counts["read"] += 1
            if item.code in covered_codes or item.name in covered_names:
                counts["covered_by_guide"] += 1
            elif item.code in seen:
                counts["duplicate"] += 1
            else:
                seen.add(item.code)
                out.append(item)
    counts["items"] = len(out)
    return out, counts


def department_place(centre: Centre, item: CatalogueItem) -> tuple[str, str | None] | None:
    """(hall, zone) where the centre handles the item: the item's own 大厅/专区, else the centre.yaml
    「部门」 entry one of whose 关键词 the department contains (区人社局 → 人社 → 人社医保大厅)."""
    if item.hall:
        return item.hall, item.zone
    for d in centre.departments:
        if any(k in item.department for k in d.keywords):
            return d.hall, d.zone
    return None


# ------------------------------------------------------------------ index side


def item_text(item: CatalogueItem) -> str:
    return f"{item.name} {item.group}".strip()


def bigrams(text: str) -> list[str]:
    core = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())
    return [core[i:i + 2] for i in range(len(core) - 1)]


def catalogue_tokens(tok, text: str) -> list[str]:
    """Words and character pairs: item names are long official phrases (犬类准养证核发) that a
    person says in pieces (养狗 … 办证)."""
    return [t for t in tok.tokens(text) if len(t) >= 2] + bigrams(text)


# Catalogue names often come in variants (烟草专卖零售许可证新办 / 补办 / 延续 / 停业 …). A variant's action
# word counts against it unless the question gives a cue for it ("丢了" → 补办, "到期" → 延续), so that
# "开个小卖部想卖烟，烟草证怎么办" finds 新办; a region variant likewise ("外省户口" → 跨省, not 省内).
# The words are data (corpus/lexicon/actions.yaml `variant_cues`); calibrated on the tune split of
# eval/catalogue_dev.jsonl.
ACTION_CUES: dict[str, re.Pattern] = load_lexicon().actions.variant_cues
ACTION_PENALTY = 0.02


def action_penalty(name: str, question: str) -> int:
    return sum(1 for word, cue in ACTION_CUES.items() if word in name and not cue.search(question))


@dataclass
class CatalogueIndex:
    items: list[CatalogueItem]
    vectors: np.ndarray  # name vectors, embedded on the query side (names are short like questions)
    bm25: object  # bm25s.BM25 over catalogue_tokens
    counts: dict

    covered: np.ndarray | None = None  # items all but named like a guide (补领结婚证 ~ 补领婚姻登记证's alias)

    def __post_init__(self):
        self.by_id = {i.id: i for i in self.items}
        self.chunks = {i.id: i.chunk() for i in self.items}

    def search(self, tok, text: str, qvec: np.ndarray, k: int = 5) -> list[dict]:
        """Best items for a question: cosine of the name vector, BM25 of words and character pairs,
        fused as cosine + 0.02·normalised BM25 (BM25 breaks ties between near-identical names)."""
        if not self.items:
            return []
        cos = self.vectors @ qvec
        toks = catalogue_tokens(tok, text)
        bm = np.asarray(self.bm25.get_scores(toks), dtype=np.float32) if toks else np.zeros(len(self.items))
        bmn = bm / bm.max() if bm.max() > 0 else bm
        fused = cos + 0.02 * bmn
        if self.covered is not None:
            fused = np.where(self.covered, -1.0, fused)
        pool = np.argsort(-fused)[:k * 4]
        for i in pool:  # variants whose action word the question gives no cue for
            fused[i] -= ACTION_PENALTY * action_penalty(self.items[i].name, text)
        top = pool[np.argsort(-fused[pool])][:k]
        return [{"item": self.items[i], "cos": float(cos[i]), "bm25": float(bm[i]), "bm25_norm": float(bmn[i]),
                 "score": float(fused[i])} for i in top]


def build_catalogue(settings, corpus, tok, embed_all, out: Path) -> dict | None:
    """Write catalogue.jsonl, catalogue.npz and bm25_catalogue/ into `out` (the build's temporary
    folder); `embed_all(texts, keys)` returns query-side vectors through the embedding cache.
    Returns the manifest entry, or None when no catalogue is configured."""
    if not settings.catalogs:
        return None
    import bm25s

    items, counts = load_catalogues(list(settings.catalogs), corpus.guides)
    texts = [item_text(i) for i in items]
    keys = [f"q:{hashlib.sha256(t.encode()).hexdigest()[:24]}" for t in texts]
    vecs, n_new = embed_all(texts, keys)
    bm = bm25s.BM25()
    bm.index([catalogue_tokens(tok, t) or ["∅"] for t in texts] or [["∅"]], show_progress=False)
    bm.save(str(out / "bm25_catalogue"))
    with (out / "catalogue.jsonl").open("w", encoding="utf-8") as f:
        for i in items:
            f.write(json.dumps(asdict(i), ensure_ascii=False) + "\n")
    np.savez(out / "catalogue.npz", vectors=vecs)
    return {"files": [str(p) for p in settings.catalogs], **counts, "embedded_now": n_new, "keys": keys}


def load_catalogue_index(d: Path, manifest: dict) -> CatalogueIndex | None:
    info = manifest.get("catalogue")
    if not info:
        return None
    import bm25s

    with (d / "catalogue.jsonl").open(encoding="utf-8") as f:
        items = [CatalogueItem(**json.loads(line)) for line in f if line.strip()]
    with np.load(d / "catalogue.npz") as z:
        vecs = z["vectors"].astype(np.float32)
    if len(vecs) != len(items):
        raise ValueError("catalogue.npz 与 catalogue.jsonl 条数不符")
    return CatalogueIndex(items=items, vectors=vecs, bm25=bm25s.BM25.load(str(d / "bm25_catalogue")),
                          counts={k: v for k, v in info.items() if k != "keys"})


# ------------------------------------------------------------------ answering

# Gate, calibrated on the tune split (eval/reports/catalogue.json has the first, untuned score too)
CAT_MIN = 0.89  # a catalogue item's name must be at least this close to the question (cosine)
CAT_OVER_GUIDE = 0.0  # …and at least as close as the best guide matched by meaning alone (no alias)
CAT_OVER_CLARIFY = 0.90  # a clarifying question between guides gives way only to a close catalogue item
CAT_MIN_CHARS = 7  # "补贴", "医保", "注销": a bare topic gets the guides' clarifying question
COVERED = 0.96  # a catalogue name this close to a guide's name or alias is the guide's
CAT_MIN_WORDS = 0.7  # the item must also share words with the question: BM25 ≥ 0.7 × the best catalogue BM25
# An item whose name is at least as close to the question as every guide's name, alias and FAQ question
# answers whatever the rulebook decided ("想开个中医诊所，要备案吗": 中医诊所备案 0.979 against the best guide
# phrase 0.93, where the rulebook had found only a law).  Calibrated on the tune split of guide_dev.jsonl
# (3 of 333 guide questions cross it) and on catalogue_dev.jsonl; first scores in eval/reports/catalogue.json.
CAT_OVER_NAMES = 0.0
DECIDED_BY_FOCUS = ("rule:followup-rewrite", "rule:clarify-reply", "rule:curated-answer", "rule:followup-sibling")


class CatalogueAnswers:
    """The catalogue stage of the dialogue policy (dialogue/policy.py `decide`): after the rulebook's
    decision, a catalogue-only item that fits the question clearly better answers instead (kind "guide",
    item id ``catalogue:…``, rule ``catalogue-only``)."""

    def __init__(self, index):
        self.index = index
        self.cat: CatalogueIndex = index.catalogue
        if len(index.phrase_vecs) and len(self.cat.vectors):
            self.cat.covered = (self.cat.vectors @ index.phrase_vecs.T).max(axis=1) >= COVERED

    def consider(self, turn, decided):
        """`decided` (a `Decision`), or the catalogue item's answer when one fits clearly better than it:
        better in meaning than a guide matched by meaning only, close enough to beat a clarifying question,
        or any fit for a law answer without a service item, a refusal or a hand-off.  Not after a rule
        that followed the conversation (a follow-up, a clarify reply, a reviewed answer)."""
        u = turn.u
        if u.turn != "question" or any(r.startswith(DECIDED_BY_FOCUS) for r in turn.rules + decided.rules) \
                or len(bigrams(u.text)) + 1 < CAT_MIN_CHARS:
            return decided
        qvec = turn.assistant.retriever.embed(u.text)
        matches = self.cat.search(self.index.tokenizer, u.text, qvec)
        if not matches:
            return decided
        best = matches[0]
        decided.diagnostics["catalogue"] = [{"name": m["item"].name, "department": m["item"].department,
                                             "cos": round(m["cos"], 4), "bm25": round(m["bm25"], 3)}
                                            for m in matches[:3]]
        if best["cos"] < CAT_MIN or best["bm25_norm"] < CAT_MIN_WORDS:  # "扯个证" is not 公证员执业许可
            return decided
        closest_guide = float((self.index.phrase_vecs @ qvec).max()) if len(self.index.phrase_vecs) else 0.0
        if best["cos"] < closest_guide + CAT_OVER_NAMES \
                and not self._gives_way(decided, best, (turn.diagnostics.get("items") or [None])[0]):
            return decided
        was = decided.diagnostics.get("decision", "")
        return self.answer(best["item"], best["score"], matches, decided,
                           f"catalogue: {best['item'].name} (cos {best['cos']:.3f}; was {was})")

    @staticmethod
    def _gives_way(decided, best: dict, top: dict | None) -> bool:
        kind = decided.kind
        if kind == "guide":
            return not (top is None or top.get("alias") or best["cos"] < top.get("semantic", 0.0) + CAT_OVER_GUIDE)
        if kind == "policy":
            return decided.rule == "policy-no-item"
        if kind == "clarify":
            return best["cos"] >= CAT_OVER_CLARIFY
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
        others = [m["item"].name for m in matches[1:3] if m["cos"] >= CAT_MIN and m["item"].name != item.name]
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
