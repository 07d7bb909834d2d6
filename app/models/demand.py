from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import CloseReason, DemandKind, DemandStatus, MajorLevel

# Levels are kept as a bit mask so that "demands for level X" is one indexed-free integer test
# on both databases; 0 means any level.
LEVEL_BITS: dict[MajorLevel, int] = {
    MajorLevel.secondary: 1,
    MajorLevel.higher: 2,
    MajorLevel.undergraduate: 4,
}
OPEN = text("status = 'open'")


class Demand(Base):
    """An enterprise's talent demand: jobs, internships, apprenticeships, order classes, training.

    `draft → open ⇄ paused → closed`; a demand past `valid_until` counts as closed (`expired`)
    everywhere at once, and is stored so by the next write that touches it or by
    `services.demands.service.expire_demands`.
    """

    __tablename__ = "demands"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "external_id"),
        Index("ix_demands_status_valid_until", "status", "valid_until"),
        # The open demands in id order: only theirs, so that the planner never walks the
        # closed ones' ids instead (a partial index on both databases).
        Index("ix_demands_open_id", "id", postgresql_where=OPEN, sqlite_where=OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[DemandKind] = mapped_column(str_enum(DemandKind, "kind"))
    status: Mapped[DemandStatus] = mapped_column(
        str_enum(DemandStatus, "status"), default=DemandStatus.draft
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    major_codes: Mapped[list[str]] = mapped_column(JSON)
    # 职业分类大典 codes; a demand naming occupations and no majors is matched through the
    # majors they lead to (`major_occupations`), which `demand_majors` then holds.
    occupation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    majors_from_occupations: Mapped[bool] = mapped_column(default=False)
    level_mask: Mapped[int] = mapped_column(default=0)
    headcount: Mapped[int]
    graduation_years: Mapped[list[int]] = mapped_column(JSON)
    district_code: Mapped[str | None] = mapped_column(String(12), ForeignKey("districts.code"))
    certificates: Mapped[list[str]] = mapped_column(JSON)
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    valid_until: Mapped[date]
    accepted_headcount: Mapped[int] = mapped_column(default=0)
    close_reason: Mapped[CloseReason | None] = mapped_column(str_enum(CloseReason, "close_reason"))
    hired_count: Mapped[int | None]
    close_note: Mapped[str | None] = mapped_column(String(500))
    closed_by_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    @property
    def is_expired(self) -> bool:
        """Past its last valid day while still open or paused (stored as closed lazily)."""
        live = self.status in (DemandStatus.open, DemandStatus.paused)
        return live and self.valid_until < clock.today()

    @property
    def effective_status(self) -> DemandStatus:
        return DemandStatus.closed if self.is_expired else self.status

    @property
    def effective_close_reason(self) -> CloseReason | None:
        return CloseReason.expired if self.is_expired else self.close_reason

    @property
    def levels(self) -> list[MajorLevel]:
        return [level for level, bit in LEVEL_BITS.items() if self.level_mask & bit]


class DemandMajor(Base):
    """One major code of a demand with its share of the headcount: the index that
    matching, the `major_prefix` filter and the supply–demand analytics query.

    Shares split the headcount evenly over the demand's codes (remainder to the first
    codes in catalogue order), so they always add up to the demand's headcount.
    """

    __tablename__ = "demand_majors"

    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), ForeignKey("majors.code"), primary_key=True)
    share: Mapped[int]

    __table_args__ = (Index("ix_demand_majors_code", "code"),)


class DemandOccupation(Base):
    """One occupation code of a demand with its share of the headcount (as `DemandMajor`):
    what the supply–demand analytics by occupation count."""

    __tablename__ = "demand_occupations"

    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(
        String(10), ForeignKey("occupations.code"), primary_key=True, index=True
    )
    share: Mapped[int]


class OpenDemandTotal(Base):
    """How many demands stored as open count under one major, occupation or place code,
    and their headcount (see `services.demands.totals`, which keeps it)."""

    __tablename__ = "open_demand_totals"
    __table_args__ = (  # the code sets by first code, and their count, read from the index
        Index("ix_open_demand_totals_first_code", "dimension", "first_code", "demands", "code"),
    )

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(Text, primary_key=True)  # `codes`: a set of codes
    demands: Mapped[int]
    headcount: Mapped[int]
    first_code: Mapped[str | None] = mapped_column(String(8))  # `codes`: the set's first
