"""A purpose clause names what is needed: the document after 需要/要有/要用 is asked for, not the item the
purpose is about (rank_items.Router._needed)."""
from __future__ import annotations


def test_the_document_a_purpose_clause_needs_is_the_item_named(assistant):
    router = assistant.router
    assert set(router._needed("离婚后想复婚，民政说需要领结婚证")) == {"marriage-registration"}
    assert router._needed("离婚登记需要带什么") == {}  # no document named after the cue



def test_a_short_purpose_clause_asks_for_what_comes_after_its_cue():
    from assistant.core.rank_items import Router

    assert Router._purpose_span("出国探亲要用亲属关系证明") == ("亲属关系证明", "出国探亲")
    assert Router._purpose_span("孩子上学需要开无房证明去哪开") == ("开无房证明去哪开", "孩子上学")
    assert Router._purpose_span("离婚登记需要带什么") is None  # nothing named after the cue
    assert Router._purpose_span("需要居住证吗") is None  # no purpose before it
