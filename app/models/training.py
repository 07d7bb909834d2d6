from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import TrainingStatus


class Training(Base):
    """A pre-job training session, public from creation; `scheduled → cancelled`.

    `seats_taken` is the sum of the enrolments' seats. It is only ever changed by the
    conditional UPDATEs of `services.trainings` (never read, added to and written back),
    and the CHECK constraints keep it within 0..capacity whatever happens.
    """

    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("start_at < end_at", name="start_before_end"),
        Index("ix_trainings_start_at_id", "start_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    demand_id: Mapped[int | None] = mapped_column(
        ForeignKey("demands.id", ondelete="RESTRICT"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    owner_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[TrainingStatus] = mapped_column(
        str_enum(TrainingStatus, "status"), default=TrainingStatus.scheduled
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    district_code: Mapped[str] = mapped_column(String(12), ForeignKey("districts.code"), index=True)
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    cancelled_at: Mapped[datetime | None]

    @property
    def seats_available(self) -> int:
        return self.capacity - self.seats_taken


class TrainingEnrollment(Base):
    """A college's seats in a training: one row per college and training (released by
    deleting it, after which the college may enrol again)."""

    __tablename__ = "training_enrollments"
    __table_args__ = (
        UniqueConstraint("training_id", "college_id"),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("completed >= 0 AND completed <= seats", name="completed_within_seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="RESTRICT"))
    college_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    seats: Mapped[int]
    completed: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None]
