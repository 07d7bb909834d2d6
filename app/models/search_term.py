from datetime import datetime

from sqlalchemy import Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SearchTerm(Base):
    """One two- or four-character term of a feed item's searchable text (see
    `services.feeds.search`).

    The item's weight for the term and the columns its list sorts and filters by (status,
    owner, last change) are copied here, so that a one-term search is a walk of
    `ix_search_terms_weight` and its total a count of that index alone. Triggers on the feed
    tables (migration 0013) keep the copies in the transaction of every change.
    No foreign key: one table serves every feed, named by `resource`.
    """

    __tablename__ = "search_terms"
    __table_args__ = (
        Index("ix_search_terms_item", "resource", "item_id"),
        Index(
            "ix_search_terms_weight",
            "resource",
            "term",
            "weight",
            "updated_at",
            "item_id",
            "status",
            "owner_key",
        ),
        {"sqlite_with_rowid": False},
    )

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(4), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True)
    # The relevance of the term to the item: the number of text fields from the first one
    # that holds it to the last (for a tech project: 3 in the title, 2 in the summary...).
    weight: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(32))  # the item's
    owner_key: Mapped[int]  # the item's owner_organization_id, 0: none
    updated_at: Mapped[datetime]  # the item's


EVERY_OWNER = -1  # `SearchTermCount.owner_key` of the counts over all owners


class SearchTermCount(Base):
    """How many items of a feed hold a term, per status and owner: a one-term search's exact
    `total` without counting its `search_terms` rows.

    Each term row is counted twice, under its owner and under `EVERY_OWNER`, so that every
    caller's total is a few rows: the public's is one (published, every owner), an owner's
    adds its own drafts and withdrawn items, a department's sums the statuses. Kept by
    triggers on `search_terms` (migration 0016), in the transaction of every change.
    """

    __tablename__ = "search_term_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(4), primary_key=True)
    owner_key: Mapped[int] = mapped_column(primary_key=True)  # as SearchTerm's, or EVERY_OWNER
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    items: Mapped[int]
