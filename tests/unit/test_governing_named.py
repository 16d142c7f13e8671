"""A guide sentence that leads is cited with the article its field names for all its sentences; a field that
names several articles leaves each to its own sentence."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.core.corpus.chunks import Chunk
from assistant.core.governing import governing_unit
from assistant.core.lead import Unit

ART = Chunk(chunk_id="law/居住证暂行条例#第二十一条", doc_id="law/居住证暂行条例", kind="law", title="居住证暂行条例",
            section="第二十一条", text="第二十一条 首次申领居住证，免收证件工本费。", source="t", law="居住证暂行条例",
            article="第二十一条")
OTHER = Chunk(chunk_id="law/居住证暂行条例#第十条", doc_id="law/居住证暂行条例", kind="law", title="居住证暂行条例",
              section="第十条", text="第十条 居住证每年签注1次。", source="t", law="居住证暂行条例", article="第十条")
INDEX = SimpleNamespace(article=lambda law, art: {"第二十一条": ART, "第十条": OTHER}.get(art) if "居住证" in law else None)


def fee(text: str) -> Unit:
    c = Chunk(chunk_id="guide/residence-permit#fee", doc_id="guide/residence-permit", kind="guide", title="居住证申领",
              section="收费标准", text=text, source="t", item_id="residence-permit", aspect="fee")
    return Unit(c, "换领、补领居住证按国家规定收取证件工本费。")


def test_the_one_article_a_field_names_governs_its_sentences():
    lead = fee("首次申领免收证件工本费；换领、补领居住证按国家规定收取证件工本费。依据：《居住证暂行条例》第二十一条")
    assert governing_unit(INDEX, lead, []).chunk is ART


def test_a_field_naming_several_articles_names_none_for_a_sentence_that_names_none():
    lead = fee("换领、补领居住证按国家规定收取证件工本费（《居住证暂行条例》第二十一条）；每年签注（《居住证暂行条例》第十条）")
    assert governing_unit(INDEX, lead, []) is None
