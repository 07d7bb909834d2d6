"""The registry of publishable datasets and their canonical CSV form.

Each dataset has a cadence, the departments that own it, its columns, a natural key
(for diffs) and a row source: a function giving the canonical rows for a publication,
in a deterministic order. The registry is one static table, complete once this module
is imported. A dataset without a source would be listed in the schedule but could not
be published (`dataset_unavailable`).
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models.enums import Cadence, Dataset, Department
from app.models.publication import Publication
from app.services.distribution.reports import frozen_rows
from app.services.feeds import (
    cooperation_projects,
    enterprises,
    social_service_projects,
    tech_projects,
)
from app.services.feeds.workflow import publication_rows

# Gives the rows a new publication freezes (dicts keyed by the dataset's columns), sorted
# deterministically. It runs inside the publishing transaction and may use the
# publication's id (the student distribution source links the submissions it freezes).
RowSource = Callable[[Session, Publication], Iterable[Mapping[str, Any]]]

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class DatasetSpec:
    dataset: Dataset
    title: str
    departments: tuple[Department, ...]  # owners; education and hr may publish every dataset
    columns: tuple[str, ...]
    key: tuple[str, ...]
    cadence: Cadence | None = None  # None: read from the `<dataset>_cadence` setting
    source: RowSource | None = None  # None: listed in the schedule, not publishable

    def cadence_in(self, settings: Settings) -> Cadence:
        if self.cadence is not None:
            return self.cadence
        return Cadence(getattr(settings, f"{self.dataset.value}_cadence"))


_EDU_HR = (Department.education, Department.hr)
_REGISTRY: Mapping[Dataset, DatasetSpec] = {
    spec.dataset: spec
    for spec in (
        DatasetSpec(
            Dataset.student_distribution,
            "职业院校学生专业分布",
            _EDU_HR,
            (
                "college_id",
                "college_name",
                "major_code",
                "major_name",
                "level",
                "enrollment_year",
                "graduation_year",
                "headcount",
                "graduating_headcount",
                "district_code",
            ),
            ("college_id", "major_code", "level", "enrollment_year"),
            cadence=Cadence.half_yearly,
            source=frozen_rows,
        ),
        DatasetSpec(
            Dataset.social_service_projects,
            "社会服务（技能培训）项目",
            _EDU_HR,
            (
                "id", "owner_organization_id", "title", "target_groups", "capacity",
                "start_date", "end_date", "certificates",
            ),
            ("id",),
            cadence=Cadence.half_yearly,
            source=publication_rows(social_service_projects.FEED),
        ),
        DatasetSpec(
            Dataset.enterprise_directory,
            "企业名录",
            (Department.industry,),
            (
                "id", "name", "credit_code", "industry_code", "district_code", "cluster_code",
                "size", "integration_level", "organization_id",
            ),
            ("id",),
            source=publication_rows(enterprises.FEED),
        ),
        DatasetSpec(
            Dataset.cooperation_projects,
            "校企合作项目",
            (Department.industry,),
            (
                "id", "kind", "title", "enterprise_ids", "college_ids", "major_codes",
                "start_date", "end_date",
            ),
            ("id",),
            source=publication_rows(cooperation_projects.FEED),
        ),
        DatasetSpec(
            Dataset.tech_projects,
            "科技信息与校地合作项目",
            (Department.tech,),
            ("id", "kind", "title", "summary", "cluster_code", "deadline", "contact"),
            ("id",),
            source=publication_rows(tech_projects.FEED),
        ),
    )
}  # fmt: skip


def get_dataset(dataset: Dataset | str) -> DatasetSpec:
    return _REGISTRY[Dataset(dataset)]


def all_datasets() -> list[DatasetSpec]:
    return [_REGISTRY[d] for d in Dataset]


def plain(value: Any) -> Any:
    """A value as it is frozen in JSON: str, int, bool, None or a list of them."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, float | Decimal):
        return int(value) if value == int(value) else str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return str(value)


# What a spreadsheet reads as the start of a formula (OWASP's list, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text a spreadsheet shows as it is: a leading `'` before what would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Any) -> str:
    text = _cell(value)
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return text if numeric else inert(text)


def csv_line(cells: Iterable[Any]) -> bytes:
    """One canonical CSV record (RFC 4180 quoting, CRLF), UTF-8; numbers stay numbers, and
    text that a spreadsheet would run as a formula is made inert (`inert`)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_csv_cell(c) for c in cells])
    return out.getvalue().encode("utf-8")


def csv_header(columns: Sequence[str]) -> bytes:
    """The start of every canonical export: the BOM (so Excel reads UTF-8) and the header."""
    return UTF8_BOM + csv_line(columns)


def row_key(data: Mapping[str, Any], key: Sequence[str]) -> str:
    return "|".join(_cell(data.get(k)) for k in key)


def row_digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def csv_export(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """The canonical CSV, in pieces; its bytes are what a publication's sha256 covers."""
    yield csv_header(columns)
    for data in rows:
        yield csv_line(data.get(c) for c in columns)
