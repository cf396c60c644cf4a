"""messages by (cycle, kind): the counts every flow run makes (notices sent, reminders queued)
read the few rows of a kind instead of every message of the cycle

Revision ID: 0010m
Revises: 0009k
Create Date: 2026-11-30 21:45:00
"""
from alembic import op


revision = '0010m'
down_revision = '0009k'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_messages_cycle_kind', 'messages', ['cycle_id', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_messages_cycle_kind', table_name='messages')
