from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordRequestForm

from app.api import API_PREFIX, Router
from app.api.deps import ClientAddress, CurrentPrincipal, NoStore, SessionDep, SettingsDep
from app.api.openapi import responses
from app.schemas.auth import Me, Token
from app.services import auth as auth_service

router = Router(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post(
    "/token",
    operation_id="auth_token",
    summary="Sign in",
    response_model=Token,
    responses=responses(401, 403),
    dependencies=[NoStore],
)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> Token:
    """OAuth2 password flow: a bearer token for `username` and `password`.

    Failed attempts are limited per account and per client address (429 with `Retry-After`).
    """
    token, expires_in = auth_service.sign_in(
        session, settings, username=form.username, password=form.password, address=address
    )
    return Token(access_token=token, expires_in=expires_in)


@router.get("/me", operation_id="auth_me", summary="Who am I", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    """The caller's user, organisation and roles."""
    return Me.model_validate(
        {
            "user": principal.user,
            "organization": principal.organization,
            "roles": principal.roles,
            "role": principal.role if principal.organization else None,
            "is_platform_admin": principal.is_platform_admin,
            "auth_method": principal.auth_method,
        },
        from_attributes=True,
    )
