"""Guide versions (``guide_versions``, `store.guides`): the texts staff published from the console.

The table is older than this revision: the publishing code made it itself with ``create_all`` the
first time the console's guide editor was used, so most deployments have it already (with their
rows) and only the others get it here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa

from assistant.store.migrations import create_table, drop_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "guide_versions",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_guide_versions_at", ["at"], False),
                 ("ix_guide_versions_item_id", ["item_id"], False)))


def downgrade() -> None:
    drop_table("guide_versions")
