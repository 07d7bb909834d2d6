"""Columns shared by the four government feeds: status, owner, timestamps, version."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import FeedStatus


class FeedItem:
    """Mixin of a published item: draft → published → withdrawn (→ published again).

    `version` counts the row's updates (SQLAlchemy's version counter): it is the
    item's ETag, and an UPDATE that finds another version fails instead of
    overwriting a change saved meanwhile.
    """

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    status: Mapped[FeedStatus] = mapped_column(
        str_enum(FeedStatus, "status"), default=FeedStatus.draft
    )
    # The organisation that owns the item (None for a platform admin without one).
    owner_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def feed_indexes(table: str) -> tuple[Index, ...]:
    """The lists' indexes: published items newest first, every item newest first (for
    those who see drafts too), and an owner's own items."""
    return (
        Index(f"ix_{table}_status_updated_at", "status", "updated_at", "id"),
        Index(f"ix_{table}_updated_at", "updated_at", "id"),
        Index(f"ix_{table}_owner", "owner_organization_id", "status"),
    )


L = TypeVar("L")


def relink(current: list[L], values: Iterable[Any], attr: str, make: Callable[[Any], L]) -> list[L]:
    """The link rows for `values`, reusing the rows that exist (a list field's setter)."""
    existing = {getattr(link, attr): link for link in current}
    return [existing.get(value) or make(value) for value in dict.fromkeys(values)]


class FeedCount(Base):
    """How many items of a feed an owner has in a status: a list's exact `total` without
    counting its rows (the count of 100,000 rows cost more than the page).

    Kept by database triggers on the feeds' tables (migration 0010), in the transaction of
    every insert, delete and change of status or owner, whoever writes the rows.
    """

    __tablename__ = "feed_counts"

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_key: Mapped[int] = mapped_column(primary_key=True)  # owner_organization_id, 0: none
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    items: Mapped[int]
