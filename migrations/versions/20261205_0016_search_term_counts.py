"""search term counts: each term's items per status and owner, kept by triggers

Revision ID: 0016_search_term_counts
Revises: 0015_demand_district
Create Date: 2026-12-05 08:00:00

A one-term search's exact `total` reads these counts instead of counting the term's
`search_terms` rows (up to 10,001 of them per request, which grew with the data). Each term
row is counted under its owner and under every owner (`owner_key` -1). Triggers on
`search_terms` keep the counts in the transaction of every change of the terms or of the
status and owner they copy from the feed tables (migration 0013), whoever writes: row by row
on SQLite, one grouped upsert per statement on PostgreSQL (transition tables), whose rows it
locks in key order. This revision counts the existing terms once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_search_term_counts"
down_revision: str | None = "0015_demand_district"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVERY_OWNER = -1
KEY = "resource, term, owner_key, status"
UPSERT = (
    f"ON CONFLICT ({KEY}) DO UPDATE SET items = search_term_counts.items + excluded.items"
)


def _count(rows: str) -> str:
    """Count `rows` (term rows with a `delta` of 1 or -1) into search_term_counts, under their
    owner and every owner, in key order."""
    return (
        f"INSERT INTO search_term_counts ({KEY}, items) "
        "SELECT resource, term, owners.owner_key, status, sum(delta) "
        f"FROM ({rows}) AS changed CROSS JOIN LATERAL "
        f"(VALUES (changed.owner_key), ({EVERY_OWNER})) AS owners (owner_key) "
        "GROUP BY resource, term, owners.owner_key, status HAVING sum(delta) <> 0 "
        f"ORDER BY resource, term, owners.owner_key, status {UPSERT}"
    )


def _postgresql_triggers() -> None:
    added = f"SELECT {KEY}, 1 AS delta FROM new_rows"
    removed = f"SELECT {KEY}, -1 AS delta FROM old_rows"
    events = {
        "insert": ("NEW TABLE AS new_rows", added),
        "delete": ("OLD TABLE AS old_rows", removed),
        "update": ("OLD TABLE AS old_rows NEW TABLE AS new_rows", f"{added} UNION ALL {removed}"),
    }
    for event, (tables, rows) in events.items():
        op.execute(
            f"CREATE FUNCTION search_terms_count_{event}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {_count(rows)}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER tr_search_terms_count_{event} AFTER {event.upper()} ON search_terms "
            f"REFERENCING {tables} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION search_terms_count_{event}()"
        )


def _add(row: str) -> str:
    return (
        f"INSERT INTO search_term_counts ({KEY}, items) VALUES "
        f"({row}.resource, {row}.term, {row}.owner_key, {row}.status, 1), "
        f"({row}.resource, {row}.term, {EVERY_OWNER}, {row}.status, 1) {UPSERT};"
    )


def _remove(row: str) -> str:
    return (
        f"UPDATE search_term_counts SET items = items - 1 WHERE resource = {row}.resource "
        f"AND term = {row}.term AND owner_key IN ({row}.owner_key, {EVERY_OWNER}) "
        f"AND status = {row}.status;"
    )


def _sqlite_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER tr_search_terms_count_insert AFTER INSERT ON search_terms "
        f"BEGIN {_add('NEW')} END"
    )
    op.execute(
        f"CREATE TRIGGER tr_search_terms_count_delete AFTER DELETE ON search_terms "
        f"BEGIN {_remove('OLD')} END"
    )
    op.execute(
        "CREATE TRIGGER tr_search_terms_count_update AFTER UPDATE OF status, owner_key "
        "ON search_terms WHEN OLD.status IS NOT NEW.status OR OLD.owner_key IS NOT NEW.owner_key "
        f"BEGIN {_remove('OLD')} {_add('NEW')} END"
    )


def upgrade() -> None:
    op.create_table(
        "search_term_counts",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("owner_key", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "resource", "term", "owner_key", "status", name=op.f("pk_search_term_counts")
        ),
        sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO search_term_counts ({KEY}, items) "
        f"SELECT {KEY}, count(*) FROM search_terms GROUP BY {KEY} "
        f"UNION ALL SELECT resource, term, {EVERY_OWNER}, status, count(*) FROM search_terms "
        "GROUP BY resource, term, status"
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in ("insert", "delete", "update"):
        op.execute(
            f"DROP TRIGGER tr_search_terms_count_{event}" + (" ON search_terms" if postgresql else "")
        )
        if postgresql:
            op.execute(f"DROP FUNCTION search_terms_count_{event}()")
    op.drop_table("search_term_counts")
