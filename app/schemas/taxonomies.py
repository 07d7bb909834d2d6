from typing import Annotated, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypeAliasType

from app.models.enums import IndustryLevel, MajorKind, MajorLevel
from app.schemas.common import ORMModel

# The 2021 catalogue, or the majors added to it since.
MajorCatalog = TypeAliasType("MajorCatalog", Literal["2021", "2022-2025"])


# The reference lists' query parameters (unknown ones are ignored).
NameContains = Annotated[
    str | None, Field(min_length=1, max_length=50, description="Name contains")
]


class MajorFilters(BaseModel):
    level: MajorLevel | None = None
    kind: MajorKind | None = Field(None, description="category, class or major")
    prefix: str | None = Field(None, pattern=r"^\d{1,6}K?$", description="Code prefix")
    q: NameContains = None
    catalog: MajorCatalog | None = Field(
        None, description="`2021` (the catalogue) or `2022-2025` (majors added since)"
    )


class IndustryFilters(BaseModel):
    level: IndustryLevel | None = None
    section: str | None = Field(None, pattern=r"^[A-T]$")
    prefix: str | None = Field(None, pattern=r"^([A-T]|\d{1,4})$")
    q: NameContains = None


class DistrictFilters(BaseModel):
    level: str | None = Field(None, max_length=16)
    parent_code: str | None = Field(None, max_length=12)
    q: NameContains = None


class CertificateFilters(BaseModel):
    q: NameContains = None


class OccupationFilters(BaseModel):
    level: int | None = Field(None, ge=1, le=4, description="1 大类 … 4 细类")
    prefix: str | None = Field(
        None, pattern=r"^\d(-\d{0,2}){0,3}$", description="Code prefix, e.g. 6-18"
    )
    q: str | None = Field(
        None, min_length=1, max_length=50, description="Name or an alias contains"
    )


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


class OccupationRead(ORMModel):
    code: str
    name: str
    level: int = Field(description="1 大类, 2 中类, 3 小类, 4 细类")
    parent_code: str | None
    green: bool = Field(description="A green occupation (绿色职业, marked L in the edition)")
    digital: bool = Field(description="A digital occupation (数字职业, marked S in the edition)")
    definition: str | None
    tasks: str | None
    aliases: list[str] = Field(description="Other names of the occupation")


class MajorOccupationRead(BaseModel):
    """One pair of the crosswalk: a major and an occupation its graduates go into."""

    major_code: str
    major_name: str
    major_level: MajorLevel
    occupation_code: str
    occupation_name: str
    occupation_level: int
    source: str = Field(description="Where the pair comes from")
