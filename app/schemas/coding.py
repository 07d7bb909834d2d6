from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.schemas.common import ORMModel

JobTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CodingRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"texts": ["数控车工", "电商客服主管"]}]},
    )

    texts: Annotated[list[JobTitle], Field(min_length=1, max_length=100)] = Field(
        description="Job titles as an ad writes them: 1 to 100, each 1–200 characters"
    )


class OccupationCandidate(ORMModel):
    code: str = Field(description="A code of `GET /api/v1/taxonomies/occupations`")
    name: str
    level: int = Field(description="1 大类, 2 中类, 3 小类, 4 细类")
    score: float = Field(ge=0, le=1, description="Relevance s / (s + 20) of the BM25 sum s")
    reasons: list[str] = Field(description="The evidence in words (Chinese)")


class CodedText(BaseModel):
    text: str
    candidates: list[OccupationCandidate] = Field(description="At most 10, best first")


class CodingResult(BaseModel):
    items: list[CodedText] = Field(description="One per text, in the order sent")
