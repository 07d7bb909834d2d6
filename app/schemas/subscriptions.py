"""Webhook subscriptions and the record of their delivery tries."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models.enums import DeliveryStatus
from app.schemas.common import DistrictCode, ORMModel, UpdateSchema

EventTypePattern = Annotated[
    str, StringConstraints(pattern=r"^(\*|[a-z][a-z0-9_]{0,31}\.(\*|[a-z][a-z0-9_]{0,31}))$")
]
MajorPrefix = Annotated[str, StringConstraints(pattern=r"^\d{2,6}$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
EventTypes = Annotated[
    list[EventTypePattern],
    Field(
        min_length=1,
        max_length=50,
        description="`demand.opened`, every `demand.*` event, or `*` for all",
    ),
]


class SubscriptionFilters(BaseModel):
    """Narrow the events by fields of their `data`; an event passes a filter when any of its
    values matches, and events without the field always pass. Empty lists filter nothing."""

    model_config = ConfigDict(extra="forbid")

    major_prefixes: list[MajorPrefix] = Field(
        default_factory=list,
        max_length=100,
        description="Major codes at any depth, matched against `major_code` / `major_codes`: "
        "`4601` matches `460101` and also an event for the whole category `46`",
    )
    district_codes: list[DistrictCode] = Field(
        default_factory=list,
        max_length=100,
        description="Matched against `district_code` / `district_codes`",
    )


class SubscriptionCreate(BaseModel):
    url: Url = Field(description="Where to POST; https, on a public address unless configured")
    event_types: EventTypes
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    description: Annotated[str, Field(max_length=200)] | None = None
    active: bool = True

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://hr.example.com/hooks/xqhz",
                    "event_types": ["demand.*", "training.created"],
                    "filters": {"major_prefixes": ["4601"], "district_codes": ["371002"]},
                }
            ]
        }
    }


class DeliveryFilters(BaseModel):
    """`GET /subscriptions/{id}/deliveries`'s query parameters (unknown ones are ignored)."""

    status: DeliveryStatus | None = None
    event_id: int | None = Field(None, ge=1, le=2**63 - 1)


class SubscriptionUpdate(UpdateSchema):
    """Change any field; `active: true` re-enables a subscription that was disabled."""

    clearable = frozenset({"description"})

    url: Url | None = None
    event_types: EventTypes | None = None
    filters: SubscriptionFilters | None = None
    description: Annotated[str, Field(max_length=200)] | None = None
    active: bool | None = None


class SubscriptionRead(ORMModel):
    id: int
    organization_id: int
    url: str
    event_types: list[str]
    filters: SubscriptionFilters
    description: str | None
    active: bool
    consecutive_failures: int = Field(
        description="Events whose every try failed, in a row; reset by a successful delivery"
    )
    disabled_reason: str | None
    disabled_at: datetime | None
    last_success_at: datetime | None
    secret_rotated_at: datetime | None = Field(description="When the secret was last rotated")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the secret replaced by the last rotation signs too: "
        "`X-Webhook-Signature` carries both signatures, comma-separated"
    )
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The HMAC-SHA256 key for `X-Webhook-Signature`; shown once")


class DeliveryRead(ORMModel):
    """One try of delivering one event."""

    id: int
    event_id: int = Field(description="Also sent as `X-Webhook-Id`")
    attempt: int = Field(description="1 for the first try, 2 for the first retry, ...")
    status: DeliveryStatus
    due_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    response_status: int | None
    error: str | None
    duration_ms: int | None
    created_at: datetime
