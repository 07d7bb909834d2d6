"""matching and analytics aggregates: published cohorts per major, level and year; open demands' totals

Revision ID: 0017_match_aggregates
Revises: 0016_search_term_counts
Create Date: 2026-12-05 07:30:00

A forward match ranked every candidate cohort of the period (up to 17,000 at province
scale) to show 20. With each publication's cohorts counted per major, level and
graduation year, and the largest one's graduates, the total is a sum of a few hundred
counts and only the cohorts whose score bound can reach the page are ranked. Publishing
writes them with the publication's sums; this revision counts the publications already
made.

The supply–demand analytics summed the shares of every open demand per request (50,000
at province scale). `open_demand_totals` holds, per major, occupation and place, how many
demands stored as open count there and their headcount; the demand service keeps it in
the transaction of every write (app/services/demands/totals.py). This revision counts
the demands stored as open. Reverse matching walks the open demands in id order
(`ix_demands_status_id`) for those with the best score bound there is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_match_aggregates"
down_revision: str | None = "0016_search_term_counts"
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

# The open demands' totals, as `services.demands.totals.tally` counts them.
TOTALS = (
    "SELECT 'major', m.code, count(*), sum(m.share) FROM demand_majors m "
    "JOIN demands d ON d.id = m.demand_id WHERE d.status = 'open' GROUP BY m.code "
    "UNION ALL "
    "SELECT 'occupation', o.code, count(*), sum(o.share) FROM demand_occupations o "
    "JOIN demands d ON d.id = o.demand_id WHERE d.status = 'open' GROUP BY o.code "
    "UNION ALL "
    "SELECT 'occupation', '-', count(*), sum(d.headcount) FROM demands d "
    "WHERE d.status = 'open' AND NOT EXISTS "
    "(SELECT 1 FROM demand_occupations o WHERE o.demand_id = d.id) GROUP BY d.status "
    "UNION ALL "
    "SELECT 'place', coalesce(d.district_code, '@' || CAST(d.enterprise_id AS VARCHAR)), "
    "count(*), sum(d.headcount) FROM demands d WHERE d.status = 'open' "
    "GROUP BY coalesce(d.district_code, '@' || CAST(d.enterprise_id AS VARCHAR))"
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

    op.create_table(
        "open_demand_totals",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("demands", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("first_code", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("dimension", "code", name=op.f("pk_open_demand_totals")),
    )
    op.create_index(
        "ix_open_demand_totals_first_code",
        "open_demand_totals",
        ["dimension", "first_code", "demands", "code"],
    )
    op.create_index("ix_demands_status_id", "demands", ["status", "id"])
    op.execute(f"INSERT INTO open_demand_totals (dimension, code, demands, headcount) {TOTALS}")
    _count_code_sets()


def _count_code_sets() -> None:
    """The `codes` totals: the open demands per set of major codes (sorted, space-separated),
    with the set's first code."""
    conn = op.get_bind()
    stmt = (
        "SELECT d.id, d.headcount, m.code FROM demands d "
        "JOIN demand_majors m ON m.demand_id = d.id WHERE d.status = 'open'"
    )
    demands: dict[int, tuple[int, list[str]]] = {}
    for demand_id, headcount, code in conn.execute(sa.text(stmt)):
        demands.setdefault(demand_id, (headcount, []))[1].append(code)
    sets: dict[str, list[int]] = {}
    for headcount, codes in demands.values():
        totals = sets.setdefault(" ".join(sorted(codes)), [0, 0])
        totals[0] += 1
        totals[1] += headcount
    rows = [
        {"dimension": "codes", "code": code, "demands": n, "headcount": h, "first": code.split()[0]}
        for code, (n, h) in sets.items()
    ]
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO open_demand_totals (dimension, code, demands, headcount, first_code) "
                "VALUES (:dimension, :code, :demands, :headcount, :first)"
            ),
            rows,
        )


def downgrade() -> None:
    op.drop_index("ix_demands_status_id", table_name="demands")
    op.drop_table("open_demand_totals")
    op.drop_table("published_cohorts")
