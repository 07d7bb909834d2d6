from app.api import API_PREFIX, Router
from app.api.deps import CurrentPrincipal
from app.api.openapi import responses
from app.schemas.coding import CodingRequest, CodingResult
from app.services.coding import coder

router = Router(prefix=f"{API_PREFIX}/coding", tags=["coding"])


@router.post(
    "/occupations",
    operation_id="coding_occupations",
    response_model=CodingResult,
    summary="Job titles to occupation codes",
    responses=responses(422),
    description=coder.__doc__,
)
def code_occupations(data: CodingRequest, principal: CurrentPrincipal) -> dict[str, object]:
    """Up to 10 candidate occupations per title, best first, each with its reasons."""
    return coder.code_texts(data.texts)
