"""How many of a fixed set of texts contain a word, without scanning them all.

A word of two or more characters can only occur in a text that holds every pair of adjacent characters
of the word, so each text's character pairs are read once; a word is then looked for only in the texts
holding all of its pairs (for most words a handful of the 69 guides, instead of every guide's text).
The count is exactly `sum(word in text for text in texts)`."""
from __future__ import annotations


class Containing:
    def __init__(self, texts: list[str]):
        self.texts = list(texts)
        self._pairs: dict[str, int] = {}  # character pair → bit i set when texts[i] holds it
        for i, text in enumerate(self.texts):
            bit = 1 << i
            for pair in {text[j:j + 2] for j in range(len(text) - 1)}:
                self._pairs[pair] = self._pairs.get(pair, 0) | bit

    def count(self, word: str) -> int:
        """How many texts contain `word`."""
        if len(word) < 2:
            return sum(word in t for t in self.texts)
        mask = (1 << len(self.texts)) - 1
        for j in range(len(word) - 1):
            mask &= self._pairs.get(word[j:j + 2], 0)
            if not mask:
                return 0
        return sum(word in self.texts[i] for i in range(len(self.texts)) if mask >> i & 1)
