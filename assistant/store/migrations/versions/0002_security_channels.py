"""Tables added by the security and channels work: rate counters, the WeChat replay store, server-side
staff sessions, 转人工 threads and staff replies, encrypted 回访 numbers; one turn number per
conversation (``uq_messages_conversation_seq``).

A conversation whose turns clash (two parallel requests numbered alike before the unique index
existed) is renumbered in time order first, keeping every message, so the index can be created.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from assistant.store.migrations import create_table, drop_table, has_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _renumber_clashing_turns() -> None:
    bind = op.get_bind()
    messages = sa.table("messages", sa.column("id", sa.String), sa.column("conversation_id", sa.String),
                        sa.column("seq", sa.Integer), sa.column("role", sa.String),
                        sa.column("created_at", sa.DateTime))
    clashing = bind.execute(sa.select(messages.c.conversation_id).group_by(messages.c.conversation_id, messages.c.seq)
                            .having(sa.func.count() > 1)).scalars().all()
    for conv in dict.fromkeys(clashing):
        rows = bind.execute(sa.select(messages.c.id).where(messages.c.conversation_id == conv)
                            .order_by(messages.c.created_at, messages.c.seq, messages.c.role.desc(), messages.c.id)
                            ).scalars().all()
        for i, mid in enumerate(rows):  # no unique index yet: any intermediate state is allowed
            bind.execute(sa.update(messages).where(messages.c.id == mid).values(seq=i))


def upgrade() -> None:
    create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        indexes=(("ix_rate_counters_expires_at", ["expires_at"], False),))
    create_table(
        "wechat_seen",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        indexes=(("ix_wechat_seen_seen_at", ["seen_at"], False),))
    create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_staff_sessions_username", ["username"], False),))
    create_table(
        "handoff_threads",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
        indexes=(("ix_handoff_threads_requested_at", ["requested_at"], False),
                 ("ix_handoff_threads_status", ["status"], False)))
    create_table(
        "staff_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_staff_replies_conversation_id", ["conversation_id"], False),))
    create_table(
        "callback_contacts",
        sa.Column("case_id", sa.String(length=24), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"))
    if not has_index("messages", "uq_messages_conversation_seq"):
        _renumber_clashing_turns()
        op.create_index("uq_messages_conversation_seq", "messages", ["conversation_id", "seq"], unique=True)


def downgrade() -> None:
    if has_index("messages", "uq_messages_conversation_seq"):
        op.drop_index("uq_messages_conversation_seq", table_name="messages")
    for name in ("callback_contacts", "staff_replies", "handoff_threads", "staff_sessions", "wechat_seen",
                 "rate_counters"):
        drop_table(name)
