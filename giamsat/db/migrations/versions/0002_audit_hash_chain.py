"""audit log hash chain

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:40:00

Each audit entry stores the SHA-256 of the previous entry and its own (content + previous), so a
changed, deleted or reordered entry is detected by ``giamsat audit --verify``. Entries written
before this revision are chained here, in id order.
"""
from alembic import op
import sqlalchemy as sa

from giamsat.db.audit_chain import entry_hash
import giamsat.db.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))
    log = sa.table('audit_log', sa.column('id', sa.Integer()),
                   sa.column('at', giamsat.db.models.AwareDateTime()), sa.column('actor', sa.String()),
                   sa.column('action', sa.String()), sa.column('entity', sa.String()),
                   sa.column('entity_id', sa.String()), sa.column('cycle_id', sa.Integer()),
                   sa.column('detail', sa.JSON()), sa.column('prev_sha256', sa.String()),
                   sa.column('sha256', sa.String()))
    conn = op.get_bind()
    prev = None
    for row in conn.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        digest = entry_hash(row, prev)
        conn.execute(log.update().where(log.c.id == row['id']).values(prev_sha256=prev, sha256=digest))
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('sha256')
        batch_op.drop_column('prev_sha256')
