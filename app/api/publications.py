from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import SessionDep, SettingsDep, Writer, require_department
from app.api.openapi import responses
from app.api.pages import page_of
from app.models import Publication
from app.schemas.common import MAX_ID, FileFormat, Id, Page, PageDep
from app.schemas.distributions import PeriodQuery
from app.schemas.publications import (
    CollegeSchedule,
    PublicationCreate,
    PublicationDiff,
    PublicationFilters,
    PublicationRead,
    PublicationRowRead,
    Schedule,
)
from app.services.distribution import reports as reports_service
from app.services.distribution.files import CSV, XLSX
from app.services.permissions import DISTRIBUTION_SUPERVISORS, Principal
from app.services.publications import schedule as schedule_service
from app.services.publications import service as publication_service

router = Router(prefix=f"{API_PREFIX}/publications", tags=["publications"])

Supervisor = Annotated[Principal, Depends(require_department(*DISTRIBUTION_SUPERVISORS))]


@router.post(
    "",
    operation_id="publications_create",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicationRead,
    summary="Publish a dataset for a period",
    responses=responses(422),
)
def publish(
    data: PublicationCreate, principal: Writer, session: SessionDep, settings: SettingsDep
) -> Publication:
    """Freeze the dataset's current rows as the period's next version (earlier ones stay).

    `education` and `hr` publish every dataset; `tech` publishes `tech_projects` and
    `industry` `enterprise_directory` and `cooperation_projects`. A dataset whose rows have
    no source yet answers 422 `dataset_unavailable`.
    """
    return publication_service.publish(session, principal, data, settings)


@router.get(
    "",
    operation_id="publications_list",
    response_model=Page[PublicationRead],
    summary="List publications",
)
def list_publications(
    session: SessionDep,
    page: PageDep,
    filters: Annotated[PublicationFilters, Query()],
) -> dict[str, object]:
    """Newest first."""
    return page_of(publication_service.list_publications(session, page, filters), page)


@router.get(
    "/schedule",
    operation_id="publications_schedule",
    response_model=Schedule,
    summary="The publishing calendar",
)
def schedule(
    session: SessionDep,
    settings: SettingsDep,
    as_of: Annotated[date | None, Query(description="The day to judge by (default today)")] = None,
) -> Schedule:
    """Per dataset: cadence, latest period published, the next period due, its due date and
    whether it is overdue (a period is due `grace_days` after it ends)."""
    return schedule_service.get_schedule(session, settings, as_of)


@router.get(
    "/schedule/colleges",
    operation_id="publications_college_schedule",
    response_model=CollegeSchedule,
    summary="Which colleges have submitted",
)
def college_schedule(
    _supervisor: Supervisor,
    session: SessionDep,
    period: Annotated[PeriodQuery, Query(description="Default: the current half-year")] = None,
) -> CollegeSchedule:
    """Every approved college, with its current submission for the period or none
    (`education`, `hr` and platform admins)."""
    return reports_service.college_status(session, period)


@router.get(
    "/{publication_id}",
    operation_id="publications_get",
    response_model=PublicationRead,
    summary="Get a publication",
    responses=responses(404),
)
def get_publication(publication_id: Id, session: SessionDep) -> Publication:
    return publication_service.get_publication(session, publication_id)


@router.get(
    "/{publication_id}/rows",
    operation_id="publications_rows",
    response_model=Page[PublicationRowRead],
    summary="A publication's frozen rows",
    responses=responses(404),
)
def publication_rows(publication_id: Id, session: SessionDep, page: PageDep) -> dict[str, object]:
    """In export order: `row_index` n is data row n of the CSV export."""
    return page_of(publication_service.list_rows(session, publication_id, page), page)


@router.get(
    "/{publication_id}/export",
    operation_id="publications_export",
    response_class=Response,
    summary="Download a publication",
    responses=responses(404, headers=["Content-Disposition", "ETag"], files=[CSV, XLSX]),
)
def export(
    publication_id: Id, session: SessionDep, format: FileFormat = FileFormat.csv
) -> Response:
    """CSV: UTF-8 with BOM (Excel opens it); its SHA-256 is the publication's `sha256`.
    XLSX: the same rows as a workbook."""
    if format == "csv":
        publication, body = publication_service.export_csv(session, publication_id)
        media_type = "text/csv; charset=utf-8"
    else:
        publication, body = publication_service.export_xlsx(session, publication_id)
        media_type = XLSX
    name = f"{publication.dataset.value}-{publication.period}-v{publication.version}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        headers["ETag"] = f'"{publication.sha256}"'
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/{publication_id}/diff",
    operation_id="publications_diff",
    response_model=PublicationDiff,
    summary="Compare two publications",
    responses=responses(404, 422),
)
def diff(
    publication_id: Id,
    against: Annotated[
        int, Query(ge=1, le=MAX_ID, description="The publication to compare with (usually older)")
    ],
    session: SessionDep,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="At most this many rows per list")
    ] = 1_000,
) -> PublicationDiff:
    """Rows added, removed and changed since `against`, keyed by the dataset's natural key."""
    return publication_service.diff(session, publication_id, against, limit)
