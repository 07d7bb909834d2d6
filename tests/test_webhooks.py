"""The webhook dispatcher against a real receiver on 127.0.0.1: signatures, filters, retries,
automatic disabling, lost workers, several dispatchers at once, and the worker command."""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core.config import DEFAULT_SECRET
from app.core.crypto import SecretBox, parse_keys
from app.core.db import transaction
from app.main import create_app
from app.models import Subscription, WebhookDelivery
from app.services.events import record_event
from app.services.webhooks import dispatcher
from tests.conftest import settings_for
from tests.factories import assert_problem, login, make_admin, make_org, org_headers
from tests.webhook_receiver import Answer, Receiver

SUBS = "/api/v1/subscriptions"


@pytest.fixture
def settings(app, monkeypatch):
    """Dispatcher settings for loopback receivers and quick retries (the app's, too)."""
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)
    return app.state.settings.model_copy(
        update={
            "webhook_first_retry_seconds": 0.05,
            "webhook_connect_timeout_seconds": 1.0,
            "webhook_read_timeout_seconds": 1.0,
        }
    )


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def subscribe(client, headers, url, **overrides):
    body = {"url": url, "event_types": ["*"], **overrides}
    response = client.post(SUBS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def emit(db, type_="demand.opened", *, org_id=None, public=True, resource_id=1, **data):
    with transaction(db) as session:
        return record_event(
            session,
            type_,
            resource_id=resource_id,
            data=data,
            organization_id=org_id,
            public=public,
        ).id


def drain(db, settings, until=None, timeout=10.0):
    """Run dispatcher rounds until `until()` holds, or else until no try is left to make."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = dispatcher.run_once(db, settings)
        if until is not None and until():
            return
        if not busy:
            if until is None and not _waiting(db):
                return
            time.sleep(0.02)
    raise AssertionError("the dispatcher did not get there in time")


def _waiting(db):
    with db() as session:
        return session.scalar(
            select(WebhookDelivery.id)
            .join(Subscription)
            .where(WebhookDelivery.status.in_(["pending", "sending"]))
            .where(Subscription.active.is_(True))
            .limit(1)
        )


def tries(client, headers, sub_id):
    page = client.get(f"{SUBS}/{sub_id}/deliveries", params={"limit": 200}, headers=headers)
    assert page.status_code == 200, page.text
    return sorted(page.json()["items"], key=lambda d: (d["event_id"], d["attempt"]))


def test_a_delivery_is_the_signed_event(client, db, settings, receiver):
    org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    event_id = emit(db, "demand.opened", org_id=org.id, resource_id=5, title="数控技术员")
    drain(db, settings)

    [request] = receiver.received
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-webhook-id"] == str(event_id)
    assert request.headers["x-webhook-event"] == "demand.opened"
    expected = hmac.new(sub["secret"].encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["x-webhook-signature"], f"sha256={expected}")
    feed_item = client.get("/api/v1/events", headers=headers).json()["items"][0]
    assert json.loads(request.body) == feed_item
    assert feed_item["data"] == {"title": "数控技术员"}

    [attempt] = tries(client, headers, sub["id"])
    assert attempt["event_id"] == event_id and attempt["attempt"] == 1
    assert attempt["status"] == "succeeded" and attempt["response_status"] == 200
    assert attempt["error"] is None and attempt["started_at"] and attempt["finished_at"]
    assert client.get(f"{SUBS}/{sub['id']}", headers=headers).json()["last_success_at"]


def test_only_wanted_and_readable_events_are_delivered(client, db, settings, receiver):
    org, headers = org_headers(client, db)
    other = make_org(db)
    emit(db, "demand.opened", resource_id=100)  # before the subscription: not delivered
    subscribe(
        client,
        headers,
        receiver.url,
        event_types=["demand.*", "subscription.disabled"],
        filters={"major_prefixes": ["4601", "5602"], "district_codes": ["371002"]},
    )
    wanted = {
        emit(db, "demand.opened", resource_id=1, major_codes=["460101"], district_code="371002"),
        emit(db, "demand.opened", resource_id=2, major_codes=["46"]),  # the whole category
        emit(db, "demand.closed", resource_id=3, major_code="560201"),
        emit(db, "demand.opened", resource_id=4, title="no major, no district"),
        emit(db, "demand.created", resource_id=5, org_id=org.id, public=False),  # its own
    }
    emit(db, "demand.opened", resource_id=6, major_codes=["5701", "4602"])
    emit(db, "demand.opened", resource_id=7, major_codes=["460101"], district_code="371003")
    emit(db, "tech_project.published", resource_id=8)
    emit(db, "demand.created", resource_id=9, org_id=other.id, public=False)  # not readable
    drain(db, settings)
    assert {int(r.headers["x-webhook-id"]) for r in receiver.received} == wanted
    assert len(receiver.received) == len(wanted)


def test_failures_are_retried_with_back_off(client, db, settings, receiver):
    answers = iter([Answer(500, b"boom"), Answer(503), Answer(204, b"")])
    receiver.respond = lambda _r: next(answers)
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    event_id = emit(db)
    drain(db, settings, until=lambda: len(receiver.received) == 3)
    drain(db, settings)

    first, second, third = tries(client, headers, sub["id"])
    assert [t["attempt"] for t in (first, second, third)] == [1, 2, 3]
    assert [t["status"] for t in (first, second, third)] == ["failed", "failed", "succeeded"]
    assert first["response_status"] == 500 and first["error"] == "HTTP 500: boom"
    assert second["error"] == "HTTP 503: ok"
    assert third["response_status"] == 204 and third["error"] is None
    assert all(r.headers["x-webhook-id"] == str(event_id) for r in receiver.received)
    assert [r.headers["x-webhook-attempt"] for r in receiver.received] == ["1", "2", "3"]
    # Exponential back-off: 0.05 s, then 0.1 s after the previous try.
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1


def test_retry_schedule_defaults():
    settings = settings_for("sqlite://")
    assert settings.webhook_max_attempts == 10
    assert dispatcher.retry_delay(settings, 1) == timedelta(seconds=5)
    assert dispatcher.retry_delay(settings, 2) == timedelta(seconds=10)
    assert dispatcher.retry_delay(settings, 9) == timedelta(seconds=1280)
    assert dispatcher.retry_delay(settings, 20) == timedelta(seconds=3600)


def test_repeated_failure_disables_the_subscription(client, db, settings, receiver):
    settings = settings.model_copy(
        update={"webhook_max_attempts": 2, "webhook_disable_after_failures": 2}
    )
    succeed_for = set()
    receiver.respond = lambda r: Answer(
        200 if r.path == "/hook/watch" or r.headers["x-webhook-id"] in succeed_for else 500
    )
    org, headers = org_headers(client, db)
    _other, other_headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url, event_types=["demand.*"])
    watcher = subscribe(client, headers, receiver.url + "/watch", event_types=["subscription.*"])

    emit(db, resource_id=1)  # fails both tries: 1 in a row
    drain(db, settings)
    succeed_for.add(str(emit(db, resource_id=2)))  # succeeds: back to 0
    drain(db, settings)
    emit(db, resource_id=3)  # 1 in a row
    drain(db, settings)
    state = client.get(f"{SUBS}/{sub['id']}", headers=headers).json()
    assert state["active"] is True and state["consecutive_failures"] == 1

    emit(db, resource_id=4)  # 2 in a row: disabled
    drain(db, settings)
    state = client.get(f"{SUBS}/{sub['id']}", headers=headers).json()
    assert state["active"] is False and state["consecutive_failures"] == 2
    assert "2 events in a row" in state["disabled_reason"]
    assert "HTTP 500" in state["disabled_reason"]
    emit(db, resource_id=5)  # nothing more for a disabled subscription
    drain(db, settings)
    main_requests = [r for r in receiver.received if r.path == "/hook"]
    assert len(main_requests) == 7  # 2 + 1 + 2 + 2 tries

    disabled = client.get(
        "/api/v1/events", params={"types": "subscription.disabled"}, headers=headers
    ).json()["items"]
    assert [e["resource"]["id"] for e in disabled] == [sub["id"]]
    assert disabled[0]["data"]["active"] is False and "secret" not in disabled[0]["data"]
    hidden = client.get(
        "/api/v1/events", params={"types": "subscription.*"}, headers=other_headers
    ).json()
    assert hidden["items"] == []
    # The organisation's other subscription heard about it.
    [notice] = [r for r in receiver.received if r.path == "/hook/watch"]
    assert json.loads(notice.body)["type"] == "subscription.disabled"
    assert watcher["id"] != sub["id"]
    audit = client.get(
        "/api/v1/audit-events",
        params={"action": "subscription.disable"},
        headers=login(client, make_admin(db)),
    ).json()
    assert audit["total"] == 1

    # Turned on again, it starts afresh with the events recorded from then on.
    receiver.respond = lambda _r: Answer(200)
    again = client.patch(f"{SUBS}/{sub['id']}", json={"active": True}, headers=headers).json()
    assert again["active"] is True and again["consecutive_failures"] == 0
    fresh = emit(db, resource_id=6)
    drain(db, settings)
    assert receiver.received[-1].headers["x-webhook-id"] == str(fresh)


def test_network_errors_timeouts_redirects_and_big_answers(client, db, settings):
    _org, headers = org_headers(client, db)

    def respond(request):
        return {
            "/slow": Answer(200, delay=1.5),
            "/redirect": Answer(302, b"", headers={"Location": "http://169.254.169.254/"}),
            "/big": Answer(200, b"x" * (5 * 1024 * 1024)),
        }.get(request.path, Answer())

    with Receiver(respond) as r:
        base = f"http://127.0.0.1:{r.port}"
        subs = {
            path: subscribe(client, headers, base + path)["id"]
            for path in ("/slow", "/redirect", "/big")
        }
        closed = subscribe(client, headers, "http://127.0.0.1:1/hook")["id"]
        settings = settings.model_copy(update={"webhook_max_attempts": 1})
        emit(db)
        drain(db, settings)
        assert len(r.received) == 3  # the redirect was not followed

    [slow] = tries(client, headers, subs["/slow"])
    assert slow["status"] == "failed" and "ReadTimeout" in slow["error"]
    [redirect] = tries(client, headers, subs["/redirect"])
    assert redirect["status"] == "failed" and redirect["response_status"] == 302
    [big] = tries(client, headers, subs["/big"])
    assert big["status"] == "succeeded"
    [refused] = tries(client, headers, closed)
    assert refused["status"] == "failed" and "cannot connect to 127.0.0.1" in refused["error"]


def test_addresses_are_checked_again_at_send_time(client, db, settings, receiver, app):
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    settings = settings.model_copy(update={"webhook_allow_private": False})
    emit(db)
    dispatcher.run_once(db, settings)
    assert receiver.received == []
    [attempt] = [t for t in tries(client, headers, sub["id"]) if t["attempt"] == 1]
    assert attempt["status"] == "failed"
    assert attempt["error"].startswith("refused: 127.0.0.1 is a loopback or private address")


def test_a_lost_worker_s_try_is_retried(client, db, settings, receiver):
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    emit(db)
    short = settings.model_copy(update={"webhook_lease_seconds": 0.01})
    dispatcher.fan_out(db, short)
    [lost] = dispatcher.claim_due(db, short)  # ... and the worker dies before sending
    assert dispatcher.claim_due(db, short) == []  # nobody else takes it while leased
    time.sleep(0.05)
    drain(db, settings)
    assert [r.headers["x-webhook-attempt"] for r in receiver.received] == ["2"]
    first, second = tries(client, headers, sub["id"])
    assert first["status"] == "failed" and "lease expired" in first["error"]
    assert second["status"] == "succeeded"
    # The lost worker coming back to record its outcome changes nothing.
    dispatcher.finish(db, settings, lost, dispatcher.sending.Outcome(True, 200))
    assert [t["status"] for t in tries(client, headers, sub["id"])] == ["failed", "succeeded"]


def test_concurrent_dispatchers_send_each_try_once(client, db, settings):
    # Generous timeouts: on a loaded machine a 1 s read timeout rightly makes a retry, and
    # this test is about dispatchers sharing the work, not about slow receivers.
    settings = settings.model_copy(update={"webhook_read_timeout_seconds": 10.0})
    with Receiver(lambda _r: Answer(200, delay=0.005)) as r:
        _org, headers = org_headers(client, db)
        for path in ("/a", "/b"):
            subscribe(client, headers, f"http://127.0.0.1:{r.port}{path}")
        stop = threading.Event()
        workers = [
            threading.Thread(target=dispatcher.run_worker, args=(db, settings, stop))
            for _ in range(4)
        ]
        for w in workers:
            w.start()
        try:
            events = [emit(db, resource_id=n) for n in range(40)]
            received = r.wait_for(80, timeout=30)
            time.sleep(0.3)  # anything sent twice would arrive meanwhile
        finally:
            stop.set()
            for w in workers:
                w.join()
        got = sorted((q.path, int(q.headers["x-webhook-id"])) for q in r.received)
    assert len(received) >= 80
    assert got == sorted((p, e) for p in ("/a", "/b") for e in events)
    with db() as session:
        rows = session.scalars(select(WebhookDelivery)).all()
    assert len(rows) == 80, [(d.status, d.error) for d in rows if d.status != "succeeded"]
    assert {d.status for d in rows} == {"succeeded"}
    assert {d.attempt for d in rows} == {1}


def test_serve_runs_the_dispatcher_in_process(database_url, db, client, receiver):
    _org, headers = org_headers(client, db)
    settings = settings_for(
        database_url, app_run_worker=True, webhook_allow_private=True, worker_poll_seconds=0.05
    )
    application = create_app(settings)
    with TestClient(application) as own_client:
        sub = subscribe(own_client, headers, receiver.url)
        event_id = emit(db)
        [request] = receiver.wait_for(1)
        assert request.headers["x-webhook-id"] == str(event_id)
    application.state.engine.dispose()
    assert sub["active"]


def test_worker_command_delivers_and_stops_on_sigterm(database_url, db, receiver):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_ENV": "development",
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WORKER_POLL_SECONDS": "0.1",
    }
    org = make_org(db)
    with transaction(db) as session:
        session.add(
            Subscription(
                organization_id=org.id,
                url=receiver.url,
                event_types=["*"],
                # the worker runs in development: its key is derived from the default secret
                secret_encrypted=SecretBox(parse_keys(None, DEFAULT_SECRET)).encrypt("k"),
            )
        )
    event_id = emit(db, org_id=org.id)
    worker = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        [request] = receiver.wait_for(1, timeout=30)
        assert request.headers["x-webhook-id"] == str(event_id)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, output
    assert "webhook dispatcher started" in output and "stopped" in output


def test_deliveries_of_another_organisation_are_404(client, db, settings, receiver):
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    _other, other = org_headers(client, db)
    assert_problem(client.get(f"{SUBS}/{sub['id']}/deliveries", headers=other), 404)
    assert_problem(client.get(f"{SUBS}/999999/deliveries", headers=headers), 404)


def _verifies(header: str, secret: str, body: bytes) -> bool:
    mac = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, part.strip()) for part in header.split(","))


def test_secrets_are_encrypted_at_rest(client, db, settings, receiver):
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    with db() as session:
        stored = session.get(Subscription, sub["id"])
        assert stored is not None
        assert sub["secret"] not in stored.secret_encrypted
        assert settings.secret_box.decrypt(stored.secret_encrypted) == sub["secret"]
    other = SecretBox(parse_keys(None, "another-secret-key-of-enough-length-000"))
    with pytest.raises(ValueError, match="cannot be decrypted"):
        other.decrypt(stored.secret_encrypted)


def test_rotation_signs_with_both_secrets_during_the_grace_period(client, db, settings, receiver):
    org, headers = org_headers(client, db)
    sub = subscribe(client, headers, receiver.url)
    rotated = client.post(f"{SUBS}/{sub['id']}/rotate-secret", headers=headers)
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new = rotated.json()
    assert new["secret"].startswith("whsec_") and new["secret"] != sub["secret"]
    assert new["secret_rotated_at"] and new["previous_secret_expires_at"]
    got = client.get(f"{SUBS}/{sub['id']}", headers=headers).json()
    assert "secret" not in got and got["previous_secret_expires_at"]

    emit(db, org_id=org.id)
    drain(db, settings)
    [request] = receiver.received
    header = request.headers["x-webhook-signature"]
    assert header.count("sha256=") == 2 and header.startswith(
        "sha256=" + hmac.new(new["secret"].encode(), request.body, hashlib.sha256).hexdigest()
    )
    assert _verifies(header, new["secret"], request.body)
    assert _verifies(header, sub["secret"], request.body)

    # Past the grace period only the new secret signs.
    with transaction(db) as session:
        stored = session.get(Subscription, sub["id"])
        assert stored is not None and stored.previous_secret_expires_at is not None
        stored.previous_secret_expires_at -= timedelta(hours=settings.webhook_secret_grace_hours)
    emit(db, org_id=org.id)
    drain(db, settings)
    header = receiver.received[-1].headers["x-webhook-signature"]
    assert header.count("sha256=") == 1
    assert _verifies(header, new["secret"], receiver.received[-1].body)
    assert not _verifies(header, sub["secret"], receiver.received[-1].body)


def test_a_second_rotation_retires_the_oldest_secret(client, db, settings, receiver):
    org, headers = org_headers(client, db)
    first = subscribe(client, headers, receiver.url)["secret"]
    url = f"{SUBS}/{{}}/rotate-secret"
    sub_id = client.get(SUBS, headers=headers).json()["items"][0]["id"]
    second = client.post(url.format(sub_id), headers=headers).json()["secret"]
    third = client.post(url.format(sub_id), headers=headers).json()["secret"]
    emit(db, org_id=org.id)
    drain(db, settings)
    [request] = receiver.received
    header = request.headers["x-webhook-signature"]
    assert _verifies(header, third, request.body) and _verifies(header, second, request.body)
    assert not _verifies(header, first, request.body)


def test_who_may_rotate_a_secret(client, db, receiver):
    _org, headers = org_headers(client, db)
    sub = subscribe(client, headers, "https://hooks.example.com/x")
    _other, other_headers = org_headers(client, db)
    url = f"{SUBS}/{sub['id']}/rotate-secret"
    assert_problem(client.post(url), 401, "not_authenticated")
    assert_problem(client.post(url, headers=other_headers), 404, "not_found")
    admin = login(client, make_admin(db))
    assert_problem(client.post(url, headers=admin), 403)
    assert_problem(client.post(f"{SUBS}/0/rotate-secret", headers=headers), 422)
    assert_problem(client.post(f"{SUBS}/99999/rotate-secret", headers=headers), 404)
