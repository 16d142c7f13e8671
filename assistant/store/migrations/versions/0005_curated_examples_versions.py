"""A correction's example questions (``curated_examples``) and earlier versions (``curated_versions``).

Staff add paraphrases a correction should catch and exclude past questions it must not answer
(`store.curated_edits`); every edit of a correction keeps the content it replaced, with who, when and why.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa

from assistant.store.migrations import create_table, drop_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "curated_examples",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("curated_id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_curated_examples_curated_id", ["curated_id"], False),))
    create_table(
        "curated_versions",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("curated_id", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("chunk_ids", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_curated_versions_curated_id", ["curated_id"], False),
                 ("ix_curated_versions_replaced_at", ["replaced_at"], False)))


def downgrade() -> None:
    drop_table("curated_versions")
    drop_table("curated_examples")
