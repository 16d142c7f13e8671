"""Chinese numerals are read by one parser (assistant/core/text/numerals.py): law article numbers as
laws.db numbers them, quantities in answers, and the digit-by-digit years of guides."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.core.corpus.laws import default_law_db
from assistant.core.text.numerals import article_number, cn_to_int, int_to_cn


@pytest.mark.parametrize("article, number", [
    ("第一条", 1), ("第十条", 10), ("第十一条", 11), ("第二十条", 20), ("第一百条", 100), ("第一百零一条", 101),
    ("第一百一十条", 110), ("第二百条", 200), ("第一千零四十七条", 1047), ("第一千零七十七条", 1077),
    ("第一千二百六十条", 1260), ("第12条", 12), ("一千零四十九", 1049),
])
def test_article_numbers_are_read_as_numbers(article, number):
    assert article_number(article) == number


def test_an_added_article_has_no_single_number():
    """第十条之一 is inserted between 第十条 and 第十一条 by an amendment; it is not the number 10."""
    assert article_number("第十条之一") is None


@pytest.mark.parametrize("run, value", [
    ("二十", 20), ("十五", 15), ("两", 2), ("二百", 200), ("五百", 500), ("一百八十三", 183),
    ("二〇二五", 2025), ("三万五千", 35000), ("十二万", 120000), ("一千零十", 1010),
])
def test_quantities_and_years_are_read_as_numbers(run, value):
    assert cn_to_int(run) == value


@pytest.mark.parametrize("text", ["", "二十周岁", "第十条", "abc"])
def test_anything_but_a_run_of_numerals_is_not_a_number(text):
    assert cn_to_int(text) is None


def test_numbers_are_written_the_way_articles_are_numbered():
    assert [int_to_cn(n) for n in (10, 110, 1049, 0)] == ["十", "一百一十", "一千零四十九", "零"]
    assert all(article_number(f"第{int_to_cn(n)}条") == n for n in range(1, 3000))


def test_every_article_of_laws_db_reads_as_its_arabic_number():
    """laws.db stores each article both ways (article_no 第一千零四十七条, article_no_arabic 1047);
    every 第…条 article without 之一/之二 must agree (its 条目一 rows of lists are not articles)."""
    with sqlite3.connect(default_law_db()) as con:
        rows = con.execute("SELECT article_no, article_no_arabic FROM articles "
                           "WHERE article_no_arabic IS NOT NULL AND article_no LIKE '第%条'").fetchall()
    assert len(rows) > 20_000
    assert [(a, n) for a, n in rows if article_number(a) != n] == []
