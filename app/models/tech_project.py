from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum
from app.models.enums import TechProjectKind
from app.models.feed import FeedItem, feed_indexes


class TechProject(FeedItem, Base):
    """Tech information or a school–locality project posted by the tech bureau."""

    __tablename__ = "tech_projects"
    __table_args__ = (
        *feed_indexes("tech_projects"),
        # A cluster's list: its page walks this index and its count reads it alone.
        Index("ix_tech_projects_cluster_status", "cluster_code", "status", "updated_at", "id"),
    )

    kind: Mapped[TechProjectKind] = mapped_column(str_enum(TechProjectKind, "kind"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    cluster_code: Mapped[str | None] = mapped_column(ForeignKey("clusters.code"))
    deadline: Mapped[date | None] = mapped_column(index=True)
    contact: Mapped[str | None] = mapped_column(String(200))
