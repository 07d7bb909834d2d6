"""Webhook subscriptions: an organisation's own, which events they want, and their tries."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import t
from app.models import Event, Subscription, WebhookDelivery
from app.schemas.common import PageParams
from app.schemas.subscriptions import (
    DeliveryFilters,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
)
from app.services.audit import changes, record_audit
from app.services.events import record_event, type_matches
from app.services.permissions import Principal
from app.services.query import Paged, paginate
from app.services.webhooks.sending import UnsafeUrl, checked_addresses

MAX_PER_ORGANIZATION = 50
SECRET_PREFIX = "whsec_"


def _check_url(url: str, settings: Settings) -> None:
    try:
        checked_addresses(url, settings, strict_dns=False)
    except UnsafeUrl as exc:
        raise Invalid.field(
            ("body", "url"),
            t(f"不能使用该网址：{exc.why.zh}。", f"This URL may not be used: {exc.why.en}."),
        ) from None


def _latest_event_id(session: Session) -> int:
    return session.scalar(select(func.max(Event.id))) or 0


def visibility(principal: Principal) -> ColumnElement[bool]:
    """Which subscriptions the caller sees, the one rule for the list and every route on one:
    its organisation's own, active or disabled (nobody else's, platform admins included)."""
    return Subscription.organization_id == principal.org_id


def _get_own(session: Session, principal: Principal, subscription_id: int) -> Subscription:
    """A subscription the caller sees (the list's rule plus the id); any other is not found."""
    stmt = select(Subscription).where(visibility(principal), Subscription.id == subscription_id)
    sub = session.scalars(stmt).first()
    if sub is None:
        raise NotFound(t("没有这个订阅。", "No such subscription."))
    return sub


def create_subscription(
    session: Session, principal: Principal, settings: Settings, data: SubscriptionCreate
) -> tuple[Subscription, str]:
    """A new subscription of the caller's organisation, and its secret (shown this once)."""
    _check_url(data.url, settings)
    count = session.scalar(
        select(func.count()).select_from(Subscription).where(visibility(principal))
    )
    if (count or 0) >= MAX_PER_ORGANIZATION:
        raise Conflict(
            t(
                f"每个单位最多 {MAX_PER_ORGANIZATION} 个订阅。",
                f"An organisation may have at most {MAX_PER_ORGANIZATION} subscriptions.",
            ),
            code="too_many_subscriptions",
        )
    secret = _new_secret()
    sub = Subscription(
        organization_id=principal.org_id,
        url=data.url,
        event_types=data.event_types,
        filters=data.filters.model_dump(),
        description=data.description,
        active=data.active,
        secret_encrypted=settings.secret_box.encrypt(secret),
        after_event_id=_latest_event_id(session),
        created_by_id=principal.user.id if principal.user else None,
    )
    session.add(sub)
    session.flush()
    record_audit(
        session,
        principal,
        "subscription.create",
        resource_id=sub.id,
        summary={"url": sub.url, "event_types": sub.event_types, "filters": sub.filters},
    )
    return sub, secret


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def rotate_secret(
    session: Session, principal: Principal, settings: Settings, subscription_id: int
) -> tuple[Subscription, str]:
    """A new secret (shown this once); the one it replaces still signs, beside it, for the
    grace period. A second rotation within it retires the oldest at once."""
    sub = _get_own(session, principal, subscription_id)
    secret = _new_secret()
    now = clock.now()
    sub.previous_secret_encrypted = sub.secret_encrypted
    sub.previous_secret_expires_at = now + timedelta(hours=settings.webhook_secret_grace_hours)
    sub.secret_encrypted = settings.secret_box.encrypt(secret)
    sub.secret_rotated_at = now
    session.flush()
    summary = {"previous_secret_expires_at": sub.previous_secret_expires_at.isoformat()}
    record_audit(
        session, principal, "subscription.rotate_secret", resource_id=sub.id, summary=summary
    )
    return sub, secret


def signing_secrets(sub: Subscription, settings: Settings, now: datetime) -> tuple[str, ...]:
    """The secrets a delivery is signed with: the current one, and the previous one while
    its grace period lasts."""
    box = settings.secret_box
    current = (box.decrypt(sub.secret_encrypted),)
    expires = sub.previous_secret_expires_at
    if sub.previous_secret_encrypted and expires and expires > now:
        return (*current, box.decrypt(sub.previous_secret_encrypted))
    return current


def list_subscriptions(
    session: Session, principal: Principal, page: PageParams
) -> Paged[Subscription]:
    stmt = select(Subscription).where(visibility(principal))
    return paginate(session, stmt.order_by(Subscription.id), page)


def get_subscription(session: Session, principal: Principal, subscription_id: int) -> Subscription:
    return _get_own(session, principal, subscription_id)


def update_subscription(
    session: Session,
    principal: Principal,
    settings: Settings,
    subscription_id: int,
    data: SubscriptionUpdate,
) -> Subscription:
    sub = _get_own(session, principal, subscription_id)
    values = data.model_dump(exclude_unset=True)
    if "url" in values:
        _check_url(values["url"], settings)
    before = {k: getattr(sub, k) for k in values}
    for field, value in values.items():
        setattr(sub, field, value)
    if values.get("active") is True and not before["active"]:
        # Re-enabled: start afresh, from the events recorded from now on.
        sub.consecutive_failures = 0
        sub.disabled_reason = None
        sub.disabled_at = None
        sub.after_event_id = _latest_event_id(session)
    elif values.get("active") is False and before["active"]:
        sub.disabled_at = clock.now()
        sub.disabled_reason = "turned off by its organisation"
    session.flush()
    record_audit(
        session,
        principal,
        "subscription.update",
        resource_id=sub.id,
        summary=changes(before, values),
    )
    return sub


def delete_subscription(session: Session, principal: Principal, subscription_id: int) -> None:
    sub = _get_own(session, principal, subscription_id)
    record_audit(
        session, principal, "subscription.delete", resource_id=sub.id, summary={"url": sub.url}
    )
    session.delete(sub)
    session.flush()


def list_deliveries(
    session: Session,
    principal: Principal,
    subscription_id: int,
    page: PageParams,
    filters: DeliveryFilters,
) -> Paged[WebhookDelivery]:
    """The subscription's tries, newest first."""
    sub = _get_own(session, principal, subscription_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    if filters.status:
        stmt = stmt.where(WebhookDelivery.status == filters.status)
    if filters.event_id is not None:
        stmt = stmt.where(WebhookDelivery.event_id == filters.event_id)
    return paginate(session, stmt.order_by(WebhookDelivery.id.desc()), page)


def disable_subscription(session: Session, sub: Subscription, reason: str) -> None:
    """Turn a failing subscription off and tell its organisation (a private event)."""
    sub.active = False
    sub.disabled_at = clock.now()
    sub.disabled_reason = reason[:300]
    session.flush()
    summary = {"reason": reason}
    record_audit(session, None, "subscription.disable", resource_id=sub.id, summary=summary)
    record_event(
        session,
        "subscription.disabled",
        resource_id=sub.id,
        data=SubscriptionRead.model_validate(sub),
        organization_id=sub.organization_id,
        public=False,
    )


def wants(sub: Subscription, event: Event) -> bool:
    """Whether `sub` receives `event`, one its organisation reads (`events.visible_to`, which
    the dispatcher applies) after it subscribed: of its types and filters."""
    if not type_matches(sub.event_types, event.type):
        return False
    data = event.data if isinstance(event.data, dict) else {}
    filters = sub.filters or {}
    majors = _values(data, "major_code", "major_codes")
    prefixes = filters.get("major_prefixes") or []
    if prefixes and majors is not None:
        if not any(m.startswith(p) or p.startswith(m) for m in majors for p in prefixes):
            return False
    districts = _values(data, "district_code", "district_codes")
    wanted = filters.get("district_codes") or []
    if wanted and districts is not None and not set(districts) & set(wanted):
        return False
    return True


def _values(data: dict[str, Any], one: str, many: str) -> list[str] | None:
    """The event's values of a field given singly or as a list; None when it has neither."""
    if one not in data and many not in data:
        return None
    values: list[str] = []
    if isinstance(data.get(one), str | int):
        values.append(str(data[one]))
    if isinstance(data.get(many), list):
        values.extend(str(v) for v in data[many] if isinstance(v, str | int))
    return values
