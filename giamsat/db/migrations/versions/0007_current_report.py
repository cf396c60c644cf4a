"""current report: at most one accepted report per commune, enforced by a partial unique index

Revision ID: 0007c
Revises: 0004m
Create Date: 2026-11-30 12:10:00

Two reports of one commune recorded at the same instant could both stay accepted on PostgreSQL.
Any such pair left by that bug is resolved first (the later one stays current, the earlier is
superseded by it), then the index makes a second current report impossible on both databases.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007c'
down_revision = '0006w'
branch_labels = None
depends_on = None

_CURRENT = sa.text("status = 'accepted'")


def upgrade() -> None:
    op.execute("""
        UPDATE submissions SET status = 'superseded'
        WHERE status = 'accepted' AND unit_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM submissions later
            WHERE later.unit_id = submissions.unit_id AND later.status = 'accepted'
              AND later.id > submissions.id)
    """)
    op.create_index('uq_submissions_current_report', 'submissions', ['unit_id'], unique=True,
                    sqlite_where=_CURRENT, postgresql_where=_CURRENT)


def downgrade() -> None:
    op.drop_index('uq_submissions_current_report', table_name='submissions')
