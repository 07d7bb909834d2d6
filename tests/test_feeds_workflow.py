"""The publishing workflow of the four government feeds: drafts, publish, withdraw, delete."""

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Event
from tests.factories import (
    FEED_PATHS,
    assert_problem,
    feed_owner,
    feed_payload,
    feed_publisher,
    login,
    make_admin,
)

RESOURCES = list(FEED_PATHS)


def events(db, resource, item_id):
    with db() as session:
        rows = session.scalars(
            select(Event)
            .where(Event.resource_type == resource, Event.resource_id == str(item_id))
            .order_by(Event.id)
        )
        return [(e.type, e.public, e.data) for e in rows]


def audit_actions(db, resource, item_id):
    with db() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.resource_type == resource, AuditEvent.resource_id == str(item_id))
            .order_by(AuditEvent.id)
        )
        return [(a.action, a.actor_organization_id, a.request_id is not None) for a in rows]


@pytest.mark.parametrize("resource", RESOURCES)
def test_draft_publish_withdraw_republish(client, db, resource):
    path = FEED_PATHS[resource]
    owner, headers = feed_owner(client, db, resource)
    publisher_org, publisher = feed_publisher(client, db, resource)

    created = client.post(path, json=feed_payload(db, resource), headers=headers)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["status"] == "draft"
    assert item["owner_organization_id"] == owner.id
    assert item["published_at"] is None
    assert created.headers["etag"] == f'W/"{item["version"]}"'
    url = f"{path}/{item['id']}"

    # A draft: hidden from the public, visible to its owner and the publisher.
    assert_problem(client.get(url), 404, "not_found")
    assert client.get(path).json()["total"] == 0
    assert client.get(url, headers=headers).status_code == 200
    assert client.get(url, headers=publisher).status_code == 200
    assert client.get(path, headers=headers).json()["total"] == 1
    assert events(db, resource, item["id"]) == []

    published = client.post(f"{url}/publish", headers=publisher)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    assert client.get(url).json()["status"] == "published"
    assert [i["id"] for i in client.get(path).json()["items"]] == [item["id"]]
    assert_problem(client.post(f"{url}/publish", headers=publisher), 409, "already_published")

    withdrawn = client.post(f"{url}/withdraw", headers=publisher)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"]
    assert_problem(client.get(url), 404)
    assert client.get(path).json()["total"] == 0
    assert_problem(client.post(f"{url}/withdraw", headers=publisher), 409, "already_withdrawn")

    assert client.post(f"{url}/publish", headers=publisher).status_code == 200
    assert client.get(url).status_code == 200

    recorded = events(db, resource, item["id"])
    assert [(t, p) for t, p, _ in recorded] == [
        (f"{resource}.published", True),
        (f"{resource}.withdrawn", True),
        (f"{resource}.published", True),
    ]
    assert recorded[0][2]["id"] == item["id"]
    assert recorded[0][2]["status"] == "published"
    assert audit_actions(db, resource, item["id"]) == [
        (f"{resource}.create", owner.id, True),
        (f"{resource}.publish", publisher_org.id, True),
        (f"{resource}.withdraw", publisher_org.id, True),
        (f"{resource}.publish", publisher_org.id, True),
    ]


@pytest.mark.parametrize("resource", RESOURCES)
def test_delete_drafts_only(client, db, resource):
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    _, publisher = feed_publisher(client, db, resource)
    draft = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    kept = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    client.post(f"{path}/{kept['id']}/publish", headers=publisher)

    assert_problem(client.delete(f"{path}/{kept['id']}", headers=headers), 409, "not_a_draft")
    assert client.delete(f"{path}/{draft['id']}", headers=headers).status_code == 204
    assert_problem(client.get(f"{path}/{draft['id']}", headers=headers), 404)
    assert_problem(client.delete(f"{path}/{draft['id']}", headers=headers), 404)
    assert [a for a, _, _ in audit_actions(db, resource, draft["id"])] == [
        f"{resource}.create",
        f"{resource}.delete",
    ]
    assert events(db, resource, draft["id"]) == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_with_etags(client, db, resource):
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    item = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    url = f"{path}/{item['id']}"
    field = "name" if resource == "enterprise_directory" else "title"

    read = client.get(url, headers=headers)
    etag = read.headers["etag"]
    assert etag == f'W/"{item["version"]}"'

    changed = client.patch(url, json={field: "改过的名称一"}, headers={**headers, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()[field] == "改过的名称一"
    assert changed.headers["etag"] != etag
    assert changed.json()["version"] == item["version"] + 1

    # Someone else still holds the old ETag: their change is refused, nothing is lost.
    stale = client.patch(url, json={field: "改过的名称二"}, headers={**headers, "If-Match": etag})
    assert_problem(stale, 412, "stale_version")
    assert client.get(url, headers=headers).json()[field] == "改过的名称一"

    # The strong form of the tag, `*`, or no If-Match at all are accepted.
    current = changed.headers["etag"]
    strong = current.removeprefix("W/")
    assert client.patch(
        url, json={field: "改过三"}, headers={**headers, "If-Match": strong}
    ).is_success
    assert client.patch(
        url, json={field: "改过四"}, headers={**headers, "If-Match": "*"}
    ).is_success
    assert client.patch(url, json={field: "改过五"}, headers=headers).is_success
    actions = [a for a, _, _ in audit_actions(db, resource, item["id"])]
    assert actions == [f"{resource}.create"] + [f"{resource}.update"] * 4
    # Changes to drafts are not announced.
    assert events(db, resource, item["id"]) == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_changes_to_published_items_are_announced_once(client, db, resource):
    path = FEED_PATHS[resource]
    _, publisher = feed_publisher(client, db, resource)
    admin = login(client, make_admin(db))
    item = client.post(path, json=feed_payload(db, resource), headers=admin).json()
    url = f"{path}/{item['id']}"
    client.post(f"{url}/publish", headers=publisher)
    field = "name" if resource == "enterprise_directory" else "title"

    response = client.patch(url, json={field: "公开后修改的名称"}, headers=admin)
    assert response.status_code == 200, response.text
    # A PATCH that changes nothing writes nothing.
    again = client.patch(url, json={field: "公开后修改的名称"}, headers=admin)
    assert again.json()["version"] == response.json()["version"]

    recorded = events(db, resource, item["id"])
    assert [t for t, _, _ in recorded] == [f"{resource}.published", f"{resource}.updated"]
    assert recorded[1][2][field] == "公开后修改的名称"
    assert [a for a, _, _ in audit_actions(db, resource, item["id"])] == [
        f"{resource}.create",
        f"{resource}.publish",
        f"{resource}.update",
    ]
    with db() as session:
        entry = session.scalars(
            select(AuditEvent).where(AuditEvent.action == f"{resource}.update")
        ).one()
        assert entry.summary[field][1] == "公开后修改的名称"


@pytest.mark.parametrize("resource", RESOURCES)
def test_audit_trail_is_readable_by_platform_admins(client, db, resource):
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    item = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    admin = login(client, make_admin(db))
    page = client.get(
        "/api/v1/audit-events",
        params={"resource_type": resource, "resource_id": str(item["id"])},
        headers=admin,
    ).json()
    assert [e["action"] for e in page["items"]] == [f"{resource}.create"]


def test_audit_filters_accept_the_directory_s_old_name(client, db):
    """`enterprise` (the directory's name before `enterprise_directory`) still selects its
    audit entries, as it selects its events (`events.RESOURCE_ALIASES`)."""
    resource = "enterprise_directory"
    _, headers = feed_owner(client, db, resource)
    item = client.post(FEED_PATHS[resource], json=feed_payload(db, resource), headers=headers)
    admin = login(client, make_admin(db))
    item_id = str(item.json()["id"])
    for params in (
        {"resource_type": "enterprise", "resource_id": item_id},
        {"action": "enterprise.create", "resource_id": item_id},
        {"action": "enterprise_directory.create", "resource_id": item_id},
    ):
        page = client.get("/api/v1/audit-events", params=params, headers=admin).json()
        assert [e["action"] for e in page["items"]] == [f"{resource}.create"], params
    unknown = {"action": "enterprises.create", "resource_id": item_id}
    assert client.get("/api/v1/audit-events", params=unknown, headers=admin).json()["total"] == 0


def test_openapi_documents_the_feeds(client):
    schema = client.get("/openapi.json").json()
    for path in FEED_PATHS.values():
        suffix = path.removeprefix("/api/v1")
        assert {"get", "post"} <= schema["paths"][f"/api/v1{suffix}"].keys()
        assert {"get", "patch", "delete"} <= schema["paths"][f"/api/v1{suffix}/{{item_id}}"].keys()
        assert "post" in schema["paths"][f"/api/v1{suffix}/{{item_id}}/publish"]
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
