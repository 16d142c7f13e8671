"""The schema of the first release (conversations, messages, ratings and cases, staff accounts,
curated answers and reviews), as `create_all` made it before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa

from assistant.store.migrations import create_table, drop_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _conversations()
    _ratings()
    _staff_and_curated()


def _conversations() -> None:
    create_table(
        "conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_conversations_updated_at", ["updated_at"], False),))
    create_table(
        "messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_messages_conversation_id", ["conversation_id"], False),
                 ("ix_messages_created_at", ["created_at"], False)))


def _ratings() -> None:
    create_table(
        "feedback",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_feedback_conversation_id", ["conversation_id"], False),
                 ("ix_feedback_created_at", ["created_at"], False),
                 ("ix_feedback_message_id", ["message_id"], True)))
    create_table(
        "feedback_cases",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("feedback_id", sa.String(length=24), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reply_due", sa.DateTime(), nullable=False),
        sa.Column("fix_due", sa.DateTime(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_feedback_cases_created_at", ["created_at"], False),
                 ("ix_feedback_cases_feedback_id", ["feedback_id"], False),
                 ("ix_feedback_cases_message_id", ["message_id"], False),
                 ("ix_feedback_cases_status", ["status"], False)))


def _staff_and_curated() -> None:
    create_table(
        "staff_users",
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username"))
    create_table(
        "staff_meta",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"))
    create_table(
        "curated_answers",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("chunk_ids", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_curated_answers_message_id", ["message_id"], False),
                 ("ix_curated_answers_normalized", ["normalized"], False),
                 ("ix_curated_answers_updated_at", ["updated_at"], False)))
    create_table(
        "answer_reviews",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("curated_id", sa.String(length=24), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_answer_reviews_created_at", ["created_at"], False),
                 ("ix_answer_reviews_message_id", ["message_id"], False)))


def downgrade() -> None:
    for name in ("answer_reviews", "curated_answers", "staff_meta", "staff_users", "feedback_cases", "feedback",
                 "messages", "conversations"):
        drop_table(name)
