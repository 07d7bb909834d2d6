from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import BIG_ID, Base, str_enum
from app.models.enums import DeliveryStatus


class WebhookDelivery(Base):
    """One try of delivering one event to one subscription; a retry is a new row.

    A worker claims a `pending` row that is due by marking it `sending` until
    `lease_until`; a row still `sending` after its lease belongs to a worker that
    died, and is closed as failed so that the next try is scheduled.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "attempt"),
        Index("ix_webhook_deliveries_status_due_at", "status", "due_at"),
        Index("ix_webhook_deliveries_subscription_id_id", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "status"))
    due_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # host:pid:token of the worker
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
