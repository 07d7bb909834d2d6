"""CORS in a real browser: a page on another origin reads, signs in, writes and reads errors
and the exposed headers; a page on an origin that is not listed is refused."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.models.enums import Department, OrgType
from tests.browser import PageLog, static_files
from tests.factories import (
    PASSWORD,
    demand_body,
    feed_payload,
    key_headers,
    make_department,
    make_org,
    make_user,
)
from tests.live_server import serving

if TYPE_CHECKING:  # without playwright installed the tests are skipped, not broken
    from playwright.sync_api import Page

PAGES = Path(__file__).parent / "browser_pages"
RATE_LIMIT = 30  # per minute and client: far above what the other steps ask, cheap to exceed


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    """The origin the API lists (the pages' own server)."""
    with static_files(PAGES) as origin:
        yield origin


@pytest.fixture(scope="module")
def stranger() -> Iterator[str]:
    """The same pages from an origin the API does not list."""
    with static_files(PAGES) as origin:
        yield origin


@pytest.fixture(scope="module")
def api(database_url: str, portal: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("browser-cors") / "server.log"
    with serving(
        database_url,
        log,
        CORS_ALLOW_ORIGINS=portal,
        RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT),
        APP_RUN_WORKER="false",
    ) as base:
        yield base


def _open(page: "Page", origin: str, api: str) -> None:
    page.goto(f"{origin}/cross_origin.html?api={api}")


def _published_tech_project(api: str, db: sessionmaker[Session]) -> tuple[dict[str, Any], str]:
    """A published project of a fresh tech bureau, and the username of one of its users."""
    bureau = make_department(db, Department.tech)
    headers = key_headers(db, bureau)
    created = httpx.post(
        f"{api}/api/v1/tech-projects", json=feed_payload(db, "tech_project"), headers=headers
    )
    assert created.status_code == 201, created.text
    published = httpx.post(
        f"{api}/api/v1/tech-projects/{created.json()['id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    return published.json(), make_user(db, bureau).username


def test_a_page_on_a_listed_origin_reads_writes_and_reads_errors(
    page, page_log: PageLog, screenshot, api, portal, db
):
    page_log.allow_status(404, 409, 412, 422, 429)  # the answers asked for below, no others
    project, username = _published_tech_project(api, db)
    enterprise_key = key_headers(db, make_org(db, OrgType.enterprise))["X-API-Key"]
    _open(page, portal, api)
    run = page.evaluate
    # A page reads an answer's header only when the API exposes it (else it reads null):
    # every header asserted below was read by the page itself.

    listed = run("crossOrigin.readList('/api/v1/tech-projects', 'browser-list-1')")
    assert listed == {
        "status": 200,
        "total": 1,
        "titles": [project["title"]],
        "requestId": "browser-list-1",
    }

    signed_in = run("([u, p]) => crossOrigin.signIn(u, p)", [username, PASSWORD])
    assert signed_in == {"status": 200, "tokenType": "bearer", "signedIn": True}

    changes = {"summary": "征集海参精深加工校地合作团队（已更新）"}
    path = f"/api/v1/tech-projects/{project['id']}"
    edit = run("([path, changes]) => crossOrigin.editWithIfMatch(path, changes)", [path, changes])
    assert re.fullmatch(r'W/"\d+"', edit["readEtag"]), edit
    assert edit["status"] == 200 and edit["item"] == changes
    assert edit["newEtag"] != edit["readEtag"]
    assert (edit["staleStatus"], edit["staleCode"]) == (412, "stale_version")

    invalid = run("crossOrigin.readProblem('invalid', 'POST', '/api/v1/tech-projects', {})")
    assert invalid["status"] == 422
    assert invalid["contentType"].startswith("application/problem+json")
    assert invalid["contentLanguage"] == "zh-CN"
    assert (invalid["title"], invalid["code"]) == ("请求内容无效", "validation_error")
    assert invalid["detail"] == "请求内容无效，详见 errors。"
    assert "body.title: 缺少必填字段" in invalid["errors"]
    assert invalid["requestId"]
    nowhere = run("crossOrigin.readProblem('not-found', 'GET', '/api/v1/nowhere')")
    assert (nowhere["status"], nowhere["code"], nowhere["detail"]) == (
        404,
        "not_found",
        "没有这个地址。",
    )

    demand = demand_body(external_id="browser-cors-1")
    twice = run(
        "([demand, key]) => crossOrigin.createTwice('/api/v1/demands', demand, key)",
        [demand, enterprise_key],
    )
    assert (twice["status"], twice["againStatus"]) == (201, 409)
    assert twice["againCode"] == "duplicate_external_id"
    assert twice["location"] == f"/api/v1/demands/{twice['id']}"

    # A fixed window: within 2 × limit + 1 requests one is refused, whenever the minute turns.
    # (On a route that reads the key, so that it counts as the organisation's, not the
    # address's: the next test reads from the same address.)
    limited = run(
        "([key, max]) => crossOrigin.exhaustRateLimit('/api/v1/auth/me', key, max)",
        [key_headers(db, make_org(db, OrgType.college))["X-API-Key"], 2 * RATE_LIMIT + 1],
    )
    assert (limited["status"], limited["code"]) == (429, "rate_limited")
    assert 1 <= int(limited["retryAfter"]) <= 61

    def shown(step: str, field: str) -> str:
        return str(
            page.locator(f'section[data-step="{step}"] dd[data-field="{field}"]').inner_text()
        )

    assert shown("list", "titles") == f'["{project["title"]}"]'
    assert shown("edit", "item") == '{"summary":"征集海参精深加工校地合作团队（已更新）"}'
    assert shown("invalid", "detail") == "请求内容无效，详见 errors。"
    assert shown("invalid", "code") == "validation_error"
    assert shown("not-found", "detail") == "没有这个地址。"
    assert shown("create-twice", "location") == twice["location"]
    screenshot("results")


def test_a_page_on_an_unlisted_origin_is_refused(page, page_log: PageLog, api, portal, stranger):
    # What the browser says when it refuses: the test expects exactly this, nothing else.
    page_log.allow(r"^console error: Access to fetch at .* has been blocked by CORS policy")
    page_log.allow(rf"^console error: Failed to load resource: net::ERR_FAILED \({re.escape(api)}/")
    page_log.allow(rf"^failed request: (GET|POST) {re.escape(api)}/.*net::ERR_FAILED")
    _open(page, stranger, api)
    read = page.evaluate("crossOrigin.tryFetch('read', 'GET', '/api/v1/taxonomies/districts')")
    assert read == {"ok": False, "error": "TypeError: Failed to fetch"}
    write = page.evaluate("crossOrigin.tryFetch('write', 'POST', '/api/v1/registrations', {})")
    assert write == {"ok": False, "error": "TypeError: Failed to fetch"}
    # Chromium says why: no grant on the answer to the read, none on the write's preflight.
    refusals = [e for e in page_log.entries if "has been blocked by CORS policy" in e]
    assert len(refusals) == 2, page_log.entries
    assert "preflight" not in refusals[0] and "preflight" in refusals[1]

    # The server answers such a request; only the browser withholds the answer.
    answer = httpx.get(f"{api}/api/v1/taxonomies/districts", headers={"Origin": stranger})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers

    # The same page from the listed origin is let through.
    _open(page, portal, api)
    read = page.evaluate("crossOrigin.tryFetch('read', 'GET', '/api/v1/taxonomies/districts')")
    assert read == {"ok": True, "status": 200}
