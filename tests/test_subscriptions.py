"""Webhook subscriptions: an organisation's own, validated, with URLs checked for safety."""

import pytest

from app.models.enums import OrgStatus, OrgType, Role
from tests.factories import assert_problem, login, make_admin, make_user, org_headers

SUBS = "/api/v1/subscriptions"
URL = "http://127.0.0.1:9/hook"


@pytest.fixture
def allow_private(app, monkeypatch):
    """Loopback receivers are private addresses: allow them, as a test deployment would."""
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)


def new_sub(client, headers, **overrides):
    body = {"url": URL, "event_types": ["demand.*"], **overrides}
    response = client.post(SUBS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_update_delete(client, db, allow_private):
    org, headers = org_headers(client, db)
    created = new_sub(
        client,
        headers,
        event_types=["demand.opened", "training.*"],
        filters={"major_prefixes": ["4601"], "district_codes": ["371002"]},
        description="人力资源系统",
    )
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["organization_id"] == org.id
    assert created["active"] is True and created["consecutive_failures"] == 0
    assert created["filters"] == {"major_prefixes": ["4601"], "district_codes": ["371002"]}
    sub_id = created["id"]

    got = client.get(f"{SUBS}/{sub_id}", headers=headers).json()
    assert "secret" not in got
    assert got["event_types"] == ["demand.opened", "training.*"]
    listed = client.get(SUBS, headers=headers).json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]

    patched = client.patch(
        f"{SUBS}/{sub_id}", json={"event_types": ["*"], "active": False}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False and patched.json()["disabled_at"]
    again = client.patch(f"{SUBS}/{sub_id}", json={"active": True}, headers=headers).json()
    assert again["active"] is True and again["disabled_reason"] is None

    deliveries = client.get(f"{SUBS}/{sub_id}/deliveries", headers=headers)
    assert deliveries.status_code == 200 and deliveries.json()["total"] == 0

    assert client.delete(f"{SUBS}/{sub_id}", headers=headers).status_code == 204
    assert_problem(client.get(f"{SUBS}/{sub_id}", headers=headers), 404)

    audit = client.get(
        "/api/v1/audit-events",
        params={"resource_type": "subscription"},
        headers=login(client, make_admin(db)),
    ).json()
    actions = sorted(e["action"] for e in audit["items"])
    assert actions == [
        "subscription.create",
        "subscription.delete",
        "subscription.update",
        "subscription.update",
    ]
    assert all("whsec_" not in str(e["summary"]) for e in audit["items"])


def test_members_and_api_keys_may_subscribe(client, db, allow_private):
    org, admin_headers = org_headers(client, db, OrgType.college)
    member = login(client, make_user(db, org, Role.member))
    new_sub(client, member)
    key = client.post(
        f"/api/v1/organizations/{org.id}/api-keys", json={"name": "ERP"}, headers=admin_headers
    ).json()["key"]
    new_sub(client, {"X-API-Key": key})
    assert client.get(SUBS, headers=admin_headers).json()["total"] == 2


def test_who_may_not_call(client, db, allow_private):
    _org, headers = org_headers(client, db)
    sub_id = new_sub(client, headers)["id"]
    _other, other = org_headers(client, db)
    _pending, pending = org_headers(client, db, status=OrgStatus.pending)
    admin = login(client, make_admin(db))
    body = {"url": URL, "event_types": ["*"]}

    for method, path, json in [
        ("POST", SUBS, body),
        ("GET", SUBS, None),
        ("GET", f"{SUBS}/{sub_id}", None),
        ("PATCH", f"{SUBS}/{sub_id}", {"active": False}),
        ("DELETE", f"{SUBS}/{sub_id}", None),
        ("GET", f"{SUBS}/{sub_id}/deliveries", None),
    ]:
        assert_problem(client.request(method, path, json=json), 401)
        assert_problem(client.request(method, path, json=json, headers=pending), 403)
        assert_problem(
            client.request(method, path, json=json, headers=admin), 403, "organization_required"
        )
        if path != SUBS:  # another organisation's subscription does not exist for them
            assert_problem(client.request(method, path, json=json, headers=other), 404)
    assert client.get(SUBS, headers=other).json()["total"] == 0
    assert client.get(f"{SUBS}/{sub_id}", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"event_types": ["*"]}, "url"),
        ({"url": URL}, "event_types"),
        ({"url": URL, "event_types": []}, "event_types"),
        ({"url": URL, "event_types": ["demand"]}, "event_types"),
        ({"url": URL, "event_types": ["Demand.*"]}, "event_types"),
        ({"url": URL, "event_types": ["*.opened"]}, "event_types"),
        ({"url": URL, "event_types": "demand.*"}, "event_types"),
        ({"url": URL, "event_types": ["*"], "filters": {"majors": ["46"]}}, "filters"),
        ({"url": URL, "event_types": ["*"], "filters": {"major_prefixes": ["4"]}}, "filters"),
        ({"url": URL, "event_types": ["*"], "filters": {"major_prefixes": "46"}}, "filters"),
        ({"url": URL, "event_types": ["*"], "filters": {"district_codes": ["威海"]}}, "filters"),
        ({"url": URL * 300, "event_types": ["*"]}, "url"),
        ({"url": "", "event_types": ["*"]}, "url"),
        ({"url": URL, "event_types": ["*"], "active": "perhaps"}, "active"),
        ({"url": "ftp://127.0.0.1/x", "event_types": ["*"]}, "url"),
        ({"url": "127.0.0.1:8000/hook", "event_types": ["*"]}, "url"),
        ({"url": "http://", "event_types": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:99999/x", "event_types": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/x#frag", "event_types": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/a b", "event_types": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/\u0000", "event_types": ["*"]}, "url"),
        ({"url": "http://exa\u0000mple.com/", "event_types": ["*"]}, "url"),
        ({"url": "http://[::1/x", "event_types": ["*"]}, "url"),
    ],
)
def test_bad_input_is_422(client, db, allow_private, body, loc):
    _org, headers = org_headers(client, db)
    problem = assert_problem(client.post(SUBS, json=body, headers=headers), 422)
    assert any(loc in e["loc"] for e in problem["errors"]), problem


def test_bad_update_is_422(client, db, allow_private):
    _org, headers = org_headers(client, db)
    sub_id = new_sub(client, headers)["id"]
    for body, loc in [
        ({"url": None}, "url"),
        ({"event_types": None}, "event_types"),
        ({"active": None}, "active"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url"),
        ({"event_types": ["nope"]}, "event_types"),
    ]:
        problem = assert_problem(client.patch(f"{SUBS}/{sub_id}", json=body, headers=headers), 422)
        assert any(loc in e["loc"] for e in problem["errors"]), (body, problem)
    assert_problem(client.get(f"{SUBS}/abc", headers=headers), 422)
    assert_problem(
        client.get(f"{SUBS}/{sub_id}/deliveries", params={"status": "lost"}, headers=headers), 422
    )


ALWAYS_REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.10.1/hook",
    "http://[fe80::1]/hook",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.google.internal./computeMetadata/v1/",
    "http://100.100.100.200/latest/meta-data/",
    "http://0.0.0.0:8000/hook",
    "http://[::]/hook",
    "http://224.0.0.1/hook",
]
PRIVATE = [
    "http://127.0.0.1:8000/hook",
    "http://localhost:8000/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://[::1]:8000/hook",
    "http://[fd12:3456::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
]


@pytest.mark.parametrize("url", ALWAYS_REFUSED)
def test_link_local_and_metadata_addresses_are_always_refused(client, db, allow_private, url):
    _org, headers = org_headers(client, db)
    problem = assert_problem(
        client.post(SUBS, json={"url": url, "event_types": ["*"]}, headers=headers), 422
    )
    assert problem["errors"][0]["loc"] == ["body", "url"]


@pytest.mark.parametrize("url", PRIVATE)
def test_loopback_and_private_addresses_need_the_setting(client, db, app, monkeypatch, url):
    _org, headers = org_headers(client, db)
    body = {"url": url, "event_types": ["*"]}
    problem = assert_problem(client.post(SUBS, json=body, headers=headers), 422)
    assert problem["errors"][0]["loc"] == ["body", "url"]
    assert "WEBHOOK_ALLOW_PRIVATE" in problem["errors"][0]["msg"]
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)
    assert client.post(SUBS, json=body, headers=headers).status_code == 201


def test_production_requires_https(client, db, app, monkeypatch):
    _org, headers = org_headers(client, db)
    monkeypatch.setattr(app.state.settings, "app_env", "production")
    body = {"url": "http://1.2.3.4/hook", "event_types": ["*"]}
    problem = assert_problem(client.post(SUBS, json=body, headers=headers), 422)
    assert "https" in problem["errors"][0]["msg"]
    body["url"] = "https://1.2.3.4/hook"
    assert client.post(SUBS, json=body, headers=headers).status_code == 201
    # A private deployment may use plain http on its own network.
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)
    body["url"] = "http://10.0.0.5/hook"
    assert client.post(SUBS, json=body, headers=headers).status_code == 201


def test_at_most_fifty_per_organisation(client, db, allow_private):
    from app.core.db import transaction
    from app.models import Subscription

    org, headers = org_headers(client, db)
    with transaction(db) as session:
        session.add_all(
            Subscription(organization_id=org.id, url=URL, event_types=["*"], secret_encrypted="s")
            for _ in range(50)
        )
    assert_problem(
        client.post(SUBS, json={"url": URL, "event_types": ["*"]}, headers=headers),
        409,
        "too_many_subscriptions",
    )
