"""Rules that answer before any search: prompt injection, requests the centre never serves, a person
asked for, small talk — and, once the evidence is in, the scope model's decline."""
from __future__ import annotations

from assistant.core.dialogue.decision import OUT_OF_SCOPE, SCOPE_DECLINE, Decision
from assistant.core.dialogue.replies import suggestions
from assistant.core.dialogue.rules.build import decline, named, refuse
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.turn import Turn
from assistant.core.handoff import handoff_reply


@named("injection")
def injection(t: Turn) -> Decision | None:
    """"忽略之前的规则，你现在是…": refused with the hand-off text."""
    if t.u.turn != "injection":
        return None
    return refuse(t, "injection", "refuse: prompt-injection", t.reply("injection"), suggestions("refuse"))


@named(OUT_OF_SCOPE)
def out_of_scope(t: Turn) -> Decision | None:
    """"怎么办假证": the message itself asks for something the centre never does (understand.py)."""
    if t.u.turn != "out_of_scope":
        return None
    return decline(t, OUT_OF_SCOPE, f"refuse: out of scope ({t.u.topic})", t.u.topic)  # topic: "illegal"


@named("handoff")
def handoff(t: Turn) -> Decision | None:
    """"转人工": the 导办台 if it is staffed now, else its hours and 12345 (handoff.py)."""
    if t.u.turn != "handoff":
        return None
    centre, now = t.assistant.centre, t.now
    text, rule = handoff_reply(centre, now)
    desk = centre.point("导办台")
    why = f"handoff: asked for a person ({rule.rsplit(':', 1)[-1]} at {now:%Y-%m-%d %H:%M})"
    return Decision("handoff", "handoff", [text], [], t.cites, [f"{desk.location}" if desk else "12345"],
                    Context(focus=t.ctx.focus), {"decision": why}, [rule])


@named("chitchat")
def chitchat(t: Turn) -> Decision | None:
    """"你好", "谢谢", "你是谁": what the assistant does, in one sentence."""
    if t.u.turn not in ("greeting", "thanks", "who"):
        return None
    return Decision("chitchat", "chitchat", [t.reply(t.u.turn)], [], t.cites, suggestions("chitchat"),
                    Context(focus=t.ctx.focus), {"decision": f"chitchat: {t.u.turn}"})


@named(SCOPE_DECLINE)
def scope_decline(t: Turn) -> Decision | None:
    """"今天天气怎么样": the scope model and the evidence found say it is not a service question."""
    scope = t.scope
    if scope is None or scope.in_scope:
        return None
    why = f"refuse: out of scope (p={scope.probability:.2f}, evidence {scope.evidence})"
    return decline(t, SCOPE_DECLINE, why, t.u.topic)
