from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from app.core.i18n import t
from app.models.enums import TrainingStatus
from app.schemas.common import MAX_ID, DistrictCode, NotBool, ORMModel, Title, UpdateSchema
from app.schemas.feeds import LongText, ShortText

MAX_CAPACITY = 10_000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    # Bounded like every other input: a year 9999 date is a typo, not a training.
    if not EARLIEST <= value < LATEST:
        raise ValueError(t("应在 2000 年至 2100 年之间", "must be between 2000 and 2100"))
    return value


Bounded = Annotated[AwareDatetime, AfterValidator(_in_range)]
Moment = Annotated[
    Bounded, Field(description="RFC 3339 with an offset, e.g. 2027-03-01T09:00:00+08:00")
]
Capacity = Annotated[int, Field(ge=1, le=MAX_CAPACITY, description="Seats (1–10,000)"), NotBool]
Seats = Annotated[
    int, Field(ge=1, le=MAX_CAPACITY, description="Seats (1 to the capacity)"), NotBool
]
RefId = Annotated[int, Field(ge=1, le=MAX_ID), NotBool]


class TrainingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "数控设备操作岗前培训",
                    "description": "入职前两周集中培训，含安全生产与设备实操",
                    "demand_id": 12,
                    "start_at": "2027-03-01T09:00:00+08:00",
                    "end_at": "2027-03-14T17:00:00+08:00",
                    "district_code": "371002",
                    "capacity": 40,
                }
            ]
        },
    )

    title: Title
    description: LongText | None = None
    demand_id: RefId | None = Field(
        None,
        description="The demand the training prepares for: one you can see (not a draft); "
        "an enterprise links only its own demands, and must link one",
    )
    enterprise_id: RefId | None = Field(
        None,
        description="The enterprise the trainees go to (default: the demand's enterprise, "
        "or the calling enterprise)",
    )
    start_at: Moment
    end_at: Moment = Field(description="After `start_at`")
    district_code: DistrictCode = Field(description="Where it takes place: a Weihai district")
    capacity: Capacity


class TrainingUpdate(UpdateSchema):
    """Changed fields only. The demand and enterprise are fixed at creation; the capacity
    cannot go below the seats taken (409 `capacity_below_seats_taken`)."""

    model_config = ConfigDict(extra="forbid")
    clearable = frozenset({"description"})

    title: Title | None = None
    description: LongText | None = None
    start_at: Moment | None = None
    end_at: Moment | None = Field(None, description="After `start_at`")
    district_code: DistrictCode | None = None
    capacity: Capacity | None = None


class TrainingCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ShortText | None = None


class TrainingRead(ORMModel):
    """A training, public to everybody; `seats_taken` counts the colleges' enrolled seats."""

    id: int
    title: str
    description: str | None
    demand_id: int | None
    enterprise_id: int | None
    owner_organization_id: int = Field(description="The organisation that created it")
    status: TrainingStatus
    start_at: datetime
    end_at: datetime
    district_code: str
    capacity: int
    seats_taken: int
    seats_available: int = Field(description="capacity − seats_taken")
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None


class EnrollmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    college_id: RefId = Field(description="The calling college's own id")
    seats: Seats


class EnrollmentUpdate(UpdateSchema):
    """The enrolment's new number of seats, up (if they fit) or down."""

    model_config = ConfigDict(extra="forbid")

    seats: Seats


class CompletionRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed: Annotated[int, Field(ge=0, le=MAX_CAPACITY), NotBool] = Field(
        description="Trainees who completed the training (at most the enrolment's seats)"
    )


class EnrollmentRead(ORMModel):
    id: int
    training_id: int
    college_id: int
    seats: int
    completed: int | None = Field(description="Trainees who completed (null: not recorded)")
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class TrainingFilters(BaseModel):
    """`GET /trainings`'s query parameters (unknown ones are ignored)."""

    demand_id: int | None = Field(None, ge=1, le=MAX_ID)
    enterprise_id: int | None = Field(None, ge=1, le=MAX_ID)
    district_code: str | None = Field(None, pattern=r"^\d{6,12}$")
    status: TrainingStatus | None = None
    starts_after: Bounded | None = Field(
        None, description="Trainings starting at or after this moment"
    )
    starts_before: Bounded | None = Field(None, description="Trainings starting before this moment")
    q: str | None = Field(
        None, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", description="In titles"
    )
