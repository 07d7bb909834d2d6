from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SearchTerm(Base):
    """One character bigram of a feed item's searchable text (see `services.feeds.search`).

    No foreign key: one table serves every feed, named by `resource`.
    """

    __tablename__ = "search_terms"
    __table_args__ = (
        Index("ix_search_terms_item", "resource", "item_id"),
        {"sqlite_with_rowid": False},
    )

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(2), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True)
