"""Shapes shared by every domain: pages of results, their query parameters, file formats."""

from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class FileFormat(StrEnum):
    """A download's format."""

    csv = "csv"
    xlsx = "xlsx"


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` matching, and the `limit`/`offset` used."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page (max 200)")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]

# Ids are 32-bit integers in PostgreSQL; a larger number can name nothing (and must
# not reach the database, which would refuse it).
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a path: 1 to 2³¹−1."""
IdValue = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body or a query filter: 1 to 2³¹−1."""
