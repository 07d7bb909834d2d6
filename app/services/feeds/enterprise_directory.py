"""The enterprise directory (`/enterprises`): kept and published by the industry bureau."""

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from app.core.i18n import t
from app.models import Cluster, EnterpriseDirectoryEntry, Industry
from app.models.enums import OrgType
from app.schemas.common import PageParams
from app.schemas.enterprise_directory import EnterpriseCreate, EnterpriseFilters, EnterpriseRead
from app.services import permissions
from app.services.checks import Problems
from app.services.credit_code import credit_code_error
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix


def _check(session: Session, problems: Problems, item: EnterpriseDirectoryEntry | None) -> None:
    code = problems.values.get("credit_code")
    if problems.wants("credit_code") and code and (why := credit_code_error(code)):
        problems.add("credit_code", why, "credit_code")
    problems.exist(
        session,
        "industry_code",
        Industry.code,
        t("国民经济行业（GB/T 4754）代码", "GB/T 4754 industry code"),
    )
    problems.district(session)
    problems.exist(session, "cluster_code", Cluster.code, t("产业集群", "cluster"))
    problems.organizations(session, "organization_id", OrgType.enterprise)
    problems.raise_if_any()
    if problems.wants("credit_code"):
        entry = EnterpriseDirectoryEntry
        taken = select(entry.id).where(entry.credit_code == code)
        if item is not None:
            taken = taken.where(entry.id != item.id)
        if (existing := session.scalar(taken)) is not None:
            raise Conflict(
                t(
                    f"企业名录中已有统一社会信用代码为 {code} 的条目。",
                    f"The directory already has an entry for credit code {code}.",
                ),
                code="duplicate_credit_code",
                existing_id=existing,
            )


FEED = Feed(
    resource="enterprise_directory",
    label=t("企业名录条目", "directory entry"),
    model=EnterpriseDirectoryEntry,
    create=EnterpriseCreate,
    read=EnterpriseRead,
    policy=permissions.ENTERPRISE_DIRECTORY,
    text_fields=("name", "description"),
    check=_check,
)


def list_entries(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    filters: EnterpriseFilters,
) -> Paged[EnterpriseDirectoryEntry]:
    """`industry_code` and `district_code` match their sub-codes too (13 finds 131 and 1311)."""
    entry = EnterpriseDirectoryEntry
    clauses: list[ColumnElement[bool]] = []
    if filters.credit_code:
        clauses.append(entry.credit_code == filters.credit_code.upper())
    if filters.industry_code:
        clauses.append(code_prefix(entry.industry_code, filters.industry_code))
    if filters.district_code:
        clauses.append(code_prefix(entry.district_code, filters.district_code))
    if filters.cluster_code:
        clauses.append(entry.cluster_code == filters.cluster_code)
    if filters.size:
        clauses.append(entry.size == filters.size)
    if filters.integration_level:
        clauses.append(entry.integration_level == filters.integration_level)
    if filters.organization_id is not None:
        clauses.append(entry.organization_id == filters.organization_id)
    return list_items(session, principal, FEED, page, filters, clauses)
