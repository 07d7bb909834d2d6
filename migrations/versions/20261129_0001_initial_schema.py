"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 06:29:01.601573
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('name', name=op.f('uq_certificates_name'))
    )
    op.create_table('clusters',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_clusters'))
    )
    op.create_table('districts',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('code_type', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_districts'))
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_districts_level'), ['level'], unique=False)

    op.create_table('industries',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Enum('section', 'division', 'group', 'class', name='level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_code', sa.String(length=5), nullable=True),
    sa.Column('section', sa.String(length=1), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_industries'))
    )
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_industries_level'), ['level'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_scope_key_at', ['scope', 'key', 'occurred_at'], unique=False)

    op.create_table('majors',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('category', 'class', 'major', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('level', sa.Enum('secondary', 'higher', 'undergraduate', name='level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('category_code', sa.String(length=2), nullable=False),
    sa.Column('class_code', sa.String(length=4), nullable=True),
    sa.Column('state_controlled', sa.Boolean(), nullable=False),
    sa.Column('catalog', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_majors'))
    )
    with op.batch_alter_table('majors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_majors_level'), ['level'], unique=False)

    op.create_table('cluster_industries',
    sa.Column('cluster_code', sa.String(length=8), nullable=False),
    sa.Column('industry_code', sa.String(length=5), nullable=False),
    sa.Column('rationale', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['cluster_code'], ['clusters.code'], name=op.f('fk_cluster_industries_cluster_code_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['industry_code'], ['industries.code'], name=op.f('fk_cluster_industries_industry_code_industries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cluster_code', 'industry_code', name=op.f('pk_cluster_industries'))
    )
    with op.batch_alter_table('cluster_industries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_industries_industry_code'), ['industry_code'], unique=False)

    op.create_table('cluster_major_classes',
    sa.Column('cluster_code', sa.String(length=8), nullable=False),
    sa.Column('class_code', sa.String(length=8), nullable=False),
    sa.Column('rationale', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['class_code'], ['majors.code'], name=op.f('fk_cluster_major_classes_class_code_majors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cluster_code'], ['clusters.code'], name=op.f('fk_cluster_major_classes_cluster_code_clusters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cluster_code', 'class_code', name=op.f('pk_cluster_major_classes'))
    )
    with op.batch_alter_table('cluster_major_classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_major_classes_class_code'), ['class_code'], unique=False)

    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('org_type', sa.Enum('government', 'enterprise', 'college', 'training_institution', name='org_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('department', sa.Enum('education', 'hr', 'tech', 'industry', 'finance', 'development', 'other', name='department', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'suspended', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_organizations_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_organizations_credit_code'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_district_code'), ['district_code'], unique=False)
        batch_op.create_index('ix_organizations_status_org_type', ['status', 'org_type'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('admin', 'member', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_platform_admin', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_users_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organization_id'), ['organization_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_keys_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_api_keys_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_organization_id'), ['organization_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_organization_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organization_id'))

    op.drop_table('users')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_status_org_type')
        batch_op.drop_index(batch_op.f('ix_organizations_district_code'))

    op.drop_table('organizations')
    with op.batch_alter_table('cluster_major_classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_major_classes_class_code'))

    op.drop_table('cluster_major_classes')
    with op.batch_alter_table('cluster_industries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_industries_industry_code'))

    op.drop_table('cluster_industries')
    with op.batch_alter_table('majors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_majors_level'))

    op.drop_table('majors')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_scope_key_at')

    op.drop_table('login_failures')
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_industries_level'))

    op.drop_table('industries')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_districts_level'))

    op.drop_table('districts')
    op.drop_table('clusters')
    op.drop_table('certificates')
