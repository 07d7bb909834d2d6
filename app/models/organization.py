from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import Department, OrgStatus, OrgType


class Organization(Base):
    """A government department, enterprise, college or training institution."""

    __tablename__ = "organizations"
    __table_args__ = (Index("ix_organizations_status_org_type", "status", "org_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[OrgType] = mapped_column(str_enum(OrgType, "org_type"))
    department: Mapped[Department | None] = mapped_column(str_enum(Department, "department"))
    district_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("districts.code"), index=True
    )
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    status: Mapped[OrgStatus] = mapped_column(str_enum(OrgStatus, "status"))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    approved_at: Mapped[datetime | None]
