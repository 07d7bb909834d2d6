"""occupations (职业分类大典 2022), the majors ↔ occupations crosswalk, demands by occupation

Revision ID: 0009_occupations
Revises: 0008
Create Date: 2026-12-01 21:38:24.857599

The catalogue's rows are loaded by `python -m app migrate` (the reference data), not here.
Existing demands name no occupation (`occupation_codes` starts as `[]`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_occupations'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('occupations',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('parent_code', sa.String(length=10), nullable=True),
    sa.Column('green', sa.Boolean(), nullable=False),
    sa.Column('digital', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('tasks', sa.Text(), nullable=True),
    sa.Column('alias_text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_occupations'))
    )
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occupations_level'), ['level'], unique=False)

    op.create_table('major_occupations',
    sa.Column('major_code', sa.String(length=8), nullable=False),
    sa.Column('occupation_code', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['major_code'], ['majors.code'], name=op.f('fk_major_occupations_major_code_majors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occupation_code'], ['occupations.code'], name=op.f('fk_major_occupations_occupation_code_occupations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('major_code', 'occupation_code', name=op.f('pk_major_occupations'))
    )
    with op.batch_alter_table('major_occupations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_major_occupations_occupation_code'), ['occupation_code'], unique=False)

    op.create_table('demand_occupations',
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('share', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['occupations.code'], name=op.f('fk_demand_occupations_code_occupations')),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_occupations_demand_id_demands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('demand_id', 'code', name=op.f('pk_demand_occupations'))
    )
    with op.batch_alter_table('demand_occupations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_occupations_code'), ['code'], unique=False)

    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occupation_codes', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('majors_from_occupations', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.drop_column('majors_from_occupations')
        batch_op.drop_column('occupation_codes')

    with op.batch_alter_table('demand_occupations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_occupations_code'))

    op.drop_table('demand_occupations')
    with op.batch_alter_table('major_occupations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_major_occupations_occupation_code'))

    op.drop_table('major_occupations')
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occupations_level'))

    op.drop_table('occupations')
