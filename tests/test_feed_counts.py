"""A feed list's `total` comes from counts kept by triggers (`FeedCount`): it stays exact
through creates, publishing, withdrawing, deletes and rows written outside the app."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import count

import pytest
from sqlalchemy import event, insert

from app.models import TechProject
from tests.factories import FEED_PATHS, feed_owner, feed_payload, feed_publisher

RESOURCES = list(FEED_PATHS)


def listed(client, path, headers=None, **params):
    """The list's `total`, checked against the number of items it actually lists."""
    body = client.get(path, params={"limit": 200, **params}, headers=headers or {}).json()
    assert body["total"] == len(body["items"]), body
    return body["total"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_total_follows_every_change_of_status(client, db, resource):
    path = FEED_PATHS[resource]
    owner, headers = feed_owner(client, db, resource)
    _, other = feed_owner(client, db, resource)
    _, publisher = feed_publisher(client, db, resource)
    ids = []
    for _ in range(4):
        created = client.post(path, json=feed_payload(db, resource), headers=headers)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    assert client.post(path, json=feed_payload(db, resource), headers=other).status_code == 201
    assert listed(client, path) == 0
    assert listed(client, path, headers) >= 4  # its drafts (and others' if it sees them)
    assert listed(client, path, headers, owner_organization_id=owner.id) == 4

    for item_id in ids[:3]:
        assert client.post(f"{path}/{item_id}/publish", headers=publisher).status_code == 200
    assert client.post(f"{path}/{ids[0]}/withdraw", headers=publisher).status_code == 200
    assert client.delete(f"{path}/{ids[3]}", headers=headers).status_code == 204

    assert listed(client, path) == 2
    assert listed(client, path, headers, owner_organization_id=owner.id) == 3  # and withdrawn
    assert listed(client, path, headers, status="withdrawn") == 1
    assert listed(client, path, publisher, status="draft") == 1  # the other owner's
    for viewer in (headers, other, publisher):  # whatever each may see, counted exactly
        listed(client, path, viewer)
        listed(client, path, viewer, status="published")

    assert client.post(f"{path}/{ids[0]}/publish", headers=publisher).status_code == 200
    assert listed(client, path) == 3


def test_rows_written_outside_the_app_are_counted(client, db, engine):
    """A bulk load or an import writes rows with Core: the triggers count them too."""
    path = FEED_PATHS["tech_project"]
    owner, headers = feed_owner(client, db, "tech_project")
    now = datetime.now(UTC)
    row = {"kind": "tech_info", "summary": "批量导入", "owner_organization_id": owner.id}
    row |= {"version": 1, "created_at": now, "updated_at": now}
    with engine.begin() as conn:
        conn.execute(
            insert(TechProject),
            [{**row, "title": f"批量{i}", "status": "published"} for i in range(5)]
            + [{**row, "title": "草稿", "status": "draft"}],
        )
    assert listed(client, path) == 5
    assert listed(client, path, headers) == 6
    with engine.begin() as conn:
        conn.execute(TechProject.__table__.update().values(status="withdrawn"))
    assert listed(client, path) == 0
    assert listed(client, path, headers, status="withdrawn") == 6


def test_connections_stay_open_under_concurrent_requests(client, engine):
    """More requests at once than the pool has connections: each waits for a pooled
    connection; none is opened and closed for a single request."""
    opened, closed = count(), count()
    pool_size = engine.pool.size()

    def on_connect(*_):
        next(opened)

    def on_close(*_):
        next(closed)

    event.listen(engine, "connect", on_connect)
    event.listen(engine.pool, "close", on_close)
    try:
        with ThreadPoolExecutor(max_workers=pool_size * 2) as pool:
            answers = list(pool.map(lambda _: client.get(FEED_PATHS["tech_project"]), range(96)))
    finally:
        event.remove(engine, "connect", on_connect)
        event.remove(engine.pool, "close", on_close)
    assert {a.status_code for a in answers} == {200}
    assert next(closed) == 0
    assert next(opened) <= pool_size
