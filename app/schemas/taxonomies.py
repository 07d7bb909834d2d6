from typing import Literal

from typing_extensions import TypeAliasType

from app.models.enums import IndustryLevel, MajorKind, MajorLevel
from app.schemas.common import ORMModel

# The 2021 catalogue, or the majors added to it since.
MajorCatalog = TypeAliasType("MajorCatalog", Literal["2021", "2022-2025"])


class MajorRead(ORMModel):
    code: str
    name: str
    kind: MajorKind
    level: MajorLevel
    parent_code: str | None
    category_code: str
    class_code: str | None
    state_controlled: bool
    catalog: str
    note: str | None


class IndustryRead(ORMModel):
    code: str
    name: str
    level: IndustryLevel
    parent_code: str | None
    section: str
    description: str | None


class DistrictRead(ORMModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    code_type: str


class ClusterLink(ORMModel):
    code: str
    name: str
    rationale: str | None


class ClusterRead(ORMModel):
    code: str
    name: str
    source_note: str | None
    major_classes: list[ClusterLink]
    industries: list[ClusterLink]


class CertificateRead(ORMModel):
    id: int
    batch: int
    seq: int
    name: str
    organization: str
