"""The whole corpus as one object: centre map + service guides."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.core.corpus.schema import Centre, Guide, load_centre, load_guides


@dataclass(frozen=True)
class Corpus:
    centre: Centre
    guides: list[Guide]

    def guide(self, item_id: str) -> Guide | None:
        return next((g for g in self.guides if g.id == item_id), None)

    def by_name(self, name: str) -> Guide | None:
        return next((g for g in self.guides if g.name == name), None)


def load_corpus(corpus_dir: Path) -> Corpus:
    centre = load_centre(corpus_dir / "centre.yaml")
    return Corpus(centre=centre, guides=load_guides(corpus_dir / "guides", centre))
