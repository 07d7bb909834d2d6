from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DispatchCursor(Base):
    """How far a background consumer has read the event outbox (row `webhooks`: fan-out)."""

    __tablename__ = "dispatch_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
