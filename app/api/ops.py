"""Health, readiness, metrics and the API documentation served from local assets."""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.api.openapi import errors
from app.core.errors import AppError

router = APIRouter(tags=["operations"])

DOCS_ASSETS = resources.files("fastapi_offline") / "static"
ASSETS_URL = "/docs-assets"


class NotReady(AppError):
    status_code = 503
    code = "not_ready"


@router.get("/", include_in_schema=False)
def root() -> dict[str, str]:
    return {
        "name": "校企合作信息服务平台",
        "api": "/api/v1",
        "docs": "/docs",
        "openapi": "/openapi.json",
    }


@router.get("/healthz", operation_id="ops_health", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", operation_id="ops_ready", summary="The database answers", responses=errors(503)
)
def readyz(request: Request) -> dict[str, str]:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise NotReady("The database is not reachable.") from exc
    return {"status": "ready"}


@router.get(
    "/metrics",
    operation_id="ops_metrics",
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
)
def metrics() -> PlainTextResponse:
    """Requests and latency by route template and status, for this process."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


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
