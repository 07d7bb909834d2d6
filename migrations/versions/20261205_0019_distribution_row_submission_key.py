"""distribution rows: one foreign key to their submission, its college and period

Revision ID: 0019_row_submission_key
Revises: 0018_count_locks
Create Date: 2026-12-05 13:30:00

A row repeats its submission's college and period so that filters need no join, and had
a foreign key to the submission and another to the college. On PostgreSQL every foreign
key is a lookup per inserted row, even in a COPY; these two were a quarter of an import's
write. One composite key to (id, college_id, period) of the submission replaces them: it
also proves the copies agree with the submission, and the submission's own key to its
college (RESTRICT) covers the row's. Adding it checks the rows already stored.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_row_submission_key"
down_revision: str | None = "0018_count_locks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A unique index (SQLite adds it in place; rebuilding the referenced table there would
# cascade to its rows), which PostgreSQL and SQLite both accept as a foreign key's target.
SUBMISSION_KEY = "ix_distribution_submissions_id_college_id_period"
ROW_KEY = "fk_distribution_rows_submission_id_distribution_submissions"
COLLEGE_KEY = "fk_distribution_rows_college_id_organizations"


def upgrade() -> None:
    op.create_index(
        SUBMISSION_KEY, "distribution_submissions", ["id", "college_id", "period"], unique=True
    )
    with op.batch_alter_table("distribution_rows") as batch:
        batch.drop_constraint(ROW_KEY, type_="foreignkey")
        batch.drop_constraint(COLLEGE_KEY, type_="foreignkey")
        batch.create_foreign_key(
            ROW_KEY,
            "distribution_submissions",
            ["submission_id", "college_id", "period"],
            ["id", "college_id", "period"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("distribution_rows") as batch:
        batch.drop_constraint(ROW_KEY, type_="foreignkey")
        batch.create_foreign_key(
            ROW_KEY, "distribution_submissions", ["submission_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            COLLEGE_KEY, "organizations", ["college_id"], ["id"], ondelete="RESTRICT"
        )
    op.drop_index(SUBMISSION_KEY, table_name="distribution_submissions")
