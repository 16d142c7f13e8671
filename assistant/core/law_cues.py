"""Which second-shelf laws a question names in its own words, read from the law titles and texts in the index.

A regulation or cited-only law counts SHELF.secondary in the law ranking so that 劳动合同法实施条例 does not
push 劳动合同法 aside.  But "失业金能领几个月", "工伤认定多久出结果", "公积金能取出来交房租吗" name the
regulation that governs them: 失业 / 工伤 / 公积 are pieces of the titles 失业保险条例, 工伤保险条例,
住房公积金管理条例.  Such a law is "cued" and counts SHELF.cued.

A cue is a two-character piece of the title's own words (without 中华人民共和国, 条例, 暂行, 管理 …) that is
in no governing law's title (保险, 劳动: 社会保险法, 劳动合同法 keep their lead) and that the law owns: at least
CUE_MIN_SHARE of the indexed law articles saying it are that law's (工伤 0.64, 公积 0.81, 失业 0.43; 登记 0.05,
工作 0.05 and 服务 0.03 say nothing about which law is meant)."""
from __future__ import annotations

import re

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.laws import law_key

CUE_MIN_SHARE = 0.4
GENERIC = re.compile(r"中华人民共和国|[《》]|实施细则|实施条例|暂行|条例|办法|规定|管理|若干|关于|国务院|的")


def title_pieces(title: str) -> set[str]:
    """The two-character pieces of a title's own words: 失业保险条例 → 失业, 业保, 保险."""
    core = GENERIC.sub("", law_key(title)).removesuffix("法")
    return {core[i:i + 2] for i in range(len(core) - 1)}


def title_cues(secondary: set[str], governing: set[str], chunks: list[Chunk]) -> dict[str, set[str]]:
    """Per second-shelf law (its full name): the title pieces that point to it."""
    taken = set().union(*(title_pieces(g) for g in governing)) if governing else set()
    texts = [(c.law, c.text) for c in chunks if c.kind == "law"]
    cues = {}
    for name in secondary:
        keep = set()
        for p in title_pieces(name) - taken:
            owners = [law for law, text in texts if p in text]
            if owners and owners.count(name) / len(owners) >= CUE_MIN_SHARE:
                keep.add(p)
        cues[name] = keep
    return cues


def cued_laws(question: str, cues: dict[str, set[str]]) -> set[str]:
    """The second-shelf laws whose title the question names (by one of their cue pieces)."""
    return {name for name, pieces in cues.items() if any(p in question for p in pieces)}
