"""index submissions by content: intake looks every file up by (cycle, sha256)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:00:00

Without it each intake scans the cycle's submissions: quadratic over a province or the country.
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_cycle_sha', ['cycle_id', 'sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_cycle_sha')
