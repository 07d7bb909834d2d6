"""The transactional outbox: `record_event` writes in the caller's transaction; the feed reads it.

Commit order is id order. A feed reader remembers the last id it saw and asks for
larger ones, so an event that got a smaller id but committed *after* a larger one
was read would be skipped for ever. On PostgreSQL ids come from a sequence, handed
out at INSERT and not at commit, so this happens unless prevented: `record_event`
first takes a transaction-level advisory lock (`EVENT_ORDER_LOCK`), which is held
until the transaction commits or rolls back. Transactions that record events
therefore allocate their event ids and commit one after the other, in the same
order; they serialise only from their first event to their commit, and other
writes are unaffected. (PostgreSQL makes a commit visible before it releases the
transaction's locks, so the next holder's event can never become visible first.)
On SQLite every write transaction holds the database's single write lock from
`BEGIN IMMEDIATE` (see `app.core.db`) to commit, which gives the same order.

So at any moment the visible events form a prefix of the id order (plus gaps left
by rollbacks that never fill), and the cursor is simply the last id read.
"""

import re
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, SQLColumnExpression, func, or_, select, text
from sqlalchemy.orm import Session

from app.core.errors import Invalid
from app.core.i18n import t
from app.models.event import Event
from app.schemas.events import EventFilters, EventPage, EventRead
from app.services.permissions import Principal

EVENT_ORDER_LOCK = 724_019_002  # PostgreSQL advisory lock id (the migration lock is ...001)

# "demand.opened", "demand.*" or "*"
TYPE_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]{0,31}\.(\*|[a-z][a-z0-9_]{0,31}))$")

# Renamed event resources, old name → new. A filter or subscription naming the old one
# (`enterprise.published`, `enterprise.*`) still receives the new events; documented in
# docs/api.md until a release drops the old names.
RESOURCE_ALIASES = {"enterprise": "enterprise_directory"}


def record_event(
    session: Session,
    type_: str,
    *,
    resource_id: int | str,
    data: BaseModel | dict[str, Any],
    organization_id: int | None = None,
    public: bool = True,
) -> Event:
    """Record `type_` ("<resource>.<verb>", e.g. `tech_project.published`) for a change.

    `data` is the resource's public representation (a Pydantic read model, dumped to JSON).
    `public=False` events (about drafts) are visible only to `organization_id`.
    Call it as the last step of a change: on PostgreSQL, other event-recording
    transactions wait from here until this one commits.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Before the INSERT draws an id from the sequence: see the module docstring.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    event = Event(
        type=type_,
        resource_type=type_.split(".", 1)[0],
        resource_id=str(resource_id),
        organization_id=organization_id,
        public=public,
        data=payload,
    )
    session.add(event)
    session.flush()
    return event


def parse_type_patterns(raw: str | None, loc: tuple[str, ...]) -> list[str]:
    """`a.b,c.*` → ["a.b", "c.*"]; 422 naming `loc` for anything else."""
    if raw is None:
        return []
    patterns = [p.strip() for p in raw.split(",") if p.strip()]
    bad = [p for p in patterns if not TYPE_PATTERN.match(p)]
    if bad or not patterns:
        given = ", ".join(bad)
        raise Invalid.field(
            loc,
            t(
                f"事件类型应写作 `resource.verb`、`resource.*` 或 `*`，不能是 {given}。",
                f"Event types are `resource.verb`, `resource.*` or `*`; not {given}.",
            ),
        )
    return patterns


def current_resource(resource: str) -> str:
    """A resource's current name, for its old one (`RESOURCE_ALIASES`)."""
    return RESOURCE_ALIASES.get(resource, resource)


def current_type(type_: str) -> str:
    """An event type, audit action or pattern (`enterprise.*`) under its resource's current
    name."""
    resource, dot, verb = type_.partition(".")
    return current_resource(resource) + dot + verb


def _current(patterns: list[str]) -> list[str]:
    """The patterns with renamed resources under their current names."""
    return [current_type(p) for p in patterns]


def type_matches(patterns: list[str], type_: str) -> bool:
    """Whether an event type matches any of the patterns (as `parse_type_patterns` gives)."""
    resource = type_.split(".", 1)[0]
    return any(p == "*" or p == type_ or p == f"{resource}.*" for p in _current(patterns))


def _type_filter(patterns: list[str]) -> ColumnElement[bool] | None:
    if not patterns or "*" in patterns:
        return None
    patterns = _current(patterns)
    exact = [p for p in patterns if not p.endswith(".*")]
    resources = [p[:-2] for p in patterns if p.endswith(".*")]
    return or_(Event.type.in_(exact), Event.resource_type.in_(resources))


def visible_to(org_id: int | SQLColumnExpression[int] | None) -> ColumnElement[bool]:
    """Which events an organisation reads, the one rule for the feed and the webhooks:
    public ones, and its own private ones (`org_id` may be a column, such as
    `Subscription.organization_id`, to pair each subscription with its events)."""
    if org_id is None:
        return Event.public.is_(True)
    return or_(Event.public.is_(True), Event.organization_id == org_id)


def list_events(
    session: Session,
    principal: Principal,
    filters: EventFilters,
    *,
    after: int,
    limit: int,
) -> EventPage:
    """The events after cursor `after` that the caller may read, oldest first."""
    patterns = parse_type_patterns(filters.types, ("query", "types"))
    # The highest id now visible: every event below it has committed (or never will),
    # so a reader caught up to it may resume from there even when the filters below
    # hid the last events; it is read first so that the page cannot go beyond it.
    high = session.scalar(select(func.max(Event.id))) or 0
    stmt = select(Event).where(Event.id > after, Event.id <= high)
    if not principal.is_platform_admin:
        stmt = stmt.where(visible_to(principal.org_id))
    if (type_filter := _type_filter(patterns)) is not None:
        stmt = stmt.where(type_filter)
    if filters.resource_type:
        stmt = stmt.where(Event.resource_type == current_resource(filters.resource_type))
    events = session.scalars(stmt.order_by(Event.id).limit(limit + 1)).all()
    has_more = len(events) > limit
    events = events[:limit]
    cursor = events[-1].id if has_more else max(high, after)
    return EventPage(
        items=[EventRead.from_event(e) for e in events], next_cursor=str(cursor), has_more=has_more
    )
