"""Password hashes (Argon2id), access tokens (JWT) and API key secrets."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.core import clock
from app.core.config import Settings

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not a real password")

API_KEY_PREFIX = "xq_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def create_access_token(settings: Settings, subject: str) -> tuple[str, int]:
    """A signed JWT for `subject` and its lifetime in seconds."""
    now = clock.now()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {"sub": subject, "iat": now, "exp": now + lifetime, "typ": "access"}
    token = jwt.encode(claims, settings.secret_key, algorithm=settings.jwt_algorithm)
    return token, int(lifetime.total_seconds())


def decode_access_token(settings: Settings, token: str) -> dict[str, Any] | None:
    """The token's claims, or None when it is malformed, tampered with, expired or incomplete."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=settings.jwt_allowed_algorithms,
            # `exp` is checked below against the platform's clock, like every other "now".
            options={
                "verify_exp": False,
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
            },
        )
    except JWTError:
        return None
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= clock.epoch_seconds():
        return None
    return claims if claims.get("typ") == "access" else None


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (secret shown once, display prefix, SHA-256 to store)."""
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:10], hash_api_key(secret)


def hash_api_key(secret: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()
