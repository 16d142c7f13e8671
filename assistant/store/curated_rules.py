"""How a correction is matched to a question beyond near-identical wording (store/curated.py `CuratedStore.lookup`):
the same items, the same ask, the same kind of act, and the router's leading items weighed against the correction
(store/curated_match.py holds the pure rules; this mixin reads the question through the bound router)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from assistant.core.understand import strip_aspects
from assistant.store.curated_match import (Route, acts, answers, content, item_acts, item_fits_acts, rival_words,
                                           same_acts, slots, swapped, told_acts)

if TYPE_CHECKING:
    from assistant.store.curated import _Entry


class CuratedRules:
    """The matching rules of CuratedStore, over the callables `bind` sets (items_of, request_of, names_of …)."""

    items_of: Callable[[str], frozenset[str]] | None
    request_of: Callable[[str], str]
    name_of: Callable[[str], str]
    names_of: Callable[[str], tuple[str, ...]]
    words_of: Callable[[str], list[str]]

    def _strict_match(self, text: str, c: str, e: "_Entry") -> bool:
        """Near-identical wording: not a swapped word (结婚↔离婚), the same slot asked, the same items named."""
        if swapped(c, e.core) or self._slots(text) != self._slots(e.normalized):
            return False
        if self.items_of is None:
            return True
        return self.items_of(text) == self._entry_items(e)

    def _slots(self, text: str) -> frozenset[str]:
        """The slot(s) a question asks (材料/流程, 地点, 时限, how much …), read from its core request."""
        return slots(self.request_of(text))

    def _entry_items(self, e: "_Entry") -> frozenset[str]:
        with self._lock:
            e_items = self._items.get(e.normalized)
        if e_items is None:
            e_items = self.items_of(e.normalized) if self.items_of is not None else frozenset()
            with self._lock:
                self._items[e.normalized] = e_items
        return e_items

    def _names_no_other_item(self, text: str, e: "_Entry") -> bool:
        """A paraphrase that names an item by its name or alias must name the correction's (补领结婚证 ≠ 结婚登记);
        a name counts only for an item of the act the paraphrase asks for (结婚证遗失补办 does not name 结婚登记)."""
        if self.items_of is None:
            return True
        q_acts = acts(text)
        q_items = {i for i in self.items_of(text) if item_fits_acts(self.name_of(i), q_acts)}
        return not q_items or bool(q_items & (self._entry_items(e) | {e.item_id}))

    def _rival_words(self, text: str, e: "_Entry", rivals: list[str]) -> bool:
        """Does the question say something of the rival items' names that neither the correction nor its item's
        names say (买房提取公积金 against 租房提取公积金: 买 is 住房公积金提取（购房）'s)?"""
        return bool(rival_words(text, [n for r in rivals for n in self.names_of(r)],
                                [e.normalized, *self.names_of(e.item_id)]))

    def _rivals_of(self, text: str, route: list[Route], e: "_Entry") -> list[Route]:
        """The router's leading items without those the correction's own question names, when the question says a
        word of the correction's item that they do not: staff tied 外国人在宿迁开公司要什么材料 (which names 企业设立登记
        by 开公司) to 外商投资企业设立登记, so 外资企业设立登记需要提交哪些文件 is its (外资), 注册内资公司要什么材料 not.
        When the question names the correction's item too (开公司之前要先核名: 企业设立登记 and 企业名称自主申报), no other
        item's alias decides it."""
        if self.items_of is None:
            return route
        if e.item_id in self.items_of(text):
            route = [(i, score, alias and i == e.item_id, sem) for i, score, alias, sem in route]
        named = self._entry_items(e) - {e.item_id}
        mine = [c for c in route if c[0] not in named]
        return mine if len(mine) == len(route) or self._own_words(text, e, sorted(named)) else route

    def _own_words(self, text: str, e: "_Entry", rivals: list[str]) -> bool:
        """Does the question say a word (jieba's) of the correction or its item's names that no rival's names say?"""
        own = [e.normalized, *self.names_of(e.item_id)]
        theirs = [n.lower() for r in rivals for n in self.names_of(r)]
        return any(content(w) == set(w) and any(w in n for n in own) and not any(w in n for n in theirs)
                   for w in self.words_of(strip_aspects(text)))

    def _same_ask(self, text: str, e: "_Entry") -> bool:
        """Does the paraphrase ask what the correction answers?  A slot in common (结婚登记要带什么 — 材料 — does
        not answer 结婚登记在哪办 — 地点) and the same kind of act (补领结婚证要带什么 is not 结婚登记要带什么)."""
        return answers(self.request_of(e.normalized), self._slots(text)) and \
            same_acts(told_acts(text), told_acts(e.normalized), item_acts(self.names_of(e.item_id)))
