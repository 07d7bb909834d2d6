from typing import Annotated

from fastapi import Path, Query

from app.api import API_PREFIX, Router
from app.api.deps import SessionDep
from app.api.openapi import responses
from app.api.pages import page_of
from app.models import Major, Occupation
from app.schemas.common import Page, PageDep
from app.schemas.taxonomies import (
    CertificateFilters,
    CertificateRead,
    ClusterRead,
    DistrictFilters,
    DistrictRead,
    IndustryFilters,
    IndustryRead,
    MajorFilters,
    MajorOccupationRead,
    MajorRead,
    OccupationFilters,
    OccupationRead,
)
from app.services import taxonomies as taxonomy_service

router = Router(prefix=f"{API_PREFIX}/taxonomies", tags=["reference data"])


@router.get(
    "/majors",
    operation_id="majors_list",
    response_model=Page[MajorRead],
    summary="Vocational major catalogue",
)
def list_majors(
    session: SessionDep,
    page: PageDep,
    filters: Annotated[MajorFilters, Query()],
) -> dict[str, object]:
    """The 2021 catalogue (19 categories per level) plus the majors added since."""
    return page_of(taxonomy_service.list_majors(session, page, filters), page)


@router.get(
    "/majors/{code}",
    operation_id="majors_get",
    response_model=MajorRead,
    summary="One major, class or category",
    responses=responses(404),
)
def get_major(code: str, session: SessionDep) -> Major:
    return taxonomy_service.get_major(session, code)


@router.get(
    "/majors/{code}/occupations",
    operation_id="major_occupations_list",
    response_model=Page[MajorOccupationRead],
    summary="Occupations a major leads to",
    responses=responses(404),
)
def major_occupations(code: str, session: SessionDep, page: PageDep) -> dict[str, object]:
    """Pairs of the crosswalk (人社部 2023 guide), each with its source; for a class or a
    category, the pairs of its majors."""
    return page_of(taxonomy_service.major_occupations(session, code, page), page)


@router.get(
    "/industries",
    operation_id="industries_list",
    response_model=Page[IndustryRead],
    summary="GB/T 4754-2017 industries",
)
def list_industries(
    session: SessionDep,
    page: PageDep,
    filters: Annotated[IndustryFilters, Query()],
) -> dict[str, object]:
    return page_of(taxonomy_service.list_industries(session, page, filters), page)


@router.get(
    "/districts",
    operation_id="districts_list",
    response_model=Page[DistrictRead],
    summary="Weihai districts and zones",
)
def list_districts(
    session: SessionDep,
    page: PageDep,
    filters: Annotated[DistrictFilters, Query()],
) -> dict[str, object]:
    """NBS statistical codes (including the development zones) and the custom 南海新区 371090."""
    return page_of(taxonomy_service.list_districts(session, page, filters), page)


@router.get(
    "/clusters",
    operation_id="clusters_list",
    response_model=Page[ClusterRead],
    summary="Weihai industry clusters",
)
def list_clusters(session: SessionDep, page: PageDep) -> dict[str, object]:
    """The seven clusters with the major classes and GB/T 4754 divisions each draws on."""
    return page_of(taxonomy_service.list_clusters(session, page), page)


@router.get(
    "/certificates",
    operation_id="certificates_list",
    response_model=Page[CertificateRead],
    summary="1+X certificates (partial)",
)
def list_certificates(
    session: SessionDep, page: PageDep, filters: Annotated[CertificateFilters, Query()]
) -> dict[str, object]:
    return page_of(taxonomy_service.list_certificates(session, page, filters), page)


OccupationCode = Annotated[str, Path(pattern=r"^\d-\d{2}-\d{2}-\d{2}$", examples=["6-18-01-01"])]


@router.get(
    "/occupations",
    operation_id="occupations_list",
    response_model=Page[OccupationRead],
    summary="Occupations (职业分类大典 2022)",
    responses=responses(422),
)
def list_occupations(
    session: SessionDep,
    page: PageDep,
    filters: Annotated[OccupationFilters, Query()],
) -> dict[str, object]:
    """The 2022 edition's 1,632 细类 and the upper levels it names; with `q`, matches in
    the name come before matches in an alias."""
    return page_of(taxonomy_service.list_occupations(session, page, filters), page)


@router.get(
    "/occupations/{code}",
    operation_id="occupations_get",
    response_model=OccupationRead,
    summary="One occupation",
    responses=responses(404, 422),
)
def get_occupation(code: OccupationCode, session: SessionDep) -> Occupation:
    return taxonomy_service.get_occupation(session, code)


@router.get(
    "/occupations/{code}/majors",
    operation_id="occupation_majors_list",
    response_model=Page[MajorOccupationRead],
    summary="Majors leading to an occupation",
    responses=responses(404, 422),
)
def occupation_majors(
    code: OccupationCode, session: SessionDep, page: PageDep
) -> dict[str, object]:
    """Pairs of the crosswalk, each with its source; for an upper level, those of the
    occupations in it."""
    return page_of(taxonomy_service.occupation_majors(session, code, page), page)
