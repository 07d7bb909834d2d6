"""Demo content for the demo world: feeds, two published half-years of student distribution,
open demands.

Everything goes through the same services as the API (validation, search index, events,
audit), acting as the demo organisations' users. Loaded once: skipped when the demo
tech bureau already has a tech project.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.models import Organization, TechProject, User
from app.models.enums import Cadence, Dataset, SubmissionSource
from app.schemas.cooperation_projects import CooperationProjectCreate
from app.schemas.demands import DemandCreate
from app.schemas.enterprises import EnterpriseCreate
from app.schemas.publications import PublicationCreate
from app.schemas.social_service_projects import SocialServiceProjectCreate
from app.schemas.tech_projects import TechProjectCreate
from app.services.demands import service as demand_service
from app.services.distribution.periods import period_of
from app.services.distribution.submissions import submit_distribution
from app.services.feeds import (
    cooperation_projects,
    enterprises,
    social_service_projects,
    tech_projects,
    workflow,
)
from app.services.permissions import Principal
from app.services.publications import service as publication_service

TECH_PROJECTS = [
    (
        "school_locality_project",
        "海参精深加工技术攻关",
        "征集校地合作团队攻关海参精深加工与副产物利用",
        "C05",
    ),
    (
        "tech_info",
        "碳纤维复合材料成型工艺需求发布",
        "复合材料企业发布热压罐外成型工艺技术需求",
        "C04",
    ),
    (
        "school_locality_project",
        "工业机器人视觉检测校地联合实验室",
        "面向先进装备与智能制造集群共建联合实验室",
        "C03",
    ),
]
# (demo enterprise username, GB/T 4754 class, cluster, size)
DIRECTORY = [
    ("ent01", "1369", "C05", "medium"),
    ("ent02", "3421", "C03", "medium"),
    ("ent03", "1361", "C05", "large"),
    ("ent04", "2829", "C04", "small"),
    ("ent05", "8514", "C07", "small"),
    ("ent06", "6513", "C01", "micro"),
    ("ent07", "3581", "C02", "medium"),
    ("ent08", "3421", "C03", "small"),
    ("ent09", "1811", "C06", "medium"),
    ("ent10", "2442", "C06", "small"),
]
# (college username, [(major code, level, headcount)])
COHORTS = {
    "college01": [("460103", "higher", 120), ("510201", "higher", 90), ("460301", "higher", 80)],
    "college02": [("410402", "higher", 60), ("490104", "higher", 70), ("500301", "higher", 50)],
    "college03": [("490101", "higher", 110), ("520301", "higher", 95), ("490104", "higher", 40)],
    "college04": [("660103", "secondary", 70), ("660301", "secondary", 60)],
    "college05": [("610402", "secondary", 45), ("690101", "secondary", 35)],
}
# (enterprise username, kind, title, major codes, headcount)
DEMANDS = [
    ("ent02", "employment", "数控设备操作与维护技术员", ["460103", "4601"], 20),
    ("ent03", "order_class", "海洋食品加工订单班", ["4901"], 30),
    ("ent06", "internship", "软件开发实习生", ["5102"], 10),
    ("ent07", "apprenticeship", "医疗器械装配现代学徒", ["4902", "4601"], 15),
]


def _acting(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None and user.organization_id is not None, username
    org = session.get(Organization, user.organization_id)
    return Principal(user=user, organization=org, auth_method="token")


def seed_demo_content(session: Session, settings: Settings) -> bool:
    """Add the demo content once; False when it is already there."""
    if session.scalar(select(TechProject.id).limit(1)) is not None:
        return False
    today = clock.today()
    _feeds(session, today)
    _distribution(session, settings, today)
    _demands(session, settings, today)
    return True


def _publish(
    session: Session, who: Principal, feed: workflow.Feed, data: Any, by: Principal
) -> None:
    item = workflow.create_item(session, who, feed, data)
    workflow.publish_item(session, by, feed, item.id)


def _feeds(session: Session, start: date) -> None:
    tech, industry, hr = (_acting(session, u) for u in ("tech", "industry", "hr"))
    for kind, title, summary, cluster in TECH_PROJECTS:
        data = TechProjectCreate(
            kind=kind,
            title=title,
            summary=summary,
            cluster_code=cluster,
            deadline=start + timedelta(days=90),
            contact="威海市科学技术局",
        )
        _publish(session, tech, tech_projects.FEED, data, tech)
    for username, industry_code, cluster, size in DIRECTORY:
        org = _acting(session, username).organization
        assert org is not None and org.credit_code and org.district_code
        entry = EnterpriseCreate(
            name=org.name,
            credit_code=org.credit_code,
            industry_code=industry_code,
            district_code=org.district_code,
            cluster_code=cluster,
            size=size,
            integration_level="municipal" if size == "large" else "none",
            organization_id=org.id,
        )
        _publish(session, industry, enterprises.FEED, entry, industry)
    college01, college02 = _acting(session, "college01"), _acting(session, "college02")
    pairs = [
        ("ent02", college01, "order_class", "数控技术订单班", ["4601"]),
        ("ent03", college02, "modern_apprenticeship", "海洋食品加工现代学徒制", ["4901"]),
    ]
    for ent, college, kind, title, majors in pairs:
        project = CooperationProjectCreate(
            kind=kind,
            title=title,
            description="校企共建，联合培养",
            enterprise_ids=[_acting(session, ent).org_id],
            college_ids=[college.org_id],
            major_codes=majors,
            start_date=start,
            end_date=start + timedelta(days=3 * 365),
        )
        _publish(session, college, cooperation_projects.FEED, project, industry)
    trainer = _acting(session, "train01")
    course = SocialServiceProjectCreate(
        title="退役军人工业机器人操作培训班",
        description="面向退役军人的技能培训",
        target_groups=["veterans", "unemployed"],
        capacity=40,
        start_date=start + timedelta(days=30),
        end_date=start + timedelta(days=75),
        certificates=["工业机器人操作与运维职业技能等级证书"],
    )
    _publish(session, trainer, social_service_projects.FEED, course, hr)


def _distribution(session: Session, settings: Settings, today: date) -> None:
    """The previous half-year and the current one, each submitted and published, so that
    a period can be compared with the one before it."""
    current = period_of(today, Cadence.half_yearly)
    for period, change in ((current.previous(), -1), (current, 0)):
        graduation = period.start.year if period.label.endswith("H1") else period.start.year + 1
        for username, cohorts in COHORTS.items():
            college = _acting(session, username)
            rows = []
            for n, (major, level, headcount) in enumerate(cohorts):
                years = 4 if level == "undergraduate" else 3
                # The previous half-year: a little smaller, a little larger, in turn.
                count = headcount + change * (headcount // 8 if n % 2 == 0 else -5)
                rows.append(
                    {
                        "major_code": major,
                        "level": level,
                        "headcount": count,
                        "enrollment_year": graduation - years,
                        "graduation_year": graduation,
                        "graduating_headcount": count - count // 10,
                    }
                )
            assert college.org_id is not None
            submit_distribution(
                session,
                college,
                college.org_id,
                period.label,
                enumerate(rows, start=1),
                source=SubmissionSource.json,
                settings=settings,
            )
        publication_service.publish(
            session,
            _acting(session, "edu"),
            PublicationCreate(dataset=Dataset.student_distribution, period=period.label),
            settings,
        )


def _demands(session: Session, settings: Settings, today: date) -> None:
    for username, kind, title, majors, headcount in DEMANDS:
        enterprise = _acting(session, username)
        data = DemandCreate(
            kind=kind,
            title=title,
            major_codes=majors,
            headcount=headcount,
            valid_until=today + timedelta(days=120),
            salary_min=4500,
            salary_max=8000,
            external_id=f"DEMO-{username}",
        )
        demand = demand_service.create_demand(session, enterprise, data, settings)
        demand_service.open_demand(session, enterprise, demand.id)
