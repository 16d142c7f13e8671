"""For every item, asking its most common alias (the first 别名) returns that item first."""
from __future__ import annotations


def test_every_items_first_alias_routes_to_it(client, index):
    wrong = []
    for g in index.corpus.guides:
        body = client.post("/v1/chat", json={"message": g.aliases[0]}).json()
        first = body["items"][0]["name"] if body["items"] else None
        if first != g.name:
            wrong.append((g.aliases[0], g.name, body["kind"], first))
    assert not wrong, wrong
