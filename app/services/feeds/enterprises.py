"""The enterprise directory (`/enterprises`): kept and published by the industry bureau."""

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from app.core.i18n import t
from app.models import Cluster, DirectoryEntry, Industry
from app.models.enums import EnterpriseSize, IntegrationLevel, OrgType
from app.schemas.common import PageParams
from app.schemas.enterprises import EnterpriseCreate, EnterpriseRead
from app.schemas.feeds import FeedFilters
from app.services import permissions
from app.services.checks import Problems
from app.services.credit_code import credit_code_error
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import code_prefix


def _check(session: Session, problems: Problems, item: DirectoryEntry | None) -> None:
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
        taken = select(DirectoryEntry.id).where(DirectoryEntry.credit_code == code)
        if item is not None:
            taken = taken.where(DirectoryEntry.id != item.id)
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
    resource="enterprise",
    label=t("企业名录条目", "directory entry"),
    model=DirectoryEntry,
    create=EnterpriseCreate,
    read=EnterpriseRead,
    policy=permissions.DIRECTORY,
    text_fields=("name", "description"),
    check=_check,
)


def list_enterprises(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    common: FeedFilters,
    *,
    credit_code: str | None,
    industry_code: str | None,
    district_code: str | None,
    cluster_code: str | None,
    size: EnterpriseSize | None,
    integration_level: IntegrationLevel | None,
    organization_id: int | None,
) -> dict[str, Any]:
    """`industry_code` and `district_code` match their sub-codes too (13 finds 131 and 1311)."""
    entry = DirectoryEntry
    filters: list[ColumnElement[bool]] = []
    if credit_code:
        filters.append(entry.credit_code == credit_code.upper())
    if industry_code:
        filters.append(code_prefix(entry.industry_code, industry_code))
    if district_code:
        filters.append(code_prefix(entry.district_code, district_code))
    if cluster_code:
        filters.append(entry.cluster_code == cluster_code)
    if size:
        filters.append(entry.size == size)
    if integration_level:
        filters.append(entry.integration_level == integration_level)
    if organization_id is not None:
        filters.append(entry.organization_id == organization_id)
    return list_items(session, principal, FEED, page, common, filters)
