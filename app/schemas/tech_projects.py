from datetime import date

from pydantic import Field

from app.models.enums import TechProjectKind
from app.schemas.common import Title, UpdateSchema
from app.schemas.feeds import (
    ClusterCode,
    FeedFilters,
    FeedInput,
    FeedItemRead,
    LongText,
    ShortText,
    Summary,
)


class TechProjectCreate(FeedInput):
    kind: TechProjectKind = Field(description="`tech_info` or `school_locality_project`")
    title: Title
    summary: Summary
    description: LongText | None = None
    cluster_code: ClusterCode | None = Field(None, description="An industry cluster, C01..C07")
    deadline: date | None = Field(None, description="Last day to apply; not in the past")
    contact: ShortText | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "school_locality_project",
                    "title": "海参精深加工技术攻关",
                    "summary": "面向海洋生物与健康食品产业集群征集校地合作团队",
                    "cluster_code": "C05",
                    "deadline": "2027-03-31",
                    "contact": "市科技局 0631-0000000",
                }
            ]
        }
    }


class TechProjectUpdate(FeedInput, UpdateSchema):
    clearable = frozenset({"description", "cluster_code", "deadline", "contact"})

    kind: TechProjectKind | None = None
    title: Title | None = None
    summary: Summary | None = None
    description: LongText | None = None
    cluster_code: ClusterCode | None = None
    deadline: date | None = None
    contact: ShortText | None = None


class TechProjectFilters(FeedFilters):
    kind: TechProjectKind | None = None
    cluster_code: ClusterCode | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None


class TechProjectRead(FeedItemRead):
    kind: TechProjectKind
    title: str
    summary: str
    description: str | None
    cluster_code: str | None
    deadline: date | None
    contact: str | None
