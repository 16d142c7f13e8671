"""The BM25 side of the index: the tokens of every chunk and item, kept with the index so that a
rebuild after one edited guide tokenises only that guide's changed texts.

Tokenising is most of a rebuild: the 4,611 chunks of the default index take ~2 s with jieba on an idle
core (~5 s when the machine is busy), while BM25 itself indexes them in 0.2 s.  `TokenCache` keys the
tokens of a text by its sha256 and stores them in ``index/tokens.json``, next to the key of the
dictionary they were cut with (`dictionary_key`: jieba's version, our stopword list and the user words
of the index).  A cache cut with another dictionary is not used at all, because jieba scores a cut
against the dictionary's total frequency: adding one user word can change how an unrelated sentence
is cut.  So changing a window number or a material's 份数 keeps every other chunk's tokens, while
renaming a guide, adding an alias or a short material name (new user words) re-tokenises everything,
exactly as a full build does.  Either way the BM25 indexes equal those of a full build.
"""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import bm25s

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.load import Corpus
from assistant.core.text.segment import STOPWORDS, Tokenizer

TOKENS_FILE = "tokens.json"


def dictionary_key(tok: Tokenizer) -> str:
    """What the tokens of a text depend on besides the text: jieba, the stopwords, the user words."""
    h = hashlib.sha256(f"jieba={metadata.version('jieba')};".encode())
    h.update(" ".join(sorted(STOPWORDS)).encode())
    h.update("\n".join(tok.user_words).encode())
    return h.hexdigest()[:24]


class TokenCache:
    """`tokens(text)` as the tokenizer gives it, from ``tokens.json`` of `index_dir` when this text was
    cut with the same dictionary before (e.g. "结婚登记 婚姻登记" → the cached list), else cut now.
    `tokenised` counts the texts cut now; `save` keeps only the texts this build asked for."""

    def __init__(self, tok: Tokenizer, index_dir: Path):
        self.tok = tok
        self.dictionary = dictionary_key(tok)
        self.tokenised = 0
        self._tokens: dict[str, list[str]] = {}
        self._used: dict[str, list[str]] = {}
        path = index_dir / TOKENS_FILE
        try:
            stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):  # a damaged cache only makes the build slower
            stored = {}
        if isinstance(stored, dict) and stored.get("dictionary") == self.dictionary:
            self._tokens = stored.get("tokens") or {}

    def tokens(self, text: str) -> list[str]:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
        got = self._used.get(key)
        if got is None:
            got = self._tokens.get(key)
            if got is None:
                got = self.tok.tokens(text)
                self.tokenised += 1
            self._used[key] = got
        return list(got)

    def save(self, folder: Path) -> None:
        data = {"dictionary": self.dictionary, "tokens": self._used}
        (folder / TOKENS_FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                                          encoding="utf-8")


def chunk_tokens(tok, c: Chunk) -> list[str]:
    """Field-weighted: the item name/aliases (or law name) count twice, FAQ questions once more.
    `tok` is a `Tokenizer` or a `TokenCache` (the same tokens)."""
    head = tok.tokens(f"{c.title} {c.index_text}")
    body = tok.tokens(f"{c.section} {c.text}")
    weight = 2 if c.kind == "guide" else 1
    return head * weight + body


def item_profile(g) -> tuple[str, str]:
    """(heavy, light) text of an item for the item-level BM25."""
    heavy = " ".join([g.name, *g.aliases, *(qa.question for qa in g.faq)])
    light = " ".join([g.department, *g.conditions, *(s.name for s in g.situations),
                      *(m.name for m in g.materials), *(g.bundle.members if g.bundle else [])])
    return heavy, light


def bm25_indexes(tok, corpus: Corpus, chunks: list[Chunk]) -> tuple[bm25s.BM25, bm25s.BM25]:
    """The chunk-level BM25 (field-weighted `chunk_tokens`) and the item-level one, where an item's
    name, aliases and FAQ questions count three times its department, conditions and materials."""
    bm = bm25s.BM25()
    bm.index([chunk_tokens(tok, c) or ["∅"] for c in chunks], show_progress=False)
    bm_items = bm25s.BM25()
    profiles = []
    for g in corpus.guides:
        heavy, light = item_profile(g)
        profiles.append(tok.tokens(heavy) * 3 + tok.tokens(light))
    bm_items.index(profiles, show_progress=False)
    return bm, bm_items
