"""jieba tokenisation shared by indexing and querying (same mode on both sides),
with a user dictionary built from item names, aliases, departments and law names."""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 哦 哈 是 在 和 与 及 或 我 你 他 她 它 我们 你们 他们 这 那 个 之 其 "
    "请问 你好 您好 一下 想 要 需要 怎么 怎样 如何 什么 啥 咋 哪 哪里 哪儿 可以 能 能不能 可不可以 是否 "
    "有 没有 还 也 就 都 把 被 给 让 去 来 到 从 对 为 以 于 上 下 中 等 如果 因为 所以 但是 然后 请 谢谢 "
    "麻烦 问 问下 打听 现在 已经 自己 本人 吗？ 呢？ 办 办理".split()
)
_TOKEN_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_BASE: tuple[dict[str, int], int] | None = None  # jieba's own dictionary (word → frequency, total), read once
_BASE_LOCK = threading.Lock()


def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary as `jieba.Tokenizer.initialize` reads it (~0.5 s from its marshal
    cache), read once per process: a publish builds one tokenizer and loads another, and each only
    needs its own copy (`add_word` writes into it)."""
    global _BASE
    with _BASE_LOCK:
        if _BASE is None:
            t = jieba.Tokenizer()
            t.initialize()
            _BASE = (t.FREQ, t.total)
        return _BASE


class Tokenizer:
    """A private jieba dictionary so that user words never leak between indexes."""

    def __init__(self, user_words: list[str] | None = None):
        self._jieba = jieba.Tokenizer()
        freq, total = _base_dictionary()
        self._everyday = freq  # jieba's own words, without the user words added below (common)
        self._jieba.FREQ, self._jieba.total, self._jieba.initialized = dict(freq), total, True
        self.user_words = sorted({w for w in (user_words or []) if len(w) >= 2})
        for w in self.user_words:
            self._jieba.add_word(w, freq=200000)
        self._remembered = lru_cache(maxsize=2048)(self._cut)

    @classmethod
    def from_file(cls, path: Path) -> "Tokenizer":
        words = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
        return cls([w.strip() for w in words if w.strip()])

    def save(self, path: Path) -> None:
        path.write_text("\n".join(self.user_words) + "\n", encoding="utf-8")

    def dictionary_words(self, text: str) -> list[str]:
        """Words of two or more characters that jieba's dictionary knows (no guessed new words, so no
        fragments such as "贷能" from "公积金贷能贷多少")."""
        return [w for w in self._jieba.lcut(text.lower(), HMM=False) if len(w) >= 2 and _TOKEN_OK.search(w)]

    def word_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every word of two or more characters in the dictionary segmentation of the text
        (no guessed new words): "借我钱一直不还" → 一直 at (4, 6)."""
        return [(a, b) for w, a, b in self._jieba.tokenize(text.lower(), HMM=False) if b - a >= 2]

    def common(self, word: str) -> int:
        """How often everyday Chinese uses the word (jieba's own dictionary frequency, 0 when absent;
        the corpus's own words are not counted: add_word gives them a frequency of their own)."""
        return self._everyday.get(word, 0) or 0

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens (long words and their parts) without stopwords or punctuation.  One answer
        tokenises its question's text three or four times (retrieval, the law search, the answer line): the
        last texts are remembered (the dictionary never changes after __init__)."""
        return list(self._remembered(text))

    def _cut(self, text: str) -> tuple[str, ...]:
        out = []
        for t in self._jieba.cut_for_search(text.lower()):
            t = t.strip()
            if t and t not in STOPWORDS and _TOKEN_OK.search(t):
                out.append(t)
        return tuple(out)
