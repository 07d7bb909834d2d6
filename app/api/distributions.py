from typing import Annotated

from fastapi import File, Path, Query, Response, UploadFile

from app.api import API_PREFIX, Router
from app.api.deps import (
    College,
    OptionalPrincipal,
    SessionDep,
    SettingsDep,
    writes_late,
)
from app.api.openapi import responses
from app.api.pages import page_of
from app.models import DistributionSubmission
from app.models.enums import SubmissionSource
from app.schemas.common import HALF_YEAR_PATTERN, MAX_ID, FileFormat, Id, Page, PageDep
from app.schemas.distributions import (
    DistributionFilters,
    DistributionGroupBy,
    DistributionRowRead,
    DistributionSubmissionIn,
    DistributionSummary,
    ImportReport,
    SubmissionRead,
)
from app.services.distribution import files as files_service
from app.services.distribution import reports as reports_service
from app.services.distribution import submissions as distribution_service

router = Router(prefix=API_PREFIX, tags=["student distribution"])

DistributionFiltersDep = Annotated[DistributionFilters, Query()]

PeriodPath = Annotated[str, Path(pattern=HALF_YEAR_PATTERN, description="`YYYYH1` or `YYYYH2`")]
SUBMISSION = "/colleges/{college_id}/student-distributions/{period}"


@router.put(
    SUBMISSION,
    operation_id="student_distributions_submit",
    response_model=SubmissionRead,
    summary="Submit a student distribution",
    responses=responses(404, 422),
)
def submit(
    college_id: Id,
    period: PeriodPath,
    data: DistributionSubmissionIn,
    principal: College,
    session: SessionDep,
    settings: SettingsDep,
) -> DistributionSubmission:
    """Replace the college's rows for the period (current or previous half-year).

    All rows must be valid or nothing changes: a 422 problem lists every failing row
    (`row`, 1-based). The replaced submission stays readable in the history.
    """
    report = distribution_service.submit_distribution(
        session,
        principal,
        college_id,
        period,
        enumerate((r.model_dump() for r in data.rows), start=1),
        source=SubmissionSource.json,
        settings=settings,
    )
    submission: DistributionSubmission = report["submission"]
    return submission


@router.post(
    SUBMISSION + "/import",
    operation_id="student_distributions_import",
    response_model=ImportReport,
    summary="Submit a student distribution from a CSV or Excel file",
    responses=responses(404, 413, 415, 422),
)
@writes_late
def import_file(
    college_id: Id,
    period: PeriodPath,
    file: Annotated[
        UploadFile, File(description="`.csv` (UTF-8, UTF-8 with BOM or GB18030) or `.xlsx`")
    ],
    principal: College,
    session: SessionDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="Validate and report; write nothing")] = False,
) -> dict[str, object]:
    """Headers are the field names or the template's Chinese column names (first sheet of an
    `.xlsx`). The file's type and encoding are detected from its content, not its name.
    A dry run answers 200 with every problem found; a real import answers 422 if any row fails.
    """
    return distribution_service.import_distribution(
        session,
        principal,
        college_id,
        period,
        file.file,
        file.filename,
        settings=settings,
        dry_run=dry_run,
    )


@router.get(
    SUBMISSION + "/history",
    operation_id="student_distributions_history",
    response_model=Page[SubmissionRead],
    summary="Versions of a college's submission",
    responses=responses(404),
)
def history(
    college_id: Id,
    period: PeriodPath,
    principal: OptionalPrincipal,
    session: SessionDep,
    page: PageDep,
) -> dict[str, object]:
    """Newest first; for the college itself, `education`, `hr` and platform admins."""
    return page_of(
        distribution_service.list_history(session, principal, college_id, period, page), page
    )


@router.get(
    SUBMISSION + "/history/{version}/rows",
    operation_id="student_distributions_version_rows",
    response_model=Page[DistributionRowRead],
    summary="Rows of one version of a submission",
    responses=responses(404),
)
def version_rows(
    college_id: Id,
    period: PeriodPath,
    version: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: OptionalPrincipal,
    session: SessionDep,
    page: PageDep,
) -> dict[str, object]:
    rows = distribution_service.list_version_rows(
        session, principal, college_id, period, version, page
    )
    return page_of(rows, page)


@router.get(
    "/student-distributions",
    operation_id="student_distributions_list",
    response_model=Page[DistributionRowRead],
    summary="Student distribution rows",
)
def list_rows(
    filters: DistributionFiltersDep,
    principal: OptionalPrincipal,
    session: SessionDep,
    page: PageDep,
) -> dict[str, object]:
    """Current submissions for the callers who may see them (a college its own,
    `education`, `hr` and platform admins all of them); the rows of each period's latest
    publication for everyone else. `view=published` or `view=submitted` chooses explicitly
    (`submitted` is 403 for other callers).
    """
    return page_of(reports_service.list_rows(session, principal, filters, page), page)


@router.get(
    "/student-distributions/summary",
    operation_id="student_distributions_summary",
    response_model=DistributionSummary,
    summary="Student distribution totals",
)
def summary(
    filters: DistributionFiltersDep,
    principal: OptionalPrincipal,
    session: SessionDep,
    page: PageDep,
    settings: SettingsDep,
    group_by: Annotated[
        DistributionGroupBy, Query(description="category, class, major, college or district")
    ] = "major",
) -> dict[str, object]:
    """Headcount and graduating headcount per group for one period (default: the latest),
    over the same rows as the list: by default, current submissions for the callers who may
    see them and publications for everyone else (`view` chooses explicitly).

    A list like every other (`items`, `total` groups, `limit`, `offset`), in key order,
    plus `group_by`, `period` and `view`. When `DISTRIBUTION_MIN_CELL_SIZE` is set,
    anonymous callers see smaller cells suppressed.
    """
    found = reports_service.summarize(session, principal, filters, group_by, page, settings)
    return page_of(found.cells, page, group_by=found.group_by, period=found.period, view=found.view)


@router.get(
    "/student-distributions/template",
    operation_id="student_distributions_template",
    summary="The upload template",
    response_class=Response,
    responses=responses(
        headers=["Content-Disposition"], files=[files_service.CSV, files_service.XLSX]
    ),
)
def template(format: FileFormat = FileFormat.xlsx) -> Response:
    """The file colleges fill in: Chinese headers, and on `.xlsx` a sheet of notes."""
    body, media_type = files_service.template(format)
    filename = f"student-distribution-template.{format}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
