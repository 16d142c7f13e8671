"""The fixed reply texts of the rules, behind one function: ``reply(key, **values)``.

Texts name the centre through ``{centre}`` (its 简称 in centre.yaml, "便民方舟") and ``{centre_name}``
(its 名称 without the bracketed note, "宿迁市便民方舟"), so another centre gets its own name without
touching Python:

    >>> reply("thanks")
    '不客气！还有其他要办的事，随时问我。'
    >>> reply("decline", centre_name="宿迁市便民方舟")
    '抱歉，这个问题不在政务服务的范围内，我只能解答宿迁市便民方舟的办事和政策问题。'

`centre_values(centre)` gives both names; `suggestions(key)` the suggestion buttons that go with a reply.
"""
from __future__ import annotations

import re

REPLIES: dict[str, str] = {
    "injection": "抱歉，我只能按照政务服务办事指南和政策原文回答问题，不能执行改变规则或身份的指令。",
    "greeting": "您好！我是{centre}的导办助手，可以告诉您办什么事项、带什么材料、去哪个窗口、能不能网上办，以及相关政策依据。",
    "thanks": "不客气！还有其他要办的事，随时问我。",
    "who": "我是{centre}的24小时导办助手：只依据中心公开的办事指南和政策原文回答，并标注出处；答不了的会转给导办员。",
    "decline": "抱歉，这个问题不在政务服务的范围内，我只能解答{centre_name}的办事和政策问题。",
    "decline:illegal": "抱歉，这个请求涉及违法违规行为，我不能提供帮助。",
    "decline:other-city-policy": "抱歉，其他城市的地方政策不在本中心的办理范围内，请咨询当地政务服务中心或当地12345热线。",
    "decline:foreign_visa": "抱歉，外国签证不属于政务服务中心的办理范围，请咨询相关国家驻华使领馆。因私护照、港澳台通行证可以问我。",
    "no-evidence": "抱歉，未找到依据：在本中心的办事指南和已收录的政策中没有找到与您问题相关的内容，我不能凭空作答。",
    "clarify:topic": "关于{topic}，本中心可以办理以下事项，请问您要办的是哪一项？",
    "clarify:topic-word": "您问的可能是以下事项，请问是哪一项？",
    "clarify:service": "我不太确定您要办理的是哪一项，请问是以下哪个事项？",
    "clarify:unknown-words": "办事指南和政策里没有找到与「{words}」有关的内容。您要办理的是不是下面这个事项？",
    "clarify:close": "您的情况可能对应以下几个事项，请问您要办理的是哪一项？",
    "clarify:none-of-these": "如果都不是，可以换个说法，或回复“转人工”。",
    "clarify:not-this": "如果不是，可以换个说法，或回复“转人工”。",
    "also-needed": "您还可能需要办理「{name}」：{where}{windows}窗口。{ref}",
    "runner-up": "如果您要办的是「{name}」，请告诉我，我再为您说明。{ref}",
    "related-item": "相关办事事项：「{name}」，在{where}办理。{ref}",
}

SUGGESTIONS: dict[str, list[str]] = {
    "refuse": ["结婚登记要带什么", "公积金租房提取怎么办"],
    "no-evidence": ["转人工", "结婚登记要带什么", "公积金提取怎么办"],
    "chitchat": ["结婚登记要带什么", "开公司去哪个窗口", "公积金租房能取吗"],
    "guide": ["查看完整办事指南", "要带什么材料", "网上能办吗", "多久能办好"],
}


def reply(key: str, **values) -> str:
    """The reply text `key` with its ``{…}`` values filled in (values it does not use are ignored)."""
    return REPLIES[key].format(**values)


def has_reply(key: str) -> bool:
    return key in REPLIES


def suggestions(key: str) -> list[str]:
    """The suggestion buttons shown with reply `key` (a new list each time)."""
    return list(SUGGESTIONS[key])


def centre_values(centre) -> dict[str, str]:
    """{centre}: "便民方舟" (简称); {centre_name}: "宿迁市便民方舟" (名称 without "（政务服务中心）")."""
    return {"centre": centre.short_name, "centre_name": re.sub(r"（[^）]*）|\([^)]*\)", "", centre.name).strip()}
