"""enterprise directory: one name, `enterprise_directory`, for the feed's stored resource

Revision ID: 0012_enterprise_directory
Revises: 0011_cohort_index
Create Date: 2026-12-04 19:00:00

The directory's items were stored under the resource `enterprise`, a word that elsewhere
means an organisation (`org_type`). This revision renames it to `enterprise_directory`
(the dataset's name) in the feed counts and the triggers that keep them, the search
index, the audit trail (`enterprise.publish` → `enterprise_directory.publish`) and the
event outbox (`enterprise.published` → `enterprise_directory.published`). Subscriptions
keep the patterns they were saved with: the events service maps the old name to the new
one (`RESOURCE_ALIASES`). The table keeps its name, `directory_entries`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_enterprise_directory"
down_revision: str | None = "0011_cohort_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "directory_entries"
OLD = "enterprise"
NEW = "enterprise_directory"
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


def _count_triggers(resource: str) -> None:
    """The feed-count triggers of 0010 on the directory's table, counting under `resource`."""
    if op.get_bind().dialect.name == "postgresql":
        # The triggers call this function: replacing it is enough.
        op.execute(
            f"CREATE OR REPLACE FUNCTION {TABLE}_count() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN IF TG_OP <> 'INSERT' THEN {_remove('OLD', resource)} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_add('NEW', resource)} END IF; "
            "RETURN NULL; END $$"
        )
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER tr_{TABLE}_count_{event}")
    op.execute(
        f"CREATE TRIGGER tr_{TABLE}_count_insert AFTER INSERT ON {TABLE} "
        f"BEGIN {_add('NEW', resource)} END"
    )
    op.execute(
        f"CREATE TRIGGER tr_{TABLE}_count_delete AFTER DELETE ON {TABLE} "
        f"BEGIN {_remove('OLD', resource)} END"
    )
    changed = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    op.execute(
        f"CREATE TRIGGER tr_{TABLE}_count_update AFTER UPDATE OF status, owner_organization_id "
        f"ON {TABLE} WHEN {changed} "
        f"BEGIN {_remove('OLD', resource)} {_add('NEW', resource)} END"
    )


def _rename(old: str, new: str) -> None:
    _count_triggers(new)
    op.execute(f"UPDATE feed_counts SET resource = '{new}' WHERE resource = '{old}'")
    op.execute(f"UPDATE search_terms SET resource = '{new}' WHERE resource = '{old}'")
    # "<resource>.<verb>": the verb starts after the old name's length and its dot.
    verb = f"substr(action, {len(old) + 1})"
    op.execute(
        f"UPDATE audit_events SET action = '{new}' || {verb}, resource_type = '{new}' "
        f"WHERE resource_type = '{old}'"
    )
    verb = f"substr(type, {len(old) + 1})"
    op.execute(
        f"UPDATE events SET type = '{new}' || {verb}, resource_type = '{new}' "
        f"WHERE resource_type = '{old}'"
    )


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)
