"""web app: coordinator accounts and the communes' own links (only token hashes stored)

Revision ID: 0006w
Revises: 0003
Create Date: 2026-11-30 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import giamsat.db.models


revision = '0006w'
down_revision = '0005d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', giamsat.db.models.AwareDateTime(), nullable=False),
    sa.Column('sessions_valid_after', giamsat.db.models.AwareDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_users')),
    sa.UniqueConstraint('username', name=op.f('uq_web_users_username'))
    )
    op.create_table('commune_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('created_at', giamsat.db.models.AwareDateTime(), nullable=False),
    sa.Column('revoked_at', giamsat.db.models.AwareDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_commune_links_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_commune_links_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_links')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_commune_links_token_sha256')),
    sa.UniqueConstraint('unit_id', 'generation', name=op.f('uq_commune_links_unit_id_generation'))
    )
    with op.batch_alter_table('commune_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_links_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_links_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commune_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_links_unit_id'))
        batch_op.drop_index(batch_op.f('ix_commune_links_cycle_id'))
    op.drop_table('commune_links')
    op.drop_table('web_users')
