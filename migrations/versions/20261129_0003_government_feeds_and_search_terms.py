"""government feeds and search terms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 06:35:08.417625
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_terms',
    sa.Column('resource', sa.String(length=32), nullable=False),
    sa.Column('term', sa.String(length=2), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('resource', 'term', 'item_id', name=op.f('pk_search_terms')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_search_terms_item', ['resource', 'item_id'], unique=False)

    op.create_table('cooperation_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('order_class', 'modern_apprenticeship', 'enterprise_apprenticeship', 'industry_college', 'training_base', 'tech_service', 'other', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_cooperation_projects_owner_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_projects'))
    )
    with op.batch_alter_table('cooperation_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_projects_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_cooperation_projects_owner', ['owner_organization_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_projects_start_date'), ['start_date'], unique=False)
        batch_op.create_index('ix_cooperation_projects_status_updated_at', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('directory_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('industry_code', sa.String(length=5), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('cluster_code', sa.String(length=8), nullable=True),
    sa.Column('size', sa.Enum('large', 'medium', 'small', 'micro', name='size', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('integration_level', sa.Enum('none', 'municipal', 'provincial', 'national', name='integration_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cluster_code'], ['clusters.code'], name=op.f('fk_directory_entries_cluster_code_clusters')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_directory_entries_district_code_districts')),
    sa.ForeignKeyConstraint(['industry_code'], ['industries.code'], name=op.f('fk_directory_entries_industry_code_industries')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_directory_entries_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_directory_entries_owner_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_entries')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_directory_entries_credit_code'))
    )
    with op.batch_alter_table('directory_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_entries_cluster_code'), ['cluster_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_entries_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_entries_industry_code'), ['industry_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_entries_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_directory_entries_owner', ['owner_organization_id', 'status'], unique=False)
        batch_op.create_index('ix_directory_entries_status_updated_at', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('social_service_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_social_service_projects_owner_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_service_projects'))
    )
    with op.batch_alter_table('social_service_projects', schema=None) as batch_op:
        batch_op.create_index('ix_social_service_projects_owner', ['owner_organization_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_social_service_projects_start_date'), ['start_date'], unique=False)
        batch_op.create_index('ix_social_service_projects_status_updated_at', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('tech_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('tech_info', 'school_locality_project', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('cluster_code', sa.String(length=8), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cluster_code'], ['clusters.code'], name=op.f('fk_tech_projects_cluster_code_clusters')),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_tech_projects_owner_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tech_projects'))
    )
    with op.batch_alter_table('tech_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tech_projects_cluster_code'), ['cluster_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_tech_projects_deadline'), ['deadline'], unique=False)
        batch_op.create_index('ix_tech_projects_owner', ['owner_organization_id', 'status'], unique=False)
        batch_op.create_index('ix_tech_projects_status_updated_at', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('cooperation_project_colleges',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_cooperation_project_colleges_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['cooperation_projects.id'], name=op.f('fk_cooperation_project_colleges_project_id_cooperation_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'organization_id', name=op.f('pk_cooperation_project_colleges'))
    )
    with op.batch_alter_table('cooperation_project_colleges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_project_colleges_organization_id'), ['organization_id'], unique=False)

    op.create_table('cooperation_project_enterprises',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_cooperation_project_enterprises_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['cooperation_projects.id'], name=op.f('fk_cooperation_project_enterprises_project_id_cooperation_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'organization_id', name=op.f('pk_cooperation_project_enterprises'))
    )
    with op.batch_alter_table('cooperation_project_enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_project_enterprises_organization_id'), ['organization_id'], unique=False)

    op.create_table('cooperation_project_majors',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('major_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['major_code'], ['majors.code'], name=op.f('fk_cooperation_project_majors_major_code_majors')),
    sa.ForeignKeyConstraint(['project_id'], ['cooperation_projects.id'], name=op.f('fk_cooperation_project_majors_project_id_cooperation_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'major_code', name=op.f('pk_cooperation_project_majors'))
    )
    with op.batch_alter_table('cooperation_project_majors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_project_majors_major_code'), ['major_code'], unique=False)

    op.create_table('social_service_project_certificates',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('certificate', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['certificate'], ['certificates.name'], name=op.f('fk_social_service_project_certificates_certificate_certificates')),
    sa.ForeignKeyConstraint(['project_id'], ['social_service_projects.id'], name=op.f('fk_social_service_project_certificates_project_id_social_service_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'certificate', name=op.f('pk_social_service_project_certificates'))
    )
    with op.batch_alter_table('social_service_project_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_service_project_certificates_certificate'), ['certificate'], unique=False)

    op.create_table('social_service_project_target_groups',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('target_group', sa.Enum('transferred_workers', 'unenrolled_graduates', 'veterans', 'migrant_workers', 'unemployed', 'sme_employees', 'disabled', name='target_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['social_service_projects.id'], name=op.f('fk_social_service_project_target_groups_project_id_social_service_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'target_group', name=op.f('pk_social_service_project_target_groups'))
    )
    with op.batch_alter_table('social_service_project_target_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_service_project_target_groups_target_group'), ['target_group'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('social_service_project_target_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_service_project_target_groups_target_group'))

    op.drop_table('social_service_project_target_groups')
    with op.batch_alter_table('social_service_project_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_service_project_certificates_certificate'))

    op.drop_table('social_service_project_certificates')
    with op.batch_alter_table('cooperation_project_majors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_project_majors_major_code'))

    op.drop_table('cooperation_project_majors')
    with op.batch_alter_table('cooperation_project_enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_project_enterprises_organization_id'))

    op.drop_table('cooperation_project_enterprises')
    with op.batch_alter_table('cooperation_project_colleges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_project_colleges_organization_id'))

    op.drop_table('cooperation_project_colleges')
    with op.batch_alter_table('tech_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_tech_projects_status_updated_at')
        batch_op.drop_index('ix_tech_projects_owner')
        batch_op.drop_index(batch_op.f('ix_tech_projects_deadline'))
        batch_op.drop_index(batch_op.f('ix_tech_projects_cluster_code'))

    op.drop_table('tech_projects')
    with op.batch_alter_table('social_service_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_social_service_projects_status_updated_at')
        batch_op.drop_index(batch_op.f('ix_social_service_projects_start_date'))
        batch_op.drop_index('ix_social_service_projects_owner')

    op.drop_table('social_service_projects')
    with op.batch_alter_table('directory_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_entries_status_updated_at')
        batch_op.drop_index('ix_directory_entries_owner')
        batch_op.drop_index(batch_op.f('ix_directory_entries_organization_id'))
        batch_op.drop_index(batch_op.f('ix_directory_entries_industry_code'))
        batch_op.drop_index(batch_op.f('ix_directory_entries_district_code'))
        batch_op.drop_index(batch_op.f('ix_directory_entries_cluster_code'))

    op.drop_table('directory_entries')
    with op.batch_alter_table('cooperation_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_cooperation_projects_status_updated_at')
        batch_op.drop_index(batch_op.f('ix_cooperation_projects_start_date'))
        batch_op.drop_index('ix_cooperation_projects_owner')
        batch_op.drop_index(batch_op.f('ix_cooperation_projects_kind'))

    op.drop_table('cooperation_projects')
    with op.batch_alter_table('search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_search_terms_item')

    op.drop_table('search_terms')
