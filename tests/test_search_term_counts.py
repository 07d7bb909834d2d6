"""A one-term search's `total` comes from counts kept by triggers (`SearchTermCount`): for
every kind of caller and every status and owner filter it equals the brute-force count of
the caller's list holding the term, through creates, edits that move words between fields,
publishing, withdrawing, deletes and rows changed outside the app."""

import random

import pytest
from sqlalchemy import func, select, text

from app.models import SearchTerm, SearchTermCount
from app.models.enums import OrgType
from app.models.search_term import EVERY_OWNER
from app.services.feeds import (
    cooperation_projects,
    enterprise_directory,
    social_service_projects,
    tech_projects,
)
from tests.factories import (
    FEED_PATHS,
    feed_owner,
    feed_payload,
    feed_publisher,
    key_headers,
    make_org,
)

FEEDS = {
    f.FEED.resource: f.FEED
    for f in (tech_projects, enterprise_directory, cooperation_projects, social_service_projects)
}
TABLES = {resource: feed.model.__tablename__ for resource, feed in FEEDS.items()}
WORDS = ["海洋", "牧场", "海洋牧场", "食品", "Ab", "洋牧"]
TERMS = ["海洋", "牧场", "海洋牧场", "ab", "洋牧场海"]
STATUSES = ["draft", "published", "withdrawn"]


def visible(client, path, headers):
    """Every item the caller's list holds (not a search: counted by `FeedCount`)."""
    page = client.get(path, params={"limit": 200}, headers=headers).json()
    assert page["total"] == len(page["items"]), page
    return page["items"]


def check_totals(client, resource, callers, owner_ids):
    """Each caller's total for each term and filter equals the count of its list's items
    holding the term in a searched text, and is exact (`eq`)."""
    path, fields = FEED_PATHS[resource], FEEDS[resource].text_fields
    filters = [{}] + [{"status": s} for s in STATUSES]
    filters += [{"owner_organization_id": o} for o in owner_ids]
    for who, headers in callers.items():
        items = visible(client, path, headers)
        for term in TERMS:
            holding = [i for i in items if any(term in (i[f] or "").lower() for f in fields)]
            for where in filters:
                expected = sum(all(i[k] == v for k, v in where.items()) for i in holding)
                params = {"q": term, "limit": 1, **where}
                page = client.get(path, params=params, headers=headers).json()
                got = (page["total"], page["total_relation"])
                assert got == (expected, "eq"), (who, term, where)


def check_table(engine):
    """The counts are those of the term rows, under each owner and every owner."""
    terms = SearchTerm
    key = (terms.resource, terms.term, terms.owner_key, terms.status)
    expected = {}
    with engine.connect() as conn:
        for resource, term, owner, status, n in conn.execute(
            select(*key, func.count()).group_by(*key)
        ):
            expected[(resource, term, owner, status)] = n
            every = (resource, term, EVERY_OWNER, status)
            expected[every] = expected.get(every, 0) + n
        counts = SearchTermCount
        stored = conn.execute(
            select(counts.resource, counts.term, counts.owner_key, counts.status, counts.items)
        ).all()
    assert {tuple(r[:4]): r[4] for r in stored if r[4]} == expected
    assert all(r[4] >= 0 for r in stored)


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_term_totals_equal_brute_force_counts_for_every_caller(client, db, engine, resource):
    rng = random.Random(16)
    path, fields = FEED_PATHS[resource], FEEDS[resource].text_fields
    owners = [feed_owner(client, db, resource) for _ in range(2)]
    _, publisher = feed_publisher(client, db, resource)
    stranger = make_org(db, OrgType.enterprise)

    callers = {
        "anonymous": {},
        "owner": owners[0][1],
        "other owner": owners[1][1],
        "publisher": publisher,
        "stranger": key_headers(db, stranger),
    }
    owner_ids = [o.id for o, _ in owners]
    made = []
    for n in range(10):
        words = {f: "".join(rng.choice(WORDS) for _ in range(2)) for f in fields[:2]}
        words[fields[0]] += f"第{n}"
        _, headers = owners[n % 2]
        item = client.post(path, json=feed_payload(db, resource, **words), headers=headers)
        assert item.status_code == 201, item.text
        made.append((item.json()["id"], headers))
        if n % 3:
            client.post(f"{path}/{made[-1][0]}/publish", headers=publisher)
        if n % 5 == 1:
            client.post(f"{path}/{made[-1][0]}/withdraw", headers=publisher)
    check_totals(client, resource, callers, owner_ids)
    check_table(engine)

    # Edits: words move from the text into the title, others go, new ones come.
    for item_id, headers in (made[0], made[1], made[3]):  # a draft, a withdrawn, a draft
        body = {fields[0]: f"海洋牧场新题{item_id}", fields[1]: "食品Ab"}
        edited = client.patch(f"{path}/{item_id}", json=body, headers=headers)
        assert edited.status_code == 200, edited.text
    # A withdrawn item published again, a published one withdrawn, a draft deleted.
    assert client.post(f"{path}/{made[1][0]}/publish", headers=publisher).status_code == 200
    assert client.post(f"{path}/{made[2][0]}/withdraw", headers=publisher).status_code == 200
    assert client.delete(f"{path}/{made[3][0]}", headers=made[3][1]).status_code == 204
    check_totals(client, resource, callers, owner_ids)
    check_table(engine)

    # Rows changed outside the app (an import, a fix by hand): status and owner move.
    table = TABLES[resource]
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET status = 'withdrawn' WHERE id = {made[4][0]}"))
        conn.execute(
            text(f"UPDATE {table} SET owner_organization_id = :o WHERE id IN ({made[5][0]})"),
            {"o": owner_ids[0] if made[5][1] == owners[1][1] else owner_ids[1]},
        )
        conn.execute(text(f"UPDATE {table} SET status = 'draft' WHERE id = {made[6][0]}"))
    check_totals(client, resource, callers, owner_ids)
    check_table(engine)
