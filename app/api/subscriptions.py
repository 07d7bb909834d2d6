from typing import Annotated

from fastapi import Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import NoStore, OrganizationWriter, SessionDep, SettingsDep
from app.api.openapi import responses
from app.api.pages import page_of
from app.models import Subscription
from app.schemas.common import Id, Page, PageDep
from app.schemas.subscriptions import (
    DeliveryFilters,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionUpdate,
)
from app.services.webhooks import subscriptions as subscription_service

router = Router(
    prefix=f"{API_PREFIX}/subscriptions",
    tags=["subscriptions"],
)


@router.post(
    "",
    operation_id="subscriptions_create",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    summary="Subscribe a webhook",
    responses=responses(409, 422),
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


@router.get(
    "",
    operation_id="subscriptions_list",
    response_model=Page[SubscriptionRead],
    summary="List your subscriptions",
)
def list_subscriptions(
    principal: OrganizationWriter, session: SessionDep, page: PageDep
) -> dict[str, object]:
    return page_of(subscription_service.list_subscriptions(session, principal, page), page)


@router.get(
    "/{subscription_id}",
    operation_id="subscriptions_get",
    response_model=SubscriptionRead,
    summary="Get a subscription",
    responses=responses(404),
)
def get_subscription(
    subscription_id: Id, principal: OrganizationWriter, session: SessionDep
) -> Subscription:
    return subscription_service.get_subscription(session, principal, subscription_id)


@router.patch(
    "/{subscription_id}",
    operation_id="subscriptions_update",
    response_model=SubscriptionRead,
    summary="Change a subscription",
    responses=responses(404, 422),
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
    operation_id="subscriptions_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription",
    responses=responses(404),
)
def delete_subscription(
    subscription_id: Id, principal: OrganizationWriter, session: SessionDep
) -> None:
    subscription_service.delete_subscription(session, principal, subscription_id)


@router.post(
    "/{subscription_id}/rotate-secret",
    operation_id="subscriptions_rotate_secret",
    response_model=SubscriptionCreated,
    summary="Rotate the subscription's secret",
    responses=responses(404),
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
    operation_id="subscription_deliveries_list",
    response_model=Page[DeliveryRead],
    summary="The subscription's delivery tries",
    responses=responses(404),
)
def list_deliveries(
    subscription_id: Id,
    principal: OrganizationWriter,
    session: SessionDep,
    page: PageDep,
    filters: Annotated[DeliveryFilters, Query()],
) -> dict[str, object]:
    """Every try, newest first: the event, the attempt number, the outcome and the receiver's
    HTTP status or the network error."""
    return page_of(
        subscription_service.list_deliveries(session, principal, subscription_id, page, filters),
        page,
    )
