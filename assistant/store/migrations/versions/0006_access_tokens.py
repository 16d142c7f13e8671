"""The WeChat 客服 access token shared by replicas (``access_tokens``, store/shared_state.py), formerly
cached in each process: WeChat invalidates a token when a new one is fetched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa

from assistant.store.migrations import create_table, drop_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "access_tokens",
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=512), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("refreshing_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("app_id"))


def downgrade() -> None:
    drop_table("access_tokens")
