"""What a question asks, for matching corrections (store/curated.py): the item it names and the slot it asks.

A question is split into the item it names (the router's name/alias hits) and its core request (the rest):
"补办结婚证要带什么" names 补办结婚证 and asks 要带什么.  The asked slot is read from the core request only, so
a name never passes for an ask (补办**结婚**证 contains 办结, a time word).  Slots compare as classes:

* 材料 and 流程 and a bare 怎么办 are one slot, "how" (要什么手续 is either; a correction of 怎么办 covers them);
* a count of days, months or working days (几天, 多少天, 几个月) is 时限 — the same as 多久;
* 多少钱, 收费, 工本费 and any other how-much (能贷多少, 一个月多少) are one slot, "amount";
* every other aspect (地点, 网办, 条件, 代办, and 用途 — 有什么用 — read only here) is its own slot;
* a yes/no question that reads no aspect (能补吗, 能贷款买房吗, 算工伤吗) asks "whether": it is answered by a correction of
  how or of who may (条件), and a yes/no correction answers how, who may and whether — not 要带什么 (材料 is a detail);
* a count told in the story (招了几个工人, 跑了好几趟, 有几套房要带什么) asks no how-much; 一次办完 asks no time.

The classes, the extra asks and the question forms are data: corpus/lexicon/asks.yaml.

A correction of a bare how (残疾证怎么办, 失业金怎么领: no aspect word, or only 流程) also answers where
(残疾证在哪里申请): a reviewed answer always shows where to go (its own 办理地点 line or the one added under it,
dialogue/rules/reviewed.py); so does a yes/no about the item alone (离婚证丢了能补吗).  It does not answer 多久, 多少钱
or 什么条件, and a correction of 要带什么 does not answer 在哪办; how much (多少钱, 几张照片) is asked on both sides or
neither.
"""
from __future__ import annotations

import re
from typing import Callable

from assistant.core.dialogue.thresholds import CURATED
from assistant.core.understand import aspects_of, mask_names, negated, strip_aspects

# characters that carry no topic: question words, particles, pronouns, filler verbs
FILLER = set("的了吗呢吧啊呀么嘛哦喔噢哈是有在和与及或跟同我你您他她它们咱这那哪些个一下请问想要需能可以会该应"
             "怎样么什啥时候去来到给把被让对就都也还再又很最太更得地着过里之其所为以于如果若"
             "办理弄搞做带拿用找问说看知道帮助告诉谢好行吧呗嗯喂")


def _asks() -> dict:
    """corpus/lexicon/asks.yaml: the ask classes and question forms (see that file), checked like the other lexicon
    files (a bad regex or a missing field raises CorpusError naming it)."""
    from assistant.core.corpus.lexicon import CorpusError, lexicon_dir
    from assistant.core.corpus.lexicon_file import LexiconFile

    problems: list = []
    f = LexiconFile(lexicon_dir() / "asks.yaml", problems)
    f.known("classes", "extra", "whether", "told", "item_verbs", "acts")
    out = {"classes": f.text_map("classes"), "extra": f.regex_map("extra"), "acts": f.regex_map("acts"),
           **{k: f.regex(k) for k in ("whether", "told", "item_verbs")}}
    if problems:
        raise CorpusError(problems)
    return out


ASKS = _asks()
_DURATION = re.compile(r"(几|多少)个?(天|日|工作日|周|星期|月|年|小时)")
_HOUR = re.compile(r"几点|几号")  # a time of day or a date, not a count
_AMOUNT = re.compile(r"多少|几")
_OBJECT = re.compile(r"什么|啥|哪|怎|咋|如何")  # asked after a count in the same clause: the count is the object
_CLAUSE = re.compile(r"[，。！？,.!?；;：:\s]+")
_SLOT = ASKS["classes"]
_HOW = re.compile(r"怎|咋|如何|手续|流程|步骤|程序|办法")  # a request that asks how (个体工商户怎么注册 reads no aspect)


def content(text: str) -> set[str]:
    return {ch for ch in text if ch.isalnum() and ch not in FILLER}


def swapped(a: str, b: str) -> bool:
    """True when each question has a content character the other lacks (结婚↔离婚, 租房↔买房)."""
    ca, cb = content(a), content(b)
    return bool(ca - cb) and bool(cb - ca)


def rival_words(text: str, rival_names: list[str], own: list[str]) -> set[str]:
    """The characters of `text` (its aspect words left out: 证件 in 得带什么证件 asks materials) in a two-character word
    it shares with a rival item's names (no filler in it: 一次 is not 一次办's) that none of `own` (the correction's
    question, its item's names) has: 买房提取公积金 says 买 (买房) of 住房公积金提取（购房） against 租房提取公积金.
    A word said not to apply is no rival's: 我没单位，社保自己怎么缴 says nothing of 单位职工参保登记."""
    q = strip_aspects(text).lower()
    pairs = {q[i:i + 2] for i in range(len(q) - 1) if content(q[i:i + 2]) == set(q[i:i + 2]) and not negated(q, i)}
    shared = {ch for pair in pairs if any(pair in n.lower() for n in rival_names) for ch in pair}
    return shared - set().union(*map(content, own))


def without(text: str, names: list[str]) -> str:
    """The question's core request: `text` with the item names it contains taken out (longest first)."""
    return mask_names(text, sorted(names, key=len, reverse=True))


def _asks_amount(request: str) -> bool:
    """A how-many / how-much asked (能贷多少, 要带几张照片), not a count in the story (有几套房要带什么)."""
    for clause in _CLAUSE.split(_HOUR.sub("", _DURATION.sub("", request))):
        for m in _AMOUNT.finditer(clause):
            after = clause[m.end():]
            if after[:1] in "钱块元费" or not _OBJECT.search(after):
                return True
    return False


def slots(request: str) -> frozenset[str]:
    """The slots a core request asks about (see the module docstring); when it names none, "whether" for a yes/no
    question (能补吗, 能贷款买房吗) and "how" otherwise.  A count told, not asked (招了几个工人), is left out."""
    request = ASKS["told"].sub("  ", request)
    said = aspects_of(request)
    out = {_SLOT.get(a, a) for a in said} | ({"materials"} & set(said))  # 材料 is a how, and a detail of one
    out |= {k for k, p in ASKS["extra"].items() if p.search(request)}
    if _DURATION.search(request):
        out.add("time")
    if _asks_amount(request):
        out.add("amount")
    if out:
        return frozenset(out)
    return frozenset({"whether"} if ASKS["whether"].search(request) else {"how"})


_OPEN = frozenset({"how", "whether", "conditions"})  # a yes/no question is answered by how and by who may


def answers(request: str, asked: frozenset[str]) -> bool:
    """Does a correction whose core request is `request` answer a question asking the slots `asked`?"""
    own = slots(request)
    if ("amount" in own) != ("amount" in asked):  # how many / how much is asked on both sides or neither
        return False
    if own & asked:
        return True
    bare = not content(ASKS["item_verbs"].sub("", request))  # the item's name and verb alone: 离婚证丢了能补吗
    if ("whether" in own and asked <= _OPEN) or ("whether" in asked and own <= _OPEN | {"materials"}):
        return True  # a yes/no about a detail (营业执照坏了能换吗) answers how, not 要带什么
    said = set(aspects_of(request))
    # a bare how: 怎么办, the item's name alone (失业金怎么领 is an alias) or its verb; 首套房契税能减免吗 asks no how
    bare_how = own <= {"how", "whether"} and said <= {"steps"} and bool(said or _HOW.search(request) or bare)
    return bare_how and asked <= {"how", "materials", "place", "whether"}


def acts(text: str) -> frozenset[int]:
    """The kinds of act the question names (补领, 注销, 提取 … : corpus/lexicon/actions.yaml), by index."""
    from assistant.core.rank_items import ACTIONS

    return frozenset(i for i, (p, _n) in enumerate(ACTIONS) if p.search(text))


def act_words(i: int) -> tuple[str, ...]:
    from assistant.core.rank_items import ACTIONS

    return ACTIONS[i][1]


def item_acts(names: tuple[str, ...] | list[str]) -> frozenset[int | str]:
    """The kinds of act an item is, by its name (税务注销 is 注销); not by its aliases: 社会保障卡申领 has 补办社保卡
    but 社保卡丢了怎么补办 is not 社保卡怎么申请."""
    from assistant.core.rank_items import ACTIONS

    return frozenset(i for i, (_p, words) in enumerate(ACTIONS) if any(w in n for n in names[:1] for w in words)) | \
        {k for k in ASKS["acts"] if any(k in n for n in names[:1])}


def told_acts(text: str) -> frozenset[int | str]:
    """The kinds of act a question names, for comparing it with a correction: actions.yaml's (`acts`) and asks.yaml's."""
    return acts(text) | {k for k, p in ASKS["acts"].items() if p.search(text)}


def same_acts(q: frozenset, e: frozenset, own: frozenset) -> bool:
    """The same kind of act, or none: 补领结婚证要带什么 is not 结婚登记要带什么.  An act that is the item itself (`own`,
    item_acts) need not be said on either side: 租房提取公积金 (提取) is asked by 付房租想用公积金 once it is routed
    to 住房公积金提取（租房）, 清税证明多久能开出来 by 公司注销前税务清税要几天 (税务注销)."""
    return (q ^ e) <= own


def item_fits_acts(item_name: str, q_acts: frozenset[int]) -> bool:
    """An item named in a question that names an act counts only if it is an item of that act
    (结婚证遗失补办 names 结婚 — 结婚登记 — but asks for 补领婚姻登记证), as the router weighs it."""
    return not q_acts or any(w in item_name for i in q_acts for w in act_words(i))


Route = tuple[str, float, bool, float]  # (item, router score, decided by an alias, best phrase cosine)


def routed(cands: list[Route], item_id: str, sim: float, says_rival: Callable[[list[str]], bool] | None = None,
           says_own: Callable[[list[str]], bool] | None = None) -> bool:
    """Is a question with these leading items (the router's, best first) about `item_id`?  Yes when the item leads,
    decided by an alias or ahead of the next one by `route_margin` (我和女朋友想去领证，要带啥 → 结婚登记) with the
    runner-up's phrases not `led_slack` closer to the question than the correction is.  Also,
    for a question at least `near_sim` close to the correction, when no alias decided the leader and the item is among
    the leading ones, when the correction is the question's nearest example: closer to it than to every phrase (name,
    alias, FAQ question) of the items ranked ahead (or, when the item leads, of the runner-up) by `nearest_margin` —
    or, failing that, the question says a word of the correction or its item that none of those rivals' names say
    (`says_own`: 执照被水泡烂了 for 营业执照坏了能换吗 against 不动产权证书补发) — and the question names nothing of those
    rivals that the correction and its item do not (`says_rival`):
    用公积金买房能贷多少钱 (购房提取 leads on 买房) is asked by 公积金贷款最多能贷多少, 买房提取公积金要什么材料 is
    not by 租房提取公积金要什么材料 (买 is 购房提取's)."""
    if not cands:
        return False
    (top, best, alias, _s), runner = cands[0], (cands[1][1] if len(cands) > 1 else 0.0)
    if top == item_id and alias:
        return True
    if top == item_id and best - runner >= CURATED.route_margin and \
            sim >= (cands[1][3] if len(cands) > 1 else 0.0) - CURATED.led_slack:
        return True
    ids = [c[0] for c in cands]
    if alias or sim < CURATED.near_sim or item_id not in ids:
        return False
    rank = ids.index(item_id)
    rivals = cands[:rank] or cands[1:2]
    names = [c[0] for c in rivals]
    if sim < max((c[3] for c in rivals), default=0.0) + CURATED.nearest_margin and \
            not (says_own is not None and says_own(names)):
        return False
    return says_rival is None or not says_rival(names)
