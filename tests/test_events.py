"""The change feed: who sees which events, filters, cursors, and order under concurrent writers."""

import random
import threading
import time

import pytest

from app.core.db import transaction
from app.models.enums import OrgType
from app.services.events import record_event
from tests.factories import assert_problem, login, make_admin, make_feed_item, org_headers

EVENTS = "/api/v1/events"


def emit(db, type_="demand.opened", *, org_id=None, public=True, resource_id=1, **data):
    with transaction(db) as session:
        return record_event(
            session,
            type_,
            resource_id=resource_id,
            data=data or {"id": resource_id},
            organization_id=org_id,
            public=public,
        ).id


def read_all(client, headers, **params):
    """Follow the cursor to the end; the events read, and the final cursor."""
    items, cursor = [], None
    while True:
        query = {**params, **({"after": cursor} if cursor else {})}
        page = client.get(EVENTS, params=query, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items, cursor


def test_feed_needs_a_signed_in_caller(client):
    assert_problem(client.get(EVENTS), 401, "not_authenticated")
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert_problem(client.get(EVENTS, headers=bad_token), 401)


def test_feed_shape_and_visibility(client, db):
    org, headers = org_headers(client, db)
    other, other_headers = org_headers(client, db)
    public = emit(
        db, "demand.opened", org_id=org.id, resource_id=7, title="焊工", major_codes=["46"]
    )
    own_private = emit(db, "demand.created", org_id=org.id, public=False, resource_id=8)
    emit(db, "demand.created", org_id=other.id, public=False, resource_id=9)

    items, _ = read_all(client, headers)
    assert [e["id"] for e in items] == [public, own_private]
    first = items[0]
    assert first["type"] == "demand.opened"
    assert first["resource"] == {"type": "demand", "id": 7}
    assert first["data"] == {"title": "焊工", "major_codes": ["46"]}
    assert first["occurred_at"].endswith(("Z", "+00:00"))

    other_items, _ = read_all(client, other_headers)
    assert [e["resource"]["id"] for e in other_items] == [7, 9]
    admin_items, _ = read_all(client, login(client, make_admin(db)))
    assert [e["resource"]["id"] for e in admin_items] == [7, 8, 9]


def test_pending_organisation_reads_public_events(client, db):
    from app.models.enums import OrgStatus

    _org, headers = org_headers(client, db, status=OrgStatus.pending)
    emit(db)
    items, _ = read_all(client, headers)
    assert len(items) == 1


def test_registration_approval_appears_in_the_feed(client, db):
    _gov, industry = org_headers(client, db, OrgType.government, department="industry")
    body = {
        "organization": {
            "name": "威海示例科技有限公司",
            "org_type": "enterprise",
            "credit_code": "91371002MA3D02018D",
            "district_code": "371002",
        },
        "user": {"username": "shili", "password": "a-long-passphrase"},
    }
    created = client.post("/api/v1/registrations", json=body)
    assert created.status_code == 201, created.text
    org_id = created.json()["organization"]["id"]
    approved = client.post(f"/api/v1/organizations/{org_id}/approve", headers=industry)
    assert approved.status_code == 200, approved.text
    items, _ = read_all(client, industry, types="organization.approved")
    assert [(e["type"], e["resource"]["id"]) for e in items] == [("organization.approved", org_id)]
    assert items[0]["data"]["name"] == "威海示例科技有限公司"


def test_type_and_resource_filters(client, db):
    _org, headers = org_headers(client, db)
    emit(db, "demand.opened", resource_id=1)
    emit(db, "demand.closed", resource_id=2)
    emit(db, "tech_project.published", resource_id=3)

    def ids(**params):
        return [e["resource"]["id"] for e in read_all(client, headers, **params)[0]]

    assert ids(types="demand.closed") == [2]
    assert ids(types="demand.*") == [1, 2]
    assert ids(types="demand.opened,tech_project.published") == [1, 3]
    assert ids(types="*") == [1, 2, 3]
    assert ids(resource_type="tech_project") == [3]
    assert ids(types="demand.*", resource_type="tech_project") == []


@pytest.mark.parametrize(
    "params",
    [
        {"types": "enterprise_directory.published"},
        {"types": "enterprise_directory.*"},
        {"types": "enterprise.published"},  # the old names, until a release drops them
        {"types": "enterprise.*"},
        {"resource_type": "enterprise_directory"},
        {"resource_type": "enterprise"},
    ],
)
def test_directory_events_under_their_new_and_old_names(client, db, params):
    _org, headers = org_headers(client, db)
    item, _ = make_feed_item(client, db, "enterprise_directory", publish=True)
    emit(db, "tech_project.published", resource_id=3)
    [event] = read_all(client, headers, **params)[0]
    assert event["type"] == "enterprise_directory.published"
    assert event["resource"] == {"type": "enterprise_directory", "id": item["id"]}


@pytest.mark.parametrize(
    "params",
    [
        {"after": "abc"},
        {"after": "-1"},
        {"after": "1.5"},
        {"after": ""},
        {"after": "1" * 19},
        {"types": "demand"},
        {"types": "Demand.Opened"},
        {"types": ","},
        {"types": "demand.opened;drop"},
        {"resource_type": "demand.opened"},
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "many"},
    ],
)
def test_bad_feed_parameters_are_422(client, db, params):
    _org, headers = org_headers(client, db)
    body = assert_problem(client.get(EVENTS, params=params, headers=headers), 422)
    assert body["errors"], body


def test_paging_with_the_cursor(client, db):
    _org, headers = org_headers(client, db)
    ids = [emit(db, resource_id=n) for n in range(5)]
    page = client.get(EVENTS, params={"limit": 2}, headers=headers).json()
    assert [e["id"] for e in page["items"]] == ids[:2]
    assert page["has_more"] is True and page["next_cursor"] == str(ids[1])
    rest, cursor = read_all(client, headers, after=page["next_cursor"], limit=2)
    assert [e["id"] for e in rest] == ids[2:]
    assert cursor == str(ids[-1])
    # Caught up: the same cursor comes back, and new events follow it.
    again = client.get(EVENTS, params={"after": cursor}, headers=headers).json()
    assert again == {"items": [], "next_cursor": cursor, "has_more": False}
    newer = emit(db)
    assert [e["id"] for e in read_all(client, headers, after=cursor)[0]] == [newer]


def test_cursor_moves_past_events_hidden_by_filters(client, db):
    other, _ = org_headers(client, db)
    _org, headers = org_headers(client, db)
    emit(db, "demand.opened")
    last = emit(db, "demand.created", org_id=other.id, public=False)
    items, cursor = read_all(client, headers, types="tech_project.*")
    assert items == [] and cursor == str(last)


def test_concurrent_writers_never_make_a_reader_skip_or_repeat(client, db):
    """Writers commit out of id order as far as the database lets them; a reader polling
    with its cursor meanwhile must see every committed event exactly once, in id order."""
    headers = login(client, make_admin(db))
    committed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        rng = random.Random(n)
        try:
            for i in range(30):
                with transaction(db) as session:
                    event_id = record_event(
                        session, "test.written", resource_id=i, data={"writer": n}
                    ).id
                    time.sleep(rng.random() * 0.008)  # hold the commit back a little
                with lock:
                    committed.append(event_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        writing = any(t.is_alive() for t in threads)
        params = {"limit": 7, **({"after": cursor} if cursor else {})}
        body = client.get(EVENTS, params=params, headers=headers).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not writing and not body["has_more"]:
            break
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(committed) == 120
    assert seen == sorted(set(seen)), "events repeated or out of order"
    assert set(seen) == set(committed), "events skipped"
