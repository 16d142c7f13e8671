"""Helpers for the revisions in versions/.

Revisions create a table or index only when it is missing: a database made by a release before
migrations existed (tables from ``create_all``, no ``alembic_version``) already has some of them, and
``assistant db upgrade`` brings it to the head without touching the rows it holds."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def has_index(table: str, name: str) -> bool:
    return any(i["name"] == name for i in sa.inspect(op.get_bind()).get_indexes(table))


def create_table(name: str, *columns, indexes: tuple = ()) -> None:
    """``op.create_table`` plus its indexes ``(name, [columns], unique)``, unless the table exists;
    a missing index of an existing table is added."""
    if not has_table(name):
        op.create_table(name, *columns)
    for index, cols, unique in indexes:
        if not has_index(name, index):
            op.create_index(index, name, cols, unique=unique)


def drop_table(name: str) -> None:
    if has_table(name):
        op.drop_table(name)
