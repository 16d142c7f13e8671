"""Reading a message against the conversation: which offered choice a reply picks, whether a short word
names a family of items, which related item a follow-up moves to, and which words no guide uses.

These are signals of a `Turn` (turn.py), not rules: they decide nothing on their own.  Examples:
"租房的" after the 公积金 choices picks 住房公积金租房提取 (`pick_pending`); "公积金" after 离婚登记
names five items (`bare_topic`); "那贷款呢" after 购房提取 moves to 贷款提取 (`sibling`).
"""
from __future__ import annotations

import re

from assistant.core.asked import YESNO
from assistant.core.corpus.schema import Guide
from assistant.core.rank_items import ACTIONS, ItemCandidate, asker
from assistant.core.understand import FOLLOWUP_LEAD, STAY_CUE, TOGETHER, Understanding, aspects_of

FUNCTION_WORD = re.compile(r"^[有没不是的了吗呢吧也都还就再又要想能会可以怎么样什么啥哪这那个些一我你他她它们咱俺]+$")
TOPIC_ONLY = re.compile(r"^(?:关于|有关|问问|问一下|咨询)?(.{2,6}?)(?:上|方面|这块|那块|相关|类)?(?:的)?(?:事|事情|问题|业务)$")
# "卖水果的", "租房的", "个人的": an elliptical answer to what the previous turn asked
ELLIPTIC_REPLY = re.compile(r"^.{1,6}的$")
MAX_CHOICES = 6  # a clarifying question offers six items at most
SERVICE_VERBS = frozenset("申请 申领 登记 办理 手续 服务 证明 提交 领取 办证 申报".split())


def core_text(text: str) -> str:
    """The message without punctuation: "离婚，怎么办？" → "离婚怎么办"."""
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())


def words(g: Guide) -> list[str]:
    return [g.name, *g.aliases]


def pick_pending(text: str, pending: list[Guide]) -> Guide | None:
    """Resolve the reply to a clarifying question: a choice's name, who is asking (企业 or 个人),
    or a word only one choice has."""
    for g in pending:
        if g.name in text or text in g.name:
            return g
    for pattern, names in ACTIONS:  # "要改地址" → the 变更 item among the choices
        if pattern.search(text):
            acting = [g for g in pending if any(n in g.name for n in names)]
            if len(acting) == 1:
                return acting[0]
    want = asker(text)
    if want is not None:
        fit = [g for g in pending if want in g.audience and (want == "法人" or "法人" not in g.audience)]
        if len(fit) == 1:
            return fit[0]
        pending = fit or pending
    scores = []
    for g in pending:
        names = [g.name, *g.aliases, *(s.name for s in g.situations)]
        hits = sum(1 for ch_len in (4, 3, 2) for w in names for i in range(len(text) - ch_len + 1)
                   if text[i:i + ch_len] in w)
        scores.append((hits, g))
    scores.sort(key=lambda x: -x[0])
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def bare_topic(guides: dict[str, Guide], u: Understanding, focus: list[str]) -> list[Guide]:
    """A short topic word ("公积金", "那户口呢", "税") that names several items, after a turn about something
    else: the items it names.  Empty when the word is exactly one item's name or alias, when it names
    the item in focus (the person's words tie it to the focus), or when nothing is in focus."""
    if not focus or u.aspects:
        return []
    core = re.sub(r"(呢|吗|吧|啊|的事|的事情|的问题|怎么样)$", "", FOLLOWUP_LEAD.sub("", core_text(u.text)))
    if not 1 <= len(core) <= 6:
        return []
    exact = [g for g in guides.values() if core == g.name or core in g.aliases]
    if len(exact) == 1:
        return []
    # one character ("税") names the items whose names have it; a longer word also those of their aliases
    family = [g for g in guides.values() if core in g.name or (len(core) >= 2 and any(core in a for a in g.aliases))]
    if len(family) < 2 or any(g.id in focus[:1] for g in family) or (len(core) == 1 and len(family) > MAX_CHOICES):
        return []  # a character most names have ("人", "证") is no topic
    return family


def sibling(tokenizer, guides: dict[str, Guide], u: Understanding, pin: Guide,
            cands: list[ItemCandidate], generic=lambda word: False) -> Guide | None:
    """A follow-up that names what sets another candidate apart ("租房用的" after 购房提取,
    "那贷款呢", "消防验收呢") moves the focus to that item.  A word most guides use (`generic`: 单位) sets
    nothing apart: "单位拖着不给报怎么办" after 工伤认定申请 stays, although 单位职工参保登记 has it in its name."""
    pin_text = "".join(words(pin))

    def new_words(text: str) -> list[str]:  # what names a thing, not "申请", "登记"
        return [t for t in tokenizer.tokens(text)
                if len(t) >= 2 and t not in pin_text and t not in SERVICE_VERBS and not aspects_of(t)
                and not generic(t)]
    own, official = new_words(u.text), new_words(u.expansion)
    lead = bool(FOLLOWUP_LEAD.match(u.text) or u.text.rstrip("?？ ").endswith("呢"))
    said = [t for t in tokenizer.tokens(u.text) if len(t) >= 2 and t not in SERVICE_VERBS and not aspects_of(t)]
    if said and not own:  # "医保呢" after 出生一件事 (新生儿上户口医保社保卡一起办): the person's own words name the focus
        return None
    if not lead and TOGETHER.search(u.text):  # "刻章领发票能一起办吗" → the 一件事 the focus belongs to
        for c in cands[:8]:
            bundle = guides[c.item_id].bundle
            if bundle is not None and pin.name in bundle.members:
                return guides[c.item_id]
    if not lead and STAY_CUE.search(u.text):  # "二手房也行吗", "能一起办吗": still about the focus
        return None
    if not lead and "materials" in u.aspects and YESNO.search(u.text):
        return None  # "户口本要带吗", "社保卡要带吗": whether to bring a thing for the focus, not another item
    best, best_key = None, (0, 0, 0)
    for c in cands[:8]:
        where = "".join(words(guides[c.item_id])) if lead else c.name  # "那贷款呢": an alias is enough
        # the candidate that says most of the person's own new words ("那过户在哪办" → 存量房转移登记),
        # or else of their official equivalents; then the one whose name (not only an alias) says them ("那孩子
        # 户口怎么迁": 户口迁入, not 收养登记 for its alias 领养孩子); ties go to the better-ranked candidate
        said = sum(len(t) for t in own if t in where)
        key = (said, 0 if said else sum(len(t) for t in official if t in where), sum(len(t) for t in own if t in c.name))
        if c.item_id != pin.id and key > best_key:
            best, best_key = guides[c.item_id], key
    return best


def unknown_words(tokenizer, known_text: str, u: Understanding) -> list[str]:
    """Dictionary words of the message that no guide, law, alias or term uses (typo corrections aside)."""
    typed = [t for t, _word in u.corrections]
    return [w for w in tokenizer.dictionary_words(u.text)
            if w not in known_text and not w.isascii() and not FUNCTION_WORD.match(w)
            and not any(t in w or w in t for t in typed)]  # English words ("online", "tax") are mixed in freely
