"""Stage 2: understand the message — what kind of turn it is (a request for a
human, a prompt-injection attempt, small talk, a question), which aspect of a
service it asks about (材料, 时限, 收费, 地点, 网办, 依据 …), whether it is a
follow-up to the item in focus, and the colloquial → official expansion used
for retrieval.  Every decision names the rule that made it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.core.corpus.lexicon import load_lexicon

# The words are data: corpus/lexicon/ (turns.yaml, facts.yaml, scope.yaml, terms.yaml), read once at import
# time from the corpus dir of the settings (see assistant/core/corpus/lexicon.py).  The names stay.
_LEX = load_lexicon()

# aspect → trigger pattern (order matters for the answer: the first matching aspects lead)
ASPECT_PATTERNS: dict[str, re.Pattern] = _LEX.turns.aspects

# Facts about the person that decide which of an item's materials apply (the guides' 情形)
FACTS: dict[str, re.Pattern] = _LEX.facts.facts
# each fact → the 情形 of the guides' materials it brings in (compose.guide_answer points them out)
FACT_SITUATIONS: dict[str, re.Pattern] = _LEX.facts.situations
CONFLICTS: dict[str, str] = _LEX.facts.conflicts


def facts_of(text: str, earlier: list[str] | None = None) -> list[str]:
    """What the person has said about themselves, this turn over earlier ones ("我是外地户口")."""
    now = [f for f, p in FACTS.items() if p.search(text)]
    kept = [f for f in (earlier or []) if f not in now and CONFLICTS.get(f) not in now]
    return kept + now


HANDOFF: re.Pattern = _LEX.turns.handoff
INJECTION: re.Pattern = _LEX.turns.injection
# Off-topic words.  Only "illegal" refuses by rule; the others are a topic word that lowers confidence
# (scope.py asks for more probability), never a refusal on their own ("我感冒发烧在家，社保卡丢了能在网上补吗").
REFUSE_BY_RULE: frozenset[str] = _LEX.scope.refuse_by_rule
OUT_OF_SCOPE: dict[str, re.Pattern] = _LEX.scope.out_of_scope
# ...unless the question is about something the centre does handle (tax on lottery winnings or shares).
OUT_OF_SCOPE_UNLESS: dict[str, re.Pattern] = _LEX.scope.out_of_scope_unless
OTHER_CITY: re.Pattern = _LEX.scope.other_city
LOCAL_POLICY: re.Pattern = _LEX.scope.local_policy
HOME_CITY: str = _LEX.scope.home_city  # "宿迁": naming it keeps an other-city policy question in scope
GREETING: re.Pattern = _LEX.turns.greeting
THANKS: re.Pattern = _LEX.turns.thanks
WHO: re.Pattern = _LEX.turns.who
# "…也行吗", "能一起办吗", "包含…吗": a question about the item in focus, even when it names another thing
# "我是灵活就业的能领吗", "单位不配合怎么办": whether or how the focus item works in the person's case
STAY_CUE: re.Pattern = _LEX.turns.stay_cue
TOGETHER: re.Pattern = _LEX.turns.together
FOLLOWUP_LEAD: re.Pattern = _LEX.turns.followup_lead
POLICY_CUE: re.Pattern = _LEX.turns.policy_cue

# Colloquial, abbreviated and mistyped words → the official words the guides and laws use.
TERMS: dict[str, str] = _LEX.terms
_TERM_RE = re.compile("|".join(sorted(map(re.escape, TERMS), key=len, reverse=True)), re.I)


@dataclass
class Understanding:
    text: str  # normalised message
    turn: str  # "handoff" | "injection" | "out_of_scope" | "greeting" | "thanks" | "who" | "question"
    aspects: list[str] = field(default_factory=list)
    expansion: str = ""  # official words added for retrieval
    policy_cue: bool = False
    followup_like: bool = False  # short, leans on the previous turn
    facts: list[str] = field(default_factory=list)  # 外地户籍, 委托代办 … (this turn and earlier ones)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, corpus word) from spelling
    rules: list[str] = field(default_factory=list)
    topic: str | None = None  # an off-topic word's topic (weather, medical …): lowers scope confidence

    @property
    def search_text(self) -> str:
        return f"{self.text} {self.expansion}".strip()


ASPECT_CONTEXT = _LEX.turns.aspect_context
NAME_ACTION: re.Pattern | None = _LEX.turns.name_action
NAME_VERB: re.Pattern | None = _LEX.turns.name_verb


def item_names(guides) -> tuple[str, ...]:
    """The words that name an item: its name, the name without its closing action word (出入境证件申领 →
    出入境证件) and its aliases — except an alias that is itself a question ("失业金怎么领", "保证金什么时候退":
    its question words are the person's ask).  A starting verb is not part of the name (办居住证 → 居住证,
    so "怎么办居住证" still asks how).  Longest first, for masking."""
    names: set[str] = set()
    for g in guides:
        names |= names_of(g)
    return tuple(sorted(names, key=len, reverse=True))


def names_of(g) -> set[str]:
    """The words that name one item (see `item_names`): "法律援助" names 法律援助申请, "社保卡" 社会保障卡申领
    (its alias 办社保卡 without the starting verb)."""
    names: set[str] = set()
    if NAME_ACTION is not None and len(bare := NAME_ACTION.sub("", g.name)) >= 3:
        names.add(bare)
    names |= {a for a in (g.name, *g.aliases) if len(a) >= 2 and not QUESTION_WORD.search(a)}
    if NAME_VERB is not None:
        names = {n if len(rest := NAME_VERB.sub("", n)) < 2 else rest for n in names}
    return names


def mask_names(text: str, names: tuple[str, ...] | list[str] = ()) -> str:
    """`text` with every item name in it replaced by a space, so that no aspect word comes from a name or
    spans a name's edge ("补办结婚证要带啥": 补办结婚证 holds 办结, a time word)."""
    for n in names:
        if n in text:
            text = text.replace(n, " ")
    return text


def aspects_of(text: str, names: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The aspects a question asks (ASPECT_PATTERNS order), read with the item `names` masked out; an
    aspect word inside a context phrase (turns.yaml aspect_context: "什么时候上班") asks what the phrase asks."""
    text = mask_names(text, names)
    hits = {a: [m.span() for m in p.finditer(text)] for a, p in ASPECT_PATTERNS.items()}
    phrases = [(ctx, m.span()) for ctx in ASPECT_CONTEXT for m in ctx.words.finditer(text)]
    for ctx, span in phrases:  # what a phrase asks counts as a word of its own, which a wider phrase may undo
        if ctx.means:
            hits[ctx.means].append(span)
    for ctx, (lo, hi) in phrases:
        for a in ctx.instead_of:
            hits[a] = [(s, e) for s, e in hits[a] if not (s < hi and lo < e)]
    return [a for a in ASPECT_PATTERNS if hits[a]]


NEGATED = re.compile(r"(没|没有|不是|并非|未)$")


def negated(text: str, start: int) -> bool:
    """"我又没开公司": the words at `start` are said not to apply."""
    return bool(NEGATED.search(text[max(0, start - 2):start]))


CLAUSE_BREAK = re.compile(r"[，。！？,.!?；;：:\s]+")
# "我又没开公司，也没有个体户执照": what follows 没/没有/不是 up to the clause's end is said not to apply; the
# question forms 有没有, 是不是 ("有没有人帮我填表") deny nothing
DENIAL = re.compile(r"(?<!有)(?:没有|没)(?!有)|(?<!是)不是")


DENIED_MAX = 8  # a denial covers the words right after it: "没单位的人自己怎么交社保" denies 单位, not the ask


def denied(text: str) -> list[str]:
    """The words of `text` said not to apply: "我又没开公司，也没有个体户执照，这票从哪来" → ["开公司", "个体户执照"]."""
    out = []
    for clause in CLAUSE_BREAK.split(text):
        for m in DENIAL.finditer(clause):
            part = re.split(r"的|了|过|就|也|还|但|可|所以", clause[m.end():m.end() + DENIED_MAX])[0]
            if part:
                out.append(part)
    return out
# a clause that asks something: an aspect word ("要带什么", "去哪办") or a question word / particle
QUESTION_WORD = re.compile(r"怎么|怎样|咋|如何|哪|什么|啥|吗|么|呢|多久|多少|几|能不能|可不可以|能否|是否|要不要|有没有|请问")
# a clause that says what the person wants done ("我想办居住证", "打算开个店"), wherever it stands
WANT = re.compile(r"^(我|我们|俺)?(想要|想|打算|准备|要)(?!是)")
STORY_MIN_CLAUSES, STORY_MIN_CHARS = 3, 24  # a message at least this long is a story with a request in it


def request_span(text: str) -> tuple[str, str] | None:
    """(request, context) of a long narrative message: the request is the last clause that asks something
    (an aspect or a question word; else the last clause), with the clause before it (it often names
    the thing: "学校说要先有居住证 这个证怎么办"), any clause after, and any clause that says what the
    person wants ("我想办居住证，…"); the context is the rest.  None for an ordinary question.

        >>> request_span("我们结婚三年了 孩子都两岁了 她的户口一直在老家 想把她的户口迁过来 需要准备什么")
        ('想把她的户口迁过来 需要准备什么', '我们结婚三年了 孩子都两岁了 她的户口一直在老家')
    """
    clauses = [c for c in CLAUSE_BREAK.split(text) if c]
    if len(clauses) < STORY_MIN_CLAUSES or len(text) < STORY_MIN_CHARS:
        return None
    asks = [i for i, c in enumerate(clauses) if QUESTION_WORD.search(c) or aspects_of(c)]
    last = asks[-1] if asks else len(clauses) - 1
    start = max(0, last - 1)
    wants = {i for i, c in enumerate(clauses[:start]) if WANT.match(c)}  # "我想办居住证，…，要带什么"
    if start == 0 or len(wants) == start:
        return None
    request = [c for i, c in enumerate(clauses) if i >= start or i in wants]
    return " ".join(request), " ".join(c for i, c in enumerate(clauses[:start]) if i not in wants)


def expand_terms(text: str) -> str:
    seen, out = set(), []
    for m in _TERM_RE.finditer(text):
        if negated(text, m.start()):
            continue
        rep = TERMS[m.group(0).lower()] if m.group(0).lower() in TERMS else TERMS.get(m.group(0), "")
        if rep and rep not in seen and rep != m.group(0):
            seen.add(rep)
            out.append(rep)
    return " ".join(out)


def strip_aspects(text: str) -> str:
    """What is left of a message once aspect words and fillers are removed."""
    rest = text
    for p in ASPECT_PATTERNS.values():
        rest = p.sub("", rest)
    return re.sub(r"[的了吗呢吧啊呀么嘛要能可以是不还也就都请问你好您好一下我想需需要怎么办理这个那个，。？！?!,. ]", "", rest)


def understand(text: str, names: tuple[str, ...] | list[str] = ()) -> Understanding:
    """`names`: the corpus' item names (item_names), masked out when reading the aspects."""
    rules: list[str] = []
    if INJECTION.search(text):
        return Understanding(text, "injection", rules=["rule:injection-pattern"])
    if HANDOFF.search(text):
        return Understanding(text, "handoff", rules=["rule:handoff-request"])
    off_topic = None
    for topic, pattern in OUT_OF_SCOPE.items():
        if pattern.search(text) and not (topic in OUT_OF_SCOPE_UNLESS and OUT_OF_SCOPE_UNLESS[topic].search(text)):
            if topic in REFUSE_BY_RULE:
                return Understanding(text, "out_of_scope", rules=[f"rule:out-of-scope:{topic}"], topic=topic)
            off_topic = off_topic or topic
    if off_topic is None and OTHER_CITY.search(text) and LOCAL_POLICY.search(text) and HOME_CITY not in text:
        off_topic = "other-city-policy"
    if off_topic:
        rules.append(f"rule:topic-word:{off_topic}")
    if GREETING.match(text):
        return Understanding(text, "greeting", rules=["rule:greeting"])
    if THANKS.match(text):
        return Understanding(text, "thanks", rules=["rule:thanks"])
    if WHO.search(text):
        return Understanding(text, "who", rules=["rule:who-are-you"])
    aspects = aspects_of(text, names)
    expansion = expand_terms(text)
    if expansion:
        rules.append("rule:term-map")
    rest = strip_aspects(text)
    followup = bool(FOLLOWUP_LEAD.match(text)) or (len(text) <= 14 and len(rest) <= 2)
    if followup:
        rules.append("rule:followup-shape")
    return Understanding(text, "question", aspects=aspects, expansion=expansion,
                         policy_cue=bool(POLICY_CUE.search(text)), followup_like=followup, rules=rules, topic=off_topic)
