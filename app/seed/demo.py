"""A believable Weihai demo world, loaded idempotently by `seed-demo` and `serve --demo`.

Enterprise names are invented; their credit codes are valid but fictitious.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.security import hash_password
from app.models import Organization, User
from app.models.enums import Department, OrgStatus, OrgType, Role
from app.services.auth import create_platform_admin
from app.services.credit_code import make_credit_code

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoOrg:
    username: str
    name: str
    org_type: OrgType
    district_code: str
    department: Department | None = None
    org_body: str | None = None  # 8 characters of the organisation code, for a credit code


DEMO_ORGS = [
    DemoOrg("edu", "威海市教育局", OrgType.government, "371000", Department.education),
    DemoOrg("hr", "威海市人力资源和社会保障局", OrgType.government, "371000", Department.hr),
    DemoOrg("tech", "威海市科学技术局", OrgType.government, "371000", Department.tech),
    DemoOrg("industry", "威海市工业和信息化局", OrgType.government, "371000", Department.industry),
    DemoOrg(
        "ent01", "威海蓝湾海洋生物科技有限公司", OrgType.enterprise, "371002", org_body="MA3D0101"
    ),
    DemoOrg("ent02", "威海卫港智能装备有限公司", OrgType.enterprise, "371072", org_body="MA3D0102"),
    DemoOrg(
        "ent03", "荣成石岛海珍品加工有限公司", OrgType.enterprise, "371082", org_body="MA3D0103"
    ),
    DemoOrg("ent04", "文登碳纤复合材料有限公司", OrgType.enterprise, "371003", org_body="MA3D0104"),
    DemoOrg("ent05", "乳山银滩康养旅游有限公司", OrgType.enterprise, "371083", org_body="MA3D0105"),
    DemoOrg(
        "ent06", "威海火炬软件信息技术有限公司", OrgType.enterprise, "371071", org_body="MA3D0106"
    ),
    DemoOrg("ent07", "威海康合医疗器械有限公司", OrgType.enterprise, "371071", org_body="MA3D0107"),
    DemoOrg("ent08", "威海临港精密机械有限公司", OrgType.enterprise, "371073", org_body="MA3D0108"),
    DemoOrg("ent09", "威海环翠时尚服饰有限公司", OrgType.enterprise, "371002", org_body="MA3D0109"),
    DemoOrg(
        "ent10", "威海南海渔具运动用品有限公司", OrgType.enterprise, "371090", org_body="MA3D0110"
    ),
    DemoOrg("college01", "威海职业学院", OrgType.college, "371002"),
    DemoOrg("college02", "威海海洋职业学院", OrgType.college, "371082"),
    DemoOrg("college03", "山东药品食品职业学院", OrgType.college, "371072"),
    DemoOrg("college04", "威海技师学院", OrgType.college, "371003"),
    DemoOrg("college05", "威海市水产学校", OrgType.college, "371082"),
    DemoOrg("train01", "威海市蓝领职业技能培训学校", OrgType.training_institution, "371002"),
]


def seed_demo(session: Session) -> list[tuple[str, str, str]]:
    """Create the demo organisations and one admin user each; returns (username, password, org)."""
    sign_ins = []
    if session.scalar(select(User.id).where(User.username == "admin")) is None:
        create_platform_admin(session, "admin", DEMO_PASSWORD)
        sign_ins.append(("admin", DEMO_PASSWORD, "平台管理员"))
    for demo in DEMO_ORGS:
        credit_code = (
            make_credit_code("91", demo.district_code[:6], demo.org_body) if demo.org_body else None
        )
        org = session.scalar(select(Organization).where(Organization.name == demo.name))
        if org is None:
            org = Organization(
                name=demo.name,
                org_type=demo.org_type,
                department=demo.department,
                district_code=demo.district_code,
                credit_code=credit_code,
                status=OrgStatus.approved,
                approved_at=clock.now(),
            )
            session.add(org)
            session.flush()
        if session.scalar(select(User.id).where(User.username == demo.username)) is None:
            session.add(
                User(
                    username=demo.username,
                    password_hash=hash_password(DEMO_PASSWORD),
                    organization_id=org.id,
                    role=Role.admin,
                    display_name=f"{demo.name}管理员",
                )
            )
            sign_ins.append((demo.username, DEMO_PASSWORD, demo.name))
    session.flush()
    return sign_ins
