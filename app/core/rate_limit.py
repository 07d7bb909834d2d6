"""Request rate limits per client: 429 with `Retry-After` for over-eager clients.

A client is who it is, never what it typed: a verified principal (the user of a bearer
token whose signature and expiry check out, the organisation of an API key the platform
has accepted) or else its address. A made-up or expired credential counts against the
address, so it never earns a fresh budget. Each client may make `RATE_LIMIT_PER_MINUTE`
requests per fixed minute window. With `REDIS_URL` the counters live in Redis and hold
across every process and machine; without it (or while Redis is unreachable: the limit
fails open to the per-process counter, with a warning and a metric) each process counts
on its own.
"""

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any, Protocol

from prometheus_client import Counter as MetricCounter
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core import clock, context
from app.core.config import Settings
from app.core.i18n import t
from app.core.middleware import send_problem
from app.core.security import decode_access_token

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
WINDOW_SECONDS = 60
# After Redis fails, how long the per-process counter is used before Redis is tried again.
REDIS_RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5

log = logging.getLogger("app.rate_limit")
REDIS_FAILURES = MetricCounter(
    "rate_limit_redis_failures_total",
    "Rate-limit counts that fell back to the per-process counter because Redis failed",
)


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one request of `key` in `window`; the count so far."""
        ...


class MemoryCounter:
    """Counts in this process; the previous windows are forgotten as time moves on."""

    def __init__(self) -> None:
        self.window = -1
        self.counts: dict[str, int] = {}

    async def hit(self, key: str, window: int) -> int:
        if window != self.window:
            self.window, self.counts = window, {}
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


class RedisCounter:
    """Counts in Redis: INCR on a key that expires with its window.

    While Redis fails, counts go to a per-process counter (fail open: the limit holds per
    process, requests are served); Redis is tried again every `REDIS_RETRY_SECONDS`.
    """

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.fallback = MemoryCounter()
        self.down_until = 0.0

    async def hit(self, key: str, window: int) -> int:
        if time.monotonic() < self.down_until:
            return await self.fallback.hit(key, window)
        name = f"xqhz:rate:{window}:{key}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_SECONDS * 2)
                count, _ = await pipe.execute()
        except Exception as exc:  # any failure of Redis: connection, timeout, protocol
            REDIS_FAILURES.inc()
            self.down_until = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("Redis unavailable, counting in this process for now: %s", exc)
            return await self.fallback.hit(key, window)
        return int(count)

    async def available(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:
            return False


class VerifiedKeys:
    """API keys the platform accepted lately (by hash): their organisation, for a while."""

    def __init__(self, size: int = 10_000, ttl: float = 300.0) -> None:
        self.size, self.ttl = size, ttl
        self.keys: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def add(self, secret: str, org_id: int) -> None:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        self.keys[digest] = (org_id, time.monotonic() + self.ttl)
        self.keys.move_to_end(digest)
        while len(self.keys) > self.size:
            self.keys.popitem(last=False)

    def get(self, secret: bytes) -> int | None:
        entry = self.keys.get(hashlib.sha256(secret).hexdigest())
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def forget(self) -> None:
        self.keys.clear()


# Filled by the authentication dependency (app.api.deps) when a key is accepted.
verified_keys = VerifiedKeys()


def client_key(scope: Scope, settings: Settings) -> str:
    """The verified principal ("u:<user id>", "o:<organisation id>"), else the address."""
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        claims: dict[str, Any] | None = decode_access_token(settings, token.strip())
        subject = claims.get("sub") if claims else None
        if isinstance(subject, str) and subject.isascii() and subject.isdigit():
            return "u:" + subject
    elif api_key := headers.get(b"x-api-key"):
        org_id = verified_keys.get(api_key)
        if org_id is not None:
            return f"o:{org_id}"
    return "a:" + (context.client_address.get() or "unknown")


class RateLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, per_minute: int, counter: Counter, settings: Settings
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.counter = counter
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        now = clock.epoch_seconds()
        window = int(now // WINDOW_SECONDS)
        if await self.counter.hit(client_key(scope, self.settings), window) > self.per_minute:
            retry_after = int((window + 1) * WINDOW_SECONDS - now) + 1
            await send_problem(
                send,
                429,
                "rate_limited",
                t(
                    f"每分钟请求超过 {self.per_minute} 次，请稍后再试。",
                    f"More than {self.per_minute} requests a minute; slow down.",
                ),
                context.request_id.get() or "",
                headers={"retry-after": str(retry_after)},
            )
            return
        await self.app(scope, receive, send)
