"""Who may do what with each government feed (docs/api.md "Government feeds"), as a matrix:
each resource × each kind of caller × each action."""

import pytest

from app.models.enums import Department, OrgStatus, OrgType
from tests.factories import (
    FEED_PATHS,
    assert_problem,
    feed_payload,
    key_headers,
    login,
    make_admin,
    make_feed_item,
    make_org,
)

ACTORS = [
    "anonymous",
    "platform_admin",
    "tech",
    "industry",
    "education",
    "hr",
    "finance",
    "enterprise",
    "college",
    "training_institution",
    "pending_college",
]
ACTIONS = ["create", "update", "publish", "withdraw", "delete"]
OK = {"create": 201, "update": 200, "publish": 200, "withdraw": 200, "delete": 204}

# Who may, per resource and action; everybody else gets the status in `DENIED`.
ALLOWED = {
    "tech_project": dict.fromkeys(ACTIONS, {"platform_admin", "tech"}),
    "enterprise_directory": dict.fromkeys(ACTIONS, {"platform_admin", "industry"}),
    "cooperation_project": {
        "create": {"platform_admin", "industry", "college", "enterprise"},
        "update": {"platform_admin", "industry"},
        "publish": {"platform_admin", "industry"},
        "withdraw": {"platform_admin", "industry"},
        "delete": {"platform_admin", "industry"},
    },
    "social_service_project": {
        "create": {"platform_admin", "college", "training_institution"},
        "update": {"platform_admin"},
        "publish": {"platform_admin", "education", "hr"},
        "withdraw": {"platform_admin", "education", "hr"},
        "delete": {"platform_admin"},
    },
}
# Who sees another organisation's drafts (and so is told 403 rather than 404).
SEES_DRAFTS = {
    "tech_project": {"platform_admin", "tech"},
    "enterprise_directory": {"platform_admin", "industry"},
    "cooperation_project": {"platform_admin", "industry"},
    "social_service_project": {"platform_admin", "education", "hr"},
}


def headers_for(client, db, actor):
    if actor == "anonymous":
        return {}
    if actor == "platform_admin":
        return login(client, make_admin(db))
    if actor == "pending_college":
        org = make_org(db, OrgType.college, status=OrgStatus.pending, approved_at=None)
    elif actor in Department.__members__:
        org = make_org(db, OrgType.government, department=Department(actor))
    else:
        org = make_org(db, OrgType(actor))
    return key_headers(db, org)


def expected(resource, actor, action):
    if actor == "anonymous":
        return 401
    if actor in ALLOWED[resource][action]:
        return OK[action]
    if actor == "pending_college" or action in ("create", "publish", "withdraw"):
        return 403
    # update and delete of another organisation's draft: hidden unless one sees drafts
    return 403 if actor in SEES_DRAFTS[resource] else 404


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_permission_matrix(client, db, resource, actor, action):
    path = FEED_PATHS[resource]
    headers = headers_for(client, db, actor)
    if action == "create":
        response = client.post(path, json=feed_payload(db, resource), headers=headers)
    else:
        item, _ = make_feed_item(client, db, resource, publish=action == "withdraw")
        url = f"{path}/{item['id']}"
        field = "name" if resource == "enterprise_directory" else "title"
        response = {
            "update": lambda: client.patch(url, json={field: "新的名称"}, headers=headers),
            "publish": lambda: client.post(f"{url}/publish", headers=headers),
            "withdraw": lambda: client.post(f"{url}/withdraw", headers=headers),
            "delete": lambda: client.delete(url, headers=headers),
        }[action]()
    status = expected(resource, actor, action)
    if status >= 400:
        assert_problem(response, status)
    else:
        assert response.status_code == status, response.text


@pytest.mark.parametrize("resource", ["cooperation_project", "social_service_project"])
def test_authors_change_their_own_items_until_published(client, db, resource):
    path = FEED_PATHS[resource]
    item, owner = make_feed_item(client, db, resource)
    url = f"{path}/{item['id']}"
    assert client.patch(url, json={"title": "自己的草稿"}, headers=owner).status_code == 200
    assert client.post(f"{url}/publish", headers=owner).status_code == 403

    published, owner = make_feed_item(client, db, resource, publish=True)
    url = f"{path}/{published['id']}"
    assert_problem(
        client.patch(url, json={"title": "改已发布"}, headers=owner), 403, "item_published"
    )
    assert_problem(client.delete(url, headers=owner), 409, "not_a_draft")


@pytest.mark.parametrize("resource", ["tech_project", "enterprise_directory"])
def test_departments_change_published_items(client, db, resource):
    path = FEED_PATHS[resource]
    item, owner = make_feed_item(client, db, resource, publish=True)
    field = "name" if resource == "enterprise_directory" else "title"
    response = client.patch(f"{path}/{item['id']}", json={field: "发布后修改"}, headers=owner)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_drafts_are_listed_only_for_those_who_may_see_them(client, db, resource):
    path = FEED_PATHS[resource]
    draft, owner = make_feed_item(client, db, resource)
    published, _ = make_feed_item(client, db, resource, publish=True)
    for actor in ACTORS:
        if actor == "pending_college":
            continue
        ids = {
            i["id"]
            for i in client.get(path, headers=headers_for(client, db, actor)).json()["items"]
        }
        sees = actor in SEES_DRAFTS[resource]
        assert ids == ({draft["id"], published["id"]} if sees else {published["id"]}), actor
        assert client.get(
            f"{path}/{draft['id']}", headers=headers_for(client, db, actor)
        ).status_code == (200 if sees else 404)
    # The owner sees its draft; asking for another organisation's drafts finds none.
    mine = client.get(path, params={"status": "draft"}, headers=owner).json()
    assert [i["id"] for i in mine["items"]] == [draft["id"]]
    assert client.get(path, params={"status": "draft"}).json()["total"] == 0
