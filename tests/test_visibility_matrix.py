"""One rule per access decision: every route touching an item answers alike.

For each resource × state × kind of caller, the expected visibility is written here once
(the rule as the docs state it), and every route is asked: the get, membership of the
list (filtered to the item's state), the sub-resources and the actions. Where the item is
invisible each of them answers 404 (or 401/403 for a caller whose role may never call
the route, which says nothing about the item); where it is visible none of them does.
"""

import pytest

from app.models.enums import Department, OrgType
from tests.factories import (
    FEED_OWNERS,
    FEED_PATHS,
    FEED_PUBLISHERS,
    feed_owner,
    feed_payload,
    key_headers,
    listed,
    login,
    make_admin,
    make_department,
    make_org,
    post_demand,
)

DEMANDS = "/api/v1/demands"
CALLERS = ["anonymous", "owner", "other_enterprise", "college", "moderator", "admin"]


def _callers(client, db, owner_headers):
    return {
        "anonymous": {},
        "owner": owner_headers,
        "other_enterprise": key_headers(db, make_org(db, OrgType.enterprise)),
        "college": key_headers(db, make_org(db, OrgType.college)),
        "moderator": key_headers(db, make_department(db, Department.industry)),
        "admin": login(client, make_admin(db)),
    }


def _demand_in(client, headers, state):
    demand = post_demand(client, headers, open_=state not in ("draft", "closed_unopened"))
    url = f"{DEMANDS}/{demand['id']}"
    if state == "paused":
        assert client.post(f"{url}/pause", headers=headers).status_code == 200
    if state in ("closed", "closed_unopened"):
        body = {"close_reason": "cancelled"}
        assert client.post(f"{url}/close", json=body, headers=headers).status_code == 200
    return demand["id"]


def _demand_visible(state: str, caller: str) -> bool:
    """The rule: once opened, public for good; drafts for their enterprise only; a demand
    closed before it was opened for its enterprise and the moderators."""
    if state in ("open", "paused", "closed"):
        return True
    if state == "draft":
        return caller == "owner"
    return caller in ("owner", "moderator", "admin")


@pytest.mark.parametrize("state", ["draft", "open", "paused", "closed", "closed_unopened"])
def test_demand_routes_agree(client, db, state):
    owner_org = make_org(db, OrgType.enterprise)
    owner = key_headers(db, owner_org)
    demand_id = _demand_in(client, owner, state)
    url = f"{DEMANDS}/{demand_id}"
    status = {"closed_unopened": "closed"}.get(state, state)
    for caller, headers in _callers(client, db, owner).items():
        visible = _demand_visible(state, caller)
        seen = {
            "get": client.get(url, headers=headers).status_code,
            "responses": client.get(f"{url}/responses", headers=headers).status_code,
            "matches": client.get(f"{url}/matches", headers=headers).status_code,
        }
        if caller == "college":
            offer = {"major_code": "460307", "headcount": 2}
            seen["respond"] = client.post(
                f"{url}/responses", json=offer, headers=headers
            ).status_code
        where = (state, caller, seen)
        assert listed(client, DEMANDS, demand_id, headers, status=status) == visible, where
        if visible:
            assert seen["get"] == 200, where
            assert 404 not in seen.values(), where
            if caller == "college":
                assert seen["respond"] == (201 if state == "open" else 409), where
        else:
            assert seen["get"] == 404, where
            assert set(seen.values()) <= {401, 403, 404}, where
            if caller != "anonymous":
                assert seen["responses"] == 404 and seen["matches"] == 404, where


FEED_STATES = ["draft", "published", "withdrawn"]


def _feed_item_in(client, db, resource, state):
    _, owner = feed_owner(client, db, resource)
    path = FEED_PATHS[resource]
    response = client.post(path, json=feed_payload(db, resource), headers=owner)
    assert response.status_code == 201, response.text
    item_id = response.json()["id"]
    publisher = key_headers(db, make_department(db, FEED_PUBLISHERS[resource]))
    if state in ("published", "withdrawn"):
        assert client.post(f"{path}/{item_id}/publish", headers=publisher).status_code == 200
    if state == "withdrawn":
        assert client.post(f"{path}/{item_id}/withdraw", headers=publisher).status_code == 200
    return item_id, owner, publisher


def _other_author(client, db, resource):
    """Another organisation of the author's kind; for a department's own feed (whose peers
    are its editors) a department without a say in it."""
    if isinstance(FEED_OWNERS[resource], Department):
        return key_headers(db, make_department(db, Department.hr))
    return feed_owner(client, db, resource)[1]


@pytest.mark.parametrize("state", FEED_STATES)
@pytest.mark.parametrize("resource", sorted(FEED_PATHS))
def test_feed_routes_agree(client, db, resource, state):
    item_id, owner, publisher = _feed_item_in(client, db, resource, state)
    path = FEED_PATHS[resource]
    url = f"{path}/{item_id}"
    callers = {
        "anonymous": {},
        "owner": owner,
        "other_author": _other_author(client, db, resource),
        "college": key_headers(db, make_org(db, OrgType.college)),
        "publisher": publisher,
        "admin": login(client, make_admin(db)),
    }
    for caller, headers in callers.items():
        visible = state == "published" or caller in ("owner", "publisher", "admin")
        seen = {"get": client.get(url, headers=headers).status_code}
        if caller not in ("owner", "publisher", "admin"):  # actions that would change it
            seen["withdraw"] = client.post(f"{url}/withdraw", headers=headers).status_code
            seen["delete"] = client.delete(url, headers=headers).status_code
        where = (resource, state, caller, seen)
        assert listed(client, path, item_id, headers, status=state) == visible, where
        if visible:
            assert seen["get"] == 200 and 404 not in seen.values(), where
        else:
            assert seen["get"] == 404, where
            assert set(seen.values()) <= {401, 403, 404}, where
