"""Health, readiness, metrics and the API documentation served from local assets."""

import hmac
import os
from importlib import resources

from fastapi import Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from app.api import Router
from app.api.openapi import responses
from app.core.errors import AppError, Unauthorized
from app.core.i18n import t
from app.core.rate_limit import RedisCounter

router = Router(tags=["operations"])

DOCS_ASSETS = resources.files("fastapi_offline") / "static"
ASSETS_URL = "/docs-assets"


class NotReady(AppError):
    status_code = 503
    code = "not_ready"


@router.get("/healthz", operation_id="ops_health", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="ops_ready",
    summary="The database answers (and Redis, when configured)",
    responses=responses(503),
)
async def readyz(request: Request) -> dict[str, str]:
    """503 without the database; 200 without Redis (the rate limit then counts per
    process), saying `"redis": "unavailable"`."""
    try:
        await run_in_threadpool(_ping_database, request.app.state.engine)
    except Exception as exc:
        raise NotReady(t("数据库无法连接。", "The database is not reachable.")) from exc
    answer = {"status": "ready"}
    counter = getattr(request.app.state, "rate_counter", None)
    if isinstance(counter, RedisCounter):
        answer["redis"] = "ok" if await counter.available() else "unavailable"
    return answer


def _ping_database(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@router.get(
    "/metrics",
    operation_id="ops_metrics",
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
)
def metrics(request: Request) -> PlainTextResponse:
    """Requests and latency by route template and status, summed over every worker process
    when several serve (Prometheus' multiprocess mode, `PROMETHEUS_MULTIPROC_DIR`).
    With `METRICS_TOKEN` set, only for `Authorization: Bearer <METRICS_TOKEN>`."""
    expected = request.app.state.settings.metrics_token
    if expected:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized(
                t("需要指标令牌（METRICS_TOKEN）。", "The metrics token is required."),
                code="invalid_token",
            )
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="校企合作信息服务平台 API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="校企合作信息服务平台 API",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
