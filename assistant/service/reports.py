"""What the staff console reports, computed from the stored log: the 会话记录 page, the 缺口 (gaps) and the
看板 (dashboard).  No HTTP here: the routers in `web/staff/` parse the query, call these and send the dict.

Days are the centre's local days: with ``ASSISTANT_STAFF_UTC_OFFSET_HOURS=8`` the day 2026-03-02 is
2026-03-01 16:00 to 2026-03-02 16:00 UTC (`LocalTime.day_start`), and every time goes out as local ISO
text, e.g. ``2026-03-02T09:30:00+08:00`` (`LocalTime.iso`).

Which answers count as unanswered is read from the deciding rule (`decision.rule_of`), never from the
answer's words: a refusal by the no-evidence rule is a gap; with ``out_of_scope`` every refusal is.
"""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import numpy as np

from assistant.core.dialogue.decision import CURATED, NO_EVIDENCE
from assistant.store.feedback import RATINGS, overdue_reason
from assistant.store.turns import SCAN_LIMIT, TurnLog

GAP_THRESHOLD = 0.93  # cosine for grouping gap questions (paraphrases ≥ 0.93, different topics lower)
UTC = timezone.utc


class InvalidRange(ValueError):
    """A date range that ends before it starts (the console answers 422 with this message)."""


@dataclass(frozen=True)
class LocalTime:
    """The centre's clock and calendar: naive-UTC stored times ↔ local days and ISO text."""

    utc_offset_hours: float
    clock: Callable[[], datetime]

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    def iso(self, dt: datetime | None) -> str | None:
        return dt.replace(tzinfo=UTC).astimezone(self.tz).isoformat(timespec="seconds") if dt else None

    def note_time(self, value: str | None) -> str | None:
        """A case note's stored ``at`` (naive-UTC ISO text) as local ISO text; anything unreadable as it is."""
        try:
            return self.iso(datetime.fromisoformat(value)) if value else None
        except ValueError:
            return value

    def local_day(self, dt: datetime) -> date:
        return dt.replace(tzinfo=UTC).astimezone(self.tz).date()

    def day_start(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=self.tz).astimezone(UTC).replace(tzinfo=None)

    def span(self, start: date | None, end: date | None, days: int = 30) -> tuple[date, date]:
        """The days asked for: ``end`` defaults to today, ``start`` to ``days`` days up to ``end``."""
        end = end or self.local_day(self.clock())
        start = start or (end - timedelta(days=days - 1))
        if start > end:
            raise InvalidRange("开始日期不能晚于结束日期")
        return start, end

    def range(self, start: date, end: date) -> tuple[datetime, datetime]:
        """[first instant of ``start``, first instant after ``end``) in naive UTC."""
        return self.day_start(start), self.day_start(end + timedelta(days=1))


def rating_ok(fb, rating: str | None) -> bool:
    """The 评价 filter: ``unrated``, ``rated``, ``bad`` (不满意 or worse), ``good`` (基本满意 or better) or one
    rating's name, e.g. ``满意``."""
    if not rating:
        return True
    if rating == "unrated":
        return fb is None
    if fb is None:
        return False
    return {"rated": True, "bad": fb.score <= 2, "good": fb.score >= 3}.get(rating, fb.rating == rating)


class QuestionVectors:
    """Question vectors for gap grouping, cached in memory (a day's gaps are mostly yesterday's questions)."""

    def __init__(self, limit: int = 50_000):
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.limit = limit

    def get(self, embedder, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for i in range(0, len(missing), 64):
            batch = missing[i:i + 64]
            vecs = embedder.queries(batch)
            with self._lock:
                if len(self._cache) > self.limit:
                    self._cache.clear()
                self._cache.update(zip(batch, np.asarray(vecs, dtype=np.float32)))
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


def cluster(vecs: np.ndarray, threshold: float) -> list[list[int]]:
    """Greedy leader clustering: each row joins the closest existing leader at or above
    `threshold`, otherwise leads a new group.  Rows are taken in the given order."""
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in range(len(vecs)):
        if leaders:
            sims = vecs[leaders] @ vecs[i]
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                groups[j].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    return groups


def _conversation_rows(matched: list, iso: Callable) -> list[dict]:
    """Matched turns (newest first) folded into one row per conversation, newest conversation first."""
    convs: dict[str, dict] = {}
    for t, fb, last in matched:
        c = convs.setdefault(t["conversation_id"], {
            "id": t["conversation_id"], "channel": t["channel"], "last_at": iso(t["created_at"]),
            "first_at": iso(t["created_at"]), "turns": 0, "questions": [], "kinds": Counter(), "items": [],
            "ratings": [], "worst_score": None, "wrong": 0, "correct": 0})
        c["turns"] += 1
        c["first_at"] = iso(t["created_at"])
        c["questions"].insert(0, t["question"])
        c["kinds"][t["kind"]] += 1
        for n in t["items"]:
            if n not in c["items"]:
                c["items"].append(n)
        if fb is not None:
            c["ratings"].append(fb.rating)
            c["worst_score"] = fb.score if c["worst_score"] is None else min(c["worst_score"], fb.score)
        if last:
            c[last] += 1
    rows = list(convs.values())
    for c in rows:
        c["kinds"] = dict(c["kinds"])
        c["questions"] = c["questions"][:3]
        c["worst_rating"] = next((k for k, v in RATINGS.items() if v == c["worst_score"]), None)
    return rows


def _gap_group(members: list) -> dict:
    qs = Counter(t["question"] for t, _ in members)
    return {"label": members[0][0]["question"], "count": len(members),
            "questions": [{"text": q, "count": n} for q, n in qs.most_common(10)],
            "reasons": dict(Counter(w for _, why in members for w in why)),
            "items": [n for n, _ in Counter(n for t, _ in members for n in t["items"]).most_common(3)],
            "last_at": max(t["created_at"] for t, _ in members),
            "examples": [{"message_id": t["id"], "conversation_id": t["conversation_id"]} for t, _ in members[-3:]]}


class Reports:
    """The console's reports over one database.  ``feedback`` is the `FeedbackStore`, ``curated`` the
    `CuratedStore` (ratings and answer checks are joined to the turns they are about)."""

    def __init__(self, log: TurnLog, feedback, curated, local: LocalTime):
        self.log, self.feedback, self.curated, self.local = log, feedback, curated, local
        self.vectors = QuestionVectors()

    def matching_turns(self, start: date, end: date, channel: str | None, kind: str | None, rating: str | None,
                       item_name: str | None, review: str | None, q: str | None) -> tuple[list, bool]:
        """(turn, feedback, last review verdict) of the answers that pass the filters, newest first; and
        whether the scan hit SCAN_LIMIT (older answers not looked at)."""
        turns = self.log.turns(*self.local.range(start, end), channel or None, kind or None)
        ids = [t["id"] for t in turns]
        fbs = self.feedback.for_messages(ids)
        reviews: dict[str, list] = defaultdict(list)
        for r in self.curated.reviews(ids):
            reviews[r.message_id].append(r)
        needle = q.strip().lower() if q and q.strip() else None
        matched = []
        for t in turns:
            fb = fbs.get(t["id"])
            last = reviews[t["id"]][-1].verdict if reviews.get(t["id"]) else None
            if item_name and item_name not in t["items"]:
                continue
            if not rating_ok(fb, rating):
                continue
            if (review == "unreviewed" and last is not None) or (review in ("correct", "wrong") and last != review):
                continue
            if needle and needle not in t["question"].lower() and needle not in t["answer"].lower():
                continue
            matched.append((t, fb, last))
        return matched, len(turns) >= SCAN_LIMIT

    def conversations(self, start: date, end: date, matched: list, truncated: bool, page: int, size: int) -> dict:
        """One page of the 会话记录: conversations with at least one matching answer, newest first."""
        rows = _conversation_rows(matched, self.local.iso)
        return {"start": start.isoformat(), "end": end.isoformat(), "total": len(rows), "page": page, "size": size,
                "turns": len(matched), "truncated": truncated, "conversations": rows[(page - 1) * size: page * size]}

    def gaps(self, embedder, start: date, end: date, threshold: float = GAP_THRESHOLD, out_of_scope: bool = False,
             channel: str | None = None) -> dict:
        """Questions refused for want of evidence (every refusal with ``out_of_scope``), rated 不满意 or worse,
        or checked as wrong, grouped by meaning (`cluster` at ``threshold``), largest group first."""
        turns = self.log.turns(*self.local.range(start, end), channel or None)
        ids = [t["id"] for t in turns]
        fbs = self.feedback.for_messages(ids)
        wrong = {r.message_id for r in self.curated.reviews(ids) if r.verdict == "wrong"}
        rules = self.log.rules([t["id"] for t in turns if t["kind"] == "refuse"])
        picked = []
        for t in turns:
            why = ["refused"] if t["kind"] == "refuse" and (rules.get(t["id"]) == NO_EVIDENCE or out_of_scope) else []
            fb = fbs.get(t["id"])
            if fb is not None and fb.score <= 2:
                why.append("bad_rating")
            if t["id"] in wrong:
                why.append("wrong")
            if why and t["question"].strip():
                picked.append((t, why))
        picked.reverse()  # oldest first: the first wording of a gap leads its group
        texts = [t["question"] for t, _ in picked]
        vecs = self.vectors.get(embedder, texts) if texts else np.zeros((0, 1))
        groups = [_gap_group([picked[i] for i in rows]) for rows in (cluster(vecs, threshold) if texts else [])]
        for g in groups:
            g["last_at"] = self.local.iso(g["last_at"])
        groups.sort(key=lambda g: (-g["count"], g["label"]))
        return {"start": start.isoformat(), "end": end.isoformat(), "threshold": threshold, "total": len(picked),
                "groups": groups}

    def dashboard(self, start: date, end: date) -> dict:
        """看板: questions per local day, channels, kinds, top items, ratings, reviewed answers used, cases."""
        turns = self.log.turns(*self.local.range(start, end))
        per_day = {(start + timedelta(days=i)).isoformat(): {"total": 0, "refuse": 0}
                   for i in range((end - start).days + 1)}
        channels, kinds, items = Counter(), Counter(), Counter()
        for t in turns:
            d = per_day.get(self.local.local_day(t["created_at"]).isoformat())
            if d is not None:
                d["total"] += 1
                d["refuse"] += t["kind"] == "refuse"
            channels[t["channel"] or "web"] += 1
            kinds[t["kind"]] += 1
            items.update(t["items"])
        rules = self.log.rules([t["id"] for t in turns if t["kind"] == "guide"])  # a reviewed answer is a guide answer
        fbs = self.feedback.all(*self.local.range(start, end))
        ratings, total = Counter(f.rating for f in fbs), len(turns)
        return {
            "start": start.isoformat(), "end": end.isoformat(), "questions": total,
            "conversations": len({t["conversation_id"] for t in turns}),
            "per_day": [{"date": k, **v} for k, v in per_day.items()],
            "channels": [{"channel": k, "count": v} for k, v in channels.most_common()],
            "kinds": dict(kinds), "refusal_rate": round(kinds["refuse"] / total, 4) if total else None,
            "top_items": [{"name": k, "count": v} for k, v in items.most_common(10)],
            "ratings": [{"rating": k, "count": ratings.get(k, 0)} for k in RATINGS],
            "rated": len(fbs), "rating_rate": round(len(fbs) / total, 4) if total else None,
            "satisfaction": round(sum(f.score >= 3 for f in fbs) / len(fbs), 4) if fbs else None,
            "curated": {"active": len(self.curated.all()), "answers": sum(r == CURATED for r in rules.values())},
            "cases": self._case_counts(), "truncated": total >= SCAN_LIMIT,
        }

    def _case_counts(self) -> dict:
        now = self.local.clock()
        all_cases = self.feedback.cases()
        open_cases = [c for c in all_cases if c.status != "已办结"]
        return {"open": len(open_cases), "overdue": sum(overdue_reason(c, now) is not None for c in open_cases),
                "closed": len(all_cases) - len(open_cases)}
