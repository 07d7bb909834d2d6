from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import Cadence, Dataset, Department
from app.schemas.common import ORMModel


class PublicationFilters(BaseModel):
    """`GET /publications`'s query parameters (unknown ones are ignored)."""

    dataset: Dataset | None = None
    period: str | None = Field(None, max_length=16)


class PublicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: Dataset
    period: str = Field(
        max_length=16,
        description="Half-yearly `YYYYH1`/`YYYYH2`, quarterly `YYYYQ1`–`Q4`, monthly `YYYY-MM`, "
        "continuous `YYYY-MM-DD`, as the dataset's cadence requires",
        examples=["2026H1"],
    )


class Publisher(BaseModel):
    user_id: int | None
    username: str | None
    organization_id: int | None
    organization_name: str | None


class PublicationRead(ORMModel):
    """A frozen, versioned snapshot; `sha256` is the digest of its CSV export's bytes."""

    id: int
    dataset: Dataset
    period: str
    version: int
    columns: list[str]
    row_count: int
    sha256: str
    published_at: datetime
    published_by: Publisher


class PublicationRowRead(ORMModel):
    row_index: int = Field(description="1-based: the data row of the CSV export")
    key: str = Field(description="The dataset's natural key, `|`-joined")
    data: dict[str, Any]


class RowChange(BaseModel):
    key: str
    before: dict[str, Any]
    after: dict[str, Any]
    fields: list[str] = Field(description="The columns whose values differ")


class KeyedRow(BaseModel):
    key: str
    data: dict[str, Any]


class PublicationDiff(BaseModel):
    """What changed from `against` (the older) to `publication`, keyed by the natural key."""

    publication_id: int
    against_id: int
    key: list[str]
    added_count: int
    removed_count: int
    changed_count: int
    added: list[KeyedRow]
    removed: list[KeyedRow]
    changed: list[RowChange]
    truncated: bool = Field(description="True when the lists were cut at `limit` entries each")


class ScheduleEntry(BaseModel):
    dataset: Dataset
    title: str
    cadence: Cadence
    departments: list[Department] = Field(description="Who may publish it")
    available: bool = Field(description="False until the dataset's row source is plugged in")
    latest_period: str | None
    latest_version: int | None
    latest_published_at: datetime | None
    next_period: str | None = Field(description="The period whose publication is due next")
    next_due_date: date | None
    overdue: bool


class Schedule(BaseModel):
    as_of: date
    grace_days: int = Field(description="A period's publication is due this long after it ends")
    items: list[ScheduleEntry]


class CollegeSubmissionStatus(BaseModel):
    college_id: int
    name: str
    district_code: str | None
    submitted: bool
    version: int | None
    submitted_at: datetime | None
    row_count: int | None
    headcount: int | None


class CollegeSchedule(BaseModel):
    period: str
    submitted_count: int
    missing_count: int
    colleges: list[CollegeSubmissionStatus]
