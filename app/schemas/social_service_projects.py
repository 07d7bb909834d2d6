from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from app.models.enums import TargetGroup
from app.schemas.common import NotBool, Title, UpdateSchema
from app.schemas.feeds import FeedFilters, FeedInput, FeedItemRead, LongText, SortedUnique

TargetGroups = Annotated[list[TargetGroup], Field(min_length=1, max_length=10), SortedUnique]
CertificateName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Certificates = Annotated[list[CertificateName], Field(max_length=20), SortedUnique]
Capacity = Annotated[int, Field(ge=1, le=100_000, description="Trainee places"), NotBool]


class SocialServiceProjectCreate(FeedInput):
    title: Title
    description: LongText | None = None
    target_groups: TargetGroups
    capacity: Capacity
    start_date: date
    end_date: date | None = Field(None, description="Not before `start_date`")
    certificates: Certificates = Field(
        [], description="Names from `GET /taxonomies/certificates` the training leads to"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "退役军人工业机器人操作培训班",
                    "target_groups": ["veterans"],
                    "capacity": 40,
                    "start_date": "2027-03-01",
                    "end_date": "2027-04-30",
                    "certificates": ["工业机器人操作与运维职业技能等级证书"],
                }
            ]
        }
    }


class SocialServiceProjectUpdate(FeedInput, UpdateSchema):
    clearable = frozenset({"description", "end_date"})

    title: Title | None = None
    description: LongText | None = None
    target_groups: TargetGroups | None = None
    capacity: Capacity | None = None
    start_date: date | None = None
    end_date: date | None = None
    certificates: Certificates | None = None


class SocialServiceProjectFilters(FeedFilters):
    target_group: TargetGroup | None = None
    certificate: str | None = Field(None, max_length=200)
    capacity_min: int | None = Field(None, ge=1, le=1_000_000)
    start_date_from: date | None = None
    end_date_to: date | None = None


class SocialServiceProjectRead(FeedItemRead):
    title: str
    description: str | None
    target_groups: list[TargetGroup]
    capacity: int
    start_date: date
    end_date: date | None
    certificates: list[str]
