"""Colleges' half-yearly student distribution: submissions, their history, and reading them."""

from collections.abc import Iterable, Mapping
from typing import IO, Any, cast

from sqlalchemy import ColumnElement, Table, func, select, true, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.core.db import start_writing
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import t
from app.models import DistributionRow, DistributionSubmission, Organization
from app.models.enums import Cadence, SubmissionSource
from app.schemas.common import PageParams
from app.schemas.distributions import SubmissionRead
from app.services import permissions
from app.services.audit import record_audit
from app.services.distribution.files import open_rows
from app.services.distribution.periods import Period, PeriodError, parse_period, period_of
from app.services.distribution.rows import FIELDS, Cohort, RowChecker
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.query import Paged, paginate

CHUNK_ROWS = 5_000
ROWS_TABLE = cast(Table, DistributionRow.__table__)
ROW_COLUMNS = ("submission_id", "college_id", "period", *FIELDS)
Rows = Iterable[tuple[int, Mapping[str, Any]]]


def open_period(label: str, settings: Settings) -> Period:
    """The period a college may submit for: the current one or a recent one, never the future."""
    try:
        period = parse_period(label, Cadence.half_yearly)
    except PeriodError as exc:
        raise Invalid.field(("path", "period"), exc.why) from None
    current = period_of(clock.today(), Cadence.half_yearly)
    if period > current:
        raise Invalid(
            t(
                f"{label} 尚未开始；请报送 {current.label} 或更早的期间。",
                f"{label} has not started yet; submit for {current.label} or earlier.",
            ),
            code="period_not_open",
        )
    earliest = current
    for _ in range(settings.distribution_open_periods - 1):
        earliest = earliest.previous()
    if period < earliest:
        first, last = earliest.label, current.label
        raise Invalid(
            t(
                f"{label} 已截止报送；目前可报送 {first} 至 {last} 的数据。",
                f"{label} is closed; submissions are open for {first} to {last}.",
            ),
            code="period_closed",
        )
    return period


class _Writer:
    """Writes a new current submission and its rows in bulk: `COPY` on PostgreSQL, one
    driver-level `executemany` of plain tuples per chunk on SQLite."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        college: Organization,
        period: Period,
        source: SubmissionSource,
        filename: str | None,
    ) -> None:
        self.session = session
        where = (
            DistributionSubmission.college_id == college.id,
            DistributionSubmission.period == period.label,
        )
        version = session.scalar(select(func.max(DistributionSubmission.version)).where(*where))
        session.execute(update(DistributionSubmission).where(*where).values(is_current=False))
        user = principal.user
        self.submission = DistributionSubmission(
            college_id=college.id,
            period=period.label,
            version=(version or 0) + 1,
            is_current=True,
            source=source,
            filename=filename[:255] if filename else None,
            row_count=0,
            headcount=0,
            graduating_headcount=0,
            submitted_by_user_id=user.id if user else None,
            submitted_by=user.username if user else "api_key",
        )
        session.add(self.submission)
        session.flush()

    def write(self, rows: list[Cohort]) -> None:
        common = (self.submission.id, self.submission.college_id, self.submission.period)
        connection = self.session.connection()
        columns = f"{ROWS_TABLE.name} ({', '.join(ROW_COLUMNS)})"
        if connection.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(common + row)
            return
        insert_rows = f"INSERT INTO {columns} VALUES ({', '.join('?' * len(ROW_COLUMNS))})"
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = [common + row for row in rows[start : start + CHUNK_ROWS]]
            connection.exec_driver_sql(insert_rows, chunk)


def submit_distribution(
    session: Session,
    principal: Principal,
    college_id: int,
    period_label: str,
    rows: Rows,
    *,
    source: SubmissionSource,
    settings: Settings,
    filename: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Validate every row; unless it is a dry run, replace the college's submission.

    Every row is read and checked before anything is written (in a read transaction for an
    import: see `db.start_writing`), so the write lock is held for the inserts only; an
    invalid row means nothing is written. A dry run writes nothing and takes no lock.
    """
    permissions.ensure_own_college(principal, college_id)
    college = session.get(Organization, college_id)
    if college is None:
        raise NotFound(t("没有这所院校。", "No such college."))
    period = open_period(period_label, settings)
    loc: tuple[str, ...] = ("body", "rows") if source == SubmissionSource.json else ("file",)
    checker = RowChecker(
        session, period, college.district_code, loc=loc, max_errors=settings.distribution_max_errors
    )
    clean, count = _check_rows(checker, rows, settings.distribution_max_rows)
    if count == 0:
        raise Invalid.field(loc, t("没有数据行。", "There are no data rows."), "empty")
    report = _report(checker, source, count, dry_run)
    if dry_run:
        return report
    if not report["valid"]:
        raise _rejected(report)
    start_writing(session)
    writer = _Writer(session, principal, college, period, source, filename)
    writer.write(clean)
    report["submission"] = _finish(session, principal, writer, checker, count)
    return report


def import_distribution(
    session: Session,
    principal: Principal,
    college_id: int,
    period_label: str,
    file: IO[bytes],
    filename: str | None,
    *,
    settings: Settings,
    dry_run: bool,
) -> dict[str, Any]:
    """The same as a JSON submission, from an uploaded CSV or XLSX file."""
    permissions.ensure_own_college(principal, college_id)
    source, rows = open_rows(file, filename)
    return submit_distribution(
        session,
        principal,
        college_id,
        period_label,
        rows,
        source=source,
        settings=settings,
        filename=filename,
        dry_run=dry_run,
    )


def _report(
    checker: RowChecker, source: SubmissionSource, count: int, dry_run: bool
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "valid": checker.error_count == 0,
        "source": source,
        "row_count": count,
        "error_count": checker.error_count,
        "errors": checker.errors,
    }


def _check_rows(checker: RowChecker, rows: Rows, limit: int) -> tuple[list[Cohort], int]:
    """The clean rows (until the first error: then nothing will be written) and the count."""
    count = 0
    clean: list[Cohort] = []
    for number, raw in rows:
        count += 1
        if count > limit:
            raise Invalid(
                t(f"一次报送最多 {limit} 行。", f"A submission has at most {limit} rows."),
                code="too_many_rows",
            )
        row = checker.check(number, raw)
        if row is not None and checker.error_count == 0:
            clean.append(row)
        elif clean:
            clean = []
    return clean, count


def _rejected(report: dict[str, Any]) -> Invalid:
    shown, total = len(report["errors"]), report["error_count"]
    more = f" (the first {shown} are listed)" if total > shown else ""
    more_zh = f"（列出前 {shown} 个）" if total > shown else ""
    return Invalid(
        t(
            f"报送数据有 {total} 处错误{more_zh}，未保存任何数据。",
            f"{total} problem(s) in the submission{more}; nothing was saved.",
        ),
        code="invalid_rows",
        errors=report["errors"],
    )


def _finish(
    session: Session, principal: Principal, writer: _Writer, checker: RowChecker, count: int
) -> DistributionSubmission:
    submission = writer.submission
    submission.row_count = count
    submission.headcount = checker.headcount
    submission.graduating_headcount = checker.graduating_headcount
    session.flush()
    record_audit(
        session,
        principal,
        "student_distribution.submit",
        resource_id=submission.id,
        summary={
            "college_id": submission.college_id,
            "period": submission.period,
            "version": submission.version,
            "row_count": count,
            "source": submission.source.value,
        },
    )
    record_event(
        session,
        "student_distribution.submitted",
        resource_id=submission.id,
        data=SubmissionRead.model_validate(submission),
        organization_id=submission.college_id,
        public=False,
    )
    return submission


def _readable(principal: Principal | None) -> ColumnElement[bool] | None:
    """The submissions the caller reads, or None when it reads none: every college's for
    education, hr and platform admins; a college its own."""
    colleges = permissions.submissions_read_by(principal)
    if colleges is None:
        return None
    if colleges == permissions.EVERY_COLLEGE:
        return true()
    return DistributionSubmission.college_id == colleges


def sees_submissions(principal: Principal | None) -> bool:
    """Whether the caller reads any submission (its lists then default to view=submitted)."""
    return _readable(principal) is not None


def visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Which submissions the caller sees, the one rule for their history, a version's rows
    and the `view=submitted` rows and summary. Submissions are private until published, so
    nobody else sees any (401 anonymous, 403 signed in), whichever college or period."""
    readable = _readable(permissions.require_principal(principal))
    if readable is None:
        raise Forbidden(
            t(
                "仅院校、教育局和人社局可以查看未发布的报送。",
                "Only colleges, education and hr see unpublished submissions.",
            )
        )
    return readable


def list_history(
    session: Session, principal: Principal | None, college_id: int, period: str, page: PageParams
) -> Paged[DistributionSubmission]:
    """Every version the college submitted for the period, newest first; 404 when the caller
    sees none (hidden and absent alike)."""
    stmt = (
        select(DistributionSubmission)
        .where(
            visibility(principal),
            DistributionSubmission.college_id == college_id,
            DistributionSubmission.period == period,
        )
        .order_by(DistributionSubmission.version.desc())
    )
    history = paginate(session, stmt, page)
    if history.total == 0:
        raise NotFound(t("没有这份报送。", "No such submission."))
    return history


def list_version_rows(
    session: Session,
    principal: Principal | None,
    college_id: int,
    period: str,
    version: int,
    page: PageParams,
) -> Paged[DistributionRow]:
    """The rows of one version, current or replaced."""
    submission_id = session.scalar(
        select(DistributionSubmission.id).where(
            visibility(principal),
            DistributionSubmission.college_id == college_id,
            DistributionSubmission.period == period,
            DistributionSubmission.version == version,
        )
    )
    if submission_id is None:
        raise NotFound(t("没有这份报送。", "No such submission."))
    stmt = (
        select(DistributionRow)
        .where(DistributionRow.submission_id == submission_id)
        .order_by(
            DistributionRow.major_code, DistributionRow.level, DistributionRow.enrollment_year
        )
    )
    return paginate(session, stmt, page)
