"""How the console's records go out as JSON: times as the centre's local ISO text (`LocalTime.iso`),
cited chunks with their text, cases with why they are late.  One function per record, shared by the
routers that show the same record in different places (a case in the list and under its answer)."""
from __future__ import annotations

from assistant.service.reports import LocalTime
from assistant.store.feedback import overdue_reason


def chunk_out(a, chunk_id: str, n: int | None = None) -> dict:
    """A cited chunk as the console shows it; ``{"chunk_id": …, "missing": True}`` when the index no longer
    has it (a guide was edited after the answer)."""
    c = a.index.by_id.get(chunk_id)
    if c is None:
        return {"chunk_id": chunk_id, "missing": True, "n": n}
    return {"n": n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "section": c.section,
            "text": c.text, "source": c.source, "kind": c.kind, "item_id": c.item_id}


def case_out(local: LocalTime, c, fb=None, turn: dict | None = None) -> dict:
    """A 差评 case, with the rating that opened it and the turn it is about when given."""
    reason = overdue_reason(c, local.clock())
    iso = local.iso
    out = {"id": c.id, "message_id": c.message_id, "status": c.status, "owner": c.owner,
           "created_at": iso(c.created_at), "reply_due": iso(c.reply_due), "fix_due": iso(c.fix_due),
           "replied_at": iso(c.replied_at), "closed_at": iso(c.closed_at), "overdue": reason is not None,
           "overdue_reason": reason, "notes": [n | {"at": local.note_time(n.get("at"))} for n in c.notes or []]}
    if fb is not None:
        out |= {"rating": fb.rating, "tags": fb.tags, "text": fb.text, "channel": fb.channel,
                "conversation_id": fb.conversation_id}
    if turn is not None:
        out |= {"question": turn["question"], "answer": turn["answer"], "kind": turn["kind"], "items": turn["items"]}
    return out


def curated_out(local: LocalTime, c) -> dict:
    return {"id": c.id, "question": c.question, "normalized": c.normalized, "item_id": c.item_id,
            "answer": c.answer, "chunk_ids": c.chunk_ids, "message_id": c.message_id, "created_by": c.created_by,
            "created_at": local.iso(c.created_at), "active": c.active}


def user_out(local: LocalTime, u) -> dict:
    return {"username": u.username, "role": u.role, "active": u.active, "created_at": local.iso(u.created_at),
            "last_login": local.iso(u.last_login)}
