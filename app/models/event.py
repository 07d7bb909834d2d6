from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import BIG_ID, Base


class Event(Base):
    """Transactional outbox: one row per change others should hear about.

    Written in the same transaction as the change (see `services.events.record_event`);
    the event feed and the webhook dispatcher read it.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_resource", "resource_type", "resource_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)  # "<resource>.<verb>"
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The organisation the resource belongs to; `public` False means only it may see the event.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    public: Mapped[bool] = mapped_column(default=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
