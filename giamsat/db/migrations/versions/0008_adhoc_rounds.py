"""ad-hoc rounds (own units, content, dates; visits point at their round) and the upper team's visit
(the documents prepared for it and its findings)

Revision ID: 0008a
Revises: 0007c
Create Date: 2026-11-30 14:22:54
"""
from alembic import op
import sqlalchemy as sa
import giamsat.db.models


revision = '0008a'
down_revision = '0007c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('adhoc_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('unit_keys', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('report_path', sa.String(length=500), nullable=True),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', giamsat.db.base.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_adhoc_rounds_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adhoc_rounds')),
    sa.UniqueConstraint('cycle_id', 'number', name=op.f('uq_adhoc_rounds_cycle_id_number'))
    )
    with op.batch_alter_table('adhoc_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adhoc_rounds_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('prep_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('done_at', giamsat.db.base.AwareDateTime(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_prep_items_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prep_items')),
    sa.UniqueConstraint('cycle_id', 'kind', 'position', name=op.f('uq_prep_items_cycle_id_kind_position'))
    )
    with op.batch_alter_table('prep_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prep_items_cycle_id'), ['cycle_id'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visits_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visits_round_id_adhoc_rounds'), 'adhoc_rounds', ['round_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visits_round_id_adhoc_rounds'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visits_round_id'))
        batch_op.drop_column('round_id')

    with op.batch_alter_table('prep_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prep_items_cycle_id'))

    op.drop_table('prep_items')
    with op.batch_alter_table('adhoc_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adhoc_rounds_cycle_id'))

    op.drop_table('adhoc_rounds')
