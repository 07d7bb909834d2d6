"""search terms: four-character terms, a weight per term and item, the item's list columns

Revision ID: 0013_search_weights
Revises: 0012_enterprise_directory
Create Date: 2026-12-04 19:00:00

A search for two or four characters becomes one walk of an index ordered by relevance
(`ix_search_terms_weight`), its total a count of that index: each row carries the item's
weight for the term (the first text field holding it), and copies of the item's status,
owner and last change, kept by triggers on the four feed tables in the transaction of
every change, whoever writes. The table is rebuilt from the feeds' texts (the backfill):
two- and four-character terms, as `app.services.feeds.search` cuts them.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013_search_weights"
down_revision: str | None = "0012_enterprise_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (resource, its text fields, the most relevant first), as in each feed's service
FEEDS = {
    "tech_projects": ("tech_project", ("title", "summary", "description")),
    "directory_entries": ("enterprise_directory", ("name", "description")),
    "cooperation_projects": ("cooperation_project", ("title", "description")),
    "social_service_projects": ("social_service_project", ("title", "description")),
}
SIZES = (2, 4)
BATCH = 2_000
COPIED = (
    "OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.owner_organization_id IS DISTINCT FROM NEW.owner_organization_id"
    " OR OLD.updated_at IS DISTINCT FROM NEW.updated_at"
)


def _copy(resource: str) -> str:
    return (
        "UPDATE search_terms SET status = NEW.status, "
        "owner_key = coalesce(NEW.owner_organization_id, 0), updated_at = NEW.updated_at "
        f"WHERE resource = '{resource}' AND item_id = NEW.id;"
    )


def _triggers(table: str, resource: str, postgresql: bool) -> None:
    columns = "status, owner_organization_id, updated_at"
    if postgresql:
        op.execute(
            f"CREATE FUNCTION {table}_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_copy(resource)} RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER tr_{table}_search_terms AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW WHEN ({COPIED}) EXECUTE FUNCTION {table}_search_terms()"
        )
    else:
        changed = COPIED.replace("IS DISTINCT FROM", "IS NOT")
        op.execute(
            f"CREATE TRIGGER tr_{table}_search_terms AFTER UPDATE OF {columns} ON {table} "
            f"WHEN {changed} BEGIN {_copy(resource)} END"
        )


def _weights(texts: Sequence[str | None]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, text in enumerate(texts):
        lowered = (text or "").lower()
        for size in SIZES:
            for start in range(len(lowered) - size + 1):
                found.setdefault(lowered[start : start + size], len(texts) - i)
    return found


def _backfill(table: str, resource: str, fields: Sequence[str]) -> None:
    conn = op.get_bind()
    terms = sa.table(
        "search_terms",
        *(sa.column(c) for c in ("resource", "term", "item_id", "weight", "status")),
        *(sa.column(c) for c in ("owner_key", "updated_at")),
    )
    columns = ", ".join(("id", "status", "owner_organization_id", "updated_at", *fields))
    last = 0
    while True:
        rows = conn.execute(
            sa.text(f"SELECT {columns} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last},
        ).all()
        if not rows:
            return
        values: list[dict[str, Any]] = []
        for item_id, status, owner, updated_at, *texts in rows:
            copied = {"resource": resource, "item_id": item_id, "status": status}
            copied |= {"owner_key": owner or 0, "updated_at": updated_at}
            values += [{**copied, "term": t, "weight": w} for t, w in _weights(texts).items()]
        if values:
            conn.execute(terms.insert(), values)
        last = rows[-1][0]


def upgrade() -> None:
    op.drop_index("ix_search_terms_item", table_name="search_terms")
    op.drop_table("search_terms")
    op.create_table(
        "search_terms",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=4), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("owner_key", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resource", "term", "item_id", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (resource, fields) in FEEDS.items():
        _backfill(table, resource, fields)
        _triggers(table, resource, postgresql)
    op.create_index("ix_search_terms_item", "search_terms", ["resource", "item_id"])
    op.create_index(
        "ix_search_terms_weight",
        "search_terms",
        ["resource", "term", "weight", "updated_at", "item_id", "status", "owner_key"],
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in FEEDS:
        op.execute(f"DROP TRIGGER tr_{table}_search_terms" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION {table}_search_terms()")
    op.drop_index("ix_search_terms_weight", table_name="search_terms")
    op.execute("DELETE FROM search_terms WHERE length(term) > 2")
    for column in ("weight", "status", "owner_key", "updated_at"):
        op.execute(f"ALTER TABLE search_terms DROP COLUMN {column}")
    if postgresql:
        op.execute("ALTER TABLE search_terms ALTER COLUMN term TYPE VARCHAR(2)")
