"""count locks: a feed's counts are changed by one transaction at a time (PostgreSQL)

Revision ID: 0018_count_locks
Revises: 0017_match_aggregates
Create Date: 2026-12-05 13:10:00

The counting triggers of `feed_counts` (0010, 0012) and `search_term_counts` (0016) lock
count rows as they change them, each statement in its own order: an edit's delete of its
gone terms locks some rows and its insert of the new ones others, a create locks its feed
count before its terms' counts and a delete after, a withdrawal locks the published count
before the withdrawn one and a republication the other way round. Two such transactions
crossing each other deadlocked, and PostgreSQL aborted one (a 503). Every counting trigger
now first takes the feed's transaction-level advisory lock (`COUNTS_LOCK`, the feed's
resource), so a feed's count rows are changed by one transaction at a time, from its first
counted change to its commit; count rows cannot deadlock, and the wait is one that the
shared count rows (every owner's, per term) already imposed. SQLite needs nothing: its
write transactions hold the database's one write lock (`BEGIN IMMEDIATE`) to commit.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_count_locks"
down_revision: str | None = "0017_match_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS_LOCK = 724_019_003  # advisory lock class (the migration lock is ...001, events ...002)
FEEDS = {
    "tech_projects": "tech_project",
    "directory_entries": "enterprise_directory",
    "cooperation_projects": "cooperation_project",
    "social_service_projects": "social_service_project",
}
EVERY_OWNER = -1
KEY = "resource, term, owner_key, status"
UPSERT = (
    f"ON CONFLICT ({KEY}) DO UPDATE SET items = search_term_counts.items + excluded.items"
)
ADDED = f"SELECT {KEY}, 1 AS delta FROM new_rows"
REMOVED = f"SELECT {KEY}, -1 AS delta FROM old_rows"
# event: (changed term rows, their feeds)
TERM_EVENTS = {
    "insert": (ADDED, "SELECT resource FROM new_rows"),
    "delete": (REMOVED, "SELECT resource FROM old_rows"),
    "update": (
        f"{ADDED} UNION ALL {REMOVED}",
        "SELECT resource FROM new_rows UNION SELECT resource FROM old_rows",
    ),
}


def _lock(resource: str, source: str = "") -> str:
    """Take the counts lock of `resource` (of each of `source`'s rows, in its order)."""
    return f"PERFORM pg_advisory_xact_lock({COUNTS_LOCK}, hashtext({resource})){source};"


def _feed_count(table: str, resource: str, locked: bool) -> str:
    """0010's counting function of a feed table (0012's resource names), locked first."""
    owner = "coalesce({row}.owner_organization_id, 0)"
    add = (
        "INSERT INTO feed_counts (resource, owner_key, status, items) VALUES "
        f"('{resource}', {owner.format(row='NEW')}, NEW.status, 1) "
        "ON CONFLICT (resource, owner_key, status) DO UPDATE SET items = feed_counts.items + 1;"
    )
    remove = (
        f"UPDATE feed_counts SET items = items - 1 WHERE resource = '{resource}' "
        f"AND owner_key = {owner.format(row='OLD')} AND status = OLD.status;"
    )
    lock = _lock(f"'{resource}'") if locked else ""
    return (
        f"CREATE OR REPLACE FUNCTION {table}_count() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {lock} IF TG_OP <> 'INSERT' THEN {remove} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {add} END IF; RETURN NULL; END $$"
    )


def _term_count(event: str, locked: bool) -> str:
    """0016's counting function of term rows, locked first (each feed changed, in order)."""
    rows, resources = TERM_EVENTS[event]
    lock = _lock("resource", f" FROM ({resources} ORDER BY 1) AS feeds (resource)")
    count = (
        f"INSERT INTO search_term_counts ({KEY}, items) "
        "SELECT resource, term, owners.owner_key, status, sum(delta) "
        f"FROM ({rows}) AS changed CROSS JOIN LATERAL "
        f"(VALUES (changed.owner_key), ({EVERY_OWNER})) AS owners (owner_key) "
        "GROUP BY resource, term, owners.owner_key, status HAVING sum(delta) <> 0 "
        f"ORDER BY resource, term, owners.owner_key, status {UPSERT}"
    )
    body = f"{lock} {count};" if locked else f"{count};"
    return (
        f"CREATE OR REPLACE FUNCTION search_terms_count_{event}() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
    )


def _functions(new: bool) -> None:
    for table, resource in FEEDS.items():
        op.execute(_feed_count(table, resource, locked=new))
    for event in TERM_EVENTS:
        op.execute(_term_count(event, locked=new))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _functions(new=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _functions(new=False)
