"""Sign-in with throttling, and turning a token or an API key into a `Principal`."""

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.core import clock
from app.core.config import Settings
from app.core.db import transaction
from app.core.errors import Forbidden, TooManyRequests, Unauthorized
from app.core.i18n import Text, t
from app.core.security import (
    create_access_token,
    decode_access_token,
    hash_api_key,
    hash_password,
    verify_password,
)
from app.models import ApiKey, LoginFailure, Organization, User
from app.models.enums import OrgStatus, Role
from app.services.permissions import Principal


class SignInFailed(Unauthorized):
    # The failure must be counted even though the request fails.
    keep_changes = True
    code = "invalid_credentials"


def _throttle_keys(
    username: str, address: str, settings: Settings
) -> list[tuple[str, str, int, int]]:
    """(scope, key, limit, window seconds) of each count a failed sign-in adds to.

    An account is throttled from each address on its own (`username_address`), so that
    failures from elsewhere never lock its user out at their own address; an address for
    every account it tries; and an account from everywhere only at a far higher ceiling
    over a longer window (a slow, distributed guess).
    """
    name = username.lower()[:128]
    pair = hashlib.sha256(f"{name}\n{address}".encode()).hexdigest()
    return [
        (
            "username_address",
            pair,
            settings.login_max_failures_per_user,
            settings.login_window_seconds,
        ),
        (
            "address",
            address[:128],
            settings.login_max_failures_per_address,
            settings.login_window_seconds,
        ),
        (
            "username",
            name,
            settings.login_max_failures_per_account,
            settings.login_account_window_seconds,
        ),
    ]


_THROTTLED = {
    "username_address": t(
        "该账号在您的地址登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins for this account from your address; try again later.",
    ),
    "address": t(
        "您的地址登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins for your address; try again later.",
    ),
    "username": t(
        "该账号登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins for this account; try again later.",
    ),
}


def _check_throttle(session: Session, settings: Settings, username: str, address: str) -> None:
    now = clock.now()
    for scope, key, limit, seconds in _throttle_keys(username, address, settings):
        window = timedelta(seconds=seconds)
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.occurred_at)).where(
                LoginFailure.scope == scope,
                LoginFailure.key == key,
                LoginFailure.occurred_at >= now - window,
            )
        ).one()
        if count >= limit:
            retry_after = int((oldest + window - now).total_seconds()) + 1
            message: Text = _THROTTLED[scope]
            raise TooManyRequests(message, retry_after=retry_after)


def _record_failure(session: Session, settings: Settings, username: str, address: str) -> None:
    now = clock.now()
    for scope, key, _limit, seconds in _throttle_keys(username, address, settings):
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.scope == scope,
                LoginFailure.key == key,
                LoginFailure.occurred_at < now - timedelta(seconds=seconds),
            )
        )
        session.add(LoginFailure(scope=scope, key=key, occurred_at=now))
    session.flush()


def sign_in(
    session: Session, settings: Settings, *, username: str, password: str, address: str
) -> tuple[str, int]:
    """Check the credentials (throttled per account and address) and issue an access token."""
    _check_throttle(session, settings, username, address)
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        _record_failure(session, settings, username, address)
        raise SignInFailed(t("用户名或密码错误。", "Wrong username or password."))
    if not user.is_active:
        raise Forbidden(t("该账号已停用。", "This account is disabled."), code="account_disabled")
    if user.organization_id is not None:
        org = session.get(Organization, user.organization_id)
        if org is None or org.status == OrgStatus.suspended:
            raise Forbidden(
                t("所属单位已被暂停使用。", "This organisation is suspended."),
                code="organization_suspended",
            )
    pair = _throttle_keys(username, address, settings)[0][1]
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.scope == "username_address", LoginFailure.key == pair
        )
    )
    user.last_login_at = clock.now()
    return create_access_token(settings, str(user.id))


# A token's user and organisation in one query, built once: two `session.get`s, each
# building its statement, cost `/auth/me` a sixth of its instructions (bench/instructions.py).
_USER_AND_ORGANIZATION = (
    select(User, Organization)
    .outerjoin(Organization, Organization.id == User.organization_id)
    .where(User.id == bindparam("user_id"))
)


def principal_from_token(session: Session, settings: Settings, token: str) -> Principal:
    claims = decode_access_token(settings, token)
    subject = claims.get("sub") if claims else None
    found = None
    # ASCII digits only: int() would also read "١٢" (Arabic-Indic digits) as 12.
    if isinstance(subject, str) and subject.isascii() and subject.isdigit() and len(subject) < 10:
        found = session.execute(_USER_AND_ORGANIZATION, {"user_id": int(subject)}).first()
    user, org = found if found is not None else (None, None)
    if user is None or not user.is_active:
        raise Unauthorized(
            t("访问令牌无效或已过期，请重新登录。", "The access token is invalid or has expired."),
            code="invalid_token",
        )
    if org is not None and org.status == OrgStatus.suspended:
        raise Forbidden(
            t("所属单位已被暂停使用。", "This organisation is suspended."),
            code="organization_suspended",
        )
    return Principal(user=user, organization=org, auth_method="token")


def principal_from_api_key(session: Session, secret: str) -> Principal:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(secret)))
    if key is None or key.revoked_at is not None:
        raise Unauthorized(
            t("API 密钥不存在或已吊销。", "The API key is unknown or revoked."),
            code="invalid_api_key",
        )
    org = session.get(Organization, key.organization_id)
    if org is None or org.status == OrgStatus.suspended:
        raise Forbidden(
            t("所属单位已被暂停使用。", "This organisation is suspended."),
            code="organization_suspended",
        )
    return Principal(user=None, organization=org, auth_method="api_key")


def create_platform_admin(session: Session, username: str, password: str) -> User:
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=Role.admin,
        is_platform_admin=True,
        display_name="平台管理员",
    )
    session.add(user)
    session.flush()
    return user


def bootstrap_admin(factory: sessionmaker[Session], password: str | None) -> bool:
    """Create the platform admin `admin` when the database has no user yet (and say in the
    log when it has none and no password to create one with)."""
    try:
        with transaction(factory) as session:
            if session.scalar(select(func.count()).select_from(User)):
                return False
            if not password:
                logging.getLogger("app").warning(
                    "the database has no users: nobody can sign in. Set "
                    "APP_BOOTSTRAP_ADMIN_PASSWORD and restart, or run "
                    "`python -m app create-admin`"
                )
                return False
            create_platform_admin(session, "admin", password)
    except IntegrityError:
        return False  # another process bootstrapped it first
    except OperationalError as exc:  # the process serves; /readyz tells the database is down
        logging.getLogger("app").warning("the database is not reachable at start: %s", exc.orig)
        return False
    return True
