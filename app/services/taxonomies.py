"""Queries over the reference data."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, case, or_, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.i18n import t
from app.models import (
    Certificate,
    Cluster,
    ClusterIndustry,
    ClusterMajorClass,
    District,
    Industry,
    Major,
    MajorOccupation,
    Occupation,
)
from app.schemas.common import PageParams
from app.schemas.taxonomies import (
    CertificateFilters,
    ClusterLink,
    ClusterRead,
    DistrictFilters,
    IndustryFilters,
    MajorFilters,
    OccupationFilters,
)
from app.services.query import Paged, code_prefix, contains, paginate


def list_majors(
    session: Session,
    page: PageParams,
    filters: MajorFilters,
) -> Paged[Major]:
    stmt = select(Major)
    if filters.catalog:
        stmt = stmt.where(Major.catalog == filters.catalog)
    if filters.level:
        stmt = stmt.where(Major.level == filters.level)
    if filters.kind:
        stmt = stmt.where(Major.kind == filters.kind)
    if filters.prefix:
        stmt = stmt.where(code_prefix(Major.code, filters.prefix))
    if filters.q:
        stmt = stmt.where(contains(Major.name, filters.q))
    return paginate(session, stmt.order_by(Major.code), page)


def get_major(session: Session, code: str) -> Major:
    major = session.get(Major, code)
    if major is None:
        raise NotFound(t(f"没有代码为 {code} 的专业。", f"No major with code {code}."))
    return major


def list_industries(
    session: Session,
    page: PageParams,
    filters: IndustryFilters,
) -> Paged[Industry]:
    stmt = select(Industry)
    if filters.level:
        stmt = stmt.where(Industry.level == filters.level)
    if filters.section:
        stmt = stmt.where(Industry.section == filters.section)
    if filters.prefix:
        stmt = stmt.where(code_prefix(Industry.code, filters.prefix))
    if filters.q:
        stmt = stmt.where(contains(Industry.name, filters.q))
    return paginate(session, stmt.order_by(Industry.code), page)


def list_districts(
    session: Session,
    page: PageParams,
    filters: DistrictFilters,
) -> Paged[District]:
    stmt = select(District)
    if filters.level:
        stmt = stmt.where(District.level == filters.level)
    if filters.parent_code:
        stmt = stmt.where(District.parent_code == filters.parent_code)
    if filters.q:
        stmt = stmt.where(contains(District.name, filters.q))
    return paginate(session, stmt.order_by(District.code), page)


def list_clusters(session: Session, page: PageParams) -> Paged[ClusterRead]:
    """Clusters with the major classes and industry divisions each draws on (three queries)."""
    found = paginate(session, select(Cluster).order_by(Cluster.code), page)
    codes = [c.code for c in found.items]
    classes = session.execute(
        select(ClusterMajorClass.cluster_code, Major.code, Major.name, ClusterMajorClass.rationale)
        .join(Major, Major.code == ClusterMajorClass.class_code)
        .where(ClusterMajorClass.cluster_code.in_(codes))
        .order_by(Major.code)
    ).all()
    industries = session.execute(
        select(
            ClusterIndustry.cluster_code, Industry.code, Industry.name, ClusterIndustry.rationale
        )
        .join(Industry, Industry.code == ClusterIndustry.industry_code)
        .where(ClusterIndustry.cluster_code.in_(codes))
        .order_by(Industry.code)
    ).all()

    def links(rows: Sequence[Row[str, str, str, str | None]], code: str) -> list[ClusterLink]:
        return [ClusterLink(code=r[1], name=r[2], rationale=r[3]) for r in rows if r[0] == code]

    clusters = [
        ClusterRead(
            code=c.code,
            name=c.name,
            source_note=c.source_note,
            major_classes=links(classes, c.code),
            industries=links(industries, c.code),
        )
        for c in found.items
    ]
    return Paged(clusters, found.total)


def list_certificates(
    session: Session, page: PageParams, filters: CertificateFilters
) -> Paged[Certificate]:
    stmt = select(Certificate)
    if filters.q:
        stmt = stmt.where(contains(Certificate.name, filters.q))
    return paginate(session, stmt.order_by(Certificate.batch, Certificate.seq), page)


def list_occupations(
    session: Session,
    page: PageParams,
    filters: OccupationFilters,
) -> Paged[Occupation]:
    """The 大典 in code order; with `q`, names containing it first, then aliases."""
    stmt = select(Occupation)
    if filters.level:
        stmt = stmt.where(Occupation.level == filters.level)
    if filters.prefix:
        stmt = stmt.where(code_prefix(Occupation.code, filters.prefix))
    if not filters.q:
        return paginate(session, stmt.order_by(Occupation.code), page)
    in_name = contains(Occupation.name, filters.q)
    stmt = stmt.where(or_(in_name, contains(Occupation.alias_text, filters.q)))
    rank = case((Occupation.name == filters.q, 0), (in_name, 1), else_=2)
    return paginate(session, stmt.order_by(rank, Occupation.code), page)


def get_occupation(session: Session, code: str) -> Occupation:
    occupation = session.get(Occupation, code)
    if occupation is None:
        raise NotFound(t(f"没有代码为 {code} 的职业。", f"No occupation with code {code}."))
    return occupation


def _pairs(session: Session, page: PageParams, *where: Any) -> Paged[Row[Any]]:
    """Crosswalk pairs as rows named like `MajorOccupationRead`'s fields."""
    stmt = (
        select(
            MajorOccupation.major_code,
            Major.name.label("major_name"),
            Major.level.label("major_level"),
            MajorOccupation.occupation_code,
            Occupation.name.label("occupation_name"),
            Occupation.level.label("occupation_level"),
            MajorOccupation.source,
        )
        .join(Major, Major.code == MajorOccupation.major_code)
        .join(Occupation, Occupation.code == MajorOccupation.occupation_code)
        .where(*where)
        .order_by(MajorOccupation.major_code, MajorOccupation.occupation_code)
    )
    return paginate(session, stmt, page)


def major_occupations(session: Session, code: str, page: PageParams) -> Paged[Row[Any]]:
    """The occupations a major leads to (for a class or category: its majors' pairs)."""
    get_major(session, code)
    return _pairs(session, page, code_prefix(MajorOccupation.major_code, code))


def occupation_majors(session: Session, code: str, page: PageParams) -> Paged[Row[Any]]:
    """The majors leading to an occupation (for an upper level: to the occupations in it)."""
    occupation = get_occupation(session, code)
    stem = occupation_stem(occupation.code, occupation.level)
    return _pairs(session, page, code_prefix(MajorOccupation.occupation_code, stem))


def occupation_stem(code: str, level: int) -> str:
    """The code prefix of an occupation and everything under it: 6-18-00-00 (中类) → 6-18-."""
    if level >= 4:
        return code
    return "-".join(code.split("-")[:level]) + "-"


def majors_of_occupations(session: Session, codes: list[str]) -> dict[str, list[str]]:
    """Major code → the names of those of `codes` it leads to (through the crosswalk; an
    upper-level code through the occupations in it), majors in code order."""
    levels = dict(
        session.execute(
            select(Occupation.code, Occupation.level).where(Occupation.code.in_(codes))
        ).all()
    )
    found: dict[str, list[str]] = {}
    for code in codes:
        if code not in levels:
            continue
        stem = occupation_stem(code, levels[code])
        stmt = (
            select(MajorOccupation.major_code, Occupation.name)
            .join(Occupation, Occupation.code == code)
            .where(code_prefix(MajorOccupation.occupation_code, stem))
            .distinct()
            .order_by(MajorOccupation.major_code)
        )
        for major, name in session.execute(stmt):
            names = found.setdefault(major, [])
            if name not in names:
                names.append(name)
    return dict(sorted(found.items()))
