"""Secrets the platform must read back (webhook signing keys), encrypted at rest (Fernet).

Keys come from `WEBHOOK_SECRET_KEYS` (Fernet keys, comma-separated: the first encrypts,
every one decrypts, so a new key is put first and the old ones dropped once re-encrypted);
without it, one key is derived from `SECRET_KEY`.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_DERIVATION_LABEL = b"xqhz webhook secrets v1:"


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from the app's `SECRET_KEY`."""
    digest = hashlib.sha256(_DERIVATION_LABEL + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


class SecretBox:
    """Encrypts and decrypts short secrets with the first of its keys / any of them."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise ValueError(
                "a stored secret cannot be decrypted with WEBHOOK_SECRET_KEYS / SECRET_KEY"
            ) from None


def parse_keys(configured: str | None, secret_key: str) -> tuple[bytes, ...]:
    """The keys, first the one that encrypts; raises ValueError on a malformed key."""
    if not configured or not configured.strip():
        return (derived_key(secret_key),)
    keys = tuple(k.strip().encode("ascii") for k in configured.split(",") if k.strip())
    for key in keys:
        Fernet(key)  # ValueError unless 32 url-safe base64-encoded bytes
    return keys


@lru_cache(maxsize=8)
def secret_box(keys: tuple[bytes, ...]) -> SecretBox:
    return SecretBox(keys)
