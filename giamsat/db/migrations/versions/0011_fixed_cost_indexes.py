"""indexes that answer every remind run's fixed questions from the index alone: overdue reminders
per obligation, the reports' mark and returned reports, drafts by kind, reports assigned

Each query read every row of its table (a country's 117,000 messages with their bodies, 10,600
submissions with their figures) to check one short column; these indexes hold the columns asked.

Revision ID: 0011f
Revises: 0010m
Create Date: 2026-12-01 15:00:00
"""
from alembic import op


revision = '0011f'
down_revision = '0010m'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_messages_obligation_kind', 'messages', ['obligation_id', 'kind']),
    ('ix_submissions_cycle_status', 'submissions', ['cycle_id', 'status', 'unit_id', 'received_at']),
    ('ix_documents_cycle_kind', 'documents', ['cycle_id', 'kind', 'status']),
    ('ix_obligations_cycle_kind', 'obligations', ['cycle_id', 'kind', 'created_at']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
