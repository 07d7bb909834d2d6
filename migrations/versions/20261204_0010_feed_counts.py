"""feed counts: each feed's items per owner and status, kept by triggers; a cluster's tech projects

Revision ID: 0010_feed_counts
Revises: 0009_occupations
Create Date: 2026-12-04 16:00:00

A list's `total` reads these counts instead of counting the rows. Triggers on the four
feed tables keep them in the transaction of every insert, delete and change of status or
owner, whoever writes (the app, an import, a bulk load); this revision counts the
existing rows once. A cluster's tech projects are listed and counted from one index, and
every feed's items newest first (drafts included) from another.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_feed_counts"
down_revision: str | None = "0009_occupations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEED_TABLES = {
    "tech_projects": "tech_project",
    "directory_entries": "enterprise",
    "cooperation_projects": "cooperation_project",
    "social_service_projects": "social_service_project",
}
CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.owner_organization_id IS DISTINCT FROM NEW.owner_organization_id"
)


def _add(row: str, resource: str) -> str:
    return (
        "INSERT INTO feed_counts (resource, owner_key, status, items) VALUES "
        f"('{resource}', coalesce({row}.owner_organization_id, 0), {row}.status, 1) "
        "ON CONFLICT (resource, owner_key, status) DO UPDATE SET items = feed_counts.items + 1;"
    )


def _remove(row: str, resource: str) -> str:
    return (
        f"UPDATE feed_counts SET items = items - 1 WHERE resource = '{resource}' "
        f"AND owner_key = coalesce({row}.owner_organization_id, 0) AND status = {row}.status;"
    )


def _sqlite_triggers(table: str, resource: str) -> None:
    op.execute(
        f"CREATE TRIGGER tr_{table}_count_insert AFTER INSERT ON {table} "
        f"BEGIN {_add('NEW', resource)} END"
    )
    op.execute(
        f"CREATE TRIGGER tr_{table}_count_delete AFTER DELETE ON {table} "
        f"BEGIN {_remove('OLD', resource)} END"
    )
    changed = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    op.execute(
        f"CREATE TRIGGER tr_{table}_count_update AFTER UPDATE OF status, owner_organization_id "
        f"ON {table} WHEN {changed} "
        f"BEGIN {_remove('OLD', resource)} {_add('NEW', resource)} END"
    )


def _postgresql_triggers(table: str, resource: str) -> None:
    op.execute(
        f"CREATE FUNCTION {table}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_remove('OLD', resource)} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_add('NEW', resource)} END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER tr_{table}_count_insert_delete AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_count()"
    )
    op.execute(
        f"CREATE TRIGGER tr_{table}_count_update AFTER UPDATE OF status, owner_organization_id "
        f"ON {table} FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION {table}_count()"
    )


def upgrade() -> None:
    op.create_table(
        "feed_counts",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("owner_key", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource", "owner_key", "status", name=op.f("pk_feed_counts")),
    )
    op.drop_index("ix_tech_projects_cluster_code", table_name="tech_projects")
    op.create_index(
        "ix_tech_projects_cluster_status",
        "tech_projects",
        ["cluster_code", "status", "updated_at", "id"],
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, resource in FEED_TABLES.items():
        # Every item newest first: the list of those who see drafts too walks it.
        op.create_index(f"ix_{table}_updated_at", table, ["updated_at", "id"])
        op.execute(
            "INSERT INTO feed_counts (resource, owner_key, status, items) "
            f"SELECT '{resource}', coalesce(owner_organization_id, 0), status, count(*) "
            f"FROM {table} GROUP BY coalesce(owner_organization_id, 0), status"
        )
        if postgresql:
            _postgresql_triggers(table, resource)
        else:
            _sqlite_triggers(table, resource)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in FEED_TABLES:
        if postgresql:
            op.execute(f"DROP TRIGGER tr_{table}_count_insert_delete ON {table}")
            op.execute(f"DROP TRIGGER tr_{table}_count_update ON {table}")
            op.execute(f"DROP FUNCTION {table}_count()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER tr_{table}_count_{event}")
    op.drop_table("feed_counts")
    for table in FEED_TABLES:
        op.drop_index(f"ix_{table}_updated_at", table_name=table)
    op.drop_index("ix_tech_projects_cluster_status", table_name="tech_projects")
    op.create_index("ix_tech_projects_cluster_code", "tech_projects", ["cluster_code"])
