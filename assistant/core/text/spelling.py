"""Typo tolerance for the words of the corpus: a window of the question that is
not a known word but sounds like exactly one (公基金 → 公积金, 住销 → 注销, 户照 → 护照),
or, for words of three or more characters, differs from exactly one in a single
character and overlaps no known word of the question (居往证 → 居住证; a measure word or particle such as 个 is
never that character: 办个证 is not 办公证), adds that word to the query.  A number and a measure word (几本,
两次) is a quantity, never a typo.
A window never cuts through a known word ("宿迁注册" does not contain 签注).  Nothing is replaced:
the original words stay, and the trace lists every correction."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from pypinyin import lazy_pinyin

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_LEN = 8
# a measure word or aspect particle between a verb and its object ("办个证", "办了证") is typed on purpose
GRAMMAR_CHARS = frozenset("个了")
# a number word and a measure word ("几本", "两次", "三天") is a quantity the person asks or states, never a typo:
# "第一次领能领几本" (发票) is not 基本
QUANTITY = re.compile(r"^[几两一二三四五六七八九十]+[本次天个张份年月日岁元块趟页件套]$")


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    """The pinyin of one character (remembered: a question with a space or a comma is read character by character)."""
    return lazy_pinyin(ch)[0]


class Speller:
    def __init__(self, words: list[str]):
        self.words = {w for w in words if 2 <= len(w) <= MAX_LEN and _CJK.match(w)}
        self.by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.by_mask: dict[str, set[str]] = defaultdict(set)
        for w in self.words:
            self.by_sound[tuple(lazy_pinyin(w))].add(w)
            if len(w) >= 3:
                for i in range(len(w)):
                    self.by_mask[f"{w[:i]}?{w[i + 1:]}"].add(w)

    def _known_words(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every known word in the text."""
        return [(i, j) for i in range(len(text)) for j in range(i + 2, min(len(text), i + MAX_LEN) + 1)
                if text[i:j] in self.words]

    def corrections(self, text: str) -> list[tuple[str, str]]:
        """(what was typed, the corpus word it most likely means), longest first, non-overlapping."""
        out: list[tuple[str, str]] = []
        taken = [False] * len(text)
        spans = self._known_words(text)
        known = [any(a <= k < b for a, b in spans) for k in range(len(text))]
        sounds = lazy_pinyin(text)
        if len(sounds) != len(text):  # pypinyin groups non-Chinese runs; fall back per character
            sounds = [_sound(ch) if ch.strip() else ch for ch in text]
        for size in range(min(MAX_LEN, len(text)), 1, -1):
            for i in range(len(text) - size + 1):
                window = text[i:i + size]
                if any(taken[i:i + size]) or window in self.words or not _CJK.match(window) or QUANTITY.match(window):
                    continue
                if any(a < i < b or a < i + size < b for a, b in spans):  # "宿迁注册" is not "签注"
                    continue
                cands = self.by_sound.get(tuple(sounds[i:i + size]), set()) - {window}
                if not cands and size >= 3 and not any(known[i:i + size]):
                    cands = set()
                    for j in range(size):
                        if window[j] not in GRAMMAR_CHARS:  # "办个证" is 办 + 个 + 证, not a typo of 办公证
                            cands |= self.by_mask.get(f"{window[:j]}?{window[j + 1:]}", set())
                if len(cands) == 1:
                    word = cands.pop()
                    out.append((window, word))
                    for k in range(i, i + size):
                        taken[k] = True
        return out
