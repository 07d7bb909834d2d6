from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from app.api import API_PREFIX
from app.api.deps import NoStore, OrganizationWriter, SessionDep, SettingsDep
from app.core.errors import Problem
from app.models import Subscription
from app.models.enums import DeliveryStatus
from app.schemas.common import Id, Page, PageDep
from app.schemas.subscriptions import (
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionUpdate,
)
from app.services import subscriptions as subscription_service

router = APIRouter(
    prefix=f"{API_PREFIX}/subscriptions",
    tags=["subscriptions"],
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    summary="Subscribe a webhook",
    responses={422: {"model": Problem}, 409: {"model": Problem}},
    dependencies=[NoStore],
)
def create_subscription(
    data: SubscriptionCreate,
    principal: OrganizationWriter,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, object]:
    """Events of `event_types` that your organisation may read in `GET /events` are POSTed to
    `url`, signed with the `secret` in this answer (shown this once). Each POST carries
    `X-Webhook-Id` (the event id: de-duplicate on it) and `X-Webhook-Signature:
    sha256=<hex HMAC-SHA256 of the raw body>`; a non-2xx answer is retried with exponential
    back-off, and after repeated failure the subscription is disabled (`subscription.disabled`).
    """
    sub, secret = subscription_service.create_subscription(session, principal, settings, data)
    return {**SubscriptionRead.model_validate(sub).model_dump(), "secret": secret}


@router.get("", response_model=Page[SubscriptionRead], summary="List your subscriptions")
def list_subscriptions(
    principal: OrganizationWriter, session: SessionDep, page: PageDep
) -> dict[str, object]:
    return subscription_service.list_subscriptions(session, principal, page)


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionRead,
    summary="Get a subscription",
    responses=NOT_FOUND,
)
def get_subscription(
    subscription_id: Id, principal: OrganizationWriter, session: SessionDep
) -> Subscription:
    return subscription_service.get_subscription(session, principal, subscription_id)


@router.patch(
    "/{subscription_id}",
    response_model=SubscriptionRead,
    summary="Change a subscription",
    responses={**NOT_FOUND, 422: {"model": Problem}},
)
def update_subscription(
    subscription_id: Id,
    data: SubscriptionUpdate,
    principal: OrganizationWriter,
    session: SessionDep,
    settings: SettingsDep,
) -> Subscription:
    """Change its URL, types, filters or description; `active: true` re-enables it (only
    events recorded from then on are delivered)."""
    return subscription_service.update_subscription(
        session, principal, settings, subscription_id, data
    )


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription",
    responses=NOT_FOUND,
)
def delete_subscription(
    subscription_id: Id, principal: OrganizationWriter, session: SessionDep
) -> None:
    subscription_service.delete_subscription(session, principal, subscription_id)


@router.post(
    "/{subscription_id}/rotate-secret",
    response_model=SubscriptionCreated,
    summary="Rotate the subscription's secret",
    responses=NOT_FOUND,
)
def rotate_secret(
    subscription_id: Id,
    principal: OrganizationWriter,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> dict[str, object]:
    """A new `secret`, shown this once. The old one stays valid for the grace period
    (`WEBHOOK_SECRET_GRACE_HOURS`, 24 h by default; `previous_secret_expires_at`): until
    then every delivery is signed with both, `X-Webhook-Signature: sha256=<new>,
    sha256=<old>`, so that receivers can switch at their own pace."""
    response.headers["Cache-Control"] = "no-store"
    sub, secret = subscription_service.rotate_secret(session, principal, settings, subscription_id)
    return {**SubscriptionRead.model_validate(sub).model_dump(), "secret": secret}


@router.get(
    "/{subscription_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="The subscription's delivery tries",
    responses=NOT_FOUND,
)
def list_deliveries(
    subscription_id: Id,
    principal: OrganizationWriter,
    session: SessionDep,
    page: PageDep,
    status: DeliveryStatus | None = None,
    event_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> dict[str, object]:
    """Every try, newest first: the event, the attempt number, the outcome and the receiver's
    HTTP status or the network error."""
    return subscription_service.list_deliveries(
        session, principal, subscription_id, page, status=status, event_id=event_id
    )
