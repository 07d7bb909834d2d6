"""Typed dependencies: the request's session, settings and caller."""

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.types import Scope

from app.core import context, rate_limit
from app.core.config import Settings
from app.core.db import begin_write
from app.core.errors import AppError, Invalid
from app.core.i18n import Text, t
from app.models.enums import Department, OrgType
from app.schemas.common import unsafe_message, unsafe_strings
from app.services import auth as auth_service
from app.services import permissions
from app.services.permissions import Principal

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
F = TypeVar("F", bound=Callable[..., Any])


def writes_late(endpoint: F) -> F:
    """Mark an endpoint whose session starts as a read transaction: it reads and checks at
    length before it writes, and takes the write lock only then (`db.start_writing`)."""
    endpoint.writes_late = True  # type: ignore[attr-defined]
    return endpoint


@dataclass(slots=True)
class Transaction:
    """The request's session, and whether its transaction has ended."""

    session: Session
    slots: anyio.Semaphore  # held from `get_session` to `end_transaction`
    done: bool = False

    def finish(self, exc: BaseException | None) -> None:
        """End it once (see `_finish`); later calls do nothing."""
        if not self.done:
            self.done = True
            _finish(self.session, exc)


# The running request's transaction (set by `get_session`): the thread that runs a sync
# endpoint ends it there, after the endpoint, with no thread hop of its own (`app.api.Router`).
current_transaction: ContextVar[Transaction | None] = ContextVar(
    "current_transaction", default=None
)


def _finish(session: Session, exc: BaseException | None) -> None:
    """Commit (or, after an error, roll back) and give the connection back to the pool."""
    try:
        if exc is None or (isinstance(exc, AppError) and exc.keep_changes):
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# Where `get_session` leaves the request's transaction for `end_transaction`.
TRANSACTION_KEY = "app.transaction"


async def get_session(request: Request) -> Session:
    """One transaction per request: committed before the response is sent, or rolled back.

    Async and no generator, so that a request costs no thread hop and no context manager
    for its session (a dependency with `yield` cost a 1-row read 6 % of its instructions:
    bench/instructions.py): the session is made in the event loop (no I/O) and the
    endpoint's thread opens its connection; only the write transaction's `BEGIN IMMEDIATE`
    runs on a thread of its own. The route ends the transaction (`end_transaction`, called
    by `app.api.TransactionRoute` after the endpoint, whether it answered or raised); a
    sync endpoint's thread ends it first, after validating its answer (`app.api.Router`).

    Sync endpoints and dependencies run on AnyIO's thread pool. A request holding a
    transaction may need a thread again (a signed-in caller is looked up on one before its
    endpoint runs on another). If every thread were blocked waiting for what that
    transaction holds (a pooled connection, SQLite's write lock, a row lock), it would
    never get one: the server would stall until the pool's or SQLite's 30 s timeouts
    failed the requests. So fewer transactions run at once than there are threads
    (`session_slots`, see `app.main`), and the others wait here, in the event loop,
    without holding a thread.
    """
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    write = request.method not in SAFE_METHODS and not getattr(endpoint, "writes_late", False)
    slots: anyio.Semaphore = request.app.state.session_slots
    await slots.acquire()
    transaction = Transaction(request.app.state.sessionmaker(), slots)
    request.scope[TRANSACTION_KEY] = transaction
    current_transaction.set(transaction)
    if write:
        await anyio.to_thread.run_sync(begin_write, transaction.session)
    return transaction.session


async def end_transaction(scope: Scope, exc: BaseException | None) -> None:
    """End the request's transaction if an endpoint's thread did not (an async endpoint's,
    or one whose endpoint never ran), and give its slot back."""
    transaction: Transaction | None = scope.pop(TRANSACTION_KEY, None)
    if transaction is None:
        return
    current_transaction.set(None)
    try:
        if not transaction.done:
            await anyio.to_thread.run_sync(transaction.finish, exc)
    finally:
        transaction.slots.release()


# Dependencies that do no I/O are async: FastAPI runs a sync one on a thread of the pool,
# a hop that cost more than the check itself (bench/http.py).


async def no_store(response: Response) -> None:
    """For answers that carry a secret (a token, a key): no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


NoStore = Depends(no_store)


async def text_guard(request: Request) -> None:
    """No JSON body carries control or bidi characters in any string (`unsafe_character`): one
    check for every field of every route, the same on SQLite and PostgreSQL."""
    if request.method in SAFE_METHODS or "json" not in request.headers.get("content-type", ""):
        return
    try:
        body = await request.json()
    except ValueError:
        return  # not JSON: FastAPI's own validation answers
    errors = []
    for loc, code in unsafe_strings(body):
        msg: Text = unsafe_message(code)
        errors.append({"loc": loc, "msg": msg, "type": "control_character"})
    if errors:
        raise Invalid(
            t(
                "文本中含有控制字符或双向控制符，详见 errors。",
                "Text holds control or bidi characters; see errors.",
            ),
            errors=errors,
        )


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def client_address() -> str:
    """The client's address, as the request middleware determined it."""
    return context.client_address.get() or "unknown"


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClientAddress = Annotated[str, Depends(client_address)]

_bearer = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="A bearer token from `POST /api/v1/auth/token`",
)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An organisation's key")


def _principal(
    session: Session, settings: Settings, token: str | None, api_key: str | None
) -> Principal:
    if token:
        return auth_service.principal_from_token(session, settings, token)
    principal = auth_service.principal_from_api_key(session, api_key or "")
    if principal.org_id is not None:  # its next requests count as the organisation's
        rate_limit.verified_keys.add(api_key or "", principal.org_id)
    return principal


async def optional_principal(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Principal | None:
    """The caller, or None when anonymous; a bad credential is a 401, never anonymity.

    Async: an anonymous request needs no thread here; a credential is looked up on one.
    """
    if not token and not api_key:
        return None
    settings: Settings = request.app.state.settings
    principal = await anyio.to_thread.run_sync(_principal, session, settings, token, api_key)
    request.state.user_id = principal.user.id if principal.user else None  # for the access log
    request.state.organization_id = principal.org_id
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    return permissions.require_principal(principal)


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def writer(principal: CurrentPrincipal) -> Principal:
    permissions.ensure_can_write(principal)
    return principal


Writer = Annotated[Principal, Depends(writer)]


async def platform_admin(principal: CurrentPrincipal) -> Principal:
    permissions.ensure_platform_admin(principal)
    return principal


PlatformAdmin = Annotated[Principal, Depends(platform_admin)]


def require_department(*departments: Department) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting platform admins and the given government departments."""

    async def dependency(principal: Writer) -> Principal:
        permissions.ensure_department(principal, *departments)
        return principal

    return dependency


def require_org_type(*org_types: OrgType) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting approved organisations of the given types."""

    async def dependency(principal: Writer) -> Principal:
        permissions.ensure_org_type(principal, *org_types)
        return principal

    return dependency


# An approved college's or enterprise's user or API key: the one alias of each.
College = Annotated[Principal, Depends(require_org_type(OrgType.college))]
Enterprise = Annotated[Principal, Depends(require_org_type(OrgType.enterprise))]


async def organization_writer(principal: Writer) -> Principal:
    permissions.ensure_organization(principal)
    return principal


# An approved organisation's user or API key (not a platform admin without one).
OrganizationWriter = Annotated[Principal, Depends(organization_writer)]


def require_feed_author(
    policy: permissions.FeedPolicy,
) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting those who may create items in a feed (see `FeedPolicy`)."""

    async def dependency(principal: Writer) -> Principal:
        permissions.ensure_feed_author(principal, policy)
        return principal

    return dependency


async def training_author(principal: Writer) -> Principal:
    permissions.ensure_training_author(principal)
    return principal


# hr, education, a college or an enterprise (see `permissions.ensure_training_author`).
TrainingAuthor = Annotated[Principal, Depends(training_author)]
