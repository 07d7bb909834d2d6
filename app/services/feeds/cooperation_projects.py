"""Cooperation projects (`/cooperation-projects`): kept and published by the industry
bureau; colleges and enterprises propose drafts of their own."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import (
    CooperationProject,
    CooperationProjectCollege,
    CooperationProjectEnterprise,
    CooperationProjectMajor,
    Major,
)
from app.models.enums import CooperationKind, OrgType
from app.schemas.common import PageParams
from app.schemas.cooperation_projects import CooperationProjectCreate, CooperationProjectRead
from app.schemas.feeds import FeedFilters
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import code_prefix


def _check(session: Session, problems: Problems, item: CooperationProject | None) -> None:
    problems.organizations(session, "enterprise_ids", OrgType.enterprise)
    problems.organizations(session, "college_ids", OrgType.college)
    problems.exist(session, "major_codes", Major.code, t("专业代码", "major code"))
    problems.period()


FEED = Feed(
    resource="cooperation_project",
    label=t("合作项目", "cooperation project"),
    model=CooperationProject,
    create=CooperationProjectCreate,
    read=CooperationProjectRead,
    policy=permissions.COOPERATION_PROJECTS,
    text_fields=("title", "description"),
    check=_check,
)


def list_cooperation_projects(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    common: FeedFilters,
    *,
    kind: CooperationKind | None,
    enterprise_id: int | None,
    college_id: int | None,
    major_code: str | None,
    start_date_from: date | None,
    end_date_to: date | None,
) -> dict[str, Any]:
    """`major_code` matches at any depth: 46 finds projects for any major of category 46."""
    project = CooperationProject
    filters: list[ColumnElement[bool]] = []
    if kind:
        filters.append(project.kind == kind)
    if enterprise_id is not None:
        link = CooperationProjectEnterprise
        filters.append(
            project.id.in_(select(link.project_id).where(link.organization_id == enterprise_id))
        )
    if college_id is not None:
        college = CooperationProjectCollege
        filters.append(
            project.id.in_(select(college.project_id).where(college.organization_id == college_id))
        )
    if major_code:
        major = CooperationProjectMajor
        filters.append(
            project.id.in_(
                select(major.project_id).where(code_prefix(major.major_code, major_code))
            )
        )
    if start_date_from:
        filters.append(project.start_date >= start_date_from)
    if end_date_to:
        filters.append(project.end_date <= end_date_to)
    return list_items(session, principal, FEED, page, common, filters)
