from typing import Annotated

from fastapi import APIRouter, Query

from app.api import API_PREFIX
from app.api.deps import SessionDep
from app.api.openapi import errors
from app.models import Major
from app.models.enums import IndustryLevel, MajorKind, MajorLevel
from app.schemas.common import Page, PageDep
from app.schemas.taxonomies import (
    CertificateRead,
    ClusterRead,
    DistrictRead,
    IndustryRead,
    MajorCatalog,
    MajorRead,
)
from app.services import taxonomies as taxonomy_service

router = APIRouter(prefix=f"{API_PREFIX}/taxonomies", tags=["reference data"])

Q = Annotated[str | None, Query(min_length=1, max_length=50, description="Name contains")]


@router.get(
    "/majors",
    operation_id="majors_list",
    response_model=Page[MajorRead],
    summary="Vocational major catalogue",
)
def list_majors(
    session: SessionDep,
    page: PageDep,
    level: MajorLevel | None = None,
    kind: Annotated[MajorKind | None, Query(description="category, class or major")] = None,
    prefix: Annotated[str | None, Query(pattern=r"^\d{1,6}K?$", description="Code prefix")] = None,
    q: Q = None,
    catalog: Annotated[
        MajorCatalog | None,
        Query(description="`2021` (the catalogue) or `2022-2025` (majors added since)"),
    ] = None,
) -> dict[str, object]:
    """The 2021 catalogue (19 categories per level) plus the majors added since."""
    return taxonomy_service.list_majors(
        session, page, level=level, kind=kind, prefix=prefix, q=q, catalog=catalog
    )


@router.get(
    "/majors/{code}",
    operation_id="majors_get",
    response_model=MajorRead,
    summary="One major, class or category",
    responses=errors(404),
)
def get_major(code: str, session: SessionDep) -> Major:
    return taxonomy_service.get_major(session, code)


@router.get(
    "/industries",
    operation_id="industries_list",
    response_model=Page[IndustryRead],
    summary="GB/T 4754-2017 industries",
)
def list_industries(
    session: SessionDep,
    page: PageDep,
    level: IndustryLevel | None = None,
    section: Annotated[str | None, Query(pattern=r"^[A-T]$")] = None,
    prefix: Annotated[str | None, Query(pattern=r"^([A-T]|\d{1,4})$")] = None,
    q: Q = None,
) -> dict[str, object]:
    return taxonomy_service.list_industries(
        session, page, level=level, section=section, prefix=prefix, q=q
    )


@router.get(
    "/districts",
    operation_id="districts_list",
    response_model=Page[DistrictRead],
    summary="Weihai districts and zones",
)
def list_districts(
    session: SessionDep,
    page: PageDep,
    level: Annotated[str | None, Query(max_length=16)] = None,
    parent_code: Annotated[str | None, Query(max_length=12)] = None,
    q: Q = None,
) -> dict[str, object]:
    """NBS statistical codes (including the development zones) and the custom 南海新区 371090."""
    return taxonomy_service.list_districts(session, page, level=level, parent_code=parent_code, q=q)


@router.get(
    "/clusters",
    operation_id="clusters_list",
    response_model=Page[ClusterRead],
    summary="Weihai industry clusters",
)
def list_clusters(session: SessionDep, page: PageDep) -> dict[str, object]:
    """The seven clusters with the major classes and GB/T 4754 divisions each draws on."""
    return taxonomy_service.list_clusters(session, page)


@router.get(
    "/certificates",
    operation_id="certificates_list",
    response_model=Page[CertificateRead],
    summary="1+X certificates (partial)",
)
def list_certificates(session: SessionDep, page: PageDep, q: Q = None) -> dict[str, object]:
    return taxonomy_service.list_certificates(session, page, q=q)
