"""Typo tolerance for the words of the corpus: a window of the question that is
not a known word but sounds like exactly one (公基金 → 公积金, 住销 → 注销, 户照 → 护照),
or, for words of three or more characters, differs from exactly one in a single
character and overlaps no known word of the question (居往证 → 居住证; a measure word or particle such as 个 is
never that character: 办个证 is not 办公证), adds that word to the query.  A number and a measure word (几本,
两次) is a quantity, never a typo.
A window never cuts through a known word ("宿迁注册" does not contain 签注), a two-character one never through
a word of everyday Chinese ("借我钱一直不还" does not contain 钱一 → 迁移: 一直 is a word), and a word of
everyday Chinese is typed on purpose ("这样合法吗" is not 核发, "去法院告" is not 法援, "城里" is not 成立:
jieba's dictionary frequency of at least COMMON_WORD).  Nothing is replaced: the original words stay, and the trace lists every correction."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from pypinyin import lazy_pinyin

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_LEN = 8
# a measure word or aspect particle between a verb and its object ("办个证", "办了证") is typed on purpose
GRAMMAR_CHARS = frozenset("个了")
# a window this common in everyday Chinese (jieba's dictionary frequency: 法院 2312, 合法 3048, 年纪 3320, 城里 2264)
# is a word typed on purpose.  The price: a real word typed for another (公正 for 公证, 反应 for 反映, 有线 for 有限)
# is no longer corrected; misspellings such as 公基金, 户照, 居往证 are not words at all and still are.
COMMON_WORD = 100
# a number word and a measure word ("几本", "两次", "三天") is a quantity the person asks or states, never a typo:
# "第一次领能领几本" (发票) is not 基本
QUANTITY = re.compile(r"^[几两一二三四五六七八九十]+[本次天个张份年月日岁元块趟页件套]$")


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    """The pinyin of one character (remembered: a question with a space or a comma is read character by character)."""
    return lazy_pinyin(ch)[0]


class Speller:
    def __init__(self, words: list[str], tokenizer=None):
        """`tokenizer` (segment.Tokenizer): the everyday words a window may not be or cut through; None: only the
        corpus's own words count."""
        self.tokenizer = tokenizer
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
        everyday = self.tokenizer.word_spans(text) if self.tokenizer is not None else []
        known = [any(a <= k < b for a, b in spans) for k in range(len(text))]
        sounds = lazy_pinyin(text)
        if len(sounds) != len(text):  # pypinyin groups non-Chinese runs; fall back per character
            sounds = [_sound(ch) if ch.strip() else ch for ch in text]
        for size in range(min(MAX_LEN, len(text)), 1, -1):
            for i in range(len(text) - size + 1):
                window = text[i:i + size]
                if any(taken[i:i + size]) or window in self.words or not _CJK.match(window) or QUANTITY.match(window):
                    continue
                # "宿迁注册" is not "签注"; two characters across an everyday word are no word either ("钱一直" is not
                # 迁移, "人社报告" not 社保); a longer sound-alike is evidence enough ("领结婚正要" is 结婚证 + 要)
                if any(a < i < b or a < i + size < b for a, b in spans + (everyday if size == 2 else [])):
                    continue
                if self.tokenizer is not None and self.tokenizer.common(window) >= COMMON_WORD:  # 法院 is not 法援
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
