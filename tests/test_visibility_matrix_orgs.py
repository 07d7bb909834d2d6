"""One rule per access decision, continued: organisations, webhook subscriptions and the
events both the feed and the webhooks carry.

As in test_visibility_matrix.py, the expected visibility of each resource × state × kind
of caller is written here once and every route that touches the item is asked: hidden,
each answers 404 (or 401/403 to a caller who may never see any such item); visible, none
answers 404.
"""

import pytest
from sqlalchemy import select

from app.models import WebhookDelivery
from app.models.enums import Department, OrgStatus, OrgType, Role
from app.services.webhooks import dispatcher
from tests.factories import (
    key_headers,
    listed,
    login,
    make_admin,
    make_department,
    make_org,
    make_user,
)
from tests.test_webhooks import emit

ORGS = "/api/v1/organizations"
SUBS = "/api/v1/subscriptions"
HIDDEN = {401, 403, 404}
RESPONSIBLE = {OrgType.enterprise: Department.industry, OrgType.college: Department.education}
ORG_STATES = [OrgStatus.pending, OrgStatus.approved, OrgStatus.suspended]


def _org_callers(client, db, org, org_type):
    """Every kind of caller. A suspended organisation's own callers are refused as such."""
    own_user = make_user(db, org, Role.admin)
    callers = {
        "anonymous": {},
        "self_key": key_headers(db, org),
        "self_admin": {} if org.status == OrgStatus.suspended else login(client, own_user),
        "peer": key_headers(db, make_org(db, org_type)),
        "responsible": key_headers(db, make_department(db, RESPONSIBLE[org_type])),
        "other_department": key_headers(db, make_department(db, Department.tech)),
        "admin": login(client, make_admin(db)),
    }
    if org.status == OrgStatus.suspended:
        del callers["self_admin"]
    return callers


def _org_visible(state: OrgStatus, caller: str) -> bool:
    """The rule: approved organisations are public; the others are seen by themselves and
    their supervisors (the responsible department, platform admins)."""
    return state == OrgStatus.approved or caller in (
        "self_key",
        "self_admin",
        "responsible",
        "admin",
    )


def _org_routes(client, org, org_type, caller, headers) -> dict[str, int]:
    url = f"{ORGS}/{org.id}"
    seen = {
        "get": client.get(url, headers=headers).status_code,
        "users": client.get(f"{url}/users", headers=headers).status_code,
        "api_keys": client.get(f"{url}/api-keys", headers=headers).status_code,
    }
    if caller not in ("responsible", "admin") or org.status == OrgStatus.approved:
        seen["approve"] = client.post(f"{url}/approve", headers=headers).status_code
    if caller not in ("responsible", "admin"):
        seen["suspend"] = client.post(f"{url}/suspend", headers=headers).status_code
    if org_type == OrgType.college:
        seen["matches"] = client.get(f"/api/v1/colleges/{org.id}/matches", headers=headers)
        seen["analytics"] = client.get(f"/api/v1/analytics/colleges/{org.id}", headers=headers)
        seen["matches"] = seen["matches"].status_code
        seen["analytics"] = seen["analytics"].status_code
    return seen


@pytest.mark.parametrize("state", ORG_STATES)
@pytest.mark.parametrize("org_type", [OrgType.enterprise, OrgType.college])
def test_organization_routes_agree(client, db, org_type, state):
    org = make_org(db, org_type, status=state)
    for caller, headers in _org_callers(client, db, org, org_type).items():
        visible = _org_visible(state, caller)
        seen = _org_routes(client, org, org_type, caller, headers)
        where = (org_type, state, caller, seen)
        if state == OrgStatus.suspended and caller == "self_key":
            assert set(seen.values()) == {403}, where  # organization_suspended
            continue
        assert listed(client, ORGS, org.id, headers, status=state.value) == visible, where
        if visible:
            assert seen["get"] == 200 and 404 not in seen.values(), where
            if "approve" in seen and caller not in ("responsible", "admin"):
                assert seen["approve"] in (401, 403), where  # seen, not theirs to approve
        else:
            assert seen["get"] == 404 and set(seen.values()) <= HIDDEN, where
            if caller != "anonymous":  # a signed-in caller finds it nowhere
                assert set(seen.values()) == {404}, where


@pytest.fixture
def allow_private(app, monkeypatch):
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)


def _subscription_callers(client, db, owner_org, owner_key):
    return {
        "anonymous": {},
        "owner_key": owner_key,
        "owner_user": login(client, make_user(db, owner_org, Role.member)),
        "peer": key_headers(db, make_org(db)),
        "college": key_headers(db, make_org(db, OrgType.college)),
        "responsible": key_headers(db, make_department(db, Department.industry)),
        "admin": login(client, make_admin(db)),
    }


@pytest.mark.parametrize("state", ["active", "disabled"])
def test_subscription_routes_agree(client, db, allow_private, state):
    """A subscription is its organisation's alone: nobody else finds it, admins included
    (they act for no organisation: 403)."""
    owner_org = make_org(db)
    owner = key_headers(db, owner_org)
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["*"], "active": state == "active"}
    created = client.post(SUBS, json=body, headers=owner)
    assert created.status_code == 201, created.text
    sub_id = created.json()["id"]
    url = f"{SUBS}/{sub_id}"
    for caller, headers in _subscription_callers(client, db, owner_org, owner).items():
        visible = caller.startswith("owner")
        seen = {
            "get": client.get(url, headers=headers).status_code,
            "patch": client.patch(url, json={"description": caller}, headers=headers).status_code,
            "deliveries": client.get(f"{url}/deliveries", headers=headers).status_code,
        }
        if not visible:
            seen["rotate"] = client.post(f"{url}/rotate-secret", headers=headers).status_code
            seen["delete"] = client.delete(url, headers=headers).status_code
        page = client.get(SUBS, params={"limit": 200}, headers=headers)
        ids = [s["id"] for s in page.json()["items"]] if page.status_code == 200 else []
        where = (state, caller, seen)
        assert (sub_id in ids) == visible, where
        if visible:
            assert set(seen.values()) == {200}, where
        else:
            assert set(seen.values()) <= HIDDEN, where
            if caller not in ("anonymous", "admin"):
                assert set(seen.values()) == {404}, where
    assert client.get(url, headers=owner).json()["active"] is (state == "active")


@pytest.mark.parametrize("public", [True, False])
def test_event_reaches_the_same_readers_by_feed_and_webhook(client, db, allow_private, public):
    """An organisation's private event is read by it (and platform admins) in `/events` and
    delivered to its subscriptions only; a public one reaches every reader."""
    owner_org, peer_org = make_org(db), make_org(db, OrgType.college)
    readers = {"owner": key_headers(db, owner_org), "peer": key_headers(db, peer_org)}
    subs = {}
    for name, headers in readers.items():
        body = {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}
        subs[name] = client.post(SUBS, json=body, headers=headers).json()["id"]
    event_id = emit(db, "demand.created", org_id=owner_org.id, public=public)
    dispatcher.fan_out(db, client.app.state.settings)
    with db() as session:
        delivered = set(
            session.scalars(
                select(WebhookDelivery.subscription_id).where(WebhookDelivery.event_id == event_id)
            )
        )
    readers["admin"] = login(client, make_admin(db))
    assert client.get("/api/v1/events").status_code == 401
    for name, headers in readers.items():
        page = client.get("/api/v1/events", params={"limit": 1000}, headers=headers)
        assert page.status_code == 200, page.text
        in_feed = event_id in [int(e["id"]) for e in page.json()["items"]]
        visible = public or name in ("owner", "admin")
        assert in_feed == visible, (public, name)
        if name in subs:
            assert (subs[name] in delivered) == visible, (public, name, delivered)
