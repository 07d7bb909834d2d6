"""Publications: frozen, versioned snapshots of a dataset for a period, one mechanism for all.

Publishing copies the dataset's canonical rows into `publication_rows` and records the
sha256 of the canonical CSV export, computed over exactly the bytes `export` serves.
"""

import hashlib
import io
from collections.abc import Iterator
from typing import Any, cast

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import Session, aliased

from app.core import clock
from app.core.config import Settings
from app.core.errors import Invalid, NotFound
from app.core.i18n import t
from app.models import Publication, PublicationRow
from app.schemas.common import PageParams
from app.schemas.publications import (
    KeyedRow,
    PublicationCreate,
    PublicationDiff,
    PublicationFilters,
    PublicationRead,
    RowChange,
)
from app.services import permissions
from app.services.audit import record_audit
from app.services.distribution.periods import Period, PeriodError, parse_period
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.publications.datasets import (
    DatasetSpec,
    csv_export,
    csv_header,
    csv_line,
    get_dataset,
    plain,
    row_digest,
    row_key,
)
from app.services.query import Paged, paginate

CHUNK_ROWS = 5_000
ROWS_TABLE = cast(Table, PublicationRow.__table__)


def _period(spec: DatasetSpec, label: str, settings: Settings) -> Period:
    try:
        period = parse_period(label, spec.cadence_in(settings))
    except PeriodError as exc:
        raise Invalid.field(("body", "period"), exc.why) from None
    if period.start > clock.today():
        raise Invalid(
            t(f"{label} 尚未开始。", f"{label} has not started yet."), code="period_in_future"
        )
    return period


def publish(
    session: Session,
    principal: Principal,
    data: PublicationCreate,
    settings: Settings,
) -> Publication:
    """Freeze the dataset's rows for the period as version N+1."""
    spec = get_dataset(data.dataset)
    permissions.ensure_can_publish(principal, spec.departments)
    period = _period(spec, data.period, settings)
    if spec.source is None:
        raise Invalid(
            t(
                f"数据集 {spec.dataset.value} 暂不能发布：本平台尚无其数据来源。",
                f"The dataset {spec.dataset.value} cannot be published yet: its rows have no "
                "source on this platform.",
            ),
            code="dataset_unavailable",
        )
    publication = _new_version(session, principal, spec, period)
    _freeze(session, publication, spec)
    session.flush()
    record_audit(
        session,
        principal,
        "publication.publish",
        resource_id=publication.id,
        summary={
            "dataset": spec.dataset.value,
            "period": period.label,
            "version": publication.version,
        },
    )
    record_event(
        session,
        "publication.published",
        resource_id=publication.id,
        data=PublicationRead.model_validate(publication),
    )
    return publication


def _new_version(
    session: Session, principal: Principal, spec: DatasetSpec, period: Period
) -> Publication:
    version = session.scalar(
        select(func.max(Publication.version)).where(
            Publication.dataset == spec.dataset, Publication.period == period.label
        )
    )
    user, org = principal.user, principal.organization
    publication = Publication(
        dataset=spec.dataset,
        period=period.label,
        version=(version or 0) + 1,
        columns=list(spec.columns),
        published_by_user_id=user.id if user else None,
        published_by_username=user.username if user else None,
        published_by_organization_id=org.id if org else None,
        published_by_organization_name=org.name if org else None,
    )
    session.add(publication)
    session.flush()
    return publication


def _freeze(session: Session, publication: Publication, spec: DatasetSpec) -> None:
    """Copy the source's rows, hashing the canonical CSV as it is produced."""
    assert spec.source is not None
    digest = hashlib.sha256(csv_header(spec.columns))
    buffer: list[dict[str, Any]] = []
    count = 0
    for source_row in spec.source(session, publication):
        count += 1
        data = {c: plain(source_row.get(c)) for c in spec.columns}
        line = csv_line(data[c] for c in spec.columns)
        digest.update(line)
        buffer.append(
            {
                "publication_id": publication.id,
                "row_index": count,
                "key": row_key(data, spec.key),
                "row_hash": row_digest(line),
                "data": data,
            }
        )
        if len(buffer) >= CHUNK_ROWS:
            session.execute(insert(ROWS_TABLE), buffer)
            buffer = []
    if buffer:
        session.execute(insert(ROWS_TABLE), buffer)
    publication.row_count = count
    publication.sha256 = digest.hexdigest()


def list_publications(
    session: Session, page: PageParams, filters: PublicationFilters
) -> Paged[Publication]:
    stmt = select(Publication)
    if filters.dataset:
        stmt = stmt.where(Publication.dataset == filters.dataset)
    if filters.period:
        stmt = stmt.where(Publication.period == filters.period)
    return paginate(session, stmt.order_by(Publication.id.desc()), page)


def get_publication(session: Session, publication_id: int) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise NotFound(t("没有这个发布版本。", "No such publication."))
    return publication


def list_rows(session: Session, publication_id: int, page: PageParams) -> Paged[PublicationRow]:
    get_publication(session, publication_id)
    stmt = (
        select(PublicationRow)
        .where(PublicationRow.publication_id == publication_id)
        .order_by(PublicationRow.row_index)
    )
    return paginate(session, stmt, page)


def _frozen_data(session: Session, publication_id: int) -> Iterator[dict[str, Any]]:
    stmt = (
        select(PublicationRow.data)
        .where(PublicationRow.publication_id == publication_id)
        .order_by(PublicationRow.row_index)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    yield from session.scalars(stmt)


def export_csv(session: Session, publication_id: int) -> tuple[Publication, bytes]:
    """The canonical CSV (UTF-8 with BOM): its sha256 is the publication's."""
    publication = get_publication(session, publication_id)
    body = b"".join(csv_export(publication.columns, _frozen_data(session, publication_id)))
    return publication, body


def export_xlsx(session: Session, publication_id: int) -> tuple[Publication, bytes]:
    """The same rows as a workbook (lists joined with `;`, like the CSV)."""
    publication = get_publication(session, publication_id)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(publication.dataset.value[:31])
    columns = publication.columns
    sheet.append(columns)
    for data in _frozen_data(session, publication_id):
        sheet.append([_xlsx_cell(sheet, data.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return publication, out.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Numbers as numbers; text always as a string cell, never a formula."""
    if isinstance(value, list):
        value = ";".join(map(str, value))
    if not isinstance(value, str):
        return value
    # Control characters are valid in JSON and CSV but not in a workbook's XML.
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # openpyxl takes text starting with `=` for a formula
    return cell


def diff(session: Session, publication_id: int, against_id: int, limit: int) -> PublicationDiff:
    """Rows added, removed and changed between two publications of the same dataset."""
    new = get_publication(session, publication_id)
    old = get_publication(session, against_id)
    if new.dataset != old.dataset:
        raise Invalid.field(
            ("query", "against"),
            t("两个发布版本须属于同一数据集。", "Both publications must be of the same dataset."),
        )
    a, b = aliased(PublicationRow), aliased(PublicationRow)
    only = select(a.key, a.data).outerjoin(b, (b.key == a.key) & (b.publication_id == old.id))
    added_q = only.where(a.publication_id == new.id, b.key.is_(None)).order_by(a.row_index)
    only_old = select(a.key, a.data).outerjoin(b, (b.key == a.key) & (b.publication_id == new.id))
    removed_q = only_old.where(a.publication_id == old.id, b.key.is_(None)).order_by(a.row_index)
    changed_q = (
        select(a.key, b.data, a.data)
        .join(b, (b.key == a.key) & (b.publication_id == old.id))
        .where(a.publication_id == new.id, a.row_hash != b.row_hash)
        .order_by(a.row_index)
    )

    def count(query: Select[Any]) -> int:
        return (
            session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        )

    counts = {"added": count(added_q), "removed": count(removed_q), "changed": count(changed_q)}
    added = [KeyedRow(key=k, data=d) for k, d in session.execute(added_q.limit(limit))]
    removed = [KeyedRow(key=k, data=d) for k, d in session.execute(removed_q.limit(limit))]
    changed = [_change(*row) for row in session.execute(changed_q.limit(limit))]
    shown = {"added": len(added), "removed": len(removed), "changed": len(changed)}
    return PublicationDiff(
        publication_id=new.id,
        against_id=old.id,
        key=list(get_dataset(new.dataset).key),
        added_count=counts["added"],
        removed_count=counts["removed"],
        changed_count=counts["changed"],
        added=added,
        removed=removed,
        changed=changed,
        truncated=any(counts[name] > shown[name] for name in counts),
    )


def _change(key: str, before: dict[str, Any], after: dict[str, Any]) -> RowChange:
    fields = [c for c in after.keys() | before.keys() if before.get(c) != after.get(c)]
    return RowChange(key=key, before=before, after=after, fields=sorted(fields))
