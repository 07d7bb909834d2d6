"""Per-request context as plain ASGI middleware: request id, body limits, metrics, 500s."""

import itertools
import json
import logging
import os
import re
import secrets
import time
from functools import lru_cache
from typing import Any

from fastapi import HTTPException
from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import context, i18n
from app.core.errors import PROBLEM_JSON, problem_body, problem_headers
from app.core.i18n import Text, t

log = logging.getLogger("app.request")
access_log = logging.getLogger("app.access")

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Per worker process: in multiprocess mode (several workers) every worker is a `pid` series.
WORKER_REQUESTS = Gauge(
    "http_worker_requests", "HTTP requests answered by this worker process", multiprocess_mode="all"
)


@lru_cache(maxsize=4096)
def _counted(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one method, route and status (finding
    a labelled child anew cost more than counting)."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class _RequestIds:
    """Ids of 32 hex digits: 16 random per process, then a count. Unique like uuid4's, and
    without a call for random bytes per request."""

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)  # a forked worker is another process

    def reset(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.count = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.count) & 0xFFFFFFFFFFFFFFFF:016x}"


_request_ids = _RequestIds()
# Sent with every answer (unless the answer sets its own): no MIME sniffing, never framed
# (clickjacking), no Referer leaking URLs to other sites.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]


def _too_large_text(limit: int) -> Text:
    return t(
        f"请求内容超过 {limit} 字节的上限。", f"The request body is larger than {limit} bytes."
    )


def _too_large(limit: int) -> HTTPException:
    # An HTTPException passes through FastAPI's body parsing unchanged and is
    # rendered as a 413 problem by the error handlers (which render a `Text` detail).
    return HTTPException(413, _too_large_text(limit))


class RequestContextMiddleware:
    """Echo or create `X-Request-ID`, cap request bodies, count requests, hide crashes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        trust_forwarded_for: bool,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.trust_forwarded_for = trust_forwarded_for

    def _client_address(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
        if self.trust_forwarded_for and forwarded:
            return forwarded.split(",")[0].strip()[:64]
        client = scope.get("client")
        return client[0] if client else "unknown"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else _request_ids.next()
        scope.setdefault("state", {})["request_id"] = request_id
        context.request_id.set(request_id)
        context.client_address.set(self._client_address(scope, headers))
        i18n.language.set(i18n.negotiate(headers.get(b"accept-language", b"").decode("latin-1")))
        limit = self.max_upload_bytes if scope["path"].endswith("/import") else self.max_body_bytes
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        try:
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > limit:
                await send_problem(
                    send_wrapper, 413, "payload_too_large", _too_large_text(limit), request_id
                )
                return
            await self.app(scope, receive_wrapper, send_wrapper)
        except Exception:
            log.exception(
                "unhandled error on %s %s (request %s)", scope["method"], scope["path"], request_id
            )
            if response_started:
                raise
            await send_problem(
                send_wrapper,
                500,
                "internal_error",
                t(
                    "服务器发生意外错误。报告问题时请提供请求编号（request_id）。",
                    "An unexpected error occurred. Quote the request id when reporting it.",
                ),
                request_id,
            )
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            requests, latency = _counted(scope["method"], route, status)
            requests.inc()
            latency.observe(elapsed)
            WORKER_REQUESTS.inc()
            if access_log.isEnabledFor(logging.INFO):
                _log_access(scope, route, status, elapsed, request_id)


def _log_access(scope: Scope, route: str, status: int, elapsed: float, request_id: str) -> None:
    """The access line: who asked what, the answer and how long it took."""
    state = scope.get("state", {})
    duration_ms = round(elapsed * 1000, 1)
    client = context.client_address.get()
    # Made here and handed to the handlers: `access_log.info` would also walk the stack for
    # the caller's file and line, which no format shows, at a third of the line's cost.
    record = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        0,
        '%s "%s %s" %s %.1f ms',
        (client, scope["method"], scope["path"], status, duration_ms),
        None,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": duration_ms,
            "user_id": state.get("user_id"),
            "organization_id": state.get("organization_id"),
            "client": client,
        },
    )
    access_log.handle(record)


async def send_problem(
    send: Send,
    status: int,
    code: str,
    detail: Text | str,
    request_id: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer a problem directly from ASGI middleware (outside FastAPI's handlers)."""
    body: dict[str, Any] = problem_body(status, code, detail, request_id=request_id)
    payload = json.dumps(body, ensure_ascii=False).encode()
    extra = [(k.encode(), v.encode()) for k, v in {**problem_headers(), **(headers or {})}.items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
