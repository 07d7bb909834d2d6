from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import ResponseStatus


class DemandResponse(Base):
    """A college's offer of its students to a demand, answered once by the enterprise."""

    __tablename__ = "demand_responses"
    __table_args__ = (
        Index("ix_demand_responses_demand_id_college_id", "demand_id", "college_id"),
        Index("ix_demand_responses_college_id_status", "college_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="RESTRICT"))
    college_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    major_code: Mapped[str] = mapped_column(String(8), ForeignKey("majors.code"))
    headcount: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus, "status"), default=ResponseStatus.pending
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(200))
