"""criteria: a finding per monitoring criterion, and the office's preliminary appraisals

Revision ID: 0009k
Revises: 0008a
Create Date: 2026-11-30 14:23:18

``criterion_findings``: the team's finding (met / partly / not met, evidence, note) on each
criterion of the plan, from a visit's minutes. ``appraisals``: the office's preliminary appraisal
(thẩm định sơ bộ) of each commune's review results, one per commune and cycle; when not agreed it
points at the recommendation that follows it up.
"""
from alembic import op
import sqlalchemy as sa
import giamsat.db.models


revision = '0009k'
down_revision = '0008a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('criterion_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('content', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('criterion_key', sa.String(length=40), nullable=False),
    sa.Column('criterion_title', sa.String(length=300), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', giamsat.db.base.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_criterion_findings_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_criterion_findings_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_criterion_findings_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion_findings'))
    )
    with op.batch_alter_table('criterion_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_findings_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_findings_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criterion_findings_visit_id'), ['visit_id'], unique=False)

    op.create_table('appraisals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', giamsat.db.base.AwareDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_appraisals_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_appraisals_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_appraisals_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_appraisals_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisals')),
    sa.UniqueConstraint('cycle_id', 'unit_id', name=op.f('uq_appraisals_cycle_id_unit_id'))
    )
    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraisals_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appraisals_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appraisals_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appraisals_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraisals_unit_id'))
        batch_op.drop_index(batch_op.f('ix_appraisals_submission_id'))
        batch_op.drop_index(batch_op.f('ix_appraisals_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_appraisals_cycle_id'))

    op.drop_table('appraisals')
    with op.batch_alter_table('criterion_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_findings_visit_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_findings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_criterion_findings_cycle_id'))

    op.drop_table('criterion_findings')
