"""published cohorts: a student distribution publication's cohorts per major, level and year

Revision ID: 0016_match_published_cohorts
Revises: 0015_demand_district
Create Date: 2026-12-05 07:30:00

A forward match ranked every candidate cohort of the period (up to 17,000 at province
scale) to show 20. With each publication's cohorts counted per major, level and
graduation year, and the largest one's graduates, the total is a sum of a few hundred
counts and only the cohorts whose score bound can reach the page are ranked. Publishing
writes them with the publication's sums; this revision counts the publications already
made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_match_published_cohorts"
down_revision: str | None = "0015_demand_district"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every student distribution publication's cohorts, as publishing counts them
# (app/services/distribution/reports.py: total_supply).
COHORTS = (
    "SELECT p.id AS publication_id, r.major_code, r.level, r.graduation_year, "
    "sum(r.graduating_headcount) AS available "
    "FROM publications p "
    "JOIN published_submissions ps ON ps.publication_id = p.id "
    "JOIN distribution_rows r ON r.submission_id = ps.submission_id AND r.period = p.period "
    "WHERE p.dataset = 'student_distribution' "
    "GROUP BY p.id, r.college_id, r.major_code, r.level, r.graduation_year, r.district_code "
    "HAVING sum(r.graduating_headcount) > 0"
)


def upgrade() -> None:
    op.create_table(
        "published_cohorts",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("major_code", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("graduation_year", sa.Integer(), nullable=False),
        sa.Column("cohorts", sa.Integer(), nullable=False),
        sa.Column("max_available", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_published_cohorts_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "publication_id",
            "major_code",
            "level",
            "graduation_year",
            name=op.f("pk_published_cohorts"),
        ),
    )
    op.execute(
        "INSERT INTO published_cohorts "
        "(publication_id, major_code, level, graduation_year, cohorts, max_available) "
        "SELECT publication_id, major_code, level, graduation_year, count(*), max(available) "
        f"FROM ({COHORTS}) cohorts GROUP BY publication_id, major_code, level, graduation_year"
    )


def downgrade() -> None:
    op.drop_table("published_cohorts")
