"""Shapes shared by every domain: pages of results, their query parameters, file formats."""

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.core.i18n import Text, t

T = TypeVar("T")

# What no text field takes, on SQLite and PostgreSQL alike: C0 controls (NUL, which
# PostgreSQL refuses, ESC, ...) but tab, newline and carriage return; DEL; C1 controls; and
# the bidirectional embeddings, overrides and isolates that make text read other than it is.
_UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A one-line field takes no line breaks or tabs either.
_UNSAFE_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_character(value: str, *, multiline: bool = True) -> str | None:
    """The first character no text field takes, as `U+XXXX` (None: the text is fine)."""
    found = (_UNSAFE_IN_TEXT if multiline else _UNSAFE_IN_LINE).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def unsafe_message(code: str) -> Text:
    return t(
        f"不能包含控制字符或双向控制符（{code}）",
        f"must not contain control or bidi characters ({code})",
    )


def _line(value: str) -> str:
    if code := unsafe_character(value, multiline=False):
        raise ValueError(unsafe_message(code))
    return value


def _not_bool(value: Any) -> Any:
    # JSON `true` is no number: lax validation would take it as 1.
    if isinstance(value, bool):
        raise ValueError(t("应为整数，而不是布尔值", "must be an integer, not a boolean"))
    return value


def unsafe_strings(value: Any, loc: tuple[str | int, ...] = ("body",)) -> Iterator[Any]:
    """Every string in a JSON document that no text field takes: (loc, `U+XXXX`)."""
    if isinstance(value, str):
        if code := unsafe_character(value):
            yield list(loc), code
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unsafe_strings(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsafe_strings(item, (*loc, index))


# Control and bidi characters are refused in every string of every JSON body, once, by
# `api.deps.text_guard` (`unsafe_strings`); a one-line field refuses line breaks and tabs too.
OneLine = AfterValidator(_line)
"""Metadata for one-line text: no tab or line break (nor what no text takes)."""
NotBool = BeforeValidator(_not_bool)
"""Metadata for a number in a body: a JSON boolean is refused, not read as 0 or 1. Put it
after the `Field` constraints, so that the schema keeps them as `minimum`/`maximum`."""


class FileFormat(StrEnum):
    """A download's format."""

    csv = "csv"
    xlsx = "xlsx"


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TotalRelation(StrEnum):
    """How a page's `total` relates to the number of matches."""

    eq = "eq"  # it is that number
    gte = "gte"  # at least that many match (a search that stopped counting)


class UpdateSchema(BaseModel):
    """A PATCH body: only the fields given change, and `null` clears a field only where
    `clearable` names it. A `null` for any other field (one an item cannot be without) is
    refused: 422 at `["body", field]`, type `null_not_allowed`; leave the field out to keep
    its value. The one rule of every `*Update` schema."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise PydanticCustomError(
                "null_not_allowed",
                "may not be null: this field cannot be cleared (leave it out to keep its value)",
            )
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` matching, and the `limit`/`offset` used."""

    items: list[T]
    total: int
    limit: int
    offset: int
    total_relation: TotalRelation = Field(
        TotalRelation.eq,
        description="`eq`: `total` is exact; `gte`: at least `total` items match (a feed "
        "search counts exactly up to 10,000 matches)",
    )


class PageParams(BaseModel):
    limit: int
    offset: int
    # A filtered search's total is exact up to this many matches (`SEARCH_EXACT_TOTAL_UP_TO`).
    exact_total_up_to: int = 10_000


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page (max 200)")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")] = 0,
) -> PageParams:
    cap = request.app.state.settings.search_exact_total_up_to
    return PageParams(limit=limit, offset=offset, exact_total_up_to=cap)


PageDep = Annotated[PageParams, Depends(page_params)]

# Ids are 32-bit integers in PostgreSQL; a larger number can name nothing (and must
# not reach the database, which would refuse it).
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a path: 1 to 2³¹−1."""
IdValue = Annotated[int, Field(ge=1, le=MAX_ID), NotBool]
"""An id in a request body or a query filter: 1 to 2³¹−1."""


# Field types shared by several domains, defined once.
# A one-line title or name (2–200 characters).
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200), OneLine
]
# A district or development zone code (GB/T 2260, 6 digits, or a zone's 9–12).
DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{6,12}$")]
# A catalogue code at any depth: category (2 digits), class (4) or major (6, some with "K").
MajorCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\d{2}(\d{2}K?)?)?$")]
# A half-year period label: `YYYYH1` or `YYYYH2` (years 1900–2999).
HALF_YEAR_PATTERN = r"^(19|2\d)\d{2}H[12]$"
