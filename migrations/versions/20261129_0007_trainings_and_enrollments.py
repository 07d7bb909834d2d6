"""trainings and enrollments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:28:21.249444
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('owner_organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_trainings_seats_within_capacity')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_trainings_start_before_end')),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_trainings_demand_id_demands'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_trainings_district_code_districts')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_trainings_enterprise_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_trainings_owner_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_owner_organization_id'), ['owner_organization_id'], unique=False)
        batch_op.create_index('ix_trainings_start_at_id', ['start_at', 'id'], unique=False)

    op.create_table('training_enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('college_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('completed >= 0 AND completed <= seats', name=op.f('ck_training_enrollments_completed_within_seats')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_training_enrollments_seats_positive')),
    sa.ForeignKeyConstraint(['college_id'], ['organizations.id'], name=op.f('fk_training_enrollments_college_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_enrollments_training_id_trainings'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enrollments')),
    sa.UniqueConstraint('training_id', 'college_id', name=op.f('uq_training_enrollments_training_id_college_id'))
    )
    with op.batch_alter_table('training_enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enrollments_college_id'), ['college_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('training_enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrollments_college_id'))

    op.drop_table('training_enrollments')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_trainings_start_at_id')
        batch_op.drop_index(batch_op.f('ix_trainings_owner_organization_id'))
        batch_op.drop_index(batch_op.f('ix_trainings_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_trainings_district_code'))
        batch_op.drop_index(batch_op.f('ix_trainings_demand_id'))

    op.drop_table('trainings')
