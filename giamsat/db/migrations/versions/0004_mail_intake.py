"""mail intake: the messages of the office mailbox taken in, keyed by folder, UIDVALIDITY and UID

Revision ID: 0004m
Revises: 0003
Create Date: 2026-11-30 11:30:00

A message is taken in once: (folder, uidvalidity, uid) is unique, and (message_id, fingerprint)
recognises the same message seen again under another UID.
"""
from alembic import op
import sqlalchemy as sa

import giamsat.db.models

revision = '0004m'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_intake',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('folder', sa.String(length=200), nullable=False),
        sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
        sa.Column('uid', sa.String(length=200), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('sender', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('arrived_at', giamsat.db.models.AwareDateTime(), nullable=False),
        sa.Column('taken_at', giamsat.db.models.AwareDateTime(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_mail_intake_cycle_id_cycles'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_intake')),
        sa.UniqueConstraint('folder', 'uidvalidity', 'uid',
                            name=op.f('uq_mail_intake_folder_uidvalidity_uid')),
    )
    with op.batch_alter_table('mail_intake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_intake_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index('ix_mail_intake_message', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_table('mail_intake')
