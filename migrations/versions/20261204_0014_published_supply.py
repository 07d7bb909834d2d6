"""published supply: a student distribution publication's graduates per major and district

Revision ID: 0014_published_supply
Revises: 0013_search_weights
Create Date: 2026-12-04 19:10:00

The supply–demand analytics summed every published row of a period on each request
(300,000 at province scale). A publication never changes, so its sums are written with
it; this revision sums the publications already made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_published_supply"
down_revision: str | None = "0013_search_weights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every student distribution publication's sums, as publishing writes them
# (app/services/distribution/reports.py: total_supply).
SUMS = (
    "SELECT p.id, r.major_code, r.district_code, sum(r.graduating_headcount) "
    "FROM publications p "
    "JOIN published_submissions ps ON ps.publication_id = p.id "
    "JOIN distribution_rows r ON r.submission_id = ps.submission_id AND r.period = p.period "
    "WHERE p.dataset = 'student_distribution' "
    "GROUP BY p.id, r.major_code, r.district_code"
)


def upgrade() -> None:
    op.create_table(
        "published_supply",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("major_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("graduating_headcount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_published_supply_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "publication_id", "major_code", "district_code", name=op.f("pk_published_supply")
        ),
    )
    op.execute(
        "INSERT INTO published_supply "
        f"(publication_id, major_code, district_code, graduating_headcount) {SUMS}"
    )


def downgrade() -> None:
    op.drop_table("published_supply")
