"""Several processes at once, on PostgreSQL: `python -m app serve --workers 2` with its two
in-process dispatchers, written to and read from concurrently over real HTTP.

The feed must show every event once, in order, whichever process wrote it; every event must
reach each webhook exactly once (the receiver always answers 200, so one try each), signed,
although both processes dispatch at the same time. Colleges racing for a training's seats
through both processes must never get more seats than it has.
"""

import hashlib
import hmac
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.db import normalize_url
from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database
from tests.live_server import seat_race, serving
from tests.webhook_receiver import Answer, Receiver

WRITES = 60
COLLEGES = 61
ADMIN_PASSWORD = "multi-process-admin-pass"


@pytest.fixture
def fresh_pg(database_url: str) -> Iterator[str]:
    if make_url(database_url).get_backend_name() != "postgresql" or not PG_URL:
        pytest.skip("several processes share a database on PostgreSQL only")
    url, admin = _create_pg_database(PG_URL)
    yield url
    _drop_pg_database(admin, url)


@pytest.fixture
def platform(fresh_pg: str, tmp_path) -> Iterator[tuple[str, str]]:
    """The platform served by two worker processes; (base URL, database URL)."""
    env = {
        "APP_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WORKER_POLL_SECONDS": "0.2",
        "WORKER_BATCH_SIZE": "5",
        "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
    }
    with serving(fresh_pg, tmp_path / "serve.log", workers=2, **env) as base:
        yield base, fresh_pg


def _token(base: str, username: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _post(base: str, path: str, headers: dict[str, str], body: dict) -> dict:
    # A new connection every time, so that the kernel spreads requests over both processes.
    response = httpx.post(f"{base}{path}", json=body, headers={**headers, "Connection": "close"})
    assert response.status_code == 201, response.text
    return response.json()


def test_two_processes_keep_the_feed_and_webhooks_exact(platform):
    base, database = platform
    admin = _token(base, "admin", ADMIN_PASSWORD)
    with Receiver(lambda _r: Answer(200, delay=0.02)) as receiver:
        # An organisation that subscribes twice to every organisation event.
        college = {"name": "威海订阅测试学院", "org_type": "college", "district_code": "371002"}
        owner = _post(base, "/api/v1/organizations", admin, college)
        _post(base, f"/api/v1/organizations/{owner['id']}/users", admin,
              {"username": "hooks", "password": "hooks-password-1", "role": "admin"})  # fmt: skip
        headers = _token(base, "hooks", "hooks-password-1")
        secrets = {
            path: _post(base, "/api/v1/subscriptions", headers, {
                "url": receiver.url + path, "event_types": ["organization.*"]})["secret"]
            for path in ("/one", "/two")
        }  # fmt: skip

        # Writers through both processes while a reader follows the feed.
        created: list[int] = []
        lock = threading.Lock()

        def write(n: int) -> None:
            for i in range(n, WRITES, 6):
                org = _post(base, "/api/v1/organizations", admin, {
                    "name": f"并发测试学院{i:03d}", "org_type": "college"})  # fmt: skip
                with lock:
                    created.append(org["id"])

        writers = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for w in writers:
            w.start()
        seen: list[dict] = []
        cursor = None
        with httpx.Client(base_url=base, headers=admin) as reader:
            while True:
                writing = any(w.is_alive() for w in writers)
                params = {"limit": 9, **({"after": cursor} if cursor else {})}
                page = reader.get("/api/v1/events", params=params).json()
                seen += page["items"]
                cursor = page["next_cursor"]
                if not writing and not page["has_more"]:
                    break
                time.sleep(0.01)
        for w in writers:
            w.join()

        # The feed: every event once, in id order; every approval there.
        ids = [e["id"] for e in seen]
        assert ids == sorted(set(ids))
        approved = [e["resource"]["id"] for e in seen if e["type"] == "organization.approved"]
        assert sorted(approved) == sorted([owner["id"], *created])
        assert len(created) == WRITES

        # Webhooks: each of the WRITES events to each subscription, once, signed.
        received = receiver.wait_for(2 * WRITES, timeout=30)
        time.sleep(0.5)  # a duplicate would arrive meanwhile
        received = receiver.received
        expected = {str(e["id"]) for e in seen if e["resource"]["id"] in created}
        per_path = Counter((r.path, r.headers["x-webhook-id"]) for r in received)
        assert set(per_path) == {(p, i) for p in ("/hook/one", "/hook/two") for i in expected}
        assert set(per_path.values()) == {1}, "a try was sent twice"
        for r in received:
            secret = secrets[r.path.removeprefix("/hook")]
            mac = hmac.new(secret.encode(), r.body, hashlib.sha256).hexdigest()
            assert r.headers["x-webhook-signature"] == f"sha256={mac}"

    # Both processes dispatched, and no try was made twice.
    engine = create_engine(normalize_url(database))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, attempt, claimed_by FROM webhook_deliveries")
        ).all()
    engine.dispose()
    assert len(rows) == 2 * WRITES
    assert {(status, attempt) for status, attempt, _ in rows} == {("succeeded", 1)}
    dispatchers = {claimed.rsplit(":", 1)[0] for _s, _a, claimed in rows}
    assert len(dispatchers) == 2, dispatchers

    # One /metrics scrape counts both processes' requests (multiprocess mode).
    # +1: the organisation created before the writers started.
    assert _scraped(base, "/api/v1/organizations", ("201",)) == WRITES + 1


def test_two_processes_keep_the_seat_limit(platform):
    """61 colleges ask for one of 20 seats at the same moment, through both processes:
    exactly 20 get one, the others are told it is full, and the database agrees."""
    base, database = platform
    race = seat_race(base, database, colleges=COLLEGES, capacity=20)
    assert race.answers.count((201, None)) == 20, race.answers
    assert race.answers.count((409, "training_full")) == COLLEGES - 20, race.answers
    assert (race.seats_taken, race.enrollments) == (20, 20)
    route = "/api/v1/trainings/{training_id}/enrollments"
    assert _scraped(base, route, ("201", "409")) == COLLEGES


def _scraped(base: str, route: str, statuses: tuple[str, ...]) -> int:
    """How many POSTs to `route` were answered, as one /metrics scrape reports them for
    both processes together; asserts that both processes answered requests."""
    body = httpx.get(f"{base}/metrics").text
    pattern = re.compile(
        rf'^http_requests_total\{{method="POST",route="{re.escape(route)}",status="(\d+)"\}} '
        r"([0-9.]+)$",
        re.M,
    )
    found = {status: float(n) for status, n in pattern.findall(body)}
    workers = re.findall(r'^http_worker_requests\{pid="(\d+)"\} ([0-9.]+)$', body, re.M)
    assert len([pid for pid, n in workers if float(n) > 0]) == 2, workers
    return int(sum(found.get(status, 0) for status in statuses))
