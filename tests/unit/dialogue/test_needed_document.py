"""A purpose clause names what is needed: the document after 需要/要有/要用 is asked for, not the item the
purpose is about (rank_items.Router._needed)."""
from __future__ import annotations


def test_the_document_a_purpose_clause_needs_is_the_item_named(assistant):
    router = assistant.router
    assert set(router._needed("离婚后想复婚，民政说需要领结婚证")) == {"marriage-registration"}
    assert router._needed("离婚登记需要带什么") == {}  # no document named after the cue

