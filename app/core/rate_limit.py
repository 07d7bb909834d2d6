"""Request rate limits per client: 429 with `Retry-After` for over-eager clients.

A client is its credential (a hash of its bearer token or API key) or, when it sends
none, its address. Each may make `RATE_LIMIT_PER_MINUTE` requests per fixed minute
window. With `REDIS_URL` the counters live in Redis and hold across every process
and machine; without it each process counts on its own (the limit is then per
process, which is what a single-process SQLite deployment is).
"""

import hashlib
import time
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core import context
from app.core.i18n import t
from app.core.middleware import send_problem

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
WINDOW_SECONDS = 60


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
    """Counts in Redis: INCR on a key that expires with its window."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)

    async def hit(self, key: str, window: int) -> int:
        name = f"xqhz:rate:{window}:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
        return int(count)


def client_key(scope: Scope) -> str:
    headers = dict(scope["headers"])
    credential = headers.get(b"authorization") or headers.get(b"x-api-key")
    if credential:
        return "c:" + hashlib.sha256(credential).hexdigest()[:24]
    return "a:" + (context.client_address.get() or "unknown")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, per_minute: int, counter: Counter) -> None:
        self.app = app
        self.per_minute = per_minute
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        if await self.counter.hit(client_key(scope), window) > self.per_minute:
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
