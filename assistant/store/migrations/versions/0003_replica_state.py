"""State shared by replicas (assistant/shared_state.py): the WeChat follower → conversation map and
the late WeChat answers, formerly kept inside one process.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa

from assistant.store.migrations import create_table, drop_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "wechat_sessions",
        sa.Column("openid_key", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("openid_key"),
        indexes=(("ix_wechat_sessions_updated_at", ["updated_at"], False),))
    create_table(
        "wechat_pending",
        sa.Column("openid_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("done_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("openid_key"),
        indexes=(("ix_wechat_pending_started_at", ["started_at"], False),))


def downgrade() -> None:
    drop_table("wechat_pending")
    drop_table("wechat_sessions")
