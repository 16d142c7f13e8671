"""How a person's question is matched against the catalogue's official item names (issue 13): the name
without its level note, the everyday words for the administrative ones, words and character pairs, the
operation an item performs and the one a question asks for, the department a question names, and what
speaks for a catalogue item against the rulebook's guide (another operation, the item's own matter, clearly
more shared words).  The words are data: corpus/lexicon/actions.yaml.  Ranking and answering: catalogue.py."""
from __future__ import annotations

import re

import numpy as np

from assistant.core.catalogue_files import CatalogueItem
from assistant.core.corpus.lexicon import load_lexicon


# A name's note on the level or the decree that exercises it — （县级行使）, (市级), （含中外合资）, （承诺件）,
# （据省政府令第349号,…） — is nothing a person asks about; the text matched by meaning leaves it out.
LEVEL_NOTE = re.compile(r"[（(][^（()）]*(县级|市级|省级|省政府令|权限|中外合资|承诺件|即办件)[^（()）]*[)）]")


def plain_name(name: str) -> str:
    """开具税收完税证明（县级行使） → 开具税收完税证明; 护士延续执业注册 unchanged."""
    return LEVEL_NOTE.sub("", name).strip() or name


# Everyday words for the catalogue's administrative ones (养狗 → 犬类, KTV → 歌舞娱乐场所, 网约车 →
# 网络预约出租汽车): data in corpus/lexicon/actions.yaml `catalogue_words`, each a word many item names use.
CATALOGUE_WORDS: dict[str, re.Pattern] = load_lexicon().actions.catalogue_words


def catalogue_query(text: str) -> str:
    """The question plus the administrative words its everyday words stand for."""
    extra = [word for word, cue in CATALOGUE_WORDS.items() if cue.search(text) and word not in text]
    return f"{text} {' '.join(extra)}" if extra else text


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


# The operation of an item — 新办, 变更, 注销, 延续, 补办, 过户, 停业 … — as structured data read from its
# name (corpus/lexicon/actions.yaml `operation_names`; a name without one issues the thing: 新办), and the
# operations a question asks for (`operation_cues`).  Among the ranked items, one whose operation the
# question asks for gains OPERATION_WEIGHT and one for none of the asked operations loses it: "歌厅不开了，
# 娱乐经营许可证怎么注销" is the 注销 variant, not the 核发 one its words are closest to.  Calibrated on the
# tune splits of eval/catalogue_dev.jsonl (tune3: sibling variants of one matter).
OPERATION_NAMES, OPERATION_CUES = load_lexicon().actions.operations
OPERATION_WEIGHT = 0.03


def operations(name: str) -> set[str]:
    """客运车辆道路运输证办理（过户） → {过户}; 拖拉机联合收割机驾驶证补换证 → {补办, 换发}; 经营游泳许可 → {新办}."""
    plain = plain_name(name)
    return {op for op, words in OPERATION_NAMES.items() if words.search(plain)} or {"新办"}


def asked_operations(question: str) -> set[str]:
    """The operation the question asks for.  A person tells the state before the request ("之前报了停业，现在
    要重新开门" → 恢复, "退休金被暂停了，想恢复" → 恢复, "开个网吧，第一步要办什么" → 筹设): when several
    operations are cued, the one cued last is asked (ties keep all)."""
    ends = {op: m[-1].end() for op, cue in OPERATION_CUES.items() if (m := list(cue.finditer(question)))}
    last = max(ends.values(), default=0)
    return {op for op, end in ends.items() if end == last}


def operation_agreement(name: str, asked: set[str]) -> int:
    """+1 when the item performs an operation the question asks for, -1 when it performs none of them,
    0 when the question asks for no operation."""
    return 0 if not asked else (1 if operations(name) & asked else -1)


def other_operation(item_name: str, question: str, guide_names: list[str]) -> bool:
    """The question asks for an operation (变更, 注销, 补办 …: a variant word of two characters or more
    whose cue it gives) that the catalogue item's name has and none of the guide's names has: "个体店要换个
    地方经营，执照上的地址怎么改" is 个体工商户变更登记, not the 个体工商户设立登记 guide it sounds like."""
    asked = asked_operations(question)
    guide_ops = set().union(*(operations(g) for g in guide_names))
    if asked & operations(item_name) and not asked & guide_ops:
        return True
    return any(len(word) >= 2 and word in item_name and cue.search(question)  # 挂失 is 补办, which 补办社保卡 does
               and not any(word in g for g in guide_names) and not word_operations(word) & guide_ops
               for word, cue in ACTION_CUES.items())


def word_operations(word: str) -> set[str]:
    return {op for op, words in OPERATION_NAMES.items() if words.search(word)}


# The matter too: an item's name begins with its subject (拖拉机/联合收割机…, 劳务派遣经营单位…, 分公司…); a question
# that names that subject word for word when none of the rulebook's guide's names has it — "拖拉机抵押的贷款
# 还清了", "劳务派遣公司换了法人" (劳务派遣…变更审批, not 企业变更登记) — is about the item's matter, not the guide's.
SUBJECT_CHARS = 3


def other_matter(item_name: str, question: str, guide_names: list[str]) -> bool:
    subject = "".join(ch for ch in plain_name(item_name) if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())[:SUBJECT_CHARS]
    return len(subject) == SUBJECT_CHARS and subject in question and not any(subject in g for g in guide_names)


# The words too: an item whose name shares WORDS_LEAD more character pairs with the question than any name or
# alias of the rulebook's guide — "个体工商户不开了，要去哪注销" shares 个体·体工·工商·商户·注销 with 个体工商户注销登记,
# only 注销 with the 企业注销登记 guide — is the question's matter.  3, not 2: at 2 three failing guide questions of
# guide_dev.jsonl went to another hall; at 3 one holdout question (tune none), for 4 more first items on the
# read catalogue sets (389 → 393 of 471; eval/reports/catalogue.json).
WORDS_LEAD = 3


def words_lead(item_name: str, question: str, guide_names: list[str]) -> bool:
    q = set(bigrams(question))
    shared = len(q & set(bigrams(plain_name(item_name))))
    return shared - max((len(q & set(bigrams(g))) for g in guide_names), default=0) >= WORDS_LEAD


# A question that names a department ("税务上要办什么", "要去公安备案吗", "应急局") speaks for that
# department's items: the department's own name without 区/局 (税务, 公安, 交通运输 and its first two
# characters 交通, 自然资源和规划 → 自然资源, 规划).  The one-window 行政审批局 and the 政府办 handle items
# of every kind, so their names say nothing about the topic.
DEPARTMENT_CUE = 0.01
NO_TOPIC_DEPARTMENTS = ("行政审批", "政府")


def department_words(department: str) -> list[str]:
    """区交通运输局 → [交通运输, 交通]; 广安区税务局 → [税务]; 区自然资源和规划局 → [自然资源和规划, 自然资源, 规划]; 区政府办 → []."""
    stem = re.sub(r"(分局|局|大队|办|部)$", "", re.sub(r"^.{0,3}?区", "", department))
    if len(stem) < 2 or stem in NO_TOPIC_DEPARTMENTS:
        return []
    parts = [p for p in stem.split("和") if len(p) >= 2 and p != stem]
    return [stem, *parts] if parts else [stem] + ([stem[:2]] if len(stem) >= 4 else [])


def department_cued(items: list[CatalogueItem], text: str) -> np.ndarray:
    """Which items' department the question names."""
    named = {d for d in {i.department for i in items} if any(w in text for w in department_words(d))}
    return np.array([i.department in named for i in items], dtype=bool)
