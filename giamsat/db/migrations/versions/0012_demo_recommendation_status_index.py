"""an index on recommendations (cycle, status, due date): whether any is late or live

The demo asks every simulated day from the visits on whether the follow-up has work: a
recommendation active past its due date, or a live one without its obligation. Both read every
recommendation of the cycle (a country's 19,000, each row with its text); this index answers the
first from the index alone and lets the second check only the live ones.

Revision ID: 0012d
Revises: 0011f
Create Date: 2026-12-01 18:00:00
"""
from alembic import op


revision = '0012d'
down_revision = '0011f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_recommendations_cycle_status_due', 'recommendations',
                    ['cycle_id', 'status', 'due_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_recommendations_cycle_status_due', table_name='recommendations')
