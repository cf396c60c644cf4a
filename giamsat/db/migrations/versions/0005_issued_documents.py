"""issued documents: every document is a draft until its signed PDF is registered

Revision ID: 0005d
Revises: 0003
Create Date: 2026-11-30 11:40:00

A document giamsat writes is a draft (dự thảo). The văn thư registers the PDF signed in the
document system: its number (số, ký hiệu), date, signers and signing times, and the signed file's
SHA-256 are kept on the document's row.
"""
from alembic import op
import sqlalchemy as sa

import giamsat.db.models


revision = '0005d'
down_revision = '0004m'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                      server_default='draft'))
        batch_op.add_column(sa.Column('number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('signers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('signed_path', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('signed_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('registered_at', giamsat.db.models.AwareDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('registered_by', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_documents_cycle_status', ['cycle_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_cycle_status')
        for name in ('registered_by', 'registered_at', 'signed_sha256', 'signed_path', 'signers',
                     'issued_on', 'number', 'status'):
            batch_op.drop_column(name)
