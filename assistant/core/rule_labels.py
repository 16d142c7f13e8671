"""What each answering rule means, in Chinese, for 导办员 — and one sentence on why an answer came out as it did.

The pipeline records the rules that decided an answer in ``trace["rules"]`` as ids such as ``rule:term-map``,
``rule:typo:婚姻→结婚`` or ``rule:out-of-scope:medical`` (the part after the second colon is an argument).
This module is the ONE place where those ids get a label and a one-line description; the staff console shows
the label, never the id.  An id not listed here (a new rule from another branch) falls back to a generic label
instead of failing, and ``tests/e2e/test_rule_labels.py`` checks that every rule produced on the eval sets is listed.

    >>> rule_label("rule:typo:婚姻→结婚")["label"]
    '纠正错别字'
    >>> explain({"rules": ["rule:term-map"], "aspects": ["materials"], "decision": "guide: 结婚登记",
    ...          "items": [{"name": "结婚登记", "alias": "领证"}]})
    '按别名「领证」匹配到「结婚登记」；问的是材料，给出申请材料。'
"""
from __future__ import annotations

from assistant.core.dialogue.decision import CURATED, rule_of


# rule id (without "rule:" and without an argument) → (label, one-line description)
RULES: dict[str, tuple[str, str]] = {
    "term-map": ("俗称对应事项", "问题里的俗称或别名（如“领证”）对应到正式事项名（结婚登记）。"),
    "typo": ("纠正错别字", "把问题里的错别字或同音字改成事项用词后再检索。"),
    "unknown-words": ("看不懂的词", "问题里有办事指南和法规都没有的词，先请对方换个说法。"),
    "followup-rewrite": ("承接上文", "追问没有说事项名，沿用上一轮正在说的事项。"),
    "followup-shape": ("追问句式", "问题像是对上一轮的追问（如“那要多久”）。"),
    "followup-sibling": ("转到相关事项", "追问说到同一类里的另一个事项（如从设立转到注销）。"),
    "clarify-reply": ("回答了选择题", "对方从上一轮给出的选项中选了一个事项。"),
    "clarify-reply-new-request": ("没选选项、问了新问题", "上一轮请对方选择事项，对方改问了别的，按新问题回答。"),
    "clarify-reply-outside-choices": ("选项外的事项", "对方的回答不在给出的选项里，改按其说到的事项回答。"),
    "curated-answer": ("人工审核答案", "问题与工作人员审核过的答案相符，直接给出人工审核答案。"),
    "asker-个人": ("按个人办理", "问题说明是个人办理，只保留面向个人的事项。"),
    "asker-法人": ("按企业办理", "问题说明是企业或单位办理，只保留面向法人的事项。"),
    "full-guide": ("完整指南", "问题笼统地问怎么办，给出材料、地点、网办和时限等完整信息。"),
    "situation": ("按个人情形补充材料", "对方说了自己的情形（如外地户籍、委托代办），补充该情形另需的材料。"),
    "lead-guide": ("先答办事指南", "回答开头直接引用办事指南里最相关的一条。"),
    "lead-law": ("先答法规条文", "回答开头直接引用最相关的法规条文。"),
    "lead-catalogue": ("先答事项目录", "回答开头引用政务服务事项目录里的记录。"),
    "lead-plain": ("直接列出所问内容", "问的是某一项信息（材料、地点等），直接列出这一项。"),
    "lead-plain-followup": ("追问只答所问", "追问只问了一项信息，只列出这一项，不再重复整份指南。"),
    "law-answers-rule": ("法条比指南更贴切", "问的是规定本身，法条比办事指南更直接地回答了问题，以法条作答。"),
    "topic-word": ("提到与办事无关的话题", "问题里有天气、看病等词；只提高判断门槛，是否拒答由证据决定。"),
    "topic-word-clarify": ("笼统的话题词", "只说了一个对应多个事项的词（如“公积金”），请对方选择具体事项。"),
    "lead-none": ("没有可直接引用的一句", "没有足够贴切的原文，按事项信息组织回答。"),
    "law-behind-rule": ("附上法规依据", "问的是规定或条件，附上事项设定依据里的法条。"),
    "law-behind-lead": ("注明这句的法条出处", "开头引用的指南原文与某条法条说的是同一件事，一并引用该法条。"),
    "new-topic": ("换了话题", "这句话用了别的事项的词，当前事项的指南里没有，按新问题处理，不沿用上一轮的事项。"),
    "catalogue-only": ("只有事项目录", "中心没有这项的办事指南，只能给出事项目录里的信息。"),
    "out-of-scope": ("超出服务范围", "问题与政务办事无关（如天气、看病、炒股），礼貌说明并拒答。"),
    "scope-evidence": ("有依据，属于服务范围", "在办事指南或法规中找到了依据，判定属于服务范围。"),
    "scope-model": ("判定属于服务范围", "范围模型判断这是政务办事问题。"),
    "scope-decline": ("判定不属于服务范围", "范围模型判断这不是政务办事问题，拒答。"),
    "scope-decline-followup": ("追问离题", "这句话与正在说的事项无关（没有问办事信息，也没用到该事项的词），范围模型判断不是政务问题，拒答；事项仍保留，可以接着问。"),
    "injection-pattern": ("可疑指令", "问题试图让助手忽略规则或扮演别的角色，拒答。"),
    "handoff-request": ("要求转人工", "对方明确要求人工服务。"),
    "handoff": ("转人工", "按导办台当时是否有人值班，转接人工或告知热线和开放时间。"),
    "greeting": ("问候", "对方在打招呼，回复问候并说明能做什么。"),
    "thanks": ("致谢", "对方表示感谢，礼貌回应。"),
    "who-are-you": ("问助手是谁", "对方问助手是谁、能做什么。"),
    "extractive": ("原文摘录", "回答由办事指南和法规原文拼成，没有经过大模型改写。"),
    # the deciding rules of the rulebook (``trace["rule"]``, dialogue/policy.py) not named above
    "injection": ("拒绝可疑指令", "问题试图让助手忽略规则或扮演别的角色，按规定拒答。"),
    "chitchat": ("问候闲聊", "对方在打招呼、致谢或问助手是谁，回复并说明能做什么。"),
    "guide": ("按办事指南回答", "按最匹配事项的办事指南回答所问的内容，并给出办理地点。"),
    "no-evidence": ("没有依据", "办事指南和法规里都没有足够相关的内容，如实告知并建议转人工或拨打12345。"),
    "policy-no-item": ("只有法规依据", "没有对应的办事事项，但法规条文相关，以法规原文作答。"),
    "law-with-policy-cue": ("问的是政策规定", "问题问的是法律政策规定，以法规原文作答，并附相关事项。"),
    "law-before-clarify": ("法条回答了规定问题", "问的是规定，几个事项都不够确定，但有法条直接回答，以法条作答而不反问。"),
    "law-then-clarify": ("先答规定再请选择", "问的是规定，几个事项同样接近：先以法条作答，再列出这几个事项请对方选择。"),
    "topic-clarify": ("笼统的话题", "只说了一个话题（如“工程上的事”），列出这个话题下的事项请对方选择。"),
    "service-clarify": ("不确定要办的事项", "像是要办事，但没有足够接近的事项，请对方从可能的事项中选择。"),
    "close-items-clarify": ("几个事项都可能", "几个事项同样接近，请对方选择最接近的一项。"),
}
_TOPICS = {"weather": "天气", "finance": "理财炒股", "medical": "看病用药", "writing": "写作",
           "foreign_visa": "外国签证", "illegal": "违法请求", "unrelated": "生活闲聊", "other-city-policy": "外地政策"}
ARG_LABELS = {
    "topic-word": _TOPICS,
    "scope-decline": _TOPICS,
    "out-of-scope": {"weather": "天气", "finance": "理财炒股", "medical": "看病用药", "writing": "写作",
                     "foreign_visa": "外国签证", "illegal": "违法请求", "unrelated": "生活闲聊",
                     "other-city-policy": "外地政策"},
    "handoff": {"open": "导办台值班中", "closed": "非办公时间", "holiday": "节假日"},
}
GENERIC = ("其他规则", "这条规则还没有中文说明，请联系管理员补充（assistant/rule_labels.py）。")

ASPECTS = {"materials": "材料", "place": "办理地点", "online": "网上办理", "time": "办理时限", "fee": "收费",
           "conditions": "办理条件", "steps": "办理流程", "basis": "法律依据", "contact": "咨询电话",
           "agent": "能否代办"}
ASPECT_ANSWER = {"materials": "申请材料", "place": "窗口位置和办理时间", "online": "网上办理途径",
                 "time": "办结时限", "fee": "收费标准", "conditions": "受理条件", "steps": "办理流程",
                 "basis": "设定依据", "contact": "咨询电话", "agent": "代办要求"}


def _split(rule: str) -> tuple[str, str]:
    """``rule:typo:婚姻→结婚`` → (``typo``, ``婚姻→结婚``); ``rule:handoff:open`` → (``handoff``, ``open``)."""
    body = rule.removeprefix("rule:")
    if body in RULES:
        return body, ""
    base, _, arg = body.partition(":")
    return base, arg


def rule_label(rule: str) -> dict:
    """{"id", "label", "description", "known"} for one rule id from a trace; never raises."""
    base, arg = _split(str(rule))
    label, desc = RULES.get(base, GENERIC)
    if arg:
        label = f"{label}：{ARG_LABELS.get(base, {}).get(arg, arg)}"
    return {"id": str(rule), "label": label, "description": desc, "known": base in RULES}


def _decision(decision: str) -> tuple[str, str]:
    kind, _, rest = str(decision or "").partition(": ")
    return kind.strip(), rest.strip()


def _term(tr: dict) -> str:
    """The everyday word the question used for the item: 领证 (→ 结婚登记), 关门 (→ 注销)…"""
    from assistant.core.understand import _TERM_RE, TERMS

    text, expansion = str(tr.get("normalized") or ""), str(tr.get("expansion") or "")
    for m in _TERM_RE.finditer(text):
        rep = TERMS.get(m.group(0).lower()) or TERMS.get(m.group(0), "")
        if rep and rep in expansion:
            return m.group(0)
    return ""


CHOICE_RULES = frozenset({"close-items-clarify", "service-clarify", "topic-clarify"})  # several items fit


def explain(trace: dict | None) -> str:
    """One Chinese sentence on why this answer: what was matched and how, what was asked, what was given.

    ``{"rules": ["rule:term-map"], "aspects": ["materials"], "decision": "guide: 结婚登记", "items": [{"name":
    "结婚登记", "alias": "领证"}]}`` → 按别名「领证」匹配到「结婚登记」；问的是材料，给出申请材料。"""
    tr = trace or {}
    rules = [str(r) for r in tr.get("rules") or []]
    bases = {_split(r)[0]: _split(r)[1] for r in rules}
    kind, rest = _decision(tr.get("decision", ""))
    fixed = _without_evidence(kind, rule_of(tr), bases)
    if fixed:
        return fixed
    items = tr.get("items") or []
    top = items[0] if items and isinstance(items[0], dict) else {}
    name = top.get("name") or (rest.removesuffix(" (faq)") if kind == "guide" else "")
    parts = _matched(tr, bases, top, name, kind)
    aspects = [a for a in tr.get("aspects") or [] if a in ASPECTS]
    if kind == "clarify":
        # a trace stored before rules had names says so in its decision text
        many = rule_of(tr) in CHOICE_RULES if tr.get("rule") else \
            "items within" in rest or "candidates" in rest or "covers" in rest
        parts.append(f"{'有几个事项都可能' if many else '问题还不够明确'}，请对方选择最接近的一项")
    elif kind == "policy":
        reranked = ((tr.get("signals") or {}).get("best_law") or {}).get("learned") is not None
        parts.append("问的是规定本身，给出相关法规条文原文"
                     + ("（法条先按含义和字词检索，再按所问的是数字、条件还是罚则重新排序）" if reranked else ""))
    elif aspects:
        asked = "、".join(ASPECTS[a] for a in aspects)
        given = "、".join(ASPECT_ANSWER[a] for a in aspects)
        parts.append(f"问的是{asked}，给出{given}")
    elif kind == "guide":
        parts.append("没有问具体哪一项，给出地点、材料、网办和时限")
    if not parts:
        return "按检索到的依据组织回答。"
    return "；".join(parts) + "。"


def _without_evidence(kind: str, rule: str, bases: dict[str, str]) -> str:
    """The sentence for an answer that needs no matching story: a refusal, a hand-off, small talk, a
    reviewed answer ("" for any other)."""
    declined = next((b for b in ("scope-decline", "out-of-scope") if b in bases and bases[b]), None)
    if kind == "refuse" and declined:
        topic = ARG_LABELS[declined].get(bases[declined], bases[declined])
        return (f"问题属于「{topic}」，办事指南和法规里没有足够的依据，不在政务办事范围内，"
                "拒答并说明可以问什么。")
    if kind == "refuse" and rule == "injection":
        return "问题试图让助手忽略规则，按规定拒答。"
    if kind == "refuse":
        return "办事指南和法规里都没有找到足够相关的依据，如实告知并建议咨询窗口或12345。"
    if kind == "handoff":
        return "对方要求人工服务，" + ("导办台值班中，已转接。" if bases.get("handoff") == "open"
                                 else "当时导办台无人值班，告知热线和开放时间。")
    if kind == "chitchat":
        return "这是问候或闲聊，回复问候并说明能做什么。"
    if rule == CURATED:
        return "问题与工作人员审核过的答案相符，直接给出人工审核答案。"
    return ""


def _matched(tr: dict, bases: dict[str, str], top: dict, name: str, kind: str) -> list[str]:
    """How the item was found: a typo corrected, the focus followed, a choice picked, an alias …"""
    parts: list[str] = []
    if "typo" in bases:
        parts.append(f"把错别字「{bases['typo']}」改正后检索")
    if "followup-rewrite" in bases and name:
        parts.append(f"追问没有说事项，沿用上一轮的「{name}」")
    elif "followup-sibling" in bases:
        parts.append(f"追问转到相关事项「{bases['followup-sibling'] or name}」")
    elif "clarify-reply" in bases and name:
        parts.append(f"对方从选项中选了「{name}」")
    elif "term-map" in bases and name and _term(tr):
        parts.append(f"按别名「{_term(tr)}」匹配到「{name}」")
    elif top.get("alias") and name:
        how = "事项名" if top["alias"] == name else "别名"
        parts.append(f"按{how}「{top['alias']}」匹配到「{name}」")
    elif tr.get("expansion") and name:
        parts.append(f"按俗称对应到「{name}」")
    elif name and kind in ("guide", "policy"):
        parts.append(f"按问题的意思匹配到「{name}」")
    return parts


def labelled(rules: list[str] | None) -> list[dict]:
    return [rule_label(r) for r in rules or []]
