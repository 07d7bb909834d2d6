from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum
from app.models.enums import EnterpriseSize, IntegrationLevel
from app.models.feed import FeedItem, feed_indexes


class EnterpriseDirectoryEntry(FeedItem, Base):
    """An enterprise in the industry bureau's directory (`/enterprises`), one per credit code."""

    __tablename__ = "directory_entries"
    __table_args__ = feed_indexes("directory_entries")

    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    industry_code: Mapped[str] = mapped_column(ForeignKey("industries.code"), index=True)
    district_code: Mapped[str] = mapped_column(String(12), ForeignKey("districts.code"), index=True)
    cluster_code: Mapped[str | None] = mapped_column(ForeignKey("clusters.code"), index=True)
    size: Mapped[EnterpriseSize] = mapped_column(str_enum(EnterpriseSize, "size"))
    integration_level: Mapped[IntegrationLevel] = mapped_column(
        str_enum(IntegrationLevel, "integration_level"), default=IntegrationLevel.none
    )
    description: Mapped[str | None] = mapped_column(Text)
    # The enterprise's own account on the platform, when it has one.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
