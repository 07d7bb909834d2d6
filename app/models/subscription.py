from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base


class Subscription(Base):
    """An organisation's webhook: which events to POST to which URL, signed with its secret."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)  # "a.b", "a.*" or "*"
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The HMAC key must be readable to sign with: stored encrypted (`app.core.crypto`).
    secret_encrypted: Mapped[str] = mapped_column(String(500))
    # After a rotation, the secret it replaced signs too until `previous_secret_expires_at`.
    previous_secret_encrypted: Mapped[str | None] = mapped_column(String(500))
    previous_secret_expires_at: Mapped[datetime | None]
    secret_rotated_at: Mapped[datetime | None]
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Only events after this one are delivered: a new (or re-activated) subscription
    # does not receive the backlog that was recorded before it.
    after_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # Events whose every try failed, in a row; reset by a success.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    disabled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
