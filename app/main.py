"""The application factory: `uvicorn --factory app.main:create_app`."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.types import Scope

from app import __version__
from app.api import (
    analytics,
    audit,
    auth,
    coding,
    cooperation_projects,
    demands,
    distributions,
    enterprise_directory,
    events,
    matching,
    ops,
    organizations,
    publications,
    social_service_projects,
    subscriptions,
    taxonomies,
    tech_projects,
    trainings,
)
from app.api.openapi import install_openapi
from app.core import clock
from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.errors import install_error_handlers
from app.core.logs import configure_logging
from app.core.middleware import RequestContextMiddleware
from app.core.rate_limit import MemoryCounter, RateLimitMiddleware, RedisCounter
from app.services.auth import bootstrap_admin
from app.services.webhooks import dispatcher

TITLE = "School-Enterprise Cooperation Platform API"

# The web portal: plain HTML, CSS and ES modules on the public API, served at `/`.
PORTAL = Path(__file__).parent / "portal"


class PortalFiles(StaticFiles):
    """Static files that browsers revalidate (ETag) before each use: an upgraded portal is
    never run from a stale cache."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


class PortalMount(Mount):
    """The portal's files at `/`: it answers GET and HEAD of `/` and of the files it has,
    and leaves every other request to the routes (their 404 and 405 problems included)."""

    def __init__(self, directory: Path) -> None:
        super().__init__("/", app=PortalFiles(directory=str(directory), html=True), name="portal")
        files = (p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
        self.paths = frozenset({"/", *(f"/{f}" for f in files)})

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        if scope["path"] not in self.paths:
            return Match.NONE, {}
        return super().matches(scope)


DESCRIPTION = """
**威海市校企合作信息服务平台** (the Weihai school–enterprise cooperation information
service platform): one source of truth shared by the city's departments, its enterprises
and its vocational colleges.

* Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
  `Authorization: Bearer <token>`, or send an organisation's `X-API-Key`.
* Lists take `limit` (≤ 200) and `offset` and answer `{items, total, limit, offset}`.
* Every error is an RFC 9457 problem (`application/problem+json`) with a `code`
  and the `request_id` echoed in `X-Request-ID`.
"""

TAGS = [
    {"name": "auth", "description": "Sign-in and the current caller"},
    {"name": "organizations", "description": "Organisations, registration, users, API keys"},
    {"name": "reference data", "description": "Major catalogue, industries, districts, clusters"},
    {
        "name": "student distribution",
        "description": "Colleges' half-yearly students by major: uploads, history, totals",
    },
    {
        "name": "publications",
        "description": "Frozen, versioned dataset snapshots, their downloads and the calendar",
    },
    {"name": "events", "description": "The durable, ordered change feed"},
    {"name": "subscriptions", "description": "Webhooks: events POSTed to your URL, signed"},
    {"name": "tech projects", "description": "Tech information and school–locality projects"},
    {"name": "enterprise directory", "description": "The industry bureau's enterprise directory"},
    {
        "name": "cooperation projects",
        "description": "School–enterprise cooperation projects (industry bureau)",
    },
    {
        "name": "social service projects",
        "description": "Skills training by colleges and training institutions",
    },
    {
        "name": "demands",
        "description": "Enterprises' talent demands, their life cycle and colleges' responses",
    },
    {
        "name": "matching",
        "description": "Explainable rankings: supply for a demand, demands for a college",
    },
    {
        "name": "trainings",
        "description": "Pre-job training sessions and the colleges' enrolments (seats)",
    },
    {"name": "coding", "description": "Job titles to occupations of the 2022 大典 (职业分类大典)"},
    {"name": "analytics", "description": "Supply and demand, cooperation indicators, overview"},
    {"name": "audit", "description": "The append-only audit trail (platform admins)"},
    {"name": "operations", "description": "Health, readiness and metrics"},
]


# Bearer tokens and API keys travel in headers, never in cookies: no credentialed CORS.
CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
CORS_REQUEST_HEADERS = [
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Accept-Language",
    "X-Request-ID",
]
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Content-Disposition",
    "Content-Language",
    "WWW-Authenticate",
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock.configure(settings.business_timezone)
    configure_logging(settings.log_format, settings.log_level)
    # Every connection stays open in the pool (no overflow to open and close under load).
    engine = make_engine(settings.database_url, pool_size=settings.pool_size, max_overflow=0)
    sessionmaker = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Made here, in the event loop that serves. Python runs one thread at a time (the
        # GIL): more threads than the database keeps busy only fight over it (bench/pools.py).
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = settings.request_threads
        app.state.session_slots = anyio.Semaphore(settings.transaction_slots)
        try:
            if bootstrap_admin(sessionmaker, settings.app_bootstrap_admin_password):
                logging.getLogger("app").info("created the platform admin 'admin'")
        except OperationalError as exc:  # start anyway: /readyz says 503 until it answers
            logging.getLogger("app").warning("the database is unavailable at start: %s", exc)
        counter = app.state.rate_counter
        if isinstance(counter, RedisCounter) and not await counter.available():
            logging.getLogger("app").warning(
                "REDIS_URL is set but Redis does not answer: the rate limit counts per "
                "process until it does"
            )
        # Everything imported and built so far lives as long as the process: keep it out of
        # the collector's full passes, which otherwise rescan it every few hundred requests.
        gc.collect()
        gc.freeze()
        worker = None
        if settings.app_run_worker:  # the webhook dispatcher, in this process
            worker = dispatcher.start_in_thread(sessionmaker, settings)
        yield
        if worker:
            thread, stop = worker
            stop.set()
            thread.join(timeout=settings.webhook_lease_seconds)
        engine.dispose()

    app = FastAPI(
        title=TITLE,  # ASCII: client generators make a package name of it
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker

    routers = (
        auth,
        organizations,
        taxonomies,
        coding,
        tech_projects,
        enterprise_directory,
        cooperation_projects,
        social_service_projects,
        distributions,
        publications,
        demands,
        matching,
        trainings,
        analytics,
        events,
        subscriptions,
        audit,
        ops,
    )
    for module in routers:
        app.include_router(module.router)
    app.mount(ops.ASSETS_URL, StaticFiles(directory=str(ops.DOCS_ASSETS)), name="docs-assets")
    # After the API's routes; routes added later still answer (the mount knows its files).
    app.router.routes.append(PortalMount(PORTAL))

    install_error_handlers(app)
    install_openapi(app, description=DESCRIPTION, tags=TAGS)
    app.state.rate_counter = None
    if settings.rate_limit_per_minute:
        counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
        app.state.rate_counter = counter
        app.add_middleware(
            RateLimitMiddleware,
            per_minute=settings.rate_limit_per_minute,
            counter=counter,
            settings=settings,
        )
    app.add_middleware(  # outermost: the rate limit sees the request id and address
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        trust_forwarded_for=settings.trust_forwarded_for,
    )
    if settings.cors_origins:  # outermost, so that every answer carries it: 413, 429, 500 too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )
    return app
